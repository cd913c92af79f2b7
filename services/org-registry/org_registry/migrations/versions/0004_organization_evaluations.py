"""evaluations received from dual-registration, shown under the subject's own organization

Revision ID: 0004
Revises: 0003
"""
from org_registry.store.tables import organization_evaluations
from yizhou.migration_ops import create_tables, drop_tables

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    create_tables(organization_evaluations)


def downgrade() -> None:
    drop_tables(organization_evaluations)
