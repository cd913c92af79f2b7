"""The three rates, the backlog and the overdue list, read from the `demand_facts` read model."""

from __future__ import annotations

from demand_intake.domain.rates import Counts, Period, Rates, months_of, rates_of, rolled_up
from demand_intake.store.deadlines import DeadlineRepository
from demand_intake.store.facts import FactRepository
from demand_intake.store.rate_cells import RateCells
from demand_intake.store.tables import DemandFactRow
from demand_intake.use_cases.demands import standing_of
from yizhou.auth import AreaScope, Role
from yizhou.axis_copy import area_info
from yizhou.clock import Clock
from yizhou.database import Database
from yizhou.personal_data import STAFF_ROLES
from yizhou.errors import Forbidden, NotFound

READERS = STAFF_ROLES | {Role.PARTY_MEMBER}


async def _subtree(session, scope: AreaScope, area_code: str | None) -> tuple[str, str]:
    if scope.caller.role not in READERS:
        raise Forbidden(f"Role '{scope.caller.role.value}' does not read rates and backlogs.")
    code = area_code or scope.caller.area
    area = await area_info(session, code)
    if area is None or not scope.covers(area.path):
        raise NotFound(f"No area '{code}' in your scope.")
    return area.code, area.path


async def rates(db: Database, scope: AreaScope, area_code: str | None, period: Period, *, assignee: str | None = None,
                category: str | None = None, unit_id: str | None = None) -> tuple[str, Counts, Rates]:
    async with db.sessions() as session:
        code, path = await _subtree(session, scope, area_code)
        counts = await counts_of(session, path, period, assignee=assignee, category=category, unit_id=unit_id)
    return code, counts, rates_of(counts)


async def counts_of(session, path: str, period: Period, *, assignee: str | None = None,
                    category: str | None = None, unit_id: str | None = None) -> Counts:
    """The counts of a subtree over a period, from whichever part of the read model answers fastest."""
    if assignee is None and unit_id is None and rolled_up(path):   # a district, subdistrict or community: its cells
        return await RateCells(session).sums(path, *months_of(period), category)
    return await FactRepository(session).counts(path, period.start, period.end, assignee, category,  # a grid or a unit
                                                unit_id)


async def open_list(db: Database, scope: AreaScope, clock: Clock, area_code: str | None, *, overdue_only: bool, after,
                    limit: int, category: str | None = None, assignee: str | None = None,
                    unit_id: str | None = None) -> list[tuple[DemandFactRow, tuple[str, ...]]]:
    """The page, each with the deadlines it missed (from the demands' clocks, one query for the page)."""
    async with db.sessions() as session:
        _, path = await _subtree(session, scope, area_code)
        rows = await FactRepository(session).open_list(path, overdue_only=overdue_only, after=after, limit=limit,
                                                       category=category, assignee=assignee, unit_id=unit_id)
        clocks = await DeadlineRepository(session).of_many([r.demand_id for r in rows])
    now = clock.now()
    return [(r, standing_of(clocks.get(r.demand_id, []), now).breached) for r in rows]
