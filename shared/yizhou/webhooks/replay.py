"""Re-sending partner events from a time: read the partner topics again from the first offset at or
after that time (Kafka's offsets-for-times) and queue a delivery for every match.

Where a partition has nothing at or after that time, Kafka answers no offset (None) but the embedded
broker (Tansu) answers offset 0 with timestamp -1: taken as a start, that replayed the whole partition,
so on Tansu a replay "since" a recent time re-sent every old event of each partition with nothing newer.
Such an answer now means "nothing to read", and `since` is applied to every record read as well: a
record published before it is skipped unread, one published after it counts by when its event occurred.

Replays are limited per endpoint (`claim_replay`): one at a time, and a new one only
`replay_min_interval_s` after the last one started; and one replay queues no more than the endpoint's
queue has room for (`max_pending_per_endpoint`), answering `complete: false` when it stopped there."""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from aiokafka import AIOKafkaConsumer
from aiokafka.errors import KafkaError
from sqlalchemy import delete, select, update
from sqlalchemy.exc import IntegrityError

from yizhou.bus import KafkaAccess, partitions_of, read_to_end
from yizhou.consumer import untrusted_source
from yizhou.database import Database
from yizhou.envelope import MalformedEvent, ReceivedEvent, from_kafka_record
from yizhou.errors import Unavailable
from yizhou.partner import partner_events
from yizhou.topic_owners import expected_sources
from yizhou.webhooks.config import WebhookConfig
from yizhou.webhooks.errors import ReplayInProgress, ReplayTooSoon
from yizhou.webhooks.intake import area_path_of, pending_counts, structured_body
from yizhou.webhooks.tables import webhook_deliveries, webhook_replays


@dataclass(frozen=True)
class ReplayClaim:
    endpoint_id: str
    started_at: datetime
    previous: tuple[datetime, datetime | None, str] | None  # the row this claim replaced (None: there was none)


@dataclass(frozen=True)
class ReplayResult:
    requeued: int
    complete: bool  # false: the endpoint's queue filled up before the replay reached the end


async def claim_replay(db: Database, endpoint_id: str, subject: str, config: WebhookConfig) -> ReplayClaim:
    """This caller's turn to replay the endpoint, or ReplayInProgress / ReplayTooSoon. A compare-and-set
    on the endpoint's row, so two processes cannot both start one."""
    now = datetime.now(UTC)
    async with db.sessions() as session, session.begin():
        row = (await session.execute(select(webhook_replays).where(webhook_replays.c.endpoint_id == endpoint_id))).first()
        if row is None:
            try:
                await session.execute(webhook_replays.insert().values(
                    endpoint_id=endpoint_id, started_at=now, finished_at=None, requested_by=subject))
            except IntegrityError:
                raise ReplayInProgress("A replay of this endpoint has just started.") from None
            return ReplayClaim(endpoint_id, now, None)
        if row.finished_at is None and row.started_at > now - timedelta(seconds=config.replay_stale_after_s):
            raise ReplayInProgress("A replay of this endpoint is running; wait for it to finish.")
        wait = (row.started_at + timedelta(seconds=config.replay_min_interval_s) - now).total_seconds()
        if wait > 0:
            retry_after = max(1, math.ceil(wait))
            raise ReplayTooSoon(f"This endpoint was replayed less than {config.replay_min_interval_s:g} s ago; "
                                f"retry in {retry_after} s.", retry_after_s=retry_after)
        taken = await session.execute(update(webhook_replays).where(
            webhook_replays.c.endpoint_id == endpoint_id, webhook_replays.c.started_at == row.started_at).values(
            started_at=now, finished_at=None, requested_by=subject))
        if taken.rowcount != 1:
            raise ReplayInProgress("A replay of this endpoint has just started.")
        return ReplayClaim(endpoint_id, now, (row.started_at, row.finished_at, row.requested_by))


async def finish_replay(db: Database, claim: ReplayClaim, *, ok: bool) -> None:
    """Done: the interval runs from this replay's start. Failed (the broker was down): the claim is taken
    back, so the partner may try again at once."""
    mine = (webhook_replays.c.endpoint_id == claim.endpoint_id, webhook_replays.c.started_at == claim.started_at)
    async with db.sessions() as session, session.begin():
        if ok:
            await session.execute(update(webhook_replays).where(*mine).values(finished_at=datetime.now(UTC)))
        elif claim.previous is None:
            await session.execute(delete(webhook_replays).where(*mine))
        else:
            started, finished, by = claim.previous
            await session.execute(update(webhook_replays).where(*mine).values(
                started_at=started, finished_at=finished, requested_by=by))


