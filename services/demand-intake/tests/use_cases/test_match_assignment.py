"""Accepting a match assigns the demand (issue 20): demand-intake's handler of project-matching's
`match.accepted`, called as the consumer runner calls it (a session whose transaction also claims the
inbox), on a database of its own. A registered provider unit takes the demand, with a history note; what
cannot be assigned (not accepted yet, withdrawn, a member's resource, an unknown unit, an event from
before the provider fields) is skipped, never refused; a replayed fact assigns nothing twice."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy import select

import demand_intake
from demand_helpers import make_axis, make_unit
from demand_intake.consumers import match_handler, subscriptions
from demand_intake.domain.demand import Channel, Resident, State, Urgency
from demand_intake.settings import Settings
from demand_intake.store.demands import DemandRepository
from demand_intake.use_cases import demands
from demand_intake.use_cases.demands import Submission
from demand_intake.use_cases.match_assignment import match_note
from yizhou.auth import AreaScope, Caller, Role
from yizhou.clock import ManualClock
from yizhou.database import Database
from yizhou.envelope import ReceivedEvent
from yizhou.messaging_tables import outbox
from yizhou.migrations import upgrade_to_head


@pytest.fixture(scope="module")
async def db(tmp_path_factory):
    database = Database(f"sqlite+aiosqlite:///{tmp_path_factory.mktemp('match-assignment') / 'demand_intake.db'}")
    await upgrade_to_head(database.engine, Path(demand_intake.__file__).parent / "migrations")
    yield database
    await database.dispose()


@pytest.fixture
async def axis(db, unique_code):
    return await make_axis(db, unique_code("MA"))


@pytest.fixture
def clock():
    return ManualClock(datetime(2026, 11, 2, 9, 0, tzinfo=UTC))


def admin_of(axis) -> AreaScope:
    return AreaScope(Caller(subject=f"admin@{axis['d']}", role=Role.DISTRICT_ADMIN, area=axis["d"]), f"/{axis['d']}/")


async def demand_in(db, axis, clock, *targets: State) -> str:
    sub = Submission(channel=Channel.HOTLINE, category="elderly_care", urgency=Urgency.NORMAL,
                     description=f"独居老人需要助餐 {uuid.uuid4().hex[:6]}", area_code=axis["g1"],
                     resident=Resident(name="张桂兰", phone="13800138000"))
    demand_id = (await demands.submit(db, admin_of(axis), clock, Settings(), sub)).demand.id
    for target in targets:
        await demands.change_state(db, admin_of(axis), clock, Settings(), demand_id, target)
    return demand_id


def accepted(match_id: str, demand_id: str | None, **provider) -> ReceivedEvent:
    """`match.accepted` as project-matching publishes it (with fields this reader ignores)."""
    data = {"match_id": match_id, "round_id": str(uuid.uuid4()), "demand_id": demand_id, "resource_id": "r-1",
            "area_code": "X", "area_path": "/X/", "category": "elderly_care", "distance_m": 300, **provider}
    return ReceivedEvent(id=str(uuid.uuid4()), type="match.accepted", source="/yizhou/project-matching",
                         subject=match_id, time=datetime.now(UTC), data=data, topic="yizhou.matches.v1", partition=0,
                         offset=0, key=match_id)


async def handle(db, clock, event: ReceivedEvent) -> None:
    async with db.sessions() as session, session.begin():
        await match_handler(clock)(session, event)


async def assigned_events(db, demand_id: str) -> list[dict]:
    async with db.sessions() as session:
        rows = await session.execute(select(outbox.c.data).where(outbox.c.aggregate_id == demand_id,
                                                                 outbox.c.event_type == "demand.assigned"))
        return list(rows.scalars())


async def test_an_accepted_match_assigns_the_demand_to_the_provider_unit_once(db, axis, clock):
    unit_id = await make_unit(db, axis["c1"], "建外街道社区卫生服务中心")
    demand_id = await demand_in(db, axis, clock, State.ACCEPTED)
    match_id = f"m-{uuid.uuid4()}"
    await handle(db, clock, accepted(match_id, demand_id, provider_kind="unit", provider_id=unit_id))
    demand = await demands.get(db, admin_of(axis), demand_id)
    assert (demand.state, demand.assignee, demand.assignee_unit_id) == \
        (State.ASSIGNED, "建外街道社区卫生服务中心", unit_id)
    async with db.sessions() as session:
        assert await DemandRepository(session).has_history_note(demand_id, match_note(match_id))
    [event] = await assigned_events(db, demand_id)
    assert (event["assignee_unit_id"], event["assignee"]) == (unit_id, "建外街道社区卫生服务中心")
    # The same fact under a new event id (a producer retry, a replay of the topic): assigned once.
    await handle(db, clock, accepted(match_id, demand_id, provider_kind="unit", provider_id=unit_id))
    assert len(await assigned_events(db, demand_id)) == 1


async def test_what_cannot_be_assigned_is_skipped_not_refused(db, axis, clock):
    unit_id = await make_unit(db, axis["c1"], "区民政局")
    submitted = await demand_in(db, axis, clock)
    withdrawn = await demand_in(db, axis, clock, State.ACCEPTED, State.WITHDRAWN)
    by_hand = await demand_in(db, axis, clock, State.ACCEPTED)
    await demands.change_state(db, admin_of(axis), clock, Settings(), by_hand, State.ASSIGNED, assignee="物业")
    for_member, unknown_unit, old_event = [await demand_in(db, axis, clock, State.ACCEPTED) for _ in range(3)]
    for event in [accepted("m-1", submitted, provider_kind="unit", provider_id=unit_id),
                  accepted("m-2", withdrawn, provider_kind="unit", provider_id=unit_id),
                  accepted("m-3", by_hand, provider_kind="unit", provider_id=unit_id),
                  accepted("m-4", for_member, provider_kind="member", provider_id="member-7"),
                  accepted("m-5", unknown_unit, provider_kind="unit", provider_id="u-nowhere"),
                  accepted("m-6", old_event),                       # published before the provider fields
                  accepted("m-7", None, provider_kind="unit", provider_id=unit_id),   # a project post
                  accepted("m-8", str(uuid.uuid4()), provider_kind="unit", provider_id=unit_id)]:  # not ours
        await handle(db, clock, event)
    states = {i: (await demands.get(db, admin_of(axis), i)).state
              for i in (submitted, withdrawn, by_hand, for_member, unknown_unit, old_event)}
    assert states == {submitted: State.SUBMITTED, withdrawn: State.WITHDRAWN, by_hand: State.ASSIGNED,
                      for_member: State.ACCEPTED, unknown_unit: State.ACCEPTED, old_event: State.ACCEPTED}
    assert (await demands.get(db, admin_of(axis), by_hand)).assignee == "物业"
    for demand_id in (submitted, withdrawn, for_member, unknown_unit, old_event):
        assert await assigned_events(db, demand_id) == []


def test_demand_intake_reads_accepted_matches():
    assert ("yizhou.matches.v1", "match.accepted") in {(s.topic, s.event_type) for s in subscriptions(ManualClock(
        datetime(2026, 11, 2, tzinfo=UTC)))}
