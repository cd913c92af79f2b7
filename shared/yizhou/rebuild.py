"""Rebuilding a service's read models from its topics, from the start.

The service's read-model tables (declared in its `consumers.py` as `READ_MODELS`) and its inbox are
cleared in one transaction, then every record of every subscribed topic, up to the end offsets seen at
the start, goes through the same handlers as the live consumer. Counts say what happened; records the
handlers refuse are counted as `dead_lettered` but not sent to the dead-letter topic again.

Partitions are independent (a topic is keyed by aggregate, so no aggregate spans two), so on
PostgreSQL the partitions are shared out to worker processes, one per core by default: the decoding
of events is Python work that one process cannot spread over cores. On SQLite (one writer at a time)
and for handlers that cannot be sent to another process, one process replays everything.
"""

from __future__ import annotations

import asyncio
import importlib
import multiprocessing
import os
import pickle
from collections import Counter
from collections.abc import Awaitable, Callable
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from typing import Any, Protocol

from aiokafka import AIOKafkaConsumer, TopicPartition
from sqlalchemy import Table, delete

from yizhou.bus import partitions_of, read_to_end
from yizhou.consumer import EventConsumer, Subscription
from yizhou.database import Database
from yizhou.messaging_tables import inbox


class ReplaySink(Protocol):
    """Where a replay worker sends each fetched batch. The default applies it through the subscriptions'
    handlers in one transaction (`EventConsumer.process_batch`); a read model may bring its own, e.g. one
    that folds in memory and writes in large steps, for the same end state."""

    async def take(self, records: list) -> list[str]: ...    # the outcome of each record, as process_batch's

    async def close(self) -> None: ...                       # writes what it still holds


SinkFactory = Callable[[Database, Any], ReplaySink]   # (database, settings) -> sink, in the worker process


class _Handlers:
    def __init__(self, runner: EventConsumer) -> None:
        self.runner = runner

    async def take(self, records: list) -> list[str]:
        return await self.runner.process_batch(records)  # one transaction per fetched batch

    async def close(self) -> None:
        pass


@dataclass
class RebuildReport:
    service: str
    topics: list[str]
    records: int = 0
    outcomes: Counter = field(default_factory=Counter)
    cleared: dict[str, int] = field(default_factory=dict)
    workers: int = 1


async def rebuild(package: str, settings, progress: Callable[[int, int], None] | None = None,
                  workers: int | None = None) -> RebuildReport:
    """Every read model of a service (its `READ_MODELS`), from every topic it subscribes to."""
    consumers = importlib.import_module(f"{package}.consumers")
    read_models: list[Table] = list(getattr(consumers, "READ_MODELS", []))

    async def clear(session) -> dict[str, int]:
        return {table.name: (await session.execute(delete(table))).rowcount for table in read_models}

    # A service whose app joins handlers (org-registry: the public notice beside the webhook bridge) names
    # what a rebuild replays apart from what its app subscribes.
    subscriptions = getattr(consumers, "REPLAYED_SUBSCRIPTIONS", consumers.SUBSCRIPTIONS)
    return await replay(settings, subscriptions, clear, progress, workers)


def _default_workers(settings) -> int:
    return (os.cpu_count() or 1) if settings.resolved_database_url.startswith("postgresql") else 1


def _sendable(subscriptions: list[Subscription]) -> bool:
    try:
        pickle.dumps(subscriptions)
        return True
    except Exception:  # e.g. handlers that are closures: they stay in this process
        return False


