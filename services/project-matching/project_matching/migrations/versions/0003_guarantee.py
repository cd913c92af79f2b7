"""guarantee network: fund accounts and entries, venues and bookings, assessment weights and
scorecards, and the read models the scorecards are computed from

Revision ID: 0003
Revises: 0002
"""
from project_matching.guarantee.store.tables import READ_MODELS, WRITTEN_BY_API
from yizhou.migration_ops import create_tables, drop_tables

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None

TABLES = [*WRITTEN_BY_API, *READ_MODELS]


def upgrade() -> None:
    create_tables(*TABLES)


def downgrade() -> None:
    drop_tables(*TABLES)
