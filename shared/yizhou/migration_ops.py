"""Operations services' Alembic migrations use to create the tables defined once in shared."""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op
from sqlalchemy import Table

from yizhou.columns import UtcDateTime
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


def create_idempotency_keys() -> None:
    """`Idempotency-Key` storage (yizhou.idempotency) as its first revision made it, frozen here rather
    than rendered from the shared table: a later change there needs a revision of its own in each
    service that has the table."""
    op.create_table(
        "idempotency_keys",
        sa.Column("caller", sa.String(length=200), nullable=False),
        sa.Column("key", sa.String(length=200), nullable=False),
        sa.Column("request_hash", sa.String(length=64), nullable=False),
        sa.Column("status_code", sa.Integer(), nullable=False),
        sa.Column("response", sa.JSON(), nullable=False),
        sa.Column("created_at", UtcDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("caller", "key"),
    )


def drop_idempotency_keys() -> None:
    op.drop_table("idempotency_keys")


def create_revoked_tokens() -> None:
    """The list of revoked token ids (yizhou.revocations) as its first revision made it, frozen here."""
    op.create_table(
        "revoked_tokens",
        sa.Column("jti", sa.String(length=100), nullable=False),
        sa.Column("expires_at", UtcDateTime(), nullable=False),
        sa.Column("revoked_at", UtcDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("jti"),
    )


def drop_revoked_tokens() -> None:
    op.drop_table("revoked_tokens")
