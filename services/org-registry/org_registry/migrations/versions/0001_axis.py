"""the area axis, outbox and inbox

Revision ID: 0001
Revises:
"""
import sqlalchemy as sa
from alembic import op

from yizhou.columns import UtcDateTime
from yizhou.messaging_tables import inbox, outbox
from yizhou.migration_ops import create_tables, drop_tables

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "areas",
        sa.Column("code", sa.String(32), primary_key=True),
        sa.Column("name", sa.String(200), nullable=False),
        sa.Column("level", sa.String(16), nullable=False),
        sa.Column("parent_code", sa.String(32), sa.ForeignKey("areas.code"), nullable=True),
        sa.Column("path", sa.String(400), nullable=False, unique=True),
        sa.Column("created_at", UtcDateTime(), nullable=False),
        sa.Column("updated_at", UtcDateTime(), nullable=False),
        sa.Column("retired_at", UtcDateTime(), nullable=True),
    )
    op.create_index("ix_areas_level", "areas", ["level"])
    op.create_index("ix_areas_parent_code", "areas", ["parent_code"])
    create_tables(outbox, inbox)


def downgrade() -> None:
    drop_tables(outbox, inbox)
    op.drop_table("areas")
