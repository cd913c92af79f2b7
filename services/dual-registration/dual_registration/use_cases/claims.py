"""Claims: members claim posts, projects or demands; units claim projects. Approved by the
community within the target's capacity; every step checked by the claim state machine."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from dual_registration.domain.claim import (CLAIM_MACHINE, DEMAND_CAPACITY, OPEN_DEMAND_STATES, OPEN_PROJECT_EVENTS,
                                            ClaimState, ClaimTarget, ResidentMember, TargetKind, check_capacity,
                                            check_claim, check_no_office_claim)
from dual_registration.domain.community import community_or_none
from dual_registration.domain.ids import new_id
from dual_registration.domain.registration import RegistrantKind, RegistrationState
from dual_registration.events import CLAIM_EVENTS, SOURCE
from dual_registration.store.claims import ClaimRepository, PostRepository
from dual_registration.store.read_copies import demand_row, known_member, project_row
from dual_registration.store.registrations import RegistrationRepository
from dual_registration.use_cases.access import DECIDERS, not_found, own_reach, require_decider, rules
from dual_registration.use_cases.errors import NotEligible
from yizhou.personal_data import STAFF_ROLES
from yizhou.auth import AreaScope, Role, require_role
from yizhou.database import Database, UnitOfWork
from yizhou.errors import Forbidden, UnknownReference

# Who may take each step: the community decides; the claimant may withdraw or release its own claim.
CLAIMANT_STEPS = frozenset({ClaimState.WITHDRAWN, ClaimState.RELEASED})


def _claim_event(row: dict[str, Any], state: ClaimState, now: datetime):
    return CLAIM_EVENTS[state.value](
        claim_id=row["id"], claimant_kind=row["claimant_kind"], claimant_id=row["claimant_id"],
        target_kind=row["target_kind"], target_id=row["target_id"], community_code=row["community_code"],
        community_path=row["community_path"], state=state.value, occurred_at=now)


def _is_claimant(scope: AreaScope, claimant_kind: str, claimant_id: str, organization_id: str | None) -> bool:
    role, subject = scope.caller.role, scope.caller.subject
    if claimant_kind == RegistrantKind.MEMBER:
        return role == Role.PARTY_MEMBER and subject == claimant_id
    return role == Role.PARTNER and organization_id is not None and subject == organization_id


async def _target(uow: UnitOfWork, kind: TargetKind, target_id: str) -> ClaimTarget:
    if kind == TargetKind.POST:
        post = await PostRepository(uow.session).get(target_id, for_update=True)
        if post is None:
            raise UnknownReference(f"No post '{target_id}'.", errors=[{"field": "target_id", "message": "unknown post"}])
        return ClaimTarget(kind, post.id, post.community_path, post.capacity, post.open, "the post is closed")
    if kind == TargetKind.PROJECT:
        project = await project_row(uow.session, target_id)
        if project is None:
            raise UnknownReference(f"No project '{target_id}' known (projects come from project-matching).",
                          errors=[{"field": "target_id", "message": "unknown project"}])
        return ClaimTarget(kind, project.project_id, project.area_path, None,
                           project.last_event in OPEN_PROJECT_EVENTS,
                           f"it is at '{project.last_event}'; approved or started projects take claims")
    demand = await demand_row(uow.session, target_id)
    if demand is None:
        raise UnknownReference(f"No demand '{target_id}' known (demands come from demand-intake).",
                      errors=[{"field": "target_id", "message": "unknown demand"}])
    return ClaimTarget(kind, demand.demand_id, demand.area_path, DEMAND_CAPACITY, demand.state in OPEN_DEMAND_STATES,
                       f"it is '{demand.state}'")


async def request_claim(db: Database, scope: AreaScope, now: datetime, *, registration_id: str | None,
                        target_kind: TargetKind, target_id: str, note: str | None,
                        member_id: str | None = None) -> dict[str, Any]:
    if registration_id is None:
        return await _request_no_office_claim(db, scope, now, member_id=member_id or "", target_kind=target_kind,
                                              target_id=target_id, note=note)
    async with db.unit_of_work() as uow:
        registration = await RegistrationRepository(uow.session).get(registration_id)
        if registration is None or not own_reach(scope).covers(registration.community_path):
            raise UnknownReference(f"No registration '{registration_id}' in your scope.",
                          errors=[{"field": "registration_id", "message": "unknown registration"}])
        if not (scope.caller.role in DECIDERS
                or _is_claimant(scope, registration.kind, registration.registrant_id, registration.organization_id)):
            raise Forbidden("A claim is made by the registered member or unit, or by community staff for them.")
        if registration.state != RegistrationState.APPROVED:
            raise NotEligible(f"Registration '{registration_id}' is {registration.state}; "
                                          "only an approved registration claims.")
        claims = ClaimRepository(uow.session)
        target = await _target(uow, target_kind, target_id)
        with rules():
            check_claim(registration.kind, registration.registrant_id, registration.community_path, target,
                        await claims.holding_by(registration.kind, registration.registrant_id, target_kind, target_id),
                        await claims.approved_on(target_kind, target_id))
        row = {"id": new_id(), "claimant_kind": registration.kind, "claimant_id": registration.registrant_id,
               "registration_id": registration_id, "target_kind": target_kind.value, "target_id": target_id,
               "community_code": registration.community_code, "community_path": registration.community_path,
               "state": ClaimState.REQUESTED.value, "note": note, "requested_by": scope.caller.subject,
               "requested_at": now, "updated_by": scope.caller.subject, "updated_at": now}
        await claims.add(row)
        uow.record(_claim_event(row, ClaimState.REQUESTED, now), aggregate_id=row["id"], source=SOURCE)
        await uow.commit()
    return await get_claim(db, scope, row["id"])


async def _request_no_office_claim(db: Database, scope: AreaScope, now: datetime, *, member_id: str,
                                   target_kind: TargetKind, target_id: str, note: str | None) -> dict[str, Any]:
    """A member living in the community claims a post for members without office, registered or not."""
    async with db.unit_of_work() as uow:
        member = await known_member(uow.session, member_id)
        if member is None or not own_reach(scope).covers(member.residence_area_path):
            raise UnknownReference(f"No member '{member_id}' known in your scope (members come from org-registry).",
                                   errors=[{"field": "member_id", "message": "unknown member"}])
        if not (scope.caller.role in DECIDERS
                or (scope.caller.role == Role.PARTY_MEMBER and scope.caller.subject == member_id)):
            raise Forbidden("A claim is made by the member, or by community staff for them.")
        if target_kind != TargetKind.POST:
            raise NotEligible("Without a registration a member claims only posts for members without office.")
        post = await PostRepository(uow.session).get(target_id, for_update=True)
        if post is None:
            raise UnknownReference(f"No post '{target_id}'.", errors=[{"field": "target_id", "message": "unknown post"}])
        target = ClaimTarget(TargetKind.POST, post.id, post.community_path, post.capacity, post.open, "the post is closed")
        community = community_or_none(member.residence_area_path)
        claims = ClaimRepository(uow.session)
        with rules():
            check_no_office_claim(
                ResidentMember(member_id, community.path if community else None, member.left), post.kind, target,
                await claims.holding_by("member", member_id, target_kind, target_id),
                await claims.approved_on(target_kind, target_id))
        row = {"id": new_id(), "claimant_kind": RegistrantKind.MEMBER.value, "claimant_id": member_id,
               "registration_id": None, "target_kind": target_kind.value, "target_id": target_id,
               "community_code": post.community_code, "community_path": post.community_path,
               "state": ClaimState.REQUESTED.value, "note": note, "requested_by": scope.caller.subject,
               "requested_at": now, "updated_by": scope.caller.subject, "updated_at": now}
        await claims.add(row)
        uow.record(_claim_event(row, ClaimState.REQUESTED, now), aggregate_id=row["id"], source=SOURCE)
        await uow.commit()
    return await get_claim(db, scope, row["id"])


async def _organization_of(session, registration_id: str | None) -> str | None:
    """The claimant unit's organization; claims without a registration (members without office) have none."""
    if registration_id is None:
        return None
    return (await RegistrationRepository(session).get(registration_id)).organization_id


