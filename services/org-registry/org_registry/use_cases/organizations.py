"""Setting up, changing and dissolving party organizations; tree queries; `organization.*` events
(and `unit.updated` for every unit whose covering organization changes)."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, date, datetime
from typing import Any

from org_registry.domain import organization as rules
from org_registry.domain.errors import RegistryRuleViolation, UnitAlreadyCovered
from org_registry.domain.organization import BASIC_MODES, LEADING_MODES, Organization, OrganizationKind, SetupMode
from org_registry.store.areas import AreaRepository
from org_registry.store.keyset import BadCursor
from org_registry.store.leading_core import leader_of
from org_registry.store.members import MemberRepository
from org_registry.store.organizations import OrganizationRepository, OrganizationView
from org_registry.store.units import UnitRepository
from org_registry.use_cases.access import (
    area_path_in_scope,
    bad_cursor,
    new_id,
    require_editor,
    rule_problem,
    unknown,
    visible_or_above,
)
from org_registry.use_cases.publishing import organization_event, record, unit_event
from org_registry.use_cases.units import under_path
from yizhou.auth import AreaScope
from yizhou.contracts.organizations import OrganizationCreated, OrganizationDissolved, OrganizationUpdated
from yizhou.contracts.units import UnitUpdated
from yizhou.database import Database, UnitOfWork
from yizhou.errors import Duplicate, NotFound, NothingToChange, RuleViolated


async def visible_organization(repo: OrganizationRepository, scope: AreaScope, organization_id: str) -> OrganizationView:
    view = await repo.get(organization_id)
    if view is None or not scope.covers(view.area_path):
        raise NotFound(f"No organization '{organization_id}' in your scope.")
    return view


async def _parent(repo: OrganizationRepository, scope: AreaScope, parent_id: str | None) -> Organization | None:
    if parent_id is None:
        return None
    view = await repo.get(parent_id)
    if view is None or not visible_or_above(scope, view.area_path):
        raise unknown("parent_organization_id", "organization", parent_id)
    return view.organization


async def _check_units(uow: UnitOfWork, scope: AreaScope, setup_mode: SetupMode, unit_ids: list[str],
                       organization_id: str | None = None) -> tuple[str, ...]:
    try:
        distinct = rules.check_covered_units(setup_mode, unit_ids)
    except RegistryRuleViolation as exc:
        raise rule_problem(exc, "covered_unit_ids") from None
    units = UnitRepository(uow.session)
    paths = await units.paths(list(distinct))
    for unit_id in distinct:
        if unit_id not in paths or not scope.covers(paths[unit_id]):
            raise unknown("covered_unit_ids", "unit", unit_id)
    if setup_mode in BASIC_MODES:
        taken = await units.basic_cover(list(distinct), except_organization=organization_id)
        if taken:
            unit_id, other = next(iter(taken.items()))
            raise rule_problem(UnitAlreadyCovered(
                f"Unit '{unit_id}' already has a basic party organization ('{other}'); "
                "dissolve it or take the unit out of it first."), "covered_unit_ids")
    return distinct


async def _check_leads(uow: UnitOfWork, organization: Organization) -> None:
    """An area's leading organization: of the mode the area's kind calls for, and the area's only active one."""
    if organization.setup_mode not in LEADING_MODES:
        return
    area = await AreaRepository(uow.session).get(organization.area_code)
    try:
        rules.check_leads(area, organization.setup_mode, await leader_of(uow.session, area.code), organization.id)
    except RegistryRuleViolation as exc:
        raise rule_problem(exc, "setup_mode") from None


async def _publish_units(uow: UnitOfWork, unit_ids: set[str], now: datetime) -> None:
    """A unit's covering organization is part of its event: re-publish every unit whose cover changed."""
    repo = UnitRepository(uow.session)
    for unit_id in sorted(unit_ids):
        view = await repo.get(unit_id)
        if view is not None:
            record(uow, unit_event(UnitUpdated, view, now), unit_id)


async def create_organization(db: Database, scope: AreaScope, *, name: str, kind: OrganizationKind,
                              setup_mode: SetupMode, area_code: str, parent_id: str | None,
                              covered_unit_ids: list[str], founded_on: date,
                              organization_id: str | None = None) -> OrganizationView:
    require_editor(scope)
    try:
        name = rules.normalize_text(name, "An organization's name")
    except RegistryRuleViolation as exc:
        raise rule_problem(exc, "name") from None
    async with db.unit_of_work() as uow:
        repo = OrganizationRepository(uow.session)
        await area_path_in_scope(AreaRepository(uow.session), scope, area_code)
        if organization_id and await repo.get(organization_id) is not None:
            raise Duplicate(f"An organization with id '{organization_id}' already exists.")
        oid = organization_id or new_id("o")
        parent = await _parent(repo, scope, parent_id)
        try:
            rules.check_parent(oid, parent)
        except RegistryRuleViolation as exc:
            raise rule_problem(exc, "parent_organization_id") from None
        covered = await _check_units(uow, scope, setup_mode, covered_unit_ids)
        organization = Organization(id=oid, name=name, kind=kind, setup_mode=setup_mode, area_code=area_code,
                                    parent_id=parent_id, tree_path=rules.tree_path_under(parent, oid),
                                    founded_on=founded_on, covered_unit_ids=covered)
        await _check_leads(uow, organization)
        now = datetime.now(UTC)
        await repo.add_many([organization], now)
        view = await repo.get(oid)
        record(uow, organization_event(OrganizationCreated, view, now), oid)
        await _publish_units(uow, set(covered), now)
        await uow.commit()
    return view


