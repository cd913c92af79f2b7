"""Pairings and their years."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from org_registry.store.tables import AreaRow, pairing_years, pairings


class PairingRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def add(self, values: dict[str, Any], now: datetime) -> None:
        await self.session.execute(pairings.insert().values(**values, created_at=now))

    async def get(self, pairing_id: str, for_update: bool = False) -> dict[str, Any] | None:
        query = (select(pairings, AreaRow.path.label("area_path")).join(AreaRow, AreaRow.code == pairings.c.area_code)
                 .where(pairings.c.id == pairing_id))
        row = (await self.session.execute(query.with_for_update(of=pairings) if for_update else query)).first()
        if row is None:
            return None
        return {**dict(row._mapping), "years": await self.years(pairing_id)}

    async def years(self, pairing_id: str) -> list[dict[str, Any]]:
        rows = await self.session.execute(select(pairing_years).where(pairing_years.c.pairing_id == pairing_id)
                                          .order_by(pairing_years.c.year))
        return [dict(r._mapping) for r in rows]

    async def add_year(self, values: dict[str, Any]) -> None:
        await self.session.execute(pairing_years.insert().values(**values))

    async def end(self, pairing_id: str, on: date) -> None:
        await self.session.execute(update(pairings).where(pairings.c.id == pairing_id).values(ended_on=on))

    async def list(self, *, under_path: str, organization_ids: list[str], kind: str | None, after: str | None,
                   limit: int) -> list[dict[str, Any]]:
        """Pairings whose partner or household lies in the subtree, or whose pairing organization is one of
        `organization_ids` (an agency above pairs with a community's organization)."""
        query = (select(pairings, AreaRow.path.label("area_path")).join(AreaRow, AreaRow.code == pairings.c.area_code)
                 .where(or_(AreaRow.path.startswith(under_path, autoescape=True),
                            pairings.c.organization_id.in_(organization_ids))))
        if kind is not None:
            query = query.where(pairings.c.kind == kind)
        if after is not None:
            query = query.where(pairings.c.id > after)
        rows = await self.session.execute(query.order_by(pairings.c.id).limit(limit))
        return [{**dict(r._mapping), "years": []} for r in rows]
