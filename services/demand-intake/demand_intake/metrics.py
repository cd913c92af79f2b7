"""Demand gauges for the operations dashboard (Grafana): demands by state, overdue demands and the
three rates of the current year, refreshed from the rates read model in the background."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from datetime import UTC, datetime, tzinfo

from prometheus_client import Gauge
from sqlalchemy import func, select

from demand_intake.domain.rates import parse_period, rates_of
from demand_intake.store.rate_cells import RateCells
from demand_intake.store.tables import DemandFactRow
from demand_intake.use_cases.rates import counts_of
from yizhou.database import Database
from yizhou.district_clock import DEFAULT_ZONE, year_containing

DEMANDS_BY_STATE = Gauge("demands_by_state", "Demands by state (rates read model)", ["state"])
DEMANDS_OVERDUE = Gauge("demands_overdue", "Open demands with a breached deadline")
DEMAND_RATE = Gauge("demand_rate", "The three rates over the current year, district-wide (0..1)", ["rate"])

log = logging.getLogger(__name__)


async def refresh_demand_gauges(db: Database, now: datetime | None = None, zone: tzinfo = DEFAULT_ZONE) -> None:
    period = parse_period(year_containing(now or datetime.now(UTC), zone), zone)   # the district's current year
    async with db.sessions() as session:
        by_state = dict((await session.execute(
            select(DemandFactRow.state, func.count()).group_by(DemandFactRow.state))).all())
        overdue = (await RateCells(session).sums("/", 0, 1_000_000)).overdue_open   # every month there is
        counts = await counts_of(session, "/", period)
    for state, count in by_state.items():
        DEMANDS_BY_STATE.labels(state).set(count)
    DEMANDS_OVERDUE.set(overdue)
    rates = rates_of(counts)
    for name in ("response_rate", "resolution_rate", "satisfaction_rate"):
        value = getattr(rates, name)
        DEMAND_RATE.labels(name.removesuffix("_rate")).set(float("nan") if value is None else value)


async def demand_gauges(db: Database, settings) -> None:
    """Background task of the service (ServiceParts.background)."""
    while True:
        with contextlib.suppress(Exception):
            await refresh_demand_gauges(db, zone=settings.district_zone)
        await asyncio.sleep(15)
