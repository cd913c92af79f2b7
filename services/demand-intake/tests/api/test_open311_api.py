"""The Open311 GeoReport v2 facade: every answer validated against JSON Schemas written from the
published spec (open311_schemas/), errors in Open311's format, mapped onto the same demands."""

import json
from pathlib import Path
from xml.etree.ElementTree import Element, fromstring
from urllib.parse import urlencode

import jsonschema
import pytest

SCHEMAS = Path(__file__).parent / "open311_schemas"
BASE = "/open311/v2"
FORM = {"content-type": "application/x-www-form-urlencoded"}


def valid(name: str, payload) -> None:
    schema = json.loads((SCHEMAS / f"{name}.schema.json").read_text(encoding="utf-8"))
    jsonschema.Draft202012Validator.check_schema(schema)
    jsonschema.validate(payload, schema, cls=jsonschema.Draft202012Validator)


def open311_error(response, code: int) -> list:
    assert response.status_code == code, response.text
    assert response.headers["content-type"].startswith("application/json")
    valid("errors", response.json())
    assert response.json()[0]["code"] == code
    return response.json()


def test_the_schemas_catch_what_they_should():
    with pytest.raises(jsonschema.ValidationError):
        valid("requests", [{"service_request_id": "1", "status": "pending"}])
    with pytest.raises(jsonschema.ValidationError):
        valid("errors", {"code": 400, "description": "not a list"})


async def test_discovery_services_and_definitions(client):
    discovery = await client.get(f"{BASE}/discovery.json")
    valid("discovery", discovery.json())
    services = await client.get(f"{BASE}/services.json")
    valid("services", services.json())
    codes = [s["service_code"] for s in services.json()]
    assert "elderly_care" in codes
    definition = await client.get(f"{BASE}/services/elderly_care.json")
    valid("service_definition", definition.json())
    assert {a["code"] for a in definition.json()["attributes"]} == {"urgency", "priority_household", "channel"}
    open311_error(await client.get(f"{BASE}/services/no_such_thing.json"), 404)
    open311_error(await client.get(f"{BASE}/services.yaml"), 400)


async def test_post_and_get_requests_map_onto_demands(client, axis, auth, token):
    worker = auth("grid_worker", axis["g1"])
    form = {"service_code": "elderly_care", "lat": "39.9087", "long": "116.4605", "address_id": axis["g1"],
            "address_string": "建外街道1号院3号楼", "first_name": "桂兰", "last_name": "张", "phone": "13800138000",
            "description": "独居老人需要助餐服务", "attribute[urgency]": "urgent"}
    created = await client.post(f"{BASE}/requests.json", content=urlencode(form), headers={**worker, **FORM})
    assert created.status_code == 200, created.text
    valid("post_request", created.json())
    request_id = created.json()[0]["service_request_id"]
    # The same demand on the platform API, entered as a hotline transfer for the named resident.
    demand = (await client.get(f"/api/v1/demands/{request_id}", headers=worker)).json()
    assert (demand["channel"], demand["urgency"], demand["resident"]["name"]) == ("hotline", "urgent", "张 桂兰")
    one = await client.get(f"{BASE}/requests/{request_id}.json", headers=worker)
    valid("requests", one.json())
    assert one.json()[0]["status"] == "open" and one.json()[0]["address"] == "建外街道1号院3号楼"
    assert one.json()[0]["expected_datetime"] is not None
    # Outside the owning area's staff, the address is masked and the point coarsened.
    member = await client.get(f"{BASE}/requests/{request_id}.json", headers=auth("party_member", axis["g1"]))
    valid("requests", member.json())
    assert member.json()[0]["address"] == "(hidden)" and member.json()[0]["lat"] == 39.91
    for action, body in [("accept", None), ("resolve", None), ("close", {"feedback": "satisfied"})]:
        assert (await client.post(f"/api/v1/demands/{request_id}/{action}", json=body, headers=worker)).status_code == 200
    closed = await client.get(f"{BASE}/requests.json", params={"status": "closed", "service_code": "elderly_care"},
                              headers=auth("community_worker", axis["c1"]))
    valid("requests", closed.json())
    assert [r["service_request_id"] for r in closed.json()] == [request_id]
    assert closed.json()[0]["status"] == "closed" and closed.json()[0]["expected_datetime"] is None
    still_open = await client.get(f"{BASE}/requests.json", params={"status": "open"}, headers=worker)
    assert request_id not in [r["service_request_id"] for r in still_open.json()]
    by_id = await client.get(f"{BASE}/requests.json", params={"service_request_id": request_id}, headers=worker)
    assert [r["service_request_id"] for r in by_id.json()] == [request_id]
    # A resident posts as JSON too; channel online by default.
    resident = {"Authorization": f"Bearer {token('resident', axis['g1'], subject='r-311')}"}
    mine = await client.post(f"{BASE}/requests.json", json={"service_code": "utilities", "address_id": axis["g1"],
                                                            "description": "停水两天了"}, headers=resident)
    valid("post_request", mine.json())
    assert (await client.get(f"/api/v1/demands/{mine.json()[0]['service_request_id']}", headers=worker)).json()["channel"] == "online"


