"""0008 on a database made before it: claims.registration_id becomes nullable (members without office
claim with no registration) and the one-holding-claim rule, a partial unique index, survives the
SQLite table copy."""

from pathlib import Path

from alembic import command
from alembic.config import Config
from sqlalchemy import text

import dual_registration
from yizhou.database import Database
from yizhou.migrations import upgrade_to_head


async def test_0008_makes_claims_registration_id_nullable_and_keeps_the_partial_index(tmp_path):
    script_location = str(Path(dual_registration.__file__).parent / "migrations")
    database = Database(f"sqlite+aiosqlite:///{tmp_path / 'dual_registration.db'}")

    def upgrade_to_0007_as_before(connection) -> None:
        config = Config()
        config.set_main_option("script_location", script_location)
        config.attributes["connection"] = connection
        command.upgrade(config, "0007")
        # 0002 renders the live models, which now allow null: put the column back as it was before 0008.
        sql = connection.execute(text("SELECT sql FROM sqlite_master WHERE name = 'claims'")).scalar()
        connection.execute(text("PRAGMA writable_schema = ON"))
        connection.execute(text("UPDATE sqlite_master SET sql = :sql WHERE name = 'claims'"), {
            "sql": sql.replace("registration_id VARCHAR(64),", "registration_id VARCHAR(64) NOT NULL,")})
        connection.execute(text("PRAGMA writable_schema = OFF"))

    try:
        async with database.engine.begin() as conn:
            await conn.run_sync(upgrade_to_0007_as_before)
        await database.engine.dispose()  # new connections read the schema as rewritten
        async with database.engine.connect() as conn:
            assert "registration_id VARCHAR(64) NOT NULL" in (await conn.execute(text(
                "SELECT sql FROM sqlite_master WHERE name = 'claims'"))).scalar()
        await upgrade_to_head(database.engine, Path(script_location))
        async with database.engine.connect() as conn:
            table_sql = (await conn.execute(text("SELECT sql FROM sqlite_master WHERE name = 'claims'"))).scalar()
            index_sql = (await conn.execute(text(
                "SELECT sql FROM sqlite_master WHERE name = 'uq_claims_one_holding'"))).scalar()
            pledges = (await conn.execute(text("SELECT name FROM sqlite_master WHERE name = 'pledges'"))).scalar()
        assert "registration_id VARCHAR(64) NOT NULL" not in table_sql
        assert "WHERE state IN ('requested', 'approved')" in index_sql
        assert pledges == "pledges"
    finally:
        await database.dispose()
