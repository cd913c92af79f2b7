"""The rolled-up rates read model (`demand_rate_cells`): summed contributions per community subtree,
month and category, changed by adding deltas and read by summing a key range."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from datetime import tzinfo

from sqlalchemy import delete, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from demand_intake.domain.facts import CellKey, cell_of
from demand_intake.domain.rates import COUNTERS, Counts
from demand_intake.store.tables import DemandFactRow, RateCellRow
from yizhou.bulk import upsert_many
from yizhou.columns import in_subtree
from yizhou.district_clock import DEFAULT_ZONE


class RateCells:
    def __init__(self, session: AsyncSession, zone: tzinfo = DEFAULT_ZONE) -> None:
        self.session, self.zone = session, zone   # the district's: recompute keys facts by its months

    async def add(self, deltas: dict[CellKey, Counts]) -> None:
        """Adds each delta to its cell (creating it). Keys in sorted order, so concurrent consumers of
        different partitions lock shared cells in one order and never deadlock."""
        rows = [{"area_path": path, "month": month, "category": category, **dict(zip(COUNTERS, delta.values()))}
                for (path, month, category), delta in sorted(deltas.items()) if delta]
        if not rows:
            return
        await upsert_many(self.session, RateCellRow.__table__, rows, ["area_path", "month", "category"], add=True)

    async def sums(self, under_path: str, first_month: int, after_month: int, category: str | None = None) -> Counts:
        c = RateCellRow
        query = select(*(func.coalesce(func.sum(c.__table__.c[name]), 0) for name in COUNTERS)).where(
            in_subtree(c.area_path, under_path), c.month >= first_month, c.month < after_month)
        if category:
            query = query.where(c.category == category)
        return Counts(*(int(v) for v in (await self.session.execute(query)).one()))

    async def sums_by_cell_path(self, under_path: str, first_month: int, after_month: int) -> dict[tuple[str, str], Counts]:
        """The counts under a subtree over months, per cell path (a community's, or an area's above one)
        and category: one grouped query, which the rankings and each month's problem sum per area."""
        c = RateCellRow
        query = select(c.area_path, c.category, *(func.sum(c.__table__.c[name]) for name in COUNTERS)).where(
            in_subtree(c.area_path, under_path), c.month >= first_month, c.month < after_month
        ).group_by(c.area_path, c.category)
        return {(row[0], row[1]): Counts(*(int(v or 0) for v in row[2:]))
                for row in (await self.session.execute(query)).all()}

    async def recompute(self, roots: Iterable[str]) -> None:
        """Sums the cells under each root path again from the facts (after facts moved between
        communities, which cells alone cannot follow)."""
        roots = set(roots)
        for root in sorted(r for r in roots if not any(r != o and r.startswith(o) for o in roots)):
            await self.session.execute(delete(RateCellRow).where(in_subtree(RateCellRow.area_path, root)))
            f = DemandFactRow
            facts = await self.session.execute(
                select(f.area_path, f.submitted_at, f.category, f.state, f.responded_at, f.respond_overdue, f.feedback,
                       f.overdue, f.feedback_by, f.imported, f.said_resolved, f.said_satisfaction,
                       f.reduced)
                .where(in_subtree(f.area_path, root)))
            totals: dict[CellKey, Counts] = defaultdict(Counts)
            for fact in facts:
                key, counts = cell_of(fact, self.zone)
                totals[key] += counts
            await self.add(totals)
