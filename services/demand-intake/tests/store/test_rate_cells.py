"""The rolled-up rates (`demand_rate_cells`) always equal the same counts taken straight from the
demand facts: after random lifecycles folded in random batch splits, and after a grid and a community
move to other parents. Every district, subdistrict and community subtree, every period kind, with and
without a category."""

import json
import random
import uuid
from collections import Counter
from datetime import UTC, datetime, timedelta
from types import SimpleNamespace

from sqlalchemy import delete, func, select

from demand_intake.consumers import on_area_moved, on_demand_event, on_demand_events
from demand_intake.domain.rates import months_of, parse_period, rates_of
from demand_intake.store.facts import FactRepository
from demand_intake.store.rate_cells import RateCells
from demand_intake.store.tables import DemandFactRow, RateCellRow
from demand_intake.use_cases.rates_rebuild import RatesFold
from yizhou.columns import in_subtree
from yizhou.district_clock import DEFAULT_ZONE
from yizhou.envelope import ReceivedEvent
from yizhou.messaging_tables import inbox

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

    add("demand.submitted", "submitted", channel="hotline", urgency="normal", imported=rnd.random() < 0.1)
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
        for _ in range(rnd.choice([0, 0, 1, 2])):   # callbacks: the resident's own answers, or staff's entry
            add("demand.called_back", "resolved", callback_id=str(uuid.uuid4()), resolved=rnd.random() < 0.6,
                satisfaction=rnd.choice(["satisfied", "basically_satisfied", "dissatisfied"]),
                source=rnd.choice(["resident", "callback_by_staff", "staff_entry"]), called_at=at.isoformat())
        if rnd.random() < 0.7:
            add("demand.closed", "closed", feedback=rnd.choice(["satisfied", "basically_satisfied", "dissatisfied", None]),
                feedback_by=rnd.choice(["resident", "staff", None]))
        if rnd.random() < 0.3:
            add("demand.reopened", "reopened", feedback="dissatisfied", feedback_by=rnd.choice(["resident", "staff"]))
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


def as_record(event: ReceivedEvent, offset: int):
    headers = [("ce_id", event.id.encode()), ("ce_source", b"/yizhou/demand-intake"), ("ce_type", event.type.encode()),
               ("ce_specversion", b"1.0"), ("content-type", b"application/json")]
    return SimpleNamespace(topic="yizhou.demands.v1", partition=0, offset=offset, key=event.key.encode(),
                           value=json.dumps(event.data).encode(), headers=headers)


async def snapshot(db, root: str) -> tuple[list, list]:
    async with db.sessions() as session:
        facts = (await session.execute(select(DemandFactRow.__table__).where(
            in_subtree(DemandFactRow.area_path, root)).order_by(DemandFactRow.demand_id))).all()
        cells = (await session.execute(select(RateCellRow.__table__).where(
            in_subtree(RateCellRow.area_path, root)).order_by(RateCellRow.area_path, RateCellRow.month,
                                                               RateCellRow.category))).all()
    # A cell every demand has left again (submitted, then withdrawn in a later batch) stays as a row of
    # zeros on the live path; one the rebuild never needed is no row: the same rates either way.
    return [tuple(f) for f in facts], [tuple(c) for c in cells if any(c[3:])]


async def test_the_rebuild_fold_ends_where_the_live_handler_does(db, unique_code):
    d = unique_code("RF")
    grids = [f"/{d}/{d}S/{d}C{c}/{d}G{c}{g}/" for c in range(3) for g in range(2)]
    rnd = random.Random(7)
    queues = [lifecycle(rnd, grids) for _ in range(150)]
    events = []
    while queues:
        queue = rnd.choice(queues)
        events.append(queue.pop(0))
        if not queue:
            queues.remove(queue)
    for start in range(0, len(events), 60):          # the live path: the consumer's batch handler
        async with db.sessions() as session, session.begin():
            await on_demand_events(session, events[start:start + 60])
    live = await snapshot(db, f"/{d}/")
    assert len(live[0]) == 150 and live[1]

    async with db.sessions() as session, session.begin():   # cleared, as a rebuild starts
        await session.execute(delete(DemandFactRow).where(in_subtree(DemandFactRow.area_path, f"/{d}/")))
        await session.execute(delete(RateCellRow).where(in_subtree(RateCellRow.area_path, f"/{d}/")))
    records = [as_record(e, n) for n, e in enumerate(events)]
    orphan = received("demand.resolved", {**events[0].data, "demand_id": str(uuid.uuid4()), "state": "resolved"})
    malformed = SimpleNamespace(**{**vars(records[0]), "headers": [], "value": b"not json"})
    records[40:40] = [records[3], as_record(orphan, 10_000), malformed]   # a re-sent event, an orphan, garbage
    sink = RatesFold(db, SimpleNamespace(consumer_group=f"fold-{d}", district_zone=DEFAULT_ZONE), write_every=100)  # writes every 100 events
    outcomes = Counter()
    for start in range(0, len(records), 70):
        outcomes.update(await sink.take(records[start:start + 70]))
    await sink.close()

    assert outcomes == {"applied": len(events), "duplicate": 1, "dead_lettered": 2}
    assert await snapshot(db, f"/{d}/") == live
    async with db.sessions() as session:
        claimed = (await session.execute(select(func.count()).select_from(inbox).where(
            inbox.c.consumer == f"fold-{d}"))).scalar_one()
    assert claimed == len(events)



