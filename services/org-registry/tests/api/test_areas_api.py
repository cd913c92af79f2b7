"""The area API over HTTP, on a real database and broker, including bad input and scoping."""

import pytest

from org_registry.app import create_app
from org_registry.settings import Settings
from yizhou_platform.testing import serve

PROBLEM = "application/problem+json"


@pytest.fixture(scope="module")
async def client(make_settings):
    async with serve(create_app(make_settings(Settings))) as client:
        yield client


@pytest.fixture
async def district(client, auth, unique_code):
    """A fresh district with two subdistricts, a community and a grid, made through the API."""
    d = unique_code("D")
    admin = auth("district_admin", d)
    tree = [
        {"code": d, "name": "Test District", "level": "district"},
        {"code": f"{d}S1", "name": "North", "level": "subdistrict", "parent_code": d},
        {"code": f"{d}S2", "name": "South", "level": "subdistrict", "parent_code": d},
        {"code": f"{d}C1", "name": "Elm Community", "level": "community", "parent_code": f"{d}S1"},
        {"code": f"{d}G1", "name": "Elm Grid 1", "level": "grid", "parent_code": f"{d}C1"},
    ]
    for area in tree:
        response = await client.post("/api/v1/areas", json=area, headers=admin)
        assert response.status_code == 201, response.text
    return {"code": d, "admin": admin, "s1": f"{d}S1", "s2": f"{d}S2", "c1": f"{d}C1", "g1": f"{d}G1"}


def assert_problem(response, status: int, slug: str):
    assert response.status_code == status, response.text
    assert response.headers["content-type"].startswith(PROBLEM)
    body = response.json()
    assert body["type"] == f"urn:yizhou:problem:{slug}", body
    assert body["status"] == status and body["detail"]
    return body


async def test_create_and_read_the_tree(client, district):
    d, admin = district["code"], district["admin"]
    response = await client.get(f"/api/v1/areas/{district['g1']}", headers=admin)
    assert response.json()["path"] == f"/{d}/{d}S1/{d}C1/{d}G1/"
    children = (await client.get(f"/api/v1/areas/{d}/children", headers=admin)).json()
    assert [a["code"] for a in children["items"]] == [f"{d}S1", f"{d}S2"]
    ancestors = (await client.get(f"/api/v1/areas/{district['g1']}/ancestors", headers=admin)).json()
    assert [a["code"] for a in ancestors] == [d, f"{d}S1", f"{d}C1"]
    subtree = (await client.get("/api/v1/areas", params={"under": f"{d}S1"}, headers=admin)).json()
    assert [a["code"] for a in subtree["items"]] == [f"{d}S1", f"{d}C1", f"{d}G1"]


async def test_pages_follow_the_cursor(client, district):
    admin, d = district["admin"], district["code"]
    first = (await client.get("/api/v1/areas", params={"limit": 2}, headers=admin)).json()
    assert len(first["items"]) == 2 and first["next_cursor"]
    rest = (await client.get("/api/v1/areas", params={"limit": 10, "after": first["next_cursor"]}, headers=admin)).json()
    assert rest["next_cursor"] is None
    codes = [a["code"] for a in first["items"] + rest["items"]]
    assert sorted(codes) == sorted([d, f"{d}S1", f"{d}S2", f"{d}C1", f"{d}G1"])


async def test_unknown_parent_is_422(client, district):
    body = {"code": district["code"] + "X", "name": "X", "level": "community", "parent_code": "NOPE123"}
    assert_problem(await client.post("/api/v1/areas", json=body, headers=district["admin"]), 422, "unknown-reference")


async def test_wrong_level_is_422(client, district):
    body = {"code": district["code"] + "X", "name": "X", "level": "grid", "parent_code": district["s1"]}
    assert_problem(await client.post("/api/v1/areas", json=body, headers=district["admin"]), 422, "wrong-level")


async def test_duplicate_code_is_409(client, district):
    body = {"code": district["c1"], "name": "Again", "level": "community", "parent_code": district["s2"]}
    assert_problem(await client.post("/api/v1/areas", json=body, headers=district["admin"]), 409, "duplicate")


