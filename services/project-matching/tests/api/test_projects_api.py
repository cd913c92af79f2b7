"""The project lifecycle over HTTP: every step legal and illegal (409 naming the states), budget and
spend rules, reviews and decisions by role, each step an event with the contract's fields."""

import pytest
from sqlalchemy import select

from matching_helpers import DESIGN, add_demand, assert_problem
from project_matching.domain.project import PROJECT_MACHINE, State
from yizhou.messaging_tables import outbox


async def open_project(client, axis, headers, **over):
    body = {"title": "Visits for elderly living alone", "area_code": axis["c1"], "category": "elderly_care", **over}
    response = await client.post("/api/v1/projects", json=body, headers=headers)
    assert response.status_code == 201, response.text
    return response.json()


async def to_state(client, pid, target: State, worker, admin):
    steps = {
        State.DESIGNING: [("PUT", "design", DESIGN, worker)],
        State.IN_REVIEW: [("PUT", "design", DESIGN, worker), ("POST", "submit", None, worker)],
        State.REJECTED: [("PUT", "design", DESIGN, worker), ("POST", "submit", None, worker),
                         ("POST", "decision", {"decision": "reject", "reasons": ["No budget this year"]}, admin)],
    }
    approved = [("PUT", "design", DESIGN, worker), ("POST", "submit", None, worker),
                ("POST", "reviews", {"score": 80}, admin),
                ("POST", "decision", {"decision": "approve", "reasons": ["Needed"]}, admin)]
    steps[State.APPROVED] = approved
    steps[State.IMPLEMENTING] = approved + [("POST", "start", None, worker)]
    done = steps[State.IMPLEMENTING] + [("POST", "milestones/M1/complete", None, worker),
                                        ("POST", "milestones/M2/complete", None, worker)]
    steps[State.COMPLETED] = done + [("POST", "complete", None, worker)]
    steps[State.EVALUATED] = steps[State.COMPLETED] + [
        ("POST", "evaluation", {"outcome": "ok", "beneficiaries_reached": 28, "satisfaction_percent": 95}, admin)]
    for method, path, body, headers in steps.get(target, []):
        response = await client.request(method, f"/api/v1/projects/{pid}/{path}", json=body, headers=headers)
        assert response.status_code == 200, (target, path, response.text)


REQUESTS = {  # the request that asks for each target state
    State.DESIGNING: ("PUT", "design", DESIGN), State.IN_REVIEW: ("POST", "submit", None),
    State.APPROVED: ("POST", "decision", {"decision": "approve", "reasons": ["ok"]}),
    State.REJECTED: ("POST", "decision", {"decision": "reject", "reasons": ["no"]}),
    State.IMPLEMENTING: ("POST", "start", None), State.COMPLETED: ("POST", "complete", None),
    State.EVALUATED: ("POST", "evaluation", {"outcome": "ok", "beneficiaries_reached": 1, "satisfaction_percent": 90}),
}


@pytest.mark.parametrize("current", list(State), ids=lambda s: s.value)
async def test_every_step_from_every_state(client, axis, auth, current):
    worker, admin = auth("community_worker", axis["c1"]), auth("subdistrict_admin", axis["s1"])
    for target, (method, path, body) in REQUESTS.items():
        pid = (await open_project(client, axis, worker))["id"]
        await to_state(client, pid, current, worker, admin)
        if target == State.APPROVED and current == State.IN_REVIEW:
            await client.post(f"/api/v1/projects/{pid}/reviews", json={"score": 70}, headers=admin)
        if target == State.COMPLETED and current == State.IMPLEMENTING:
            for m in ("M1", "M2"):
                await client.post(f"/api/v1/projects/{pid}/milestones/{m}/complete", headers=worker)
        response = await client.request(method, f"/api/v1/projects/{pid}/{path}", json=body, headers=admin)
        if PROJECT_MACHINE.can(current, target):
            assert response.status_code == 200, (current, target, response.text)
            assert response.json()["state"] == target.value
        else:
            problem = assert_problem(response, 409, "illegal-transition")
            assert problem["current_state"] == current.value
            assert problem["allowed_states"] == PROJECT_MACHINE.allowed_from(current)


async def test_full_life_with_events_carrying_linked_demands(client, axis, auth, db):
    worker, admin = auth("community_worker", axis["c1"]), auth("district_admin", axis["d"])
    demand = await add_demand(db, axis, "g1")
    pid = (await open_project(client, axis, worker, linked_demand_ids=[demand]))["id"]
    await to_state(client, pid, State.EVALUATED, worker, admin)
    async with db.sessions() as session:
        rows = (await session.execute(select(outbox).where(outbox.c.aggregate_id == pid)
                                      .order_by(outbox.c.id))).all()
    internal = [r for r in rows if r.topic == "yizhou.projects.v1"]
    assert [r.event_type for r in internal] == [
        "project.opened", "project.designed", "project.submitted", "project.approved", "project.started",
        "project.progressed", "project.progressed", "project.completed", "project.evaluated"]
    approved = next(r.data for r in internal if r.event_type == "project.approved")
    assert approved["linked_demand_ids"] == [demand] and approved["step"] == "implement"
    assert approved["area_code"] == axis["c1"] and approved["category"] == "elderly_care"
    completed = next(r.data for r in internal if r.event_type == "project.completed")
    assert completed["linked_demand_ids"] == [demand] and completed["progress_percent"] == 100
    # The partner projection rides along for the contract's step events.
    assert {r.event_type for r in rows if r.topic == "yizhou.partner.projects.v1"} == {"partner.project.changed"}
    figures = (await client.get(f"/api/v1/projects/{pid}/accountability", headers=worker)).json()
    assert figures["budget_yuan"] == 12000.5 and figures["beneficiaries_reached"] == 28
    assert figures["money_by_funding_source"]["government_purchase"]["budget_yuan"] == 10000.0


