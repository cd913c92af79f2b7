"""Re-sending partner events from a time: read the partner topics again from the first offset at or
after that time (Kafka's offsets-for-times) and queue a delivery for every match."""

from __future__ import annotations

from datetime import UTC, datetime

from aiokafka import AIOKafkaConsumer
from sqlalchemy import select, update

from yizhou.bus import partitions_of, read_to_end
from yizhou.database import Database
from yizhou.envelope import MalformedEvent, from_kafka_record
from yizhou.partner import partner_events
from yizhou.webhooks.intake import area_path_of, structured_body
from yizhou.webhooks.tables import webhook_deliveries


async def replay_since(db: Database, bootstrap: str, endpoint, since: datetime) -> int:
    topics = sorted({e.topic for e in partner_events() if e.event_type in endpoint.event_types})
    consumer = AIOKafkaConsumer(bootstrap_servers=bootstrap, enable_auto_commit=False, group_id=None)
    await consumer.start()
    count = 0
    try:
        partitions = await partitions_of(consumer, topics, attempts=10)
        if not partitions:
            return 0
        consumer.assign(partitions)
        starts = await consumer.offsets_for_times({tp: int(since.timestamp() * 1000) for tp in partitions})
        reading = []
        for tp in partitions:
            if starts.get(tp) is not None:   # None: nothing at or after that time
                consumer.seek(tp, starts[tp].offset)
                reading.append(tp)
        async for records in read_to_end(consumer, reading):
            for record in records:
                count += await _requeue(db, endpoint, record)
    finally:
        await consumer.stop()
    return count


async def _requeue(db: Database, endpoint, record) -> int:
    try:
        event = from_kafka_record(record)
    except MalformedEvent:
        return 0
    if event.type not in endpoint.event_types or not area_path_of(event.data).startswith(endpoint.area_path):
        return 0
    now = datetime.now(UTC)
    async with db.sessions() as session, session.begin():
        existing = (await session.execute(select(webhook_deliveries.c.id).where(
            webhook_deliveries.c.endpoint_id == endpoint.id, webhook_deliveries.c.event_id == event.id))).scalar()
        if existing is None:
            await session.execute(webhook_deliveries.insert().values(
                endpoint_id=endpoint.id, event_id=event.id, event_type=event.type,
                ordering_key=event.key or event.id, body=structured_body(event), occurred_at=event.time or now,
                status="pending", attempts=0, next_attempt_at=now))
        else:
            await session.execute(update(webhook_deliveries).where(webhook_deliveries.c.id == existing).values(
                status="pending", attempts=0, next_attempt_at=now, last_error=None))
    return 1
