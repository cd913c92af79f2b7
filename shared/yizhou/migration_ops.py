"""Operations services' Alembic migrations use to create the tables defined once in shared."""

from __future__ import annotations

from alembic import op
from sqlalchemy import Table

from yizhou.messaging_tables import OUTBOX_NOTIFY_DDL


def create_tables(*tables: Table) -> None:
    bind = op.get_bind()
    for table in tables:
        table.create(bind)


def drop_tables(*tables: Table) -> None:
    bind = op.get_bind()
    for table in reversed(tables):
        table.drop(bind)


def create_outbox_notify() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return   # SQLite: one process per file in practice; the relay's in-process wake and poll do
    for statement in OUTBOX_NOTIFY_DDL:
        op.execute(statement)


def drop_outbox_notify() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    op.execute("DROP TRIGGER IF EXISTS outbox_notify ON outbox")
    op.execute("DROP FUNCTION IF EXISTS outbox_notify()")
