"""Rebuilding a service's read models from its topics, from the start.

The service's read-model tables (declared in its `consumers.py` as `READ_MODELS`) and its inbox are
cleared in one transaction, then every record of every subscribed topic, up to the end offsets seen at
the start, goes through the same handlers as the live consumer. Counts say what happened; records the
handlers refuse are counted as `dead_lettered` but not sent to the dead-letter topic again.
"""

from __future__ import annotations

import importlib
from collections import Counter
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any

from aiokafka import AIOKafkaConsumer
from sqlalchemy import Table, delete

from yizhou.bus import partitions_of, start_producer
from yizhou.consumer import EventConsumer, Subscription
from yizhou.database import Database
from yizhou.messaging_tables import inbox


@dataclass
class RebuildReport:
    service: str
    topics: list[str]
    records: int = 0
    outcomes: Counter = field(default_factory=Counter)
    cleared: dict[str, int] = field(default_factory=dict)


async def rebuild(package: str, settings, progress: Callable[[int, int], None] | None = None) -> RebuildReport:
    """Every read model of a service (its `READ_MODELS`), from every topic it subscribes to."""
    consumers = importlib.import_module(f"{package}.consumers")
    read_models: list[Table] = list(getattr(consumers, "READ_MODELS", []))

    async def clear(session) -> dict[str, int]:
        return {table.name: (await session.execute(delete(table))).rowcount for table in read_models}

    return await replay(settings, consumers.SUBSCRIPTIONS, clear, progress)


async def replay(settings, subscriptions: list[Subscription], clear: Callable[[Any], Awaitable[dict[str, int]]],
                 progress: Callable[[int, int], None] | None = None) -> RebuildReport:
    """Clears (in one transaction with the inbox rows of the subscribed topics) and replays the
    subscribed topics from the start through `subscriptions`' handlers."""
    db = Database(settings.resolved_database_url)
    producer = await start_producer(settings.kafka_bootstrap_servers, settings.kafka_idempotence, f"{settings.service_name}-rebuild")
    runner = EventConsumer(db, bootstrap=settings.kafka_bootstrap_servers, group=settings.consumer_group,
                           subscriptions=subscriptions, producer=producer,
                           max_attempts=settings.consumer_max_attempts, send_dead_letters=False)
    report = RebuildReport(settings.service_name, runner.topics)
    kafka = AIOKafkaConsumer(bootstrap_servers=settings.kafka_bootstrap_servers, group_id=None, enable_auto_commit=False,
                             max_poll_records=2000, fetch_max_bytes=64 << 20)
    await kafka.start()
    try:
        partitions = await partitions_of(kafka, runner.topics)
        ends = await kafka.end_offsets(partitions) if partitions else {}
        begins = await kafka.beginning_offsets(partitions) if partitions else {}
        total = sum(ends[tp] - begins[tp] for tp in partitions)
        async with db.sessions() as session, session.begin():
            report.cleared = await clear(session)
            report.cleared["inbox"] = (await session.execute(delete(inbox).where(
                inbox.c.consumer == settings.consumer_group, inbox.c.topic.in_(runner.topics)))).rowcount
        if partitions:
            kafka.assign(partitions)
            await kafka.seek_to_beginning(*partitions)
        remaining = {tp: ends[tp] for tp in partitions if ends[tp] > begins[tp]}
        while remaining:
            batch = await kafka.getmany(*remaining, timeout_ms=1000, max_records=2000)
            for records in batch.values():
                for outcome in await runner.process_batch(records):  # one transaction per fetched batch
                    report.outcomes[outcome] += 1
                report.records += len(records)
            if progress:
                progress(report.records, total)
            if not batch:
                # Caught up with what we fetched: ask again, since an end offset read at the start may
                # lag the last writes on some brokers; stop only when every position is at the end.
                fresh = await kafka.end_offsets(list(remaining))
                remaining = {tp: end for tp, end in fresh.items() if await kafka.position(tp) < end}
    finally:
        await kafka.stop()
        await producer.stop()
        await db.dispose()
    return report
