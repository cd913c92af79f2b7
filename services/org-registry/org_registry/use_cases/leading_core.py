"""The leading core of an area subtree: its areas with their leading organizations, the ones without,
and the share led per level (from current data, in one snapshot)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

from org_registry.domain.area import LEVELS
from org_registry.domain.leading_core import LedArea, LevelCount
from org_registry.store.areas import AreaRepository
from org_registry.store.leading_core import led_areas, level_counts
from yizhou.auth import AreaScope
from yizhou.axis_events import Level
from yizhou.database import Database
from yizhou.errors import NotFound


@dataclass(frozen=True)
class LeadingCore:
    as_of: datetime
    area_code: str
    levels: list[LevelCount]
    areas: list[LedArea]


async def leading_core(db: Database, scope: AreaScope, *, under: str | None, level: Level | None, missing: bool,
                       after: str | None, limit: int) -> LeadingCore:
    async with db.sessions() as session, session.begin():
        code = under or scope.caller.area
        area = await AreaRepository(session).get(code)
        if area is None or not scope.covers(area.path):
            raise NotFound(f"No area '{code}' in your scope.")
        as_of = datetime.now(UTC)
        counts = {c.level: c for c in await level_counts(session, area.path)}
        areas = await led_areas(session, under_path=area.path, level=level.value if level else None, missing=missing,
                                after=after, limit=limit)
    levels = [counts.get(lv.value, LevelCount(lv.value, 0, 0)) for lv in LEVELS if lv.value in counts]
    return LeadingCore(as_of=as_of, area_code=area.code, levels=levels, areas=areas)
