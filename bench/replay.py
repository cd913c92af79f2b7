"""Replay at district scale: a year of demand events rebuilt into the rates read model, vs a raw
aiokafka consume of the same topic.

    python bench/replay.py [--events 1000000 | --quick] [--json out.json]

A year of demand lifecycles (submitted, then accepted / assigned / overdue / resolved / closed, or
rejected or withdrawn; about four events per demand), interleaved as in a live topic (about 20,000
demands in progress at once, so a batch touches as many demands as it has events), is built with the contract models and the
platform's own envelope (`to_kafka_message`, as the relay sends them) and produced to a fresh topic.
The rebuild is demand-intake's own `rebuild_rates` (what `yizhou demand-intake rates rebuild` runs,
through `yizhou.rebuild.replay`: inbox claims, the live `on_demand_event` handler, one transaction per
fetched batch) pointed at that topic and at a fresh database. Baseline: a raw aiokafka consumer
reading the same topic to its end with the same fetch settings. A real-size district's year is about
11 million events; the embedded broker keeps everything in memory, so the default is 1 million and the
time for 11 million is extrapolated from the measured rate (`--events 11000000` on a real Kafka to measure it).
"""

from __future__ import annotations

import argparse
import asyncio
import random
import time
import uuid
from datetime import UTC, datetime, timedelta
from types import SimpleNamespace

from common import Result, broker, database_url, fresh_database, write
from sqlalchemy import func, select

from aiokafka import AIOKafkaConsumer
from demand_intake.domain.rates import months_of, parse_period
from demand_intake.settings import Settings
from demand_intake.store.facts import FactRepository
from demand_intake.store.rate_cells import RateCells
from demand_intake.store.tables import Base, DemandFactRow
from demand_intake.use_cases import rates_rebuild
from yizhou.axis_copy import area_copy
from yizhou.bus import ensure_topics, kafka_options, partitions_of, start_producer
from yizhou.contracts.demands import (DemandAccepted, DemandAssigned, DemandClosed, DemandOverdue, DemandRejected,
                                      DemandResolved, DemandSubmitted, DemandWithdrawn)
from yizhou.database import Database
from yizhou.envelope import to_kafka_message
from yizhou.messaging_tables import messaging_metadata

YEAR = datetime(2026, 1, 1, tzinfo=UTC)
DISTRICT_YEAR = 11_000_000
CATEGORIES = [f"C{n:02d}" for n in range(1, 22)]


def lifecycle(rnd: random.Random) -> list:
    """One demand's events, in order (the topic is keyed by demand id, so they stay in order)."""
    s, c, g = rnd.randrange(12), rnd.randrange(25), rnd.randrange(8)
    code = f"CY{s:02d}{c:02d}{g}"
    base = dict(demand_id=str(uuid.UUID(int=rnd.getrandbits(128))), area_code=code,
                area_path=f"/CY/CY{s:02d}/CY{s:02d}{c:02d}/{code}/", category=rnd.choice(CATEGORIES))
    at = YEAR + timedelta(seconds=rnd.randrange(365 * 86400))
    events = [DemandSubmitted(**base, state="submitted", occurred_at=at, channel="hotline", urgency="normal",
                              entered_on_behalf=True, respond_due_at=at + timedelta(hours=24),
                              resolve_due_at=at + timedelta(days=15))]
    roll = rnd.random()
    if roll < 0.05:
        return events + [DemandWithdrawn(**base, state="withdrawn", occurred_at=at + timedelta(hours=2))]
    if roll < 0.10:
        return events + [DemandRejected(**base, state="rejected", occurred_at=at + timedelta(hours=3))]
    if rnd.random() < 0.05:
        at += timedelta(hours=25)
        events.append(DemandOverdue(**base, state="submitted", occurred_at=at, deadline="respond",
                                    due_at=at - timedelta(hours=1)))
    at += timedelta(hours=rnd.uniform(0.5, 20))
    events.append(DemandAccepted(**base, state="accepted", occurred_at=at, accountable_area_code=code))
    if rnd.random() < 0.4:
        at += timedelta(hours=rnd.uniform(1, 48))
        events.append(DemandAssigned(**base, state="assigned", occurred_at=at, assignee=f"unit-{rnd.randrange(500)}"))
    if rnd.random() < 0.08:
        at += timedelta(days=15)
        events.append(DemandOverdue(**base, state="accepted", occurred_at=at, deadline="resolve", due_at=at))
    if rnd.random() < 0.9:
        at += timedelta(days=rnd.uniform(1, 14))
        events.append(DemandResolved(**base, state="resolved", occurred_at=at))
        if rnd.random() < 0.85:
            events.append(DemandClosed(**base, state="closed", occurred_at=at + timedelta(days=3),
                                       contact_attempted=True,
                                       feedback=rnd.choice(("satisfied", "basically_satisfied", "dissatisfied", None))))
    return events


def interleaved(rnd: random.Random, total: int, in_progress: int = 20_000):
    """Yields (event, is_new_demand) for whole lifecycles until at least `total` events: the events of
    about `in_progress` demands interleaved, as in a live topic where a demand's events are hours or
    days apart (so a fetched batch touches about as many demands as it has events); each demand's own
    events stay in order, as the demand-id key keeps them."""
    active: list[list] = []
    emitted = pending = 0
    while active or emitted < total:
        while emitted + pending < total and len(active) < in_progress:
            active.append(lifecycle(rnd)[::-1])  # reversed: pop() takes the next event
            pending += len(active[-1])
            yield None, True
        index = rnd.randrange(len(active))
        queue = active[index]
        yield queue.pop(), False
        emitted, pending = emitted + 1, pending - 1
        if not queue:
            active[index] = active[-1]
            active.pop()


