"""Figures that count what residents said: a fact keeps who recorded its feedback (`feedback_by`: the
resident's own account or staff) and whether the demand was imported; the roll-up counts feedback given
by residents apart, and imported demands only as imported (in no rate). Facts from before say nothing
(feedback by staff, not imported), so existing cells stay as they are.

Revision ID: 0008
Revises: 0007
"""
import sqlalchemy as sa
from alembic import op

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None

NEW_COUNTERS = ("with_resident_feedback", "satisfied_by_resident", "imported")


def upgrade() -> None:
    op.add_column("demand_facts", sa.Column("feedback_by", sa.String(16), nullable=True))
    op.add_column("demand_facts", sa.Column("imported", sa.Boolean(), nullable=False, server_default=sa.false()))
    for name in NEW_COUNTERS:
        op.add_column("demand_rate_cells", sa.Column(name, sa.Integer(), nullable=False, server_default="0"))


def downgrade() -> None:
    for name in NEW_COUNTERS:
        op.drop_column("demand_rate_cells", name)
    op.drop_column("demand_facts", "imported")
    op.drop_column("demand_facts", "feedback_by")
