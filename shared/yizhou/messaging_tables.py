"""The outbox and inbox tables, the same in every service's database (created by its migrations)."""

from __future__ import annotations

from sqlalchemy import JSON, BigInteger, Column, Index, Integer, MetaData, String, Table, text

from yizhou.columns import UtcDateTime

messaging_metadata = MetaData()

# BIGINT on PostgreSQL, INTEGER on SQLite (where only INTEGER PRIMARY KEY autoincrements).
BigId = BigInteger().with_variant(Integer(), "sqlite")

outbox = Table(
    "outbox",
    messaging_metadata,
    Column("id", BigId, primary_key=True, autoincrement=True),
    Column("event_id", String(36), nullable=False, unique=True),
    Column("topic", String(200), nullable=False),
    Column("event_type", String(200), nullable=False),
    Column("source", String(200), nullable=False),
    Column("subject", String(200), nullable=False),
    Column("aggregate_id", String(200), nullable=False),
    Column("data", JSON, nullable=False),
    Column("occurred_at", UtcDateTime, nullable=False),
    Column("published_at", UtcDateTime, nullable=True),
    # The relay only ever scans unpublished rows in id order.
    Index("ix_outbox_unpublished", "id", postgresql_where=text("published_at IS NULL"), sqlite_where=text("published_at IS NULL")),
)

inbox = Table(
    "inbox",
    messaging_metadata,
    Column("consumer", String(200), primary_key=True),
    Column("event_id", String(200), primary_key=True),
    Column("event_type", String(200), nullable=False),
    Column("topic", String(200), nullable=False),
    Column("received_at", UtcDateTime, nullable=False),
)

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
