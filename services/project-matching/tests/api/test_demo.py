"""The demo loader runs against the service's API and leaves projects, resources and a round."""

from datetime import UTC, datetime

import httpx
from sqlalchemy import select

from project_matching.demo import load_demo
from yizhou.axis_copy import area_copy
from yizhou.demo_district import SMALL, demo_areas


async def test_demo_loads_through_the_api(client, db, token):
    async with db.sessions() as session, session.begin():
        known = set((await session.execute(select(area_copy.c.code))).scalars())
        paths = {}
        for level in demo_areas(SMALL):
            for a in level:
                paths[a["code"]] = (paths[a["parent_code"]] if a["parent_code"] else "/") + a["code"] + "/"
                if a["code"] not in known:
                    await session.execute(area_copy.insert().values(
                        code=a["code"], name=a["name"], level=a["level"], parent_code=a["parent_code"],
                        path=paths[a["code"]], retired=False, updated_at=datetime.now(UTC)))
    transport = httpx.ASGITransport(app=client._transport.app)
    summary = await load_demo({"project-matching": "http://service"}, token("district_admin", "CY"), False,
                              transport=transport)
    assert "resources" in summary and "matching round" in summary
    admin = {"Authorization": f"Bearer {token('district_admin', 'CY')}"}
    figures = (await client.get("/api/v1/accountability", headers=admin)).json()
    assert figures["projects"] >= 9 and "government_purchase" in figures["money_by_funding_source"]
    resources = (await client.get("/api/v1/resources", params={"area_code": "CY01001"}, headers=admin)).json()
    assert len(resources["items"]) >= 3
