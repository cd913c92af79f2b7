"""The leading core of the axis: area kinds (subdistrict or area, community or village).

Revision ID: 0011
Revises: 0010
"""

import sqlalchemy as sa
from alembic import op

revision = "0011"
down_revision = "0010"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("areas") as batch:
        batch.add_column(sa.Column("kind", sa.String(16), nullable=True))
    # Areas from before kinds are their level's first kind (a district, subdistrict, community or grid).
    op.execute("UPDATE areas SET kind = level WHERE kind IS NULL")


def downgrade() -> None:
    with op.batch_alter_table("areas") as batch:
        batch.drop_column("kind")
