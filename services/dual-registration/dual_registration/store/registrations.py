"""Queries over registrations and their pairing-agreement commitments."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Select, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from dual_registration.domain.registration import ACTIVE, ExistingRegistration, RegistrationState
from dual_registration.store.tables import commitments, registrations


def scoped(query: Select, table, scope_path: str) -> Select:
    return query.where(table.c.community_path.startswith(scope_path, autoescape=True))


class RegistrationRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def active_of(self, kind: str, registrant_id: str) -> list[ExistingRegistration]:
        rows = (await self.session.execute(select(registrations).where(
            registrations.c.kind == kind, registrations.c.registrant_id == registrant_id,
            registrations.c.state.in_([s.value for s in ACTIVE])))).all()
        return [ExistingRegistration(r.id, r.community_code, RegistrationState(r.state)) for r in rows]

    async def approved_of(self, kind: str, registrant_id: str):
        return (await self.session.execute(select(registrations).where(
            registrations.c.kind == kind, registrations.c.registrant_id == registrant_id,
            registrations.c.state == RegistrationState.APPROVED.value))).first()

    async def get(self, registration_id: str, *, for_update: bool = False):
        query = select(registrations).where(registrations.c.id == registration_id)
        if for_update:
            query = query.with_for_update()
        return (await self.session.execute(query)).first()

    async def add(self, values: dict[str, Any], commitment_rows: list[dict[str, Any]]) -> None:
        await self.session.execute(registrations.insert().values(**values))
        if commitment_rows:
            await self.session.execute(commitments.insert(), commitment_rows)

    async def update(self, registration_id: str, **values: Any) -> None:
        await self.session.execute(update(registrations).where(registrations.c.id == registration_id).values(**values))

    async def commitments_of(self, ids: list[str]) -> dict[str, list[dict[str, Any]]]:
        found: dict[str, list[dict[str, Any]]] = {i: [] for i in ids}
        if not ids:
            return found
        rows = (await self.session.execute(select(commitments).where(commitments.c.registration_id.in_(ids))
                                           .order_by(commitments.c.registration_id, commitments.c.position))).all()
        for row in rows:
            found[row.registration_id].append(dict(row._mapping))
        return found

    async def list(self, *, scope_path: str, kind: str | None, state: str | None, community_code: str | None,
                   registrant_id: str | None, organization_id: str | None = None, after: str | None,
                   limit: int) -> list[dict[str, Any]]:
        query = scoped(select(registrations), registrations, scope_path)
        for column, value in (("kind", kind), ("state", state), ("community_code", community_code),
                              ("registrant_id", registrant_id), ("organization_id", organization_id)):
            if value is not None:
                query = query.where(registrations.c[column] == value)
        if after is not None:
            query = query.where(registrations.c.id > after)
        rows = (await self.session.execute(query.order_by(registrations.c.id).limit(limit))).all()
        return [dict(r._mapping) for r in rows]
