"""Logging service, confirming or rejecting it, and posting confirmed hours to the ledger."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import select

from dual_registration.domain import ledger
from dual_registration.domain.ids import new_id
from dual_registration.domain.registration import RegistrantKind, RegistrationState
from dual_registration.domain.service_log import (RESIDENT_CONFIRMATION_WINDOW, SERVICE_MACHINE, ConfirmerKind,
                                                  ServiceState, SessionParties, Window, check_confirmer,
                                                  check_no_overlap, check_over, check_resident_confirmation,
                                                  review_flags, session_minutes)
from dual_registration.events import SOURCE, ServiceConfirmed, ServiceLogged, ServiceRejected
from dual_registration.store.claims import ClaimRepository
from dual_registration.store.registrations import RegistrationRepository
from dual_registration.store.service_log import LedgerRepository, ServiceRepository
from dual_registration.use_cases.access import DECIDERS, not_found, own_reach, rules
from dual_registration.use_cases.errors import NotEligible
from yizhou.personal_data import STAFF_ROLES
from yizhou.auth import AreaScope, Role, require_role
from yizhou.axis_copy import area_copy
from yizhou.database import Database, UnitOfWork
from yizhou.errors import Forbidden, UnknownReference


def _service_fields(row: dict[str, Any]) -> dict[str, Any]:
    return {"service_id": row["id"], "provider_kind": row["provider_kind"], "provider_id": row["provider_id"],
            "community_code": row["community_code"], "community_path": row["community_path"],
            "area_code": row["area_code"], "category": row["category"], "started_at": row["started_at"],
            "ended_at": row["ended_at"], "minutes": row["minutes"], "claim_id": row["claim_id"]}


def acts_for_registration(scope: AreaScope, registration) -> bool:
    """The registered member or unit itself, or staff of the community on its behalf."""
    role, subject = scope.caller.role, scope.caller.subject
    if role in DECIDERS:
        return scope.covers(registration.community_path)
    if registration.kind == RegistrantKind.MEMBER:
        return role == Role.PARTY_MEMBER and subject == registration.registrant_id
    return role == Role.PARTNER and subject == registration.organization_id


async def approved_registration(uow: UnitOfWork, scope: AreaScope, registration_id: str):
    registration = await RegistrationRepository(uow.session).get(registration_id)
    if registration is None or not own_reach(scope).covers(registration.community_path):
        raise UnknownReference(f"No registration '{registration_id}' in your scope.",
                      errors=[{"field": "registration_id", "message": "unknown registration"}])
    if not acts_for_registration(scope, registration):
        raise Forbidden("Service is logged by the registered member or unit, or by community staff for them.")
    if registration.state != RegistrationState.APPROVED:
        raise NotEligible(f"Registration '{registration_id}' is {registration.state}; "
                                      "only approved registrations log service.")
    return registration


async def area_in_community(uow: UnitOfWork, area_code: str, community_path: str):
    area = (await uow.session.execute(select(area_copy).where(area_copy.c.code == area_code))).first()
    if area is None or not area.path.startswith(community_path):
        raise UnknownReference(f"No area '{area_code}' in the registration's community.",
                      errors=[{"field": "area_code", "message": "not in the community"}])
    return area


async def record_session(uow: UnitOfWork, registration, *, activity: str, category: str | None, area_code: str,
                         window: Window, minutes: int, claim_id: str | None, served_resident_ref: str | None,
                         logged_by: str, now: datetime, checkin_code: str | None = None) -> dict[str, Any]:
    services = ServiceRepository(uow.session)
    with rules():
        if registration.kind == RegistrantKind.MEMBER:  # a unit sends several people at once; a member cannot
            check_no_overlap(window, await services.overlapping(registration.kind, registration.registrant_id, window))
    row = {"id": new_id(), "provider_kind": registration.kind, "provider_id": registration.registrant_id,
           "registration_id": registration.id, "community_code": registration.community_code,
           "community_path": registration.community_path, "area_code": area_code, "category": category,
           "activity": activity, "started_at": window.starts_at, "ended_at": window.ends_at, "minutes": minutes,
           "state": ServiceState.LOGGED.value, "claim_id": claim_id, "checkin_code": checkin_code,
           "served_resident_ref": served_resident_ref, "logged_by": logged_by, "logged_at": now}
    await services.add(row)
    uow.record(ServiceLogged(**_service_fields(row), checked_in=checkin_code is not None), aggregate_id=row["id"],
               source=SOURCE)
    return row


async def log_service(db: Database, scope: AreaScope, now: datetime, *, registration_id: str, activity: str,
                      category: str | None, area_code: str, started_at: datetime, ended_at: datetime,
                      hours: float | None, claim_id: str | None, served_resident_ref: str | None) -> dict[str, Any]:
    async with db.unit_of_work() as uow:
        registration = await approved_registration(uow, scope, registration_id)
        await area_in_community(uow, area_code, registration.community_path)
        if claim_id is not None:
            claim = await ClaimRepository(uow.session).get(claim_id)
            if claim is None or claim.registration_id != registration_id or claim.state != "approved":
                raise UnknownReference(f"No approved claim '{claim_id}' of this registration.",
                              errors=[{"field": "claim_id", "message": "not an approved claim of the registration"}])
        window = Window(started_at, ended_at)
        with rules():
            minutes = session_minutes(window, hours, now)
        row = await record_session(uow, registration, activity=activity, category=category, area_code=area_code,
                                   window=window, minutes=minutes, claim_id=claim_id,
                                   served_resident_ref=served_resident_ref, logged_by=scope.caller.subject, now=now)
        await uow.commit()
    return await get_service(db, scope, row["id"])


def _confirmer_kind(scope: AreaScope, row) -> ConfirmerKind:
    if scope.caller.role == Role.RESIDENT:
        return ConfirmerKind.RESIDENT
    if scope.caller.role in DECIDERS:
        return ConfirmerKind.COMMUNITY
    raise Forbidden("Service is confirmed by the community's staff or by the resident served.")


async def decide_service(db: Database, scope: AreaScope, now: datetime, service_id: str, target: ServiceState,
                         note: str | None) -> dict[str, Any]:
    """Confirm (hours are posted to the ledger) or reject a logged service; never by the one who served."""
    async with db.unit_of_work() as uow:
        services = ServiceRepository(uow.session)
        row = await services.get(service_id, for_update=True)
        if row is None or not can_see(scope, row._mapping):
            raise not_found("service", service_id)
        confirmer = _confirmer_kind(scope, row)
        with rules():
            check_confirmer(SessionParties(row.provider_kind, row.provider_id, row.logged_by, row.served_resident_ref),
                            scope.caller.subject, confirmer)
            SERVICE_MACHINE.check(ServiceState(row.state), target)
            if target == ServiceState.CONFIRMED:
                check_over(row.ended_at, now)
            flags = []
            if target == ServiceState.CONFIRMED and confirmer == ConfirmerKind.RESIDENT:
                check_resident_confirmation(  # (a resident sees, so confirms, only their community's: can_see)
                    minutes=row.minutes, confirmed_minutes=await services.confirmed_by_resident(
                        scope.caller.subject, row.provider_kind, row.provider_id, now - RESIDENT_CONFIRMATION_WINDOW))
                flags = review_flags(await services.confirmation_history(
                    scope.caller.subject, row.provider_kind, row.provider_id, now - RESIDENT_CONFIRMATION_WINDOW,
                    now - timedelta(days=7)))
        await services.update(service_id, state=target.value, decided_by=scope.caller.subject,
                              decided_as=confirmer.value, decided_at=now, decision_note=note,
                              **({"review_flags": [f.value for f in flags]} if flags else {}))
        fields = _service_fields(dict(row._mapping))
        if target == ServiceState.CONFIRMED:
            await _post_hours(uow, row, now)
            event = ServiceConfirmed(**fields, confirmed_as=confirmer.value, confirmed_at=now)
        else:
            event = ServiceRejected(**fields, rejected_at=now)
        uow.record(event, aggregate_id=service_id, source=SOURCE)
        await uow.commit()
    return await get_service(db, scope, service_id)


async def _post_hours(uow: UnitOfWork, row, now: datetime) -> None:
    repo = LedgerRepository(uow.session)
    transfer = ledger.service_transfer(row.id, row.provider_kind, row.provider_id, row.community_code, row.minutes)
    with rules():
        ledger.check_posting(transfer, await repo.balances(m.account for m in transfer.movements))
    await repo.post(new_id(), transfer, row.started_at, now)


def can_see(scope: AreaScope, record) -> bool:
    if not own_reach(scope).covers(record["community_path"]):
        return False
    role, subject = scope.caller.role, scope.caller.subject
    if role in STAFF_ROLES:
        return True
    if role == Role.RESIDENT:
        return record["served_resident_ref"] == subject
    if role == Role.PARTY_MEMBER:
        return record["provider_kind"] == RegistrantKind.MEMBER and record["provider_id"] == subject
    return False  # a unit's party organization reads its unit's hours on the unit's card


async def get_service(db: Database, scope: AreaScope, service_id: str) -> dict[str, Any]:
    async with db.sessions() as session:
        row = await ServiceRepository(session).get(service_id)
    if row is None or not can_see(scope, row._mapping):
        raise not_found("service", service_id)
    return _as_seen(scope, dict(row._mapping))


def _as_seen(scope: AreaScope, record: dict[str, Any]) -> dict[str, Any]:
    """Review flags are the community's: the member and the resident concerned do not see them."""
    return record if scope.caller.role in STAFF_ROLES else {**record, "review_flags": None}


