"""The consumer runner: a Kafka consumer group whose offsets follow the database.

For each record: decode the CloudEvent, then in ONE database transaction claim the event id in the
inbox and apply the handler; commit; only then commit the Kafka offset. A redelivered event finds
its id in the inbox and is skipped. A poison record (unreadable, refused by the handler, or from a
source that does not publish its topic) goes to `<topic>.dlq` with the reason, and the partition
moves on. A database or broker outage is not poison: the record is retried until it goes through.

Each subscription accepts events only from its topic's publisher (`yizhou.topic_owners`): an event of
a subscribed type with any other CloudEvents `source` is dead-lettered before its id is claimed, so
it is never applied and cannot shadow the publisher's event of that id.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import UTC, datetime

from aiokafka import AIOKafkaConsumer, AIOKafkaProducer
from aiokafka.errors import CommitFailedError, KafkaError
from pydantic import ValidationError
from sqlalchemy import text
from sqlalchemy.dialects import sqlite
from sqlalchemy.exc import DBAPIError, OperationalError
from sqlalchemy.ext.asyncio import AsyncSession

from yizhou.bus import KafkaAccess, partitions_of
from yizhou.database import Database, database_unavailable
from yizhou.envelope import MalformedEvent, ReceivedEvent, from_kafka_record
from yizhou.events import dead_letter_topic
from yizhou.logs import event_id_var
from yizhou.messaging_tables import inbox
from yizhou.observability import CONSUMER_LAG, DEAD_LETTERS, EVENTS_APPLIED
from yizhou.topic_owners import expected_sources

log = logging.getLogger(__name__)
_CLAIM_ON_POSTGRES = text(
    "INSERT INTO inbox (consumer, event_id, event_type, topic, received_at) "
    "SELECT :consumer, e.id, e.type, e.topic, CAST(:now AS timestamptz) "
    "FROM unnest(CAST(:ids AS text[]), CAST(:types AS text[]), CAST(:topics AS text[])) AS e(id, type, topic) "
    "ON CONFLICT DO NOTHING RETURNING event_id")

Handler = Callable[[AsyncSession, ReceivedEvent], Awaitable[None]]
BatchHandler = Callable[[AsyncSession, list[ReceivedEvent]], Awaitable[None]]


class UnprocessableEvent(Exception):
    """A handler's verdict that an event can never be applied (e.g. it breaks a rule)."""


@dataclass(frozen=True)
class Subscription:
    """`handler` applies one event. A `batch_handler`, where given, applies a run of consecutive events
    (in their order) at once, e.g. with one query for all of them: fetched batches go through it, lone
    records and the per-record fallback through `handler`. Both must have the same effect.

    `sources`: the CloudEvents sources whose events are applied; by default the topic's owner
    (`yizhou.topic_owners.TOPIC_OWNERS`). A topic with no owner there needs them named (a test's or a
    benchmark's own topic); `UnownedTopic` otherwise, when the subscription is made. A copy made with
    `dataclasses.replace(s, topic=...)` keeps them: a replay of a copied topic expects the original's publisher."""

    topic: str
    event_type: str
    handler: Handler
    batch_handler: BatchHandler | None = None
    sources: frozenset[str] | None = None

    def __post_init__(self) -> None:
        if self.sources is None:
            object.__setattr__(self, "sources", expected_sources(self.topic))
        elif isinstance(self.sources, str) or not self.sources:
            raise TypeError(f"Subscription({self.topic!r}, {self.event_type!r}): sources is a non-empty set of sources")
        else:
            object.__setattr__(self, "sources", frozenset(self.sources))


def untrusted_source(event: ReceivedEvent, sources: frozenset[str]) -> str | None:
    """Why `event` is refused when its source is none of `sources` (its topic's publishers); None if it is."""
    if event.source in sources:
        return None
    return (f"UntrustedSource: source {event.source!r} does not publish {event.topic} "
            f"(its events come from {', '.join(sorted(sources))})")


def _is_transient(exc: BaseException) -> bool:
    if isinstance(exc, OperationalError):
        return True
    if isinstance(exc, DBAPIError) and database_unavailable(exc):  # e.g. a restarting server: wait, never dead-letter
        return True
    return isinstance(exc, (ConnectionError, OSError, TimeoutError, KafkaError))


