"""Registering members, changing and transferring them, recording that they left; `member.*` events
carry ids, areas and skills only (the personal data stays in this service's database)."""

from __future__ import annotations

import logging
from dataclasses import replace
from datetime import UTC, date, datetime
from typing import Any

from org_registry.domain import member as rules
from org_registry.domain.errors import RegistryRuleViolation
from org_registry.domain.member import Member
from org_registry.domain.organization import check_accepts_members
from org_registry.store.areas import AreaRepository
from org_registry.store.keyset import BadCursor
from org_registry.store.members import MemberRepository, MemberView
from org_registry.store.organizations import OrganizationRepository
from org_registry.store.units import UnitRepository
from org_registry.use_cases.access import (
    area_path_anywhere,
    bad_cursor,
    new_id,
    require_editor,
    rule_problem,
    unknown,
)
from org_registry.use_cases.publishing import member_event, record
from org_registry.use_cases.units import under_path
from yizhou.auth import AreaScope
from yizhou.contracts.members import MemberCreated, MemberLeft, MemberUpdated
from yizhou.database import Database, UnitOfWork
from yizhou.personal_data import STAFF_ROLES
from yizhou.errors import Duplicate, NotFound, NothingToChange

log = logging.getLogger(__name__)

# An ID number is unique in the registry: a second record of the same person is refused wherever the
# first one is. A refusal cannot help telling the one who asked that the number is taken; about a record
# outside the caller's area it tells no more: this reason names no area, member or organization; it is
# given only to a request that would otherwise have been written (a registration or change whose other
# checks passed, a member sheet's real run with no other bad row; never a dry run, which costs nothing
# and leaves nothing); and it is logged, so repeated probing shows. Records in the caller's area are
# theirs to see: a refusal over one names the member.
HELD_ELSEWHERE = "this ID number cannot be registered from your area; the district organization department can resolve it"


def trace_held_elsewhere(scope: AreaScope, what: str, count: int, rows: list[int] | None = None) -> None:
    """The trace of a refusal over a record outside the caller's area: who, what, how many; never the numbers
    (repeated refusals are how someone probing the registry shows)."""
    log.warning("%s refused: %d ID number(s) registered outside the caller's area (caller %s, %s at %s%s)",
                what, count, scope.caller.subject, scope.caller.role.value, scope.caller.area,
                f", rows {rows}" if rows else "")


PERSONAL_FIELDS = {"name": rules.normalize_name, "phone": rules.normalize_phone, "id_number": rules.normalize_id_number}


def _normalized(values: dict[str, Any]) -> dict[str, Any]:
    out = dict(values)
    for field, normalize in PERSONAL_FIELDS.items():
        if field in out and (out[field] is not None or field == "phone"):
            try:
                out[field] = normalize(out[field])
            except RegistryRuleViolation as exc:
                raise rule_problem(exc, field) from None
    if "skills" in out:
        try:
            out["skills"] = rules.normalize_skills(out["skills"])
        except RegistryRuleViolation as exc:
            raise rule_problem(exc, "skills") from None
    return out


async def visible_member(repo: MemberRepository, scope: AreaScope, member_id: str) -> MemberView:
    view = await repo.get(member_id)
    if view is None or not (scope.covers(view.record_path) or scope.caller.subject == member_id):
        raise NotFound(f"No member '{member_id}' in your scope.")
    return view


