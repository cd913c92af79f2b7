"""Two webhook dispatchers on one database (two worker replicas of org-registry) never send one
delivery twice: each claims what it sends in the statement that picks it (SKIP LOCKED on
PostgreSQL), and a delivery a dead dispatcher claimed is taken over once its lease has passed."""

import asyncio
import uuid
from collections import Counter
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import select, update

import org_registry
from org_registry.settings import Settings
from yizhou.database import Database
from yizhou.migrations import upgrade_to_head
from yizhou.webhooks.config import WebhookConfig
from yizhou.webhooks.delivery import WebhookDispatcher
from yizhou.webhooks.tables import partner_endpoints, webhook_deliveries


class CountingDispatcher(WebhookDispatcher):
    """The real claim and bookkeeping; the HTTP call replaced by a count (what is under test is who sends)."""

    def __init__(self, db, sent: Counter, only: set[str]):
        super().__init__(db, WebhookConfig(timeout_s=1.0), batch=7)
        self.sent, self.only = sent, only

    async def _send(self, row, endpoint):
        self.sent[row.event_id] += 1
        await asyncio.sleep(0.01)  # long enough for the other dispatcher to look at the same rows
        return True, 200, None

    async def due(self):
        return [r for r in await super().due() if r.endpoint_id in self.only]


@pytest.fixture
async def db(make_settings):
    database = Database(make_settings(Settings).resolved_database_url)
    await upgrade_to_head(database.engine, Path(org_registry.__file__).parent / "migrations")
    yield database
    await database.dispose()


async def endpoint_with_deliveries(db: Database, count: int, keys: int) -> tuple[str, list[str]]:
    endpoint_id, now = str(uuid.uuid4()), datetime.now(UTC)
    events = [f"ev-{uuid.uuid4().hex}" for _ in range(count)]
    async with db.sessions() as session, session.begin():
        await session.execute(partner_endpoints.insert().values(
            id=endpoint_id, partner="claims-test", url="https://partner.example/hook", secret="whsec_" + "A" * 32,
            event_types=["partner.demand.changed"], area_path="/CLAIMS/", owner_subject="claims", active=True,
            created_at=now))
        await session.execute(webhook_deliveries.insert(), [
            {"endpoint_id": endpoint_id, "event_id": e, "event_type": "partner.demand.changed",
             "ordering_key": f"k{i % keys}", "body": "{}", "occurred_at": now, "status": "pending", "attempts": 0,
             "next_attempt_at": now - timedelta(seconds=1)} for i, e in enumerate(events)])
    return endpoint_id, events


async def test_two_dispatchers_send_every_delivery_exactly_once(db):
    endpoint_id, events = await endpoint_with_deliveries(db, count=60, keys=12)
    sent: Counter = Counter()
    first, second = CountingDispatcher(db, sent, {endpoint_id}), CountingDispatcher(db, sent, {endpoint_id})
    try:
        for _ in range(200):
            await asyncio.gather(first.run_once(), second.run_once())
            if sum(sent.values()) >= len(events):
                break
        async with db.sessions() as session:
            statuses = Counter((await session.scalars(select(webhook_deliveries.c.status).where(
                webhook_deliveries.c.endpoint_id == endpoint_id))).all())
    finally:
        await first.aclose()
        await second.aclose()
    assert statuses == {"delivered": len(events)}
    assert set(sent) == set(events) and set(sent.values()) == {1}, [e for e, n in sent.items() if n > 1]


async def test_a_claimed_delivery_is_not_sent_again_until_its_lease_has_passed(db):
    endpoint_id, events = await endpoint_with_deliveries(db, count=1, keys=1)
    sent: Counter = Counter()
    crashed, survivor = CountingDispatcher(db, sent, {endpoint_id}), CountingDispatcher(db, sent, {endpoint_id})
    try:
        assert [r.event_id for r in await crashed.due()] == events  # claimed, then the worker dies
        assert await survivor.run_once() == 0                        # not the survivor's to send
        async with db.sessions() as session, session.begin():        # the lease runs out
            await session.execute(update(webhook_deliveries).where(webhook_deliveries.c.endpoint_id == endpoint_id)
                                  .values(next_attempt_at=datetime.now(UTC) - timedelta(seconds=1)))
        assert await survivor.run_once() == 1
    finally:
        await crashed.aclose()
        await survivor.aclose()
    assert sent == {events[0]: 1}
