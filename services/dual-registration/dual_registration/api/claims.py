"""/api/v1/claims: claiming posts, projects and demands, and each step of a claim."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path, Query, Response, status

from dual_registration.api.parameters import After, Limit, NowDep
from dual_registration.api.responses import PROBLEMS
from dual_registration.api.schemas import ClaimIn, ClaimOut, DecisionIn
from dual_registration.domain.claim import ClaimState, TargetKind
from dual_registration.use_cases import claims as use_cases
from yizhou.dependencies import DatabaseDep, ScopeDep
from yizhou.idempotent_writes import IdempotentDatabaseDep, IdempotentRoute
from yizhou.pagination import Page, page_of

router = APIRouter(route_class=IdempotentRoute, prefix="/api/v1/claims", tags=["claims"])
ClaimId = Annotated[str, Path(max_length=64)]


@router.post("", status_code=status.HTTP_201_CREATED, response_model=ClaimOut, responses=PROBLEMS,
             summary="A registered member claims a post, project or demand; a registered unit claims a project")
async def request_claim(body: ClaimIn,
                        db: IdempotentDatabaseDep, scope: ScopeDep, now: NowDep, response: Response) -> ClaimOut:
    record = await use_cases.request_claim(db, scope, now, registration_id=body.registration_id,
                                           target_kind=body.target_kind, target_id=body.target_id, note=body.note,
                                           member_id=body.member_id)
    response.headers["Location"] = f"/api/v1/claims/{record['id']}"
    return ClaimOut.model_validate(record)


@router.get("", response_model=Page[ClaimOut], responses=PROBLEMS,
            summary="Claims in your area (members see their own, a unit's party organization its unit's)")
async def list_claims(db: DatabaseDep, scope: ScopeDep, claimant_id: Annotated[str | None, Query(max_length=64)] = None,
                      target_kind: TargetKind | None = None, target_id: Annotated[str | None, Query(max_length=64)] = None,
                      state: ClaimState | None = None, after: After = None, limit: Limit = 100) -> Page[ClaimOut]:
    records = await use_cases.list_claims(db, scope, claimant_kind=None, claimant_id=claimant_id,
                                          target_kind=target_kind.value if target_kind else None, target_id=target_id,
                                          state=state.value if state else None, after=after, limit=limit + 1)
    return page_of([ClaimOut.model_validate(r) for r in records], limit, lambda c: c.id)


@router.get("/{claim_id}", response_model=ClaimOut, responses=PROBLEMS, summary="One claim")
async def get_claim(claim_id: ClaimId, db: DatabaseDep, scope: ScopeDep) -> ClaimOut:
    return ClaimOut.model_validate(await use_cases.get_claim(db, scope, claim_id))


def _step_route(step: str, target: ClaimState, summary: str) -> None:
    async def endpoint(claim_id: ClaimId, db: IdempotentDatabaseDep, scope: ScopeDep, now: NowDep,
                       body: DecisionIn | None = None) -> ClaimOut:
        return ClaimOut.model_validate(await use_cases.change_claim(db, scope, now, claim_id, target,
                                                                    body.note if body else None))

    endpoint.__name__ = f"{step}_claim"
    router.add_api_route(f"/{{claim_id}}/{step}", endpoint, methods=["POST"], response_model=ClaimOut,
                         responses=PROBLEMS, summary=summary)


_step_route("approve", ClaimState.APPROVED, "The community approves a requested claim (within capacity)")
_step_route("reject", ClaimState.REJECTED, "The community rejects a requested claim")
_step_route("withdraw", ClaimState.WITHDRAWN, "The claimant takes a request back")
_step_route("complete", ClaimState.COMPLETED, "The community marks the claimed work done")
_step_route("release", ClaimState.RELEASED, "An approved claim is given up; its place is free again")