async def _check_references(uow: UnitOfWork, scope: AreaScope, member: Member, before: Member | None) -> None:
    if before is None or member.organization_id != before.organization_id:
        org = await OrganizationRepository(uow.session).get(member.organization_id)
        if org is None or not scope.covers(org.area_path):
            raise unknown("organization_id", "organization", member.organization_id)
        try:
            check_accepts_members(org.organization)
        except RegistryRuleViolation as exc:
            raise rule_problem(exc, "organization_id") from None
    district = "/" + scope.path.strip("/").split("/")[0] + "/"
    if member.work_unit_id and (before is None or member.work_unit_id != before.work_unit_id):
        path = (await UnitRepository(uow.session).paths([member.work_unit_id])).get(member.work_unit_id)
        if path is None or not path.startswith(district):  # members may work anywhere in the district
            raise unknown("work_unit_id", "unit", member.work_unit_id)
    if before is None or member.residence_area_code != before.residence_area_code:
        await area_path_anywhere(AreaRepository(uow.session), scope, member.residence_area_code, "residence_area_code")
    if before is None or member.id_number != before.id_number:
        # Last of the checks: only a request that would otherwise be written learns that the number is taken.
        held = (await MemberRepository(uow.session).id_number_holders([member.id_number])).get(member.id_number)
        if held is not None:
            holder, record_path = held
            if scope.covers(record_path):
                raise Duplicate(f"Member '{holder}' of your area already has this ID number.",
                                errors=[{"field": "id_number", "message": "already registered in your area"}])
            trace_held_elsewhere(scope, "member registration" if before is None else "member update", 1)
            raise Duplicate(f"{HELD_ELSEWHERE[0].upper()}{HELD_ELSEWHERE[1:]}.",
                            errors=[{"field": "id_number", "message": HELD_ELSEWHERE}])


async def create_member(db: Database, scope: AreaScope, *, member_id: str | None = None, **values: Any) -> MemberView:
    require_editor(scope)
    values = _normalized(values)
    member = Member(id=member_id or new_id("m"), **values)
    async with db.unit_of_work() as uow:
        repo = MemberRepository(uow.session)
        if member_id and await repo.existing(ids=[member_id]):
            raise Duplicate(f"A member with id '{member_id}' already exists.")
        await _check_references(uow, scope, member, None)
        now = datetime.now(UTC)
        await repo.add_many([member], now)
        view = await repo.get(member.id)
        record(uow, member_event(MemberCreated, view, now), member.id)
        await uow.commit()
    return view


async def update_member(db: Database, scope: AreaScope, member_id: str, changes: dict[str, Any]) -> MemberView:
    """Personal data, skills, work unit, residence, in-service flag, or a transfer (organization_id)."""
    require_editor(scope)
    if not changes:
        raise NothingToChange("The request changes nothing.")
    changes = _normalized(changes)
    async with db.unit_of_work() as uow:
        repo = MemberRepository(uow.session)
        current = await visible_member(repo, scope, member_id)
        if not scope.covers(current.record_path):
            raise NotFound(f"No member '{member_id}' in your scope.")
        try:
            rules.check_active(current.member)
        except RegistryRuleViolation as exc:
            raise rule_problem(exc) from None
        member = replace(current.member, **changes)
        if member == current.member:
            raise NothingToChange(f"Member '{member_id}' already has these values.")
        await _check_references(uow, scope, member, current.member)
        now = datetime.now(UTC)
        await repo.replace(member, now)
        view = await repo.get(member_id)
        record(uow, member_event(MemberUpdated, view, now), member_id)
        await uow.commit()
    return view


async def leave(db: Database, scope: AreaScope, member_id: str, left_on: date) -> MemberView:
    require_editor(scope)
    async with db.unit_of_work() as uow:
        repo = MemberRepository(uow.session)
        current = await visible_member(repo, scope, member_id)
        if not scope.covers(current.record_path):
            raise NotFound(f"No member '{member_id}' in your scope.")
        try:
            rules.check_leave(current.member, left_on)
        except RegistryRuleViolation as exc:
            raise rule_problem(exc) from None
        now = datetime.now(UTC)
        await repo.leave(member_id, left_on, now)
        view = await repo.get(member_id)
        record(uow, member_event(MemberLeft, view, now), member_id)
        await uow.commit()
    return view


async def get_member(db: Database, scope: AreaScope, member_id: str) -> MemberView:
    async with db.sessions() as session:
        return await visible_member(MemberRepository(session), scope, member_id)


async def list_members(db: Database, scope: AreaScope, *, under: str | None, residence_under: str | None,
                       limit: int, **filters: Any) -> list[MemberView]:
    async with db.sessions() as session:
        path = await under_path(session, scope, under)
        residence = None
        if residence_under is not None:
            area = await AreaRepository(session).get(residence_under)
            if area is None:
                raise NotFound(f"No area '{residence_under}'.")
            residence = area.path
        try:
            return await MemberRepository(session).list(
                under_path=path, residence_under=residence, limit=limit,
                q_personal=scope.caller.role in STAFF_ROLES, **filters)
        except BadCursor as exc:
            raise bad_cursor(exc) from None
