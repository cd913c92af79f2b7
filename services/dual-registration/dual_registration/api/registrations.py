"""/api/v1/registrations: units and in-service members registering with a community."""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, Path, Query, Response, status

from dual_registration.api.parameters import After, Limit, NowDep
from dual_registration.api.responses import PROBLEMS
from dual_registration.api.schemas import DecisionIn, MemberRegistrationIn, RegistrationOut, UnitRegistrationIn
from dual_registration.domain.registration import RegistrationState
from dual_registration.use_cases import registrations as use_cases
from yizhou.dependencies import DatabaseDep, ScopeDep
from yizhou.idempotent_writes import IdempotentDatabaseDep, IdempotentRoute
from yizhou.list_parameters import ExactAreaCode
from yizhou.pagination import Page, page_of

router = APIRouter(route_class=IdempotentRoute, prefix="/api/v1/registrations", tags=["registrations"])
RegistrationId = Annotated[str, Path(max_length=64)]


def _out(record: dict) -> RegistrationOut:
    return RegistrationOut.model_validate(record)


@router.post("/units", status_code=status.HTTP_201_CREATED, response_model=RegistrationOut, responses=PROBLEMS,
             summary="A unit registers with the community where it sits and proposes its pairing agreement (结对共建)")
async def register_unit(body: UnitRegistrationIn, db: IdempotentDatabaseDep, scope: ScopeDep, now: NowDep,
                        response: Response) -> RegistrationOut:
    agreement = use_cases.AgreementIn(
        title=body.agreement.title, hours_per_year=body.agreement.hours_per_year,
        commitments=[use_cases.CommitmentIn(**c.model_dump()) for c in body.agreement.commitments])
    record = await use_cases.register_unit(db, scope, now, body.unit_id, agreement)
    response.headers["Location"] = f"/api/v1/registrations/{record['id']}"
    return _out(record)


@router.post("/members", status_code=status.HTTP_201_CREATED, response_model=RegistrationOut, responses=PROBLEMS,
             summary="An in-service member registers with their residence community (a transfer if registered elsewhere)")
async def register_member(body: MemberRegistrationIn, db: IdempotentDatabaseDep, scope: ScopeDep, now: NowDep,
                          response: Response) -> RegistrationOut:
    record = await use_cases.register_member(db, scope, now, body.member_id, body.skills, body.available_hours_per_month)
    response.headers["Location"] = f"/api/v1/registrations/{record['id']}"
    return _out(record)


@router.get("", response_model=Page[RegistrationOut], responses=PROBLEMS,
            summary="Registrations in your area (members see their own, a unit's party organization its unit's)")
async def list_registrations(db: DatabaseDep, scope: ScopeDep, kind: Literal["unit", "member"] | None = None,
                             state: RegistrationState | None = None,
                             community_code: ExactAreaCode = None,
                             registrant_id: Annotated[str | None, Query(max_length=64)] = None,
                             after: After = None, limit: Limit = 100) -> Page[RegistrationOut]:
    records = await use_cases.list_registrations(db, scope, kind=kind, state=state.value if state else None,
                                                 community_code=community_code, registrant_id=registrant_id,
                                                 after=after, limit=limit + 1)
    return page_of([_out(r) for r in records], limit, lambda r: r.id)


@router.get("/{registration_id}", response_model=RegistrationOut, responses=PROBLEMS, summary="One registration")
async def get_registration(registration_id: RegistrationId, db: DatabaseDep, scope: ScopeDep) -> RegistrationOut:
    return _out(await use_cases.get_registration(db, scope, registration_id))


@router.post("/{registration_id}/approve", response_model=RegistrationOut, responses=PROBLEMS,
             summary="The community approves (emits unit.registered, member.registered or member.transferred)")
async def approve(registration_id: RegistrationId, db: IdempotentDatabaseDep, scope: ScopeDep, now: NowDep,
                  body: DecisionIn | None = None) -> RegistrationOut:
    return _out(await use_cases.approve(db, scope, now, registration_id, body.note if body else None))


async def _decide(db, scope, now, registration_id: str, target: RegistrationState, body: DecisionIn | None):
    return _out(await use_cases.decide(db, scope, now, registration_id, target, body.note if body else None))


@router.post("/{registration_id}/reject", response_model=RegistrationOut, responses=PROBLEMS,
             summary="The community rejects a pending registration")
async def reject(registration_id: RegistrationId, db: IdempotentDatabaseDep, scope: ScopeDep, now: NowDep,
                 body: DecisionIn | None = None) -> RegistrationOut:
    return await _decide(db, scope, now, registration_id, RegistrationState.REJECTED, body)


@router.post("/{registration_id}/withdraw", response_model=RegistrationOut, responses=PROBLEMS,
             summary="The registrant (or staff) withdraws a pending registration")
async def withdraw(registration_id: RegistrationId, db: IdempotentDatabaseDep, scope: ScopeDep, now: NowDep,
                   body: DecisionIn | None = None) -> RegistrationOut:
    return await _decide(db, scope, now, registration_id, RegistrationState.WITHDRAWN, body)


@router.post("/{registration_id}/end", response_model=RegistrationOut, responses=PROBLEMS,
             summary="End an approved registration (its open claims are given up)")
async def end(registration_id: RegistrationId, db: IdempotentDatabaseDep, scope: ScopeDep, now: NowDep,
              body: DecisionIn | None = None) -> RegistrationOut:
    return await _decide(db, scope, now, registration_id, RegistrationState.ENDED, body)
