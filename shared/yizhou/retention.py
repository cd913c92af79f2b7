"""Retention of the platform's own tables: what the outbox, the inbox, `Idempotency-Key` storage and the
webhook log keep, and the worker's task that purges the rest in small batches (docs/operations.md,
"Retention").

Why each window is safe:
- outbox: a row is only needed until the relay published it; the published rows are kept a while so
  an operator can see what left. Rebuilds read the topics, never the outbox.
- inbox: it stops a redelivered event from being applied twice. Redeliveries come from the offsets a
  consumer has not committed yet, seconds to minutes old; a rebuild starts from an empty copy, inbox
  included. A row older than the window is past every horizon a redelivery can come from.
- idempotency keys: a retry with the same key within the window gets the first answer; after it, the
  key is forgotten (the window is the contract, as with Stripe's 24 hours; ours is longer, for phones
  that retry after a day offline).
- webhook deliveries: finished ones (delivered, dead, cancelled, dropped) are the partner's log; a
  replay re-sends from the topic, not from this table. Pending ones are never purged.
"""

from __future__ import annotations

import asyncio
import logging
from dataclasses import dataclass
from datetime import datetime, timedelta

from prometheus_client import Counter
from sqlalchemy import ColumnElement, Table, delete, select, tuple_

from yizhou.clock import SystemClock
from yizhou.database import Database
from yizhou.idempotency import idempotency_keys
from yizhou.messaging_tables import inbox, outbox

log = logging.getLogger(__name__)

RETENTION_PURGED = Counter("retention_purged_rows_total", "Rows purged past their retention window (yizhou.retention)",
                           ["service", "table"])


@dataclass(frozen=True)
class RetentionRule:
    """Rows of `table` for which `expired(cutoff)` holds are purged, `cutoff` being now minus `keep`."""
    table: Table
    keep: timedelta
    expired: object   # (cutoff: datetime) -> a SQL condition

    def condition(self, now: datetime) -> ColumnElement[bool]:
        return self.expired(now - self.keep)  # type: ignore[operator]


def messaging_rules(settings) -> list[RetentionRule]:
    """The tables every service has (its migrations create them); 0 days keeps a table forever."""
    rules = [
        RetentionRule(outbox, timedelta(days=settings.outbox_retention_days),
                      lambda cutoff: outbox.c.published_at.is_not(None) & (outbox.c.published_at < cutoff)),
        RetentionRule(inbox, timedelta(days=settings.inbox_retention_days),
                      lambda cutoff: inbox.c.received_at < cutoff),
        RetentionRule(idempotency_keys, timedelta(hours=settings.idempotency_key_retention_hours),
                      lambda cutoff: idempotency_keys.c.created_at < cutoff),
    ]
    return [r for r in rules if r.keep > timedelta(0)]


async def purge(db: Database, rule: RetentionRule, now: datetime, *, batch: int) -> int:
    """Deletes one batch of expired rows (by primary key, so a batch is small on every database) and
    returns how many went. Short transactions: writers of the same table never wait long."""
    key = list(rule.table.primary_key.columns)
    chosen = select(*key).where(rule.condition(now)).limit(batch)
    target = key[0].in_(chosen) if len(key) == 1 else tuple_(*key).in_(chosen)
    async with db.sessions() as session, session.begin():
        result = await session.execute(delete(rule.table).where(target))
    return result.rowcount or 0


async def purge_all(db: Database, rules: list[RetentionRule], now: datetime, *, batch: int,
                    service: str, max_batches: int = 1000) -> dict[str, int]:
    """Every rule until no expired row is left (or `max_batches` per table, so one pass is bounded)."""
    purged: dict[str, int] = {}
    for rule in rules:
        total = 0
        for _ in range(max_batches):
            gone = await purge(db, rule, now, batch=batch)
            total += gone
            if gone < batch:
                break
            await asyncio.sleep(0)   # let the API and the relay in between batches
        purged[rule.table.name] = total
        if total:
            RETENTION_PURGED.labels(service, rule.table.name).inc(total)
    return purged


def retention_task(extra_rules=None):
    """The worker's background task (`ServiceParts.background`); `extra_rules(settings)` adds a service's
    own tables (org-registry's webhook log). Wall-clock time, never a service's (test) clock: the rows
    are stamped with it."""
    clock = SystemClock()

    async def retention(db: Database, settings) -> None:
        rules = messaging_rules(settings) + (extra_rules(settings) if extra_rules else [])
        while True:
            try:
                purged = await purge_all(db, rules, clock.now(), batch=settings.retention_batch_size,
                                         service=settings.service_name)
                if any(purged.values()):
                    log.info("retention purged %s", ", ".join(f"{n} {t}" for t, n in purged.items() if n))
            except asyncio.CancelledError:
                raise
            except Exception:
                log.exception("retention pass failed; retrying at the next interval")
            await asyncio.sleep(settings.retention_interval_s)

    return retention
