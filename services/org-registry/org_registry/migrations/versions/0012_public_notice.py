"""The public notice's read model (公示), built only from the partner topics.

Revision ID: 0012
Revises: 0011
"""

import sqlalchemy as sa
from alembic import op

from yizhou.columns import UtcDateTime

revision = "0012"
down_revision = "0011"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "public_notice_areas",
        sa.Column("code", sa.String(32), primary_key=True),
        sa.Column("area_name", sa.String(200)),
        sa.Column("level", sa.String(16)),
        sa.Column("path", sa.String(400), nullable=False),
        sa.Column("retired", sa.Boolean, nullable=False),
    )
    op.create_index("ix_public_notice_areas_path", "public_notice_areas", ["path"])
    op.create_table(
        "public_notice_demands",
        sa.Column("demand_id", sa.String(64), primary_key=True),
        sa.Column("area_path", sa.String(400), nullable=False),
        sa.Column("category", sa.String(64), nullable=False),
        sa.Column("state", sa.String(16), nullable=False),
        sa.Column("submitted_at", UtcDateTime),
        sa.Column("responded", sa.Boolean, nullable=False),
        sa.Column("respond_overdue", sa.Boolean, nullable=False),
        sa.Column("overdue", sa.Boolean, nullable=False),
        sa.Column("feedback", sa.String(32)),
        sa.Column("feedback_by", sa.String(16)),
        sa.Column("imported", sa.Boolean, nullable=False),
        sa.Column("said_resolved", sa.Boolean),
        sa.Column("said_satisfaction", sa.String(32)),
        sa.Column("updated_at", UtcDateTime, nullable=False),
    )
    op.create_index("ix_public_notice_demands_path_submitted", "public_notice_demands", ["area_path", "submitted_at"])
    op.create_table(
        "public_notice_projects",
        sa.Column("project_id", sa.String(64), primary_key=True),
        sa.Column("area_code", sa.String(32), nullable=False),
        sa.Column("area_path", sa.String(400), nullable=False),
        sa.Column("category", sa.String(64), nullable=False),
        sa.Column("step", sa.String(16), nullable=False),
        sa.Column("state", sa.String(16)),
        sa.Column("budget_yuan", sa.Float),
        sa.Column("spent_yuan", sa.Float),
        sa.Column("progress_percent", sa.Float),
        sa.Column("average_score", sa.Float),
        sa.Column("linked_demands", sa.Integer, nullable=False),
        sa.Column("approved_at", UtcDateTime),
        sa.Column("rejected", sa.Boolean, nullable=False),
        sa.Column("updated_at", UtcDateTime, nullable=False),
    )
    op.create_index("ix_public_notice_projects_area_path", "public_notice_projects", ["area_path"])
    op.create_table(
        "public_notice_evaluations",
        sa.Column("evaluation_id", sa.String(64), primary_key=True),
        sa.Column("subject_kind", sa.String(16), nullable=False),
        sa.Column("community_code", sa.String(32), nullable=False),
        sa.Column("community_path", sa.String(400)),
        sa.Column("period", sa.String(8), nullable=False),
        sa.Column("score", sa.Float, nullable=False),
        sa.Column("rating", sa.String(16), nullable=False),
    )
    op.create_index("ix_public_notice_evaluations_community_path", "public_notice_evaluations", ["community_path"])


def downgrade() -> None:
    for table in ("public_notice_evaluations", "public_notice_projects", "public_notice_demands", "public_notice_areas"):
        op.drop_table(table)
