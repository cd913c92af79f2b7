"""The migrations build exactly the tables the models describe (no drift either way), the
Idempotency-Key table included, and repair the data they are meant to repair."""

from datetime import UTC, datetime
from pathlib import Path

from alembic import command
from alembic.config import Config
from sqlalchemy import select

import dual_registration
from dual_registration.store.tables import metadata, registrations, unit_copy
from yizhou.axis_copy import axis_copy_metadata
from yizhou.database import Database
from yizhou.idempotency import idempotency_metadata
from yizhou.messaging_tables import messaging_metadata
from yizhou.migrations import upgrade_to_head
from yizhou.revocations import revocations_metadata
from yizhou_platform.testing import schema_drift


async def test_migrated_schema_matches_the_models(tmp_path):
    metadatas = [metadata, axis_copy_metadata, idempotency_metadata, messaging_metadata, revocations_metadata]
    assert await schema_drift(dual_registration, metadatas, tmp_path) == []


async def test_0006_gives_unit_registrations_the_organization_their_unit_has_now(tmp_path):
    """Registrations written before the fix kept `organization_id: null` although the unit's organization
    had arrived since; 0006 fills them in (active ones only)."""
    script_location = str(Path(dual_registration.__file__).parent / "migrations")
    database = Database(f"sqlite+aiosqlite:///{tmp_path / 'dual_registration.db'}")

    def upgrade_to_0005(connection) -> None:
        config = Config()
        config.set_main_option("script_location", script_location)
        config.attributes["connection"] = connection
        command.upgrade(config, "0005")

    try:
        async with database.engine.begin() as conn:
            await conn.run_sync(upgrade_to_0005)
            now = datetime.now(UTC)
            await conn.execute(unit_copy.insert(), [
                {"unit_id": unit, "name": unit, "kind": "agency", "area_code": "C1", "area_path": "/D/S/C1/",
                 "community_code": "C1", "community_path": "/D/S/C1/", "organization_id": org, "updated_at": now}
                for unit, org in (("u-late", "o-late"), ("u-none", None), ("u-ended", "o-ended"))])
            await conn.execute(registrations.insert(), [
                {"id": f"r-{unit}", "kind": "unit", "registrant_id": unit, "organization_id": None,
                 "community_code": "C1", "community_path": "/D/S/C1/", "state": state, "submitted_by": "w",
                 "submitted_at": now} for unit, state in (("u-late", "approved"), ("u-none", "approved"),
                                                         ("u-ended", "ended"))])
        await upgrade_to_head(database.engine, Path(script_location))
        async with database.engine.connect() as conn:
            found = dict((await conn.execute(select(registrations.c.registrant_id,
                                                    registrations.c.organization_id))).all())
        assert found == {"u-late": "o-late", "u-none": None, "u-ended": None}
    finally:
        await database.dispose()
