"""Demo data of the guarantee network, through the API: activity funds of the demo organizations
(income from the four sources, spending for activities and approved projects), a party-mass service
centre per community with bookings, the district's assessment weights and published subdistrict
scorecards. Needs organizations in the read copy (org-registry's demo); without them it only sets
the weights. Deterministic (seeded)."""

from __future__ import annotations

import asyncio
import random
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime, timedelta
from typing import Any

from project_matching.guarantee.domain.assessment import DEFAULT_WEIGHTS
from project_matching.guarantee.domain.venues import LOCAL

Call = Callable[..., Awaitable[dict]]
SOURCES = ("party_dues_returned", "district_allocation", "unit_contribution", "government_purchase")


async def organizations_by_community(call: Call, communities: list[dict], wait_s: float) -> dict[str, list[dict]]:
    """The read copy's organizations per community, waiting (up to `wait_s`) until every community has one."""
    deadline = asyncio.get_running_loop().time() + wait_s
    while True:
        found: dict[str, list[dict]] = {}
        after = None
        while True:
            page = await call("GET", "/api/v1/organizations?limit=1000" + (f"&after={after}" if after else ""))
            for o in page["items"]:
                found.setdefault(o["area_code"], []).append(o)
            after = page["next_cursor"]
            if not after:
                break
        if all(c["code"] in found for c in communities) or asyncio.get_running_loop().time() >= deadline:
            return found
        await asyncio.sleep(1)


async def load_guarantee_demo(call: Call, levels: list[list[dict]], rng: random.Random, real_size: bool,
                              approved_projects: dict[str, str], wait_s: float) -> str:
    year = datetime.now(UTC).year
    for kind, weights in DEFAULT_WEIGHTS.items():
        await call("PUT", f"/api/v1/assessment/weights/{year}/{kind}",
                   {"weights": {k: str(v) for k, v in weights.items()}})
    communities = levels[2][: 100 if real_size else None]
    by_community = await organizations_by_community(call, communities, wait_s)
    jobs: list[Awaitable[Any]] = []
    entries = venues = bookings = 0

    async def fund(org: dict, community: str) -> None:
        for source in rng.sample(SOURCES, 2):
            await call("POST", "/api/v1/funds/income", {"organization_id": org["organization_id"], "year": year,
                                                        "source": source,
                                                        "amount_yuan": f"{rng.randint(20, 200) * 100}.00"})
        await call("POST", "/api/v1/funds/spending", {"organization_id": org["organization_id"], "year": year,
                                                      "amount_yuan": f"{rng.randint(5, 15) * 100}.00",
                                                      "purpose": "activity", "activity": "Theme party day"})
        if community in approved_projects:
            await call("POST", "/api/v1/funds/spending", {
                "organization_id": org["organization_id"], "year": year, "amount_yuan": "1000.00",
                "purpose": "project", "project_id": approved_projects[community]})

    async def venue(owner: dict, community: dict) -> int:
        created = await call("POST", "/api/v1/venues", {
            "name": f"{community['name']} party-mass service centre", "kind": "party_mass_service_centre",
            "owner_organization_id": owner["organization_id"], "area_code": community["code"],
            "capacity": rng.choice((40, 60, 80)), "facilities": ["projector", "accessible_entrance"],
            "categories": ["culture_sports", "community_education", "elderly_care"],
            "opening_hours": [{"weekday": d, "opens": "09:00", "closes": "21:00"} for d in range(1, 7)]})
        monday = datetime.now(LOCAL).replace(hour=0, minute=0, second=0, microsecond=0)
        monday += timedelta(days=7 - monday.weekday())
        for k in range(2):
            start = monday + timedelta(days=k * 2, hours=14 + k)
            await call("POST", f"/api/v1/venues/{created['id']}/bookings", {
                "booker_kind": "organization", "booker_id": owner["organization_id"], "attendees": 30,
                "starts_at": start.isoformat(), "ends_at": (start + timedelta(hours=2)).isoformat(),
                "purpose": "Branch meeting"})
        return 2

    for community in communities:
        orgs = sorted(by_community.get(community["code"], []), key=lambda o: o["organization_id"])
        for org in orgs[:3]:
            jobs.append(fund(org, community["code"]))
            entries += 3 + (community["code"] in approved_projects)
        if orgs:
            jobs.append(venue(orgs[0], community))
            venues += 1
    booked = await asyncio.gather(*jobs)
    bookings = sum(b for b in booked if isinstance(b, int))
    published = 0
    if any(by_community.values()):
        for sub in levels[1]:
            await call("POST", "/api/v1/assessment/scorecards", {"subject_kind": "area", "subject_id": sub["code"],
                                                                 "year": year})
            published += 1
    return (f"{entries} fund entries, {venues} venues with {bookings} bookings, {published} published subdistrict "
            f"scorecards ({year} weights set)")
