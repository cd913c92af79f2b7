"""The areas of one level in a subtree, from this service's copy of the axis (the rankings' rows)."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from yizhou.axis_copy import area_copy


async def areas_at_level(session: AsyncSession, under_path: str, level: str) -> list[tuple[str, str, str]]:
    """(code, name, path) of the live (not retired) areas of `level` in the subtree at `under_path`."""
    a = area_copy.c
    # A prefix match, not a key range: the axis copy's paths carry no byte collation on PostgreSQL.
    rows = await session.execute(select(a.code, a.name, a.path).where(
        a.path.startswith(under_path, autoescape=True), a.level == level, a.retired.is_(False)).order_by(a.code))
    return [(r.code, r.name, r.path) for r in rows]
