"""Areas beside their active leading organization (one outer join), and the counts per level."""

from __future__ import annotations

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from org_registry.domain.leading_core import LedArea, LevelCount
from org_registry.domain.organization import LEADING_MODES
from org_registry.store.areas import to_area
from org_registry.store.tables import AreaRow, organizations

_MODES = sorted(m.value for m in LEADING_MODES)


def _leaders():
    return (select(organizations.c.area_code, organizations.c.id, organizations.c.name)
            .where(organizations.c.setup_mode.in_(_MODES), organizations.c.dissolved_on.is_(None)).subquery())


async def leader_of(session: AsyncSession, area_code: str) -> str | None:
    """The id of the area's active leading organization, if it has one."""
    query = (select(organizations.c.id).where(organizations.c.area_code == area_code,
                                              organizations.c.setup_mode.in_(_MODES),
                                              organizations.c.dissolved_on.is_(None)).limit(1))
    return (await session.execute(query)).scalar_one_or_none()


async def led_areas(session: AsyncSession, *, under_path: str, level: str | None, missing: bool,
                    after: str | None, limit: int) -> list[LedArea]:
    leaders = _leaders()
    query = (select(AreaRow, leaders.c.id, leaders.c.name).outerjoin(leaders, leaders.c.area_code == AreaRow.code)
             .where(AreaRow.path.startswith(under_path, autoescape=True), AreaRow.retired_at.is_(None)))
    if level is not None:
        query = query.where(AreaRow.level == level)
    if missing:
        query = query.where(leaders.c.id.is_(None))
    if after is not None:
        query = query.where(AreaRow.path > after)
    rows = await session.execute(query.order_by(AreaRow.path).limit(limit))
    return [LedArea(to_area(row), leader_id, name) for row, leader_id, name in rows]


async def level_counts(session: AsyncSession, under_path: str) -> list[LevelCount]:
    leaders = _leaders()
    query = (select(AreaRow.level, func.count().label("areas"), func.count(leaders.c.id).label("led"))
             .outerjoin(leaders, leaders.c.area_code == AreaRow.code)
             .where(AreaRow.path.startswith(under_path, autoescape=True), AreaRow.retired_at.is_(None))
             .group_by(AreaRow.level))
    return [LevelCount(r.level, r.areas, r.led) for r in await session.execute(query)]
