"""Intake from every channel over HTTP: bodies, places, residents, masking per role, Idempotency-Key."""

import asyncio

import pytest
from sqlalchemy import select

from demand_helpers import assert_problem, demand_body
from yizhou.messaging_tables import outbox
from yizhou.personal_data import find_personal_data

CHANNELS = ["walk_around", "must_visit", "online", "hotline", "reception_room", "hearing_board", "deliberation_meeting"]


@pytest.mark.parametrize("channel", CHANNELS)
async def test_every_channel_is_taken_in_by_staff_for_a_resident(client, axis, auth, channel):
    worker = auth("grid_worker", axis["g1"])
    response = await client.post("/api/v1/demands", json=demand_body(axis["g1"], channel=channel), headers=worker)
    assert response.status_code == 201, response.text
    demand = response.json()["demand"]
    assert demand["channel"] == channel and demand["state"] == "submitted"
    assert demand["entered_by"] == f"grid_worker@{axis['g1']}" and demand["entered_on_behalf"] is True
    assert demand["place"] == {"area_code": axis["g1"], "area_path": f"/{axis['d']}/{axis['s1']}/{axis['c1']}/{axis['g1']}/",
                               "latitude": 39.9087, "longitude": 116.4605, "address": "建外街道1号院3号楼2单元"}
    assert demand["resident"] == {"name": "张桂兰", "phone": "13800138000", "anonymous": False}
    assert demand["allowed_next_states"] == ["accepted", "merged", "rejected", "withdrawn"]
    assert response.headers["location"] == f"/api/v1/demands/{demand['id']}"


async def test_residents_submit_online_for_themselves_and_anonymous_works(client, axis, token):
    resident = {"Authorization": f"Bearer {token('resident', axis['g1'], subject='resident-42')}"}
    body = demand_body(axis["g1"], channel="online", resident=None, latitude=None, longitude=None, address=None)
    response = await client.post("/api/v1/demands", json=body, headers=resident)
    assert response.status_code == 201, response.text
    demand = response.json()["demand"]
    assert demand["resident"]["anonymous"] is True and demand["entered_on_behalf"] is False
    # A resident does not enter a walk-around visit.
    assert_problem(await client.post("/api/v1/demands", json=demand_body(axis["g1"]), headers=resident), 422, "demand-rule")
    mine = (await client.get("/api/v1/demands", params={"mine": "true"}, headers=resident)).json()
    assert [d["id"] for d in mine["items"]] == [demand["id"]]


async def test_personal_data_is_masked_outside_the_owning_area_and_for_non_staff(client, axis, auth):
    text = "楼道灯坏了，请联系13912345678"
    created = (await client.post("/api/v1/demands", json=demand_body(axis["g1"], description=text),
                                 headers=auth("community_worker", axis["c1"]))).json()["demand"]
    url = f"/api/v1/demands/{created['id']}"
    for role, area in [("district_admin", axis["d"]), ("subdistrict_admin", axis["s1"]), ("grid_worker", axis["g1"])]:
        seen = (await client.get(url, headers=auth(role, area))).json()
        assert seen["personal_data_masked"] is False and seen["resident"]["phone"] == "13800138000", role
    for role, area in [("party_member", axis["g1"]), ("party_member", axis["c1"])]:
        seen = (await client.get(url, headers=auth(role, area))).json()
        assert seen["personal_data_masked"] is True, role
        assert seen["resident"] == {"name": "张**", "phone": "138****8000", "anonymous": False}
        assert seen["place"]["address"] == "(hidden)" and seen["place"]["latitude"] == 39.91
        assert "13912345678" not in seen["description"] and "****" in seen["description"]
    # A resident other than its own does not see it at all; nor does another grid's worker.
    assert_problem(await client.get(url, headers=auth("resident", axis["g1"])), 404, "not-found")
    assert_problem(await client.get(url, headers=auth("resident", axis["c1"])), 404, "not-found")
    assert_problem(await client.get(url, headers=auth("grid_worker", axis["g2"])), 404, "not-found")
    assert_problem(await client.get(url, headers=auth("subdistrict_admin", axis["s2"])), 404, "not-found")


async def test_events_carry_no_personal_data(client, axis, auth, db):
    created = (await client.post("/api/v1/demands", json=demand_body(axis["g1"]),
                                 headers=auth("grid_worker", axis["g1"]))).json()["demand"]
    async with db.sessions() as session:
        rows = (await session.execute(select(outbox.c.topic, outbox.c.event_type, outbox.c.data)
                                      .where(outbox.c.aggregate_id == created["id"]))).all()
    assert {(r.topic, r.event_type) for r in rows} == {("yizhou.demands.v1", "demand.submitted"),
                                                       ("yizhou.partner.demands.v1", "partner.demand.changed")}
    for row in rows:
        assert find_personal_data(row.data) == [], row
        flat = str(row.data)
        assert "张桂兰" not in flat and "建外街道1号院" not in flat and "116.46" not in flat
    internal = next(r.data for r in rows if r.topic == "yizhou.demands.v1")
    assert internal["priority_household"] == "elderly_alone" and internal["channel"] == "walk_around"
    assert {"demand_id", "area_code", "area_path", "category", "state", "occurred_at", "urgency"} <= set(internal)


