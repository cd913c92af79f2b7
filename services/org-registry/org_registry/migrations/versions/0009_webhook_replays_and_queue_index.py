"""webhook bridge hardening: each endpoint's last replay (one at a time, a minimum interval) and an index
on an endpoint's queue (the pending cap and the cancel on deactivation count and update by it)

The table is written out here (not rendered from yizhou.webhooks.tables) so a later change there needs
a revision of its own. Revision 0002 renders `webhook_deliveries` from the shared table, so a fresh
database already has the new index by the time it gets here: the index is created only if missing.

Revision ID: 0009
Revises: 0008
"""

import sqlalchemy as sa
from alembic import op
from yizhou.columns import UtcDateTime

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "webhook_replays",
        sa.Column("endpoint_id", sa.String(length=36), nullable=False),
        sa.Column("started_at", UtcDateTime(), nullable=False),
        sa.Column("finished_at", UtcDateTime(), nullable=True),
        sa.Column("requested_by", sa.String(length=200), nullable=False),
        sa.ForeignKeyConstraint(["endpoint_id"], ["partner_endpoints.id"]),
        sa.PrimaryKeyConstraint("endpoint_id"),
    )
    op.create_index("ix_webhook_deliveries_endpoint_status", "webhook_deliveries", ["endpoint_id", "status", "id"],
                    if_not_exists=True)


def downgrade() -> None:
    op.drop_index("ix_webhook_deliveries_endpoint_status", table_name="webhook_deliveries", if_exists=True)
    op.drop_table("webhook_replays")