class EventConsumer:
    def __init__(self, db: Database, *, access: KafkaAccess | str, group: str, subscriptions: list[Subscription],
                 producer: AIOKafkaProducer | None, max_attempts: int = 5, send_dead_letters: bool = True,
                 group_membership: bool = True) -> None:
        self._db = db
        self._access = KafkaAccess.of(access)
        self._group = group
        self._handlers = {(s.topic, s.event_type): s.handler for s in subscriptions}
        self._sources = {(s.topic, s.event_type): s.sources for s in subscriptions}
        self._batch_handlers = {(s.topic, s.event_type): s.batch_handler for s in subscriptions if s.batch_handler}
        self._topics = sorted({s.topic for s in subscriptions})
        self._producer = producer
        self._max_attempts = max_attempts
        self._send_dead_letters = send_dead_letters  # off when replaying: the record is in the DLQ already
        # Without membership the runner assigns itself every partition and keeps its committed offsets
        # under the group id: for the embedded broker (one replica per service), whose group
        # coordinator keeps a departed member as leader and then never completes a rebalance.
        self._group_membership = group_membership
        self.consumer: AIOKafkaConsumer | None = None

    @property
    def topics(self) -> list[str]:
        return self._topics

    async def run(self) -> None:
        while True:  # survives broker restarts: a failed start or loop is retried after a pause
            consumer = AIOKafkaConsumer(
                *(self._topics if self._group_membership else ()), **self._access.client_options(),
                group_id=self._group, enable_auto_commit=False, auto_offset_reset="earliest", max_poll_records=500,
                session_timeout_ms=10000, heartbeat_interval_ms=1000, fetch_max_wait_ms=100,
            )
            self.consumer = consumer
            try:
                await consumer.start()
                if not self._group_membership:
                    await self._assign_all(consumer)
                await self._loop(consumer)
            except asyncio.CancelledError:
                raise
            except Exception as exc:
                log.warning("consumer %s restarting after %s: %s", self._group, type(exc).__name__, exc)
                await asyncio.sleep(2)
            finally:
                try:
                    await consumer.stop()
                except Exception:
                    pass

    async def _assign_all(self, consumer: AIOKafkaConsumer) -> None:
        partitions = await partitions_of(consumer, self._topics)
        consumer.assign(partitions)
        for tp in partitions:
            committed = await consumer.committed(tp)
            if committed is None:
                await consumer.seek_to_beginning(tp)
            else:
                consumer.seek(tp, committed)

    async def _loop(self, consumer: AIOKafkaConsumer) -> None:
        while True:
            batch = await consumer.getmany(timeout_ms=500, max_records=500)
            for tp, records in batch.items():
                await self.process_batch(records)
                next_offset = records[-1].offset + 1
                try:
                    await consumer.commit({tp: next_offset})
                except CommitFailedError as exc:  # rebalanced away: the new owner redelivers, the inbox dedups
                    log.info("offset commit lost to a rebalance: %s", exc)
                highwater = consumer.highwater(tp)
                if highwater is not None:
                    CONSUMER_LAG.labels(self._group, tp.topic, str(tp.partition)).set(max(0, highwater - next_offset))

    async def process_batch(self, records) -> list[str]:
        """Applies a fetched batch in ONE transaction: the inbox claims of the whole batch in one
        statement, then the handlers in record order, runs of consecutive events with the same
        `batch_handler` in one call. If anything in it fails, the transaction rolls back and each record
        goes through `process` on its own, so a poison record is isolated and transient failures are
        retried as usual."""
        ready = []
        refused: list[tuple[object, str]] = []   # (record, reason): dead-lettered once the batch committed
        for record in records:
            try:
                event = from_kafka_record(record)
            except MalformedEvent:
                return [await self.process(record) for record in records]
            key = (record.topic, event.type)
            reason = untrusted_source(event, self._sources[key]) if key in self._handlers else None
            if reason is not None:
                refused.append((record, reason))
            ready.append((event, key, reason))
        if len(ready) == 1:
            return [await self.process(records[0])]
        outcomes: list[str] = []
        try:
            async with self._db.sessions() as session, session.begin():
                claimed = await claim_many(session, self._group, [
                    e for e, key, reason in ready if key in self._handlers and reason is None])
                run: list[ReceivedEvent] = []
                run_handler = None
                for event, key, reason in ready:
                    if key not in self._handlers:
                        outcomes.append("ignored")
                        continue
                    if reason is not None:
                        outcomes.append("dead_lettered")
                        continue
                    if event.id not in claimed:
                        outcomes.append("duplicate")
                        continue
                    claimed.discard(event.id)  # the same event twice in one batch: the second is a duplicate
                    outcomes.append("applied")
                    batch_handler = self._batch_handlers.get(key)
                    if run and batch_handler is not run_handler:
                        await self._apply_run(session, run_handler, run)
                        run = []
                    if batch_handler is not None:
                        run_handler = batch_handler
                        run.append(event)
                    else:
                        await self._apply_one(session, self._handlers[key], event)
                if run:
                    await self._apply_run(session, run_handler, run)
        except asyncio.CancelledError:
            raise
        except Exception:
            return [await self.process(record) for record in records]   # refused ones are dead-lettered there
        for record, reason in refused:
            await self._dead_letter(record, reason)
        for (event, _, _), outcome in zip(ready, outcomes, strict=True):
            if outcome == "applied":
                EVENTS_APPLIED.labels(self._group, event.type).inc()
        return outcomes

    @staticmethod
    async def _apply_one(session: AsyncSession, handler: Handler, event: ReceivedEvent) -> None:
        token = event_id_var.set(event.id)
        try:
            await handler(session, event)
        finally:
            event_id_var.reset(token)

    @staticmethod
    async def _apply_run(session: AsyncSession, handler: BatchHandler, events: list[ReceivedEvent]) -> None:
        token = event_id_var.set(events[0].id if len(events) == 1 else f"{events[0].id}..{events[-1].id}")
        try:
            await handler(session, events)
        finally:
            event_id_var.reset(token)

    async def process(self, record) -> str:
        """Applies one record; returns what happened: applied, duplicate, ignored or dead_lettered."""
        try:
            event = from_kafka_record(record)
        except MalformedEvent as exc:
            await self._dead_letter(record, str(exc))
            return "dead_lettered"
        handler = self._handlers.get((record.topic, event.type))
        if handler is None:
            return "ignored"  # a type this service does not read: tolerant reader
        token = event_id_var.set(event.id)
        try:
            reason = untrusted_source(event, self._sources[(record.topic, event.type)])
            if reason is not None:  # before the inbox claim: never applied, and the id stays free for the owner
                await self._dead_letter(record, reason)
                return "dead_lettered"
            return await self._apply(record, event, handler)
        finally:
            event_id_var.reset(token)

    async def _apply(self, record, event: ReceivedEvent, handler: Handler) -> str:
        attempts, backoff = 0, 0.2
        while True:
            try:
                async with self._db.sessions() as session, session.begin():
                    if event.id not in await claim_many(session, self._group, [event]):
                        return "duplicate"  # applied before: a redelivery
                    await handler(session, event)
                EVENTS_APPLIED.labels(self._group, event.type).inc()
                return "applied"
            except (UnprocessableEvent, ValidationError, KeyError, TypeError) as exc:
                await self._dead_letter(record, f"{type(exc).__name__}: {exc}")
                return "dead_lettered"
            except asyncio.CancelledError:
                raise
            except Exception as exc:
                if not _is_transient(exc):
                    attempts += 1
                    if attempts >= self._max_attempts:
                        await self._dead_letter(record, f"failed {attempts} times: {type(exc).__name__}: {exc}")
                        return "dead_lettered"
                log.warning("event %s not applied yet (%s: %s); retrying", event.id, type(exc).__name__, exc)
                await asyncio.sleep(backoff)
                backoff = min(backoff * 2, 5)

    async def _dead_letter(self, record, reason: str) -> None:
        if not self._send_dead_letters:
            log.info("refused %s[%s]@%s again: %s", record.topic, record.partition, record.offset, reason)
            return
        headers = list(record.headers or ()) + [
            ("dlq_reason", reason[:2000].encode()),
            ("dlq_original_topic", record.topic.encode()),
            ("dlq_original_partition", str(record.partition).encode()),
            ("dlq_original_offset", str(record.offset).encode()),
            ("dlq_consumer", self._group.encode()),
        ]
        log.error("dead-lettering %s[%s]@%s: %s", record.topic, record.partition, record.offset, reason)
        while True:  # the record must land somewhere before its offset is committed
            try:
                await self._producer.send_and_wait(dead_letter_topic(record.topic), value=record.value, key=record.key, headers=headers)
                break
            except asyncio.CancelledError:
                raise
            except Exception as exc:
                log.warning("dead-letter publish failed (%s); retrying", exc)
                await asyncio.sleep(1)
        DEAD_LETTERS.labels(self._group, record.topic).inc()


async def claim_many(session: AsyncSession, group: str, events: list[ReceivedEvent]) -> set[str]:
    """Claims events' ids for a consumer group in the inbox in one statement; returns the ids claimed
    now (those already there were applied before: redeliveries)."""
    if not events:
        return set()
    now = datetime.now(UTC)
    # Sorted: neighbouring keys go into the same index pages (and concurrent claims lock in one order).
    unique = sorted({e.id: e for e in events}.values(), key=lambda e: e.id)
    if session.bind.dialect.name == "postgresql":  # three arrays instead of 5 parameters a row: a third of the time
        result = await session.execute(_CLAIM_ON_POSTGRES, {
            "consumer": group, "now": now, "ids": [e.id for e in unique], "types": [e.type for e in unique],
            "topics": [e.topic for e in unique]})
    else:
        rows = [{"consumer": group, "event_id": e.id, "event_type": e.type, "topic": e.topic, "received_at": now}
                for e in unique]
        result = await session.execute(sqlite.insert(inbox).on_conflict_do_nothing().returning(inbox.c.event_id), rows)
    return set(result.scalars())
