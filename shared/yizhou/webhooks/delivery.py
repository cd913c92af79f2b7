"""Delivering webhooks: signed (Standard Webhooks: HMAC-SHA256 over id.timestamp.body), retried with
exponential backoff, dead after `max_attempts`; one record's events (same ordering key) are
delivered in order: a delivery waits while an earlier one for the same endpoint and key is pending.

Before each attempt the endpoint is read again: a deactivated one gets nothing more (the delivery is
marked `cancelled`). Each attempt goes through the guarded client (egress.py), which resolves the host
then and connects only to addresses the policy admits. A partner sees an attempt's outcome as a class
("timeout", "unreachable", "blocked", "4xx", ...), the details stay in the service's log."""

from __future__ import annotations

import asyncio
import logging
from datetime import UTC, datetime, timedelta

from prometheus_client import Counter
from sqlalchemy import and_, exists, func, select, update
from sqlalchemy.orm import aliased
from standardwebhooks import Webhook

from yizhou.database import Database
from yizhou.retention import RetentionRule
from yizhou.webhooks.config import WebhookConfig
from yizhou.webhooks.egress import RefusedDestination, failure_class, guarded_client, parse_endpoint_url, status_class
from yizhou.webhooks.tables import partner_endpoints, webhook_deliveries

log = logging.getLogger(__name__)
WEBHOOK_RESULTS = Counter("webhook_deliveries_total", "Webhook delivery attempts", ["result"])


def backoff(attempts: int, base_s: float) -> timedelta:
    return timedelta(seconds=min(base_s * 2 ** (attempts - 1), 3600))


