"""Part-time members of the regional committees (兼职委员): person, home unit, seat, line of work, term.

Revision ID: 0014
Revises: 0013
"""

from org_registry.store.tables import part_time_members
from yizhou.migration_ops import create_tables, drop_tables

revision = "0014"
down_revision = "0013"
branch_labels = None
depends_on = None


def upgrade() -> None:
    create_tables(part_time_members)


def downgrade() -> None:
    drop_tables(part_time_members)