async def update_organization(db: Database, scope: AreaScope, organization_id: str,
                              changes: dict[str, Any]) -> OrganizationView:
    """`changes` may hold name, kind, area_code, parent_id (None: the top of a tree), covered_unit_ids,
    secretary_member_id and founded_on."""
    require_editor(scope)
    if not changes:
        raise NothingToChange("The request changes nothing.")
    async with db.unit_of_work() as uow:
        repo = OrganizationRepository(uow.session)
        current = (await visible_organization(repo, scope, organization_id)).organization
        try:
            rules.check_changeable(current)
            if "name" in changes:
                changes["name"] = rules.normalize_text(changes["name"], "An organization's name")
            rules.check_dates(changes.get("founded_on", current.founded_on))
        except RegistryRuleViolation as exc:
            raise rule_problem(exc) from None
        updated = replace(current, **{k: v for k, v in changes.items() if k != "covered_unit_ids"})
        if "covered_unit_ids" in changes:
            updated = replace(updated, covered_unit_ids=await _check_units(
                uow, scope, current.setup_mode, changes["covered_unit_ids"], organization_id))
        if updated == current:
            raise NothingToChange(f"Organization '{organization_id}' already has these values.")
        if updated.area_code != current.area_code:
            await area_path_in_scope(AreaRepository(uow.session), scope, updated.area_code)
            await _check_leads(uow, updated)
        now = datetime.now(UTC)
        if updated.parent_id != current.parent_id:
            parent = await _parent(repo, scope, updated.parent_id)
            try:
                rules.check_parent(organization_id, parent)
            except RegistryRuleViolation as exc:
                raise rule_problem(exc, "parent_organization_id") from None
            await repo.reparent(current.tree_path, rules.tree_path_under(parent, organization_id), now)
        if updated.secretary_member_id not in (None, current.secretary_member_id):
            secretary = await MemberRepository(uow.session).get(updated.secretary_member_id)
            if secretary is None or secretary.member.organization_id != organization_id or secretary.member.left:
                raise RuleViolated("The secretary must be an active member of the organization.",
                              errors=[{"field": "secretary_member_id", "message": "not an active member here"}])
        await repo.replace(updated, now)
        view = await repo.get(organization_id)
        record(uow, organization_event(OrganizationUpdated, view, now), organization_id)
        await _publish_units(uow, set(current.covered_unit_ids) ^ set(updated.covered_unit_ids), now)
        await uow.commit()
    return view


async def dissolve_organization(db: Database, scope: AreaScope, organization_id: str, dissolved_on: date) -> OrganizationView:
    require_editor(scope)
    async with db.unit_of_work() as uow:
        repo = OrganizationRepository(uow.session)
        current = (await visible_organization(repo, scope, organization_id)).organization
        try:
            rules.check_dissolve(current, dissolved_on, await repo.count_active_children(organization_id))
        except RegistryRuleViolation as exc:
            raise rule_problem(exc) from None
        now = datetime.now(UTC)
        await repo.dissolve(organization_id, dissolved_on, now)
        view = await repo.get(organization_id)
        record(uow, organization_event(OrganizationDissolved, view, now), organization_id)
        await _publish_units(uow, set(current.covered_unit_ids), now)
        await uow.commit()
    return view


async def get_organization(db: Database, scope: AreaScope, organization_id: str) -> OrganizationView:
    async with db.sessions() as session:
        return await visible_organization(OrganizationRepository(session), scope, organization_id)


async def list_organizations(db: Database, scope: AreaScope, *, under: str | None, limit: int,
                             **filters: Any) -> list[OrganizationView]:
    async with db.sessions() as session:
        path = await under_path(session, scope, under)
        try:
            return await OrganizationRepository(session).list(under_path=path, limit=limit, **filters)
        except BadCursor as exc:
            raise bad_cursor(exc) from None


async def children(db: Database, scope: AreaScope, organization_id: str, *, descendants: bool, limit: int,
                   after: str | None, include_dissolved: bool) -> list[OrganizationView]:
    """Subordinates inside the caller's scope: direct ones, or the whole subtree."""
    async with db.sessions() as session:
        repo = OrganizationRepository(session)
        view = await visible_organization(repo, scope, organization_id)
        tree = {"tree_under": view.organization.tree_path} if descendants else {"parent_id": organization_id}
        try:
            return await repo.list(under_path=scope.path, include_dissolved=include_dissolved, after=after,
                                   limit=limit, **tree)
        except BadCursor as exc:
            raise bad_cursor(exc) from None


async def ancestors(db: Database, scope: AreaScope, organization_id: str) -> list[OrganizationView]:
    """The reporting line from the top down to the parent (the line above is not restricted, as on the axis)."""
    async with db.sessions() as session:
        repo = OrganizationRepository(session)
        view = await visible_organization(repo, scope, organization_id)
        return await repo.by_ids(view.organization.ancestor_ids)
