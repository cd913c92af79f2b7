from org_registry.store.tables import Base
import org_registry.store.tables  # noqa: F401  (registers the registry tables on the metadata)
from yizhou.idempotency import idempotency_metadata
from yizhou.messaging_tables import messaging_metadata
from yizhou.migrations import run_env
from yizhou.revocations import revocations_metadata
from yizhou.webhooks.tables import webhooks_metadata

run_env([Base.metadata, messaging_metadata, webhooks_metadata, idempotency_metadata, revocations_metadata])
