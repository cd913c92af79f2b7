"""Pairings (结对): organization with organization, branch with household in hardship, and their years.

Revision ID: 0015
Revises: 0014
"""

from org_registry.store.tables import pairing_years, pairings
from yizhou.migration_ops import create_tables, drop_tables

revision = "0015"
down_revision = "0014"
branch_labels = None
depends_on = None


def upgrade() -> None:
    create_tables(pairings, pairing_years)


def downgrade() -> None:
    drop_tables(pairing_years, pairings)
