"""Extreme values in every date and number a client can send (issue 19): every numeric or date-time
query parameter and JSON body field of every operation of the four live OpenAPI documents, one at a
time, set to values at and past the edges of what Python, PostgreSQL and SQLite can hold. Each answer
must be below 500 and, when refused, a problem+json with a stable `type`.

Hypothesis draws the values (its numeric and date strategies lean towards boundaries by design: 0,
+-1, +-1e308, the smallest subnormal, year 1 and 9999 with +-14:00 offsets) beside a fixed list of the
values that once made 500s here (`hours` near 1e308, `0001-01-01T00:00:00+14:00`). Derandomized so CI
repeats the same cases; `FUZZ_RANDOM=1` explores.
"""

from __future__ import annotations

import json
import os
from datetime import UTC, datetime, timedelta, timezone

import httpx
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from openapi_catalogue import Seeds, body_for, branches, operations, path_for, query_for, report
from test_bad_input import assert_problem

pytestmark = pytest.mark.security

SERVICES = ("org-registry", "demand-intake", "project-matching", "dual-registration")
EXAMPLES = int(os.environ.get("EXTREME_EXAMPLES", "6"))
NUMBERS = [0, -1, 2**31, 2**53 + 1, 2**63, -(2**63) - 1, 2**64, 10**30, 1e308, -1e308, 5e-324, 1.7976931348623157e308]
NUMBER_TEXTS = ["NaN", "Infinity", "-Infinity", "1e309", "-0", "0x10", "1_000"]
DATES = ["0001-01-01T00:00:00+14:00", "9999-12-31T23:59:59-12:00", "0001-01-01T00:00:00Z", "9999-12-31T23:59:59Z",
         "1970-01-01T00:00:00Z", "2026-02-30T00:00:00Z", "2026-13-01T00:00:00Z", "2026-01-01T00:00:00+23:59",
         "+275760-09-13T00:00:00Z", "2026-01-01", "0001-01-01", "9999-12-31", "2026-11-30T16:30:00"]


def kind_of(doc: dict, schema: dict | None) -> str | None:
    """'number', 'date-time' or 'date' for a schema that takes one (a nullable one too), else None."""
    if not schema:
        return None
    while "$ref" in schema:
        schema = doc["components"]["schemas"][schema["$ref"].rsplit("/", 1)[1]]
    for option in schema.get("anyOf", []):
        found = kind_of(doc, option)
        if found:
            return found
    if schema.get("type") in ("integer", "number"):
        return "number"
    if schema.get("type") == "string" and schema.get("format") in ("date-time", "date"):
        return schema["format"]
    return None


def body_fields(doc: dict, op_doc: dict) -> dict[str, str]:
    """Top-level numeric and date fields of an operation's JSON body."""
    schema = op_doc.get("requestBody", {}).get("content", {}).get("application/json", {}).get("schema")
    if not schema:
        return {}
    while "$ref" in schema:
        schema = doc["components"]["schemas"][schema["$ref"].rsplit("/", 1)[1]]
    return {name: kind for name, prop in schema.get("properties", {}).items() if (kind := kind_of(doc, prop))}


def values(kind: str) -> st.SearchStrategy:
    if kind == "number":
        return st.one_of(st.sampled_from(NUMBERS), st.integers(), st.floats(allow_nan=False, allow_infinity=False),
                         st.sampled_from(NUMBER_TEXTS))
    moments = st.datetimes(min_value=datetime(1, 1, 2), max_value=datetime(9999, 12, 30),
                           timezones=st.sampled_from([UTC, timezone(timedelta(hours=14)), timezone(timedelta(hours=-12))]))
    drawn = moments.map(lambda m: m.date().isoformat() if kind == "date" else m.isoformat())
    return st.one_of(st.sampled_from(DATES), drawn)


def cases(docs: dict[str, dict]):
    """(service, operation, 'query'|'body', name, kind) for every date or number a client can set."""
    for service in SERVICES:
        doc = docs[service]
        for op in operations(service, doc):
            if "fmt" in op.path_params:
                continue
            op_doc = doc["paths"][op.path][op.method]
            for param in op.params:
                if param.get("in") == "query" and (kind := kind_of(doc, param.get("schema"))):
                    yield service, op, "query", param["name"], kind
            if op.body_example is not None:
                for name, kind in body_fields(doc, op_doc).items():
                    yield service, op, "body", name, kind


@pytest.fixture(scope="module")
def admin_headers(token, axis) -> dict[str, str]:
    return {"Authorization": f"Bearer {token('district_admin', axis['d1'])}"}


def test_no_date_or_number_a_client_can_send_is_a_5xx(security_platform, openapi_documents, axis, admin_headers):
    tree = branches(axis)
    found = list(cases(openapi_documents))
    assert len(found) > 40, "the sweep found almost no date or number parameters: the catalogue is broken"
    sent = 0
    with httpx.Client(timeout=60) as client:
        for service, op, where, name, kind in found:
            base = security_platform[service].url
            path = path_for(op, tree[1], Seeds())
            label = f"{service} {op.label} {where} {name}"

            @settings(max_examples=EXAMPLES + len(NUMBERS if kind == "number" else DATES), deadline=None,
                      derandomize=not os.environ.get("FUZZ_RANDOM"), database=None,
                      suppress_health_check=list(HealthCheck))
            @given(value=values(kind))
            def probe(value):
                nonlocal sent
                query = query_for(op, tree[1])
                body = body_for(op.body_example, tree[1]) if op.body_example is not None else None
                if where == "query":
                    query[name] = value if isinstance(value, str) else json.dumps(value)
                else:
                    body = {**body, name: value} if isinstance(body, dict) else body
                content = json.dumps(body).encode() if body is not None else None
                r = client.request(op.method, base + path, params=query, content=content,
                                   headers={**admin_headers, "content-type": "application/json"})
                sent += 1
                assert_problem(r, f"{label}={value!r}")

            probe()
    report(f"\n== extreme values: {len(found)} date and number inputs of the four services, {sent} requests, no 5xx")
