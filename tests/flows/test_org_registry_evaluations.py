"""org-registry on a real broker: it consumes `evaluation.published` (published here as dual-registration
would, a CloudEvent through aiokafka) and shows it under the organization, once, dead-lettering what can
never apply; and its own member events reach the topic with no personal data."""

import json
import uuid

from aiokafka import AIOKafkaConsumer, AIOKafkaProducer

from org_registry.app import create_app
from org_registry.domain.member import with_check_digit
from org_registry.settings import Settings
from yizhou.bus import kafka_options
from yizhou.events import dead_letter_topic
from yizhou.personal_data import find_personal_data
from yizhou_platform.testing import eventually, serve

EVALUATIONS = "yizhou.evaluations.v1"


def cloud_event(event_type: str, data: dict, event_id: str | None = None) -> tuple[bytes, list[tuple[str, bytes]]]:
    headers = [("ce_id", (event_id or str(uuid.uuid4())).encode()), ("ce_source", b"/yizhou/dual-registration"),
               ("ce_type", event_type.encode()), ("ce_specversion", b"1.0"), ("content-type", b"application/json")]
    return json.dumps(data).encode(), headers


def evaluation(organization_id: str | None, evaluation_id: str, community: str, period: str, score: float) -> dict:
    return {"evaluation_id": evaluation_id, "subject_kind": "unit", "subject_id": "u-somewhere",
            "organization_id": organization_id, "community_code": community, "community_path": f"/X/{community}/",
            "period": period, "score": score, "rating": "excellent" if score >= 90 else "good",
            "evaluator_kind": "community", "published_at": "2026-10-08T09:00:00Z", "a_field_added_later": True}


async def _read_topic(bootstrap: str, topic: str, marker: bytes, want: int) -> list:
    consumer = AIOKafkaConsumer(topic, **kafka_options(bootstrap), group_id=f"reader-{uuid.uuid4().hex}",
                                auto_offset_reset="earliest")
    await consumer.start()
    found = []
    try:
        async def enough():
            batch = await consumer.getmany(timeout_ms=1000)
            found.extend(r for records in batch.values() for r in records if marker in (r.value or b"") + (r.key or b""))
            return len(found) >= want

        await eventually(enough, timeout_s=60, interval_s=0)
    finally:
        await consumer.stop()
    return found


async def test_evaluations_are_consumed_once_and_shown_under_the_organization(make_settings, kafka_bootstrap, auth,
                                                                              unique_code):
    d = unique_code("E")
    admin = auth("district_admin", d)
    async with serve(create_app(make_settings(Settings))) as client:
        for area in [{"code": d, "name": "Eval District", "level": "district"},
                     {"code": f"{d}C", "name": "Eval Sub", "level": "subdistrict", "parent_code": d}]:
            assert (await client.post("/api/v1/areas", json=area, headers=admin)).status_code == 201
        unit = (await client.post("/api/v1/units", json={"name": "Eval Co.", "kind": "state_owned_enterprise",
                                                         "area_code": f"{d}C", "headcount": 50,
                                                         "members_among_staff": 5}, headers=admin)).json()
        org = (await client.post("/api/v1/organizations", json={
            "name": "Eval Branch", "kind": "branch", "setup_mode": "single_unit", "area_code": f"{d}C",
            "covered_unit_ids": [unit["id"]], "founded_on": "2001-07-01"}, headers=admin)).json()

        first, second, marker = f"ev-{uuid.uuid4().hex[:8]}", f"ev-{uuid.uuid4().hex[:8]}", uuid.uuid4().hex
        unknown_org = evaluation("o-does-not-exist", f"ev-{marker}", f"{d}C", "2026-Q3", 70)
        producer = AIOKafkaProducer(**kafka_options(kafka_bootstrap))
        await producer.start()
        try:
            dup_id = str(uuid.uuid4())
            for value, headers in [
                cloud_event("evaluation.published", evaluation(org["id"], first, f"{d}C", "2026-Q2", 88), dup_id),
                cloud_event("evaluation.published", evaluation(org["id"], first, f"{d}C", "2026-Q2", 88), dup_id),
                cloud_event("evaluation.published", unknown_org),
                cloud_event("evaluation.published", evaluation(None, f"ev-none-{marker}", f"{d}C", "2026-Q3", 60)),
                cloud_event("evaluation.published", evaluation(org["id"], second, f"{d}C", "2026-Q3", 95)),
            ]:
                await producer.send_and_wait(EVALUATIONS, value, key=org["id"].encode(), headers=headers)
        finally:
            await producer.stop()

        url = f"/api/v1/organizations/{org['id']}/evaluations"

        async def both_shown():
            items = (await client.get(url, headers=admin)).json()["items"]
            return items if len(items) == 2 else None

        items = await eventually(both_shown, timeout_s=60)
        assert [(e["evaluation_id"], e["period"], e["score"]) for e in items] == [(second, "2026-Q3", 95.0),
                                                                                 (first, "2026-Q2", 88.0)]
        page = (await client.get(url, params={"limit": 1}, headers=admin)).json()
        rest = (await client.get(url, params={"limit": 1, "after": page["next_cursor"]}, headers=admin)).json()
        assert [e["evaluation_id"] for e in page["items"] + rest["items"]] == [second, first]
        assert [e["evaluation_id"] for e in (await client.get(url, params={"period": "2026-Q2"}, headers=admin)).json()["items"]] \
            == [first]
        # Scoped like the organization: another district's admin does not find it.
        other = auth("district_admin", unique_code("Z"))
        assert (await client.get(url, headers=other)).status_code in (403, 404)

        dead = await _read_topic(kafka_bootstrap, dead_letter_topic(EVALUATIONS), marker.encode(), 1)
        assert b"UnprocessableEvent" in dict(dead[0].headers)["dlq_reason"]

        # Our own events: the unit's cover changed when the organization was set up; members carry no personal data.
        member = (await client.post("/api/v1/members", json={
            "name": "赵六", "phone": "13700001111", "id_number": with_check_digit("11010519900101" + marker[:3].translate(
                str.maketrans("abcdef", "123456"))), "organization_id": org["id"], "residence_area_code": f"{d}C",
            "skills": ["tutoring"], "in_service": True, "joined_on": "2015-07-01"}, headers=admin)).json()
        records = await _read_topic(kafka_bootstrap, "yizhou.members.v1", member["id"].encode(), 1)
        data = json.loads(records[0].value)
        assert dict(records[0].headers)["ce_type"] == b"member.created"
        assert data["member_id"] == member["id"] and data["skills"] == ["tutoring"] and not find_personal_data(data)
        units = await _read_topic(kafka_bootstrap, "yizhou.units.v1", unit["id"].encode(), 2)
        types = [dict(r.headers)["ce_type"] for r in units]
        assert types[:2] == [b"unit.created", b"unit.updated"]
        assert json.loads(units[1].value)["organization_id"] == org["id"]
