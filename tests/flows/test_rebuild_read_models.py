"""`yizhou rebuild <service>`: a read model damaged or lost is rebuilt from the topics, the same."""

from sqlalchemy import delete, select, update

from demand_intake.app import create_app as demand_app
from demand_intake.settings import Settings as DemandSettings
from org_registry.app import create_app as org_app
from org_registry.settings import Settings as OrgSettings
from yizhou.axis_copy import area_copy
from yizhou.rebuild import rebuild
from yizhou_platform.testing import eventually, serve


async def test_rebuild_restores_the_axis_copy(make_settings, auth, unique_code):
    d = unique_code("R")
    admin = auth("district_admin", d)
    settings = make_settings(DemandSettings)
    async with serve(org_app(make_settings(OrgSettings))) as org, serve(demand_app(settings)) as demand:
        for area in [{"code": d, "name": "Rebuild District", "level": "district"},
                     {"code": f"{d}S1", "name": "North", "level": "subdistrict", "parent_code": d},
                     {"code": f"{d}S2", "name": "South", "level": "subdistrict", "parent_code": d}]:
            assert (await org.post("/api/v1/areas", json=area, headers=admin)).status_code == 201
        assert (await org.post(f"/api/v1/areas/{d}S2/retire", headers=admin)).status_code == 200
        db = demand.app_state.db

        async def copy():
            async with db.sessions() as session:
                rows = (await session.execute(select(area_copy.c.code, area_copy.c.name, area_copy.c.retired)
                                              .where(area_copy.c.path.startswith(f"/{d}/")).order_by(area_copy.c.code))).all()
            return [tuple(r) for r in rows]

        expected = [(d, "Rebuild District", False), (f"{d}S1", "North", False), (f"{d}S2", "South", True)]
        await eventually(lambda: _equals(copy, expected), timeout_s=60)

    # Damage the read model while the service is down: a lost row and a wrong one.
    async with db.sessions() as session, session.begin():
        await session.execute(delete(area_copy).where(area_copy.c.code == f"{d}S1"))
        await session.execute(update(area_copy).where(area_copy.c.code == d).values(name="Wrong"))
    report = await rebuild("demand_intake", settings)
    assert report.cleared["area_copy"] >= 2 and report.records >= 4
    assert report.outcomes["applied"] >= 4
    async with serve(demand_app(settings)) as demand:
        db = demand.app_state.db
        assert await copy() == expected


async def _equals(fetch, expected):
    return await fetch() == expected
