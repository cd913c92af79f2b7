"""Hub organizations on a real broker: `hub.created`, `hub.updated` and `joint_action.recorded` reach
`yizhou.hubs.v1`, keyed by the hub id, in order, as CloudEvents carrying no personal data (a joint
action's free-text note, which may name people, stays in the registry)."""

import json
import uuid

from aiokafka import AIOKafkaConsumer

from org_registry.app import create_app
from org_registry.settings import Settings
from yizhou.bus import kafka_options
from yizhou.personal_data import find_personal_data
from yizhou_platform.testing import eventually, serve

HUBS = "yizhou.hubs.v1"


async def _read_keyed(bootstrap: str, topic: str, key: bytes, want: int) -> list:
    consumer = AIOKafkaConsumer(topic, **kafka_options(bootstrap), group_id=f"reader-{uuid.uuid4().hex}",
                                auto_offset_reset="earliest")
    await consumer.start()
    found = []
    try:
        async def enough():
            batch = await consumer.getmany(timeout_ms=1000)
            found.extend(r for records in batch.values() for r in records if r.key == key)
            return len(found) >= want

        await eventually(enough, timeout_s=60, interval_s=0)
    finally:
        await consumer.stop()
    return found


async def test_hub_events_reach_the_topic_without_personal_data(make_settings, kafka_bootstrap, auth, unique_code):
    d = unique_code("H")
    admin = auth("district_admin", d)
    async with serve(create_app(make_settings(Settings))) as client:
        for area in [{"code": d, "name": "Hub District", "level": "district"},
                     {"code": f"{d}S", "name": "Hub Sub", "level": "subdistrict", "parent_code": d},
                     {"code": f"{d}C", "name": "Hub Community", "level": "community", "parent_code": f"{d}S"}]:
            assert (await client.post("/api/v1/areas", json=area, headers=admin)).status_code == 201
        committee = (await client.post("/api/v1/organizations", json={
            "name": "Hub Sub Social-work Committee", "kind": "committee", "setup_mode": "social_work_committee",
            "area_code": f"{d}S", "founded_on": "2005-07-01"}, headers=admin)).json()
        unit = (await client.post("/api/v1/units", json={"name": "Hub Tech Co.", "kind": "state_owned_enterprise",
                                                         "area_code": f"{d}C", "headcount": 50,
                                                         "members_among_staff": 5}, headers=admin)).json()
        hub = (await client.post("/api/v1/hubs", json={
            "name": "Hub Sub Trade Union", "kind": "trade_union", "area_code": f"{d}S",
            "leading_organization_id": committee["id"], "member_count": 900, "party_member_count": 80},
            headers=admin)).json()
        patched = await client.patch(f"/api/v1/hubs/{hub['id']}", json={"member_count": 950}, headers=admin)
        assert patched.status_code == 200, patched.text
        linked = await client.post(f"/api/v1/hubs/{hub['id']}/joint-actions", json={
            "kind": "joint_service", "partner_kind": "unit", "partner_id": unit["id"], "started_on": "2026-03-01",
            "note": "联系人王建国 13912345678"}, headers=admin)
        assert linked.status_code == 201, linked.text

        records = await _read_keyed(kafka_bootstrap, HUBS, hub["id"].encode(), 3)
        types = [dict(r.headers)["ce_type"] for r in records]
        assert types == [b"hub.created", b"hub.updated", b"joint_action.recorded"]
        created, updated, action = (json.loads(r.value) for r in records)
        assert created["leading_organization_id"] == committee["id"] and created["level"] == "subdistrict"
        assert updated["member_count"] == 950 and updated["hub_name"] == "Hub Sub Trade Union"
        assert action["partner_id"] == unit["id"] and action["partner_area_code"] == f"{d}C"
        assert action["partner_area_path"].endswith(f"/{d}C/") and action["joint_action_id"] == linked.json()["id"]
        for data in (created, updated, action):
            assert not find_personal_data(data), data
        assert "note" not in action
