"""partner webhook endpoints and deliveries (the webhook bridge lives in org-registry)

Revision ID: 0002
Revises: 0001
"""
from yizhou.migration_ops import create_tables, drop_tables
from yizhou.webhooks.tables import partner_endpoints, webhook_deliveries

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    create_tables(partner_endpoints, webhook_deliveries)


def downgrade() -> None:
    drop_tables(partner_endpoints, webhook_deliveries)