async def replay_since(db: Database, access: KafkaAccess, endpoint, since: datetime,
                       config: WebhookConfig | None = None) -> ReplayResult:
    config = config or WebhookConfig()
    since = max(since, datetime.fromtimestamp(0, UTC))
    since_ms = int(since.timestamp() * 1000)
    topics = sorted({e.topic for e in partner_events() if e.event_type in endpoint.event_types})
    async with db.sessions() as session:
        pending = (await pending_counts(session, [endpoint.id])).get(endpoint.id, 0)
    room = config.max_pending_per_endpoint - pending
    requeued = 0
    consumer = AIOKafkaConsumer(**access.client_options(), enable_auto_commit=False, group_id=None)
    try:
        await consumer.start()
        try:
            partitions = await partitions_of(consumer, topics, attempts=10)
            if not partitions:
                return ReplayResult(0, True)
            consumer.assign(partitions)
            starts = await consumer.offsets_for_times({tp: since_ms for tp in partitions})
            reading = []
            for tp in partitions:
                start = starts.get(tp)
                # Nothing at or after that time: None from Kafka; offset 0 with timestamp -1 from Tansu.
                if start is not None and start.timestamp >= 0:
                    consumer.seek(tp, start.offset)
                    reading.append(tp)
            async for records in read_to_end(consumer, reading):
                for record in records:
                    event = _matching(endpoint, record, since, since_ms)
                    if event is None:
                        continue
                    outcome = await _requeue(db, endpoint, event, has_room=room > 0)
                    if outcome == "full":
                        return ReplayResult(requeued, False)
                    if outcome == "added":
                        room -= 1
                    requeued += 1
        finally:
            await consumer.stop()
    except KafkaError as exc:
        raise Unavailable(f"The event log cannot be read now ({type(exc).__name__}); retry later.") from None
    return ReplayResult(requeued, True)


def _matching(endpoint, record, since: datetime, since_ms: int) -> ReceivedEvent | None:
    if record.timestamp is not None and 0 <= record.timestamp < since_ms:
        return None   # published before `since`, so it occurred before it too
    try:
        event = from_kafka_record(record)
    except MalformedEvent:
        return None
    if untrusted_source(event, expected_sources(record.topic)):
        return None  # a forged record on a partner topic is not sent to partners under the platform's signature
    occurred = event.time if event.time is None or event.time.tzinfo else event.time.replace(tzinfo=UTC)
    if occurred is not None and occurred < since:
        return None
    if event.type not in endpoint.event_types or not area_path_of(event.data).startswith(endpoint.area_path):
        return None
    return event


async def _requeue(db: Database, endpoint, event: ReceivedEvent, *, has_room: bool) -> str:
    """"requeued" (it was pending already: sent again from the first attempt), "added" (now pending),
    or "full" (it would have to wait in a full queue: not queued)."""
    try:
        return await _requeue_once(db, endpoint, event, has_room=has_room)
    except IntegrityError:
        # The live fan-out queued the same event for this endpoint between our look and our insert
        # (a replay right after registering): it exists now, so the second look finds and requeues it.
        return await _requeue_once(db, endpoint, event, has_room=has_room)


async def _requeue_once(db: Database, endpoint, event: ReceivedEvent, *, has_room: bool) -> str:
    now = datetime.now(UTC)
    async with db.sessions() as session, session.begin():
        existing = (await session.execute(select(webhook_deliveries.c.id, webhook_deliveries.c.status).where(
            webhook_deliveries.c.endpoint_id == endpoint.id, webhook_deliveries.c.event_id == event.id))).first()
        again = {"status": "pending", "attempts": 0, "next_attempt_at": now, "last_error": None, "last_status_code": None}
        if existing is not None and existing.status == "pending":
            await session.execute(update(webhook_deliveries).where(webhook_deliveries.c.id == existing.id).values(**again))
            return "requeued"
        if not has_room:
            return "full"
        if existing is None:
            await session.execute(webhook_deliveries.insert().values(
                endpoint_id=endpoint.id, event_id=event.id, event_type=event.type,
                ordering_key=event.key or event.id, body=structured_body(event), occurred_at=event.time or now,
                **again))
        else:
            await session.execute(update(webhook_deliveries).where(webhook_deliveries.c.id == existing.id).values(**again))
    return "added"
