"""Recording income and spending of organizations' activity funds, and the yearly statements."""

from __future__ import annotations

import uuid
from datetime import UTC, date, datetime, tzinfo
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from project_matching.guarantee.domain.errors import FundRuleViolation, InsufficientFunds
from project_matching.guarantee.domain.funds import (FUNDABLE_PROJECT_STATES, Entry, check_entry, check_spending,
                                                     check_year, spend, totals)
from project_matching.guarantee.store.funds import FundRepository, Organization, organization, organizations_under
from project_matching.store.tables import projects
from project_matching.use_cases.access import area_in_scope, not_found
from project_matching.use_cases.errors import BalanceTooLow, OrganizationDissolved, ProjectNotReady
from project_matching.use_cases.publishing import record
from yizhou.district_clock import DEFAULT_ZONE, local
from yizhou.axis_copy import area_info
from yizhou.personal_data import STAFF_ROLES
from yizhou.auth import AreaScope, Role, require_role
from yizhou.contracts.guarantee import FundsReceived, FundsSpent
from yizhou.database import Database
from yizhou.errors import Conflict, RuleViolated, UnknownReference

BOOKKEEPERS = frozenset({Role.DISTRICT_ADMIN, Role.SUBDISTRICT_ADMIN, Role.COMMUNITY_WORKER})



async def known_organization(session: AsyncSession, scope: AreaScope, organization_id: str,
                             field: str = "organization_id") -> Organization:
    """An organization of the caller's subtree (learned from org-registry's events), else 422 unknown-reference."""
    found = await organization(session, organization_id)
    if found is None or not scope.covers(found.area_path):
        raise UnknownReference(f"No party organization '{organization_id}' in your scope (organizations "
                                           "come from org-registry's events).",
                      errors=[{"field": field, "message": "unknown organization"}])
    return found


async def fundable_project(session: AsyncSession, scope: AreaScope, project_id: str, states: tuple[str, ...],
                           field: str = "project_id") -> Any:
    row = (await session.execute(select(projects.c.id, projects.c.state, projects.c.area_path)
                                 .where(projects.c.id == project_id))).first()
    if row is None or not scope.covers(row.area_path):
        raise UnknownReference(f"No project '{project_id}' in your scope.",
                      errors=[{"field": field, "message": "unknown project"}])
    if row.state not in states:
        raise ProjectNotReady(f"Project '{project_id}' is {row.state}; it needs to be one of "
                                           f"{', '.join(states)}.")
    return row


def _event_fields(entry: Entry, org: Organization, now: datetime) -> dict[str, Any]:
    return dict(entry_id=entry.id, organization_id=org.id, area_code=org.area_code, area_path=org.area_path,
                year=entry.year, amount_fen=entry.amount_fen, balance_fen=entry.balance_after_fen,
                booked_on=entry.booked_on, occurred_at=now)


def _entry_values(scope: AreaScope, org: Organization, year: int, amount_fen: int, booked_on: date, note: str,
                  now: datetime, **kw: Any) -> dict[str, Any]:
    return dict(id=str(uuid.uuid4()), organization_id=org.id, year=year, area_path=org.area_path,
                amount_fen=amount_fen, note=note, booked_on=booked_on, recorded_by=scope.caller.subject[:200],
                recorded_at=now, **kw)


def booking_date(year: int, now: datetime, zone: tzinfo, *, spending: bool) -> date:
    """The day an entry of `year` is booked on when none is given: today in the district (at 00:30 on
    1 January in Beijing it is still 31 December in UTC) if `year` is this year, else the first day of
    the year for income and the last for spending."""
    today = local(now, zone).date()
    if today.year == year:
        return today
    return date(year, 12, 31) if spending else date(year, 1, 1)


async def receive(db: Database, scope: AreaScope, *, organization_id: str, year: int, source: str, amount_fen: int,
                  booked_on: date | None, note: str, zone: tzinfo = DEFAULT_ZONE) -> Entry:
    require_role(scope, BOOKKEEPERS, "record activity funds")
    now = datetime.now(UTC)
    booked_on = booked_on or booking_date(year, now, zone, spending=False)
    try:
        check_entry(year=year, amount_fen=amount_fen, booked_on=booked_on)
    except FundRuleViolation as exc:
        raise RuleViolated(str(exc)) from None
    async with db.unit_of_work() as uow:
        org = await known_organization(uow.session, scope, organization_id)
        if org.dissolved:
            raise OrganizationDissolved(f"Organization '{org.id}' is dissolved; it receives no funds.")
        repo = FundRepository(uow.session)
        balance = await repo.receive(org.id, year, amount_fen, now)
        entry = await repo.add_entry(_entry_values(scope, org, year, amount_fen, booked_on, note, now,
                                                   direction="income", source=source, balance_after_fen=balance))
        record(uow, FundsReceived(**_event_fields(entry, org, now), source=source), org.id)
        await uow.commit()
    return entry


