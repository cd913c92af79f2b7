"""Demo data of project-matching, through its own API: places for the demo areas, resources in
every community, projects at every step, one matching round over whatever demands demand-intake's
demo has sent by then, and the guarantee network's funds, venues and scorecards (`guarantee/demo.py`).
Deterministic (seeded)."""

from __future__ import annotations

import asyncio
import random
from datetime import UTC, datetime, timedelta

import httpx

from project_matching.guarantee.demo import load_guarantee_demo
from yizhou.contracts.categories import SERVICE_CATEGORIES
from yizhou_platform.demo_district import DISTRICT, REAL, SMALL, demo_areas, demo_client

CENTRE = (39.9215, 116.4860)  # Chaoyang District


async def _wait_for_axis(client: httpx.AsyncClient, expected: int, timeout_s: float = 120) -> None:
    deadline = asyncio.get_running_loop().time() + timeout_s
    while asyncio.get_running_loop().time() < deadline:
        response = await client.get("/api/v1/areas", params={"limit": 1000})
        seen, page = 0, response
        while page.status_code == 200:
            body = page.json()
            seen += len(body["items"])
            if not body["next_cursor"]:
                break
            page = await client.get("/api/v1/areas", params={"limit": 1000, "after": body["next_cursor"]})
        if seen >= expected:
            return
        await asyncio.sleep(0.5)
    raise RuntimeError("project-matching's read copy of the axis did not fill in time")


async def load_demo(urls: dict[str, str], token: str, real_size: bool, *,
                    transport: httpx.AsyncBaseTransport | None = None) -> str:
    rng = random.Random(2026)
    levels = demo_areas(REAL if real_size else SMALL)
    cats = list(SERVICE_CATEGORIES)
    async with (demo_client(urls["project-matching"], token) if transport is None else
                httpx.AsyncClient(base_url=urls["project-matching"], headers={"Authorization": f"Bearer {token}"},
                                  timeout=60, transport=transport)) as client:
        await _wait_for_axis(client, sum(len(level) for level in levels))
        limit = asyncio.Semaphore(8)

        async def call(method: str, path: str, body=None) -> dict:
            async with limit:
                response = await client.request(method, path, json=body)
            if response.status_code >= 400:
                raise RuntimeError(f"{method} {path}: {response.status_code} {response.text}")
            return response.json() if response.content else {}

        # Places: subdistricts on a ring, communities around them, grids around their community.
        places = {DISTRICT[0]: CENTRE}
        for level in levels[1:]:
            spread = {"subdistrict": 0.06, "community": 0.012, "grid": 0.004}[level[0]["level"]]
            for area in level:
                lat, lon = places[area["parent_code"]]
                places[area["code"]] = (lat + rng.uniform(-spread, spread), lon + rng.uniform(-spread, spread))
        await asyncio.gather(*(call("PUT", f"/api/v1/area-places/{code}", {"latitude": p[0], "longitude": p[1]})
                               for code, p in places.items()))
        resources = []
        for community in levels[2]:
            code = community["code"]
            resources += [
                {"kind": "venue", "title": f"{community['name']} activity room", "provider_kind": "community",
                 "area_code": code, "categories": ["culture_sports", "community_education"], "capacity": 6},
                {"kind": "service", "title": "Home visits by the health station", "provider_kind": "service_alliance",
                 "provider_id": f"alliance-{code}", "area_code": code, "categories": ["elderly_care", "health"],
                 "capacity": rng.randint(2, 6)},
                {"kind": "volunteer_hours", "title": "Repair volunteers", "provider_kind": "social_organization",
                 "area_code": code, "categories": rng.sample(cats, 3) + ["housing_repair"], "skills": ["repair"],
                 "capacity": rng.randint(2, 8)}]
        for sub in levels[1]:
            # No provider id: a unit named must be one org-registry registered (this demo may run alone).
            resources.append({"kind": "money", "title": "Unit funds for community projects", "provider_kind": "unit",
                              "area_code": sub["code"],
                              "categories": ["elderly_care"], "amount_yuan": "50000.00"})
        await asyncio.gather(*(call("POST", "/api/v1/resources", r) for r in resources))
        design = {"goals": ["Regular service for the community's priority households"], "beneficiaries_planned": 40,
                  "budget_lines": [{"item": "Purchased service", "amount_yuan": "40000.00",
                                    "funding_source": "government_purchase"},
                                   {"item": "Materials", "amount_yuan": "6000.00", "funding_source": "social_funds"}],
                  "milestones": [{"title": "Provider contracted", "weight": 30}, {"title": "Service delivered",
                                                                                   "weight": 70}]}
        steps = [("PUT", "design", design), ("POST", "submit", None), ("POST", "reviews", {"score": 85}),
                 ("POST", "decision", {"decision": "approve", "reasons": ["Meets a clustered need"]}),
                 ("POST", "start", None), ("POST", "spending", {"amount_yuan": "15000.00", "line_id": "L1"}),
                 ("POST", "milestones/M1/complete", None), ("POST", "milestones/M2/complete", None),
                 ("POST", "complete", None),
                 ("POST", "evaluation", {"outcome": "Delivered as planned", "beneficiaries_reached": 42,
                                         "satisfaction_percent": 96})]
        projects = 0
        approved: dict[str, str] = {}  # community -> a project approved or later (funds may go to it)
        for k, community in enumerate(levels[2][: 9 if not real_size else 60]):
            project = await call("POST", "/api/v1/projects", {
                "title": f"{SERVICE_CATEGORIES[cats[k % len(cats)]]} in {community['name']}",
                "area_code": community["code"], "category": cats[k % len(cats)]})
            done = steps[: (k * 3) % (len(steps) + 1)]
            for method, path, body in done:
                await call(method, f"/api/v1/projects/{project['id']}/{path}", body)
            if len(done) >= 4:
                approved[community["code"]] = project["id"]
            projects += 1
        start = datetime.now(UTC).replace(hour=0, minute=0, second=0, microsecond=0)
        round_ = await call("POST", "/api/v1/matching/rounds", {
            "area_code": DISTRICT[0], "period_start": start.isoformat(),
            "period_end": (start + timedelta(days=7)).isoformat()})
        guarantee = await load_guarantee_demo(call, levels, rng, real_size, approved,
                                              wait_s=120 if "org-registry" in urls else 0)
    stats = round_["stats"]
    return (f"{len(places)} area places, {len(resources)} resources, {projects} projects at every step, one matching "
            f"round: {stats['proposed']} of {stats['demands_considered']} open demands matched; guarantee network: "
            f"{guarantee}")
