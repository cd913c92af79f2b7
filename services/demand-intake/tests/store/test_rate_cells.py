"""The rolled-up rates (`demand_rate_cells`) always equal the same counts taken straight from the
demand facts: after random lifecycles folded in random batch splits, and after a grid and a community
move to other parents. Every district, subdistrict and community subtree, every period kind, with and
without a category."""

import random
import uuid
from datetime import UTC, datetime, timedelta

from demand_intake.consumers import on_area_moved, on_demand_event, on_demand_events
from demand_intake.domain.rates import months_of, parse_period
from demand_intake.store.facts import FactRepository
from demand_intake.store.rate_cells import RateCells
from yizhou.envelope import ReceivedEvent

PERIODS = ["2026", "2026-Q1", "2026-Q2", "2026-Q4", "2026-01", "2026-02", "2026-12", "2025-12", "2027"]
CATEGORIES = ["roads", "lighting", "elderly"]


def received(kind: str, data: dict) -> ReceivedEvent:
    return ReceivedEvent(id=str(uuid.uuid4()), type=kind, source="/test", subject=None, time=None, data=data,
                         topic="yizhou.demands.v1", partition=0, offset=0, key=data.get("demand_id"))


def lifecycle(rnd: random.Random, grids: list[str]) -> list[ReceivedEvent]:
    """One demand's events in order, with the branches the rates care about."""
    path = rnd.choice(grids)
    base = {"demand_id": str(uuid.UUID(int=rnd.getrandbits(128))), "area_code": path.strip("/").split("/")[-1],
            "area_path": path, "category": rnd.choice(CATEGORIES)}
    at = datetime(2025, 12, 20, tzinfo=UTC) + timedelta(hours=rnd.randrange(24 * 400))
    events = []

    def add(kind, state, **extra):
        nonlocal at
        at += timedelta(hours=rnd.uniform(0.5, 60))
        events.append(received(kind, {**base, "state": state, "occurred_at": at.isoformat(), **extra}))

    add("demand.submitted", "submitted", channel="hotline", urgency="normal")
    roll = rnd.random()
    if roll < 0.06:
        add("demand.withdrawn", "withdrawn")
        return events
    if roll < 0.1:
        add("demand.merged", "merged", merged_into_demand_id=str(uuid.uuid4()))
        return events
    if rnd.random() < 0.15:
        add("demand.overdue", "submitted", deadline="respond")
    if rnd.random() < 0.1:
        add("demand.rejected", "rejected")
        return events
    add("demand.accepted", "accepted", accountable_area_code=base["area_code"])
    if rnd.random() < 0.2:
        add("demand.supported", "accepted", me_too_count=rnd.randrange(1, 5))
    if rnd.random() < 0.4:
        add("demand.assigned", "assigned", assignee=f"unit-{rnd.randrange(5)}")
    if rnd.random() < 0.15:
        add("demand.overdue", "assigned", deadline="resolve")
    for _ in range(rnd.choice([0, 1, 1, 1, 2])):
        add("demand.resolved", "resolved")
        if rnd.random() < 0.7:
            add("demand.closed", "closed", feedback=rnd.choice(["satisfied", "basically_satisfied", "dissatisfied", None]))
        if rnd.random() < 0.3:
            add("demand.reopened", "reopened", feedback="dissatisfied")
    return events


async def assert_cells_equal_facts(db, roots: list[str]) -> int:
    checked = 0
    async with db.sessions() as session:
        for root in roots:
            for label in PERIODS:
                period = parse_period(label)
                for category in [None, *CATEGORIES]:
                    rolled = await RateCells(session).sums(root, *months_of(period), category)
                    straight = await FactRepository(session).counts(root, period.start, period.end, None, category)
                    assert rolled == straight, (root, label, category)
                    checked += straight.submitted
    return checked


async def test_cells_equal_the_facts_through_batches_and_moves(db, unique_code):
    d = unique_code("RC")
    subdistricts = [f"/{d}/{d}S{s}/" for s in range(2)]
    communities = [f"{s}{d}C{s[-2]}{c}/" for s in subdistricts for c in range(3)]
    grids = [f"{c}{d}G{c[-3:-1]}{g}/" for c in communities for g in range(2)] + communities[:1]  # one demand level up
    rnd = random.Random(20261123)
    queues = [lifecycle(rnd, grids) for _ in range(400)]
    events = []   # interleaved across demands, in order within each (as one partition of the topic is)
    while queues:
        queue = rnd.choice(queues)
        events.append(queue.pop(0))
        if not queue:
            queues.remove(queue)
    position = 0
    while position < len(events):
        size = rnd.choice([1, 2, 7, 40, 150])
        async with db.sessions() as session, session.begin():
            chunk = events[position:position + size]
            if size == 1:
                await on_demand_event(session, chunk[0])
            else:
                await on_demand_events(session, chunk)
        position += size
    roots = [f"/{d}/", *subdistricts, *communities]
    assert await assert_cells_equal_facts(db, roots) > 400  # counted something, in several periods

    grid = grids[0]                       # a grid moves to a community of the other subdistrict
    moved_grid = communities[-1] + grid.rstrip("/").rsplit("/", 1)[1] + "/"
    community = communities[1]            # a community moves to the other subdistrict
    moved_community = subdistricts[1] + community.rstrip("/").rsplit("/", 1)[1] + "/"
    for old, new in ((grid, moved_grid), (community, moved_community)):
        data = {"code": old.strip("/").split("/")[-1], "old_parent_code": old.strip("/").split("/")[-2],
                "new_parent_code": new.strip("/").split("/")[-2], "old_path": old, "new_path": new}
        async with db.sessions() as session, session.begin():
            await on_area_moved(session, received("area.moved", data))
    async with db.sessions() as session:
        moved = await FactRepository(session).counts(moved_grid, datetime(2025, 1, 1, tzinfo=UTC),
                                                     datetime(2028, 1, 1, tzinfo=UTC))
    assert moved.submitted > 0            # the grid's demands now count under their new community ...
    assert await assert_cells_equal_facts(db, [*roots, communities[-1]]) > 400   # ... and every sum agrees
