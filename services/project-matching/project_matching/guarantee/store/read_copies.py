"""The guarantee network's copies of other services' records (organizations, units, members,
registrations, confirmed services, evaluations, demand facts), written only from their events.

Each write is an upsert keyed by the record's id, so a redelivery or a replay changes nothing."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Table, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from project_matching.guarantee.store.tables import (demand_facts, evaluation_facts, member_copy, organization_copy,
                                                     registration_facts, service_facts, unit_copy)


async def upsert(session: AsyncSession, table: Table, key: dict[str, Any], values: dict[str, Any]) -> None:
    where = [table.c[k] == v for k, v in key.items()]
    if (await session.execute(select(*[table.c[k] for k in key]).where(*where))).first():
        await session.execute(update(table).where(*where).values(**values))
    else:
        await session.execute(table.insert().values(**key, **values))


async def keep_organization(session: AsyncSession, organization_id: str, values: dict[str, Any]) -> None:
    await upsert(session, organization_copy, {"organization_id": organization_id}, values)


async def keep_unit(session: AsyncSession, unit_id: str, values: dict[str, Any]) -> None:
    await upsert(session, unit_copy, {"unit_id": unit_id}, values)


async def keep_member(session: AsyncSession, member_id: str, values: dict[str, Any]) -> None:
    await upsert(session, member_copy, {"member_id": member_id}, values)


async def unit_path(session: AsyncSession, unit_id: str) -> str | None:
    """Where a unit sits on the axis (its copy), or None for a unit this service has not heard of."""
    return (await session.execute(select(unit_copy.c.area_path).where(unit_copy.c.unit_id == unit_id))).scalar()


async def member_home(session: AsyncSession, member_id: str) -> str | None:
    """Where an active member lives (its copy), or None."""
    return (await session.execute(select(member_copy.c.residence_path).where(
        member_copy.c.member_id == member_id, member_copy.c.active.is_(True)))).scalar()


async def keep_registration(session: AsyncSession, registrant_kind: str, registrant_id: str,
                            values: dict[str, Any]) -> None:
    """The current registration of a unit or member (a transfer replaces the member's row)."""
    await upsert(session, registration_facts, {"registrant_kind": registrant_kind, "registrant_id": registrant_id},
                 values)


async def keep_service(session: AsyncSession, service_id: str, values: dict[str, Any]) -> None:
    await upsert(session, service_facts, {"service_id": service_id}, values)


async def keep_evaluation(session: AsyncSession, evaluation_id: str, values: dict[str, Any]) -> None:
    await upsert(session, evaluation_facts, {"evaluation_id": evaluation_id}, values)


async def demand_fact(session: AsyncSession, demand_id: str) -> Any | None:
    """The demand's row of facts (`responded`, `respond_overdue`, `feedback`, ...), or None."""
    return (await session.execute(select(demand_facts).where(demand_facts.c.demand_id == demand_id))).first()


async def add_demand_fact(session: AsyncSession, values: dict[str, Any]) -> None:
    await session.execute(demand_facts.insert().values(**values))


async def change_demand_fact(session: AsyncSession, demand_id: str, values: dict[str, Any]) -> None:
    await session.execute(update(demand_facts).where(demand_facts.c.demand_id == demand_id).values(**values))
