"""Party-building instructors (党建工作指导员): who they are, the units each guides, their visits.

Revision ID: 0013
Revises: 0012
"""

from org_registry.store.tables import instructor_units, instructor_visits, instructors
from yizhou.migration_ops import create_tables, drop_tables

revision = "0013"
down_revision = "0012"
branch_labels = None
depends_on = None


def upgrade() -> None:
    create_tables(instructors, instructor_units, instructor_visits)


def downgrade() -> None:
    drop_tables(instructor_visits, instructor_units, instructors)
