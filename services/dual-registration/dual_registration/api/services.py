"""/api/v1/services, /api/v1/checkin-codes, /api/v1/checkins and /api/v1/ledger: the service log,
one-time check-in, confirmation and the hours ledger."""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, Path, Query, Response, status

from dual_registration.api.parameters import After, Limit, NowDep
from dual_registration.api.responses import PROBLEMS
from dual_registration.api.schemas import (AccountOut, CheckinCodesIn, CheckinCodesOut, CheckinIn, DecisionIn,
                                           MovementOut, ServiceIn, ServiceOut)
from dual_registration.domain.service_log import ServiceState
from dual_registration.use_cases import checkins, service_log
from yizhou.dependencies import DatabaseDep, ScopeDep
from yizhou.idempotent_writes import IdempotentDatabaseDep, IdempotentRoute
from yizhou.list_parameters import From, NumberAfter, To
from yizhou.pagination import Page, page_of

router = APIRouter(route_class=IdempotentRoute, prefix="/api/v1", tags=["service log"])
ServiceId = Annotated[str, Path(max_length=64)]


@router.post("/services", status_code=status.HTTP_201_CREATED, response_model=ServiceOut, responses=PROBLEMS,
             summary="Log a service: who (the registration), what, when, where, hours; it counts once confirmed")
async def log_service(body: ServiceIn,
                      db: IdempotentDatabaseDep, scope: ScopeDep, now: NowDep, response: Response) -> ServiceOut:
    record = await service_log.log_service(db, scope, now, **body.model_dump())
    response.headers["Location"] = f"/api/v1/services/{record['id']}"
    return ServiceOut.model_validate(record)


@router.get("/services", response_model=Page[ServiceOut], responses=PROBLEMS,
            summary="Services in your area (members see their own, residents those they were served in)")
async def list_services(db: DatabaseDep, scope: ScopeDep, provider_kind: Literal["member", "unit"] | None = None,
                        provider_id: Annotated[str | None, Query(max_length=64)] = None,
                        state: ServiceState | None = None, from_: From = None, to: To = None,
                        flagged: Annotated[bool, Query(description="Staff: only services flagged for review")] = False,
                        after: After = None, limit: Limit = 100) -> Page[ServiceOut]:
    records = await service_log.list_services(db, scope, provider_kind=provider_kind, provider_id=provider_id,
                                              state=state.value if state else None, since=from_, until=to,
                                              flagged=flagged, after=after, limit=limit + 1)
    return page_of([ServiceOut.model_validate(r) for r in records], limit, lambda s: s.id)


@router.get("/services/{service_id}", response_model=ServiceOut, responses=PROBLEMS, summary="One service")
async def get_service(service_id: ServiceId, db: DatabaseDep, scope: ScopeDep) -> ServiceOut:
    return ServiceOut.model_validate(await service_log.get_service(db, scope, service_id))


@router.post("/services/{service_id}/confirm", response_model=ServiceOut, responses=PROBLEMS,
             summary="The community (or the resident served) confirms; the hours are posted to the ledger")
async def confirm(service_id: ServiceId, db: IdempotentDatabaseDep, scope: ScopeDep, now: NowDep,
                  body: DecisionIn | None = None) -> ServiceOut:
    return ServiceOut.model_validate(await service_log.decide_service(
        db, scope, now, service_id, ServiceState.CONFIRMED, body.note if body else None))


@router.post("/services/{service_id}/reject", response_model=ServiceOut, responses=PROBLEMS,
             summary="The community (or the resident served) disputes a logged service; it never counts")
async def reject(service_id: ServiceId, db: IdempotentDatabaseDep, scope: ScopeDep, now: NowDep,
                 body: DecisionIn | None = None) -> ServiceOut:
    return ServiceOut.model_validate(await service_log.decide_service(
        db, scope, now, service_id, ServiceState.REJECTED, body.note if body else None))


@router.post("/checkin-codes", status_code=status.HTTP_201_CREATED, response_model=CheckinCodesOut, responses=PROBLEMS,
             summary="Community staff issue one-time check-in codes (and QR payloads) for a service event")
async def issue_codes(body: CheckinCodesIn, db: IdempotentDatabaseDep, scope: ScopeDep, now: NowDep) -> CheckinCodesOut:
    return CheckinCodesOut.model_validate(await checkins.issue_codes(db, scope, now, **body.model_dump()))


@router.post("/checkins", status_code=status.HTTP_201_CREATED, response_model=ServiceOut,
             responses={**PROBLEMS, 410: {"description": "The code expired (`checkin-code-expired`)"}},
             summary="A registered member checks in with a code or a scanned QR payload; the session is logged")
async def check_in(body: CheckinIn, db: IdempotentDatabaseDep, scope: ScopeDep, now: NowDep) -> ServiceOut:
    return ServiceOut.model_validate(await checkins.check_in(db, scope, now, code=body.code, qr_payload=body.qr_payload))


@router.get("/ledger/{account_kind}/{ident}", response_model=AccountOut, responses=PROBLEMS,
            summary="An hours account (member, unit or community): balance and the movements behind it")
async def account(account_kind: Literal["member", "unit", "community"], ident: Annotated[str, Path(max_length=64)],
                  db: DatabaseDep, scope: ScopeDep, from_: From = None, to: To = None,
                  after: NumberAfter = None, limit: Limit = 100) -> AccountOut:
    statement = await service_log.account_statement(db, scope, account_kind, ident, since=from_, until=to,
                                                    after=after, limit=limit + 1)
    page = page_of([MovementOut.model_validate(m) for m in statement["movements"]], limit, lambda m: str(m.id))
    return AccountOut(account=statement["account"], balance_minutes=statement["balance_minutes"],
                      balance_hours=statement["balance_hours"], movements=page.items, next_cursor=page.next_cursor)
