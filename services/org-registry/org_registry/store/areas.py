"""Queries over the areas table; rows come out as domain `Area`s."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import String, func, literal, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from org_registry.domain.area import Area
from org_registry.store.tables import AreaRow
from yizhou.axis_events import AreaKind, Level


def to_area(row: AreaRow) -> Area:
    return Area(code=row.code, name=row.name, level=Level(row.level), parent_code=row.parent_code,
                path=row.path, retired_at=row.retired_at, kind=AreaKind(row.kind) if row.kind else None)


class AreaRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def get(self, code: str) -> Area | None:
        row = await self.session.get(AreaRow, code)
        return to_area(row) if row else None

    async def path_of(self, code: str) -> str | None:
        return (await self.session.execute(select(AreaRow.path).where(AreaRow.code == code))).scalar_one_or_none()

    async def add(self, area: Area, now: datetime) -> None:
        self.session.add(AreaRow(code=area.code, name=area.name, level=area.level.value, parent_code=area.parent_code,
                                 kind=area.area_kind.value, path=area.path, created_at=now, updated_at=now))

    async def rename(self, code: str, name: str, now: datetime) -> None:
        await self.session.execute(update(AreaRow).where(AreaRow.code == code).values(name=name, updated_at=now))

    async def retire(self, code: str, now: datetime) -> None:
        await self.session.execute(update(AreaRow).where(AreaRow.code == code).values(retired_at=now, updated_at=now))

    async def move(self, area: Area, new_parent_code: str, new_path: str, now: datetime) -> None:
        """Re-parents the area and rewrites the path prefix of its whole subtree in one statement."""
        await self.session.execute(
            update(AreaRow)
            .where(AreaRow.path.startswith(area.path, autoescape=True))
            .values(path=literal(new_path, String).concat(func.substr(AreaRow.path, len(area.path) + 1, type_=String)),
                    updated_at=now)
        )
        await self.session.execute(update(AreaRow).where(AreaRow.code == area.code).values(parent_code=new_parent_code))

    async def count_active_children(self, code: str) -> int:
        query = select(func.count()).where(AreaRow.parent_code == code, AreaRow.retired_at.is_(None))
        return (await self.session.execute(query)).scalar_one()

    async def list(self, *, under_path: str, level: Level | None = None, parent_code: str | None = None,
                   include_retired: bool = False, after: str | None = None, limit: int = 200) -> list[Area]:
        query = select(AreaRow).where(AreaRow.path.startswith(under_path, autoescape=True))
        if level is not None:
            query = query.where(AreaRow.level == level.value)
        if parent_code is not None:
            query = query.where(AreaRow.parent_code == parent_code)
        if not include_retired:
            query = query.where(AreaRow.retired_at.is_(None))
        if after is not None:
            query = query.where(AreaRow.path > after)
        rows = (await self.session.execute(query.order_by(AreaRow.path).limit(limit))).scalars().all()
        return [to_area(r) for r in rows]

    async def by_codes(self, codes: list[str]) -> list[Area]:
        rows = (await self.session.execute(select(AreaRow).where(AreaRow.code.in_(codes)))).scalars().all()
        by_code = {r.code: to_area(r) for r in rows}
        return [by_code[c] for c in codes if c in by_code]

    async def subtree(self, path: str) -> dict[str, tuple[str, bool]]:
        """code -> (path, retired) of every area under `path` (the axis is small: a district has ~1.5k areas)."""
        query = select(AreaRow.code, AreaRow.path, AreaRow.retired_at).where(AreaRow.path.startswith(path, autoescape=True))
        return {r.code: (r.path, r.retired_at is not None) for r in await self.session.execute(query)}
