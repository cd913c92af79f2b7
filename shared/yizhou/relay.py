"""The outbox relay: publishes committed outbox rows to Kafka in batches, then marks them sent.

Rows go out in id order with the aggregate id as key, so one aggregate's events keep their order
in one partition. A row is marked only after the broker acknowledged it (acks=all), so a crash at
any point means a resend, never a loss; consumers' inboxes make the resend harmless.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from datetime import UTC, datetime

from aiokafka import AIOKafkaProducer
from sqlalchemy import func, select, update

from yizhou.database import Database
from yizhou.envelope import to_kafka_message
from yizhou.messaging_tables import outbox
from yizhou.observability import OUTBOX_BACKLOG, OUTBOX_PUBLISHED

log = logging.getLogger(__name__)


class OutboxRelay:
    def __init__(self, db: Database, producer: AIOKafkaProducer, *, service: str, batch_size: int = 500,
                 idle_poll_s: float = 0.5) -> None:
        self._db = db
        self._producer = producer
        self._service = service
        self._batch_size = batch_size
        self._idle_poll_s = idle_poll_s
        self._wake = asyncio.Event()
        db.on_commit.append(self._wake.set)

    async def publish_batch(self) -> int:
        """Publishes up to one batch; returns how many rows were sent."""
        async with self._db.sessions() as session, session.begin():
            query = select(outbox).where(outbox.c.published_at.is_(None)).order_by(outbox.c.id).limit(self._batch_size)
            if self._db.is_postgres:
                # Several relay replicas may run; each row is taken by one of them at a time.
                query = query.with_for_update(skip_locked=True)
            rows = (await session.execute(query)).all()
            if not rows:
                return 0
            sent = []
            for row in rows:
                msg = to_kafka_message(row)
                key = msg.key.encode() if isinstance(msg.key, str) else msg.key
                headers = list(msg.headers.items())
                sent.append(await self._producer.send(row.topic, value=msg.value, key=key, headers=headers))
            await asyncio.gather(*sent)  # every record acknowledged before any row is marked
            await session.execute(
                update(outbox).where(outbox.c.id.in_([r.id for r in rows])).values(published_at=datetime.now(UTC))
            )
        OUTBOX_PUBLISHED.labels(self._service).inc(len(rows))
        return len(rows)

    async def backlog(self) -> int:
        async with self._db.sessions() as session:
            return (await session.execute(select(func.count()).select_from(outbox).where(outbox.c.published_at.is_(None)))).scalar_one()

    async def run(self) -> None:
        backoff = 0.5
        while True:
            try:
                sent = await self.publish_batch()
                backoff = 0.5
                if sent:
                    continue
                OUTBOX_BACKLOG.labels(self._service).set(await self.backlog())
            except asyncio.CancelledError:
                raise
            except Exception as exc:  # broker or database down: keep the rows, try again later
                log.warning("outbox relay could not publish: %s: %s", type(exc).__name__, exc)
                with contextlib.suppress(Exception):
                    OUTBOX_BACKLOG.labels(self._service).set(await self.backlog())
                await asyncio.sleep(backoff)
                backoff = min(backoff * 2, 10)
                continue
            self._wake.clear()
            try:
                await asyncio.wait_for(self._wake.wait(), self._idle_poll_s)
            except TimeoutError:
                pass
