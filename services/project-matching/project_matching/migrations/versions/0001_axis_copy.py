"""read copy of the area axis, outbox and inbox

Revision ID: 0001
Revises:
"""
from yizhou.axis_copy import area_copy
from yizhou.messaging_tables import inbox, outbox
from yizhou.migration_ops import create_tables, drop_tables

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    create_tables(area_copy, outbox, inbox)


def downgrade() -> None:
    drop_tables(area_copy, outbox, inbox)