@pytest.mark.parametrize("body", [
    {"name": "no code", "level": "grid"},
    {"code": "bad code!", "name": "x", "level": "grid", "parent_code": "A"},
    {"code": "OK1", "name": "", "level": "grid", "parent_code": "A"},
    {"code": "OK1", "name": "x", "level": "galaxy", "parent_code": "A"},
    {"code": "OK1", "name": "x" * 201, "level": "grid", "parent_code": "A"},
    {"code": "OK1", "name": "x", "level": "grid", "parent_code": "A", "extra": 1},
    {"code": 12, "name": ["x"], "level": None},
])
async def test_malformed_bodies_are_422_with_field_errors(client, district, body):
    problem = assert_problem(await client.post("/api/v1/areas", json=body, headers=district["admin"]), 422, "validation")
    assert problem["errors"] and all("field" in e and "message" in e for e in problem["errors"])


async def test_unreadable_json_is_400(client, district):
    response = await client.post("/api/v1/areas", content=b"{not json", headers={**district["admin"], "content-type": "application/json"})
    assert_problem(response, 400, "malformed-request")


async def test_oversized_body_is_413(client, district):
    response = await client.post("/api/v1/areas", content=b"x" * (2 << 20), headers={**district["admin"], "content-type": "application/json"})
    assert_problem(response, 413, "payload-too-large")


async def test_move_rewrites_the_subtree_and_refuses_cycles(client, district):
    admin = district["admin"]
    assert_problem(await client.post(f"/api/v1/areas/{district['s1']}/move", json={"new_parent_code": district["g1"]}, headers=admin), 422, "move-cycle")
    assert_problem(await client.post(f"/api/v1/areas/{district['c1']}/move", json={"new_parent_code": district["c1"]}, headers=admin), 422, "move-cycle")
    moved = await client.post(f"/api/v1/areas/{district['c1']}/move", json={"new_parent_code": district["s2"]}, headers=admin)
    assert moved.status_code == 200, moved.text
    grid = (await client.get(f"/api/v1/areas/{district['g1']}", headers=admin)).json()
    assert grid["path"] == f"/{district['code']}/{district['s2']}/{district['c1']}/{district['g1']}/"


async def test_rename_and_retire_with_their_conflicts(client, district):
    admin = district["admin"]
    renamed = await client.patch(f"/api/v1/areas/{district['g1']}", json={"name": "Elm Grid One"}, headers=admin)
    assert renamed.json()["name"] == "Elm Grid One"
    assert_problem(await client.post(f"/api/v1/areas/{district['c1']}/retire", headers=admin), 409, "has-active-children")
    assert (await client.post(f"/api/v1/areas/{district['g1']}/retire", headers=admin)).json()["retired"] is True
    assert_problem(await client.post(f"/api/v1/areas/{district['g1']}/retire", headers=admin), 409, "area-retired")
    assert_problem(await client.patch(f"/api/v1/areas/{district['g1']}", json={"name": "Zombie"}, headers=admin), 409, "area-retired")
    body = {"code": district["code"] + "G9", "name": "x", "level": "grid", "parent_code": district["g1"]}
    assert_problem(await client.post("/api/v1/areas", json=body, headers=admin), 422, "wrong-level")
    listed = (await client.get("/api/v1/areas", params={"under": district["c1"]}, headers=admin)).json()
    assert district["g1"] not in [a["code"] for a in listed["items"]]


async def test_subdistrict_caller_cannot_read_or_change_another_subdistrict(client, district, auth):
    north = auth("subdistrict_admin", district["s1"])
    assert_problem(await client.get(f"/api/v1/areas/{district['s2']}", headers=north), 404, "not-found")
    assert_problem(await client.patch(f"/api/v1/areas/{district['s2']}", json={"name": "Mine now"}, headers=north), 404, "not-found")
    body = {"code": district["code"] + "C9", "name": "Sneaky", "level": "community", "parent_code": district["s2"]}
    assert_problem(await client.post("/api/v1/areas", json=body, headers=north), 422, "unknown-reference")
    listed = (await client.get("/api/v1/areas", headers=north)).json()
    assert {a["code"] for a in listed["items"]} == {district["s1"], district["c1"], district["g1"]}
    # Its own area is changed from the level above, not by itself.
    assert_problem(await client.patch(f"/api/v1/areas/{district['s1']}", json={"name": "Renamed"}, headers=north), 403, "out-of-scope")
    # Inside its subtree it may edit.
    ok = await client.patch(f"/api/v1/areas/{district['c1']}", json={"name": "Elm Street Community"}, headers=north)
    assert ok.status_code == 200, ok.text


