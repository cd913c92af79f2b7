"""Operators list dead letters with their reasons and re-drive them to the original topic, once."""

import uuid

from aiokafka import AIOKafkaConsumer, AIOKafkaProducer

from yizhou.bus import kafka_options
from yizhou.bus import ensure_topics
from yizhou_platform.dead_letters import list_dead_letters, redrive
from yizhou.events import dead_letter_topic


async def test_list_and_redrive_once(kafka_bootstrap):
    topic = f"yizhou.redrive-{uuid.uuid4().hex[:8]}.v1"
    await ensure_topics(kafka_bootstrap, [topic, dead_letter_topic(topic)], partitions=1)
    producer = AIOKafkaProducer(**kafka_options(kafka_bootstrap))
    await producer.start()
    ids = [str(uuid.uuid4()) for _ in range(2)]
    try:
        for i, event_id in enumerate(ids):
            await producer.send_and_wait(dead_letter_topic(topic), value=b'{"code": "X"}', key=b"k", headers=[
                ("ce_id", event_id.encode()), ("ce_type", b"area.created"), ("ce_source", b"/t"),
                ("ce_specversion", b"1.0"), ("dlq_reason", f"reason {i}".encode()), ("dlq_consumer", b"demand-intake"),
                ("dlq_original_topic", topic.encode()), ("dlq_original_partition", b"0"),
                ("dlq_original_offset", str(i).encode())])
    finally:
        await producer.stop()

    letters = await list_dead_letters(kafka_bootstrap, topic)
    assert [(x.reason, x.consumer, x.event_type) for x in letters] == [
        ("reason 0", "demand-intake", "area.created"), ("reason 1", "demand-intake", "area.created")]
    assert (await redrive(kafka_bootstrap, topic, only_consumer="project-matching")).redriven == 0
    report = await redrive(kafka_bootstrap, topic)
    assert report.redriven == 2 and report.by_consumer == {"demand-intake": 2}
    assert (await redrive(kafka_bootstrap, topic)).redriven == 0  # progress is committed: once only

    consumer = AIOKafkaConsumer(topic, **kafka_options(kafka_bootstrap), group_id=None, auto_offset_reset="earliest")
    await consumer.start()
    try:
        records = []
        while len(records) < 2:
            batch = await consumer.getmany(timeout_ms=2000)
            assert batch, "re-driven records did not arrive"
            records += [r for rs in batch.values() for r in rs]
    finally:
        await consumer.stop()
    headers = [dict(r.headers) for r in records]
    assert [h["ce_id"].decode() for h in headers] == ids
    assert all(not any(k.startswith("dlq_") for k in h) for h in headers)
