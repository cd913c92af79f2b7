"""Shared helpers of demand-intake's tests: an axis written straight into the service's own read
copy (pure API tests; flow tests get it through the broker), problem assertions, demand bodies."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime

from demand_intake.store.unit_copy import keep_unit
from yizhou.axis_copy import area_copy

PROBLEM = "application/problem+json"


async def make_axis(db, d: str) -> dict[str, str]:
    """District d > subdistricts S1, S2 > communities C1 (S1), C2 (S2) > grids G1, G2 (C1), G3 (C2)."""
    tree = [(d, "district", None), (f"{d}S1", "subdistrict", d), (f"{d}S2", "subdistrict", d),
            (f"{d}C1", "community", f"{d}S1"), (f"{d}C2", "community", f"{d}S2"),
            (f"{d}G1", "grid", f"{d}C1"), (f"{d}G2", "grid", f"{d}C1"), (f"{d}G3", "grid", f"{d}C2")]
    paths: dict[str, str] = {}
    async with db.sessions() as session, session.begin():
        for code, level, parent in tree:
            paths[code] = (paths[parent] if parent else "/") + code + "/"
            await session.execute(area_copy.insert().values(
                code=code, name=code, level=level, parent_code=parent, path=paths[code], retired=False,
                updated_at=datetime.now(UTC)))
    return {"d": d, "s1": f"{d}S1", "s2": f"{d}S2", "c1": f"{d}C1", "c2": f"{d}C2", "g1": f"{d}G1", "g2": f"{d}G2",
            "g3": f"{d}G3"}


def assert_problem(response, status: int, slug: str) -> dict:
    assert response.status_code == status, response.text
    assert response.headers["content-type"].startswith(PROBLEM), response.headers["content-type"]
    body = response.json()
    assert body["type"] == f"urn:yizhou:problem:{slug}", body
    assert body["status"] == status and body["detail"]
    return body


def demand_body(area: str, **over) -> dict:
    body = {"channel": "walk_around", "category": "elderly_care", "urgency": "normal",
            "description": "独居老人家中水龙头漏水，需要上门维修", "area_code": area,
            "latitude": 39.9087, "longitude": 116.4605, "address": "建外街道1号院3号楼2单元",
            "resident": {"name": "张桂兰", "phone": "13800138000"}, "priority_household": "elderly_alone"}
    body.update(over)
    return body


async def make_unit(db, area_code: str, name: str, kind: str = "agency") -> str:
    """A unit registered in org-registry, as this service's copy has it from the unit events."""
    unit_id = f"u-{uuid.uuid4().hex[:12]}"
    async with db.sessions() as session, session.begin():
        await keep_unit(session, unit_id=unit_id, name=name, kind=kind, area_code=area_code, now=datetime.now(UTC))
    return unit_id
