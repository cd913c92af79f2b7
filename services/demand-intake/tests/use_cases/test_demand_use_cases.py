"""The inner loop: demand-intake's use cases called directly, as the API calls them, on a database of
their own (a SQLite file per module, migrated once) with a clock the test moves. No app, no broker,
no relay: the outbox rows a use case records are what it published. These run in about a second;
the API, flow and failure suites run the same code over HTTP, Kafka and PostgreSQL."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import select

import demand_intake
from demand_helpers import make_axis
from demand_intake.domain.demand import Channel, Resident, State, Urgency
from demand_intake.settings import Settings
from demand_intake.use_cases import deadlines, demands
from demand_intake.use_cases.demands import Submission
from yizhou.auth import AreaScope, Caller, Role
from yizhou.clock import ManualClock
from yizhou.database import Database
from yizhou.errors import Forbidden, NotFound, TransitionNotAllowed
from yizhou.messaging_tables import outbox
from yizhou.migrations import upgrade_to_head


@pytest.fixture(scope="module")
async def db(tmp_path_factory):
    database = Database(f"sqlite+aiosqlite:///{tmp_path_factory.mktemp('use-cases') / 'demand_intake.db'}")
    await upgrade_to_head(database.engine, Path(demand_intake.__file__).parent / "migrations")
    yield database
    await database.dispose()


@pytest.fixture
async def axis(db, unique_code):
    return await make_axis(db, unique_code("U"))


@pytest.fixture
def clock():
    return ManualClock(datetime(2026, 11, 2, 9, 0, tzinfo=UTC))  # a Monday morning in Beijing's working week


def scope_of(axis, role: str, area_key: str, subject: str | None = None) -> AreaScope:
    code = axis[area_key]
    path = {"d": f"/{axis['d']}/", "s1": f"/{axis['d']}/{axis['s1']}/",
            "c1": f"/{axis['d']}/{axis['s1']}/{axis['c1']}/",
            "g1": f"/{axis['d']}/{axis['s1']}/{axis['c1']}/{axis['g1']}/",
            "g2": f"/{axis['d']}/{axis['s1']}/{axis['c1']}/{axis['g2']}/"}[area_key]
    return AreaScope(Caller(subject=subject or f"{role}@{code}", role=Role(role), area=code), path)


def submission(axis, **over) -> Submission:
    fields = dict(channel=Channel.HOTLINE, category="elderly_care", urgency=Urgency.NORMAL,
                  description="楼道灯坏了，老人晚上出门不方便", area_code=axis["g1"],
                  resident=Resident(name="张桂兰", phone="13800138000"), priority_household=None,
                  latitude=None, longitude=None, address=None)
    return Submission(**{**fields, **over})


async def recorded(db, demand_id: str) -> list[str]:
    """The demand's own events, in order (its partner views ride along in the same transactions)."""
    async with db.sessions() as session:
        rows = await session.execute(select(outbox.c.event_type).where(
            outbox.c.aggregate_id == demand_id, ~outbox.c.event_type.startswith("partner.")).order_by(outbox.c.id))
        return list(rows.scalars())


async def test_a_demand_goes_through_its_life_and_each_step_is_an_event(db, axis, clock):
    worker, settings = scope_of(axis, "grid_worker", "g1"), Settings()
    submitted = await demands.submit(db, worker, clock, settings, submission(axis))
    demand_id = submitted.demand.id
    assert submitted.demand.state == State.SUBMITTED and submitted.possible_duplicates == []
    for target in (State.ACCEPTED, State.IN_PROGRESS, State.RESOLVED):
        clock.advance(timedelta(hours=1))
        await demands.change_state(db, worker, clock, settings, demand_id, target)
    assert await recorded(db, demand_id) == ["demand.submitted", "demand.accepted", "demand.started",
                                             "demand.resolved"]
    with pytest.raises(TransitionNotAllowed) as refused:  # a resolved demand is not started again
        await demands.change_state(db, worker, clock, settings, demand_id, State.IN_PROGRESS)
    assert refused.value.extensions["current_state"] == "resolved"


async def test_a_missed_deadline_is_one_overdue_event_however_often_the_sweeper_runs(db, axis, clock):
    worker, settings = scope_of(axis, "grid_worker", "g1"), Settings()
    demand_id = (await demands.submit(db, worker, clock, settings, submission(axis))).demand.id
    assert await deadlines.sweep_overdue(db, clock) == 0
    clock.advance(timedelta(days=30))  # far past both the response and the resolution deadline
    assert await deadlines.sweep_overdue(db, clock) >= 1
    assert await deadlines.sweep_overdue(db, clock) == 0
    events = await recorded(db, demand_id)
    assert events[0] == "demand.submitted" and set(events[1:]) == {"demand.overdue"}


async def test_who_may_do_what_is_decided_in_the_use_case(db, axis, clock):
    settings = Settings()
    demand_id = (await demands.submit(db, scope_of(axis, "grid_worker", "g1"), clock, settings,
                                      submission(axis))).demand.id
    member = scope_of(axis, "party_member", "g1")
    with pytest.raises(Forbidden):
        await demands.change_state(db, member, clock, settings, demand_id, State.ACCEPTED)
    neighbour = scope_of(axis, "grid_worker", "g2")
    with pytest.raises(NotFound):  # another grid's demand: as if it did not exist
        await demands.get(db, neighbour, demand_id)
    stranger = scope_of(axis, "resident", "g2", subject="resident-of-the-next-grid")
    with pytest.raises(NotFound):
        await demands.get(db, stranger, demand_id)
