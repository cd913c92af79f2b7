"""Demands assigned to a unit registered in org-registry: the unit's id on the demand and on its facts
(a unit's rates count by id), and the copy of org-registry's units it is checked against.

Revision ID: 0006
Revises: 0005
"""
import sqlalchemy as sa
from alembic import op

from yizhou.columns import UtcDateTime

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    for table in ("demands", "demand_facts"):
        op.add_column(table, sa.Column("assignee_unit_id", sa.String(64), nullable=True))
    op.create_table(
        "unit_copy",
        sa.Column("unit_id", sa.String(64), primary_key=True),
        sa.Column("name", sa.String(200), nullable=False),
        sa.Column("kind", sa.String(32), nullable=False),
        sa.Column("area_code", sa.String(32), nullable=False),
        sa.Column("updated_at", UtcDateTime(), nullable=False),
    )


def downgrade() -> None:
    op.drop_table("unit_copy")
    for table in ("demands", "demand_facts"):
        with op.batch_alter_table(table) as batch:   # SQLite drops a column by copying the table
            batch.drop_column("assignee_unit_id")
