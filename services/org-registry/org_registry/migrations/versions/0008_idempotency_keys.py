"""Idempotency-Key storage for org-registry's POSTs (yizhou.idempotency, yizhou.idempotent_writes),
as the other services have it. The DDL is frozen here rather than rendered from the shared table, so a
later change there needs a revision of its own.

Revision ID: 0008
Revises: 0007
"""
import sqlalchemy as sa
from alembic import op

from yizhou.columns import UtcDateTime

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None


def upgrade() -> None:
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


def downgrade() -> None:
    op.drop_table("idempotency_keys")
