"""The state machine through the API: every legal and illegal (from, to) pair, each transition an
event, closing with feedback, and who may move a demand."""

import pytest
from sqlalchemy import select

from demand_helpers import assert_problem, demand_body
from demand_intake.domain.demand import DEMAND_MACHINE, State
from yizhou.messaging_tables import outbox

# The request that asks for each target state (`submitted` is only ever the initial state).
ACTIONS = {
    State.ACCEPTED: ("accept", None), State.ASSIGNED: ("assign", {"assignee": "物业公司"}),
    State.IN_PROGRESS: ("start", None), State.RESOLVED: ("resolve", None),
    State.CLOSED: ("close", {"feedback": "satisfied"}), State.REJECTED: ("reject", {"note": "不属于受理范围"}),
    State.WITHDRAWN: ("withdraw", None), State.REOPENED: ("reopen", None), State.MERGED: ("merge", None),
}
PATHS = {
    State.SUBMITTED: [], State.ACCEPTED: [State.ACCEPTED], State.ASSIGNED: [State.ACCEPTED, State.ASSIGNED],
    State.IN_PROGRESS: [State.ACCEPTED, State.IN_PROGRESS], State.RESOLVED: [State.ACCEPTED, State.RESOLVED],
    State.CLOSED: [State.ACCEPTED, State.RESOLVED, State.CLOSED], State.REJECTED: [State.REJECTED],
    State.WITHDRAWN: [State.WITHDRAWN], State.REOPENED: [State.ACCEPTED, State.RESOLVED, State.REOPENED],
    State.MERGED: [State.MERGED],
}


async def new_demand(client, area, headers, **kw) -> str:
    response = await client.post("/api/v1/demands", json=demand_body(area, **kw), headers=headers)
    assert response.status_code == 201, response.text
    return response.json()["demand"]["id"]


async def ask(client, demand_id, target: State, headers, area):
    action, body = ACTIONS[target]
    if target == State.MERGED:
        body = {"into_demand_id": await new_demand(client, area, headers, description="另一处路灯不亮")}
    return await client.post(f"/api/v1/demands/{demand_id}/{action}", json=body, headers=headers)


@pytest.mark.parametrize("current", list(State), ids=lambda s: s.value)
async def test_every_pair_from_a_state(client, axis, auth, current):
    worker = auth("community_worker", axis["c1"])
    for target in ACTIONS:
        demand_id = await new_demand(client, axis["g1"], worker)
        for step in PATHS[current]:
            response = await ask(client, demand_id, step, worker, axis["g1"])
            assert response.status_code == 200, (current, step, response.text)
        response = await ask(client, demand_id, target, worker, axis["g1"])
        if DEMAND_MACHINE.can(current, target):
            assert response.status_code == 200, (current, target, response.text)
            if target != State.MERGED:
                assert response.json()["state"] == target.value
        else:
            problem = assert_problem(response, 409, "illegal-transition")
            assert problem["current_state"] == current.value, (current, target)
            assert problem["allowed_states"] == DEMAND_MACHINE.allowed_from(current)
            assert current.value in problem["detail"]


async def test_each_transition_is_an_event_in_order(client, axis, auth, db):
    worker = auth("community_worker", axis["c1"])
    demand_id = await new_demand(client, axis["g1"], worker)
    for action, body in [("accept", {"complex": True}), ("assign", {"assignee": "街道城管科"}), ("start", None),
                         ("resolve", None), ("close", {"feedback": "dissatisfied"}), ("resolve", None),
                         ("close", {"contact_attempted": True, "note": "三次未接通"})]:
        response = await client.post(f"/api/v1/demands/{demand_id}/{action}", json=body, headers=worker)
        assert response.status_code == 200, (action, response.text)
    async with db.sessions() as session:
        rows = (await session.execute(select(outbox.c.event_type, outbox.c.data).where(
            outbox.c.aggregate_id == demand_id, outbox.c.topic == "yizhou.demands.v1").order_by(outbox.c.id))).all()
    assert [(r.event_type, r.data["state"]) for r in rows] == [
        ("demand.submitted", "submitted"), ("demand.accepted", "accepted"), ("demand.assigned", "assigned"),
        ("demand.started", "in_progress"), ("demand.resolved", "resolved"), ("demand.reopened", "reopened"),
        ("demand.resolved", "resolved"), ("demand.closed", "closed")]
    assert rows[1].data["complex"] is True and rows[2].data["assignee"] == "街道城管科"
    assert rows[5].data["feedback"] == "dissatisfied"
    assert rows[5].data["feedback_by"] == "staff"  # the worker recorded it: not the resident's own word
    assert rows[0].data["imported"] is False
    assert rows[7].data["contact_attempted"] is True and rows[7].data["feedback"] is None
    detail = (await client.get(f"/api/v1/demands/{demand_id}", headers=worker)).json()
    assert [h["action"] for h in detail["history"]] == ["submit", "accepted", "assigned", "in_progress", "resolved",
                                                         "close", "resolved", "close"]
    assert detail["feedback"] == "dissatisfied" and detail["first_receiver"] == f"community_worker@{axis['c1']}"


