"""read copies of units, members, projects and demands; registrations, posts, claims, service log,
check-in codes, the hours ledger and evaluations

Revision ID: 0002
Revises: 0001
"""
from dual_registration.store.tables import OWN_TABLES, READ_COPIES
from yizhou.migration_ops import create_tables, drop_tables

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    create_tables(*READ_COPIES, *OWN_TABLES)


def downgrade() -> None:
    drop_tables(*READ_COPIES, *OWN_TABLES)
