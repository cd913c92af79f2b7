"""The overdue sweeper: finds running deadlines past due and emits `demand.overdue` exactly once each.

The breach is stored on the deadline row (`breached_at`) by a conditional update in the same
transaction as the outbox row, so neither a restart nor a second replica emits it again.
"""

from __future__ import annotations

import asyncio
import logging

from demand_intake.store.deadlines import DeadlineRepository
from demand_intake.store.demands import DemandRepository
from demand_intake.use_cases.publishing import record_demand
from yizhou.contracts.demands import DemandOverdue
from yizhou.clock import Clock
from yizhou.database import Database

log = logging.getLogger(__name__)


async def sweep_overdue(db: Database, clock: Clock, batch: int = 200) -> int:
    """One pass; returns how many `demand.overdue` events were recorded. Small transactions, so the
    write lock (SQLite) or the row locks (PostgreSQL) are held briefly."""
    emitted = 0
    while True:
        async with db.unit_of_work() as uow:
            now = clock.now()
            clocks, demands = DeadlineRepository(uow.session), DemandRepository(uow.session)
            rows = await clocks.due(now, batch)
            for row in rows:
                if not await clocks.mark_breached(row.id, now):
                    continue  # another sweeper took it
                demand = await demands.get(row.demand_id)
                record_demand(uow, DemandOverdue, demand, now, deadline=row.kind, due_at=row.due_at,
                              dispatch_id=row.dispatch_id or None, accountable_area_code=demand.accountable_area_code)
                await demands.log(demand.id, "overdue", demand.state, demand.state, "system", "system",
                                  f"{row.kind} deadline {row.due_at.isoformat()} passed", now)
                emitted += 1
            await uow.commit()
        if len(rows) < batch:
            return emitted


def sweeper(clock: Clock, interval_s: float):
    """The background task the app starts (see app.py)."""

    async def deadline_sweeper(db: Database, settings) -> None:
        while True:
            try:
                count = await sweep_overdue(db, clock)
                if count:
                    log.info("overdue deadlines: %d", count)
            except asyncio.CancelledError:
                raise
            except Exception as exc:  # database down: try at the next tick
                log.warning("deadline sweep failed: %s: %s", type(exc).__name__, exc)
            await asyncio.sleep(interval_s)

    return deadline_sweeper