async def replay(settings, subscriptions: list[Subscription], clear: Callable[[Any], Awaitable[dict[str, int]]],
                 progress: Callable[[int, int], None] | None = None, workers: int | None = None,
                 sink: SinkFactory | None = None) -> RebuildReport:
    """Clears (in one transaction with the inbox rows of the subscribed topics) and replays the
    subscribed topics from the start through `subscriptions`' handlers (or `sink`), in `workers`
    processes (default: one per core on PostgreSQL, one on SQLite)."""
    topics = sorted({s.topic for s in subscriptions})
    report = RebuildReport(settings.service_name, topics)
    kafka = AIOKafkaConsumer(**settings.kafka_access.client_options(), group_id=None, enable_auto_commit=False)
    await kafka.start()
    try:
        partitions = await partitions_of(kafka, topics)
        ends = await kafka.end_offsets(partitions) if partitions else {}
        begins = await kafka.beginning_offsets(partitions) if partitions else {}
    finally:
        await kafka.stop()
    db = Database(settings.resolved_database_url)
    try:
        async with db.sessions() as session, session.begin():
            report.cleared = await clear(session)
            report.cleared["inbox"] = (await session.execute(delete(inbox).where(
                inbox.c.consumer == settings.consumer_group, inbox.c.topic.in_(topics)))).rowcount
    finally:
        await db.dispose()
    # Every partition, also those that look empty: an end offset read now may lag the last writes on
    # some brokers (the embedded one); a worker reads each to its end (`read_to_end`).
    sizes = {tp: max(0, ends[tp] - begins[tp]) for tp in partitions}
    total = sum(sizes.values())
    wanted = workers if workers is not None else _default_workers(settings)
    report.workers = max(1, min(wanted, sum(1 for size in sizes.values() if size)))
    if report.workers > 1 and not _sendable([subscriptions, sink]):
        report.workers = 1
    if report.workers == 1:
        done = await _replay_partitions(settings, subscriptions, sizes, progress and (lambda n: progress(n, total)), sink)
        report.records, report.outcomes = done
        return report
    # Largest partitions first, each to the least loaded worker.
    shares: list[dict[TopicPartition, int]] = [{} for _ in range(report.workers)]
    for tp in sorted(sizes, key=sizes.get, reverse=True):
        min(shares, key=lambda share: sum(share.values()))[tp] = sizes[tp]
    context = multiprocessing.get_context("spawn")
    with context.Manager() as manager, ProcessPoolExecutor(report.workers, mp_context=context) as pool:
        counts = manager.dict()
        loop = asyncio.get_running_loop()
        jobs = [loop.run_in_executor(pool, _worker, settings, subscriptions, share, counts, index, sink)
                for index, share in enumerate(shares)]
        pending = set(jobs)
        while pending:
            _, pending = await asyncio.wait(pending, timeout=1)
            if progress:
                progress(sum(counts.values()), total)
        for records, outcomes in [job.result() for job in jobs]:
            report.records += records
            report.outcomes.update(outcomes)
    return report


def _worker(settings, subscriptions, share, counts, index, sink) -> tuple[int, Counter]:
    def seen(n: int) -> None:
        counts[index] = n

    return asyncio.run(_replay_partitions(settings, subscriptions, share, seen, sink))


async def _replay_partitions(settings, subscriptions: list[Subscription], share: dict[TopicPartition, int],
                             seen: Callable[[int], None] | None, sink: SinkFactory | None = None) -> tuple[int, Counter]:
    """Replays these partitions from their beginning to their end (as seen now) through the handlers."""
    records_seen, outcomes = 0, Counter()
    if not share:
        return records_seen, outcomes
    db = Database(settings.resolved_database_url)
    # Refused records are in the dead-letter topic already (from the live run): counted, not sent again,
    # so the runner needs no producer.
    target = sink(db, settings) if sink else _Handlers(EventConsumer(
        db, access=settings.kafka_access, group=settings.consumer_group, subscriptions=subscriptions,
        producer=None, max_attempts=settings.consumer_max_attempts, send_dead_letters=False))
    kafka = AIOKafkaConsumer(**settings.kafka_access.client_options(), group_id=None, enable_auto_commit=False,
                             max_poll_records=2000, fetch_max_bytes=64 << 20)
    await kafka.start()
    try:
        kafka.assign(list(share))
        await kafka.seek_to_beginning(*share)
        async for records in read_to_end(kafka, share, max_records=2000):
            for outcome in await target.take(records):
                outcomes[outcome] += 1
            records_seen += len(records)
            if seen:
                seen(records_seen)
        await target.close()
    finally:
        await kafka.stop()
        await db.dispose()
    return records_seen, outcomes
