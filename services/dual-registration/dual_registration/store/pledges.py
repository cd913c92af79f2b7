"""Queries over pledges (承诺—践诺—评诺)."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from dual_registration.store.tables import organization_copy, pledges


class PledgeRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def add(self, values: dict[str, Any]) -> None:
        await self.session.execute(pledges.insert().values(**values))

    async def get(self, pledge_id: str, *, for_update: bool = False):
        query = select(pledges).where(pledges.c.id == pledge_id)
        return (await self.session.execute(query.with_for_update() if for_update else query)).first()

    async def exists_for(self, pledger_kind: str, pledger_id: str, year: int, community_code: str) -> bool:
        return (await self.session.execute(select(pledges.c.id).where(
            pledges.c.pledger_kind == pledger_kind, pledges.c.pledger_id == pledger_id, pledges.c.year == year,
            pledges.c.community_code == community_code))).first() is not None

    async def change(self, pledge_id: str, values: dict[str, Any]) -> None:
        await self.session.execute(update(pledges).where(pledges.c.id == pledge_id).values(**values))

    async def list(self, *, scope_path: str, pledger_kind: str | None, pledger_id: str | None,
                   organization_id: str | None, community_code: str | None, year: int | None, state: str | None,
                   after: str | None, limit: int) -> list[dict[str, Any]]:
        """Pledges in the scope with their organization's public name (None: not known here)."""
        query = (select(pledges, organization_copy.c.name.label("organization_name"))
                 .outerjoin(organization_copy, organization_copy.c.organization_id == pledges.c.organization_id)
                 .where(pledges.c.community_path.startswith(scope_path, autoescape=True)))
        for column, value in (("pledger_kind", pledger_kind), ("pledger_id", pledger_id),
                              ("organization_id", organization_id), ("community_code", community_code),
                              ("year", year), ("state", state)):
            if value is not None:
                query = query.where(pledges.c[column] == value)
        if after is not None:
            query = query.where(pledges.c.id > after)
        rows = (await self.session.execute(query.order_by(pledges.c.id).limit(limit))).all()
        return [dict(r._mapping) for r in rows]


async def organization_row(session: AsyncSession, organization_id: str):
    return (await session.execute(select(organization_copy).where(
        organization_copy.c.organization_id == organization_id))).first()
