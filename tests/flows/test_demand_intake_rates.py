"""demand-intake's three rates come from a read model fed by its own demand events through the
broker; they match a hand-counted set, and `yizhou demand-intake rates rebuild` (replaying the topic
from the start) gives the same numbers after the read model was damaged."""

import asyncio
import json
import os
import re
import sys
from datetime import timedelta
from pathlib import Path

from sqlalchemy import delete, update

from demand_intake.app import create_app as demand_app
from demand_intake.settings import Settings as DemandSettings
from demand_intake.store.tables import DemandFactRow, RateCellRow
from demand_intake.use_cases.deadlines import sweep_overdue
from org_registry.app import create_app as org_app
from org_registry.settings import Settings as OrgSettings
from yizhou.clock import ManualClock
from yizhou_platform.testing import eventually, serve

BODY = {"channel": "hotline", "category": "public_space", "urgency": "normal", "description": "事项"}


async def run_cli(service_env, *args) -> str:
    yizhou = Path(sys.executable).parent / "yizhou"
    proc = await asyncio.create_subprocess_exec(str(yizhou), "demand-intake", "rates", *args, env={**os.environ, **service_env},
                                                stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.STDOUT)
    out, _ = await proc.communicate()
    assert proc.returncode == 0, out.decode()
    return out.decode()


async def test_rates_match_a_hand_count_and_a_rebuild_from_the_topic(make_settings, auth, unique_code, service_env):
    d = unique_code("RT")
    admin = auth("district_admin", d)
    clock = ManualClock()
    settings = make_settings(DemandSettings, sweeper_enabled=False)
    async with serve(org_app(make_settings(OrgSettings))) as org, serve(demand_app(settings, clock)) as demand:
        for area in [{"code": d, "name": "Rates District", "level": "district"},
                     {"code": f"{d}S1", "name": "North", "level": "subdistrict", "parent_code": d},
                     {"code": f"{d}S2", "name": "South", "level": "subdistrict", "parent_code": d},
                     {"code": f"{d}C1", "name": "Elm", "level": "community", "parent_code": f"{d}S1"},
                     {"code": f"{d}C2", "name": "Oak", "level": "community", "parent_code": f"{d}S2"},
                     {"code": f"{d}G1", "name": "Elm 1", "level": "grid", "parent_code": f"{d}C1"},
                     {"code": f"{d}G3", "name": "Oak 1", "level": "grid", "parent_code": f"{d}C2"}]:
            assert (await org.post("/api/v1/areas", json=area, headers=admin)).status_code == 201

        async def axis_copied():  # the read copy of the axis arrives through the broker
            return (await demand.get(f"/api/v1/areas/{d}G3", headers=admin)).status_code == 200

        await eventually(axis_copied, timeout_s=60)

        async def new(area: str, **kw) -> str:
            body = {**BODY, "area_code": area, "description": f"{kw.pop('text', '事项')} {unique_code('x')}", **kw}
            response = await demand.post("/api/v1/demands", json=body, headers=admin)
            assert response.status_code == 201, response.text
            return response.json()["demand"]["id"]

        async def act(demand_id: str, *steps):
            for action, body in steps:
                response = await demand.post(f"/api/v1/demands/{demand_id}/{action}", json=body, headers=admin)
                assert response.status_code == 200, (action, response.text)

        north, south = f"{d}G1", f"{d}G3"
        a, b, c, late = await new(north), await new(north), await new(north), await new(north, urgency="emergency")
        h, e, i = await new(north), await new(south), await new(south)
        withdrawn, merged = await new(north), await new(north)
        done = [("accept", None), ("resolve", None)]
        assert (await demand.post(f"/api/v1/demands/{merged}/merge", json={"into_demand_id": a}, headers=admin)).status_code == 200
        await act(a, *done, ("close", {"feedback": "satisfied"}))
        await act(b, *done, ("close", {"feedback": "basically_satisfied"}))
        await act(c, *done, ("close", {"feedback": "dissatisfied"}))            # reopened
        await act(h, ("accept", None), ("assign", {"assignee": "unit-X"}))
        await act(e, ("reject", {"note": "不属于受理范围"}))
        await act(i, *done, ("close", {"contact_attempted": True}))
        await act(withdrawn, ("withdraw", None))
        clock.advance(timedelta(hours=3))           # the emergency's 2 h response deadline passes
        await sweep_overdue(demand.app_state.db, clock)

        # Hand count (docs/services/demand-intake.md: population = not withdrawn, not merged):
        # district: a b c late h e i = 7; responded a b c h e i on time, late overdue -> 6/7;
        # handled = 7 - rejected e = 6; resolved or closed: a b i -> 3/6; feedback a b c, satisfied a b -> 2/3;
        # backlog c (reopened) late (submitted) h (assigned) = 3, of which overdue: late.
        expected_d = {"submitted": 7, "response_settled": 7, "responded_on_time": 6, "handled": 6, "resolved": 3,
                      "with_feedback": 3, "satisfied": 2, "backlog": 3, "overdue_open": 1,
                      "response_rate": 0.8571, "declared_resolution_rate": 0.5, "recorded_satisfaction_rate": 0.6667}
        expected_s1 = {"submitted": 5, "response_settled": 5, "responded_on_time": 4, "handled": 5, "resolved": 2,
                       "with_feedback": 3, "satisfied": 2, "backlog": 3, "overdue_open": 1,
                       "response_rate": 0.8, "declared_resolution_rate": 0.4, "recorded_satisfaction_rate": 0.6667}

        async def rates(area: str, **params) -> dict:
            response = await demand.get("/api/v1/rates", params={"under": area, "period": "2026-01", **params},
                                        headers=admin)
            assert response.status_code == 200, response.text
            return {k: v for k, v in response.json().items() if k in expected_d}

        async def matches():
            assert await rates(d) == expected_d                 # the roll-up (district, subdistrict)
            assert await rates(f"{d}S1") == expected_s1
            assert await rates(f"{d}G1") == expected_s1         # the facts (a grid): the same demands
            return True

        await eventually(matches, timeout_s=60)
        unit = await rates(d, assignee="unit-X")
        assert unit["submitted"] == 1 and unit["backlog"] == 1
        assert (await rates(d))["submitted"] == 7
        other_period = await demand.get("/api/v1/rates", params={"under": d, "period": "2026-02"}, headers=admin)
        assert other_period.json()["submitted"] == 0 and other_period.json()["response_rate"] is None
        overdue = (await demand.get("/api/v1/overdue", params={"under": d}, headers=admin)).json()
        assert [f["demand_id"] for f in overdue["items"]] == [late]
        backlog = (await demand.get("/api/v1/backlog", params={"under": d}, headers=admin)).json()
        assert {f["demand_id"] for f in backlog["items"]} == {c, late, h}
        of_unit = (await demand.get("/api/v1/backlog", params={"under": d, "assignee": "unit-X"}, headers=admin)).json()
        assert [f["demand_id"] for f in of_unit["items"]] == [h]
        south_worker = auth("subdistrict_admin", f"{d}S2")
        assert (await demand.get("/api/v1/rates", params={"under": f"{d}S1", "period": "2026-01"},
                                 headers=south_worker)).status_code == 404
        assert (await demand.get("/api/v1/rates", params={"period": "2026-13"}, headers=admin)).status_code == 422
        db = demand.app_state.db

    # Damage the read model while the service is down, then rebuild it from the topic via the CLI.
    async with db.sessions() as session, session.begin():
        await session.execute(delete(DemandFactRow).where(DemandFactRow.demand_id.in_([a, late])))
        await session.execute(update(DemandFactRow).where(DemandFactRow.demand_id == b).values(feedback=None, state="submitted"))
        await session.execute(delete(RateCellRow).where(RateCellRow.area_path.startswith(f"/{d}/{d}S1/")))
    out = await run_cli(service_env, "rebuild", "--workers", "2")   # two processes share the partitions
    assert "facts cleared" in out and "records read" in out and re.search(r"worker processes\s*│\s*2", out), out
    shown = json.loads(await run_cli(service_env, "show", "--area", d, "--period", "2026-01", "--json"))
    assert {k: shown[k] for k in expected_d} == expected_d
    async with serve(demand_app(settings, clock)) as demand:
        assert await rates(d) == expected_d
        assert await rates(f"{d}S1") == expected_s1


