"""/api/v1/pledges: the pledge cycle of members without office and of party organizations
(承诺—践诺—评诺): pledge, progress until done, the community's assessment, the public list."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path, Query, Response, status

from dual_registration.api.parameters import After, Limit, NowDep
from dual_registration.api.responses import PROBLEMS
from dual_registration.api.schemas import PledgeAssessmentIn, PledgeIn, PledgeOut, PledgeProgressIn, PublicPledgeOut
from dual_registration.domain.pledges import PledgerKind, PledgeState
from dual_registration.use_cases import pledges as use_cases
from yizhou.dependencies import DatabaseDep, ScopeDep
from yizhou.idempotent_writes import IdempotentDatabaseDep, IdempotentRoute
from yizhou.list_parameters import ExactAreaCode
from yizhou.pagination import Page, page_of

router = APIRouter(route_class=IdempotentRoute, prefix="/api/v1/pledges", tags=["pledges"])
PledgeId = Annotated[str, Path(max_length=64)]
Year = Annotated[int | None, Query(ge=2000, le=2100)]


@router.post("", status_code=status.HTTP_201_CREATED, response_model=PledgeOut, responses=PROBLEMS,
             summary="A member (where they live) or a party organization (in a community) pledges for a year")
async def make_pledge(body: PledgeIn,
                      db: IdempotentDatabaseDep, scope: ScopeDep, now: NowDep, response: Response) -> PledgeOut:
    record = await use_cases.make_pledge(db, scope, now, **body.model_dump())
    response.headers["Location"] = f"/api/v1/pledges/{record['id']}"
    return PledgeOut.model_validate(record)


@router.get("", response_model=Page[PledgeOut], responses=PROBLEMS,
            summary="Pledges in your area (members see their own, an organization its own)")
async def list_pledges(db: DatabaseDep, scope: ScopeDep, pledger_kind: PledgerKind | None = None,
                       pledger_id: Annotated[str | None, Query(max_length=64)] = None,
                       community_code: ExactAreaCode = None, year: Year = None, state: PledgeState | None = None,
                       after: After = None, limit: Limit = 100) -> Page[PledgeOut]:
    records = await use_cases.list_pledges(db, scope, pledger_kind=pledger_kind.value if pledger_kind else None,
                                           pledger_id=pledger_id, community_code=community_code, year=year,
                                           state=state.value if state else None, after=after, limit=limit + 1)
    return page_of([PledgeOut.model_validate(r) for r in records], limit, lambda p: p.id)


@router.get("/public", response_model=Page[PublicPledgeOut], responses=PROBLEMS,
            summary="The public list (公开) of pledges in your area: organizations named, members masked")
async def list_public_pledges(db: DatabaseDep, scope: ScopeDep, community_code: ExactAreaCode = None,
                              year: Year = None, after: After = None, limit: Limit = 100) -> Page[PublicPledgeOut]:
    records = await use_cases.public_pledges(db, scope, community_code=community_code, year=year, after=after,
                                             limit=limit + 1)
    return page_of([PublicPledgeOut.model_validate(r) for r in records], limit, lambda p: p.id)


@router.get("/{pledge_id}", response_model=PledgeOut, responses=PROBLEMS, summary="One pledge, with its progress")
async def get_pledge(pledge_id: PledgeId, db: DatabaseDep, scope: ScopeDep) -> PledgeOut:
    return PledgeOut.model_validate(await use_cases.get_pledge(db, scope, pledge_id))


@router.post("/{pledge_id}/progress", response_model=PledgeOut, responses=PROBLEMS,
             summary="The pledger (or community staff) notes progress; `done` fulfils the pledge (践诺)")
async def note_pledge_progress(pledge_id: PledgeId, body: PledgeProgressIn,
                               db: IdempotentDatabaseDep, scope: ScopeDep, now: NowDep) -> PledgeOut:
    return PledgeOut.model_validate(await use_cases.note_progress(db, scope, now, pledge_id, note=body.note,
                                                                  done=body.done))


@router.post("/{pledge_id}/assess", response_model=PledgeOut, responses=PROBLEMS,
             summary="The community rates the pledge, with a comment (评诺)")
async def assess_pledge(pledge_id: PledgeId, body: PledgeAssessmentIn,
                        db: IdempotentDatabaseDep, scope: ScopeDep, now: NowDep) -> PledgeOut:
    return PledgeOut.model_validate(await use_cases.assess_pledge(db, scope, now, pledge_id, rating=body.rating,
                                                                  comment=body.comment))