async def test_non_editor_roles_cannot_change_the_axis(client, district, auth):
    worker = auth("community_worker", district["c1"])
    assert (await client.get(f"/api/v1/areas/{district['g1']}", headers=worker)).status_code == 200
    assert_problem(await client.patch(f"/api/v1/areas/{district['g1']}", json={"name": "x"}, headers=worker), 403, "forbidden")


async def test_tokens_are_required_and_checked(client, district, token):
    assert_problem(await client.get("/api/v1/areas"), 401, "unauthenticated")
    assert_problem(await client.get("/api/v1/areas", headers={"Authorization": "Bearer nonsense"}), 401, "unauthenticated")
    expired = token("district_admin", district["code"], ttl_s=-10)
    assert_problem(await client.get("/api/v1/areas", headers={"Authorization": f"Bearer {expired}"}), 401, "unauthenticated")
    from yizhou.auth import mint_token
    forged = mint_token("another-secret-of-sufficient-length-000", role="district_admin", area=district["code"])
    assert_problem(await client.get("/api/v1/areas", headers={"Authorization": f"Bearer {forged}"}), 401, "unauthenticated")
    stranger = token("district_admin", "NOWHERE")
    assert_problem(await client.get("/api/v1/areas", headers={"Authorization": f"Bearer {stranger}"}), 403, "out-of-scope")


async def test_only_the_district_admin_of_that_district_creates_it(client, auth, unique_code):
    code = unique_code("D")
    body = {"code": code, "name": "New District", "level": "district"}
    assert_problem(await client.post("/api/v1/areas", json=body, headers=auth("subdistrict_admin", code)), 403, "forbidden")
    assert_problem(await client.post("/api/v1/areas", json=body, headers=auth("district_admin", "OTHER")), 403, "forbidden")
    with_parent = {**body, "parent_code": "X"}
    assert_problem(await client.post("/api/v1/areas", json=with_parent, headers=auth("district_admin", code)), 422, "wrong-level")


async def test_every_change_is_in_the_outbox_in_order(client, district):
    from sqlalchemy import select

    from yizhou.axis_events import AREAS_TOPIC
    from yizhou.messaging_tables import outbox

    db = client.app_state.db
    async with db.sessions() as session:
        rows = (await session.execute(select(outbox.c.event_type, outbox.c.subject, outbox.c.aggregate_id)
                                      .where(outbox.c.aggregate_id == district["code"], outbox.c.topic == AREAS_TOPIC)
                                      .order_by(outbox.c.id))).all()
        partner = (await session.execute(select(outbox.c.data).where(
            outbox.c.aggregate_id == district["code"], outbox.c.topic == "yizhou.partner.areas.v1"))).scalars().all()
    assert sorted(p["area_code"] for p in partner) == sorted(r.subject for r in rows)  # each with its partner view
    assert [(r.event_type, r.subject) for r in rows] == [
        ("area.created", district["code"]), ("area.created", district["s1"]), ("area.created", district["s2"]),
        ("area.created", district["c1"]), ("area.created", district["g1"])]


async def test_health_readiness_and_metrics(client):
    assert (await client.get("/healthz")).json()["status"] == "ok"
    ready = await client.get("/readyz")
    assert ready.status_code == 200, ready.text
    metrics = await client.get("/metrics")
    assert "http_requests_total" in metrics.text


async def test_unknown_route_is_problem_json(client):
    assert_problem(await client.get("/api/v1/nothing-here"), 404, "not-found")
