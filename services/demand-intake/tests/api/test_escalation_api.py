"""Escalation up the axis and the subdistrict's whistle: reason required, clocks never reset, the
first receiver stays accountable, dispatched units report in or go overdue."""

from datetime import timedelta

from sqlalchemy import select

from demand_helpers import assert_problem, demand_body, make_unit
from demand_intake.use_cases.deadlines import sweep_overdue
from yizhou.messaging_tables import outbox


async def events(db, demand_id, event_type):
    async with db.sessions() as session:
        return list((await session.execute(select(outbox.c.data).where(
            outbox.c.aggregate_id == demand_id, outbox.c.event_type == event_type).order_by(outbox.c.id))).scalars())


async def accepted_demand(client, axis, auth) -> str:
    grid = auth("grid_worker", axis["g1"])
    demand_id = (await client.post("/api/v1/demands", json=demand_body(axis["g1"], description="楼顶漏水涉及多个产权单位"),
                                   headers=grid)).json()["demand"]["id"]
    assert (await client.post(f"/api/v1/demands/{demand_id}/accept", headers=grid)).status_code == 200
    return demand_id


async def test_escalation_climbs_the_axis_without_touching_clocks(client, axis, auth, db):
    grid, community = auth("grid_worker", axis["g1"]), auth("community_worker", axis["c1"])
    subdistrict, district = auth("subdistrict_admin", axis["s1"]), auth("district_admin", axis["d"])
    demand_id = await accepted_demand(client, axis, auth)
    url = f"/api/v1/demands/{demand_id}"
    before = (await client.get(url, headers=grid)).json()["deadlines"]
    assert_problem(await client.post(f"{url}/escalate", json={"reason": ""}, headers=grid), 422, "validation")
    for headers, level, code in [(grid, "community", axis["c1"]), (community, "subdistrict", axis["s1"]),
                                 (subdistrict, "district", axis["d"])]:
        response = await client.post(f"{url}/escalate", json={"reason": "本级无法解决"}, headers=headers)
        assert response.status_code == 200, response.text
        assert (response.json()["handling_level"], response.json()["handling_area_code"]) == (level, code)
        assert response.json()["accountable_area_code"] == axis["g1"]
    assert_problem(await client.post(f"{url}/escalate", json={"reason": "还是不行"}, headers=district), 422, "demand-rule")
    # The grid still sees it but no longer works it; the district does.
    assert (await client.get(url, headers=grid)).status_code == 200
    assert_problem(await client.post(f"{url}/assign", json={"assignee": "x"}, headers=grid), 403, "out-of-scope")
    assert (await client.post(f"{url}/assign", json={"assignee": "区住建委"}, headers=district)).status_code == 200
    after = (await client.get(url, headers=grid)).json()["deadlines"]
    assert [(d["kind"], d["due_at"], d["budget_hours"]) for d in after] == [(d["kind"], d["due_at"], d["budget_hours"]) for d in before]
    escalated = await events(db, demand_id, "demand.escalated")
    assert [(e["from_area_code"], e["to_area_code"], e["to_level"]) for e in escalated] == [
        (axis["g1"], axis["c1"], "community"), (axis["c1"], axis["s1"], "subdistrict"), (axis["s1"], axis["d"], "district")]