async def change_claim(db: Database, scope: AreaScope, now: datetime, claim_id: str, target: ClaimState,
                       note: str | None) -> dict[str, Any]:
    async with db.unit_of_work() as uow:
        claims = ClaimRepository(uow.session)
        row = await claims.get(claim_id)
        if row is None or not await _can_see(uow, scope, row._mapping):
            raise not_found("claim", claim_id)
        own = _is_claimant(scope, row.claimant_kind, row.claimant_id,
                           await _organization_of(uow.session, row.registration_id))
        if not (own and target in CLAIMANT_STEPS):
            require_decider(scope, row.community_path, f"move a claim to '{target.value}'")
        with rules():
            CLAIM_MACHINE.check(ClaimState(row.state), target)
            if target == ClaimState.APPROVED:  # the place must still be free when the community says yes
                check_capacity(await _target(uow, TargetKind(row.target_kind), row.target_id),
                               await claims.approved_on(row.target_kind, row.target_id))
        await claims.set_state(claim_id, target, scope.caller.subject, now, note)
        uow.record(_claim_event(dict(row._mapping), target, now), aggregate_id=claim_id, source=SOURCE)
        await uow.commit()
    return await get_claim(db, scope, claim_id)


async def close_claims_of_registration(uow: UnitOfWork, registration_id: str, now: datetime, by: str) -> None:
    """A registration that ends (or is transferred) gives up its claims in that community."""
    claims = ClaimRepository(uow.session)
    for row in await claims.holding_of_registration(registration_id):
        target = ClaimState.WITHDRAWN if row.state == ClaimState.REQUESTED else ClaimState.RELEASED
        await claims.set_state(row.id, target, by, now, "registration ended")
        uow.record(_claim_event(dict(row._mapping), target, now), aggregate_id=row.id, source=SOURCE)


