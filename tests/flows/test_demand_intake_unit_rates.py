"""A demand assigned to a unit registered in org-registry: demand-intake learns the unit from
org-registry's events, the assignment carries the unit's id (named after the unit unless a name is
given) to the partner stream too, and the unit's rates and backlog count its demands by that id, also
after the unit is renamed."""

from __future__ import annotations

from sqlalchemy import select

from demand_intake.app import create_app as demand_app
from demand_intake.settings import Settings as DemandSettings
from demand_intake.store.tables import UnitCopyRow
from org_registry.app import create_app as org_app
from org_registry.settings import Settings as OrgSettings
from yizhou.messaging_tables import outbox
from yizhou_platform.testing import eventually, serve


async def test_a_units_rates_count_the_demands_assigned_to_it_by_id(make_settings, auth, unique_code):
    d = unique_code("UA")
    admin = auth("district_admin", d)
    async with serve(org_app(make_settings(OrgSettings))) as org, \
            serve(demand_app(make_settings(DemandSettings, sweeper_enabled=False))) as demand:
        for area in [{"code": d, "name": "Unit District", "level": "district"},
                     {"code": f"{d}S", "name": "Street", "level": "subdistrict", "parent_code": d},
                     {"code": f"{d}C", "name": "Community", "level": "community", "parent_code": f"{d}S"},
                     {"code": f"{d}G", "name": "Grid", "level": "grid", "parent_code": f"{d}C"}]:
            assert (await org.post("/api/v1/areas", json=area, headers=admin)).status_code == 201
        unit = (await org.post("/api/v1/units", json={"name": "区住建委", "kind": "agency", "area_code": f"{d}S",
                                                      "headcount": 120, "members_among_staff": 30}, headers=admin)).json()
        db = demand.app_state.db

        async def known(name: str):  # the axis and the unit reach demand-intake through the broker
            async with db.sessions() as session:
                row = (await session.execute(select(UnitCopyRow).where(UnitCopyRow.unit_id == unit["id"]))).scalar()
            grid = await demand.get(f"/api/v1/areas/{d}G", headers=admin)
            return row is not None and row.name == name and grid.status_code == 200

        await eventually(lambda: known("区住建委"), timeout_s=60)

        async def accepted_demand() -> str:
            body = {"channel": "hotline", "category": "public_space", "description": f"路灯不亮 {unique_code('x')}",
                    "area_code": f"{d}G"}
            demand_id = (await demand.post("/api/v1/demands", json=body, headers=admin)).json()["demand"]["id"]
            assert (await demand.post(f"/api/v1/demands/{demand_id}/accept", headers=admin)).status_code == 200
            return demand_id

        first, second, third = [await accepted_demand() for _ in range(3)]
        by_id = await demand.post(f"/api/v1/demands/{first}/assign", json={"unit_id": unit["id"]}, headers=admin)
        assert by_id.status_code == 200, by_id.text
        assert (by_id.json()["assignee"], by_id.json()["assignee_unit_id"]) == ("区住建委", unit["id"])
        async with db.sessions() as session:   # partner agencies (the unit itself) see which unit, not the free text
            views = (await session.execute(select(outbox.c.data).where(
                outbox.c.aggregate_id == first, outbox.c.event_type == "partner.demand.changed"))).scalars().all()
        [assigned] = [v for v in views if v["change"] == "demand.assigned"]
        assert assigned["assignee_unit_id"] == unit["id"] and "assignee" not in assigned
        named = await demand.post(f"/api/v1/demands/{second}/assign",
                                  json={"unit_id": unit["id"], "assignee": "区住建委物业科"}, headers=admin)
        assert (named.json()["assignee"], named.json()["assignee_unit_id"]) == ("区住建委物业科", unit["id"])
        by_name = await demand.post(f"/api/v1/demands/{third}/assign", json={"assignee": "区住建委"}, headers=admin)
        assert by_name.json()["assignee_unit_id"] is None   # a name alone is not the registered unit
        unknown = await demand.post(f"/api/v1/demands/{third}/assign", json={"unit_id": "u-nowhere"}, headers=admin)
        assert unknown.status_code == 422 and unknown.json()["type"].endswith("unknown-reference")
        neither = await demand.post(f"/api/v1/demands/{third}/assign", json={}, headers=admin)
        assert neither.status_code == 422 and neither.json()["type"].endswith("validation")

        # Renamed in org-registry: the copy follows, and the unit's demands still count by its id.
        renamed = await org.patch(f"/api/v1/units/{unit['id']}", json={"name": "区住房和城乡建设委员会"}, headers=admin)
        assert renamed.status_code == 200, renamed.text
        await eventually(lambda: known("区住房和城乡建设委员会"), timeout_s=60)

        async def counted():
            rates = await demand.get("/api/v1/rates", params={"under": d, "period": by_id.json()["submitted_at"][:4],
                                                              "unit_id": unit["id"]}, headers=admin)
            assert rates.status_code == 200, rates.text
            backlog = await demand.get("/api/v1/backlog", params={"under": d, "unit_id": unit["id"]}, headers=admin)
            ids = {f["demand_id"] for f in backlog.json()["items"]}
            return rates.json()["submitted"] == 2 and rates.json()["unit_id"] == unit["id"] and ids == {first, second}

        await eventually(counted, timeout_s=60)
        by_text = await demand.get("/api/v1/rates", params={"under": d, "period": by_id.json()["submitted_at"][:4],
                                                            "assignee": "区住建委"}, headers=admin)
        assert by_text.json()["submitted"] == 2    # by name: the first (named after the unit then) and the third
        bad = await demand.get("/api/v1/rates", params={"period": "2026", "unit_id": "bad id!"}, headers=admin)
        assert bad.status_code == 422