async def record_spending(db: Database, scope: AreaScope, *, organization_id: str, year: int, amount_fen: int,
                          purpose: str, project_id: str | None, activity: str | None, booked_on: date | None,
                          note: str, zone: tzinfo = DEFAULT_ZONE) -> Entry:
    require_role(scope, BOOKKEEPERS, "record spending of activity funds")
    now = datetime.now(UTC)
    booked_on = booked_on or booking_date(year, now, zone, spending=True)
    try:
        check_entry(year=year, amount_fen=amount_fen, booked_on=booked_on)
        check_spending(purpose=purpose, project_id=project_id, activity=activity)
    except FundRuleViolation as exc:
        raise RuleViolated(str(exc)) from None
    async with db.unit_of_work() as uow:
        org = await known_organization(uow.session, scope, organization_id)
        if org.dissolved:
            raise OrganizationDissolved(f"Organization '{org.id}' is dissolved; it spends nothing.")
        if purpose == "project":
            await fundable_project(uow.session, scope, project_id, FUNDABLE_PROJECT_STATES)
        repo = FundRepository(uow.session)
        balance = await repo.draw(org.id, year, amount_fen, now)
        if balance is None:
            try:  # the domain rule names the figures; storage refused atomically
                spend(await repo.balance(org.id, year), amount_fen)
            except InsufficientFunds as exc:
                raise BalanceTooLow(str(exc), balance_yuan=exc.balance_fen / 100,
                              amount_yuan=exc.amount_fen / 100) from None
            raise Conflict("The balance changed meanwhile; retry.")
        entry = await repo.add_entry(_entry_values(
            scope, org, year, amount_fen, booked_on, note, now, direction="spending", purpose=purpose,
            project_id=project_id if purpose == "project" else None,
            activity=(activity or "").strip()[:200] or None, balance_after_fen=balance))
        record(uow, FundsSpent(**_event_fields(entry, org, now), purpose=purpose, project_id=entry.project_id,
                               activity=entry.activity), org.id)
        await uow.commit()
    return entry


async def list_entries(db: Database, scope: AreaScope, *, area_code: str | None, organization_id: str | None,
                       year: int | None, direction: str | None, source: str | None, project_id: str | None,
                       after: str | None, limit: int) -> list[Entry]:
    require_role(scope, STAFF_ROLES, "read activity funds")
    async with db.sessions() as session:
        path = scope.path if area_code is None else (await area_in_scope(session, scope, area_code)).path
        return await FundRepository(session).entries(under_path=path, organization_id=organization_id, year=year,
                                                     direction=direction, source=source, project_id=project_id,
                                                     after=after, limit=limit)


def _figures(sums) -> dict[str, Any]:
    t = totals([(d, s, p, int(a)) for d, s, p, a in sums])
    return {"income_yuan": t.income_fen / 100, "spending_yuan": t.spending_fen / 100,
            "balance_yuan": t.balance_fen / 100,
            "income_by_source_yuan": {k: v / 100 for k, v in t.income_by_source.items()},
            "spending_by_purpose_yuan": {k: v / 100 for k, v in t.spending_by_purpose.items()}}


def _check_year(year: int) -> None:
    try:
        check_year(year)
    except FundRuleViolation as exc:
        raise RuleViolated(str(exc)) from None


async def organization_statement(db: Database, scope: AreaScope, organization_id: str, year: int) -> dict[str, Any]:
    require_role(scope, STAFF_ROLES, "read activity funds")
    _check_year(year)
    async with db.sessions() as session:
        org = await organization(session, organization_id)
        if org is None or not scope.covers(org.area_path):
            raise not_found("organization", organization_id)
        repo = FundRepository(session)
        figures = _figures(await repo.sums(year=year, organization_id=org.id))
        by_project = await repo.by_project(year=year, organization_id=org.id)
    return {"organization_id": org.id, "name": org.name, "area_code": org.area_code, "year": year,
            "dissolved": org.dissolved, **figures,
            "spending_by_project_yuan": [{"project_id": p, "amount_yuan": a / 100} for p, a in by_project]}


async def area_statement(db: Database, scope: AreaScope, area_code: str, year: int, *, after: str | None,
                         limit: int) -> dict[str, Any]:
    """Totals of the organizations located in the subtree, and a page of them with their own figures."""
    require_role(scope, STAFF_ROLES, "read activity funds")
    _check_year(year)
    async with db.sessions() as session:
        area = await area_info_or_404(session, scope, area_code)
        repo = FundRepository(session)
        figures = _figures(await repo.sums(year=year, under_path=area.path))
        orgs = await organizations_under(session, area.path, after=after, limit=limit + 1, include_dissolved=True)
        per_org: dict[str, list] = {}
        for d, s, p, org_id, a in await repo.sums(year=year, under_path=area.path, by_organization=True):
            per_org.setdefault(org_id, []).append((d, s, p, a))
    more = len(orgs) > limit
    orgs = orgs[:limit]
    rows = [{"organization_id": o.id, "name": o.name, "area_code": o.area_code, **_figures(per_org.get(o.id, []))}
            for o in orgs]
    return {"area_code": area.code, "year": year, **figures, "organizations": rows,
            "next_cursor": orgs[-1].id if more and orgs else None}


async def area_info_or_404(session: AsyncSession, scope: AreaScope, area_code: str):
    area = await area_info(session, area_code)
    if area is None or not scope.covers(area.path):
        raise not_found("area", area_code)
    return area
