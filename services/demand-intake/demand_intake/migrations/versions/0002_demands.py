"""demands, their history, deadlines, whistle dispatches, me-too, meetings, the rates read model,
and Idempotency-Key storage

Revision ID: 0002
Revises: 0001
"""
from demand_intake.store.models import Base
from yizhou.idempotency import idempotency_keys
from yizhou.migration_ops import create_tables, drop_tables

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def _tables():
    return [*Base.metadata.sorted_tables, idempotency_keys]


def upgrade() -> None:
    create_tables(*_tables())


def downgrade() -> None:
    drop_tables(*_tables())
