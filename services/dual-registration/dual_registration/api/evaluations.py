"""/api/v1/evaluations, /api/v1/cards and /api/v1/figures: dual evaluation, service cards and area figures."""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, Path, Query, Response, status

from dual_registration.api.parameters import After, Limit, NowDep
from dual_registration.api.responses import PROBLEMS
from dual_registration.api.schemas import CardOut, EvaluationIn, EvaluationOut, FiguresOut
from dual_registration.api.spreadsheet import cards_workbook
from dual_registration.domain.evaluation import EvaluationState
from dual_registration.use_cases import cards as card_cases
from dual_registration.use_cases import evaluations as use_cases
from dual_registration.use_cases.figures import figures as area_figures
from yizhou.dependencies import DatabaseDep, DistrictZoneDep, ScopeDep
from yizhou.idempotent_writes import IdempotentDatabaseDep, IdempotentRoute
from yizhou.list_parameters import ExactAreaCode, SubtreeCode
from yizhou.pagination import Page, page_of

router = APIRouter(route_class=IdempotentRoute, prefix="/api/v1", tags=["evaluations, cards and figures"])
EvaluationId = Annotated[str, Path(max_length=64)]
Period = Annotated[str, Query(max_length=7, description="A year ('2026') or a quarter ('2026-Q1')")]
SubjectKind = Literal["unit", "member"]
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@router.post("/evaluations", status_code=status.HTTP_201_CREATED, response_model=EvaluationOut, responses=PROBLEMS,
             summary="The community (or a resident who was served) rates a registered unit or member for a period")
async def evaluate(body: EvaluationIn,
                   db: IdempotentDatabaseDep, scope: ScopeDep, now: NowDep, response: Response) -> EvaluationOut:
    record = await use_cases.evaluate(db, scope, now, **body.model_dump())
    response.headers["Location"] = f"/api/v1/evaluations/{record['id']}"
    return EvaluationOut.model_validate(record)


@router.get("/evaluations", response_model=Page[EvaluationOut], responses=PROBLEMS,
            summary="Evaluations in your area (residents see their own; members and units their published ones)")
async def list_evaluations(db: DatabaseDep, scope: ScopeDep, subject_kind: SubjectKind | None = None,
                           subject_id: Annotated[str | None, Query(max_length=64)] = None,
                           period: Annotated[str | None, Query(max_length=7)] = None,
                           state: EvaluationState | None = None,
                           evaluator_kind: Literal["community", "resident"] | None = None,
                           after: After = None, limit: Limit = 100) -> Page[EvaluationOut]:
    records = await use_cases.list_evaluations(db, scope, subject_kind=subject_kind, subject_id=subject_id,
                                               period=period, state=state.value if state else None,
                                               evaluator_kind=evaluator_kind, after=after, limit=limit + 1)
    return page_of([EvaluationOut.model_validate(r) for r in records], limit, lambda e: e.id)


@router.get("/evaluations/{evaluation_id}", response_model=EvaluationOut, responses=PROBLEMS, summary="One evaluation")
async def get_evaluation(evaluation_id: EvaluationId, db: DatabaseDep, scope: ScopeDep) -> EvaluationOut:
    return EvaluationOut.model_validate(await use_cases.get_evaluation(db, scope, evaluation_id))


@router.post("/evaluations/{evaluation_id}/publish", response_model=EvaluationOut, responses=PROBLEMS,
             summary="The community publishes it: `evaluation.published` goes to the subject's own party organization")
async def publish(evaluation_id: EvaluationId,
                  db: IdempotentDatabaseDep, scope: ScopeDep, now: NowDep) -> EvaluationOut:
    return EvaluationOut.model_validate(await use_cases.change(db, scope, now, evaluation_id, EvaluationState.PUBLISHED))


@router.post("/evaluations/{evaluation_id}/discard", response_model=EvaluationOut, responses=PROBLEMS,
             summary="Discard a draft (its evaluator or the community)")
async def discard(evaluation_id: EvaluationId,
                  db: IdempotentDatabaseDep, scope: ScopeDep, now: NowDep) -> EvaluationOut:
    return EvaluationOut.model_validate(await use_cases.change(db, scope, now, evaluation_id, EvaluationState.DISCARDED))


@router.get("/cards/{subject_kind}/{subject_id}", response_model=CardOut, responses=PROBLEMS,
            summary="A member's or unit's card for a quarter or year: hours, services, ratings, thresholds met")
async def get_card(subject_kind: SubjectKind, subject_id: Annotated[str, Path(max_length=64)], period: Period,
                   db: DatabaseDep, scope: ScopeDep, zone: DistrictZoneDep) -> CardOut:
    return CardOut.model_validate(card_cases.card_dict(await card_cases.card(db, scope, subject_kind, subject_id, period,
                                                                             zone)))


@router.get("/cards", response_model=Page[CardOut], responses=PROBLEMS,
            summary="Cards of the registered members or units in your area (cursor: the last subject id)")
async def list_cards(db: DatabaseDep, scope: ScopeDep, subject_kind: SubjectKind, period: Period, zone: DistrictZoneDep,
                     community_code: ExactAreaCode = None,
                     after: After = None, limit: Limit = 100) -> Page[CardOut]:
    found = await card_cases.cards(db, scope, subject_kind, period, community_code=community_code, after=after,
                                   limit=limit + 1, zone=zone)
    return page_of([CardOut.model_validate(card_cases.card_dict(c)) for c in found], limit, lambda c: c.subject_id)


@router.get("/cards.xlsx", response_class=Response, responses={**PROBLEMS, 200: {"content": {XLSX: {}}}},
            summary="The same cards as an XLSX spreadsheet (at most 20,000 rows)")
async def export_cards(db: DatabaseDep, scope: ScopeDep, subject_kind: SubjectKind, period: Period,
                       zone: DistrictZoneDep, community_code: ExactAreaCode = None) -> Response:
    found = await card_cases.cards(db, scope, subject_kind, period, community_code=community_code, after=None,
                                   limit=card_cases.EXPORT_LIMIT, zone=zone)
    filename = f"{subject_kind}-cards-{scope.caller.area}-{period}.xlsx"
    names = await card_cases.names_for(db, found)
    return Response(cards_workbook(found, f"{subject_kind} cards {period}", names), media_type=XLSX,
                    headers={"Content-Disposition": f'attachment; filename="{filename}"'})


@router.get("/figures", response_model=FiguresOut, responses=PROBLEMS,
            summary="Per community under an area: registered vs expected, active rate, hours, evaluation distribution")
async def figures(db: DatabaseDep, scope: ScopeDep, period: Period, zone: DistrictZoneDep,
                  area_code: SubtreeCode = None) -> FiguresOut:
    return FiguresOut.model_validate(await area_figures(db, scope, area_code=area_code, period_label=period, zone=zone))
