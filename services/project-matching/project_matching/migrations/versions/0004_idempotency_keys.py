"""Idempotency-Key storage for the service's POSTs (yizhou.idempotency, yizhou.idempotent_writes).
(The DDL, frozen, is in yizhou.migration_ops.)

Revision ID: 0004
Revises: 0003
"""

from yizhou.migration_ops import create_idempotency_keys, drop_idempotency_keys

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    create_idempotency_keys()


def downgrade() -> None:
    drop_idempotency_keys()
