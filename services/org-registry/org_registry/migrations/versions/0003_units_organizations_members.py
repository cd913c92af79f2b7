"""units, party organizations (and the units they cover), members

Revision ID: 0003
Revises: 0002
"""
from org_registry.store.tables import members, organization_units, organizations, units
from yizhou.migration_ops import create_tables, drop_tables

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    create_tables(units, organizations, organization_units, members)


def downgrade() -> None:
    drop_tables(units, organizations, organization_units, members)
