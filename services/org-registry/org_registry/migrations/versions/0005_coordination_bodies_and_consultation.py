"""coordination bodies with member units and a rotating chair; consultation platforms and representatives

Revision ID: 0005
Revises: 0004
"""
from org_registry.store.tables import (
    body_member_units,
    consultation_platforms,
    coordination_bodies,
    platform_representatives,
)
from yizhou.migration_ops import create_tables, drop_tables

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    create_tables(coordination_bodies, body_member_units, consultation_platforms, platform_representatives)


def downgrade() -> None:
    drop_tables(coordination_bodies, body_member_units, consultation_platforms, platform_representatives)
