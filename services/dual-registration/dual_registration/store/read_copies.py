"""Upserts into the read copies and the lookups the use cases need."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Table, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from dual_registration.domain.registration import ACTIVE, KnownMember, KnownUnit
from dual_registration.store.tables import (demand_copy, member_copy, organization_copy, project_copy, registrations,
                                            unit_copy)
from yizhou.axis_copy import area_copy


async def upsert(session: AsyncSession, table: Table, key: str, key_value: str, values: dict[str, Any]) -> None:
    values = {**values, "updated_at": datetime.now(UTC)}
    exists = (await session.execute(select(table.c[key]).where(table.c[key] == key_value))).first()
    if exists is None:
        await session.execute(table.insert().values(**{key: key_value}, **values))
    else:
        await session.execute(update(table).where(table.c[key] == key_value).values(**values))


async def mark_member_left(session: AsyncSession, member_id: str) -> None:
    """A member who left (a thin `member.left`: the id only) may no longer register or claim."""
    await session.execute(update(member_copy).where(member_copy.c.member_id == member_id).values(left=True))


async def follow_organization(session: AsyncSession, kind: str, registrant_id: str,
                              organization_id: str | None) -> None:
    """Active registrations follow their registrant's party organization: one set up after the unit
    registered (or a member's transfer) receives the evaluations from then on. Losing cover keeps the
    last organization on record: the registration was made by (or for) it."""
    if organization_id is None:
        return
    await session.execute(update(registrations).where(
        registrations.c.kind == kind, registrations.c.registrant_id == registrant_id,
        registrations.c.state.in_([s.value for s in ACTIVE]),
        registrations.c.organization_id.is_distinct_from(organization_id)).values(organization_id=organization_id))


async def current_organization(session: AsyncSession, kind: str, registrant_id: str) -> str | None:
    """The registrant's party organization as org-registry last said (None: none known)."""
    table, key = (unit_copy, "unit_id") if kind == "unit" else (member_copy, "member_id")
    return (await session.execute(select(table.c.organization_id).where(table.c[key] == registrant_id))).scalar()


async def names_of(session: AsyncSession, *, unit_ids: list[str], organization_ids: list[str],
                   area_codes: list[str]) -> dict[str, dict[str, str]]:
    """Public names for exports: units, party organizations and areas by id (members have none here:
    their names are personal data and never copied)."""
    found: dict[str, dict[str, str]] = {"unit": {}, "organization": {}, "area": {}}
    for kind, table, key, ids in (("unit", unit_copy, "unit_id", unit_ids),
                                  ("organization", organization_copy, "organization_id", organization_ids),
                                  ("area", area_copy, "code", area_codes)):
        wanted = sorted(set(ids))
        for start in range(0, len(wanted), 500):  # bounded IN lists on every database
            rows = await session.execute(select(table.c[key], table.c.name).where(
                table.c[key].in_(wanted[start:start + 500])))
            found[kind].update({ident: name for ident, name in rows.all()})
    return found


async def known_unit(session: AsyncSession, unit_id: str) -> KnownUnit | None:
    row = (await session.execute(select(unit_copy).where(unit_copy.c.unit_id == unit_id))).first()
    return KnownUnit(row.unit_id, row.area_path, row.organization_id) if row else None


async def known_member(session: AsyncSession, member_id: str) -> KnownMember | None:
    row = (await session.execute(select(member_copy).where(member_copy.c.member_id == member_id))).first()
    if row is None:
        return None
    return KnownMember(row.member_id, row.organization_id, row.residence_area_path, row.in_service, row.left)


async def unit_row(session: AsyncSession, unit_id: str):
    return (await session.execute(select(unit_copy).where(unit_copy.c.unit_id == unit_id))).first()


async def member_row(session: AsyncSession, member_id: str):
    return (await session.execute(select(member_copy).where(member_copy.c.member_id == member_id))).first()


async def project_row(session: AsyncSession, project_id: str):
    return (await session.execute(select(project_copy).where(project_copy.c.project_id == project_id))).first()


async def demand_row(session: AsyncSession, demand_id: str):
    return (await session.execute(select(demand_copy).where(demand_copy.c.demand_id == demand_id))).first()


async def list_copies(session: AsyncSession, table: Table, key: str, *, scope_path: str, community_code: str | None,
                      after: str | None, limit: int, path_column: str = "area_path",
                      only: str | None = None) -> list[dict[str, Any]]:
    """Units or members under the caller's area, with the state of their current registration."""
    kind = "unit" if table is unit_copy else "member"
    current = (select(registrations.c.registrant_id, registrations.c.state)
               .where(registrations.c.kind == kind, registrations.c.state.in_(("pending", "approved")))
               .subquery())
    query = (select(table, current.c.state.label("registration_state"))
             .join(current, current.c.registrant_id == table.c[key], isouter=True)
             .where(table.c[path_column].startswith(scope_path, autoescape=True)))
    if community_code is not None:
        query = query.where(table.c.community_code == community_code)
    if only is not None:
        query = query.where(table.c[key] == only)
    if after is not None:
        query = query.where(table.c[key] > after)
    rows = (await session.execute(query.order_by(table.c[key]).limit(limit))).all()
    # A transfer in progress has two rows (approved + pending): keep the approved one.
    merged: dict[str, dict[str, Any]] = {}
    for row in rows:
        record = dict(row._mapping)
        if record[key] not in merged or record["registration_state"] == "approved":
            merged[record[key]] = record
    return list(merged.values())
