"""Rebuilding the rates read model (`demand_facts`) from `yizhou.demands.v1`, from the start.

Only the demand topic and only the facts are replayed: the project handlers, which change demands
and publish events, are not run again (the platform-wide `yizhou rebuild demand-intake` replays
every subscription). The facts and this topic's inbox rows are cleared in one transaction, then the
topic is replayed through the live handler (`yizhou.rebuild.replay`).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field

from sqlalchemy import delete

from demand_intake.consumers import on_demand_event
from demand_intake.store.models import DemandFactRow
from yizhou.consumer import Subscription
from yizhou.contracts.demands import DEMAND_EVENTS, DEMANDS_TOPIC
from yizhou.rebuild import replay


@dataclass
class RatesRebuild:
    cleared: int = 0
    records: int = 0
    outcomes: Counter = field(default_factory=Counter)


async def rebuild_rates(settings, progress: Callable[[int, int], None] | None = None) -> RatesRebuild:
    async def clear_facts(session) -> dict[str, int]:
        return {"demand_facts": (await session.execute(delete(DemandFactRow))).rowcount}

    report = await replay(settings, [Subscription(DEMANDS_TOPIC, e.event_type, on_demand_event) for e in DEMAND_EVENTS],
                          clear_facts, progress)
    return RatesRebuild(cleared=report.cleared["demand_facts"], records=report.records, outcomes=report.outcomes)
