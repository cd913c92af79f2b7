"""A whistle dispatch names a unit registered in org-registry (`receiver_unit_id`): the receiver is
that unit, and only it (or staff of the handling area) reports in. Dispatches from before named a
receiver by text only; they keep no id, so only staff report in on them.

Revision ID: 0009
Revises: 0008
"""
import sqlalchemy as sa
from alembic import op

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("demand_dispatches", sa.Column("receiver_unit_id", sa.String(64), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("demand_dispatches") as batch:   # SQLite drops a column by copying the table
        batch.drop_column("receiver_unit_id")
