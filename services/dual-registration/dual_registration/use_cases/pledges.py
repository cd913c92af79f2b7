"""The pledge cycle (承诺—践诺—评诺) per member and per party organization per year: pledge,
progress notes until done, the community's assessment, and the public list (the member masked)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from dual_registration.domain.community import community_of, community_or_none
from dual_registration.domain.ids import new_id
from dual_registration.domain.pledges import (PLEDGE_MACHINE, PledgeRating, PledgerKind, PledgeState, check_progress,
                                              normalize_items)
from dual_registration.events import SOURCE, PledgeAssessed, PledgeEvent, PledgeMade
from dual_registration.store.pledges import PledgeRepository, organization_row
from dual_registration.store.read_copies import known_member
from dual_registration.use_cases.access import DECIDERS, not_found, own_reach, require_decider, rules
from dual_registration.use_cases.errors import NotEligible
from dual_registration.use_cases.posts import area_row
from yizhou.auth import AreaScope, Role, require_role
from yizhou.database import Database
from yizhou.errors import Duplicate, Forbidden, UnknownReference
from yizhou.personal_data import MASK, STAFF_ROLES, mask_text

# The public list (公开) is for everyone in the area, residents included.
PUBLIC_ROLES = STAFF_ROLES | {Role.PARTY_MEMBER, Role.PARTNER, Role.RESIDENT}


def _event(kind: type[PledgeEvent], row: dict[str, Any], now: datetime, **extra: Any):
    return kind(pledge_id=row["id"], pledger_kind=row["pledger_kind"], pledger_id=row["pledger_id"],
                organization_id=row["organization_id"], community_code=row["community_code"],
                community_path=row["community_path"], year=row["year"], item_count=len(row["items"]),
                occurred_at=now, **extra)


def _is_pledger(scope: AreaScope, pledger_kind: str, pledger_id: str) -> bool:
    role, subject = scope.caller.role, scope.caller.subject
    if pledger_kind == PledgerKind.MEMBER:
        return role == Role.PARTY_MEMBER and subject == pledger_id
    return role == Role.PARTNER and subject == pledger_id


async def make_pledge(db: Database, scope: AreaScope, now: datetime, *, pledger_kind: PledgerKind, pledger_id: str,
                      year: int, items: list[str], area_code: str | None) -> dict[str, Any]:
    if not (scope.caller.role in DECIDERS or _is_pledger(scope, pledger_kind, pledger_id)):
        raise Forbidden("A pledge is made by the member or organization itself, or by community staff for them.")
    async with db.unit_of_work() as uow:
        if pledger_kind == PledgerKind.MEMBER:
            # A member pledges where they live: retired, mobile and in-service members alike.
            member = await known_member(uow.session, pledger_id)
            reach = own_reach(scope)
            if member is None or not reach.covers(member.residence_area_path):
                raise UnknownReference(f"No member '{pledger_id}' known in your scope (members come from "
                                       "org-registry).", errors=[{"field": "pledger_id", "message": "unknown member"}])
            if member.left:
                raise NotEligible(f"Member '{pledger_id}' has left the party organization.")
            community = community_or_none(member.residence_area_path)
            if community is None:
                raise NotEligible(f"Member '{pledger_id}' has no residence community on the axis.")
            organization_id = member.organization_id
        else:
            organization = await organization_row(uow.session, pledger_id)
            if organization is None or organization.dissolved:
                raise UnknownReference(f"No active party organization '{pledger_id}' known (organizations come "
                                       "from org-registry).",
                                       errors=[{"field": "pledger_id", "message": "unknown organization"}])
            area = await area_row(uow.session, own_reach(scope), area_code or "")
            with rules():
                community = community_of(area.path)
            organization_id = pledger_id
        if scope.caller.role in DECIDERS:
            require_decider(scope, community.path, "record pledges")
        with rules():
            cleaned = normalize_items(items)
        repo = PledgeRepository(uow.session)
        if await repo.exists_for(pledger_kind.value, pledger_id, year, community.code):
            raise Duplicate(f"The {pledger_kind.value} '{pledger_id}' already pledged for {year} in "
                            f"community '{community.code}'.")
        row = {"id": new_id(), "pledger_kind": pledger_kind.value, "pledger_id": pledger_id,
               "organization_id": organization_id, "community_code": community.code,
               "community_path": community.path, "year": year, "items": cleaned, "progress": [],
               "state": PledgeState.PLEDGED.value, "pledged_by": scope.caller.subject, "pledged_at": now,
               "updated_at": now}
        await repo.add(row)
        uow.record(_event(PledgeMade, row, now), aggregate_id=row["id"], source=SOURCE)
        await uow.commit()
    return await get_pledge(db, scope, row["id"])


async def _own_row(uow, scope: AreaScope, pledge_id: str):
    row = await PledgeRepository(uow.session).get(pledge_id, for_update=True)
    if row is None or not _can_see(scope, row._mapping):
        raise not_found("pledge", pledge_id)
    return row


async def note_progress(db: Database, scope: AreaScope, now: datetime, pledge_id: str, *, note: str,
                        done: bool) -> dict[str, Any]:
    async with db.unit_of_work() as uow:
        row = await _own_row(uow, scope, pledge_id)
        if not _is_pledger(scope, row.pledger_kind, row.pledger_id):
            require_decider(scope, row.community_path, "note progress on a pledge")
        with rules():
            moved_to = check_progress(PledgeState(row.state), done)
        values: dict[str, Any] = {
            "progress": [*row.progress, {"note": note, "done": done, "at": now.isoformat(), "by": scope.caller.subject}],
            "updated_at": now}
        if moved_to is not None:
            values |= {"state": moved_to.value, "fulfilled_at": now}
        await PledgeRepository(uow.session).change(pledge_id, values)
        await uow.commit()
    return await get_pledge(db, scope, pledge_id)


async def assess_pledge(db: Database, scope: AreaScope, now: datetime, pledge_id: str, *, rating: PledgeRating,
                        comment: str | None) -> dict[str, Any]:
    async with db.unit_of_work() as uow:
        row = await _own_row(uow, scope, pledge_id)
        require_decider(scope, row.community_path, "assess pledges")  # 评诺 is the community's
        with rules():
            PLEDGE_MACHINE.check(PledgeState(row.state), PledgeState.ASSESSED)
        await PledgeRepository(uow.session).change(pledge_id, {
            "state": PledgeState.ASSESSED.value, "rating": rating.value, "assessment_comment": comment,
            "assessed_by": scope.caller.subject, "assessed_at": now, "updated_at": now})
        uow.record(_event(PledgeAssessed, dict(row._mapping), now, rating=rating.value,
                          fulfilled=row.state == PledgeState.FULFILLED),
                   aggregate_id=pledge_id, source=SOURCE)
        await uow.commit()
    return await get_pledge(db, scope, pledge_id)


def _can_see(scope: AreaScope, row) -> bool:
    """Staff see their scope; a member their own pledges; an organization (partner token) its own."""
    if not own_reach(scope).covers(row["community_path"]):
        return False
    return scope.caller.role in STAFF_ROLES or _is_pledger(scope, row["pledger_kind"], row["pledger_id"])


async def get_pledge(db: Database, scope: AreaScope, pledge_id: str) -> dict[str, Any]:
    async with db.sessions() as session:
        row = await PledgeRepository(session).get(pledge_id)
        if row is None or not _can_see(scope, row._mapping):
            raise not_found("pledge", pledge_id)
        return dict(row._mapping)


async def list_pledges(db: Database, scope: AreaScope, *, pledger_kind: str | None, pledger_id: str | None,
                       community_code: str | None, year: int | None, state: str | None, after: str | None,
                       limit: int) -> list[dict[str, Any]]:
    require_role(scope, STAFF_ROLES | {Role.PARTY_MEMBER, Role.PARTNER}, "list pledges")
    if scope.caller.role == Role.PARTY_MEMBER:
        pledger_kind, pledger_id = PledgerKind.MEMBER.value, scope.caller.subject
    elif scope.caller.role == Role.PARTNER:
        pledger_kind, pledger_id = PledgerKind.ORGANIZATION.value, scope.caller.subject
    async with db.sessions() as session:
        return await PledgeRepository(session).list(
            scope_path=own_reach(scope).path, pledger_kind=pledger_kind, pledger_id=pledger_id, organization_id=None,
            community_code=community_code, year=year, state=state, after=after, limit=limit)


def public_entry(row: dict[str, Any]) -> dict[str, Any]:
    """A pledge as the public list shows it: the organization by name and the items, the member masked
    (members' identities are personal data), numbers in the texts masked."""
    member = row["pledger_kind"] == PledgerKind.MEMBER
    return {"id": row["id"], "pledger_kind": row["pledger_kind"],
            "pledger": MASK if member else row["organization_name"] or row["pledger_id"],
            "organization_id": row["organization_id"], "organization_name": row["organization_name"],
            "community_code": row["community_code"], "year": row["year"],
            "items": [mask_text(i) for i in row["items"]], "state": row["state"], "rating": row["rating"],
            "assessment_comment": mask_text(row["assessment_comment"]) if row["assessment_comment"] else None}


async def public_pledges(db: Database, scope: AreaScope, *, community_code: str | None, year: int | None,
                         after: str | None, limit: int) -> list[dict[str, Any]]:
    require_role(scope, PUBLIC_ROLES, "see the public pledge list")
    async with db.sessions() as session:
        rows = await PledgeRepository(session).list(
            scope_path=own_reach(scope).path, pledger_kind=None, pledger_id=None, organization_id=None,
            community_code=community_code, year=year, state=None, after=after, limit=limit)
    return [public_entry(r) for r in rows]
