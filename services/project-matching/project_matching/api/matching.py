"""/api/v1/matching: rounds for an area and period, proposed matches to accept or reject; the
demand list, its clusters and one demand's top candidates; area accountability figures."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Response, status

from project_matching.api.parameters import After, SubtreeCode, Id, Limit
from project_matching.api.resources import out as resource_out
from project_matching.api.responses import PROBLEMS
from project_matching.api.schemas import (CandidateOut, ClusterOut, DemandOut, MatchDecisionIn, MatchOut, RoundIn,
                                          RoundOut)
from project_matching.domain.matching import PriorityWeights, Window
from project_matching.store import matching as store
from project_matching.use_cases import accountability
from project_matching.use_cases import matching as use_cases
from project_matching.use_cases.access import area_in_scope
from yizhou.dependencies import DatabaseDep, ScopeDep
from yizhou.idempotent_writes import IdempotentDatabaseDep, IdempotentRoute
from yizhou.pagination import Page, page_of

router = APIRouter(route_class=IdempotentRoute, tags=["matching"])


def round_out(row) -> RoundOut:
    get = row.get if isinstance(row, dict) else lambda k: getattr(row, k)
    return RoundOut(id=get("id"), area_code=get("area_code"), period_start=get("period_start"),
                    period_end=get("period_end"), rules=get("rules"), stats=get("stats"),
                    created_by=get("created_by"), created_at=get("created_at"))


def match_out(row) -> MatchOut:
    return MatchOut(id=row.id, round_id=row.round_id, demand_id=row.demand_id, resource_id=row.resource_id,
                    area_code=row.area_code, category=row.category, distance_m=row.distance_m, state=row.state,
                    explanation=row.explanation, decision_note=row.decision_note, decided_at=row.decided_at)


@router.post("/api/v1/matching/rounds", status_code=status.HTTP_201_CREATED, response_model=RoundOut,
             responses=PROBLEMS, summary="Run a matching round for an area and period (proposes matches)")
async def run_round(body: RoundIn, db: IdempotentDatabaseDep, scope: ScopeDep, response: Response) -> RoundOut:
    weights = PriorityWeights(**{**PriorityWeights().__dict__, **body.weights})
    values, _ = await use_cases.run_round(db, scope, area_code=body.area_code,
                                          period=Window(body.period_start, body.period_end),
                                          max_distance_m=round(body.max_distance_km * 1000), weights=weights)
    response.headers["Location"] = f"/api/v1/matching/rounds/{values['id']}"
    return round_out(values)


@router.get("/api/v1/matching/rounds", response_model=Page[RoundOut], responses=PROBLEMS, summary="Rounds in your area")
async def list_rounds(db: DatabaseDep, scope: ScopeDep, after: After = None, limit: Limit = 100) -> Page[RoundOut]:
    return page_of([round_out(r) for r in await use_cases.list_rounds(db, scope, after, limit + 1)], limit,
                   lambda r: r.id)


@router.get("/api/v1/matching/rounds/{round_id}", response_model=RoundOut, responses=PROBLEMS, summary="One round")
async def get_round(round_id: Id, db: DatabaseDep, scope: ScopeDep) -> RoundOut:
    return round_out(await use_cases.get_round(db, scope, round_id))


@router.get("/api/v1/matching/matches", response_model=Page[MatchOut], responses=PROBLEMS,
            summary="Matches in your area, each with its explanation (filters: round, state)")
async def list_matches(db: DatabaseDep, scope: ScopeDep, round_id: Annotated[str | None, Query(max_length=64)] = None,
                       state: Annotated[str | None, Query(pattern="^(proposed|accepted|rejected|expired)$")] = None,
                       after: After = None, limit: Limit = 200) -> Page[MatchOut]:
    rows = await use_cases.list_matches(db, scope, round_id=round_id, state=state, after=after, limit=limit + 1)
    return page_of([match_out(r) for r in rows], limit, lambda m: m.id)


@router.post("/api/v1/matching/matches/{match_id}/accept", response_model=MatchOut, responses=PROBLEMS,
             summary="Accept a proposed match (the resource must still have a place in the period; an expired one "
                     "answers 409)")
async def accept(match_id: Id,
                 db: IdempotentDatabaseDep, scope: ScopeDep, body: MatchDecisionIn | None = None) -> MatchOut:
    return match_out(await use_cases.decide(db, scope, match_id, True, body.note if body else None))


@router.post("/api/v1/matching/matches/{match_id}/reject", response_model=MatchOut, responses=PROBLEMS,
             summary="Reject a proposed match")
async def reject(match_id: Id,
                 db: IdempotentDatabaseDep, scope: ScopeDep, body: MatchDecisionIn | None = None) -> MatchOut:
    return match_out(await use_cases.decide(db, scope, match_id, False, body.note if body else None))


@router.get("/api/v1/demands", response_model=Page[DemandOut], responses=PROBLEMS,
            summary="The demand list (from demand-intake's events) in your area")
async def list_demands(db: DatabaseDep, scope: ScopeDep, area_code: SubtreeCode = None,
                       category: Annotated[str | None, Query(max_length=64)] = None,
                       state: Annotated[str | None, Query(max_length=24)] = None, open_only: bool = False,
                       after: After = None, limit: Limit = 200) -> Page[DemandOut]:
    async with db.sessions() as session:
        path = scope.path if area_code is None else (await area_in_scope(session, scope, area_code)).path
        rows = await store.list_demands(session, under_path=path, category=category, state=state,
                                        open_only=open_only, after=after, limit=limit + 1)
    items = [DemandOut(**{k: getattr(r, k) for k in DemandOut.model_fields}) for r in rows]
    return page_of(items, limit, lambda d: d.demand_id)


@router.get("/api/v1/demands/clusters", response_model=list[ClusterOut], responses=PROBLEMS,
            summary="Open demands grouped by category and community: candidates for a project")
async def clusters(db: DatabaseDep, scope: ScopeDep, area_code: SubtreeCode = None,
                   min_size: Annotated[int, Query(ge=1, le=1000)] = 2) -> list[ClusterOut]:
    return [ClusterOut(**c) for c in await use_cases.clusters(db, scope, area_code, min_size)]


@router.get("/api/v1/demands/{demand_id}/candidates", response_model=list[CandidateOut], responses=PROBLEMS,
            summary="The k nearest resources that fit one demand (category or skill, distance cap, area)")
async def candidates(demand_id: Id, db: DatabaseDep, scope: ScopeDep, k: Annotated[int, Query(ge=1, le=100)] = 10,
                     max_distance_km: Annotated[float, Query(ge=0.001, le=50, description="At least 1 m")] = 2.0) -> list[CandidateOut]:
    found = await use_cases.candidates(db, scope, demand_id, k, round(max_distance_km * 1000))
    return [CandidateOut(resource=resource_out(r), distance_m=d) for r, d in found]


@router.get("/api/v1/accountability", responses=PROBLEMS,
            summary="Per area: projects by category and step, money by funding source, demands met")
async def area_accountability(db: DatabaseDep, scope: ScopeDep, area_code: SubtreeCode = None) -> dict:
    return await accountability.area_figures(db, scope, area_code)
