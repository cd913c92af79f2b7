"""Area paths of demands and meetings compared byte by byte on PostgreSQL (the "C" collation), as
the facts' since 0003: a subtree is then one range of their indexes, and `LIKE 'prefix%'` can use them.
SQLite compares bytes already: nothing to do there.

Revision ID: 0004
Revises: 0003
"""
import sqlalchemy as sa
from alembic import op

from yizhou.columns import area_path_type

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None

TABLES = ("demands", "meetings")


def upgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        for table in TABLES:
            op.alter_column(table, "area_path", type_=area_path_type(), existing_nullable=False)


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        for table in TABLES:
            op.alter_column(table, "area_path", type_=sa.String(400), existing_nullable=False)
