"""Callbacks (回访) and resident-judged rates: the callbacks table; on the facts, the resident's own
latest answers (`said_resolved`, `said_satisfaction`, `said_by`); on the cells, the answers to
"resolved?" (`with_resident_answer`, `resolved_by_resident`). Feedback a resident gave through their own
account before is their word too: copied into `said_satisfaction`, so the existing cells (whose
`with_resident_feedback` counted exactly that) stay right. No callback existed, so the new counters are 0.

Revision ID: 0010
Revises: 0009
"""
import sqlalchemy as sa
from alembic import op

from yizhou.columns import UtcDateTime

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None

NEW_COUNTERS = ("with_resident_answer", "resolved_by_resident")
NEW_FACT_COLUMNS = ("said_resolved", "said_satisfaction", "said_by")


def upgrade() -> None:
    op.create_table(
        "demand_callbacks",
        sa.Column("id", sa.String(36), primary_key=True),
        sa.Column("demand_id", sa.String(36), sa.ForeignKey("demands.id"), nullable=False),
        sa.Column("resolved", sa.Boolean(), nullable=False),
        sa.Column("satisfaction", sa.String(24), nullable=False),
        sa.Column("source", sa.String(24), nullable=False),
        sa.Column("called_at", UtcDateTime(), nullable=False),
        sa.Column("recorded_by", sa.String(200), nullable=False),
        sa.Column("recorded_by_role", sa.String(32), nullable=False),
        sa.Column("recorded_at", UtcDateTime(), nullable=False),
    )
    op.create_index("ix_demand_callbacks_demand_id", "demand_callbacks", ["demand_id"])
    op.add_column("demand_facts", sa.Column("said_resolved", sa.Boolean(), nullable=True))
    op.add_column("demand_facts", sa.Column("said_satisfaction", sa.String(24), nullable=True))
    op.add_column("demand_facts", sa.Column("said_by", sa.String(24), nullable=True))
    op.execute("UPDATE demand_facts SET said_satisfaction = feedback, said_by = 'resident' "
               "WHERE feedback_by = 'resident' AND feedback IS NOT NULL")
    for name in NEW_COUNTERS:
        op.add_column("demand_rate_cells", sa.Column(name, sa.Integer(), nullable=False, server_default="0"))


def downgrade() -> None:
    with op.batch_alter_table("demand_rate_cells") as batch:   # SQLite drops a column by copying the table
        for name in NEW_COUNTERS:
            batch.drop_column(name)
    with op.batch_alter_table("demand_facts") as batch:
        for name in NEW_FACT_COLUMNS:
            batch.drop_column(name)
    op.drop_index("ix_demand_callbacks_demand_id", "demand_callbacks")
    op.drop_table("demand_callbacks")
