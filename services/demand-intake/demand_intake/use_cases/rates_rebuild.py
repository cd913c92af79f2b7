"""Rebuilding the rates read model (`demand_facts` and its roll-up `demand_rate_cells`) from
`yizhou.demands.v1`, from the start.

Only the demand topic and only these tables are replayed: the project handlers, which change demands
and publish events, are not run again (the platform-wide `yizhou rebuild demand-intake` replays every
subscription). The tables and this topic's inbox rows are cleared in one transaction, then the topic is
replayed (`yizhou.rebuild.replay`, worker processes per partition share) into a `RatesFold`: the live
handler's fold (`consumers.fold`, `DemandFact.apply`) done in memory, written every `WRITE_EVERY`
events (facts, cell changes and inbox claims in one transaction, in the background while the next
events are folded) instead of reading and writing each demand's fact for each fetched batch. A rebuild that fails part way is run again: it starts by clearing.
"""

from __future__ import annotations

import asyncio
import logging
from collections import Counter
from collections.abc import Callable
from copy import copy
from dataclasses import dataclass, field, replace

from pydantic import ValidationError
from sqlalchemy import delete

from demand_intake.consumers import DEMAND_FACT_SUBSCRIPTIONS, FactEvent, fact_subscriptions, fold, standing_changes
from demand_intake.domain.facts import CellKey, DemandFact, cell_of
from demand_intake.domain.rates import Counts
from demand_intake.store.facts import FactRepository
from demand_intake.store.rate_cells import RateCells
from demand_intake.store.tables import DemandFactRow, RateCellRow
from yizhou.axis_copy import all_paths
from yizhou.consumer import UnprocessableEvent, claim_many, untrusted_source
from yizhou.contracts.demands import DEMAND_EVENTS, DEMANDS_TOPIC
from yizhou.database import Database
from yizhou.envelope import MalformedEvent, ReceivedEvent, from_kafka_record
from yizhou.rebuild import replay

log = logging.getLogger(__name__)
WRITE_EVERY = 250_000
FACT_EVENT_TYPES = frozenset(e.event_type for e in DEMAND_EVENTS)
FACT_SOURCES = frozenset().union(*(s.sources for s in DEMAND_FACT_SUBSCRIPTIONS))   # what the live consumer accepts


@dataclass
class RatesRebuild:
    cleared: int = 0
    records: int = 0
    outcomes: Counter = field(default_factory=Counter)
    workers: int = 1


class RatesFold:
    """A replay sink (`yizhou.rebuild.ReplaySink`) for one worker's partitions. It starts from empty
    tables and is the only writer of its demands (a demand's events share a partition), so the facts
    it holds are the current ones: no read per batch. Duplicates (a relay's re-send) are known by event
    id, as the inbox knows them; refused events are counted, as the live consumer's dead letters."""

    def __init__(self, db: Database, settings, write_every: int = WRITE_EVERY) -> None:
        self.db, self.group, self.write_every = db, settings.consumer_group, write_every
        self.zone = settings.district_zone   # cells keyed by the district's months, as the live consumer's
        self.known: dict[str, DemandFact] = {}
        self.before: dict[str, tuple[CellKey, Counts]] = {}   # at the last write, of demands touched since
        self.touched: dict[str, None] = {}
        self.applied: list[ReceivedEvent] = []                 # to claim in the inbox at the next write
        self.seen: set[str] = set()
        self.paths: dict[str, str] | None = None
        self.writing: asyncio.Task | None = None               # the previous write, done while folding on

    async def take(self, records: list) -> list[str]:
        if self.paths is None:
            async with self.db.sessions() as session:
                self.paths = await all_paths(session)
        outcomes = [self._take(record) for record in records]
        if len(self.applied) >= self.write_every:
            await self.write()
        return outcomes

    def _take(self, record) -> str:
        try:
            event = from_kafka_record(record)
        except MalformedEvent as exc:
            log.info("refused %s[%s]@%s again: %s", record.topic, record.partition, record.offset, exc)
            return "dead_lettered"
        if event.type not in FACT_EVENT_TYPES:
            return "ignored"
        reason = untrusted_source(event, FACT_SOURCES)
        if reason is not None:   # refused live too: a rebuild does not take what the consumer never applied
            log.info("refused %s[%s]@%s again: %s", record.topic, record.partition, record.offset, reason)
            return "dead_lettered"
        if event.id in self.seen:
            return "duplicate"
        try:
            data = FactEvent.model_validate(event.data)
            fact = self.known.get(data.demand_id)
            if fact is not None and data.demand_id not in self.touched:
                self.before[data.demand_id] = cell_of(fact, self.zone)
            fold(self.known, event.type, data, self.paths)
        except (ValidationError, UnprocessableEvent) as exc:
            log.info("refused %s[%s]@%s again: %s", record.topic, record.partition, record.offset, exc)
            return "dead_lettered"
        self.touched[data.demand_id] = None
        self.seen.add(event.id)
        self.applied.append(event)
        return "applied"

    async def write(self) -> None:
        """Starts writing what was folded since the last write (the touched facts as they are now,
        their cells' changes, the inbox claims) in one transaction, in the background: the database
        works while this process decodes the next events. Writes go one at a time, in order."""
        await self.written()
        if not self.applied:
            return
        facts = [copy(self.known[demand_id]) for demand_id in self.touched]   # the fold goes on changing them
        deltas = standing_changes(self.known, self.before, self.touched, self.zone)
        applied, self.before, self.touched, self.applied = self.applied, {}, {}, []
        self.writing = asyncio.create_task(self._write(facts, deltas, applied))

    async def _write(self, facts: list[DemandFact], deltas: dict[CellKey, Counts], applied: list[ReceivedEvent]) -> None:
        async with self.db.sessions() as session, session.begin():
            await FactRepository(session).save_many(facts)
            await RateCells(session).add(deltas)
            await claim_many(session, self.group, applied)

    async def written(self) -> None:
        if self.writing is not None:
            writing, self.writing = self.writing, None
            await writing   # a failed write fails the rebuild here (it is run again from the start)

    async def close(self) -> None:
        await self.write()
        await self.written()


async def rebuild_rates(settings, progress: Callable[[int, int], None] | None = None,
                        topic: str = DEMANDS_TOPIC, workers: int | None = None) -> RatesRebuild:
    """`topic`: where the demand events are read from (a copy of the demand topic, e.g. in a benchmark);
    `workers`: processes sharing the partitions (`yizhou.rebuild.replay`'s default when None)."""

    async def clear_facts(session) -> dict[str, int]:
        return {"demand_facts": (await session.execute(delete(DemandFactRow))).rowcount,
                "demand_rate_cells": (await session.execute(delete(RateCellRow))).rowcount}

    subscriptions = [replace(s, topic=topic) for s in fact_subscriptions(settings.district_zone)]
    report = await replay(settings, subscriptions, clear_facts, progress, workers, sink=RatesFold)
    return RatesRebuild(cleared=report.cleared["demand_facts"], records=report.records, outcomes=report.outcomes,
                        workers=report.workers)
