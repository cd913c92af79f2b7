"""Registering units (with their pairing agreement) and in-service members with a community;
approval, rejection, withdrawal, transfer and end."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from collections.abc import Mapping
from typing import Any

from dual_registration.domain import registration as rules_
from dual_registration.domain.ids import new_id
from dual_registration.domain.registration import REGISTRATION_MACHINE, RegistrantKind, RegistrationState
from dual_registration.events import SOURCE
from dual_registration.store.read_copies import known_member, known_unit
from dual_registration.store.registrations import RegistrationRepository
from dual_registration.use_cases.access import DECIDERS, not_found, own_reach, require_decider, rules
from dual_registration.use_cases.claims import close_claims_of_registration
from yizhou.personal_data import STAFF_ROLES
from yizhou.auth import AreaScope, Role, require_role
from yizhou.contracts.registrations import Commitment, MemberRegistered, MemberTransferred, UnitRegistered
from yizhou.database import Database
from yizhou.errors import Forbidden, UnknownReference


@dataclass(frozen=True)
class CommitmentIn:
    kind: str
    description: str
    categories: list[str]
    quantity: float
    unit_of_measure: str


@dataclass(frozen=True)
class AgreementIn:
    title: str
    hours_per_year: float
    commitments: list[CommitmentIn]


def can_see(scope: AreaScope, record: Mapping[str, Any]) -> bool:
    """Staff see their scope; a member sees their own registrations; a unit's party organization its unit's."""
    if not own_reach(scope).covers(record["community_path"]):
        return False
    role, subject = scope.caller.role, scope.caller.subject
    if role in STAFF_ROLES:
        return True
    if role == Role.PARTY_MEMBER:
        return record["kind"] == RegistrantKind.MEMBER and record["registrant_id"] == subject
    if role == Role.PARTNER:
        return record["kind"] == RegistrantKind.UNIT and record["organization_id"] == subject
    return False


def _may_act_for_unit(scope: AreaScope, organization_id: str | None) -> bool:
    return scope.caller.role in DECIDERS or (scope.caller.role == Role.PARTNER and organization_id is not None
                                             and scope.caller.subject == organization_id)


def _may_act_for_member(scope: AreaScope, member_id: str) -> bool:
    return scope.caller.role in DECIDERS or (scope.caller.role == Role.PARTY_MEMBER and scope.caller.subject == member_id)


async def register_unit(db: Database, scope: AreaScope, now: datetime, unit_id: str, agreement: AgreementIn) -> dict[str, Any]:
    async with db.unit_of_work() as uow:
        unit = await known_unit(uow.session, unit_id)
        # A unit's party organization may hold a token of the grid the unit sits in.
        reach = own_reach(scope) if unit is not None and unit.organization_id == scope.caller.subject else scope
        if unit is None or not reach.covers(unit.area_path):
            raise UnknownReference(f"No unit '{unit_id}' known in your scope (units come from org-registry).",
                          errors=[{"field": "unit_id", "message": "unknown unit"}])
        if not _may_act_for_unit(scope, unit.organization_id):
            raise Forbidden("A unit is registered by its own party organization or by community staff.")
        repo = RegistrationRepository(uow.session)
        with rules():
            plan = rules_.plan_unit_registration(unit, await repo.active_of(RegistrantKind.UNIT, unit_id))
        registration_id = new_id()
        await repo.add({
            "id": registration_id, "kind": RegistrantKind.UNIT.value, "registrant_id": unit_id,
            "organization_id": unit.organization_id, "community_code": plan.community.code,
            "community_path": plan.community.path, "state": RegistrationState.PENDING.value,
            "agreement_title": agreement.title, "hours_per_year": agreement.hours_per_year,
            "previous_registration_id": plan.transfer_from.id if plan.transfer_from else None,
            "submitted_by": scope.caller.subject, "submitted_at": now,
        }, [{"id": new_id(), "registration_id": registration_id, "position": i, "kind": c.kind,
             "description": c.description, "categories": c.categories, "quantity": c.quantity,
             "unit_of_measure": c.unit_of_measure} for i, c in enumerate(agreement.commitments)])
        await uow.commit()
    return await get_registration(db, scope, registration_id)


async def register_member(db: Database, scope: AreaScope, now: datetime, member_id: str, skills: list[str],
                          available_hours_per_month: float) -> dict[str, Any]:
    async with db.unit_of_work() as uow:
        member = await known_member(uow.session, member_id)
        themself = scope.caller.role == Role.PARTY_MEMBER and scope.caller.subject == member_id
        # A member's token may name their home grid; they register with the community around it.
        reach = own_reach(scope) if themself else scope
        if member is not None and themself and not reach.covers(member.residence_area_path):
            raise UnknownReference(
                f"Your residence ({member.residence_area_path}) is outside your token's area ({scope.caller.area}): "
                "a member registers with the community where they live, with a token of that community or one "
                "of its grids.", errors=[{"field": "member_id", "message": "residence outside the token's area"}])
        if member is None or not reach.covers(member.residence_area_path):
            raise UnknownReference(f"No member '{member_id}' known in your scope (members come from org-registry).",
                          errors=[{"field": "member_id", "message": "unknown member"}])
        if not _may_act_for_member(scope, member_id):
            raise Forbidden("A member registers themself, or community staff register them.")
        repo = RegistrationRepository(uow.session)
        with rules():
            plan = rules_.plan_member_registration(member, await repo.active_of(RegistrantKind.MEMBER, member_id))
        registration_id = new_id()
        await repo.add({
            "id": registration_id, "kind": RegistrantKind.MEMBER.value, "registrant_id": member_id,
            "organization_id": member.organization_id, "community_code": plan.community.code,
            "community_path": plan.community.path, "state": RegistrationState.PENDING.value,
            "skills": rules_.normalize_skills(skills), "available_hours_per_month": available_hours_per_month,
            "previous_registration_id": plan.transfer_from.id if plan.transfer_from else None,
            "submitted_by": scope.caller.subject, "submitted_at": now,
        }, [])
        await uow.commit()
    return await get_registration(db, scope, registration_id)


async def _load_for_change(repo: RegistrationRepository, scope: AreaScope, registration_id: str):
    row = await repo.get(registration_id, for_update=True)
    if row is None or not can_see(scope, row._mapping):
        raise not_found("registration", registration_id)
    return row


async def approve(db: Database, scope: AreaScope, now: datetime, registration_id: str, note: str | None) -> dict[str, Any]:
    async with db.unit_of_work() as uow:
        repo = RegistrationRepository(uow.session)
        row = await _load_for_change(repo, scope, registration_id)
        require_decider(scope, row.community_path, "approve a registration")
        with rules():
            REGISTRATION_MACHINE.check(RegistrationState(row.state), RegistrationState.APPROVED)
            if row.kind == RegistrantKind.MEMBER:
                member = await known_member(uow.session, row.registrant_id)
                if member is not None:  # left or retired since the request: no approval
                    rules_.plan_member_registration(member, [])
        previous = await repo.get(row.previous_registration_id, for_update=True) if row.previous_registration_id else None
        if previous is not None and previous.state == RegistrationState.APPROVED:
            # The old registration ends first, so the one-approved-registration index holds throughout.
            await repo.update(previous.id, state=RegistrationState.TRANSFERRED.value, ended_at=now)
            await close_claims_of_registration(uow, previous.id, now, scope.caller.subject)
        else:
            previous = None
        await repo.update(registration_id, state=RegistrationState.APPROVED.value, decided_by=scope.caller.subject,
                          decided_at=now, decision_note=note)
        uow.record(await _registered_event(repo, row, previous, now), aggregate_id=registration_id, source=SOURCE)
        await uow.commit()
    return await get_registration(db, scope, registration_id)


async def _registered_event(repo: RegistrationRepository, row, previous, now: datetime):
    if row.kind == RegistrantKind.UNIT:
        items = (await repo.commitments_of([row.id]))[row.id]
        return UnitRegistered(
            registration_id=row.id, unit_id=row.registrant_id, organization_id=row.organization_id,
            community_code=row.community_code, community_path=row.community_path,
            commitments=[Commitment(commitment_id=c["id"], kind=c["kind"], description=c["description"],
                                    categories=c["categories"], quantity=c["quantity"],
                                    unit_of_measure=c["unit_of_measure"]) for c in items],
            hours_per_year=row.hours_per_year or 0.0, registered_at=now,
            previous_registration_id=previous.id if previous is not None else None)
    common = {"registration_id": row.id, "member_id": row.registrant_id, "organization_id": row.organization_id,
              "community_code": row.community_code, "community_path": row.community_path,
              "skills": list(row.skills or []), "available_hours_per_month": row.available_hours_per_month or 0.0,
              "registered_at": now}
    if previous is not None:
        return MemberTransferred(**common, from_registration_id=previous.id, from_community_code=previous.community_code)
    return MemberRegistered(**common)


async def decide(db: Database, scope: AreaScope, now: datetime, registration_id: str, target: RegistrationState,
                 note: str | None) -> dict[str, Any]:
    """Reject (the community), withdraw (the registrant or staff) or end (either) a registration."""
    async with db.unit_of_work() as uow:
        repo = RegistrationRepository(uow.session)
        row = await _load_for_change(repo, scope, registration_id)
        if target == RegistrationState.REJECTED:
            require_decider(scope, row.community_path, "reject a registration")
        else:  # can_see already limited members and partners to their own registration
            require_role(scope, DECIDERS | {Role.PARTY_MEMBER, Role.PARTNER}, f"{target.value} a registration")
        with rules():
            REGISTRATION_MACHINE.check(RegistrationState(row.state), target)
        values: dict[str, Any] = {"state": target.value, "decision_note": note}
        if target == RegistrationState.ENDED:
            values["ended_at"] = now
            await close_claims_of_registration(uow, registration_id, now, scope.caller.subject)
        else:
            values.update(decided_by=scope.caller.subject, decided_at=now)
        await repo.update(registration_id, **values)
        await uow.commit()
    return await get_registration(db, scope, registration_id)


async def get_registration(db: Database, scope: AreaScope, registration_id: str) -> dict[str, Any]:
    async with db.sessions() as session:
        repo = RegistrationRepository(session)
        row = await repo.get(registration_id)
        if row is None or not can_see(scope, row._mapping):
            raise not_found("registration", registration_id)
        return {**row._mapping, "commitments": (await repo.commitments_of([row.id]))[row.id]}


async def list_registrations(db: Database, scope: AreaScope, *, kind: str | None, state: str | None,
                             community_code: str | None, registrant_id: str | None, after: str | None,
                             limit: int) -> list[dict[str, Any]]:
    require_role(scope, STAFF_ROLES | {Role.PARTY_MEMBER, Role.PARTNER}, "list registrations")
    organization_id = None
    if scope.caller.role == Role.PARTY_MEMBER:  # members see their own registrations only
        kind, registrant_id = RegistrantKind.MEMBER.value, scope.caller.subject
    elif scope.caller.role == Role.PARTNER:  # a unit's party organization sees its unit's
        kind, organization_id = RegistrantKind.UNIT.value, scope.caller.subject
    async with db.sessions() as session:
        repo = RegistrationRepository(session)
        rows = await repo.list(scope_path=own_reach(scope).path, kind=kind, state=state, community_code=community_code,
                               registrant_id=registrant_id, organization_id=organization_id, after=after, limit=limit)
        found = await repo.commitments_of([r["id"] for r in rows])
    return [{**r, "commitments": found[r["id"]]} for r in rows]