@pytest.mark.parametrize("form,code", [
    ({}, 400),
    ({"service_code": "elderly_care", "description": "助餐"}, 400),                     # no location
    ({"service_code": "nope", "address_id": "X1", "description": "助餐"}, 404),
    ({"service_code": "elderly_care", "lat": "abc", "long": "1", "description": "助餐"}, 400),
    ({"service_code": "elderly_care", "lat": "39.9", "description": "助餐"}, 400),
    ({"service_code": "elderly_care", "address_id": "bad id!", "description": "助餐"}, 400),
    ({"service_code": "elderly_care", "address_id": "NOWHERE1", "description": "助餐"}, 400),
    ({"service_code": "elderly_care", "address_string": "x", "description": ""}, 400),
    ({"service_code": "elderly_care", "address_string": "x", "description": "助餐", "attribute[urgency]": "asap"}, 400),
])
async def test_bad_posts_answer_in_open311_format(client, axis, auth, form, code):
    response = await client.post(f"{BASE}/requests.json", content=urlencode(form),
                                 headers={**auth("grid_worker", axis["g1"]), **FORM})
    open311_error(response, code)


async def test_auth_scope_and_bad_queries_answer_in_open311_format(client, axis, auth):
    open311_error(await client.get(f"{BASE}/requests.json"), 401)
    open311_error(await client.post(f"{BASE}/requests.json", content=b"service_code=x", headers=FORM), 401)
    worker = auth("grid_worker", axis["g1"])
    open311_error(await client.get(f"{BASE}/requests.json", params={"status": "pending"}, headers=worker), 400)
    open311_error(await client.get(f"{BASE}/requests.json", params={"start_date": "yesterday"}, headers=worker), 400)
    open311_error(await client.get(f"{BASE}/requests/not-a-demand.json", headers=worker), 404)
    open311_error(await client.post(f"{BASE}/requests.json", content=b"[1,2]",
                                    headers={**worker, "content-type": "application/json"}), 400)
    open311_error(await client.post(f"{BASE}/requests.json", content=b"x", headers={**auth("partner", axis["d"]), **FORM}), 403)
    created = await client.post(f"{BASE}/requests.json", content=urlencode(
        {"service_code": "utilities", "address_id": axis["g1"], "description": "路灯不亮"}), headers={**worker, **FORM})
    request_id = created.json()[0]["service_request_id"]
    open311_error(await client.get(f"{BASE}/requests/{request_id}.json", headers=auth("grid_worker", axis["g3"])), 404)


# --- the same answers as XML (GeoReport v2's other format) ---------------------------------------

LISTS = {"services", "service_requests", "errors", "endpoints", "formats", "attributes", "values"}


def from_xml(element: Element):
    """The spec's XML read back into the JSON's shape (lists by their element names), scalars as text."""
    if element.tag in LISTS:
        return [from_xml(child) for child in element]
    if len(element):
        return {child.tag: from_xml(child) for child in element}
    return element.text


def as_text(value):
    if isinstance(value, dict):
        return {k: as_text(v) for k, v in value.items()}
    if isinstance(value, list):
        return [as_text(v) for v in value]
    if isinstance(value, bool):
        return "true" if value else "false"
    return None if value is None else str(value)


async def same_in_xml(client, path: str, root: str, **kw):
    as_json = await client.get(f"{BASE}/{path}.json", **kw)
    as_xml = await client.get(f"{BASE}/{path}.xml", **kw)
    assert as_xml.status_code == as_json.status_code, as_xml.text
    assert as_xml.headers["content-type"].startswith("text/xml")
    document = fromstring(as_xml.content)
    assert document.tag == root
    assert from_xml(document) == as_text(as_json.json())
    return document


async def test_every_answer_is_served_as_xml_too(client, axis, auth):
    discovery = await same_in_xml(client, "discovery", "discovery")
    assert [f.text for f in discovery.iter("format")] == ["application/json", "text/xml"]
    services = await same_in_xml(client, "services", "services")
    assert services[0].tag == "service" and services.find("service/service_code") is not None
    definition = await same_in_xml(client, "services/elderly_care", "service_definition")
    assert definition.find("attributes/attribute/values/value/key") is not None
    worker = auth("grid_worker", axis["g1"])
    form = {"service_code": "utilities", "address_id": axis["g1"], "address_string": "3号楼", "description": "楼道灯坏了",
            "lat": "39.9087", "long": "116.4605"}
    created = await client.post(f"{BASE}/requests.xml", content=urlencode(form), headers={**worker, **FORM})
    assert created.status_code == 200 and created.headers["content-type"].startswith("text/xml")
    posted = fromstring(created.content)
    assert posted.tag == "service_requests" and posted[0].tag == "request"
    request_id = posted.find("request/service_request_id").text
    one = await same_in_xml(client, f"requests/{request_id}", "service_requests", headers=worker)
    assert one.find("request/status").text == "open" and one.find("request/media_url").text is None
    # A control character XML cannot carry (a vertical tab pasted into a description) is replaced.
    odd = await client.post("/api/v1/demands", json={"channel": "hotline", "category": "utilities", "area_code": axis["g1"],
                                                     "description": "楼道灯\x0b坏了"}, headers=worker)
    odd_id = odd.json()["demand"]["id"]
    as_xml = fromstring((await client.get(f"{BASE}/requests/{odd_id}.xml", headers=worker)).content)
    assert as_xml.find("request/description").text == "楼道灯\ufffd坏了"
    await same_in_xml(client, "requests", "service_requests", params={"service_request_id": request_id}, headers=worker)


@pytest.mark.parametrize("path,code", [("services/no_such_thing", 404), ("requests", 401), ("requests/not-a-demand", 404)])
async def test_errors_follow_the_format_asked_for(client, axis, auth, path, code):
    headers = auth("grid_worker", axis["g1"]) if code == 404 and path.startswith("requests") else {}
    response = await client.get(f"{BASE}/{path}.xml", headers=headers)
    assert response.status_code == code and response.headers["content-type"].startswith("text/xml")
    errors = fromstring(response.content)
    assert errors.tag == "errors" and errors.find("error/code").text == str(code) and errors.find("error/description").text
    open311_error(await client.get(f"{BASE}/{path}.json", headers=headers), code)
