from project_matching.guarantee.store.tables import metadata as guarantee_metadata
from project_matching.store.tables import metadata
from yizhou.axis_copy import axis_copy_metadata
from yizhou.idempotency import idempotency_metadata
from yizhou.messaging_tables import messaging_metadata
from yizhou.migrations import run_env
from yizhou.revocations import revocations_metadata

run_env([axis_copy_metadata, messaging_metadata, metadata, guarantee_metadata, idempotency_metadata, revocations_metadata])
