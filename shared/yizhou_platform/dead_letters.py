"""Operator tools for dead-letter topics: list what is there and why, and re-drive records to their
original topic once the cause is fixed (consumers' inboxes make a re-driven record harmless to those
that applied it already)."""

from __future__ import annotations

import uuid
from collections import Counter
from dataclasses import dataclass, field

from aiokafka import AIOKafkaConsumer, AIOKafkaProducer, TopicPartition

from yizhou.bus import KafkaAccess, kafka_options, partitions_of, read_to_end
from yizhou.events import dead_letter_topic

REDRIVE_GROUP = "yizhou-dead-letter-redrive"


@dataclass
class DeadLetter:
    partition: int
    offset: int
    reason: str
    consumer: str
    original: str
    event_type: str | None


@dataclass
class RedriveReport:
    topic: str
    redriven: int = 0
    skipped: int = 0
    by_consumer: Counter = field(default_factory=Counter)


def _headers(record) -> dict[str, bytes]:
    return {k: v for k, v in (record.headers or ())}


def describe(record) -> DeadLetter:
    h = _headers(record)
    return DeadLetter(partition=record.partition, offset=record.offset,
                      reason=h.get("dlq_reason", b"").decode("utf-8", "replace"),
                      consumer=h.get("dlq_consumer", b"").decode(),
                      original=f"{h.get('dlq_original_topic', b'').decode()}[{h.get('dlq_original_partition', b'').decode()}]"
                               f"@{h.get('dlq_original_offset', b'').decode()}",
                      event_type=h["ce_type"].decode() if "ce_type" in h else None)


async def _read_all(bootstrap: KafkaAccess | str, topic: str, group: str | None):
    consumer = AIOKafkaConsumer(**kafka_options(bootstrap), group_id=group, enable_auto_commit=False,
                                auto_offset_reset="earliest")
    await consumer.start()
    try:
        partitions = await partitions_of(consumer, [topic], attempts=10)
        if not partitions:
            return consumer, []
        consumer.assign(partitions)
        for tp in partitions:
            committed = await consumer.committed(tp) if group else None
            if committed is None:
                await consumer.seek_to_beginning(tp)
            else:
                consumer.seek(tp, committed)
        records = [r async for batch in read_to_end(consumer, partitions) for r in batch]
        return consumer, records
    except BaseException:
        await consumer.stop()
        raise


async def list_dead_letters(bootstrap: KafkaAccess | str, topic: str) -> list[DeadLetter]:
    consumer, records = await _read_all(bootstrap, dead_letter_topic(topic), None)
    await consumer.stop()
    return [describe(r) for r in records]


async def redrive(bootstrap: KafkaAccess | str, topic: str, only_consumer: str | None = None) -> RedriveReport:
    """Re-publishes not-yet-redriven dead letters of `topic` to it, without the dlq_* headers."""
    report = RedriveReport(topic)
    # Progress is kept per filter, so a filtered run never hides records from an unfiltered one.
    group = f"{REDRIVE_GROUP}-{only_consumer or 'all'}"
    consumer, records = await _read_all(bootstrap, dead_letter_topic(topic), group)
    producer = AIOKafkaProducer(**kafka_options(bootstrap), acks="all")
    await producer.start()
    try:
        last: dict[TopicPartition, int] = {}
        for record in records:
            letter = describe(record)
            last[TopicPartition(record.topic, record.partition)] = record.offset + 1
            if only_consumer and letter.consumer != only_consumer:
                report.skipped += 1
                continue
            headers = [(k, v) for k, v in (record.headers or ()) if not k.startswith("dlq_")]
            headers.append(("yizhou_redrive_id", str(uuid.uuid4()).encode()))
            await producer.send_and_wait(topic, value=record.value, key=record.key, headers=headers)
            report.redriven += 1
            report.by_consumer[letter.consumer] += 1
        if last:
            await consumer.commit(last)  # a second run does not redrive the same records again
    finally:
        await producer.stop()
        await consumer.stop()
    return report
