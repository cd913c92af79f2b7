"""hub organizations (trade union, youth league, women's federation, other) and their joint actions

Revision ID: 0006
Revises: 0005
"""
from org_registry.store.tables import hubs, joint_actions
from yizhou.migration_ops import create_tables, drop_tables

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    create_tables(hubs, joint_actions)


def downgrade() -> None:
    drop_tables(hubs, joint_actions)
