"""The demo loader runs against the service's API and leaves projects, resources, a round, and the
guarantee network's funds, venues and published scorecards."""

from datetime import UTC, datetime

import httpx
from sqlalchemy import select

from project_matching.demo import load_demo
from project_matching.guarantee.store.tables import organization_copy
from yizhou.axis_copy import area_copy
from yizhou_platform.demo_district import SMALL, demo_areas


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
        # org-registry's demo organizations, as its events would leave them in the read copy.
        have = set((await session.execute(select(organization_copy.c.organization_id))).scalars())
        for a in demo_areas(SMALL)[2]:
            if f"o-demo-{a['code']}-tech" not in have:
                await session.execute(organization_copy.insert().values(
                    organization_id=f"o-demo-{a['code']}-tech", name=f"{a['name']} Tech Co. Party Branch",
                    kind="branch", area_code=a["code"], area_path=paths[a["code"]], parent_organization_id=None,
                    dissolved=False, updated_at=datetime.now(UTC)))
    transport = httpx.ASGITransport(app=client._transport.app)
    summary = await load_demo({"project-matching": "http://service"}, token("district_admin", "CY"), False,
                              transport=transport)
    assert "resources" in summary and "matching round" in summary and "venues with" in summary
    admin = {"Authorization": f"Bearer {token('district_admin', 'CY')}"}
    figures = (await client.get("/api/v1/accountability", headers=admin)).json()
    assert figures["projects"] >= 9 and "government_purchase" in figures["money_by_funding_source"]
    resources = (await client.get("/api/v1/resources", params={"under": "CY01001"}, headers=admin)).json()
    assert len(resources["items"]) >= 3
    year = datetime.now(UTC).year
    funds = (await client.get("/api/v1/funds/statements/areas/CY", params={"year": year}, headers=admin)).json()
    assert funds["income_yuan"] > funds["spending_yuan"] > 0 and funds["spending_by_purpose_yuan"]["project"] > 0
    venues = (await client.get("/api/v1/venues", params={"under": "CY01001"}, headers=admin)).json()["items"]
    assert venues and venues[0]["kind"] == "party_mass_service_centre"
    cards = (await client.get("/api/v1/assessment/scorecards", params={"year": year}, headers=admin)).json()["items"]
    assert {c["subject_id"] for c in cards} >= {a["code"] for a in demo_areas(SMALL)[1]}
