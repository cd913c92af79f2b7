"""Kafka clients: the producer (idempotence follows the broker) and topic creation."""

from __future__ import annotations

import asyncio
import logging

from aiokafka import AIOKafkaConsumer, AIOKafkaProducer, TopicPartition
from aiokafka.admin import AIOKafkaAdminClient, NewTopic
from aiokafka.errors import KafkaError, TopicAlreadyExistsError

log = logging.getLogger(__name__)


async def start_producer(bootstrap: str, idempotence: str = "auto", client_id: str = "yizhou") -> AIOKafkaProducer:
    """Starts a producer with acks=all; idempotent where the broker supports InitProducerId.

    Apache Kafka does; Tansu (the embedded broker) does not, so "auto" falls back to a plain
    producer there. Duplicates a plain producer might make are absorbed by consumers' inboxes.
    """
    common = {"bootstrap_servers": bootstrap, "client_id": client_id, "acks": "all", "request_timeout_ms": 15000,
              "max_batch_size": 1 << 20, "linger_ms": 2}
    if idempotence in ("auto", "on"):
        producer = AIOKafkaProducer(**common, enable_idempotence=True)
        sender_log = logging.getLogger("aiokafka.producer.sender")
        level = sender_log.level
        sender_log.setLevel(logging.CRITICAL)  # the refusal is expected on Tansu; we log it once, below
        try:
            await producer.start()
            producer.full_kafka = True  # type: ignore[attr-defined]
            return producer
        except KafkaError as exc:
            await producer.stop()
            if idempotence == "on":
                raise
            log.warning("broker refused an idempotent producer (%s); using acks=all without it", exc)
        finally:
            sender_log.setLevel(level)
    producer = AIOKafkaProducer(**common)
    await producer.start()
    producer.full_kafka = False  # type: ignore[attr-defined]  # refused, or not asked
    return producer


def supports_full_protocol(producer: AIOKafkaProducer) -> bool:
    """True on Apache Kafka (it granted an idempotent producer); False on Tansu, or when unknown."""
    return bool(getattr(producer, "full_kafka", False))


async def ensure_topics(bootstrap: str, topics: list[str], partitions: int = 3) -> None:
    """Creates missing topics (both brokers may have auto-creation off)."""
    if not topics:
        return
    admin = AIOKafkaAdminClient(bootstrap_servers=bootstrap, request_timeout_ms=15000)
    await admin.start()
    try:
        existing = set(await admin.list_topics())
        missing = [NewTopic(t, num_partitions=partitions, replication_factor=1) for t in topics if t not in existing]
        if missing:
            try:
                await admin.create_topics(missing)
            except TopicAlreadyExistsError:
                pass  # another service created it first
    finally:
        await admin.close()


async def broker_reachable(bootstrap: str, timeout_s: float = 4.0) -> bool:
    """Readiness: fresh metadata from the cluster within a short timeout."""
    admin = AIOKafkaAdminClient(bootstrap_servers=bootstrap, request_timeout_ms=3000)
    try:
        await asyncio.wait_for(admin.start(), timeout_s)
        await asyncio.wait_for(admin.list_topics(), timeout_s)
        return True
    except Exception:
        return False
    finally:
        try:
            await admin.close()
        except Exception:
            pass


async def partitions_of(consumer: AIOKafkaConsumer, topics: list[str], attempts: int = 50) -> list[TopicPartition]:
    """Every partition of the topics, refreshing metadata until each topic is known (a fresh
    consumer without a subscription may not have fetched metadata for them yet)."""
    partitions = []
    for topic in topics:
        found = consumer.partitions_for_topic(topic)
        for _ in range(attempts):
            if found:
                break
            await consumer._client.force_metadata_update()
            await asyncio.sleep(0.1)
            found = consumer.partitions_for_topic(topic)
        partitions += [TopicPartition(topic, p) for p in sorted(found or ())]
    return partitions


async def read_to_end(consumer: AIOKafkaConsumer, partitions, max_records: int | None = None):
    """Yields the fetched records of these partitions (assigned and positioned by the caller), one
    partition's list at a time, until every one is at its end. An end offset read once may lag the last
    writes on some brokers (the embedded one), so a partition counts as done only when a fetch comes
    back empty and fresh end offsets agree."""
    remaining = set(partitions)
    while remaining:
        batch = await consumer.getmany(*remaining, timeout_ms=1000, max_records=max_records)
        for records in batch.values():
            yield records
        if not batch:
            ends = await consumer.end_offsets(list(remaining))
            remaining = {tp for tp in remaining if await consumer.position(tp) < ends[tp]}