async def test_the_whistle_dispatches_and_units_report_in_or_go_overdue(client, axis, auth, db, clock):
    community, subdistrict = auth("community_worker", axis["c1"]), auth("subdistrict_admin", axis["s1"])
    housing = await make_unit(db, axis["d"], "区住建委")                      # a district department (agency)
    heating = await make_unit(db, axis["s1"], "北京热力集团", kind="state_owned_enterprise")
    demand_id = await accepted_demand(client, axis, auth)
    url = f"/api/v1/demands/{demand_id}"
    whistle = {"receivers": [{"unit_id": housing}, {"unit_id": heating}], "report_in_hours": 12}
    assert_problem(await client.post(f"{url}/dispatch", json=whistle, headers=community), 403, "forbidden")
    # Still handled at the grid: the subdistrict escalates it up first.
    assert_problem(await client.post(f"{url}/dispatch", json=whistle, headers=subdistrict), 422, "demand-rule")
    for headers in (auth("grid_worker", axis["g1"]), community):
        assert (await client.post(f"{url}/escalate", json={"reason": "需要街道协调"}, headers=headers)).status_code == 200
    assert_problem(await client.post(f"{url}/dispatch", json={"receivers": []}, headers=subdistrict), 422, "validation")
    dispatched = await client.post(f"{url}/dispatch", json=whistle, headers=subdistrict)
    assert dispatched.status_code == 201, dispatched.text
    first, second = dispatched.json()
    assert [(d["receiver"], d["receiver_kind"], d["receiver_unit_id"]) for d in (first, second)] == [
        ("区住建委", "department", housing), ("北京热力集团", "unit", heating)]
    clock.advance(timedelta(hours=2))
    reported = await client.post(f"{url}/dispatches/{first['id']}/report-in", json={"note": "已到现场"}, headers=subdistrict)
    assert reported.status_code == 200 and reported.json()["reported_in_at"]
    assert_problem(await client.post(f"{url}/dispatches/{first['id']}/report-in", headers=subdistrict), 422, "demand-rule")
    assert_problem(await client.post(f"{url}/dispatches/unknown/report-in", headers=subdistrict), 404, "not-found")
    clock.advance(timedelta(hours=11))
    await sweep_overdue(db, clock)
    overdue = [e for e in await events(db, demand_id, "demand.overdue") if e["deadline"] == "report_in"]
    assert [e["dispatch_id"] for e in overdue] == [second["id"]]
    assert overdue[0]["accountable_area_code"] == axis["g1"]
    (event,) = await events(db, demand_id, "demand.dispatched")
    assert event["receivers"] == ["区住建委", "北京热力集团"] and event["accountable_area_code"] == axis["g1"]
    (reported_event,) = await events(db, demand_id, "demand.reported_in")
    assert reported_event["on_time"] is True and reported_event["receiver"] == "区住建委"
    detail = (await client.get(url, headers=subdistrict)).json()
    assert detail["first_receiver"] == f"grid_worker@{axis['g1']}" and len(detail["dispatches"]) == 2
    assert detail["breached"] == ["report_in"]


async def escalated_to_subdistrict(client, axis, auth) -> str:
    demand_id = await accepted_demand(client, axis, auth)
    for headers in (auth("grid_worker", axis["g1"]), auth("community_worker", axis["c1"])):
        response = await client.post(f"/api/v1/demands/{demand_id}/escalate", json={"reason": "需要街道协调"}, headers=headers)
        assert response.status_code == 200, response.text
    return demand_id


async def test_receivers_are_registered_units_of_the_whistlers_area_or_above(client, axis, auth, db):
    subdistrict = auth("subdistrict_admin", axis["s1"])
    demand_id = await escalated_to_subdistrict(client, axis, auth)
    url = f"/api/v1/demands/{demand_id}/dispatch"
    elsewhere = await make_unit(db, axis["s2"], "另一街道的物业公司", kind="non_public_enterprise")
    for receivers in ([{"receiver": "区住建委", "kind": "department"}], [{"unit_id": "bad id"}]):  # free text is no receiver
        assert_problem(await client.post(url, json={"receivers": receivers}, headers=subdistrict), 422, "validation")
    for unit_id in ("u-never-registered", elsewhere):   # another subdistrict's unit answers as an unknown one
        body = assert_problem(await client.post(url, json={"receivers": [{"unit_id": unit_id}]}, headers=subdistrict),
                              422, "unknown-reference")
        assert body["errors"][0]["field"] == "receivers.0.unit_id"
    housing = await make_unit(db, axis["d"], "区住建委")
    twice = {"receivers": [{"unit_id": housing}, {"unit_id": housing, "receiver": "区住房和城乡建设委员会"}]}
    assert_problem(await client.post(url, json=twice, headers=subdistrict), 422, "demand-rule")
    named = await client.post(url, json={"receivers": [{"unit_id": housing, "receiver": "区住房和城乡建设委员会",
                                                          "kind": "unit"}]}, headers=subdistrict)
    assert named.status_code == 201, named.text
    assert [(d["receiver"], d["receiver_kind"]) for d in named.json()] == [("区住房和城乡建设委员会", "unit")]


