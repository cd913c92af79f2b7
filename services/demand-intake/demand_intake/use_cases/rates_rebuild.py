"""Rebuilding the rates read model (`demand_facts`) from `yizhou.demands.v1`, from the start.

Only the demand topic and only the facts (and their roll-up, the rate cells) are replayed: the project handlers, which change demands
and publish events, are not run again (the platform-wide `yizhou rebuild demand-intake` replays
every subscription). The facts and this topic's inbox rows are cleared in one transaction, then the
topic is replayed through the live handler (`yizhou.rebuild.replay`).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field, replace

from sqlalchemy import delete

from demand_intake.consumers import DEMAND_FACT_SUBSCRIPTIONS
from demand_intake.store.models import DemandFactRow, RateCellRow
from yizhou.contracts.demands import DEMANDS_TOPIC
from yizhou.rebuild import replay


@dataclass
class RatesRebuild:
    cleared: int = 0
    records: int = 0
    outcomes: Counter = field(default_factory=Counter)
    workers: int = 1


async def rebuild_rates(settings, progress: Callable[[int, int], None] | None = None,
                        topic: str = DEMANDS_TOPIC, workers: int | None = None) -> RatesRebuild:
    """`topic`: where the demand events are read from (a copy of the demand topic, e.g. in a benchmark);
    `workers`: processes sharing the partitions (`yizhou.rebuild.replay`'s default when None)."""

    async def clear_facts(session) -> dict[str, int]:
        return {"demand_facts": (await session.execute(delete(DemandFactRow))).rowcount,
                "demand_rate_cells": (await session.execute(delete(RateCellRow))).rowcount}

    subscriptions = [replace(s, topic=topic) for s in DEMAND_FACT_SUBSCRIPTIONS]
    report = await replay(settings, subscriptions, clear_facts, progress, workers)
    return RatesRebuild(cleared=report.cleared["demand_facts"], records=report.records, outcomes=report.outcomes,
                        workers=report.workers)
