"""Hotline work orders (12345 工单): the work_orders table (the hotline's number unique), and on the facts
`reduced` (a verified reduction, 核减: the demand in no count). No order existed, so every fact is not
reduced and the existing cells stay right.

Revision ID: 0011
Revises: 0010
"""
import sqlalchemy as sa
from alembic import op

from yizhou.columns import UtcDateTime

revision = "0011"
down_revision = "0010"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "work_orders",
        sa.Column("id", sa.String(36), primary_key=True),
        sa.Column("external_id", sa.String(64), nullable=False),
        sa.Column("demand_id", sa.String(36), sa.ForeignKey("demands.id"), nullable=False),
        sa.Column("state", sa.String(16), nullable=False),
        sa.Column("area_code", sa.String(32), nullable=False),
        sa.Column("category", sa.String(64), nullable=False),
        sa.Column("hotline_category", sa.String(200), nullable=True),
        sa.Column("received_at", UtcDateTime(), nullable=False),
        sa.Column("due_at", UtcDateTime(), nullable=False),
        sa.Column("created_at", UtcDateTime(), nullable=False),
        sa.Column("updated_at", UtcDateTime(), nullable=False),
        sa.Column("reason", sa.Text(), nullable=True),
        sa.Column("decision_note", sa.Text(), nullable=True),
        sa.UniqueConstraint("external_id", name="uq_work_orders_external_id"),
    )
    op.create_index("ix_work_orders_demand_id", "work_orders", ["demand_id"])
    op.add_column("demand_facts", sa.Column("reduced", sa.Boolean(), nullable=False, server_default=sa.false()))


def downgrade() -> None:
    with op.batch_alter_table("demand_facts") as batch:   # SQLite drops a column by copying the table
        batch.drop_column("reduced")
    op.drop_index("ix_work_orders_demand_id", "work_orders")
    op.drop_table("work_orders")
