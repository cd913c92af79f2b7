"""The copy of org-registry's party organizations (names, for the card exports); unit registrations
left without an organization take the one their unit has now (they used to keep `null` for ever when
the organization was set up after the unit registered).

Revision ID: 0006
Revises: 0005
"""
import sqlalchemy as sa
from alembic import op

from yizhou.columns import UtcDateTime

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "organization_copy",
        sa.Column("organization_id", sa.String(64), primary_key=True),
        sa.Column("name", sa.String(200), nullable=False),
        sa.Column("area_code", sa.String(32), nullable=False),
        sa.Column("dissolved", sa.Boolean(), nullable=False),
        sa.Column("updated_at", UtcDateTime(), nullable=False),
    )
    op.execute(sa.text(
        "UPDATE registrations SET organization_id = (SELECT u.organization_id FROM unit_copy u"
        " WHERE u.unit_id = registrations.registrant_id)"
        " WHERE kind = 'unit' AND organization_id IS NULL AND state IN ('pending', 'approved')"
        " AND EXISTS (SELECT 1 FROM unit_copy u WHERE u.unit_id = registrations.registrant_id"
        " AND u.organization_id IS NOT NULL)"))


def downgrade() -> None:
    op.drop_table("organization_copy")  # the organizations filled in stay: they are right
