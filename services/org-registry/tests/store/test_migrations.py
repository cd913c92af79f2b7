"""The migrations build exactly the tables the models describe (no drift either way)."""

import org_registry
import org_registry.store.tables  # noqa: F401  (registers the registry tables on the metadata)
from org_registry.store.tables import Base
from yizhou.idempotency import idempotency_metadata
from yizhou.messaging_tables import messaging_metadata
from yizhou.revocations import revocations_metadata
from yizhou_platform.testing import schema_drift
from yizhou.webhooks.tables import webhooks_metadata


async def test_migrated_schema_matches_the_models(tmp_path):
    assert await schema_drift(org_registry, [Base.metadata, messaging_metadata, webhooks_metadata, idempotency_metadata,
                                                revocations_metadata], tmp_path) == []
