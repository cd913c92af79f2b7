"""The migrations build exactly the tables the models describe (no drift either way), the
Idempotency-Key table included."""

from pathlib import Path

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import MetaData, inspect
from sqlalchemy.ext.asyncio import create_async_engine

import project_matching
from project_matching.guarantee.store.tables import metadata as guarantee_metadata
from project_matching.store.tables import metadata
from yizhou.axis_copy import axis_copy_metadata
from yizhou.idempotency import idempotency_metadata
from yizhou.messaging_tables import messaging_metadata
from yizhou.migrations import upgrade_to_head


async def test_migrated_schema_matches_the_models(tmp_path):
    engine = create_async_engine(f"sqlite+aiosqlite:///{tmp_path / 'm.db'}")
    await upgrade_to_head(engine, Path(project_matching.__file__).parent / "migrations")
    target = MetaData()
    for source in (metadata, guarantee_metadata, axis_copy_metadata, idempotency_metadata, messaging_metadata):
        for table in source.sorted_tables:
            table.to_metadata(target)

    def diff(conn):
        ctx = MigrationContext.configure(conn, opts={"compare_type": False})
        return [d for d in compare_metadata(ctx, target) if not (isinstance(d, tuple) and d[0] == "remove_table"
                                                                  and d[1].name == "alembic_version")]

    def key_columns(conn):
        return [c["name"] for c in inspect(conn).get_columns("idempotency_keys")]

    async with engine.connect() as conn:
        differences = await conn.run_sync(diff)
        columns = await conn.run_sync(key_columns)
    await engine.dispose()
    assert differences == []
    assert columns == ["caller", "key", "request_hash", "status_code", "response", "created_at"]
