"""Outbox relay throughput and event latency (commit -> consumer applied), each against raw aiokafka.

    python bench/relay.py [--events 20000] [--rate 500] [--seconds 60] [--json out.json]

Relay throughput: N committed outbox rows published in batches by the relay (read, send with acks=all,
mark sent), vs a raw aiokafka producer sending the same N records. Latency: a writer commits events at
a steady rate through the unit of work (state + outbox row), the relay publishes them and a consumer
runner applies them through its inbox; latency is applied time minus commit time. The writer stands
for an API process and the relay and consumer for the worker process (no shared in-process wake). Baseline: raw
aiokafka produce -> consume at the same rate (no database on either side).
"""

from __future__ import annotations

import argparse
import asyncio
import time
import uuid
from datetime import UTC, datetime
from types import SimpleNamespace
from typing import ClassVar

from common import Result, broker, database_url, fresh_database, percentile, write

from aiokafka import AIOKafkaConsumer, AIOKafkaProducer
from sqlalchemy import text
from yizhou.bus import ensure_topics, kafka_options, start_producer
from yizhou.consumer import EventConsumer, Subscription
from yizhou.database import Database
from yizhou.envelope import to_kafka_message
from yizhou.events import EventData
from yizhou.messaging_tables import OUTBOX_NOTIFY_DDL, messaging_metadata, outbox
from yizhou.relay import OutboxRelay


class BenchTick(EventData):
    event_type: ClassVar[str] = "bench.tick"
    topic: ClassVar[str] = "yizhou.bench.v1"
    n: int
    payload: str


def rows(n: int, topic: str) -> list[dict]:
    return [{**BenchTick(n=i, payload="x" * 200).outbox_values(aggregate_id=f"agg-{i % 64}", subject=str(i),
                                                                  source="/bench"), "topic": topic} for i in range(n)]


async def relay_throughput(bootstrap: str, events: int) -> list[Result]:
    topic = f"yizhou.bench-relay-{uuid.uuid4().hex[:6]}.v1"
    await ensure_topics(bootstrap, [topic], 3)
    db = await fresh_database("bench_relay", messaging_metadata)
    payload = rows(events, topic)
    async with db.sessions() as session, session.begin():
        await session.execute(outbox.insert(), payload)
    producer = await start_producer(bootstrap)
    relay = OutboxRelay(db, producer, service="bench", batch_size=1000)
    start = time.perf_counter()
    while await relay.publish_batch():
        pass
    relay_s = time.perf_counter() - start

    messages = [to_kafka_message(SimpleNamespace(**r)) for r in payload]
    start = time.perf_counter()
    for i in range(0, len(messages), 1000):
        futures = [await producer.send(topic, value=m.value, key=m.key.encode(), headers=list(m.headers.items()))
                   for m in messages[i:i + 1000]]
        await asyncio.gather(*futures)
    raw_s = time.perf_counter() - start
    await producer.stop()
    await db.dispose()
    relay_rate, raw_rate = events / relay_s, events / raw_s
    return [Result("relay", f"relay throughput ({events} events, batches of 1000)", relay_rate, "events/s",
                   "raw aiokafka producer", raw_rate, True, ">= 5,000 events/s", relay_rate >= 5000)]


