"""dual-registration's tolerant readers on a real broker: area, unit, member, project and demand
events from a test producer (with fields we do not read, and a thin `member.left`) build the read
copies that registrations and claims rely on."""

import json
import uuid

from aiokafka import AIOKafkaProducer
from sqlalchemy import select

from dual_registration.app import create_app
from dual_registration.settings import Settings
from dual_registration.store.tables import demand_copy, project_copy
from yizhou.bus import kafka_options
from yizhou_platform.testing import eventually, serve
from yizhou.topic_owners import owner_of


def record(event_type: str, data: dict, topic: str) -> tuple[bytes, list[tuple[str, bytes]]]:
    """As the topic's publisher sends it (consumers refuse events from any other source)."""
    headers = [("ce_id", str(uuid.uuid4()).encode()), ("ce_source", owner_of(topic).encode()),
               ("ce_type", event_type.encode()),
               ("ce_specversion", b"1.0"), ("content-type", b"application/json")]
    return json.dumps(data).encode(), headers


async def test_read_copies_fill_from_events(make_settings, kafka_bootstrap, unique_code, auth):
    d = unique_code("RC")
    c, g = f"{d}C1", f"{d}G1"
    paths = {d: f"/{d}/", f"{d}S1": f"/{d}/{d}S1/", c: f"/{d}/{d}S1/{c}/", g: f"/{d}/{d}S1/{c}/{g}/"}
    unit_id, member_id, left_id = f"u-{d}", f"m-{d}", f"m-left-{d}"
    project_id, demand_id = f"p-{d}", f"d-{d}"
    member = {"member_id": member_id, "organization_id": "o-1", "work_unit_id": unit_id, "residence_area_code": g,
              "residence_area_path": paths[g], "skills": ["first aid"], "in_service": True, "state": "active",
              "occurred_at": "2026-03-01T00:00:00Z", "something_new": 1}
    async with serve(create_app(make_settings(Settings))) as client:
        producer = AIOKafkaProducer(**kafka_options(kafka_bootstrap))
        await producer.start()
        try:
            for code, level, parent in [(d, "district", None), (f"{d}S1", "subdistrict", d), (c, "community", f"{d}S1"),
                                        (g, "grid", c)]:
                value, headers = record("area.created", {"code": code, "name": code, "level": level,
                                                         "parent_code": parent, "path": paths[code]}, "yizhou.areas.v1")
                await producer.send_and_wait("yizhou.areas.v1", value, key=d.encode(), headers=headers)
            sends = [
                ("yizhou.units.v1", unit_id, "unit.created", {
                    "unit_id": unit_id, "name": "Tax Bureau", "kind": "agency", "area_code": g, "area_path": paths[g],
                    "organization_id": "o-1", "headcount": 10, "size_class": None}),
                ("yizhou.members.v1", member_id, "member.created", member),
                ("yizhou.members.v1", left_id, "member.created", {**member, "member_id": left_id}),
                ("yizhou.members.v1", left_id, "member.left", {"member_id": left_id}),
                ("yizhou.projects.v1", project_id, "project.approved", {
                    "project_id": project_id, "area_code": c, "area_path": paths[c], "category": "elderly_care",
                    "linked_demand_ids": [], "step": "implement"}),
                ("yizhou.demands.v1", demand_id, "demand.submitted", {
                    "demand_id": demand_id, "area_code": g, "area_path": paths[g], "category": "elderly_care",
                    "state": "submitted", "occurred_at": "2026-03-01T00:00:00Z", "channel": "hotline"}),
            ]
            for topic, key, event_type, data in sends:
                value, headers = record(event_type, data, topic)
                await producer.send_and_wait(topic, value, key=key.encode(), headers=headers)
        finally:
            await producer.stop()

        admin = auth("district_admin", d)

        async def members_copied():
            response = await client.get("/api/v1/members", headers=admin)
            return response.status_code == 200 and len(response.json()["items"]) == 2 and response.json()["items"]

        async def left_applied():
            rows = {m["member_id"]: m for m in await members_copied() or []}
            return rows.get(left_id, {}).get("left") is True and rows

        rows = await eventually(left_applied, timeout_s=60)
        assert rows[member_id]["community_code"] == c and rows[member_id]["left"] is False
        async def unit_copied():  # another topic than the members': it may arrive later
            response = await client.get(f"/api/v1/units/{unit_id}", headers=admin)
            return response.status_code == 200 and response.json()

        unit = await eventually(unit_copied, timeout_s=60)
        assert unit["community_code"] == c and unit["organization_id"] == "o-1"

        async def claim_targets_copied():
            async with client.app_state.db.sessions() as session:
                project = (await session.execute(select(project_copy).where(project_copy.c.project_id == project_id))).first()
                demand = (await session.execute(select(demand_copy).where(demand_copy.c.demand_id == demand_id))).first()
            return project and demand and (project.last_event, demand.state)

        assert await eventually(claim_targets_copied, timeout_s=60) == ("project.approved", "submitted")
        # The member who left cannot register; the other can.
        refused = await client.post("/api/v1/registrations/members", headers=auth("district_admin", d),
                                    json={"member_id": left_id, "available_hours_per_month": 2})
        assert refused.status_code == 422 and refused.json()["type"].endswith("not-eligible")
        accepted = await client.post("/api/v1/registrations/members", headers=auth("district_admin", d),
                                     json={"member_id": member_id, "available_hours_per_month": 2})
        assert accepted.status_code == 201, accepted.text