async def test_only_what_residents_said_scores_and_imports_move_no_rate(db, unique_code):
    """Issue 19: a subdistrict imported back-dated demands "closed, satisfied" and staff closed others
    "satisfied" themselves; the rates kept them, and they fed the scorecards. Now an imported demand counts
    only as imported, and staff-recorded feedback is apart from what residents said."""
    path = f"/{unique_code('D')}/S/C/G/"
    at = datetime(2026, 3, 2, tzinfo=UTC)

    def demand(*steps, imported=False):
        base = {"demand_id": str(uuid.uuid4()), "area_code": "G", "area_path": path, "category": "roads"}
        events = [received("demand.submitted", {**base, "state": "submitted", "occurred_at": at.isoformat(),
                                                "channel": "hotline", "urgency": "normal", "imported": imported})]
        for n, (kind, state, extra) in enumerate(steps, 1):
            events.append(received(kind, {**base, "state": state, "occurred_at": (at + timedelta(hours=n)).isoformat(),
                                          **extra}))
        return events

    closed = lambda by, feedback="satisfied": [("demand.accepted", "accepted", {"accountable_area_code": "G"}),  # noqa: E731
                                               ("demand.resolved", "resolved", {}),
                                               ("demand.closed", "closed", {"feedback": feedback, "feedback_by": by,
                                                                            "contact_attempted": False})]
    events = [*demand(*closed("resident", "dissatisfied")), *demand(*closed("staff")), *demand(*closed("staff")),
              *demand(*closed("staff"), imported=True), *demand(*closed("staff"), imported=True)]
    async with db.sessions() as session, session.begin():
        await on_demand_events(session, events)
    period = parse_period("2026-03")
    async with db.sessions() as session:
        straight = await FactRepository(session).counts(path, period.start, period.end)
        rolled = await RateCells(session).sums(path.rsplit("G/", 1)[0], *months_of(period))
    assert straight == rolled
    assert (straight.submitted, straight.imported) == (3, 2)
    assert (straight.with_feedback, straight.satisfied) == (3, 2)
    assert (straight.with_resident_feedback, straight.satisfied_by_resident) == (1, 0)
    rates = rates_of(straight)
    # Scored: only the resident's own word; recorded: staff entries too (shown, never scored).
    assert rates.recorded_satisfaction_rate == 0.6667 and rates.satisfaction_rate == rates.resident_satisfaction_rate == 0.0


async def test_a_demand_half_past_midnight_beijing_on_the_first_counts_in_that_month(db, unique_code):
    """Issue 21: months were whole UTC months, so 00:00-08:00 Beijing time on the 1st counted in the month
    before. 2026-11-30T16:30Z is 2026-12-01 00:30 in Beijing: December's, in the facts and in the cells."""
    path = f"/{unique_code('D')}/S/C/G/"
    base = {"demand_id": str(uuid.uuid4()), "area_code": "G", "area_path": path, "category": "roads"}
    event = received("demand.submitted", {**base, "state": "submitted", "channel": "hotline", "urgency": "normal",
                                          "occurred_at": "2026-11-30T16:30:00Z"})
    async with db.sessions() as session, session.begin():
        await on_demand_events(session, [event], DEFAULT_ZONE)
    async with db.sessions() as session:
        for label, expected in (("2026-12", 1), ("2026-11", 0), ("2026-Q4", 1), ("2026", 1)):
            period = parse_period(label, DEFAULT_ZONE)
            straight = await FactRepository(session).counts(path, period.start, period.end)
            rolled = await RateCells(session).sums(path.rsplit("G/", 1)[0], *months_of(period))
            assert straight == rolled and straight.submitted == expected, label
        cell = (await session.execute(select(RateCellRow.month).where(in_subtree(RateCellRow.area_path, path.rsplit("G/", 1)[0])))).scalar_one()
        assert cell == 202612
