"""The outbox relay: publishes committed outbox rows to Kafka in batches, then marks them sent.

It wakes when a commit in this process recorded events (`Database.on_commit`), when another process
committed some (on PostgreSQL: LISTEN on the channel the outbox trigger notifies, so a worker process
publishes what the API processes write at once), and otherwise polls every `idle_poll_s`, which also
covers a lost notification or a listening connection being re-established.

Rows go out in id order with the aggregate id as key, so one aggregate's events keep their order
in one partition. A row is marked only after the broker acknowledged it (acks=all), so a crash at
any point means a resend, never a loss; consumers' inboxes make the resend harmless.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from datetime import UTC, datetime

import asyncpg
from aiokafka import AIOKafkaProducer
from sqlalchemy import func, select, update

from yizhou.database import Database
from yizhou.envelope import to_kafka_message
from yizhou.messaging_tables import OUTBOX_CHANNEL, outbox
from yizhou.observability import OUTBOX_BACKLOG, OUTBOX_PUBLISHED

log = logging.getLogger(__name__)


class OutboxRelay:
    def __init__(self, db: Database, producer: AIOKafkaProducer, *, service: str, batch_size: int = 500,
                 idle_poll_s: float = 0.5, linger_s: float = 0.05) -> None:
        self._db = db
        self._producer = producer
        self._service = service
        self._batch_size = batch_size
        self._idle_poll_s = idle_poll_s
        self._linger_s = linger_s
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
        listener = asyncio.create_task(self._listen(), name="outbox-listener") if self._db.is_postgres else None
        try:
            await self._publish_until_cancelled()
        finally:
            if listener is not None:
                listener.cancel()
                with contextlib.suppress(asyncio.CancelledError):
                    await listener

    async def _publish_until_cancelled(self) -> None:
        backoff = 0.5
        while True:
            self._wake.clear()   # before the read: a commit after it sets the flag for the next round
            try:
                sent = await self.publish_batch()
                backoff = 0.5
                if sent == self._batch_size:
                    continue   # likely more waiting
                if not sent:
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
            try:
                # asyncio.timeout, not wait_for: on Python 3.11 wait_for returns the result when the wake
                # and a cancellation come together, swallowing the cancellation (the relay never stopped
                # and an app's shutdown hung).
                async with asyncio.timeout(self._idle_poll_s):
                    await self._wake.wait()
            except TimeoutError:
                continue
            # Woken by a commit: let the next few commits join it. A batch a commit cost the worker three
            # times the CPU at 200 submits/s (and the consumers downstream got one-event batches too).
            await asyncio.sleep(self._linger_s)

    async def _listen(self) -> None:
        """Keeps a connection LISTENing to the outbox channel; reconnects after the server went away."""
        dsn = self._db.engine.url.set(drivername="postgresql").render_as_string(hide_password=False)
        delay = 1.0
        while True:
            try:
                conn = await asyncpg.connect(dsn, timeout=10)
                try:
                    lost = asyncio.Event()
                    conn.add_termination_listener(lambda _conn: lost.set())
                    await conn.add_listener(OUTBOX_CHANNEL, lambda *_: self._wake.set())
                    self._wake.set()   # rows committed while nobody listened
                    delay = 1.0
                    await lost.wait()
                finally:
                    with contextlib.suppress(Exception):
                        await conn.close(timeout=2)
            except asyncio.CancelledError:
                raise
            except Exception as exc:   # the poll carries on meanwhile
                log.warning("outbox relay cannot listen for commits: %s: %s", type(exc).__name__, exc)
            await asyncio.sleep(delay)
            delay = min(delay * 2, 10)
