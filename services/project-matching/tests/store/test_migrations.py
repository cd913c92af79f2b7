"""The migrations build exactly the tables the models describe (no drift either way), the
Idempotency-Key table included."""

import project_matching
from project_matching.guarantee.store.tables import metadata as guarantee_metadata
from project_matching.store.tables import metadata
from yizhou.axis_copy import axis_copy_metadata
from yizhou.idempotency import idempotency_metadata
from yizhou.messaging_tables import messaging_metadata
from yizhou.revocations import revocations_metadata
from yizhou_platform.testing import schema_drift


async def test_migrated_schema_matches_the_models(tmp_path):
    metadatas = [metadata, guarantee_metadata, axis_copy_metadata, idempotency_metadata, messaging_metadata, revocations_metadata]
    assert await schema_drift(project_matching, metadatas, tmp_path) == []
