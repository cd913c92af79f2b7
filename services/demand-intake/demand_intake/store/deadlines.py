"""The deadline clocks of demands, and the query the overdue sweeper runs."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from demand_intake.domain.deadlines import DeadlineClock, DeadlineKind
from demand_intake.store.tables import DeadlineRow
from yizhou.pending_inserts import insert_at_commit


def to_clock(row: DeadlineRow) -> DeadlineClock:
    return DeadlineClock(kind=DeadlineKind(row.kind), budget_s=row.budget_s, consumed_s=row.consumed_s,
                         running_since=row.running_since, ended_at=row.ended_at, outcome=row.outcome,
                         breached_at=row.breached_at, dispatch_id=row.dispatch_id)


def _values(clock: DeadlineClock) -> dict:
    return {"budget_s": clock.budget_s, "consumed_s": clock.consumed_s, "running_since": clock.running_since,
            "due_at": clock.due_at, "ended_at": clock.ended_at, "outcome": clock.outcome}


_CLOCKS = DeadlineRow.__table__


class DeadlineRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def add(self, demand_id: str, *clocks: DeadlineClock) -> None:
        """A demand's new clocks (the submit path starts two), held for the unit of work's commit."""
        await insert_at_commit(self.session, _CLOCKS, [
            {"demand_id": demand_id, "kind": clock.kind.value, "dispatch_id": clock.dispatch_id,
             "breached_at": clock.breached_at, **_values(clock)} for clock in clocks])

    async def of(self, demand_id: str) -> list[DeadlineClock]:
        query = select(DeadlineRow).where(DeadlineRow.demand_id == demand_id).order_by(DeadlineRow.id)
        return [to_clock(r) for r in (await self.session.execute(query)).scalars().all()]

    async def of_many(self, demand_ids: list[str]) -> dict[str, list[DeadlineClock]]:
        """The clocks of a page of demands, in one query (a list never asks per demand)."""
        if not demand_ids:
            return {}
        query = select(DeadlineRow).where(DeadlineRow.demand_id.in_(demand_ids)).order_by(DeadlineRow.id)
        clocks: dict[str, list[DeadlineClock]] = {}
        for row in (await self.session.execute(query)).scalars().all():
            clocks.setdefault(row.demand_id, []).append(to_clock(row))
        return clocks

    async def save(self, demand_id: str, clock: DeadlineClock) -> None:
        # breached_at is written only by `mark_breached`, so a transition never clears it.
        await self.session.execute(update(DeadlineRow).where(
            DeadlineRow.demand_id == demand_id, DeadlineRow.kind == clock.kind.value,
            DeadlineRow.dispatch_id == clock.dispatch_id).values(**_values(clock)))

    async def due(self, now: datetime, limit: int) -> list[DeadlineRow]:
        query = (select(DeadlineRow).where(DeadlineRow.breached_at.is_(None), DeadlineRow.due_at.is_not(None),
                                           DeadlineRow.due_at <= now, DeadlineRow.ended_at.is_(None))
                 .order_by(DeadlineRow.due_at, DeadlineRow.id).limit(limit))
        return list((await self.session.execute(query)).scalars().all())

    async def mark_breached(self, row_id: int, now: datetime) -> bool:
        """True for exactly one caller per deadline, ever: the guard that makes `demand.overdue` once."""
        result = await self.session.execute(
            update(DeadlineRow).where(DeadlineRow.id == row_id, DeadlineRow.breached_at.is_(None))
            .values(breached_at=now).execution_options(synchronize_session=False))
        return result.rowcount == 1

    async def mark_breached_clock(self, demand_id: str, clock: DeadlineClock, now: datetime) -> bool:
        """The same once-only guard, for a clock found past due while a transition stops it."""
        result = await self.session.execute(
            update(DeadlineRow).where(DeadlineRow.demand_id == demand_id, DeadlineRow.kind == clock.kind.value,
                                      DeadlineRow.dispatch_id == clock.dispatch_id, DeadlineRow.breached_at.is_(None))
            .values(breached_at=now).execution_options(synchronize_session=False))
        if result.rowcount == 1:
            clock.breached_at = now
            return True
        return False
