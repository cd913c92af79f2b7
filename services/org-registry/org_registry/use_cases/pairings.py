"""Pairing organizations with organizations and branches with households in hardship, the yearly joint
projects and review, and ending a pairing; `pairing.*` events (never the household or the free text)."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

from sqlalchemy.exc import IntegrityError

from org_registry.domain import pairing as rules
from org_registry.domain.errors import RegistryRuleViolation
from org_registry.domain.member import normalize_name, normalize_phone
from org_registry.domain.organization import normalize_text
from org_registry.domain.pairing import Household, PairingKind, Rating
from org_registry.events import PairingCreated, PairingEnded, PairingEvent, PairingReviewed
from org_registry.store.areas import AreaRepository
from org_registry.store.organizations import OrganizationRepository, OrganizationView
from org_registry.store.pairings import PairingRepository
from org_registry.use_cases.access import area_path_in_scope, new_id, require_editor, rule_problem, unknown, visible_or_above
from org_registry.use_cases.publishing import record
from org_registry.use_cases.units import under_path
from yizhou.auth import AreaScope
from yizhou.database import Database, UnitOfWork
from yizhou.errors import Duplicate, NotFound


def _checked(check, field: str | None = None):
    try:
        return check()
    except RegistryRuleViolation as exc:
        raise rule_problem(exc, field) from None


async def _organization(uow: UnitOfWork, scope: AreaScope, organization_id: str, field: str) -> OrganizationView:
    # The pairing organization may sit above the caller's area (a district agency pairs with a community's).
    view = await OrganizationRepository(uow.session).get(organization_id)
    if view is None or not visible_or_above(scope, view.area_path):
        raise unknown(field, "organization", organization_id)
    return view


def _event(cls: type[PairingEvent], row: dict[str, Any], at: datetime, **fields: Any) -> PairingEvent:
    return cls(pairing_id=row["id"], kind=row["kind"], organization_id=row["organization_id"],
               partner_organization_id=row["partner_organization_id"], area_code=row["area_code"],
               area_path=row["area_path"], occurred_at=at, **fields)


def _visible(row: dict[str, Any] | None, scope: AreaScope, pairing_id: str) -> dict[str, Any]:
    if row is None or not scope.covers(row["area_path"]):
        raise NotFound(f"No pairing '{pairing_id}' in your scope.")
    return row


async def pair_organizations(db: Database, scope: AreaScope, *, organization_id: str, partner_organization_id: str,
                             agreement: str, started_on: date) -> dict[str, Any]:
    require_editor(scope)
    agreement = _checked(lambda: normalize_text(agreement, "An agreement"), "agreement")
    async with db.unit_of_work() as uow:
        first = await _organization(uow, scope, organization_id, "organization_id")
        partner = await OrganizationRepository(uow.session).get(partner_organization_id)
        if partner is None or not scope.covers(partner.area_path):
            raise unknown("partner_organization_id", "organization", partner_organization_id)
        _checked(lambda: rules.check_organizations(organization_id, partner_organization_id,
                                                   first.organization.dissolved, partner.organization.dissolved))
        return await _create(uow, {"kind": PairingKind.ORGANIZATIONS.value, "organization_id": organization_id,
                                   "partner_organization_id": partner_organization_id,
                                   "area_code": partner.organization.area_code, "agreement": agreement,
                                   "started_on": started_on}, partner.area_path)


async def pair_household(db: Database, scope: AreaScope, *, organization_id: str, household: Household,
                         area_code: str, agreement: str, started_on: date) -> dict[str, Any]:
    require_editor(scope)
    agreement = _checked(lambda: normalize_text(agreement, "An agreement"), "agreement")
    name = _checked(lambda: normalize_name(household.head_name), "household.head_name")
    phone = _checked(lambda: normalize_phone(household.phone), "household.phone")
    address = _checked(lambda: normalize_text(household.address, "An address"), "household.address")
    async with db.unit_of_work() as uow:
        branch = await _organization(uow, scope, organization_id, "organization_id")
        _checked(lambda: rules.check_branch(branch.organization.kind.value), "organization_id")
        _checked(lambda: rules.check_organizations(organization_id, "", branch.organization.dissolved, False))
        path = await area_path_in_scope(AreaRepository(uow.session), scope, area_code)
        return await _create(uow, {"kind": PairingKind.HOUSEHOLD.value, "organization_id": organization_id,
                                   "partner_organization_id": None, "area_code": area_code, "head_name": name,
                                   "phone": phone, "address": address, "hardship": household.hardship.value,
                                   "agreement": agreement, "started_on": started_on}, path)


async def _create(uow: UnitOfWork, values: dict[str, Any], area_path: str) -> dict[str, Any]:
    row = {"id": new_id("pr"), **values}
    now = datetime.now(UTC)
    await PairingRepository(uow.session).add(row, now)
    row = {**row, "area_path": area_path}
    record(uow, _event(PairingCreated, row, now, started_on=row["started_on"]), row["id"])
    await uow.commit()
    return await PairingRepository(uow.session).get(row["id"]) or row


async def review_year(db: Database, scope: AreaScope, pairing_id: str, *, year: int, joint_projects: list[str],
                      review: str, rating: Rating) -> dict[str, Any]:
    """The year's joint projects (共建项目) and how the pairing went; one review per year."""
    require_editor(scope)
    review = _checked(lambda: normalize_text(review, "A review"), "review")
    projects = [" ".join(p.split()) for p in joint_projects if p.strip()]
    today = datetime.now(UTC).date()
    async with db.unit_of_work() as uow:
        repo = PairingRepository(uow.session)
        row = _visible(await repo.get(pairing_id, for_update=True), scope, pairing_id)
        _checked(lambda: rules.check_year(year, row["started_on"], row["ended_on"], today), "year")
        if any(y["year"] == year for y in row["years"]):
            raise Duplicate(f"The pairing's {year} review is recorded already.")
        try:
            await repo.add_year({"pairing_id": pairing_id, "year": year, "joint_projects": projects, "review": review,
                                 "rating": rating.value, "reviewed_on": today})
        except IntegrityError:  # a concurrent review of the same year
            raise Duplicate(f"The pairing's {year} review is recorded already.") from None
        record(uow, _event(PairingReviewed, row, datetime.now(UTC), year=year, joint_project_count=len(projects),
                           rating=rating.value), pairing_id)
        await uow.commit()
    return await get_pairing(db, scope, pairing_id)


async def end_pairing(db: Database, scope: AreaScope, pairing_id: str, on: date) -> dict[str, Any]:
    require_editor(scope)
    async with db.unit_of_work() as uow:
        repo = PairingRepository(uow.session)
        row = _visible(await repo.get(pairing_id, for_update=True), scope, pairing_id)
        _checked(lambda: rules.check_end(row["started_on"], row["ended_on"], on), "on")
        await repo.end(pairing_id, on)
        record(uow, _event(PairingEnded, row, datetime.now(UTC), ended_on=on), pairing_id)
        await uow.commit()
    return await get_pairing(db, scope, pairing_id)


async def get_pairing(db: Database, scope: AreaScope, pairing_id: str) -> dict[str, Any]:
    async with db.sessions() as session:
        return _visible(await PairingRepository(session).get(pairing_id), scope, pairing_id)


async def list_pairings(db: Database, scope: AreaScope, *, under: str | None, kind: PairingKind | None,
                        after: str | None, limit: int) -> list[dict[str, Any]]:
    async with db.sessions() as session:
        path = await under_path(session, scope, under)
        return await PairingRepository(session).list(under_path=path, organization_ids=[], kind=kind.value if kind
                                                     else None, after=after, limit=limit)
