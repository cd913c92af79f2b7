"""Helpers of project-matching's tests: an axis (with places) written straight into the service's
own tables for pure API tests, demands in its demand list, problem assertions."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime

from project_matching.store.tables import area_places, demand_copy
from yizhou.axis_copy import area_copy

PROBLEM = "application/problem+json"


async def make_axis(db, d: str) -> dict[str, str]:
    """District d > S1, S2 > C1 (S1), C2 (S2) > G1, G2 (C1), G3 (C2); grids ~600 m apart, C2 far away."""
    tree = [(d, "district", None, None), (f"{d}S1", "subdistrict", d, None), (f"{d}S2", "subdistrict", d, None),
            (f"{d}C1", "community", f"{d}S1", (39.9200, 116.4800)), (f"{d}C2", "community", f"{d}S2", (39.9800, 116.6000)),
            (f"{d}G1", "grid", f"{d}C1", (39.9200, 116.4800)), (f"{d}G2", "grid", f"{d}C1", (39.9254, 116.4800)),
            (f"{d}G3", "grid", f"{d}C2", (39.9800, 116.6000))]
    paths: dict[str, str] = {}
    now = datetime.now(UTC)
    async with db.sessions() as session, session.begin():
        for code, level, parent, place in tree:
            paths[code] = (paths[parent] if parent else "/") + code + "/"
            await session.execute(area_copy.insert().values(code=code, name=code, level=level, parent_code=parent,
                                                            path=paths[code], retired=False, updated_at=now))
            if place:
                await session.execute(area_places.insert().values(code=code, latitude=place[0], longitude=place[1],
                                                                  updated_at=now))
    return {"d": d, "s1": f"{d}S1", "s2": f"{d}S2", "c1": f"{d}C1", "c2": f"{d}C2", "g1": f"{d}G1", "g2": f"{d}G2",
            "g3": f"{d}G3", "paths": paths}


async def add_demand(db, axis, grid: str, category: str = "elderly_care", household: str | None = None,
                     state: str = "accepted") -> str:
    demand_id = str(uuid.uuid4())
    async with db.sessions() as session, session.begin():
        await session.execute(demand_copy.insert().values(
            demand_id=demand_id, area_code=axis[grid], area_path=axis["paths"][axis[grid]], category=category,
            state=state, priority_household=household, urgency="normal", updated_at=datetime.now(UTC)))
    return demand_id


def assert_problem(response, status: int, slug: str) -> dict:
    assert response.status_code == status, response.text
    assert response.headers["content-type"].startswith(PROBLEM), response.headers["content-type"]
    body = response.json()
    assert body["type"] == f"urn:yizhou:problem:{slug}", body
    return body


def resource_body(area: str, **over) -> dict:
    body = {"kind": "service", "title": "Home visits by the community health station", "provider_kind":
            "service_alliance", "provider_id": "alliance-7", "area_code": area, "categories": ["elderly_care"],
            "capacity": 1}
    body.update(over)
    return body


DESIGN = {"goals": ["Weekly visits for elderly residents living alone"], "linked_demand_ids": [],
          "beneficiaries_planned": 30,
          "budget_lines": [{"item": "Visits", "amount_yuan": "10000.00", "funding_source": "government_purchase"},
                           {"item": "Supplies", "amount_yuan": "2000.50", "funding_source": "unit_funds"}],
          "milestones": [{"title": "Team formed", "weight": 25}, {"title": "Visits done", "weight": 75}]}
