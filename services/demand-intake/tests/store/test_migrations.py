"""The frozen migrations build exactly the tables the models describe (no drift either way)."""

import demand_intake
from demand_intake.store.tables import Base
from yizhou.axis_copy import axis_copy_metadata
from yizhou.idempotency import idempotency_metadata
from yizhou.messaging_tables import messaging_metadata
from yizhou.revocations import revocations_metadata
from yizhou_platform.testing import schema_drift


async def test_migrated_schema_matches_the_models(tmp_path):
    metadatas = [Base.metadata, axis_copy_metadata, idempotency_metadata, messaging_metadata, revocations_metadata]
    assert await schema_drift(demand_intake, metadatas, tmp_path) == []
