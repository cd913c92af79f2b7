"""Accepting a match assigns the demand in the same step (issue 20): org-registry's axis and unit reach
demand-intake and project-matching through the broker, a resident's demand reaches project-matching's
demand list, a round matches it to the unit's resource, and accepting that match is the only step
staff take: demand-intake reads `match.accepted` and assigns the demand to the provider unit."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy import select

from demand_intake.app import create_app as demand_app
from demand_intake.settings import Settings as DemandSettings
from org_registry.app import create_app as org_app
from org_registry.settings import Settings as OrgSettings
from project_matching.app import create_app as matching_app
from project_matching.settings import Settings as MatchingSettings
from project_matching.store.tables import area_places
from yizhou.messaging_tables import outbox
from yizhou_platform.testing import eventually, serve


async def test_accepting_a_match_assigns_the_demand_to_the_provider_unit(make_settings, auth, unique_code):
    d = unique_code("MAD")
    admin = auth("district_admin", d)
    async with serve(org_app(make_settings(OrgSettings))) as org, \
            serve(demand_app(make_settings(DemandSettings, sweeper_enabled=False))) as demand, \
            serve(matching_app(make_settings(MatchingSettings))) as matching:
        for area in [{"code": d, "name": "Match District", "level": "district"},
                     {"code": f"{d}S", "name": "Street", "level": "subdistrict", "parent_code": d},
                     {"code": f"{d}C", "name": "Community", "level": "community", "parent_code": f"{d}S"},
                     {"code": f"{d}G", "name": "Grid", "level": "grid", "parent_code": f"{d}C"}]:
            assert (await org.post("/api/v1/areas", json=area, headers=admin)).status_code == 201
        unit = (await org.post("/api/v1/units", json={"name": "社区卫生服务中心", "kind": "public_institution",
                                                      "area_code": f"{d}C", "headcount": 40,
                                                      "members_among_staff": 12}, headers=admin))
        assert unit.status_code == 201, unit.text
        unit_id = unit.json()["id"]
        async with matching.app_state.db.sessions() as session, session.begin():
            await session.execute(area_places.insert().values(code=f"{d}C", latitude=39.92, longitude=116.48,
                                                              updated_at=datetime.now(UTC)))

        async def registered():  # project-matching knows the unit once its events arrive
            body = {"kind": "service", "title": "上门助老服务", "provider_kind": "unit", "provider_id": unit_id,
                    "area_code": f"{d}C", "categories": ["elderly_care"], "capacity": 2}
            answer = await matching.post("/api/v1/resources", json=body, headers=admin)
            assert answer.status_code in (201, 422, 404), answer.text
            return answer.status_code == 201

        await eventually(registered, timeout_s=60)

        async def grid_known():
            return (await demand.get(f"/api/v1/areas/{d}G", headers=admin)).status_code == 200

        await eventually(grid_known, timeout_s=60)
        submitted = await demand.post("/api/v1/demands", headers=admin, json={
            "channel": "hotline", "category": "elderly_care", "description": "独居老人需要定期上门探访",
            "area_code": f"{d}G"})
        assert submitted.status_code == 201, submitted.text
        demand_id = submitted.json()["demand"]["id"]
        assert (await demand.post(f"/api/v1/demands/{demand_id}/accept", headers=admin)).status_code == 200

        async def listed():  # the accepted demand is on project-matching's demand list
            answer = await matching.get("/api/v1/demands", headers=admin)
            items = answer.json()["items"] if answer.status_code == 200 else []   # 404 until the axis arrives
            return any(i["demand_id"] == demand_id and i["state"] == "accepted" for i in items)

        await eventually(listed, timeout_s=60)
        now = datetime.now(UTC)
        round_ = await matching.post("/api/v1/matching/rounds", headers=admin, json={
            "area_code": f"{d}C", "period_start": now.isoformat(), "period_end": (now + timedelta(days=7)).isoformat(),
            "max_distance_km": 5})
        assert round_.status_code == 201, round_.text
        proposed = (await matching.get("/api/v1/matching/matches", params={"round_id": round_.json()["id"]},
                                       headers=admin)).json()["items"]
        [match] = [m for m in proposed if m["demand_id"] == demand_id]
        decided = await matching.post(f"/api/v1/matching/matches/{match['id']}/accept", headers=admin)
        assert decided.status_code == 200, decided.text
        async with matching.app_state.db.sessions() as session:   # the event names the provider
            [published] = (await session.execute(select(outbox.c.data).where(
                outbox.c.aggregate_id == match["id"], outbox.c.event_type == "match.accepted"))).scalars().all()
        assert (published["provider_kind"], published["provider_id"]) == ("unit", unit_id)

        async def assigned():
            got = (await demand.get(f"/api/v1/demands/{demand_id}", headers=admin)).json()
            return got["state"] == "assigned" and got

        got = await eventually(assigned, timeout_s=60)
        assert (got["assignee_unit_id"], got["assignee"]) == (unit_id, "社区卫生服务中心")
