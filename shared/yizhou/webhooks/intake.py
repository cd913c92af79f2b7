"""Partner events from the broker become one delivery row per matching endpoint (in the same
transaction as the consumer's inbox row, so a redelivered event makes no second delivery).

An endpoint's queue is capped (`WebhookConfig.max_pending_per_endpoint`): when it already holds that
many pending deliveries, the NEW event is not queued; its delivery is logged as `dropped`. New ones are
refused rather than old ones dropped so that what a partner got is every event up to a point, in order,
and one replay from the first dropped delivery's time fills the gap; and an endpoint that never answers
costs one insert per event, not an update of old rows too."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from functools import partial

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from yizhou.consumer import Subscription
from yizhou.envelope import ReceivedEvent
from yizhou.partner import partner_events
from yizhou.webhooks.config import WebhookConfig
from yizhou.webhooks.tables import partner_endpoints, webhook_deliveries

QUEUE_FULL = "queue-full"  # last_error of a delivery dropped because its endpoint's queue was full


def structured_body(event: ReceivedEvent) -> str:
    """The CloudEvent in structured JSON mode: what a webhook receiver gets."""
    return json.dumps({
        "specversion": "1.0", "id": event.id, "source": event.source, "type": event.type,
        "subject": event.subject, "time": event.time.isoformat() if event.time else None,
        "datacontenttype": "application/json", "data": event.data,
    }, ensure_ascii=False, sort_keys=True)


def area_path_of(data: dict) -> str:
    """Where a partner event belongs on the axis (areas, demands, projects: area_path; registrations: community_path)."""
    return data.get("area_path") or data.get("community_path") or ""


async def pending_counts(session: AsyncSession, endpoint_ids: list[str]) -> dict[str, int]:
    if not endpoint_ids:
        return {}
    rows = await session.execute(
        select(webhook_deliveries.c.endpoint_id, func.count())
        .where(webhook_deliveries.c.endpoint_id.in_(endpoint_ids), webhook_deliveries.c.status == "pending")
        .group_by(webhook_deliveries.c.endpoint_id))
    return {endpoint_id: count for endpoint_id, count in rows.all()}


async def enqueue_deliveries(session: AsyncSession, event: ReceivedEvent, *, config: WebhookConfig | None = None) -> None:
    config = config or WebhookConfig()
    endpoints = (await session.execute(select(partner_endpoints).where(partner_endpoints.c.active.is_(True)))).all()
    path = area_path_of(event.data)
    matching = [e for e in endpoints if event.type in e.event_types and path.startswith(e.area_path)]
    if not matching:
        return
    queued = await pending_counts(session, [e.id for e in matching])
    now = datetime.now(UTC)
    body = structured_body(event)
    for endpoint in matching:
        full = queued.get(endpoint.id, 0) >= config.max_pending_per_endpoint
        await session.execute(webhook_deliveries.insert().values(
            endpoint_id=endpoint.id, event_id=event.id, event_type=event.type, ordering_key=event.key or event.id,
            body=body, occurred_at=event.time or now, status="dropped" if full else "pending", attempts=0,
            next_attempt_at=now, last_error=QUEUE_FULL if full else None))


def webhook_subscriptions(config: WebhookConfig | None = None) -> list[Subscription]:
    """The bridge's consumers; `config` (WebhookConfig.from_settings) sets the queue cap."""
    handler = partial(enqueue_deliveries, config=config or WebhookConfig())
    return [Subscription(e.topic, e.event_type, handler) for e in partner_events()]
