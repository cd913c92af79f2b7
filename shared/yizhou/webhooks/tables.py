from __future__ import annotations

from sqlalchemy import JSON, Boolean, Column, ForeignKey, Index, Integer, MetaData, String, Table, Text, UniqueConstraint

from yizhou.columns import UtcDateTime
from yizhou.messaging_tables import BigId

webhooks_metadata = MetaData()

partner_endpoints = Table(
    "partner_endpoints",
    webhooks_metadata,
    Column("id", String(36), primary_key=True),
    Column("partner", String(200), nullable=False),
    Column("url", String(2000), nullable=False),
    Column("secret", String(200), nullable=False),
    Column("event_types", JSON, nullable=False),
    Column("area_path", String(400), nullable=False),  # deliveries only for events inside this subtree
    Column("owner_subject", String(200), nullable=False),
    Column("active", Boolean, nullable=False, default=True),
    Column("created_at", UtcDateTime, nullable=False),
)

webhook_deliveries = Table(
    "webhook_deliveries",
    webhooks_metadata,
    Column("id", BigId, primary_key=True, autoincrement=True),
    Column("endpoint_id", String(36), ForeignKey("partner_endpoints.id"), nullable=False),
    Column("event_id", String(200), nullable=False),
    Column("event_type", String(200), nullable=False),
    Column("ordering_key", String(200), nullable=False),
    Column("body", Text, nullable=False),  # the structured CloudEvent exactly as signed and sent
    Column("occurred_at", UtcDateTime, nullable=False),
    # pending | delivered | dead | cancelled (its endpoint was deactivated) | dropped (the endpoint's queue was full)
    Column("status", String(16), nullable=False),
    Column("attempts", Integer, nullable=False, default=0),
    Column("next_attempt_at", UtcDateTime, nullable=False),
    Column("last_status_code", Integer, nullable=True),
    Column("last_error", String(500), nullable=True),  # a class (egress.FAILURE_CLASSES), never a socket error
    Column("delivered_at", UtcDateTime, nullable=True),
    UniqueConstraint("endpoint_id", "event_id", name="uq_webhook_delivery_event"),
    Index("ix_webhook_deliveries_due", "status", "next_attempt_at"),
    Index("ix_webhook_deliveries_order", "endpoint_id", "ordering_key", "id"),
    Index("ix_webhook_deliveries_endpoint_status", "endpoint_id", "status", "id"),  # an endpoint's queue (caps, cancel)
)

# The last replay of each endpoint: one at a time, and not more often than the configured interval.
webhook_replays = Table(
    "webhook_replays",
    webhooks_metadata,
    Column("endpoint_id", String(36), ForeignKey("partner_endpoints.id"), primary_key=True),
    Column("started_at", UtcDateTime, nullable=False),
    Column("finished_at", UtcDateTime, nullable=True),  # null while it runs
    Column("requested_by", String(200), nullable=False),
)
