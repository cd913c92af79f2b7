"""Deadline clocks with a clock the test moves: a breach emits `demand.overdue` once, the resolve
clock pauses only while resolved, and a restarted service does not emit a breach again."""

from datetime import UTC, datetime, timedelta

from sqlalchemy import func, select

from demand_helpers import demand_body
from demand_intake.app import create_app
from demand_intake.settings import Settings
from demand_intake.use_cases.deadlines import sweep_overdue
from yizhou.clock import ManualClock
from yizhou.messaging_tables import outbox
from yizhou_platform.testing import eventually, serve


async def overdue_events(db, demand_id: str) -> list[dict]:
    async with db.sessions() as session:
        rows = (await session.execute(select(outbox.c.data).where(
            outbox.c.aggregate_id == demand_id, outbox.c.event_type == "demand.overdue").order_by(outbox.c.id))).scalars()
        return list(rows)


async def submit(client, headers, area, **kw) -> str:
    response = await client.post("/api/v1/demands", json=demand_body(area, **kw), headers=headers)
    assert response.status_code == 201, response.text
    return response.json()["demand"]["id"]


async def test_a_breach_emits_one_overdue_event(client, axis, auth, db, clock):
    worker = auth("grid_worker", axis["g1"])
    demand_id = await submit(client, worker, axis["g1"], urgency="emergency")
    detail = (await client.get(f"/api/v1/demands/{demand_id}", headers=worker)).json()
    respond = next(d for d in detail["deadlines"] if d["kind"] == "respond")
    assert respond["budget_hours"] == 2
    clock.advance(timedelta(hours=1, minutes=59))
    await sweep_overdue(db, clock)
    assert await overdue_events(db, demand_id) == []
    clock.advance(timedelta(minutes=2))
    await sweep_overdue(db, clock)
    await sweep_overdue(db, clock)
    events = await overdue_events(db, demand_id)
    assert [e["deadline"] for e in events] == ["respond"]
    assert events[0]["due_at"].startswith(respond["due_at"][:16]) and events[0]["state"] == "submitted"
    # Responding late does not undo the breach; the respond clock ends.
    assert (await client.post(f"/api/v1/demands/{demand_id}/accept", headers=worker)).status_code == 200
    clock.advance(timedelta(hours=3))
    await sweep_overdue(db, clock)
    assert len(await overdue_events(db, demand_id)) == 1


async def test_a_breach_the_sweeper_missed_is_announced_when_the_clock_stops(client, axis, auth, db, clock):
    worker = auth("grid_worker", axis["g2"])
    demand_id = await submit(client, worker, axis["g2"], urgency="emergency", description="电梯困人，急需救援")
    clock.advance(timedelta(hours=5))          # no sweep meanwhile (the service was down, say)
    assert (await client.post(f"/api/v1/demands/{demand_id}/accept", headers=worker)).status_code == 200
    async with db.sessions() as session:
        types = list((await session.execute(select(outbox.c.event_type).where(
            outbox.c.aggregate_id == demand_id, outbox.c.topic == "yizhou.demands.v1").order_by(outbox.c.id))).scalars())
    assert types == ["demand.submitted", "demand.overdue", "demand.accepted"]
    (event,) = await overdue_events(db, demand_id)
    assert event["deadline"] == "respond" and event["state"] == "submitted"
    await sweep_overdue(db, clock)
    assert len(await overdue_events(db, demand_id)) == 1


async def test_the_resolve_clock_pauses_only_while_resolved(client, axis, auth, db, clock):
    worker = auth("grid_worker", axis["g1"])
    demand_id = await submit(client, worker, axis["g1"], description="小区路灯不亮", urgency="normal")  # resolve: 7 days
    for action in ("accept", "resolve"):
        assert (await client.post(f"/api/v1/demands/{demand_id}/{action}", headers=worker)).status_code == 200
    clock.advance(timedelta(days=31))         # paused in `resolved`: no breach however long
    await sweep_overdue(db, clock)
    paused = (await client.get(f"/api/v1/demands/{demand_id}", headers=worker)).json()
    resolve = next(d for d in paused["deadlines"] if d["kind"] == "resolve")
    assert resolve["due_at"] is None and resolve["running"] is False
    assert await overdue_events(db, demand_id) == []
    reopened = await client.post(f"/api/v1/demands/{demand_id}/close", json={"feedback": "dissatisfied"}, headers=worker)
    assert reopened.json()["state"] == "reopened"
    clock.advance(timedelta(days=6, hours=23))  # still inside the 7 days it had left
    await sweep_overdue(db, clock)
    assert await overdue_events(db, demand_id) == []
    clock.advance(timedelta(hours=1, minutes=1))
    await sweep_overdue(db, clock)
    assert [e["deadline"] for e in await overdue_events(db, demand_id)] == ["resolve"]


