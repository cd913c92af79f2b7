"""Operations services' Alembic migrations use to create the tables defined once in shared."""

from __future__ import annotations

from alembic import op
from sqlalchemy import Table


def create_tables(*tables: Table) -> None:
    bind = op.get_bind()
    for table in tables:
        table.create(bind)


def drop_tables(*tables: Table) -> None:
    bind = op.get_bind()
    for table in reversed(tables):
        table.drop(bind)


# The relay of a service's worker process learns of rows committed by its API processes from this
# notification (delivered at commit, once per transaction and channel; see yizhou.relay).
OUTBOX_CHANNEL = "yizhou_outbox"

# On PostgreSQL, every statement inserting into the outbox notifies OUTBOX_CHANNEL. A statement-level
# trigger: no extra round trip for the writer, whoever writes (API, consumer, CLI import).
OUTBOX_NOTIFY_DDL = (
    f"""CREATE FUNCTION outbox_notify() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN PERFORM pg_notify('{OUTBOX_CHANNEL}', ''); RETURN NULL; END $$""",
    "CREATE TRIGGER outbox_notify AFTER INSERT ON outbox FOR EACH STATEMENT EXECUTE FUNCTION outbox_notify()",
)


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
