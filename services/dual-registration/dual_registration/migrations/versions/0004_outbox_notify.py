"""On PostgreSQL, inserting outbox rows notifies the service's worker process, whose relay then
publishes at once instead of at its next poll (yizhou.migration_ops.create_outbox_notify).

Revision ID: 0004
Revises: 0003
"""
from yizhou.migration_ops import create_outbox_notify, drop_outbox_notify

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    create_outbox_notify()


def downgrade() -> None:
    drop_outbox_notify()