async def test_closed_and_withdrawn_demands_never_breach(client, axis, auth, db, clock):
    worker = auth("grid_worker", axis["g2"])
    closed = await submit(client, worker, axis["g2"], urgency="emergency", description="燃气泄漏")
    withdrawn = await submit(client, worker, axis["g2"], urgency="emergency", description="电梯困人")
    for action, body in [("accept", None), ("resolve", None), ("close", {"feedback": "satisfied"})]:
        assert (await client.post(f"/api/v1/demands/{closed}/{action}", json=body, headers=worker)).status_code == 200
    assert (await client.post(f"/api/v1/demands/{withdrawn}/withdraw", headers=worker)).status_code == 200
    clock.advance(timedelta(days=60))
    await sweep_overdue(db, clock)
    assert await overdue_events(db, closed) == [] and await overdue_events(db, withdrawn) == []


async def test_the_background_sweeper_emits_once_also_after_a_restart(make_settings, auth, unique_code):
    from demand_helpers import make_axis

    clock = ManualClock(datetime.now(UTC))
    settings = make_settings(Settings, sweep_interval_s=0.1)
    async with serve(create_app(settings, clock)) as client:
        db = client.app_state.db
        axis = await make_axis(db, unique_code("D"))
        demand_id = await submit(client, auth("grid_worker", axis["g1"]), axis["g1"], urgency="emergency")
        clock.advance(timedelta(hours=3))

        async def breached():
            return len(await overdue_events(db, demand_id)) == 1

        await eventually(breached, timeout_s=30)
    # A new process on the same database: the stored breach keeps it from emitting again.
    async with serve(create_app(settings, clock)) as client:
        db = client.app_state.db
        await sweep_overdue(db, clock)
        clock.advance(timedelta(days=1))
        await sweep_overdue(db, clock)
        async with db.sessions() as session:
            count = (await session.execute(select(func.count()).select_from(outbox).where(
                outbox.c.aggregate_id == demand_id, outbox.c.event_type == "demand.overdue",
                outbox.c.data["deadline"].as_string() == "respond"))).scalar_one()
        assert count == 1


async def test_a_rule_in_working_days_is_due_at_half_past_five_after_the_national_day_week(make_settings, auth,
                                                                                            unique_code):
    """Issue 21: 12345-style rules are stated in working days. Five from Wednesday 2026-09-30 skip the
    National Day week (10-01..07), count Saturday 10-10 (a make-up working day) and end on 10-13 at
    17:30 Beijing time."""
    from demand_helpers import make_axis

    clock = ManualClock(datetime(2026, 9, 30, 2, 0, tzinfo=UTC))   # 10:00 in Beijing
    settings = make_settings(Settings, sweeper_enabled=False,
                             deadlines={"elderly_care": {"*": {"resolve_working_days": 5}}})
    async with serve(create_app(settings, clock)) as client:
        axis = await make_axis(client.app_state.db, unique_code("D"))
        worker = auth("grid_worker", axis["g1"])
        demand_id = await submit(client, worker, axis["g1"], category="elderly_care", urgency="normal")
        detail = (await client.get(f"/api/v1/demands/{demand_id}", headers=worker)).json()
        due = {d["kind"]: datetime.fromisoformat(d["due_at"]) for d in detail["deadlines"]}
        assert due["resolve"] == datetime(2026, 10, 13, 9, 30, tzinfo=UTC)            # 17:30 in Beijing
        assert due["respond"] == datetime(2026, 10, 1, 2, 0, tzinfo=UTC)              # hours rules are unchanged
        # Withdrawn, so services sweeping this database with the system clock never find it overdue.
        assert (await client.post(f"/api/v1/demands/{demand_id}/withdraw", headers=worker)).status_code == 200
