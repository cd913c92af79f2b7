"""The list of revoked token ids every service keeps (yizhou.revocations).
(The DDL, frozen, is in yizhou.migration_ops.)

Revision ID: 0007
Revises: 0006
"""

from yizhou.migration_ops import create_revoked_tokens, drop_revoked_tokens

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None


def upgrade() -> None:
    create_revoked_tokens()


def downgrade() -> None:
    drop_revoked_tokens()
