"""demand-intake reads project-matching's `project.approved` and `project.completed` (the cross-team
contract) from the broker: linked demands start, then resolve; a replayed fact moves nothing twice."""

import uuid
from datetime import UTC, datetime
from types import SimpleNamespace

from sqlalchemy import select

from demand_intake.app import create_app as demand_app
from demand_intake.settings import Settings as DemandSettings
from yizhou.axis_copy import area_copy
from yizhou.bus import start_producer
from yizhou.envelope import to_kafka_message
from yizhou.messaging_tables import outbox
from yizhou_platform.testing import eventually, serve


async def publish(bootstrap: str, event_type: str, project_id: str, linked: list[str], event_id: str | None = None) -> None:
    """A project event as project-matching publishes it (CloudEvents, key = project id), with extra fields."""
    row = SimpleNamespace(event_id=event_id or str(uuid.uuid4()), source="/yizhou/project-matching", event_type=event_type,
                          subject=project_id, occurred_at=datetime.now(UTC), aggregate_id=project_id,
                          data={"project_id": project_id, "area_code": "X", "area_path": "/X/", "category": "public_space",
                                "linked_demand_ids": linked, "step": "implement", "budget_yuan": 120000})
    producer = await start_producer(bootstrap, "off", "test-project-matching")
    try:
        msg = to_kafka_message(row)
        await producer.send_and_wait("yizhou.projects.v1", value=msg.value, key=project_id.encode(),
                                     headers=list(msg.headers.items()))
    finally:
        await producer.stop()


async def test_project_events_move_linked_demands(make_settings, auth, unique_code, kafka_bootstrap):
    d = unique_code("PJ")
    admin = auth("district_admin", d)
    async with serve(demand_app(make_settings(DemandSettings, sweeper_enabled=False))) as demand:
        db = demand.app_state.db
        async with db.sessions() as session, session.begin():
            for code, level, parent, path in [(d, "district", None, f"/{d}/"), (f"{d}G", "grid", d, f"/{d}/{d}G/")]:
                await session.execute(area_copy.insert().values(code=code, name=code, level=level, parent_code=parent,
                                                                path=path, retired=False, updated_at=datetime.now(UTC)))

        async def new(*actions) -> str:
            body = {"channel": "deliberation_meeting", "category": "public_space", "description": "停车难",
                    "area_code": f"{d}G"}
            demand_id = (await demand.post("/api/v1/demands", json=body, headers=admin)).json()["demand"]["id"]
            for action, payload in actions:
                assert (await demand.post(f"/api/v1/demands/{demand_id}/{action}", json=payload, headers=admin)).status_code == 200
            return demand_id

        accepted = await new(("accept", None))
        assigned = await new(("accept", None), ("assign", {"assignee": "物业"}))
        submitted = await new()

        async def states():
            return {i: (await demand.get(f"/api/v1/demands/{i}", headers=admin)).json()["state"]
                    for i in (accepted, assigned, submitted)}

        project = f"p-{d}"
        fact_id = str(uuid.uuid4())
        await publish(kafka_bootstrap, "project.approved", project, [accepted, assigned, submitted, "unknown-demand"], fact_id)
        expected = {accepted: "in_progress", assigned: "in_progress", submitted: "submitted"}

        async def started():
            assert await states() == expected
            return True

        await eventually(started, timeout_s=60)
        # The same fact again under a new event id (a producer retry): nothing moves twice.
        await publish(kafka_bootstrap, "project.approved", project, [accepted, assigned])
        await publish(kafka_bootstrap, "project.completed", project, [accepted, assigned, submitted])
        expected = {accepted: "resolved", assigned: "resolved", submitted: "submitted"}
        await eventually(started, timeout_s=60)
        async with db.sessions() as session:
            rows = (await session.execute(select(outbox.c.event_type, outbox.c.data).where(
                outbox.c.aggregate_id == accepted, outbox.c.topic == "yizhou.demands.v1").order_by(outbox.c.id))).all()
        assert [r.event_type for r in rows] == ["demand.submitted", "demand.accepted", "demand.started", "demand.resolved"]
        assert rows[2].data["project_id"] == project
        assert (rows[3].data["resolved_by"], rows[3].data["source_id"]) == ("project", project)