async def produce(bootstrap: str, topic: str, total: int, seed: int = 11) -> tuple[int, int, float]:
    """Produces at least `total` events (whole lifecycles, interleaved); returns (events, demands, seconds)."""
    rnd = random.Random(seed)
    producer = await start_producer(bootstrap)
    sent = demands = 0
    start = time.perf_counter()
    futures = []
    try:
        for event, new in interleaved(rnd, total):
            if new:
                demands += 1
                continue
            row = {**event.outbox_values(aggregate_id=event.demand_id, subject=event.demand_id,
                                         source="/yizhou/demand-intake"), "topic": topic}
            m = to_kafka_message(SimpleNamespace(**row))
            futures.append(await producer.send(topic, value=m.value, key=m.key.encode(), headers=list(m.headers.items())))
            if len(futures) == 5000:
                await asyncio.gather(*futures)
                sent += len(futures)
                futures = []
                if sent % 100_000 == 0:
                    print(f"#   produced {sent:,}", flush=True)
        await asyncio.gather(*futures)
        sent += len(futures)
    finally:
        await producer.stop()
    return sent, demands, time.perf_counter() - start


async def raw_consume(bootstrap: str, topic: str) -> tuple[int, float]:
    kafka = AIOKafkaConsumer(**kafka_options(bootstrap), group_id=None, enable_auto_commit=False,
                             max_poll_records=2000, fetch_max_bytes=64 << 20)  # as rebuild_rates
    await kafka.start()
    count = 0
    try:
        partitions = await partitions_of(kafka, [topic])
        ends = await kafka.end_offsets(partitions)
        kafka.assign(partitions)
        await kafka.seek_to_beginning(*partitions)
        start = time.perf_counter()
        while True:
            batch = await kafka.getmany(*partitions, timeout_ms=500, max_records=2000)
            count += sum(len(records) for records in batch.values())
            if not batch and all([await kafka.position(tp) >= ends[tp] for tp in partitions]):
                break
        return count, time.perf_counter() - start
    finally:
        await kafka.stop()


async def _fresh_url(name: str) -> str:
    db = await fresh_database(name, Base.metadata, messaging_metadata, area_copy.metadata)
    await db.dispose()
    return db.url


async def rebuild(bootstrap: str, topic: str, url: str) -> tuple[rates_rebuild.RatesRebuild, float, int, bool]:
    settings = Settings(own_database_url=url, kafka_bootstrap_servers=bootstrap)
    shown = [0]

    def progress(done: int, total: int) -> None:
        if done - shown[0] >= 100_000:
            shown[0] = done
            print(f"#   rebuilt {done:,} / {total:,}", flush=True)

    start = time.perf_counter()
    report = await rates_rebuild.rebuild_rates(settings, progress, topic=topic)
    seconds = time.perf_counter() - start
    db = Database(url)
    async with db.sessions() as session:
        facts = (await session.execute(select(func.count()).select_from(DemandFactRow))).scalar_one()
        # The roll-up the rates are served from agrees with the facts it was folded beside.
        year = parse_period(str(YEAR.year))
        agree = (await RateCells(session).sums("/CY/", *months_of(year))
                 == await FactRepository(session).counts("/CY/", year.start, year.end))
    await db.dispose()
    return report, seconds, facts, agree


async def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--events", type=int, default=1_000_000)
    parser.add_argument("--quick", action="store_true", help="100,000 events")
    parser.add_argument("--json")
    args = parser.parse_args()
    total = 100_000 if args.quick else args.events
    with broker() as (bootstrap, kind):
        print(f"# replay bench on {kind}, database {database_url('x')[1]}, {total:,} events, "
              f"{datetime.now(UTC):%Y-%m-%d %H:%M}Z", flush=True)
        topic = f"yizhou.bench-demands-{uuid.uuid4().hex[:6]}.v1"
        await ensure_topics(bootstrap, [topic], 3)
        events, demands, produce_s = await produce(bootstrap, topic, total)
        print(f"# produced {events:,} events of {demands:,} demands in {produce_s:.1f}s "
              f"({events / produce_s:,.0f}/s, building the envelopes included)", flush=True)
        raw_count, raw_s = await raw_consume(bootstrap, topic)
        url = await _fresh_url("bench_replay")
        report, rebuild_s, facts, agree = await rebuild(bootstrap, topic, url)
    print(f"# raw consume read {raw_count:,} records in {raw_s:.1f}s; rebuild read {report.records:,} in "
          f"{rebuild_s:.1f}s with {report.workers} worker process(es), outcomes {dict(report.outcomes)}, "
          f"{facts:,} facts for {demands:,} demands; roll-up equals the facts' counts: {agree}")
    rate, raw_rate = report.records / rebuild_s, raw_count / raw_s
    eta = DISTRICT_YEAR / rate
    results = [
        Result("replay", f"rebuild rates read model ({events:,} events)", rate, "events/s",
               "raw aiokafka consume", raw_rate, True),
        Result("replay", f"{'measured' if events >= DISTRICT_YEAR else 'extrapolated'}: 11M events (a district's year)",
               eta, "s", "raw consume of 11M", DISTRICT_YEAR / raw_rate, False, "< 600 s",
               eta < 600 and facts == demands and report.outcomes.get("applied", 0) == events and agree),
        Result("replay", "produce (envelopes built + acks=all)", events / produce_s, "events/s",
               "(no baseline)", 0.0, True),
    ]
    write(results, args.json)


if __name__ == "__main__":
    asyncio.run(main())
