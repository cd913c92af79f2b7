"""project-matching reads other teams' events from the broker (the cross-team contract, with extra
fields its tolerant readers ignore): demand-intake's demands and meeting decisions, dual-registration's
unit and member registrations; a redelivered event changes nothing twice."""

import uuid
from datetime import UTC, datetime
from types import SimpleNamespace

from sqlalchemy import func, select

from project_matching.app import create_app
from project_matching.settings import Settings
from project_matching.store.tables import demand_copy, projects, resources
from yizhou.axis_copy import area_copy
from yizhou.bus import start_producer
from yizhou.envelope import to_kafka_message
from yizhou.messaging_tables import outbox
from yizhou_platform.testing import eventually, serve
from yizhou.topic_owners import owner_of


async def publish(bootstrap: str, topic: str, event_type: str, key: str, data: dict, event_id: str | None = None):
    row = SimpleNamespace(event_id=event_id or str(uuid.uuid4()), source=owner_of(topic), event_type=event_type,
                          subject=key, occurred_at=datetime.now(UTC), aggregate_id=key, data=data)
    producer = await start_producer(bootstrap, "off", "test-publisher")
    try:
        msg = to_kafka_message(row)
        await producer.send_and_wait(topic, value=msg.value, key=key.encode(), headers=list(msg.headers.items()))
    finally:
        await producer.stop()


async def count(db, table, *where) -> int:
    async with db.sessions() as session:
        return (await session.execute(select(func.count()).select_from(table).where(*where))).scalar_one()


async def test_demands_meetings_and_registrations_flow_in(make_settings, auth, unique_code, kafka_bootstrap):
    d = unique_code("PMF")
    community, path = f"{d}C", f"/{d}/{d}C/"
    now = datetime.now(UTC).isoformat()
    async with serve(create_app(make_settings(Settings))) as client:
        db = client.app_state.db
        async with db.sessions() as session, session.begin():
            for code, level, parent, p in [(d, "district", None, f"/{d}/"), (community, "community", d, path)]:
                await session.execute(area_copy.insert().values(code=code, name=code, level=level, parent_code=parent,
                                                                path=p, retired=False, updated_at=datetime.now(UTC)))
        demand_id = str(uuid.uuid4())
        base = {"demand_id": demand_id, "area_code": community, "area_path": path, "category": "elderly_care",
                "occurred_at": now, "description_hash": "ignored extra field"}
        await publish(kafka_bootstrap, "yizhou.demands.v1", "demand.submitted", demand_id, {
            **base, "state": "submitted", "channel": "must_visit", "urgency": "normal",
            "priority_household": "elderly_alone"})
        await publish(kafka_bootstrap, "yizhou.demands.v1", "demand.accepted", demand_id, {**base, "state": "accepted"})
        meeting_id = str(uuid.uuid4())
        meeting = {"meeting_id": meeting_id, "area_code": community, "area_path": path, "closed_at": now,
                   "attendee_count": 12, "decisions": [
                       {"kind": "resolve_demand", "demand_ids": [], "category": "public_space", "summary": "x"},
                       {"kind": "request_project", "demand_ids": [demand_id], "category": "elderly_care",
                        "summary": "Visits for elderly living alone"}]}
        meeting_event = str(uuid.uuid4())
        await publish(kafka_bootstrap, "yizhou.meetings.v1", "meeting.closed", meeting_id, meeting, meeting_event)
        registration = str(uuid.uuid4())
        await publish(kafka_bootstrap, "yizhou.registrations.v1", "unit.registered", registration, {
            "registration_id": registration, "unit_id": f"u-{d}", "organization_id": None, "community_code": community,
            "community_path": path, "hours_per_year": 200, "registered_at": now, "commitments": [
                {"commitment_id": "c1", "kind": "venue", "description": "Meeting room for 40", "categories":
                 ["culture_sports", "not_a_platform_category"], "quantity": 4, "unit_of_measure": "sessions/month"},
                {"commitment_id": "c2", "kind": "money", "description": "Annual support", "categories": ["elderly_care"],
                 "quantity": 20000, "unit_of_measure": "yuan/year"}]})
        member_id = f"m-{d}"
        await publish(kafka_bootstrap, "yizhou.registrations.v1", "member.registered", member_id, {
            "registration_id": str(uuid.uuid4()), "member_id": member_id, "organization_id": None,
            "community_code": community, "community_path": path, "skills": ["Nursing", "cooking"],
            "available_hours_per_month": 8, "registered_at": now})

        async def arrived():
            async with db.sessions() as session:
                demand = (await session.execute(select(demand_copy).where(demand_copy.c.demand_id == demand_id))).first()
            made = await count(db, resources, resources.c.area_code == community)
            opened = await count(db, projects, projects.c.origin_meeting_id == meeting_id)
            return demand is not None and demand.state == "accepted" and made == 3 and opened == 1 and demand

        demand = await eventually(arrived, timeout_s=60)
        assert demand.priority_household == "elderly_alone"
        worker = auth("community_worker", community)
        listed = (await client.get("/api/v1/resources", params={"under": community, "state": "active"},
                                   headers=worker)).json()["items"]
        by_kind = {r["kind"]: r for r in listed}
        assert by_kind["venue"]["categories"] == ["culture_sports"] and by_kind["venue"]["capacity"] == 4
        assert by_kind["money"]["amount_yuan"] == 20000 and by_kind["money"]["capacity"] == 0
        member = by_kind["volunteer_hours"]
        assert member["provider_id"] == member_id and member["capacity"] == 4
        assert {"elderly_care", "health", "meal_assistance"} <= set(member["categories"])
        project = (await client.get("/api/v1/projects", params={"under": community}, headers=worker)).json()["items"]
        assert [(p["state"], p["linked_demand_ids"]) for p in project] == [("understanding", [demand_id])]
        # The same meeting event again (a redelivery) and a second meeting decision id: one project still.
        await publish(kafka_bootstrap, "yizhou.meetings.v1", "meeting.closed", meeting_id, meeting, meeting_event)
        await publish(kafka_bootstrap, "yizhou.meetings.v1", "meeting.closed", meeting_id, meeting)  # new event id
        await publish(kafka_bootstrap, "yizhou.demands.v1", "demand.resolved", demand_id, {**base, "state": "resolved"})

        async def resolved():
            async with db.sessions() as session:
                state = (await session.execute(select(demand_copy.c.state)
                                               .where(demand_copy.c.demand_id == demand_id))).scalar_one()
            return state == "resolved"

        await eventually(resolved, timeout_s=60)
        assert await count(db, projects, projects.c.origin_meeting_id == meeting_id) == 1
        async with db.sessions() as session:
            registered = (await session.execute(select(outbox.c.event_type).where(
                outbox.c.topic == "yizhou.resources.v1", outbox.c.data["area_code"].as_string() == community))).all()
        assert len(registered) == 3
