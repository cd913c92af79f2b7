"""No input a client can send yields a 500: every field of the intake body and of the action bodies
replaced by hostile values, and hostile query strings; each answer is a 4xx problem or a success."""

import pytest

from demand_helpers import demand_body

HOSTILE = [None, 0, -1, 1e308, float("-1e308"), "", " ", "x" * 5000, [], {}, True, "\u0000", "🙂" * 300,
           "2026-13-45T99:99:99", "../../etc/passwd", {"$ne": 1}, ["a", {"b": None}]]
FIELDS = ["channel", "category", "urgency", "description", "area_code", "latitude", "longitude", "address", "resident",
          "priority_household"]


async def test_hostile_intake_bodies_never_500(client, axis, auth):
    worker = auth("grid_worker", axis["g1"])
    statuses = set()
    for field in FIELDS:
        for value in HOSTILE:
            response = await client.post("/api/v1/demands", json=demand_body(axis["g1"], **{field: value}), headers=worker)
            assert response.status_code < 500, (field, value, response.text)
            statuses.add(response.status_code)
    for raw in (b"", b"null", b"[]", b"\xff\xfe", b'{"channel": "online"' * 3, b"1" * 10000):
        response = await client.post("/api/v1/demands", content=raw, headers={**worker, "content-type": "application/json"})
        assert 400 <= response.status_code < 500, (raw[:20], response.text)
    assert statuses >= {201, 422}


async def test_nul_characters_are_refused_at_the_edge(client, axis, auth):
    worker = auth("grid_worker", axis["g1"])
    for response in [await client.post("/api/v1/demands", json=demand_body(axis["g1"], description="a\u0000b"), headers=worker),
                     await client.get("/api/v1/demands", params={"category": "a\x00b"}, headers=worker),
                     await client.get("/api/v1/demands/%00", headers=worker)]:
        assert response.status_code == 400, response.text
        assert response.json()["type"] == "urn:yizhou:problem:malformed-request"
    open311 = await client.post("/open311/v2/requests.json", content=b"service_code=utilities&description=a%00b",
                                headers={**worker, "content-type": "application/x-www-form-urlencoded"})
    assert open311.status_code == 400 and open311.json()[0]["code"] == 400
    as_xml = await client.post("/open311/v2/requests.xml", content=b"service_code=utilities&description=a%00b",
                               headers={**worker, "content-type": "application/x-www-form-urlencoded"})
    assert as_xml.status_code == 400 and as_xml.headers["content-type"].startswith("text/xml")
    assert b"<errors><error><code>400</code>" in as_xml.content


@pytest.mark.parametrize("action", ["accept", "reject", "assign", "start", "resolve", "close", "feedback", "reopen",
                                    "withdraw", "escalate", "dispatch", "merge", "me-too"])
async def test_hostile_action_bodies_never_500(client, axis, auth, action):
    worker = auth("community_worker", axis["c1"])
    demand_id = (await client.post("/api/v1/demands", json=demand_body(axis["g1"]), headers=worker)).json()["demand"]["id"]
    for body in HOSTILE + [{"note": v} for v in HOSTILE] + [{"assignee": v, "reason": v, "feedback": v,
                                                             "into_demand_id": v, "receivers": v} for v in HOSTILE]:
        for target in (demand_id, "x" * 37, "%00"):
            response = await client.post(f"/api/v1/demands/{target}/{action}", json=body, headers=worker)
            assert response.status_code < 500, (action, body, response.text)


@pytest.mark.parametrize("path", ["/api/v1/demands", "/api/v1/rates", "/api/v1/backlog", "/api/v1/overdue",
                                  "/api/v1/meetings", "/open311/v2/requests.json"])
async def test_hostile_queries_never_500(client, axis, auth, path):
    admin = auth("district_admin", axis["d"])
    for params in ({"after": "2026-01-01T00:00:00|"}, {"after": "x|y|z"}, {"limit": "0"}, {"limit": "99999"},
                   {"period": "9999-Q9"}, {"period": "2026"}, {"area_code": "../x"}, {"state": "nonsense"},
                   {"from": "2026-01-01T00:00:00"}, {"start_date": "2026-01-01"}, {"status": "open,closed"},
                   {"service_request_id": ",,,"}, {"under": "NOWHERE"}, {"assignee": "x" * 300}):
        response = await client.get(path, params=params, headers=admin)
        assert response.status_code < 500, (path, params, response.text)
