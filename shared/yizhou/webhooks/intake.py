"""Partner events from the broker become one delivery row per matching endpoint (in the same
transaction as the consumer's inbox row, so a redelivered event makes no second delivery)."""

from __future__ import annotations

import json
from datetime import UTC, datetime

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from yizhou.consumer import Subscription
from yizhou.envelope import ReceivedEvent
from yizhou.partner import partner_events
from yizhou.webhooks.tables import partner_endpoints, webhook_deliveries


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


async def enqueue_deliveries(session: AsyncSession, event: ReceivedEvent) -> None:
    endpoints = (await session.execute(select(partner_endpoints).where(partner_endpoints.c.active.is_(True)))).all()
    path = area_path_of(event.data)
    now = datetime.now(UTC)
    body = structured_body(event)
    for endpoint in endpoints:
        if event.type not in endpoint.event_types or not path.startswith(endpoint.area_path):
            continue
        await session.execute(webhook_deliveries.insert().values(
            endpoint_id=endpoint.id, event_id=event.id, event_type=event.type, ordering_key=event.key or event.id,
            body=body, occurred_at=event.time or now, status="pending", attempts=0, next_attempt_at=now))


def webhook_subscriptions() -> list[Subscription]:
    return [Subscription(e.topic, e.event_type, enqueue_deliveries) for e in partner_events()]
