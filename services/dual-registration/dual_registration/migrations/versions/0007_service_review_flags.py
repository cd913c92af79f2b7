"""Review flags on service sessions: the outliers of a resident's confirmation, for the community to review.

Revision ID: 0007
Revises: 0006
"""
import sqlalchemy as sa
from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # 0002 creates the tables from the live models, so a database created from scratch has the column
    # already; one created before it gets it here.
    columns = {c["name"] for c in sa.inspect(op.get_bind()).get_columns("service_sessions")}
    if "review_flags" not in columns:
        with op.batch_alter_table("service_sessions") as batch:
            batch.add_column(sa.Column("review_flags", sa.JSON(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("service_sessions") as batch:
        batch.drop_column("review_flags")
