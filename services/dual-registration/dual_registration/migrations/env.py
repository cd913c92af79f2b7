from dual_registration.store.tables import metadata
from yizhou.axis_copy import axis_copy_metadata
from yizhou.idempotency import idempotency_metadata
from yizhou.messaging_tables import messaging_metadata
from yizhou.migrations import run_env
from yizhou.revocations import revocations_metadata

run_env([axis_copy_metadata, messaging_metadata, metadata, idempotency_metadata, revocations_metadata])
