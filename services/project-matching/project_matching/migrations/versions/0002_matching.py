"""resources, area places, the demand list, projects, matching rounds and matches

Revision ID: 0002
Revises: 0001
"""
from project_matching.store.tables import area_places, demand_copy, matches, matching_rounds, projects, resources
from yizhou.migration_ops import create_tables, drop_tables

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None

TABLES = [resources, area_places, demand_copy, projects, matching_rounds, matches]


def upgrade() -> None:
    create_tables(*TABLES)


def downgrade() -> None:
    drop_tables(*TABLES)
