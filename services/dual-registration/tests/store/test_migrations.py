"""The migrations build exactly the tables the models describe (no drift either way), the
Idempotency-Key table included."""

import dual_registration
from dual_registration.store.tables import metadata
from yizhou.axis_copy import axis_copy_metadata
from yizhou.idempotency import idempotency_metadata
from yizhou.messaging_tables import messaging_metadata
from yizhou.revocations import revocations_metadata
from yizhou_platform.testing import schema_drift


async def test_migrated_schema_matches_the_models(tmp_path):
    metadatas = [metadata, axis_copy_metadata, idempotency_metadata, messaging_metadata, revocations_metadata]
    assert await schema_drift(dual_registration, metadatas, tmp_path) == []
