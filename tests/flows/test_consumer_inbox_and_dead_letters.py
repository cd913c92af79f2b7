"""The consumer runner on a real broker: a redelivered event is applied once, and poison records
go to the dead-letter topic with a reason while the partition keeps moving."""

import json
import uuid

from aiokafka import AIOKafkaConsumer, AIOKafkaProducer
from prometheus_client import REGISTRY
from sqlalchemy import func, select

from demand_intake.app import create_app
from demand_intake.settings import Settings
from yizhou.bus import kafka_options
from yizhou.axis_copy import area_copy
from yizhou.axis_events import AREAS_TOPIC
from yizhou.events import dead_letter_topic
from yizhou.messaging_tables import inbox
from yizhou_platform.testing import eventually, serve
from yizhou.topic_owners import ORG_REGISTRY


def applied_count(group: str) -> float:
    return REGISTRY.get_sample_value("events_applied_total", {"group": group, "event_type": "area.created"}) or 0.0


def cloud_event(event_id: str, event_type: str, data) -> tuple[bytes, list[tuple[str, bytes]]]:
    headers = [("ce_id", event_id.encode()), ("ce_source", ORG_REGISTRY.encode()), ("ce_type", event_type.encode()),
               ("ce_specversion", b"1.0"), ("content-type", b"application/json")]
    return json.dumps(data).encode(), headers


async def test_duplicates_apply_once_and_poison_goes_to_dead_letters(make_settings, kafka_bootstrap, unique_code):
    settings = make_settings(Settings)
    code, later = unique_code("I"), unique_code("J")
    dup_id, later_id = str(uuid.uuid4()), str(uuid.uuid4())
    marker = uuid.uuid4().hex
    key = b"inbox-test-" + marker.encode()  # one key: one partition, so order is the send order

    applied_before = applied_count(settings.consumer_group)
    async with serve(create_app(settings)) as client:
        db = client.app_state.db
        producer = AIOKafkaProducer(**kafka_options(kafka_bootstrap))
        await producer.start()
        try:
            created = {"code": code, "name": f"Dup {marker}", "level": "district", "parent_code": None, "path": f"/{code}/"}
            value, headers = cloud_event(dup_id, "area.created", created)
            await producer.send_and_wait(AREAS_TOPIC, value, key=key, headers=headers)
            await producer.send_and_wait(AREAS_TOPIC, value, key=key, headers=headers)  # redelivery
            await producer.send_and_wait(AREAS_TOPIC, f"garbage {marker}".encode(), key=key)  # not a CloudEvent
            bad_value, bad_headers = cloud_event(str(uuid.uuid4()), "area.created", {"code": code, "marker": marker})
            await producer.send_and_wait(AREAS_TOPIC, bad_value, key=key, headers=bad_headers)  # breaks the schema
            value, headers = cloud_event(later_id, "area.created", {**created, "code": later, "path": f"/{later}/"})
            await producer.send_and_wait(AREAS_TOPIC, value, key=key, headers=headers)
        finally:
            await producer.stop()

        async def later_applied():
            async with db.sessions() as session:
                return (await session.execute(select(area_copy.c.code).where(area_copy.c.code == later))).scalar()

        await eventually(later_applied, timeout_s=60)  # the partition moved past both poison records
        async with db.sessions() as session:
            applied = (await session.execute(select(func.count()).select_from(inbox).where(inbox.c.event_id == dup_id))).scalar()
            copies = (await session.execute(select(func.count()).select_from(area_copy).where(area_copy.c.code == code))).scalar()
        assert applied == 1 and copies == 1
        assert applied_count(settings.consumer_group) - applied_before == 2  # the duplicate was skipped

    dead = AIOKafkaConsumer(dead_letter_topic(AREAS_TOPIC), **kafka_options(kafka_bootstrap),
                            group_id=f"dlq-reader-{marker}", auto_offset_reset="earliest")
    await dead.start()
    found = []
    try:
        async def poison_seen():
            batch = await dead.getmany(timeout_ms=1000)
            for records in batch.values():
                found.extend(r for r in records if marker.encode() in (r.value or b""))
            return len(found) >= 2

        await eventually(poison_seen, timeout_s=30, interval_s=0)
        await poison_seen()  # one more read: nothing else of ours (e.g. the duplicate) was dead-lettered
    finally:
        await dead.stop()
    assert len(found) == 2
    reasons = [dict(r.headers)["dlq_reason"].decode() for r in found]
    assert any("not a CloudEvent" in r for r in reasons), reasons
    assert any("ValidationError" in r for r in reasons), reasons
    assert all(dict(r.headers)["dlq_original_topic"] == AREAS_TOPIC.encode() for r in found)
    assert all(dict(r.headers)["dlq_consumer"] == settings.consumer_group.encode() for r in found)
