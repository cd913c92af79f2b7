"""Operations services' Alembic migrations use to create the tables defined once in shared."""

from __future__ import annotations

from alembic import op
from sqlalchemy import Table


def create_tables(*tables: Table) -> None:
    bind = op.get_bind()
    for table in tables:
        table.create(bind)


def drop_tables(*tables: Table) -> None:
    bind = op.get_bind()
    for table in reversed(tables):
        table.drop(bind)
