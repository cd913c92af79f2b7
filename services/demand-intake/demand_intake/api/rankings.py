"""Monthly rankings of subdistricts and communities by the composite score, with the areas under
remediation, and each month's problem (每月一题) with the one step that opens a project on it."""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, Query, Request, Response

from demand_intake.api.schemas import (MonthlyProblemOut, MonthlyProblemsOut, ProblemCategoryOut, ProjectRequestIn,
                                       ProjectRequestOut, RankedAreaOut, RankingOut)
from demand_intake.domain.errors import BadPeriod
from demand_intake.domain.rates import Period, parse_period
from demand_intake.use_cases import rankings as use_cases
from yizhou.dependencies import ClockDep, DatabaseDep, ScopeDep
from yizhou.idempotent_writes import IdempotentDatabaseDep, IdempotentRoute
from yizhou.list_parameters import SubtreeCode
from yizhou.problems import Problem

router = APIRouter(route_class=IdempotentRoute, prefix="/api/v1", tags=["rankings"])
PROBLEMS = {401: {"description": "No or bad token"}, 403: {"description": "Role does not read rankings (`forbidden`)"},
            404: {"description": "Unknown area or outside your scope"},
            409: {"description": "A project was already requested for this problem (`duplicate`)"},
            422: {"description": "Bad month or parameter (`validation`), unknown area or category "
                                 "(`unknown-reference`), no demand of the category that month (`demand-rule`)"}}
Month = Annotated[str, Query(pattern=r"^\d{4}-\d{2}$", description="The month, YYYY-MM (the district's clock)")]
Level = Annotated[Literal["subdistrict", "community"], Query(description="Rank subdistricts or communities")]


def _month(request: Request, label: str, location: str = "query", field: str = "month") -> Period:
    try:
        return parse_period(label, request.app.state.settings.district_zone)   # the district's month, not UTC's
    except BadPeriod as exc:
        raise Problem("validation", str(exc), errors=[{"field": field, "location": location, "message": str(exc)}]) from None


@router.get("/rankings", response_model=RankingOut, responses=PROBLEMS,
            summary="A month's ranking of the subdistricts or communities under an area by the composite score "
                     "(RATE_WEIGHTS over the resident-judged rates), with the areas under remediation")
async def rank_areas(request: Request, db: DatabaseDep, scope: ScopeDep, month: Month,
                   level: Level = "community", under: SubtreeCode = None) -> RankingOut:
    settings = request.app.state.settings
    period = _month(request, month)
    code, areas = await use_cases.rankings(db, scope, level=level, period=period, under=under,
                                           weights=settings.weights, remediation=settings.remediation)
    return RankingOut(level=level, under=code, month=period.label, period_start=period.start, period_end=period.end,
                      weights=settings.weights, remediation=settings.ranking_remediation, areas=[RankedAreaOut(
                          area_code=a.code, name=a.name, rank=a.ranked.rank, score=a.ranked.score,
                          under_remediation=a.ranked.under_remediation, response_rate=a.rates.response_rate,
                          resolution_rate=a.rates.resolution_rate, satisfaction_rate=a.rates.satisfaction_rate,
                          declared_resolution_rate=a.rates.declared_resolution_rate,
                          recorded_satisfaction_rate=a.rates.recorded_satisfaction_rate,
                          submitted=a.counts.submitted, imported=a.counts.imported) for a in areas])


@router.get("/monthly-problems", response_model=MonthlyProblemsOut, responses=PROBLEMS,
            summary="每月一题: each subdistrict's or community's most recurring categories of a month, with counts")
async def list_monthly_problems(request: Request, db: DatabaseDep, scope: ScopeDep, month: Month,
                           level: Level = "community", under: SubtreeCode = None,
                           top: Annotated[int, Query(ge=1, le=21, description="Categories per area")] = 3) -> MonthlyProblemsOut:
    period = _month(request, month)
    code, areas = await use_cases.monthly_problems(db, scope, level=level, period=period, under=under, top=top)
    return MonthlyProblemsOut(level=level, under=code, month=period.label, period_start=period.start,
                              period_end=period.end, areas=[MonthlyProblemOut(
                                  area_code=a.code, name=a.name, problem=a.categories[0][0] if a.categories else None,
                                  categories=[ProblemCategoryOut(category=c, count=n) for c, n in a.categories])
                                  for a in areas])


@router.post("/monthly-problems/project-requests", status_code=201, response_model=ProjectRequestOut,
             responses=PROBLEMS,
             summary="Open a project request on an area's problem of the month: project-matching opens a project in "
                     "the understand step linking that month's demands of the category (as for a meeting's "
                     "`request_project` decision)")
async def request_project(body: ProjectRequestIn, request: Request, clock: ClockDep, db: IdempotentDatabaseDep,
                          scope: ScopeDep, response: Response) -> ProjectRequestOut:
    period = _month(request, body.month, "body")
    record, linked = await use_cases.request_project(db, scope, clock, period=period, area_code=body.area_code,
                                                     category=body.category, summary=body.summary)
    response.headers["Location"] = f"/api/v1/meetings/{record.id}"
    return ProjectRequestOut(decision_record_id=record.id, area_code=record.area_code, month=period.label,
                             category=body.category, linked_demands=linked)
