"""Delivering webhooks: signed (Standard Webhooks: HMAC-SHA256 over id.timestamp.body), retried with
exponential backoff, dead after `max_attempts`; one record's events (same ordering key) are
delivered in order: a delivery waits while an earlier one for the same endpoint and key is pending."""

from __future__ import annotations

import asyncio
import logging
from datetime import UTC, datetime, timedelta

import httpx
from prometheus_client import Counter
from sqlalchemy import and_, exists, select, update
from sqlalchemy.orm import aliased
from standardwebhooks import Webhook

from yizhou.database import Database
from yizhou.webhooks.tables import partner_endpoints, webhook_deliveries

log = logging.getLogger(__name__)
WEBHOOK_RESULTS = Counter("webhook_deliveries_total", "Webhook delivery attempts", ["result"])


def backoff(attempts: int, base_s: float) -> timedelta:
    return timedelta(seconds=min(base_s * 2 ** (attempts - 1), 3600))


class WebhookDispatcher:
    def __init__(self, db: Database, *, max_attempts: int = 8, base_backoff_s: float = 5.0, batch: int = 50,
                 idle_poll_s: float = 1.0, timeout_s: float = 10.0) -> None:
        self.db = db
        self.max_attempts = max_attempts
        self.base_backoff_s = base_backoff_s
        self.batch = batch
        self.idle_poll_s = idle_poll_s
        self.client = httpx.AsyncClient(timeout=timeout_s, follow_redirects=False)

    async def due(self) -> list:
        earlier = aliased(webhook_deliveries)
        blocked = exists().where(and_(
            earlier.c.endpoint_id == webhook_deliveries.c.endpoint_id,
            earlier.c.ordering_key == webhook_deliveries.c.ordering_key,
            earlier.c.id < webhook_deliveries.c.id,
            earlier.c.status == "pending"))
        query = (select(webhook_deliveries, partner_endpoints.c.url, partner_endpoints.c.secret)
                 .join(partner_endpoints, partner_endpoints.c.id == webhook_deliveries.c.endpoint_id)
                 .where(webhook_deliveries.c.status == "pending",
                        webhook_deliveries.c.next_attempt_at <= datetime.now(UTC), ~blocked)
                 .order_by(webhook_deliveries.c.id).limit(self.batch))
        async with self.db.sessions() as session:
            return (await session.execute(query)).all()

    async def deliver(self, row) -> None:
        now = datetime.now(UTC)
        headers = {
            "content-type": "application/cloudevents+json",
            "webhook-id": row.event_id,
            "webhook-timestamp": str(int(now.timestamp())),
            "webhook-signature": Webhook(row.secret).sign(row.event_id, now, row.body),
        }
        status_code, error = None, None
        try:
            response = await self.client.post(row.url, content=row.body.encode(), headers=headers)
            status_code = response.status_code
            ok = 200 <= response.status_code < 300
            if not ok:
                error = f"HTTP {response.status_code}"
        except httpx.HTTPError as exc:
            ok, error = False, f"{type(exc).__name__}: {exc}"[:500]
        attempts = row.attempts + 1
        if ok:
            values = {"status": "delivered", "attempts": attempts, "delivered_at": now, "last_status_code": status_code,
                      "last_error": None}
        elif attempts >= self.max_attempts:
            values = {"status": "dead", "attempts": attempts, "last_status_code": status_code, "last_error": error}
        else:
            values = {"attempts": attempts, "next_attempt_at": now + backoff(attempts, self.base_backoff_s),
                      "last_status_code": status_code, "last_error": error}
        WEBHOOK_RESULTS.labels("delivered" if ok else values.get("status", "retry")).inc()
        async with self.db.sessions() as session, session.begin():
            await session.execute(update(webhook_deliveries).where(webhook_deliveries.c.id == row.id).values(**values))

    async def run_once(self) -> int:
        rows = await self.due()
        # One delivery per (endpoint, key) per round keeps each record's events in order.
        seen, firsts = set(), []
        for row in rows:
            if (row.endpoint_id, row.ordering_key) not in seen:
                seen.add((row.endpoint_id, row.ordering_key))
                firsts.append(row)
        await asyncio.gather(*(self.deliver(r) for r in firsts))
        return len(firsts)

    async def run(self) -> None:
        try:
            while True:
                try:
                    if await self.run_once():
                        continue
                except asyncio.CancelledError:
                    raise
                except Exception as exc:  # database down: try again later
                    log.warning("webhook dispatcher: %s: %s", type(exc).__name__, exc)
                await asyncio.sleep(self.idle_poll_s)
        finally:
            await self.client.aclose()


async def dispatch_webhooks(db: Database, settings) -> None:
    """The service's background task (ServiceParts.background)."""
    await WebhookDispatcher(db, max_attempts=settings.webhook_max_attempts,
                            base_backoff_s=settings.webhook_backoff_s).run()
