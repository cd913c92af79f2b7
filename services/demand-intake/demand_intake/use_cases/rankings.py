"""Monthly rankings of subdistricts or communities by the composite score, with the areas under
remediation; each month's problem (每月一题) per area; and the one step that asks project-matching for a
project on it (a closed decision record with one `request_project` decision: `meeting.closed`, the path
deliberation meetings already take)."""

from __future__ import annotations

import uuid
from collections import defaultdict
from dataclasses import dataclass

from demand_intake.domain.meeting import Decision, DecisionKind, Meeting, MeetingState
from demand_intake.domain.rankings import Ranked, Remediation, composite_score, rank, top_categories
from demand_intake.domain.rates import Counts, Period, Rates, months_of, rates_of
from demand_intake.store.areas import areas_at_level
from demand_intake.store.facts import FactRepository
from demand_intake.store.meetings import MeetingRepository
from demand_intake.store.rate_cells import RateCells
from demand_intake.use_cases.access import check_category, scrub
from demand_intake.use_cases.errors import DemandRuleBroken
from demand_intake.use_cases.meetings import ORGANISERS
from demand_intake.use_cases.publishing import SOURCE
from demand_intake.use_cases.rates import READERS
from yizhou.auth import AreaScope, require_role
from yizhou.axis_copy import AreaInfo, area_info
from yizhou.clock import Clock
from yizhou.contracts.meetings import MeetingClosed, MeetingDecision
from yizhou.database import Database
from yizhou.errors import Duplicate, Forbidden, NotFound, UnknownReference

DEPTH = {"subdistrict": 2, "community": 3}   # path segments of an area of the level: /CY/CY01/ is a subdistrict
NAMESPACE = uuid.UUID("6f1d3c8e-2b7a-4f0e-9a51-7c3e5d2b9a10")   # monthly-problem decision records
LINKED_AT_MOST = 500


@dataclass(frozen=True)
class AreaFigures:
    code: str
    name: str
    counts: Counts
    rates: Rates
    ranked: Ranked


@dataclass(frozen=True)
class MonthlyProblem:
    code: str
    name: str
    categories: list[tuple[str, int]]   # most recurring first, with their counts


async def _under(session, scope: AreaScope, under: str | None) -> AreaInfo:
    if scope.caller.role not in READERS:
        raise Forbidden(f"Role '{scope.caller.role.value}' does not read rankings.")
    area = await area_info(session, under or scope.caller.area)
    if area is None or not scope.covers(area.path):
        raise NotFound(f"No area '{under or scope.caller.area}' in your scope.")
    return area


def _area_of(cell_path: str, depth: int) -> str | None:
    """The path of the area of the level (`depth` segments) a cell sums into; cells above it, none."""
    codes = cell_path.strip("/").split("/")
    return "/" + "/".join(codes[:depth]) + "/" if len(codes) >= depth else None


async def _by_area(session, under: AreaInfo, level: str, period: Period) -> tuple[list[tuple[str, str, str]],
                                                                                 dict[str, dict[str, Counts]]]:
    """The areas of the level in the subtree, and their counts per category over the period (two queries)."""
    areas = await areas_at_level(session, under.path, level)
    cells = await RateCells(session).sums_by_cell_path(under.path, *months_of(period))
    summed: dict[str, dict[str, Counts]] = defaultdict(lambda: defaultdict(Counts))
    for (path, category), counts in cells.items():
        area_path = _area_of(path, DEPTH[level])
        if area_path is not None:
            summed[area_path][category] += counts
    return areas, summed


async def rankings(db: Database, scope: AreaScope, *, level: str, period: Period, under: str | None,
                   weights: dict[str, float], remediation: Remediation) -> tuple[str, list[AreaFigures]]:
    async with db.sessions() as session:
        area = await _under(session, scope, under)
        areas, summed = await _by_area(session, area, level, period)
    figures = {}
    for code, name, path in areas:
        counts = sum(summed.get(path, {}).values(), Counts())
        figures[code] = (name, counts, rates_of(counts))
    ranked = rank({code: composite_score(r, weights) for code, (_, _, r) in figures.items()}, remediation)
    return area.code, [AreaFigures(r.area_code, figures[r.area_code][0], figures[r.area_code][1],
                                   figures[r.area_code][2], r) for r in ranked]


async def monthly_problems(db: Database, scope: AreaScope, *, level: str, period: Period, under: str | None,
                           top: int) -> tuple[str, list[MonthlyProblem]]:
    async with db.sessions() as session:
        area = await _under(session, scope, under)
        areas, summed = await _by_area(session, area, level, period)
    return area.code, [MonthlyProblem(code, name, top_categories(summed.get(path, {}), top))
                       for code, name, path in areas]


async def request_project(db: Database, scope: AreaScope, clock: Clock, *, period: Period, area_code: str,
                          category: str, summary: str | None) -> tuple[Meeting, int]:
    """Asks project-matching for a project on an area's problem of the month: a decision record of the area
    (a closed meeting titled 每月一题, no attendees) with one `request_project` decision linking the month's
    counted demands of that category there (at most LINKED_AT_MOST). project-matching opens it in the understand step, once. One request per
    area, month and category (409 `duplicate` again). Returns the record and how many demands it links."""
    require_role(scope, ORGANISERS, "open a project on the month's problem")
    check_category(category)
    async with db.unit_of_work() as uow:
        area = await area_info(uow.session, area_code)
        if area is None or not scope.covers(area.path):
            raise UnknownReference(f"No area '{area_code}' in your scope.",
                                   errors=[{"field": "area_code", "location": "body", "message": "unknown area"}])
        record_id = str(uuid.uuid5(NAMESPACE, f"{period.label}:{area.code}:{category}"))
        meetings = MeetingRepository(uow.session)
        if await meetings.get(record_id) is not None:
            raise Duplicate(f"A project was already requested for {category} in {area.code}, {period.label} "
                            f"(decision record {record_id}).")
        # The demands the month's count stands for (the read model's: imports, withdrawn and merged left out).
        demands = await FactRepository(uow.session).counted_ids(area.path, period.start, period.end, category,
                                                                LINKED_AT_MOST)
        if not demands:
            raise DemandRuleBroken(f"No demand of {category} was submitted in {area.code} in {period.label}: "
                                   "nothing recurring to take on.")
        now = clock.now()
        # Free text goes onto an event that leaves the service: phone and ID numbers hidden first.
        text = scrub((summary or "").strip()) or f"每月一题 {period.label}: {category}"
        decision = Decision(DecisionKind.REQUEST_PROJECT, demands, category, text)
        record = Meeting(id=record_id, area_code=area.code, area_path=area.path, title=f"每月一题 {period.label} {category}",
                         scheduled_at=now, created_by=scope.caller.subject, minutes=text)
        await meetings.add(record)
        record.state, record.decisions, record.closed_at = MeetingState.CLOSED, [decision], now
        await uow.session.flush()
        await meetings.save(record)
        uow.record(MeetingClosed(meeting_id=record.id, area_code=area.code, area_path=area.path, closed_at=now,
                                 attendee_count=0,
                                 decisions=[MeetingDecision(kind=decision.kind.value, demand_ids=decision.demand_ids,
                                                            category=category, summary=text)]),
                   aggregate_id=record.id, source=SOURCE)
        await uow.commit()
    return record, len(demands)
