from demand_intake.store.tables import Base
from yizhou.axis_copy import axis_copy_metadata
from yizhou.idempotency import idempotency_metadata
from yizhou.messaging_tables import messaging_metadata
from yizhou.migrations import run_env
from yizhou.revocations import revocations_metadata

run_env([axis_copy_metadata, messaging_metadata, Base.metadata, idempotency_metadata, revocations_metadata])