class WebhookDispatcher:
    def __init__(self, db: Database, config: WebhookConfig | None = None, *, batch: int = 50,
                 idle_poll_s: float = 1.0) -> None:
        self.db = db
        self.config = config or WebhookConfig()
        self.batch = batch
        self.idle_poll_s = idle_poll_s
        self.client = guarded_client(self.config.policy, self.config.timeout_s)

    async def due(self) -> list:
        """Claims the deliveries due now: their next attempt is moved past this attempt's deadline in the
        same statement that picks them, so another dispatcher (a second worker replica) skips them, and
        takes them over only if this one died before recording the outcome. On PostgreSQL rows another
        dispatcher is claiming are skipped, not waited for (SKIP LOCKED); SQLite has one writer."""
        now = datetime.now(UTC)
        earlier = aliased(webhook_deliveries)
        blocked = exists().where(and_(
            earlier.c.endpoint_id == webhook_deliveries.c.endpoint_id,
            earlier.c.ordering_key == webhook_deliveries.c.ordering_key,
            earlier.c.id < webhook_deliveries.c.id,
            earlier.c.status == "pending"))
        due = (select(webhook_deliveries.c.id)
               .where(webhook_deliveries.c.status == "pending", webhook_deliveries.c.next_attempt_at <= now, ~blocked)
               .order_by(webhook_deliveries.c.id).limit(self.batch))
        if self.db.is_postgres:
            due = due.with_for_update(skip_locked=True, of=webhook_deliveries)
        claim = (update(webhook_deliveries)
                 .where(webhook_deliveries.c.id.in_(due.scalar_subquery()),
                        webhook_deliveries.c.status == "pending", webhook_deliveries.c.next_attempt_at <= now)
                 .values(next_attempt_at=now + self.lease)
                 .returning(*webhook_deliveries.c))
        async with self.db.sessions() as session, session.begin():
            return sorted((await session.execute(claim)).all(), key=lambda row: row.id)

    @property
    def lease(self) -> timedelta:
        """How long a claimed delivery is this dispatcher's: the attempt's deadline and a margin."""
        return timedelta(seconds=2 * self.config.timeout_s + 5)

    async def _record(self, row, values: dict, *, only_if_pending: bool = True) -> None:
        query = update(webhook_deliveries).where(webhook_deliveries.c.id == row.id)
        if only_if_pending:   # cancelled (or re-sent) meanwhile: that decision stands
            query = query.where(webhook_deliveries.c.status == "pending", webhook_deliveries.c.attempts == row.attempts)
        async with self.db.sessions() as session, session.begin():
            await session.execute(query.values(**values))

    async def deliver(self, row) -> None:
        async with self.db.sessions() as session:
            endpoint = (await session.execute(select(partner_endpoints.c.active, partner_endpoints.c.url,
                                                     partner_endpoints.c.secret)
                                              .where(partner_endpoints.c.id == row.endpoint_id))).first()
        if endpoint is None or not endpoint.active:
            WEBHOOK_RESULTS.labels("cancelled").inc()
            await self._record(row, {"status": "cancelled"})
            return
        ok, status_code, error = await self._send(row, endpoint)
        now = datetime.now(UTC)
        attempts = row.attempts + 1
        if ok:
            values = {"status": "delivered", "attempts": attempts, "delivered_at": now, "last_status_code": status_code,
                      "last_error": None}
        elif attempts >= self.config.max_attempts:
            values = {"status": "dead", "attempts": attempts, "last_status_code": status_code, "last_error": error}
        else:
            values = {"attempts": attempts, "next_attempt_at": now + backoff(attempts, self.config.backoff_s),
                      "last_status_code": status_code, "last_error": error}
        WEBHOOK_RESULTS.labels("delivered" if ok else values.get("status", "retry")).inc()
        # A success is recorded whatever happened meanwhile: the partner has the event.
        await self._record(row, values, only_if_pending=not ok)

    async def _send(self, row, endpoint) -> tuple[bool, int | None, str | None]:
        """(ok, HTTP status, error class). Only the status line is read, within one overall deadline: a
        receiver that trickles or sends a large body holds the dispatcher no longer than `timeout_s`."""
        now = datetime.now(UTC)
        try:
            url = parse_endpoint_url(endpoint.url)   # rows stored before the URL rules were checked on entry
            headers = {
                "content-type": "application/cloudevents+json",
                "webhook-id": row.event_id,
                "webhook-timestamp": str(int(now.timestamp())),
                "webhook-signature": Webhook(endpoint.secret).sign(row.event_id, now, row.body),
            }
            async with asyncio.timeout(self.config.timeout_s):
                async with self.client.stream("POST", url, content=row.body.encode(), headers=headers) as response:
                    status_code = response.status_code
        except RefusedDestination as exc:
            log.warning("webhook delivery %s to endpoint %s refused: %s", row.id, row.endpoint_id, exc)
            return False, None, failure_class(exc)
        except asyncio.CancelledError:
            raise
        except Exception as exc:  # noqa: BLE001  (any failure is this attempt's outcome, never the loop's)
            error = failure_class(exc)
            (log.exception if error == "error" else log.info)(
                "webhook delivery %s to endpoint %s failed: %s: %s", row.id, row.endpoint_id, type(exc).__name__, exc)
            return False, None, error
        if 200 <= status_code < 300:
            return True, status_code, None
        return False, status_code, status_class(status_code)

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
            await self.aclose()

    async def aclose(self) -> None:
        await self.client.aclose()


def delivery_log_rules(settings) -> list[RetentionRule]:
    """Finished deliveries leave the partner's log after the window (`yizhou.retention`); pending stay."""
    if settings.webhook_delivery_retention_days <= 0:
        return []
    d = webhook_deliveries.c
    finished = d.status.in_(("delivered", "dead", "cancelled", "dropped"))
    return [RetentionRule(webhook_deliveries, timedelta(days=settings.webhook_delivery_retention_days),
                          lambda cutoff: finished & (func.coalesce(d.delivered_at, d.next_attempt_at) < cutoff))]


async def dispatch_webhooks(db: Database, settings) -> None:
    """The service's background task (ServiceParts.background)."""
    await WebhookDispatcher(db, WebhookConfig.from_settings(settings)).run()
