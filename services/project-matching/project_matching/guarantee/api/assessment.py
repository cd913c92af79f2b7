"""/api/v1/assessment: yearly responsibility scorecards of areas and party organizations, and the
weights of their inputs."""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, Path, Query, Response, status

from project_matching.api.parameters import After, SubtreeCode, Id, Limit
from project_matching.api.responses import PROBLEMS
from project_matching.guarantee.api.schemas import PublishIn, ScorecardOut, WeightsIn, WeightsOut
from project_matching.guarantee.use_cases import assessment as use_cases
from yizhou.axis_events import CODE_PATTERN
from yizhou.conditional_writes import PRECONDITION, ConditionalWriteDep, tagged
from yizhou.dependencies import DatabaseDep, ScopeDep
from yizhou.idempotent_writes import IdempotentDatabaseDep, IdempotentRoute
from yizhou.pagination import Page, page_of

router = APIRouter(route_class=IdempotentRoute, prefix="/api/v1/assessment", tags=["guarantee: assessment"])
YearPath = Annotated[int, Path(ge=2000, le=2100)]
YearQuery = Annotated[int, Query(ge=2000, le=2100, description="The assessment year")]
SubjectKind = Literal["area", "organization"]
WEIGHT_PROBLEMS = {**PROBLEMS, 422: {"description": "validation; rule-violated: unknown or inapplicable inputs, or "
                                                    "weights that do not sum to exactly 1"}}


@router.get("/weights/{year}/{subject_kind}", response_model=WeightsOut, responses=PROBLEMS,
            summary="The weights your district uses for a year's area or organization scorecards (defaults until set)")
async def get_weights(year: YearPath, subject_kind: SubjectKind, db: DatabaseDep, scope: ScopeDep,
                      response: Response) -> WeightsOut:
    return tagged(response, WeightsOut(**await use_cases.get_weights(db, scope, year, subject_kind)))


@router.put("/weights/{year}/{subject_kind}", response_model=WeightsOut, responses=WEIGHT_PROBLEMS | PRECONDITION,
            summary="Set your district's weights for a year (district admins; inputs left out weigh 0; sum = 1)")
async def set_weights(year: YearPath, subject_kind: SubjectKind, body: WeightsIn, write: ConditionalWriteDep,
                      scope: ScopeDep, response: Response) -> WeightsOut:
    await write.check(use_cases.get_weights(write.database, scope, year, subject_kind), lambda w: WeightsOut(**w))
    updated = await use_cases.set_weights(write.database, scope, year, subject_kind, body.weights)
    return await write.commit(response, WeightsOut(**updated))


@router.get("/scorecards/areas/{area_code}", response_model=ScorecardOut, responses=PROBLEMS,
            summary="An area's scorecard for a year, computed now: every input with value, source, weight and "
                    "contribution")
async def area_scorecard(area_code: Annotated[str, Path(pattern=CODE_PATTERN)], year: YearQuery, db: DatabaseDep,
                         scope: ScopeDep) -> ScorecardOut:
    return ScorecardOut(**await use_cases.compute(db, scope, "area", area_code, year))


@router.get("/scorecards/organizations/{organization_id}", response_model=ScorecardOut, responses=PROBLEMS,
            summary="A party organization's scorecard for a year, computed now")
async def organization_scorecard(organization_id: Id, year: YearQuery, db: DatabaseDep,
                                 scope: ScopeDep) -> ScorecardOut:
    return ScorecardOut(**await use_cases.compute(db, scope, "organization", organization_id, year))


@router.post("/scorecards", status_code=status.HTTP_201_CREATED, response_model=ScorecardOut, responses=PROBLEMS,
             summary="Publish a scorecard (district or subdistrict admins, for areas below their own): frozen as a "
                     "new version and sent as `assessment.published`")
async def publish(body: PublishIn, db: IdempotentDatabaseDep, scope: ScopeDep, response: Response) -> ScorecardOut:
    card = await use_cases.publish(db, scope, body.subject_kind, body.subject_id, body.year)
    response.headers["Location"] = f"/api/v1/assessment/scorecards/{card['id']}"
    return ScorecardOut(**card)


@router.get("/scorecards", response_model=Page[ScorecardOut], responses=PROBLEMS,
            summary="Published scorecards in your area (filters: area, year, subject kind)")
async def list_published(db: DatabaseDep, scope: ScopeDep, area_code: SubtreeCode = None,
                         year: Annotated[int | None, Query(ge=2000, le=2100)] = None,
                         subject_kind: SubjectKind | None = None, after: After = None,
                         limit: Limit = 100) -> Page[ScorecardOut]:
    found = await use_cases.list_published(db, scope, area_code=area_code, year=year, subject_kind=subject_kind,
                                           after=after, limit=limit + 1)
    return page_of([ScorecardOut(**c) for c in found], limit, lambda c: c.id)


@router.get("/scorecards/{scorecard_id}", response_model=ScorecardOut, responses=PROBLEMS,
            summary="One published scorecard")
async def get_published(scorecard_id: Id, db: DatabaseDep, scope: ScopeDep) -> ScorecardOut:
    return ScorecardOut(**await use_cases.get_published(db, scope, scorecard_id))
