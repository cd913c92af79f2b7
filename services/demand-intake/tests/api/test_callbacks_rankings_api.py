"""Callbacks (回访) and the rates residents judge: a hand-computed month of callbacks, its rankings with
the areas under remediation, each month's problem (每月一题) and the project request opened from it."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from demand_helpers import assert_problem, demand_body
from demand_intake.app import create_app
from demand_intake.settings import Settings
from yizhou.messaging_tables import outbox
from yizhou_platform.testing import eventually, serve


@pytest.fixture(scope="module")
async def client(make_settings, clock):
    # The bottom community of two is under remediation (the default, bottom=3, would flag both).
    settings = make_settings(Settings, sweeper_enabled=False, ranking_remediation="bottom=1")
    async with serve(create_app(settings, clock)) as client:
        yield client


async def _new(client, headers, area: str, **over) -> str:
    response = await client.post("/api/v1/demands", json=demand_body(area, description=f"事项 {area} {over.get('category', '')}",
                                                                     **over), headers=headers)
    assert response.status_code == 201, response.text
    return response.json()["demand"]["id"]


async def _act(client, headers, demand_id: str, *steps) -> None:
    for action, body in steps:
        response = await client.post(f"/api/v1/demands/{demand_id}/{action}", json=body, headers=headers)
        assert response.status_code == 200, (action, response.text)


async def _callback(client, headers, demand_id: str, **body) -> dict:
    response = await client.post(f"/api/v1/demands/{demand_id}/callbacks", json=body, headers=headers)
    assert response.status_code == 201, response.text
    return response.json()


async def test_a_month_of_callbacks_ranked_by_what_residents_said(client, axis, auth, token, clock, db):
    admin = auth("district_admin", axis["d"])
    resident = {"Authorization": f"Bearer {token('resident', axis['g1'], subject='resident-cb-1')}"}
    month = clock.now().astimezone(client.app_state.settings.district_zone).strftime("%Y-%m")
    done = [("accept", None), ("resolve", None)]

    # Community C1 (grid G1): a is the resident's own; b, c, d entered by staff; one imported demand.
    a = await _new(client, resident, axis["g1"], channel="online", resident=None)
    b, c = await _new(client, admin, axis["g1"]), await _new(client, admin, axis["g1"])
    d = await _new(client, admin, axis["g1"], category="public_space")
    imported = await client.post("/api/v1/demands/import", headers=admin, json={"demands": [{
        **demand_body(axis["g1"]), "submitted_at": (clock.now() - timedelta(minutes=5)).isoformat(),
        "steps": [{"action": "accept", "after_hours": 0}, {"action": "resolve", "after_hours": 0},
                  {"action": "close", "after_hours": 0, "feedback": "satisfied"}]}]})
    assert imported.status_code == 201, imported.text
    for demand_id in (a, b, c, d):
        await _act(client, admin, demand_id, *done)
    # Community C2 (grid G3): e, f called back by staff; g not yet responded to (inside its deadline).
    e = await _new(client, admin, axis["g3"], category="public_space")
    f = await _new(client, admin, axis["g3"], category="public_space")
    await _new(client, admin, axis["g3"], category="public_space")   # g
    for demand_id in (e, f):
        await _act(client, admin, demand_id, *done)
    clock.advance(timedelta(minutes=10))   # the callbacks come after the handling

    said = await _callback(client, resident, a, resolved=True, satisfaction="satisfied")
    assert (said["source"], said["counted"], said["recorded_by"]) == ("resident", True, None)   # staff's account names only to staff
    called = await _callback(client, admin, b, resolved=False, satisfaction="dissatisfied", source="callback_by_staff",
                             called_at=(clock.now() - timedelta(minutes=1)).isoformat())
    assert (called["source"], called["counted"]) == ("callback_by_staff", True)
    entered = await _callback(client, admin, c, resolved=True, satisfaction="satisfied", source="staff_entry")
    assert (entered["source"], entered["counted"]) == ("staff_entry", False)
    await _act(client, admin, d, ("close", {"feedback": "satisfied"}))          # staff's /close: recorded, not said
    await _callback(client, admin, e, resolved=True, satisfaction="basically_satisfied", source="callback_by_staff")
    await _callback(client, admin, f, resolved=True, satisfaction="satisfied", source="callback_by_staff")

    # By hand. C1: responded a b c d on time -> 4/4; residents answered "resolved?" a yes, b no -> 1/2;
    # satisfied a yes, b no -> 1/2 (c's staff entry and d's staff close left out); declared resolved 4/4;
    # recorded feedback a b c d, satisfied a c d -> 3/4; the import in no figure.
    # Score 100 x (0.2 x 1 + 0.4 x 0.5 + 0.4 x 0.5) = 60.
    # C2: responded e f -> 2/2 (g not settled); resolved e f -> 2/2; satisfied e f -> 2/2; declared 2 of e f g -> 2/3;
    # score 100. Ranked C2 (1), C1 (2, under remediation: the bottom 1).
    expected = [(axis["c2"], 1, 100.0, False, 1.0, 1.0, 1.0, 0.6667, 1.0, 3, 0),
                (axis["c1"], 2, 60.0, True, 1.0, 0.5, 0.5, 1.0, 0.75, 4, 1)]
    fields = ("area_code", "rank", "score", "under_remediation", "response_rate", "resolution_rate", "satisfaction_rate",
              "declared_resolution_rate", "recorded_satisfaction_rate", "submitted", "imported")

    async def ranked(level: str):
        response = await client.get("/api/v1/rankings", params={"level": level, "month": month, "under": axis["d"]},
                                    headers=admin)
        assert response.status_code == 200, response.text
        return [tuple(area[k] for k in fields) for area in response.json()["areas"]]

    async def communities_ranked():
        assert await ranked("community") == expected
        return True

    await eventually(communities_ranked, timeout_s=60)
    # Subdistricts: S1 holds C1 and S2 holds C2, so the same figures under their codes.
    assert await ranked("subdistrict") == [(axis["s2"], *expected[0][1:]), (axis["s1"], *expected[1][1:])]

    # Staff's word does not move what residents said: a staff entry on b after the resident's "no".
    await _callback(client, admin, b, resolved=True, satisfaction="satisfied", source="staff_entry")

    async def c1_rates():
        body = (await client.get("/api/v1/rates", params={"under": axis["c1"], "period": month}, headers=admin)).json()
        assert (body["recorded_satisfaction_rate"], body["with_feedback"]) == (1.0, 4)   # b's latest entry: satisfied
        assert (body["resolution_rate"], body["satisfaction_rate"], body["resident_satisfaction_rate"]) == (0.5, 0.5, 0.5)
        assert (body["with_resident_answer"], body["resolved_by_resident"], body["imported"]) == (2, 1, 1)
        return True

    await eventually(c1_rates, timeout_s=60)
    # The ranking stands; only C1's recorded (unscored) figure took the entry.
    assert await ranked("community") == [expected[0], (*expected[1][:8], 1.0, 4, 1)]

    # 每月一题: C1's demands are elderly_care a b c and public_space d (the import is not counted); C2's public_space.
    problems = (await client.get("/api/v1/monthly-problems", params={"month": month, "under": axis["d"]},
                                 headers=admin)).json()
    by_area = {p["area_code"]: (p["problem"], [(c["category"], c["count"]) for c in p["categories"]])
               for p in problems["areas"]}
    assert by_area == {axis["c1"]: ("elderly_care", [("elderly_care", 3), ("public_space", 1)]),
                       axis["c2"]: ("public_space", [("public_space", 3)])}

    # One step from the problem to a project request: meeting.closed with one request_project decision.
    body = {"month": month, "area_code": axis["c1"], "category": "elderly_care", "summary": "独居老人居家维修"}
    requested = await client.post("/api/v1/monthly-problems/project-requests", json=body, headers=admin)
    assert requested.status_code == 201, requested.text
    assert requested.json()["linked_demands"] == 3
    record_id = requested.json()["decision_record_id"]
    async with db.sessions() as session:
        closed = (await session.execute(select(outbox.c.event_type, outbox.c.topic, outbox.c.data)
                                        .where(outbox.c.aggregate_id == record_id))).one()
    assert (closed.event_type, closed.topic) == ("meeting.closed", "yizhou.meetings.v1")
    decision = closed.data["decisions"][0]
    assert (decision["kind"], decision["category"], sorted(decision["demand_ids"])) == \
        ("request_project", "elderly_care", sorted([a, b, c]))
    assert (closed.data["area_code"], closed.data["attendee_count"]) == (axis["c1"], 0)
    assert_problem(await client.post("/api/v1/monthly-problems/project-requests", json=body, headers=admin), 409,
                   "duplicate")
    nothing = {**body, "category": "sanitation"}
    assert_problem(await client.post("/api/v1/monthly-problems/project-requests", json=nothing, headers=admin), 422,
                   "demand-rule")


async def test_who_may_call_back_and_when(client, axis, auth, token):
    admin = auth("district_admin", axis["d"])
    resident = {"Authorization": f"Bearer {token('resident', axis['g1'], subject='resident-cb-2')}"}
    neighbour = {"Authorization": f"Bearer {token('resident', axis['g1'], subject='resident-cb-3')}"}
    other_community = auth("community_worker", axis["c2"])
    mine = await _new(client, resident, axis["g1"], channel="online", resident=None)
    url = f"/api/v1/demands/{mine}/callbacks"
    answer = {"resolved": True, "satisfaction": "satisfied"}
    # Nothing handled yet: nothing to call back about.
    assert_problem(await client.post(url, json=answer, headers=resident), 422, "demand-rule")
    await _act(client, admin, mine, ("accept", None), ("resolve", None))
    assert_problem(await client.post(url, json=answer, headers=neighbour), 404, "not-found")
    assert_problem(await client.post(url, json=answer, headers=other_community), 404, "not-found")
    assert_problem(await client.post(url, json={**answer, "source": "callback_by_staff"}, headers=resident), 403,
                   "forbidden")
    assert_problem(await client.post(url, json=answer, headers=admin), 422, "validation")            # staff say which
    assert_problem(await client.post(url, json={**answer, "source": "resident"}, headers=admin), 422, "validation")
    assert_problem(await client.post(url, json={**answer, "source": "callback_by_staff",
                                                "called_at": "2999-01-01T00:00:00+08:00"}, headers=admin), 422, "validation")
    assert_problem(await client.post(url, json={**answer, "source": "callback_by_staff",
                                                "called_at": "2000-01-01T00:00:00+08:00"}, headers=admin), 422, "demand-rule")
    assert_problem(await client.post(url, json={**answer, "source": "callback_by_staff",
                                                "called_at": "0001-01-01T00:00:00+14:00"}, headers=admin), 422, "validation")
    await _callback(client, resident, mine, **answer)
    listed = (await client.get(url, headers=admin)).json()
    assert [(c["source"], c["resolved"], c["recorded_by_role"]) for c in listed] == [("resident", True, "resident")]
    assert listed[0]["recorded_by"] == "resident-cb-2"   # staff see whose account recorded it


async def test_rankings_and_problems_refuse_bad_input(client, axis, auth):
    admin = auth("district_admin", axis["d"])
    for params in ({"month": "2026-13"}, {"month": "2026"}, {"month": "2026-11", "level": "grid"},
                   {"month": "2026-11", "top": 0}):
        for path in ("/api/v1/rankings", "/api/v1/monthly-problems"):
            if path == "/api/v1/rankings" and "top" in params:
                continue
            assert_problem(await client.get(path, params=params, headers=admin), 422, "validation")
    assert_problem(await client.get("/api/v1/rankings", params={"month": "2026-11", "under": "NOPE"}, headers=admin),
                   404, "not-found")
    assert_problem(await client.get("/api/v1/rankings", params={"month": "2026-11"},
                                    headers=auth("resident", axis["g1"])), 403, "forbidden")
    request = {"month": "2026-11", "area_code": axis["c1"], "category": "elderly_care"}
    assert_problem(await client.post("/api/v1/monthly-problems/project-requests", json=request,
                                     headers=auth("party_member", axis["c1"])), 403, "forbidden")
    assert_problem(await client.post("/api/v1/monthly-problems/project-requests", json={**request, "area_code": axis["c2"]},
                                     headers=auth("community_worker", axis["c1"])), 422, "unknown-reference")
    assert_problem(await client.post("/api/v1/monthly-problems/project-requests", json={**request, "category": "nope_x"},
                                     headers=admin), 422, "unknown-reference")


async def test_the_demo_month_is_called_back(client, axis, auth):
    from demand_intake.demo import _called_back_month

    admin = auth("district_admin", axis["d"])
    saved = dict(client.headers)
    client.headers.update(admin)
    try:
        called = await _called_back_month(client, [axis["g1"], axis["g2"], axis["g3"]])
    finally:
        client.headers.clear()
        client.headers.update(saved)
    assert called >= 3
    listed = (await client.get("/api/v1/demands", params={"under": axis["d"], "limit": 50}, headers=admin)).json()
    callbacks = (await client.get(f"/api/v1/demands/{listed['items'][0]['id']}/callbacks", headers=admin)).json()
    assert [c["source"] for c in callbacks] == ["callback_by_staff"]
