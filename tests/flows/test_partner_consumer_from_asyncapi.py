"""A partner consumer that knows only the AsyncAPI document (fetched from a running service)
receives and parses every partner event type, projected from internal events through the real
unit of work, outbox and relay."""

import json
import uuid
from typing import ClassVar

import jsonschema
from aiokafka import AIOKafkaConsumer
from pydantic import ConfigDict

from org_registry.app import create_app
from org_registry.settings import Settings
from yizhou.bus import ensure_topics
from yizhou.events import EventData
from yizhou_platform.testing import as_kafka_admin, eventually, partner_kafka_options, serve

NOW = "2026-11-23T09:00:00Z"
TEST_TOPIC = "yizhou.test-internal.v1"  # topics are never auto-created: made below


def internal(event_type: str, **data) -> EventData:
    """An internal event as its publisher would record it (on a test topic: partners never see those)."""
    cls = type(f"Test_{event_type.replace('.', '_')}", (EventData,), {
        "__annotations__": {"event_type": ClassVar[str], "topic": ClassVar[str]},
        "event_type": event_type, "topic": TEST_TOPIC, "model_config": ConfigDict(extra="allow")})
    return cls(**data)


def samples(tag: str) -> list[EventData]:
    area = f"P{tag[:8].upper()}"
    return [
        internal("area.created", code=area, name="Partner Test District", level="district", parent_code=None, path=f"/{area}/"),
        internal("demand.submitted", demand_id=f"d-{tag}", area_code=area, area_path=f"/{area}/", category="elderly_care",
                 state="submitted", occurred_at=NOW, channel="hotline", urgency="normal",
                 resident_name="王五", resident_phone="13812345678"),  # internal only: must not reach partners
        internal("project.approved", project_id=f"p-{tag}", area_code=area, area_path=f"/{area}/", category="elderly_care",
                 step="implement", linked_demand_ids=[f"d-{tag}"]),
        internal("evaluation.published", evaluation_id=f"e-{tag}", subject_kind="unit", subject_id=f"u-{tag}",
                 organization_id=f"o-{tag}", community_code=area, period="2026-Q3", score=91.5, rating="excellent"),
        internal("unit.registered", registration_id=f"r-{tag}", unit_id=f"u-{tag}", organization_id=f"o-{tag}",
                 community_code=area, community_path=f"/{area}/", commitments=[{"kind": "venue"}]),
    ]


async def test_every_partner_event_type_is_received_and_parsed_from_the_contract(make_settings, kafka_bootstrap):
    tag = uuid.uuid4().hex
    await ensure_topics(kafka_bootstrap, [TEST_TOPIC])
    # The test publishes every kind of internal event through one outbox: as the admin, on a secured broker.
    async with serve(create_app(make_settings(Settings, **as_kafka_admin()))) as client:
        contract = (await client.get("/asyncapi.json")).json()
        db = client.app_state.db
        async with db.unit_of_work() as uow:
            for event in samples(tag):
                uow.record(event, aggregate_id=f"agg-{tag}", source="/yizhou/test")
            await uow.commit()

        # From here on, only the contract: channel addresses, message names (ce_type) and payload schemas.
        messages = {m["name"]: m for m in contract["components"]["messages"].values()}
        addresses = [c["address"] for c in contract["channels"].values()]
        # A partner as it would connect: its own principal (on a secured broker) and a group named after it.
        consumer = AIOKafkaConsumer(*addresses, **partner_kafka_options(kafka_bootstrap), group_id=f"partner-demo-{tag}",
                                    auto_offset_reset="earliest")
        await consumer.start()
        received: dict[str, dict] = {}
        try:
            async def all_types_seen():
                for records in (await consumer.getmany(timeout_ms=1000)).values():
                    for record in records:
                        headers = {k: v.decode() for k, v in record.headers}
                        message = messages[headers["ce_type"]]  # every type on a partner topic is in the contract
                        payload = json.loads(record.value)
                        jsonschema.validate(payload, {**message["payload"], "components": contract["components"]})
                        if tag in record.value.decode() or f"P{tag[:8].upper()}" in record.value.decode():
                            received[headers["ce_type"]] = payload
                return set(received) == set(messages)

            await eventually(all_types_seen, timeout_s=60, interval_s=0)
        finally:
            await consumer.stop()
    assert received["partner.demand.changed"]["change"] == "demand.submitted"
    assert "resident_name" not in received["partner.demand.changed"]
    assert received["partner.project.changed"]["linked_demands"] == 1
    assert received["partner.registration.changed"]["commitments"] == 1