async def test_only_the_receiver_itself_reports_in(client, axis, auth, token, db):
    subdistrict = auth("subdistrict_admin", axis["s1"])
    housing = await make_unit(db, axis["d"], "区住建委")
    heating = await make_unit(db, axis["s1"], "北京热力集团", kind="state_owned_enterprise")
    demand_id = await escalated_to_subdistrict(client, axis, auth)
    url = f"/api/v1/demands/{demand_id}"
    dispatched = await client.post(f"{url}/dispatch", json={"receivers": [{"unit_id": housing}, {"unit_id": heating}]},
                                   headers=subdistrict)
    to_housing, to_heating = dispatched.json()

    def partner(subject: str | None, area: str) -> dict:
        return {"Authorization": f"Bearer {token('partner', area, **({'subject': subject} if subject else {}))}"}

    # Any partner of the area, and the other receiver, learn nothing of the dispatch and cannot report in for it.
    for headers in (partner(None, axis["d"]), partner(heating, axis["s1"])):
        assert_problem(await client.post(f"{url}/dispatches/{to_housing['id']}/report-in", headers=headers), 404, "not-found")
    assert_problem(await client.post(f"{url}/dispatches/unknown/report-in", headers=partner(housing, axis["d"])),
                   404, "not-found")
    for receiver, dispatch in ((housing, to_housing), (heating, to_heating)):
        reported = await client.post(f"{url}/dispatches/{dispatch['id']}/report-in", json={"note": "已到现场"},
                                     headers=partner(receiver, axis["d"] if receiver == housing else axis["s1"]))
        assert reported.status_code == 200, reported.text
        assert reported.json()["reported_in_at"] and reported.json()["receiver_unit_id"] == receiver
    history = (await client.get(url, headers=subdistrict)).json()["history"]
    assert [(h["actor_role"], h["note"]) for h in history if h["action"] == "report_in"] == [
        ("partner", "区住建委 reported in"), ("partner", "北京热力集团 reported in")]


async def test_the_community_keeps_its_demand_after_escalating_and_records_the_residents_word(client, axis, auth):
    grid, community = auth("grid_worker", axis["g1"]), auth("community_worker", axis["c1"])
    subdistrict = auth("subdistrict_admin", axis["s1"])
    demand_id = await escalated_to_subdistrict(client, axis, auth)
    url = f"/api/v1/demands/{demand_id}"
    assert (await client.get(url, headers=community)).status_code == 200
    # Working it is the subdistrict's now; another community's staff do not even see it.
    assert_problem(await client.post(f"{url}/resolve", headers=community), 403, "out-of-scope")
    assert_problem(await client.post(f"{url}/close", json={"feedback": "satisfied"},
                                     headers=auth("community_worker", axis["c2"])), 404, "not-found")
    assert (await client.post(f"{url}/resolve", headers=subdistrict)).status_code == 200
    # The resident calls the community back: not fixed (reopen), then fixed (feedback closes it).
    reopened = await client.post(f"{url}/reopen", json={"note": "居民回电：仍漏水"}, headers=community)
    assert reopened.status_code == 200 and reopened.json()["state"] == "reopened", reopened.text
    assert (await client.post(f"{url}/resolve", headers=subdistrict)).status_code == 200
    closed = await client.post(f"{url}/close", json={"feedback": "satisfied"}, headers=grid)
    assert closed.status_code == 200 and closed.json()["state"] == "closed", closed.text
    assert closed.json()["feedback"] == "satisfied"
