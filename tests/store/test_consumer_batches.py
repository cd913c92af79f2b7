"""The consumer runner's batch path on a real database: one inbox claim statement per batch, runs of
consecutive events through a subscription's batch handler in record order, duplicates (earlier or in
the same batch) skipped, and a failing batch replayed record by record so only the poison is refused."""

import json
import uuid
from pathlib import Path
from types import SimpleNamespace

import pytest
from sqlalchemy import Column, Integer, MetaData, String, Table, func, select

import demand_intake
from demand_intake.settings import Settings
from yizhou.consumer import EventConsumer, Subscription, UnprocessableEvent
from yizhou.database import Database
from yizhou.messaging_tables import inbox
from yizhou.migrations import upgrade_to_head

TOPIC = "yizhou.batch-test.v1"
SOURCES = frozenset({"/test"})   # the test topic has no owner in yizhou.topic_owners: its publisher is named here
applied_log = Table("batch_test_applied", MetaData(), Column("seq", Integer, primary_key=True, autoincrement=True),
                    Column("event_id", String(64)), Column("via", String(16)), Column("run", String(400)))


def record(offset: int, event_type: str, event_id: str | None = None, poison: bool = False):
    event_id = event_id or str(uuid.uuid4())
    headers = [("ce_id", event_id.encode()), ("ce_source", b"/test"), ("ce_type", event_type.encode()),
               ("ce_specversion", b"1.0"), ("content-type", b"application/json")]
    value = json.dumps({"n": offset, "poison": poison}).encode()
    return SimpleNamespace(topic=TOPIC, partition=0, offset=offset, key=b"k", value=value, headers=headers)


def ids(records):
    return [dict(r.headers)["ce_id"].decode() for r in records]


@pytest.fixture
async def runner(make_settings):
    db = Database(make_settings(Settings).resolved_database_url)
    await upgrade_to_head(db.engine, Path(demand_intake.__file__).parent / "migrations")  # the inbox, as a service has it
    async with db.engine.begin() as conn:
        await conn.run_sync(applied_log.metadata.create_all)
        await conn.execute(applied_log.delete())

    async def one(session, event):
        if event.data["poison"]:
            raise UnprocessableEvent("poison")
        await session.execute(applied_log.insert().values(event_id=event.id, via="one", run=event.id))

    async def many(session, events):
        if any(e.data["poison"] for e in events):
            raise UnprocessableEvent("poison in the run")
        run = ",".join(e.id for e in events)
        await session.execute(applied_log.insert(), [{"event_id": e.id, "via": "many", "run": run} for e in events])

    group = f"batch-test-{uuid.uuid4().hex[:8]}"
    subscriptions = [Subscription(TOPIC, "thing.batched", one, many, sources=SOURCES),
                     Subscription(TOPIC, "thing.single", one, sources=SOURCES)]
    consumer = EventConsumer(db, access="unused:9092", group=group, subscriptions=subscriptions, producer=None,
                             send_dead_letters=False)
    yield consumer, db
    await db.dispose()


async def applied(db):
    async with db.sessions() as session:
        return [tuple(r) for r in (await session.execute(
            select(applied_log.c.event_id, applied_log.c.via, applied_log.c.run).order_by(applied_log.c.seq))).all()]


async def test_runs_go_through_the_batch_handler_in_order_and_duplicates_are_skipped(runner):
    consumer, db = runner
    earlier = record(0, "thing.batched")
    assert await consumer.process(earlier) == "applied"

    batch = [record(1, "thing.batched", ids([earlier])[0]),       # applied before: a redelivery
             record(2, "thing.batched"), record(3, "thing.batched"),
             record(4, "thing.single"),
             record(5, "thing.batched"),
             record(6, "other.type")]
    batch.append(record(7, "thing.batched", ids(batch[1:2])[0]))  # the same event twice in one batch
    outcomes = await consumer.process_batch(batch)

    assert outcomes == ["duplicate", "applied", "applied", "applied", "applied", "ignored", "duplicate"]
    e2, e3, s4, e5 = ids(batch[1:5])
    assert await applied(db) == [(ids([earlier])[0], "one", ids([earlier])[0]),
                                 (e2, "many", f"{e2},{e3}"), (e3, "many", f"{e2},{e3}"),
                                 (s4, "one", s4), (e5, "many", e5)]
    async with db.sessions() as session:
        claimed = (await session.execute(select(func.count()).select_from(inbox).where(
            inbox.c.consumer == consumer._group))).scalar_one()
    assert claimed == 5  # earlier, e2, e3, s4, e5: one inbox row each, none for the ignored type

    assert set(await consumer.process_batch(batch)) == {"duplicate", "ignored"}  # a whole redelivered batch
    assert len(await applied(db)) == 5


async def test_a_failing_batch_is_replayed_record_by_record(runner):
    consumer, db = runner
    batch = [record(0, "thing.batched"), record(1, "thing.batched", poison=True), record(2, "thing.batched")]
    outcomes = await consumer.process_batch(batch)

    assert outcomes == ["applied", "dead_lettered", "applied"]
    good = [ids(batch)[0], ids(batch)[2]]
    assert [(e, via) for e, via, _ in await applied(db)] == [(good[0], "one"), (good[1], "one")]
    async with db.sessions() as session:
        claimed = set((await session.execute(select(inbox.c.event_id).where(inbox.c.consumer == consumer._group))).scalars())
    assert claimed == set(good)  # the refused record's claim rolled back with it