async def latency(bootstrap: str, rate: int, seconds: float) -> list[Result]:
    # A topic of the run's own: a consumer group new to an old topic would first apply every earlier
    # run's events (from the earliest offset), delaying this run's and ending the wait early.
    tick = type("BenchTick", (BenchTick,), {"topic": f"yizhou.bench-latency-{uuid.uuid4().hex[:6]}.v1"})
    topic = tick.topic
    await ensure_topics(bootstrap, [topic, topic + ".dlq"], 3)
    db = await fresh_database("bench_latency", messaging_metadata)
    if db.is_postgres:   # the outbox's commit notification, as the services' migrations create it
        async with db.engine.begin() as conn:
            for statement in OUTBOX_NOTIFY_DDL:
                await conn.execute(text(statement))
    # As deployed: the writer (an API process) and the relay and consumer (the worker process) do not
    # share a Database, so no in-process wake: the relay learns of commits by LISTEN/NOTIFY on
    # PostgreSQL, by its 50 ms poll on SQLite.
    writer = Database(db.url)
    producer = await start_producer(bootstrap)
    committed: dict[str, float] = {}
    applied: dict[str, float] = {}

    async def on_tick(session, event):
        applied[event.id] = time.perf_counter()  # inside the inbox transaction; commit follows

    relay = OutboxRelay(db, producer, service="bench", batch_size=500, idle_poll_s=0.5 if db.is_postgres else 0.05)
    consumer = EventConsumer(db, access=bootstrap, group=f"bench-{uuid.uuid4().hex[:6]}",
                             subscriptions=[Subscription(topic, tick.event_type, on_tick, sources=frozenset({"/bench"}))],
                             producer=producer)
    tasks = [asyncio.create_task(relay.run()), asyncio.create_task(consumer.run())]
    # Steady state only: the consumer has joined its group and applied a warm-up event.
    async with writer.unit_of_work() as uow:
        uow.record(tick(n=-1, payload="warm-up"), aggregate_id="warm-up", source="/bench")
        await uow.commit()
    while not applied:
        await asyncio.sleep(0.1)
    applied.clear()
    total = int(rate * seconds)
    start = time.perf_counter()
    for i in range(total):
        async with writer.unit_of_work() as uow:
            uow.record(tick(n=i, payload="x" * 200), aggregate_id=f"agg-{i % 64}", source="/bench")
            event_id = uow._outbox_rows[-1]["event_id"]
            await uow.commit()
        committed[event_id] = time.perf_counter()
        delay = start + (i + 1) / rate - time.perf_counter()
        if delay > 0:
            await asyncio.sleep(delay)
    deadline = time.perf_counter() + 30
    while sum(event_id in applied for event_id in committed) < total and time.perf_counter() < deadline:
        await asyncio.sleep(0.1)
    for t in tasks:
        t.cancel()
    await asyncio.gather(*tasks, return_exceptions=True)
    ours = [(applied[e] - committed[e]) * 1000 for e in committed if e in applied]

    raw_topic = f"yizhou.bench-raw-{uuid.uuid4().hex[:6]}.v1"
    await ensure_topics(bootstrap, [raw_topic], 3)
    reader = AIOKafkaConsumer(raw_topic, **kafka_options(bootstrap), group_id=f"raw-{uuid.uuid4().hex[:6]}",
                              auto_offset_reset="earliest", fetch_max_wait_ms=100)  # as the platform's consumers
    await reader.start()
    sent: dict[bytes, float] = {}
    got: dict[bytes, float] = {}

    async def read():
        while len(got) < total:
            batch = await reader.getmany(timeout_ms=200)
            now = time.perf_counter()
            for records in batch.values():
                for r in records:
                    got[r.value[:36]] = now

    read_task = asyncio.create_task(read())
    warm = b"warm-up-" + uuid.uuid4().hex.encode()
    await producer.send_and_wait(raw_topic, value=warm.ljust(36, b"-"))
    while not got:
        await asyncio.sleep(0.1)
    got.clear()
    start = time.perf_counter()
    for i in range(total):
        value = str(uuid.uuid4()).encode() + b"x" * 200
        await producer.send_and_wait(raw_topic, value=value, key=f"agg-{i % 64}".encode())
        sent[value[:36]] = time.perf_counter()
        delay = start + (i + 1) / rate - time.perf_counter()
        if delay > 0:
            await asyncio.sleep(delay)
    try:
        await asyncio.wait_for(read_task, 30)
    except TimeoutError:
        pass
    await reader.stop()
    await producer.stop()
    await writer.dispose()
    await db.dispose()
    raw = [(got[k] - sent[k]) * 1000 for k in sent if k in got]
    p50, p99, raw50, raw99 = percentile(ours, 50), percentile(ours, 99), percentile(raw, 50), percentile(raw, 99)
    lost = total - len(ours)
    return [
        Result("latency", f"commit -> applied p50 ({rate}/s for {seconds:.0f}s)", p50, "ms", "raw produce -> consume p50", raw50, False),
        Result("latency", f"commit -> applied p99 ({rate}/s, {lost} not applied)", p99, "ms", "raw produce -> consume p99", raw99, False,
               "p99 < 200 ms", p99 < 200 and lost == 0),
    ]


async def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--events", type=int, default=20000)
    parser.add_argument("--rate", type=int, default=500)
    parser.add_argument("--seconds", type=float, default=60)
    parser.add_argument("--json")
    args = parser.parse_args()
    with broker() as (bootstrap, kind):
        print(f"# relay bench on {kind}, database {database_url('x')[1]}, {datetime.now(UTC):%Y-%m-%d %H:%M}Z")
        results = await relay_throughput(bootstrap, args.events)
        results += await latency(bootstrap, args.rate, args.seconds)
    write(results, args.json)


if __name__ == "__main__":
    asyncio.run(main())