async def test_closing_without_feedback_or_attempt_is_refused(client, axis, auth):
    worker = auth("community_worker", axis["c1"])
    demand_id = await new_demand(client, axis["g1"], worker)
    for action in ("accept", "resolve"):
        assert (await client.post(f"/api/v1/demands/{demand_id}/{action}", headers=worker)).status_code == 200
    assert_problem(await client.post(f"/api/v1/demands/{demand_id}/close", json={}, headers=worker), 422, "demand-rule")
    assert_problem(await client.post(f"/api/v1/demands/{demand_id}/close", json={"feedback": "meh"}, headers=worker),
                   422, "validation")


async def test_the_resident_gives_feedback_and_withdraws_their_own(client, axis, auth, token, db):
    resident = {"Authorization": f"Bearer {token('resident', axis['g1'], subject='resident-7')}"}
    other = {"Authorization": f"Bearer {token('resident', axis['g1'], subject='resident-8')}"}
    worker = auth("grid_worker", axis["g1"])
    mine = await new_demand(client, axis["g1"], resident, channel="online", resident=None)
    for action in ("accept", "resolve"):
        assert (await client.post(f"/api/v1/demands/{mine}/{action}", headers=worker)).status_code == 200
    # another resident does not learn the demand exists, let alone close it
    assert_problem(await client.post(f"/api/v1/demands/{mine}/feedback", json={"feedback": "satisfied"}, headers=other),
                   404, "not-found")
    assert_problem(await client.post(f"/api/v1/demands/{mine}/feedback", json={"feedback": "satisfied"}, headers=worker),
                   403, "forbidden")
    reopened = await client.post(f"/api/v1/demands/{mine}/feedback", json={"feedback": "dissatisfied"}, headers=resident)
    assert reopened.json()["state"] == "reopened"
    async with db.sessions() as session:
        said = (await session.execute(select(outbox.c.data).where(
            outbox.c.aggregate_id == mine, outbox.c.event_type == "demand.reopened"))).scalar_one()
    assert said["feedback_by"] == "resident"
    second = await new_demand(client, axis["g1"], resident, channel="online", resident=None, description="垃圾桶满了")
    assert_problem(await client.post(f"/api/v1/demands/{second}/withdraw", headers=other), 404, "not-found")
    assert (await client.post(f"/api/v1/demands/{second}/withdraw", headers=resident)).json()["state"] == "withdrawn"


async def test_only_staff_of_the_handling_area_move_a_demand(client, axis, auth):
    demand_id = await new_demand(client, axis["g1"], auth("grid_worker", axis["g1"]))
    assert_problem(await client.post(f"/api/v1/demands/{demand_id}/accept", headers=auth("party_member", axis["g1"])),
                   403, "forbidden")
    assert_problem(await client.post(f"/api/v1/demands/{demand_id}/accept", headers=auth("grid_worker", axis["g2"])),
                   404, "not-found")
    assert_problem(await client.post("/api/v1/demands/nope/accept", headers=auth("grid_worker", axis["g1"])), 404, "not-found")
    ok = await client.post(f"/api/v1/demands/{demand_id}/accept", headers=auth("subdistrict_admin", axis["s1"]))
    assert ok.status_code == 200 and ok.json()["accountable_area_code"] == axis["s1"]