async def test_demands_and_their_rates_follow_an_area_moved_on_the_axis(make_settings, auth, unique_code):
    d = unique_code("MV")
    admin = auth("district_admin", d)
    async with serve(org_app(make_settings(OrgSettings))) as org, \
            serve(demand_app(make_settings(DemandSettings, sweeper_enabled=False), ManualClock())) as demand:
        for area in [{"code": d, "name": "Move District", "level": "district"},
                     {"code": f"{d}S1", "name": "North", "level": "subdistrict", "parent_code": d},
                     {"code": f"{d}S2", "name": "South", "level": "subdistrict", "parent_code": d},
                     {"code": f"{d}C1", "name": "Elm", "level": "community", "parent_code": f"{d}S1"},
                     {"code": f"{d}G1", "name": "Elm 1", "level": "grid", "parent_code": f"{d}C1"}]:
            assert (await org.post("/api/v1/areas", json=area, headers=admin)).status_code == 201

        async def copied():
            return (await demand.get(f"/api/v1/areas/{d}G1", headers=admin)).status_code == 200

        await eventually(copied, timeout_s=60)
        created = await demand.post("/api/v1/demands", json={**BODY, "area_code": f"{d}G1"}, headers=admin)
        demand_id = created.json()["demand"]["id"]

        async def submitted_in(area: str) -> int:
            response = await demand.get("/api/v1/rates", params={"under": area, "period": "2026-01"}, headers=admin)
            return response.json()["submitted"]

        async def counted_north():
            return await submitted_in(f"{d}S1") == 1

        await eventually(counted_north, timeout_s=60)
        assert (await org.post(f"/api/v1/areas/{d}C1/move", json={"new_parent_code": f"{d}S2"}, headers=admin)).status_code == 200

        async def moved():
            path = (await demand.get(f"/api/v1/demands/{demand_id}", headers=admin)).json()["place"]["area_path"]
            return path == f"/{d}/{d}S2/{d}C1/{d}G1/" and await submitted_in(f"{d}S2") == 1 and await submitted_in(f"{d}S1") == 0

        await eventually(moved, timeout_s=60)
        north = auth("subdistrict_admin", f"{d}S1")
        assert (await demand.get(f"/api/v1/demands/{demand_id}", headers=north)).status_code == 404
