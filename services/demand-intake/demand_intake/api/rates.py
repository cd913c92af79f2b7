"""/api/v1/rates, /api/v1/backlog, /api/v1/overdue: from the read model fed by demand events."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Request

from demand_intake.api.schemas import FactOut, RatesOut
from demand_intake.api.views import cursor_of, parse_cursor
from demand_intake.domain.errors import BadPeriod
from demand_intake.domain.rates import parse_period
from demand_intake.use_cases import rates as use_cases
from yizhou.contracts.units import REGISTRY_ID_PATTERN as UNIT_ID_PATTERN
from yizhou.dependencies import ClockDep, DatabaseDep, ScopeDep
from yizhou.list_parameters import After, SubtreeCode
from yizhou.pagination import Page, page_of
from yizhou.problems import Problem

router = APIRouter(prefix="/api/v1", tags=["rates"])
PROBLEMS = {401: {"description": "No or bad token"}, 403: {"description": "Role does not read rates"},
            404: {"description": "Unknown area or outside your scope"}, 422: {"description": "Bad period or parameter"}}
UnitQuery = Annotated[str | None, Query(pattern=UNIT_ID_PATTERN, description="Only demands assigned to this registered "
                                                                              "unit (its org-registry id)")]


def _fact(row, breached) -> FactOut:
    return FactOut(demand_id=row.demand_id, area_code=row.area_code, category=row.category, channel=row.channel,
                   urgency=row.urgency, state=row.state, assignee=row.assignee, assignee_unit_id=row.assignee_unit_id,
                   accountable_area_code=row.accountable_area_code, submitted_at=row.submitted_at,
                   responded_at=row.responded_at, overdue=row.overdue, respond_overdue=row.respond_overdue,
                   resolve_overdue=row.resolve_overdue, breached=list(breached), me_too_count=row.me_too_count,
                   people_count=1 + row.me_too_count)


@router.get("/rates", response_model=RatesOut, responses=PROBLEMS,
            summary="Response, resolution and satisfaction rates of an area subtree over a period (docs/services/demand-intake.md defines them)")
async def rates(request: Request, db: DatabaseDep, scope: ScopeDep, period: Annotated[str, Query(max_length=10, description="2026, 2026-Q3 or 2026-11")],
                area_code: SubtreeCode = None,
                assignee: Annotated[str | None, Query(max_length=200, description="Only demands assigned to this unit")] = None,
                category: Annotated[str | None, Query(max_length=64)] = None, unit_id: UnitQuery = None) -> RatesOut:
    try:
        p = parse_period(period, request.app.state.settings.district_zone)   # the district's months, not UTC's
    except BadPeriod as exc:
        raise Problem("validation", str(exc), errors=[{"field": "period", "location": "query", "message": str(exc)}]) from None
    code, counts, r = await use_cases.rates(db, scope, area_code, p, assignee=assignee, category=category, unit_id=unit_id)
    return RatesOut(area_code=code, period=p.label, period_start=p.start, period_end=p.end, assignee=assignee, unit_id=unit_id,
                    category=category, **counts.__dict__, **r.__dict__)


@router.get("/backlog", response_model=Page[FactOut], responses=PROBLEMS,
            summary="Open demands (not yet resolved, closed or rejected), oldest first")
async def backlog(db: DatabaseDep, scope: ScopeDep, clock: ClockDep, area_code: SubtreeCode = None,
                  category: Annotated[str | None, Query(max_length=64)] = None,
                  assignee: Annotated[str | None, Query(max_length=200, description="Only one unit's")] = None,
                  unit_id: UnitQuery = None, after: After = None,
                  limit: Annotated[int, Query(ge=1, le=500)] = 50) -> Page[FactOut]:
    rows = await use_cases.open_list(db, scope, clock, area_code, overdue_only=False, after=parse_cursor(after),
                                     limit=limit + 1, category=category, assignee=assignee, unit_id=unit_id)
    return page_of([_fact(r, breached) for r, breached in rows], limit, lambda f: cursor_of(f.submitted_at, f.demand_id))


@router.get("/overdue", response_model=Page[FactOut], responses=PROBLEMS,
            summary="Open demands with a breached deadline, oldest first; `breached` names the deadlines missed")
async def overdue(db: DatabaseDep, scope: ScopeDep, clock: ClockDep, area_code: SubtreeCode = None,
                  category: Annotated[str | None, Query(max_length=64)] = None,
                  assignee: Annotated[str | None, Query(max_length=200, description="Only one unit's")] = None,
                  unit_id: UnitQuery = None, after: After = None,
                  limit: Annotated[int, Query(ge=1, le=500)] = 50) -> Page[FactOut]:
    rows = await use_cases.open_list(db, scope, clock, area_code, overdue_only=True, after=parse_cursor(after),
                                     limit=limit + 1, category=category, assignee=assignee, unit_id=unit_id)
    return page_of([_fact(r, breached) for r, breached in rows], limit, lambda f: cursor_of(f.submitted_at, f.demand_id))
