"""Alembic, per service, applied on start on the service's own database."""

from __future__ import annotations

import zlib
from pathlib import Path

from alembic import command, context
from alembic.config import Config
from sqlalchemy import MetaData, text
from sqlalchemy.engine import Connection
from sqlalchemy.ext.asyncio import AsyncEngine


def _upgrade(connection: Connection, script_location: str) -> None:
    if connection.dialect.name == "postgresql":
        # Replicas starting together take turns; the lock ends with the transaction.
        connection.execute(text("SELECT pg_advisory_xact_lock(:k)"), {"k": zlib.crc32(script_location.encode())})
    cfg = Config()
    cfg.set_main_option("script_location", script_location)
    cfg.attributes["connection"] = connection
    command.upgrade(cfg, "head")


async def upgrade_to_head(engine: AsyncEngine, script_location: Path) -> None:
    async with engine.begin() as conn:
        await conn.run_sync(_upgrade, str(script_location))


def run_env(target_metadata: list[MetaData]) -> None:
    """The body of every service's `migrations/env.py`."""
    connection = context.config.attributes.get("connection")
    if connection is None:
        raise SystemExit("Run migrations through the service (they apply on start) or `yizhou migrate`.")
    context.configure(connection=connection, target_metadata=target_metadata, render_as_batch=True,
                      compare_type=True)
    with context.begin_transaction():
        context.run_migrations()
