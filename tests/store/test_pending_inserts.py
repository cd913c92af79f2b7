"""Inserts held until a unit of work commits (yizhou.pending_inserts), on a real database: written with
the outbox rows at commit (on PostgreSQL as one statement, child rows beside their parents), with the
columns' own conversions, all or nothing, readable after `flush`, and at once outside a unit of work."""

import uuid
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path
from typing import ClassVar

import pytest
from sqlalchemy import JSON, Column, ForeignKey, Integer, MetaData, String, Table, event, func, select
from sqlalchemy.exc import IntegrityError

import demand_intake
from demand_intake.settings import Settings
from yizhou.columns import UtcDateTime
from yizhou.database import Database
from yizhou.events import EventData
from yizhou.messaging_tables import outbox
from yizhou.migrations import upgrade_to_head
from yizhou.pending_inserts import MAX_PARAMETERS, insert_at_commit

metadata = MetaData()
parents = Table("pending_test_parents", metadata, Column("id", String(36), primary_key=True),
                Column("at", UtcDateTime, nullable=False), Column("facts", JSON, nullable=False))
children = Table("pending_test_children", metadata, Column("id", Integer, primary_key=True, autoincrement=True),
                 Column("parent_id", String(36), ForeignKey("pending_test_parents.id"), nullable=False),
                 Column("n", Integer, nullable=False))


@pytest.fixture
async def db(make_settings):
    database = Database(make_settings(Settings).resolved_database_url)
    await upgrade_to_head(database.engine, Path(demand_intake.__file__).parent / "migrations")  # the outbox
    async with database.engine.begin() as conn:
        await conn.run_sync(metadata.create_all)
    statements: list[str] = []

    @event.listens_for(database.engine.sync_engine, "before_cursor_execute")
    def _count(conn, cursor, statement, parameters, context, executemany):
        if "INSERT" in statement:
            statements.append(statement)

    database.statements = statements
    yield database
    await database.dispose()


class ThingHappened(EventData):
    event_type: ClassVar[str] = "thing.happened"
    topic: ClassVar[str] = "yizhou.pending-test.v1"
    parent_id: str


def submitted(parent_id: str) -> ThingHappened:
    return ThingHappened(parent_id=parent_id)


async def count(db, table, parent_id: str) -> int:
    column = table.c.id if table is parents else table.c.parent_id
    async with db.sessions() as session:
        return (await session.execute(select(func.count()).where(column == parent_id))).scalar_one()


async def test_held_rows_and_the_outbox_go_out_together_at_commit(db):
    parent_id = str(uuid.uuid4())
    beijing = datetime(2026, 11, 23, 20, 0, tzinfo=timezone(timedelta(hours=8)))
    async with db.unit_of_work() as uow:
        await insert_at_commit(uow.session, parents, {"id": parent_id, "at": beijing, "facts": {"n": [1, 2]}})
        await insert_at_commit(uow.session, children, [{"parent_id": parent_id, "n": n} for n in range(3)])
        uow.record(submitted(parent_id), aggregate_id=parent_id, source="/test")
        assert db.statements == []  # nothing written before the commit
        assert await count(db, parents, parent_id) == 0
        await uow.commit()
    # One statement on PostgreSQL (the parents and children as CTEs ahead of the outbox insert, the
    # foreign key checked at its end); a table at a time on SQLite, parents before their children.
    if db.is_postgres:
        assert len(db.statements) == 1 and db.statements[0].lstrip().upper().startswith("WITH")
    else:
        assert ["INTO pending_test_parents" in s for s in db.statements[:2]] == [True, False]
        assert len(db.statements) == 3
    assert await count(db, parents, parent_id) == 1 and await count(db, children, parent_id) == 3
    async with db.sessions() as session:
        row = (await session.execute(select(parents).where(parents.c.id == parent_id))).one()
        events = (await session.execute(select(outbox.c.event_type).where(outbox.c.aggregate_id == parent_id))).scalars().all()
    assert row.at == beijing and row.at.tzinfo is not None and row.facts == {"n": [1, 2]}
    assert events == ["thing.happened"]


async def test_a_failing_row_writes_nothing(db):
    parent_id, taken = str(uuid.uuid4()), str(uuid.uuid4())
    async with db.unit_of_work() as uow:
        await insert_at_commit(uow.session, parents, {"id": taken, "at": datetime.now(UTC), "facts": {}})
        await uow.commit()
    with pytest.raises(IntegrityError):
        async with db.unit_of_work() as uow:
            await insert_at_commit(uow.session, parents, [{"id": parent_id, "at": datetime.now(UTC), "facts": {}},
                                                           {"id": taken, "at": datetime.now(UTC), "facts": {}}])
            await insert_at_commit(uow.session, children, {"parent_id": parent_id, "n": 1})
            uow.record(submitted(parent_id), aggregate_id=parent_id, source="/test")
            await uow.commit()
    assert await count(db, parents, parent_id) == 0 and await count(db, children, parent_id) == 0
    async with db.sessions() as session:
        assert (await session.execute(select(func.count()).where(outbox.c.aggregate_id == parent_id))).scalar_one() == 0


async def test_leaving_without_commit_drops_the_held_rows(db):
    parent_id = str(uuid.uuid4())
    async with db.unit_of_work() as uow:
        await insert_at_commit(uow.session, parents, {"id": parent_id, "at": datetime.now(UTC), "facts": {}})
    assert db.statements == [] and await count(db, parents, parent_id) == 0


async def test_flush_makes_held_rows_readable_in_the_transaction(db):
    parent_id = str(uuid.uuid4())
    async with db.unit_of_work() as uow:
        await insert_at_commit(uow.session, parents, {"id": parent_id, "at": datetime.now(UTC), "facts": {}})
        await uow.flush()
        seen = (await uow.session.execute(select(func.count()).where(parents.c.id == parent_id))).scalar_one()
        await uow.commit()
    assert seen == 1


async def test_outside_a_unit_of_work_rows_are_written_at_once(db):
    parent_id = str(uuid.uuid4())
    async with db.sessions() as session, session.begin():
        await insert_at_commit(session, parents, {"id": parent_id, "at": datetime.now(UTC), "facts": {}})
        assert (await session.execute(select(func.count()).where(parents.c.id == parent_id))).scalar_one() == 1


async def test_a_batch_over_the_parameter_limit_goes_out_a_table_at_a_time(db):
    parent_id = str(uuid.uuid4())
    many = MAX_PARAMETERS // 2 + 1  # two columns a row: just over the limit
    async with db.unit_of_work() as uow:
        await insert_at_commit(uow.session, parents, {"id": parent_id, "at": datetime.now(UTC), "facts": {}})
        await insert_at_commit(uow.session, children, [{"parent_id": parent_id, "n": n} for n in range(many)])
        await uow.commit()
    assert len(db.statements) == 2
    assert await count(db, children, parent_id) == many