async def test_idempotency_key_replays_and_refuses_another_body(client, axis, auth, db):
    worker = {**auth("grid_worker", axis["g1"]), "Idempotency-Key": f"k-{axis['d']}"}
    first = await client.post("/api/v1/demands", json=demand_body(axis["g1"]), headers=worker)
    again = await client.post("/api/v1/demands", json=demand_body(axis["g1"]), headers=worker)
    assert first.status_code == again.status_code == 201
    assert first.json() == again.json()
    other = await client.post("/api/v1/demands", json=demand_body(axis["g1"], description="另一件事情"), headers=worker)
    assert_problem(other, 422, "idempotency-key-reused")
    listed = (await client.get("/api/v1/demands", params={"area_code": axis["g1"]}, headers=worker)).json()
    assert len(listed["items"]) == 1


async def test_concurrent_duplicates_make_one_demand_and_no_500(client, axis, auth):
    worker = {**auth("grid_worker", axis["g2"]), "Idempotency-Key": f"race-{axis['d']}"}
    responses = await asyncio.gather(*(client.post("/api/v1/demands", json=demand_body(axis["g2"]), headers=worker)
                                       for _ in range(6)))
    assert all(r.status_code < 500 for r in responses), [r.text for r in responses]
    ids = {r.json()["demand"]["id"] for r in responses if r.status_code == 201}
    assert len(ids) == 1
    listed = (await client.get("/api/v1/demands", params={"area_code": axis["g2"]}, headers=worker)).json()
    assert len(listed["items"]) == 1


@pytest.mark.parametrize("patch", [
    {"channel": "carrier_pigeon"}, {"category": "Not A Code"}, {"urgency": "whenever"}, {"description": ""},
    {"area_code": "bad code!"}, {"latitude": 95, "longitude": 116}, {"latitude": 39.9, "longitude": None},
    {"resident": {"name": "张三", "anonymous": True}}, {"resident": {"phone": "call me"}}, {"extra": 1},
    {"priority_household": "rich"}, {"description": "x" * 4001},
])
async def test_bad_bodies_are_422_with_field_errors(client, axis, auth, patch):
    body = assert_problem(await client.post("/api/v1/demands", json=demand_body(axis["g1"], **patch),
                                            headers=auth("grid_worker", axis["g1"])), 422, "validation")
    assert body["errors"]


async def test_unknown_retired_or_foreign_area_and_roles(client, axis, auth):
    worker = auth("grid_worker", axis["g1"])
    assert_problem(await client.post("/api/v1/demands", json=demand_body("NOSUCHAREA"), headers=worker), 422, "unknown-reference")
    unknown = assert_problem(await client.post("/api/v1/demands", json=demand_body(axis["g1"], category="space_travel"),
                                               headers=worker), 422, "unknown-reference")
    assert unknown["errors"][0]["field"] == "category"
    assert_problem(await client.post("/api/v1/demands", json=demand_body(axis["g2"]), headers=worker), 422, "unknown-reference")
    assert_problem(await client.post("/api/v1/demands", json=demand_body(axis["g1"]), headers=auth("partner", axis["d"])),
                   403, "forbidden")
    assert_problem(await client.post("/api/v1/demands", json=demand_body(axis["g1"])), 401, "unauthenticated")
    assert_problem(await client.post("/api/v1/demands", content=b"{oops", headers={**worker, "content-type": "application/json"}),
                   400, "malformed-request")


async def test_list_filters_scope_and_keyset_pages(client, axis, auth, clock):
    from datetime import timedelta

    admin = auth("district_admin", axis["d"])
    for i, (area, category) in enumerate([(axis["g1"], "elderly_care"), (axis["g2"], "utilities"), (axis["g3"], "utilities"),
                                          (axis["g1"], "sanitation"), (axis["g3"], "elderly_care")]):
        clock.advance(timedelta(minutes=1))
        assert (await client.post("/api/v1/demands", json=demand_body(area, category=category, description=f"事项{i}号"),
                                  headers=admin)).status_code == 201
    everything = (await client.get("/api/v1/demands", params={"under": axis["d"]}, headers=admin)).json()["items"]
    assert len(everything) == 5
    assert [d["submitted_at"] for d in everything] == sorted((d["submitted_at"] for d in everything), reverse=True)
    first = (await client.get("/api/v1/demands", params={"under": axis["d"], "limit": 2}, headers=admin)).json()
    second = (await client.get("/api/v1/demands", params={"under": axis["d"], "limit": 2, "after": first["next_cursor"]},
                               headers=admin)).json()
    third = (await client.get("/api/v1/demands", params={"under": axis["d"], "limit": 2, "after": second["next_cursor"]},
                              headers=admin)).json()
    assert [d["id"] for d in first["items"] + second["items"] + third["items"]] == [d["id"] for d in everything]
    assert third["next_cursor"] is None
    utilities = (await client.get("/api/v1/demands", params={"under": axis["d"], "category": "utilities"}, headers=admin)).json()
    assert len(utilities["items"]) == 2
    north = (await client.get("/api/v1/demands", headers=auth("subdistrict_admin", axis["s1"]))).json()
    assert {d["place"]["area_code"] for d in north["items"]} == {axis["g1"], axis["g2"]}
    assert_problem(await client.get("/api/v1/demands", params={"under": axis["s2"]}, headers=auth("subdistrict_admin", axis["s1"])),
                   404, "not-found")
    assert_problem(await client.get("/api/v1/demands", params={"after": "garbage"}, headers=admin), 400, "bad-cursor")
    assert_problem(await client.get("/api/v1/demands", params={"state": "nope"}, headers=admin), 422, "validation")