async def list_services(db: Database, scope: AreaScope, *, provider_kind: str | None, provider_id: str | None,
                        state: str | None, since: datetime | None, until: datetime | None, after: str | None,
                        limit: int, flagged: bool = False) -> list[dict[str, Any]]:
    require_role(scope, STAFF_ROLES | {Role.PARTY_MEMBER, Role.RESIDENT}, "list services")
    if flagged:
        require_role(scope, STAFF_ROLES, "list services flagged for review")
    served = None
    if scope.caller.role == Role.PARTY_MEMBER:
        provider_kind, provider_id = RegistrantKind.MEMBER.value, scope.caller.subject
    elif scope.caller.role == Role.RESIDENT:
        served = scope.caller.subject
    async with db.sessions() as session:
        rows = await ServiceRepository(session).list(
            scope_path=own_reach(scope).path, provider_kind=provider_kind, provider_id=provider_id, state=state,
            served_resident_ref=served, since=since, until=until, after=after, limit=limit, flagged=flagged)
    return [_as_seen(scope, r) for r in rows]


async def account_statement(db: Database, scope: AreaScope, account_kind: str, ident: str, *, since: datetime | None,
                            until: datetime | None, after: int | None, limit: int) -> dict[str, Any]:
    """An account's movements and balance: every total traces to the confirmed services behind it."""
    own = scope.caller.role == Role.PARTY_MEMBER and account_kind == "member" and scope.caller.subject == ident
    if not own:
        require_role(scope, STAFF_ROLES, "read ledger accounts")
    async with db.sessions() as session:
        if account_kind == "community":
            path = (await session.execute(select(area_copy.c.path).where(area_copy.c.code == ident))).scalar()
        else:
            reg = await RegistrationRepository(session).approved_of(account_kind, ident)
            path = reg.community_path if reg is not None else None
        if path is None or not (own or scope.covers(path)):
            raise not_found("account", f"{account_kind}:{ident}")
        repo = LedgerRepository(session)
        name = ledger.account(account_kind, ident)
        movements = await repo.movements(name, since=since, until=until, after=after, limit=limit)
        balance = await repo.balance_in(name, since, until)
    return {"account": name, "balance_minutes": balance, "balance_hours": round(balance / 60, 2), "movements": movements}
