"""Rebuilding the rates read model (`demand_facts`) from `yizhou.demands.v1`, from the start.

Only the demand topic and only the facts are replayed: the project handlers, which change demands
and publish events, are not run again (the platform-wide `yizhou rebuild demand-intake` replays
every subscription). The facts and this topic's inbox rows are cleared in one transaction, then every
record up to the end offsets seen at the start goes through the live handler.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field

from aiokafka import AIOKafkaConsumer, TopicPartition
from sqlalchemy import delete

from demand_intake.consumers import on_demand_event
from demand_intake.store.models import DemandFactRow
from yizhou.bus import start_producer
from yizhou.consumer import EventConsumer, Subscription
from yizhou.contracts.demands import DEMAND_EVENTS, DEMANDS_TOPIC
from yizhou.database import Database
from yizhou.messaging_tables import inbox


@dataclass
class RatesRebuild:
    cleared: int = 0
    records: int = 0
    outcomes: Counter = field(default_factory=Counter)


async def rebuild_rates(settings, progress: Callable[[int, int], None] | None = None) -> RatesRebuild:
    db = Database(settings.resolved_database_url)
    producer = await start_producer(settings.kafka_bootstrap_servers, settings.kafka_idempotence,
                                    f"{settings.service_name}-rates-rebuild")
    runner = EventConsumer(db, bootstrap=settings.kafka_bootstrap_servers, group=settings.consumer_group,
                           subscriptions=[Subscription(DEMANDS_TOPIC, e.event_type, on_demand_event) for e in DEMAND_EVENTS],
                           producer=producer, max_attempts=settings.consumer_max_attempts, send_dead_letters=False)
    kafka = AIOKafkaConsumer(bootstrap_servers=settings.kafka_bootstrap_servers, group_id=None, enable_auto_commit=False,
                             max_poll_records=2000, fetch_max_bytes=64 << 20)
    report = RatesRebuild()
    await kafka.start()
    try:
        partitions = [TopicPartition(DEMANDS_TOPIC, p) for p in sorted(kafka.partitions_for_topic(DEMANDS_TOPIC) or ())]
        ends = await kafka.end_offsets(partitions) if partitions else {}
        begins = await kafka.beginning_offsets(partitions) if partitions else {}
        total = sum(ends[tp] - begins[tp] for tp in partitions)
        async with db.sessions() as session, session.begin():
            report.cleared = (await session.execute(delete(DemandFactRow))).rowcount
            await session.execute(delete(inbox).where(inbox.c.consumer == settings.consumer_group,
                                                      inbox.c.topic == DEMANDS_TOPIC))
        if partitions:
            kafka.assign(partitions)
            await kafka.seek_to_beginning(*partitions)
        while partitions:
            batch = await kafka.getmany(*partitions, timeout_ms=500, max_records=2000)
            for tp, records in batch.items():
                for outcome in await runner.process_batch(records):
                    report.outcomes[outcome] += 1
                report.records += len(records)
            if progress:
                progress(report.records, total)
            position = {tp: await kafka.position(tp) for tp in partitions}  # counts gaps in offsets too
            if batch or any(position[tp] < ends[tp] for tp in partitions):
                continue
            # Caught up with the ends seen so far. A broker may report an end offset that lags its last
            # write for a moment (seen on Tansu), so ask again and stop only when nothing is behind it.
            ends = await kafka.end_offsets(partitions)
            if all(position[tp] >= ends[tp] for tp in partitions):
                break
    finally:
        await kafka.stop()
        await producer.stop()
        await db.dispose()
    return report