async def _can_see(uow_or_session, scope: AreaScope, row: dict[str, Any]) -> bool:
    if not own_reach(scope).covers(row["community_path"]):
        return False
    if scope.caller.role in STAFF_ROLES:
        return True
    session = uow_or_session.session if isinstance(uow_or_session, UnitOfWork) else uow_or_session
    return _is_claimant(scope, row["claimant_kind"], row["claimant_id"],
                        await _organization_of(session, row["registration_id"]))


async def get_claim(db: Database, scope: AreaScope, claim_id: str) -> dict[str, Any]:
    async with db.sessions() as session:
        row = await ClaimRepository(session).get(claim_id)
        if row is None or not await _can_see(session, scope, row._mapping):
            raise not_found("claim", claim_id)
        return dict(row._mapping)


async def list_claims(db: Database, scope: AreaScope, *, claimant_kind: str | None, claimant_id: str | None,
                      target_kind: str | None, target_id: str | None, state: str | None, after: str | None,
                      limit: int) -> list[dict[str, Any]]:
    require_role(scope, STAFF_ROLES | {Role.PARTY_MEMBER, Role.PARTNER}, "list claims")
    organization_id = None
    if scope.caller.role == Role.PARTY_MEMBER:
        claimant_kind, claimant_id = RegistrantKind.MEMBER.value, scope.caller.subject
    elif scope.caller.role == Role.PARTNER:
        claimant_kind, organization_id = RegistrantKind.UNIT.value, scope.caller.subject
    async with db.sessions() as session:
        return await ClaimRepository(session).list(
            scope_path=own_reach(scope).path, claimant_kind=claimant_kind, claimant_id=claimant_id,
            organization_id=organization_id, target_kind=target_kind, target_id=target_id, state=state, after=after,
            limit=limit)
