"""The pledge cycle (承诺—践诺—评诺): the pledges table; claims without a registration (members
without office claim no-office posts by their residence), so claims.registration_id may be null.

Revision ID: 0008
Revises: 0007
"""
import sqlalchemy as sa
from alembic import op

from yizhou.columns import UtcDateTime

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None


def _registration_id_nullable() -> bool:
    columns = sa.inspect(op.get_bind()).get_columns("claims")
    return next(c for c in columns if c["name"] == "registration_id")["nullable"]


def upgrade() -> None:
    # 0002 builds claims from the live model, so a database created from scratch has it nullable
    # already; an older one gets it here (on SQLite by copying the table, its partial index included).
    if not _registration_id_nullable():
        with op.batch_alter_table("claims") as batch:
            batch.alter_column("registration_id", existing_type=sa.String(64), nullable=True)
    op.create_table(
        "pledges",
        sa.Column("id", sa.String(64), primary_key=True),
        sa.Column("pledger_kind", sa.String(16), nullable=False),
        sa.Column("pledger_id", sa.String(64), nullable=False),
        sa.Column("organization_id", sa.String(64), nullable=True),
        sa.Column("community_code", sa.String(32), nullable=False),
        sa.Column("community_path", sa.String(400), nullable=False),
        sa.Column("year", sa.Integer(), nullable=False),
        sa.Column("items", sa.JSON(), nullable=False),
        sa.Column("progress", sa.JSON(), nullable=False),
        sa.Column("state", sa.String(16), nullable=False),
        sa.Column("rating", sa.String(16), nullable=True),
        sa.Column("assessment_comment", sa.String(1000), nullable=True),
        sa.Column("pledged_by", sa.String(200), nullable=False),
        sa.Column("pledged_at", UtcDateTime(), nullable=False),
        sa.Column("fulfilled_at", UtcDateTime(), nullable=True),
        sa.Column("assessed_by", sa.String(200), nullable=True),
        sa.Column("assessed_at", UtcDateTime(), nullable=True),
        sa.Column("updated_at", UtcDateTime(), nullable=False),
    )
    op.create_index("ix_pledges_community", "pledges", ["community_path", "year"])
    op.create_index("uq_pledges_one_per_year", "pledges", ["pledger_kind", "pledger_id", "year", "community_code"],
                    unique=True)


def downgrade() -> None:
    op.drop_index("uq_pledges_one_per_year", table_name="pledges")
    op.drop_index("ix_pledges_community", table_name="pledges")
    op.drop_table("pledges")
    # claims without a registration stay possible: making the column NOT NULL again would need them deleted.