async def test_no_overspend_without_an_amendment(client, axis, auth):
    worker, admin = auth("community_worker", axis["c1"]), auth("subdistrict_admin", axis["s1"])
    pid = (await open_project(client, axis, worker))["id"]
    await to_state(client, pid, State.IMPLEMENTING, worker, admin)
    url = f"/api/v1/projects/{pid}"
    ok = await client.post(f"{url}/spending", json={"amount_yuan": "12000.00", "line_id": "L1"}, headers=worker)
    assert ok.status_code == 200 and ok.json()["spent_yuan"] == 12000.0
    over = await client.post(f"{url}/spending", json={"amount_yuan": "1.00"}, headers=worker)
    assert "over the budget" in assert_problem(over, 409, "over-budget")["detail"]
    assert_problem(await client.post(f"{url}/amendments", json={"amount_yuan": "100", "reason": "more"},
                                     headers=worker), 403, "forbidden")
    amended = await client.post(f"{url}/amendments", json={"amount_yuan": "100.00", "reason": "10 more households"},
                                headers=admin)
    assert amended.status_code == 200 and amended.json()["budget_yuan"] == 12100.5
    assert (await client.post(f"{url}/spending", json={"amount_yuan": "100.50"}, headers=worker)).status_code == 200
    assert_problem(await client.post(f"{url}/spending", json={"amount_yuan": "0.01"}, headers=worker), 409,
                   "over-budget")
    assert_problem(await client.post(f"{url}/spending", json={"amount_yuan": "5", "line_id": "L9"}, headers=worker),
                   422, "rule-violated")
    assert_problem(await client.post(f"{url}/spending", json={"amount_yuan": "-5"}, headers=worker), 422, "validation")
    # Completing needs every milestone done.
    assert_problem(await client.post(f"{url}/complete", headers=worker), 409, "project-not-ready")


async def test_reviews_decisions_roles_and_scope(client, axis, auth):
    worker, admin = auth("community_worker", axis["c1"]), auth("subdistrict_admin", axis["s1"])
    pid = (await open_project(client, axis, worker))["id"]
    await to_state(client, pid, State.IN_REVIEW, worker, admin)
    url = f"/api/v1/projects/{pid}"
    assert_problem(await client.post(f"{url}/decision", json={"decision": "approve", "reasons": ["x"]}, headers=admin),
                   409, "project-not-ready")  # approval needs a review first
    assert_problem(await client.post(f"{url}/reviews", json={"score": 90}, headers=worker), 403, "forbidden")
    assert (await client.post(f"{url}/reviews", json={"score": 90, "comment": "good"}, headers=admin)).status_code == 200
    assert_problem(await client.post(f"{url}/reviews", json={"score": 91}, headers=admin), 422, "rule-violated")
    assert_problem(await client.post(f"{url}/reviews", json={"score": 101}, headers=admin), 422, "validation")
    outsider = auth("community_worker", axis["c2"])
    assert_problem(await client.get(url, headers=outsider), 404, "not-found")
    assert_problem(await client.post(f"{url}/submit", headers=outsider), 404, "not-found")
    assert_problem(await client.post("/api/v1/projects", json={"title": "x", "area_code": axis["c1"],
                                                               "category": "not_a_category"}, headers=worker),
                   422, "validation")
    assert_problem(await client.post("/api/v1/projects", json={"title": "x", "area_code": axis["c1"],
                                                               "category": "health", "linked_demand_ids": ["nope"]},
                                     headers=worker), 422, "unknown-reference")
    assert_problem(await client.post("/api/v1/projects", json={"title": "x", "area_code": axis["c1"],
                                                               "category": "health"},
                                     headers=auth("resident", axis["c1"])), 403, "forbidden")
    listed = (await client.get("/api/v1/projects", params={"state": "in_review", "limit": 1}, headers=admin)).json()
    assert len(listed["items"]) == 1


async def test_design_links_clusters_and_area_figures(client, axis, auth, db):
    worker, admin = auth("community_worker", axis["c1"]), auth("subdistrict_admin", axis["s1"])
    ids = [await add_demand(db, axis, g, category="meal_assistance") for g in ("g1", "g2", "g1")]
    clusters = (await client.get("/api/v1/demands/clusters", params={"under": axis["c1"]}, headers=worker)).json()
    cluster = next(c for c in clusters if c["category"] == "meal_assistance")
    assert cluster["size"] == 3 and set(cluster["demand_ids"]) == set(ids)
    pid = (await open_project(client, axis, worker, category="meal_assistance"))["id"]
    designed = await client.put(f"/api/v1/projects/{pid}/design", json={**DESIGN, "cluster_ids": [cluster["cluster_id"]]},
                                headers=worker)
    assert designed.status_code == 200 and set(designed.json()["linked_demand_ids"]) == set(ids)
    bad = await client.put(f"/api/v1/projects/{pid}/design", json={**DESIGN, "cluster_ids": ["health@nowhere"]},
                           headers=worker)
    assert_problem(bad, 422, "unknown-reference")
    figures = (await client.get("/api/v1/accountability", params={"under": axis["c1"]}, headers=admin)).json()
    assert figures["projects_by_category"]["meal_assistance"] == {"design": 1}
    assert figures["demands"]["open"] == 3 and figures["demands"]["linked_to_projects"] == 3
