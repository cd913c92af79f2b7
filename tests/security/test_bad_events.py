"""Malformed and out-of-order events on a consumed topic go to the dead-letter topic with a reason;
the consumer is not crashed or stalled by them: a good event behind them on the same partition is
applied, and the service stays up."""

from __future__ import annotations

import json
import uuid
from datetime import UTC, datetime
from pathlib import Path

import httpx
import pytest
from aiokafka import AIOKafkaConsumer, AIOKafkaProducer

from demand_intake.store.tables import DemandFactRow
from sqlalchemy import select
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import create_async_engine
from yizhou.bus import kafka_options
from yizhou.contracts.demands import DEMANDS_TOPIC
from yizhou.events import dead_letter_topic
from yizhou_platform.testing import eventually
from yizhou.topic_owners import DEMAND_INTAKE
from openapi_catalogue import report

pytestmark = pytest.mark.security


def database_url(env: dict[str, str], package: str) -> str:
    if env.get("DATABASE_URL"):
        return make_url(env["DATABASE_URL"]).set(database=package).render_as_string(hide_password=False)
    return f"sqlite+aiosqlite:///{(Path(env['YIZHOU_DATA_DIR']) / f'{package}.db').resolve()}"


def cloud_event(event_type: str, data, event_id: str | None = None) -> tuple[bytes, list[tuple[str, bytes]]]:
    """With the demand topic's publisher as source: each bad event is refused for what it is, not for
    where it came from (that is tests/security/test_forged_events.py)."""
    headers = [("ce_id", (event_id or str(uuid.uuid4())).encode()), ("ce_source", DEMAND_INTAKE.encode()),
               ("ce_type", event_type.encode()), ("ce_specversion", b"1.0"), ("content-type", b"application/json")]
    return json.dumps(data).encode(), headers


async def test_malformed_and_out_of_order_demand_events_are_dead_lettered(security_platform, service_env, axis):
    marker = uuid.uuid4().hex
    key = f"bad-events-{marker}".encode()  # one key: one partition, in the order sent
    group = "demand-intake" + service_env["CONSUMER_GROUP_SUFFIX"]
    now = datetime.now(UTC).isoformat()
    good_id, orphan_id = str(uuid.uuid4()), str(uuid.uuid4())  # ids fit the services' VARCHAR(36)
    base = {"area_code": axis["c1"], "area_path": f"/{axis['d1']}/{axis['s1']}/{axis['c1']}/", "category": "elderly_care",
            "occurred_at": now}
    sent = []
    sent.append(("not a CloudEvent", f"garbage {marker}".encode(), []))
    value, headers = cloud_event("demand.submitted", {})
    sent.append(("broken JSON", b"{\"demand_id\": \"" + marker.encode() + b"\", ", headers))
    sent.append(("missing fields", *cloud_event("demand.submitted", {"demand_id": f"partial-{marker}"})))
    sent.append(("out of order", *cloud_event("demand.accepted", {**base, "demand_id": orphan_id, "state": "accepted"})))
    good = cloud_event("demand.submitted", {**base, "demand_id": good_id, "state": "submitted", "channel": "hotline",
                                            "urgency": "normal", "priority_household": None})
    producer = AIOKafkaProducer(**kafka_options(service_env["KAFKA_BOOTSTRAP_SERVERS"]))
    await producer.start()
    try:
        for _, value, headers in sent:
            await producer.send_and_wait(DEMANDS_TOPIC, value, key=key, headers=headers)
        await producer.send_and_wait(DEMANDS_TOPIC, good[0], key=key, headers=good[1])
    finally:
        await producer.stop()

    di = security_platform["demand-intake"].url
    engine = create_async_engine(database_url(service_env, "demand_intake"))

    async def good_applied():  # behind the poison on the same partition: the consumer moved on
        async with engine.connect() as conn:
            return (await conn.execute(select(DemandFactRow.demand_id).where(
                DemandFactRow.demand_id == good_id))).scalar_one_or_none()

    try:
        await eventually(good_applied, timeout_s=60)
    finally:
        await engine.dispose()

    dead = AIOKafkaConsumer(dead_letter_topic(DEMANDS_TOPIC), **kafka_options(service_env["KAFKA_BOOTSTRAP_SERVERS"]),
                            group_id=f"dlq-reader-{marker}", auto_offset_reset="earliest")
    await dead.start()
    found = []
    try:
        async def all_dead_lettered():
            for records in (await dead.getmany(timeout_ms=1000)).values():
                found.extend(r for r in records if r.key == key and dict(r.headers).get("dlq_consumer") == group.encode())
            return len(found) >= len(sent)

        await eventually(all_dead_lettered, timeout_s=60, interval_s=0)
        await all_dead_lettered()  # one more read: the good event was not dead-lettered too
    finally:
        await dead.stop()
    reasons = [dict(r.headers)["dlq_reason"].decode() for r in found]
    report(f"\n== bad events on {DEMANDS_TOPIC}: {len(sent)} sent, {len(found)} dead-lettered by {group}:")
    for (name, _, _), reason in zip(sent, reasons, strict=False):
        report(f"   {name:18} -> {reason[:110]}")
    assert len(found) == len(sent), reasons
    assert all(dict(r.headers)["dlq_original_topic"] == DEMANDS_TOPIC.encode() for r in found)
    assert httpx.get(f"{di}/healthz", timeout=10).status_code == 200
