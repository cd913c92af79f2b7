"""Repeated list query parameters, against the running services: capped (`yizhou.query_lists`,
`MAX_QUERY_LIST_ITEMS`) before anything is looked up, and each value kept once. `service_code` repeated
2,000 times on Open311 took 15 s and 100 MB; now it is refused at once."""

from __future__ import annotations

import time
from urllib.parse import urlencode

import httpx
import pytest
from yizhou.problems import MEDIA_TYPE
from yizhou.query_lists import MAX_QUERY_LIST_ITEMS

pytestmark = pytest.mark.security

FAST_S = 3.0


@pytest.fixture
def demand_intake(security_platform, axis, token):
    headers = {"Authorization": f"Bearer {token('district_admin', axis['d1'])}"}
    with httpx.Client(base_url=security_platform["demand-intake"].url, headers=headers, timeout=60) as client:
        yield client


def timed_get(client: httpx.Client, url: str) -> tuple[httpx.Response, float]:
    start = time.monotonic()
    response = client.get(url)
    return response, time.monotonic() - start


def test_a_list_parameter_repeated_past_the_cap_is_422_naming_the_limit(demand_intake):
    response, took = timed_get(demand_intake, "/api/v1/demands?" + urlencode([("state", "submitted")] * 2000))
    assert response.status_code == 422, response.text
    assert response.headers["content-type"].startswith(MEDIA_TYPE)
    body = response.json()
    assert body["type"] == "urn:yizhou:problem:validation"
    [error] = body["errors"]
    assert error["field"] == "state" and error["location"] == "query" and error["code"] == "too_long"
    assert f"at most {MAX_QUERY_LIST_ITEMS}" in error["message"]
    assert took < FAST_S
    over = [("state", s) for s in ("submitted", "accepted", "closed") * 17]   # 51 values
    assert demand_intake.get("/api/v1/demands?" + urlencode(over)).status_code == 422


def test_repeated_values_within_the_cap_are_kept_once(demand_intake):
    response = demand_intake.get("/api/v1/demands?" + urlencode([("state", "submitted"), ("state", "accepted")] * 20))
    assert response.status_code == 200, response.text


def test_the_cap_is_in_the_openapi_document(openapi_documents):
    [state] = [p for p in openapi_documents["demand-intake"]["paths"]["/api/v1/demands"]["get"]["parameters"]
               if p["name"] == "state"]
    [array] = [s for s in state["schema"]["anyOf"] if s.get("type") == "array"]
    assert array["maxItems"] == MAX_QUERY_LIST_ITEMS


@pytest.mark.parametrize("query", [
    {"service_code": ",".join(f"code_{i}" for i in range(2000))},                # comma separated, as Open311 writes it
    [("service_code", "elderly_care")] * 2000,                                    # the parameter repeated
    {"service_request_id": ",".join(f"id-{i}" for i in range(MAX_QUERY_LIST_ITEMS + 1))},
])
def test_open311_lists_past_the_cap_are_refused_at_once_in_open311_format(demand_intake, query):
    response, took = timed_get(demand_intake, "/open311/v2/requests.json?" + urlencode(query))
    assert response.status_code == 400, response.text
    [error] = response.json()
    assert error["code"] == 400 and f"at most {MAX_QUERY_LIST_ITEMS}" in error["description"]
    assert took < FAST_S


def test_open311_repeated_codes_within_the_cap_are_looked_up_once(demand_intake):
    codes = ",".join(["elderly_care", "meal_assistance"] * 20 + ["no_such_code"] * 5)
    response, took = timed_get(demand_intake, "/open311/v2/requests.json?" + urlencode({"service_code": codes}))
    assert response.status_code == 200, response.text
    assert isinstance(response.json(), list) and took < FAST_S
    only_unknown = demand_intake.get("/open311/v2/requests.json?service_code=no_such_code")
    assert only_unknown.status_code == 200 and only_unknown.json() == []
