"""Idempotency-Key storage for org-registry's POSTs (yizhou.idempotency, yizhou.idempotent_writes),
as the other services have it. (The DDL, frozen, is in yizhou.migration_ops.)

Revision ID: 0008
Revises: 0007
"""

from yizhou.migration_ops import create_idempotency_keys, drop_idempotency_keys

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None


def upgrade() -> None:
    create_idempotency_keys()


def downgrade() -> None:
    drop_idempotency_keys()
