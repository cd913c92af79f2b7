"""Deliberation meetings: agenda from demands, attendees and minutes before closing, decisions that
resolve demands or request a project, and the `meeting.closed` event."""

from sqlalchemy import select

from demand_helpers import assert_problem, demand_body
from yizhou.messaging_tables import outbox
from yizhou.personal_data import find_personal_data


async def test_a_meeting_decides_on_its_agenda(client, axis, auth, db):
    worker = auth("community_worker", axis["c1"])
    ids = []
    for text in ("小区停车难，消防通道被占", "停车位不足，晚上无处停车", "楼道堆物"):
        ids.append((await client.post("/api/v1/demands", json=demand_body(axis["g1"], channel="hearing_board",
                                                                           category="public_space", description=text),
                                      headers=worker)).json()["demand"]["id"])
    parking, parking2, clutter = ids
    for demand_id in (parking, clutter):
        assert (await client.post(f"/api/v1/demands/{demand_id}/accept", headers=worker)).status_code == 200
    meeting = await client.post("/api/v1/meetings", json={"area_code": axis["c1"], "title": "共商共治议事会",
                                                          "scheduled_at": "2026-01-20T06:00:00Z"}, headers=worker)
    assert meeting.status_code == 201, meeting.text
    url = f"/api/v1/meetings/{meeting.json()['id']}"
    for demand_id in ids:
        assert (await client.post(f"{url}/agenda", json={"demand_id": demand_id}, headers=worker)).status_code == 200
    outside = (await client.post("/api/v1/demands", json=demand_body(axis["g3"]), headers=auth("district_admin", axis["d"]))).json()
    assert_problem(await client.post(f"{url}/agenda", json={"demand_id": outside["demand"]["id"]}, headers=worker), 404, "not-found")
    decisions = {"decisions": [
        {"kind": "resolve_demand", "demand_ids": [clutter], "category": "public_space", "summary": "物业三日内清理"},
        {"kind": "request_project", "demand_ids": [parking, parking2], "category": "public_space", "summary": "申请立项改造停车场"}]}
    assert_problem(await client.post(f"{url}/close", json=decisions, headers=worker), 422, "demand-rule")   # no attendees
    await client.patch(url, json={"attendees": [{"name": "李明", "affiliation": "社区党委", "role": "party"}]}, headers=worker)
    assert_problem(await client.post(f"{url}/close", json=decisions, headers=worker), 422, "demand-rule")   # no minutes
    assert (await client.patch(url, json={"minutes": "议定如下……"}, headers=worker)).status_code == 200
    off_agenda = {"decisions": [{"kind": "resolve_demand", "demand_ids": [outside["demand"]["id"]], "category": "public_space",
                                 "summary": "x"}]}
    assert_problem(await client.post(f"{url}/close", json=off_agenda, headers=worker), 422, "demand-rule")
    assert_problem(await client.post(f"{url}/close", json=decisions, headers=auth("party_member", axis["c1"])), 403, "forbidden")
    closed = await client.post(f"{url}/close", json=decisions, headers=worker)
    assert closed.status_code == 200, closed.text
    assert closed.json()["state"] == "closed" and len(closed.json()["decisions"]) == 2
    assert (await client.get(f"/api/v1/demands/{clutter}", headers=worker)).json()["state"] == "resolved"
    assert_problem(await client.post(f"{url}/close", json=decisions, headers=worker), 409, "illegal-transition")
    assert_problem(await client.patch(url, json={"minutes": "改"}, headers=worker), 422, "demand-rule")
    async with db.sessions() as session:
        event = (await session.execute(select(outbox.c.topic, outbox.c.data).where(
            outbox.c.event_type == "meeting.closed", outbox.c.aggregate_id == closed.json()["id"]))).one()
        resolved = (await session.execute(select(outbox.c.data).where(
            outbox.c.event_type == "demand.resolved", outbox.c.aggregate_id == clutter))).scalar_one()
    assert event.topic == "yizhou.meetings.v1" and find_personal_data(event.data) == []
    assert event.data["decisions"][1] == {"kind": "request_project", "demand_ids": [parking, parking2],
                                          "category": "public_space", "summary": "申请立项改造停车场"}
    assert event.data["attendee_count"] == 1 and event.data["area_path"].endswith(f"/{axis['c1']}/")
    assert (resolved["resolved_by"], resolved["source_id"]) == ("meeting", closed.json()["id"])
    listed = (await client.get("/api/v1/meetings", params={"state": "closed"}, headers=auth("subdistrict_admin", axis["s1"]))).json()
    assert closed.json()["id"] in [m["id"] for m in listed["items"]]
    assert_problem(await client.get(url, headers=auth("community_worker", axis["c2"])), 404, "not-found")


async def test_resolving_a_demand_that_cannot_be_resolved_is_refused_whole(client, axis, auth):
    worker = auth("community_worker", axis["c2"])
    fresh = (await client.post("/api/v1/demands", json=demand_body(axis["g3"]), headers=worker)).json()["demand"]["id"]
    meeting = (await client.post("/api/v1/meetings", json={"area_code": axis["c2"], "title": "议事会",
                                                           "scheduled_at": "2026-01-21T06:00:00+08:00"}, headers=worker)).json()
    url = f"/api/v1/meetings/{meeting['id']}"
    await client.post(f"{url}/agenda", json={"demand_id": fresh}, headers=worker)
    await client.patch(url, json={"attendees": [{"name": "王芳"}], "minutes": "议定"}, headers=worker)
    body = {"decisions": [{"kind": "resolve_demand", "demand_ids": [fresh], "category": "public_space", "summary": "解决"}]}
    problem = assert_problem(await client.post(f"{url}/close", json=body, headers=worker), 409, "illegal-transition")
    assert problem["current_state"] == "submitted"
    assert (await client.get(url, headers=worker)).json()["state"] == "scheduled"
    assert_problem(await client.post("/api/v1/meetings", json={"area_code": axis["c2"], "title": "x",
                                                               "scheduled_at": "2026-01-21T06:00:00"}, headers=worker),
                   422, "validation")


async def test_a_scheduled_meeting_can_be_cancelled_once(client, axis, auth, db):
    worker = auth("community_worker", axis["c1"])
    meeting = (await client.post("/api/v1/meetings", json={"area_code": axis["c1"], "title": "取消的议事会",
                                                           "scheduled_at": "2026-02-01T06:00:00Z"}, headers=worker)).json()
    url = f"/api/v1/meetings/{meeting['id']}"
    assert_problem(await client.post(f"{url}/cancel", headers=auth("party_member", axis["c1"])), 403, "forbidden")
    cancelled = await client.post(f"{url}/cancel", headers=worker)
    assert cancelled.status_code == 200 and cancelled.json()["state"] == "cancelled"
    problem = assert_problem(await client.post(f"{url}/cancel", headers=worker), 409, "illegal-transition")
    assert problem["current_state"] == "cancelled" and problem["allowed_states"] == []
    assert_problem(await client.post(f"{url}/close", json={"decisions": []}, headers=worker), 409, "illegal-transition")
    async with db.sessions() as session:
        (event,) = (await session.execute(select(outbox.c.data).where(
            outbox.c.event_type == "meeting.cancelled", outbox.c.aggregate_id == meeting["id"]))).scalars().all()
    assert event["agenda_demand_ids"] == [] and event["area_code"] == axis["c1"]
