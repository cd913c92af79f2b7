"""The rates roll-up (`demand_rate_cells`), filled from the existing facts; area paths of the facts
compared byte by byte on PostgreSQL ("C" collation) so a subtree is one range of their index.

Revision ID: 0003
Revises: 0002
"""
from collections import defaultdict

import sqlalchemy as sa
from alembic import op

from demand_intake.domain.rates import Counts, contribution, month_of, rollup_path
from yizhou.columns import UtcDateTime, area_path_type

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None
# The counters as this revision made them (frozen: later ones are added by their own revisions, 0008).
COUNTERS = ("submitted", "response_settled", "responded_on_time", "handled", "resolved", "with_feedback", "satisfied",
            "backlog", "overdue_open")

_facts = sa.table("demand_facts", sa.column("area_path", sa.String), sa.column("submitted_at", UtcDateTime()),
                  sa.column("category", sa.String), sa.column("state", sa.String),
                  sa.column("responded_at", UtcDateTime()), sa.column("respond_overdue", sa.Boolean),
                  sa.column("feedback", sa.String), sa.column("overdue", sa.Boolean))


def upgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.alter_column("demand_facts", "area_path", type_=area_path_type(), existing_nullable=False)
    cells = op.create_table(
        "demand_rate_cells",
        sa.Column("area_path", area_path_type(), nullable=False),
        sa.Column("month", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("category", sa.String(length=64), nullable=False),
        *(sa.Column(name, sa.Integer(), nullable=False) for name in COUNTERS),
        sa.PrimaryKeyConstraint("area_path", "month", "category"),
    )
    totals: dict = defaultdict(Counts)
    for f in op.get_bind().execute(sa.select(_facts)):
        totals[(rollup_path(f.area_path), month_of(f.submitted_at), f.category)] += contribution(
            f.state, f.responded_at is not None, f.respond_overdue, f.feedback, f.overdue)
    rows = [{"area_path": p, "month": m, "category": c, **dict(zip(COUNTERS, v.values()))} for (p, m, c), v in totals.items()]
    for start in range(0, len(rows), 1000):
        op.bulk_insert(cells, rows[start:start + 1000])


def downgrade() -> None:
    op.drop_table("demand_rate_cells")
    if op.get_bind().dialect.name == "postgresql":
        op.alter_column("demand_facts", "area_path", type_=sa.String(400), existing_nullable=False)
