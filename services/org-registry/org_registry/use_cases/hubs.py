"""Hub organizations: set up under a leading party organization, changed, linked by joint actions;
"what does this organization lead" and "which hubs act in this area"; `hub.*` and
`joint_action.recorded` events."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, date, datetime
from typing import Any

from sqlalchemy.exc import IntegrityError

from org_registry.domain import hub as rules
from org_registry.domain.errors import DuplicateJointAction, RegistryRuleViolation
from org_registry.domain.hub import Hub, HubKind, JointActionKind, PartnerKind
from org_registry.domain.organization import Organization
from org_registry.store.areas import AreaRepository
from org_registry.store.hubs import HubRepository, HubView, JointActionView
from org_registry.store.keyset import BadCursor
from org_registry.store.organizations import OrganizationRepository
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
from org_registry.use_cases.organizations import visible_organization
from org_registry.use_cases.publishing import record
from org_registry.use_cases.units import under_path
from yizhou.auth import AreaScope
from yizhou.contracts.hubs import HubCreated, HubEvent, HubUpdated, JointActionRecorded
from yizhou.database import Database
from yizhou.errors import Invalid, NotFound, NothingToChange

CHANGEABLE = {"name", "leading_organization_id", "member_count", "party_member_count", "founded_on"}


def _checked(check, field: str | None = None):
    try:
        return check()
    except RegistryRuleViolation as exc:
        raise rule_problem(exc, field) from None


def hub_event(cls: type[HubEvent], view: HubView, at: datetime) -> HubEvent:
    h = view.hub
    return cls(hub_id=h.id, hub_name=h.name, kind=h.kind.value, area_code=h.area_code, area_path=view.area_path,
               level=view.level, leading_organization_id=h.leading_organization_id, member_count=h.member_count,
               party_member_count=h.party_member_count, occurred_at=at)


async def _leader(session, scope: AreaScope, organization_id: str) -> Organization:
    """A leading organization may sit above the caller's area (a subdistrict committee leads a community's hub)."""
    view = await OrganizationRepository(session).get(organization_id)
    if view is None or not visible_or_above(scope, view.area_path):
        raise unknown("leading_organization_id", "organization", organization_id)
    return view.organization


async def _visible_hub(repo: HubRepository, scope: AreaScope, hub_id: str) -> HubView:
    view = await repo.get(hub_id)
    if view is None or not scope.covers(view.area_path):
        raise NotFound(f"No hub organization '{hub_id}' in your scope.")
    return view


async def create_hub(db: Database, scope: AreaScope, *, name: str, kind: HubKind, area_code: str,
                     leading_organization_id: str, member_count: int, party_member_count: int,
                     founded_on: date | None) -> HubView:
    require_editor(scope)
    async with db.unit_of_work() as uow:
        await area_path_in_scope(AreaRepository(uow.session), scope, area_code)
        leader = await _leader(uow.session, scope, leading_organization_id)
        hub = _checked(lambda: rules.new_hub(new_id("h"), name=name, kind=kind, area_code=area_code, leader=leader,
                                             member_count=member_count, party_member_count=party_member_count,
                                             founded_on=founded_on))
        repo = HubRepository(uow.session)
        now = datetime.now(UTC)
        await repo.add(hub, now)
        view = await repo.get(hub.id)
        record(uow, hub_event(HubCreated, view, now), hub.id)
        await uow.commit()
    return view


async def update_hub(db: Database, scope: AreaScope, hub_id: str, changes: dict[str, Any]) -> HubView:
    require_editor(scope)
    unknown_fields = set(changes) - CHANGEABLE
    if unknown_fields:  # the API's schema forbids them; a guard for other callers
        raise Invalid(f"Fields {sorted(unknown_fields)} cannot be changed.")
    if not changes:
        raise NothingToChange("The request changes nothing.")
    async with db.unit_of_work() as uow:
        repo = HubRepository(uow.session)
        current = (await _visible_hub(repo, scope, hub_id)).hub
        new_leader = changes.get("leading_organization_id", current.leading_organization_id)
        if new_leader != current.leading_organization_id:
            leader = await _leader(uow.session, scope, new_leader)
            _checked(lambda: rules.check_leader(leader), "leading_organization_id")
        hub: Hub = replace(current, **changes)
        if hub == current:
            raise NothingToChange(f"Hub '{hub_id}' already has these values.")
        hub = replace(hub, name=_checked(lambda: rules.normalize_text(hub.name, "A hub's name"), "name"))
        _checked(lambda: rules.check_member_counts(hub.member_count, hub.party_member_count), "party_member_count")
        now = datetime.now(UTC)
        await repo.save(hub, now)
        view = await repo.get(hub_id)
        record(uow, hub_event(HubUpdated, view, now), hub_id)
        await uow.commit()
    return view


async def _partner(session, scope: AreaScope, partner_kind: PartnerKind, partner_id: str) -> tuple[bool, str, str]:
    """(dissolved, area code, area path) of a partner the caller may see, else a 422 naming it."""
    if partner_kind == PartnerKind.ORGANIZATION:
        view = await OrganizationRepository(session).get(partner_id)
        if view is None or not visible_or_above(scope, view.area_path):
            raise unknown("partner_id", "organization", partner_id)
        return view.organization.dissolved, view.organization.area_code, view.area_path
    unit = await UnitRepository(session).get(partner_id)
    if unit is None or not scope.covers(unit.area_path):
        raise unknown("partner_id", "unit", partner_id)
    return False, unit.unit.area_code, unit.area_path


async def record_joint_action(db: Database, scope: AreaScope, hub_id: str, *, kind: JointActionKind,
                              partner_kind: PartnerKind, partner_id: str, started_on: date,
                              note: str | None) -> JointActionView:
    require_editor(scope)
    async with db.unit_of_work() as uow:
        repo = HubRepository(uow.session)
        hub = await _visible_hub(repo, scope, hub_id)
        dissolved, area_code, area_path = await _partner(uow.session, scope, partner_kind, partner_id)
        existing = await repo.joint_actions_of(hub_id)
        action = _checked(lambda: rules.record_joint_action(
            new_id("ja"), hub.hub, kind=kind, partner_kind=partner_kind, partner_id=partner_id,
            partner_dissolved=dissolved, started_on=started_on, note=note, existing=existing), "partner_id")
        now = datetime.now(UTC)
        try:
            await repo.add_joint_action(action, now)
        except IntegrityError:  # the same link recorded concurrently: the unique constraint decides
            raise rule_problem(DuplicateJointAction(
                f"Hub '{hub_id}' already has a {kind.value} link with {partner_kind.value} '{partner_id}'."),
                "partner_id") from None
        record(uow, JointActionRecorded(
            joint_action_id=action.id, hub_id=hub_id, hub_area_code=hub.hub.area_code, hub_area_path=hub.area_path,
            kind=kind.value, partner_kind=partner_kind.value, partner_id=partner_id, partner_area_code=area_code,
            partner_area_path=area_path, started_on=started_on, occurred_at=now), hub_id)
        view = (await repo.list_joint_actions(hub_id, action_id=action.id, limit=1))[0]
        await uow.commit()
    return view


async def get_hub(db: Database, scope: AreaScope, hub_id: str) -> HubView:
    async with db.sessions() as session:
        return await _visible_hub(HubRepository(session), scope, hub_id)


async def list_hubs(db: Database, scope: AreaScope, *, under: str | None, acting_in: str | None, limit: int,
                    **filters: Any) -> list[HubView]:
    async with db.sessions() as session:
        path = await under_path(session, scope, under)
        acting_path = await under_path(session, scope, acting_in) if acting_in is not None else None
        try:
            return await HubRepository(session).list(under_path=path, acting_in=acting_path, limit=limit, **filters)
        except BadCursor as exc:
            raise bad_cursor(exc) from None


async def led_hubs(db: Database, scope: AreaScope, organization_id: str, *, limit: int,
                   **filters: Any) -> list[HubView]:
    """The hubs an organization leads, among those located in the caller's area."""
    async with db.sessions() as session:
        await visible_organization(OrganizationRepository(session), scope, organization_id)
        try:
            return await HubRepository(session).list(under_path=scope.path, led_by=organization_id, limit=limit,
                                                     **filters)
        except BadCursor as exc:
            raise bad_cursor(exc) from None


async def list_joint_actions(db: Database, scope: AreaScope, hub_id: str, *, limit: int,
                             **filters: Any) -> list[JointActionView]:
    async with db.sessions() as session:
        repo = HubRepository(session)
        await _visible_hub(repo, scope, hub_id)
        try:
            return await repo.list_joint_actions(hub_id, limit=limit, **filters)
        except BadCursor as exc:
            raise bad_cursor(exc) from None
