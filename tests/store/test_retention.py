"""The platform's own tables do not grow forever (yizhou.retention): published outbox rows, inbox rows,
idempotency keys and finished webhook deliveries past their window are purged in batches; what is still
needed (an unpublished outbox row, a pending delivery, anything inside its window) stays."""

import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from prometheus_client import REGISTRY
from sqlalchemy import func, select

import org_registry
from org_registry.settings import Settings
from yizhou.database import Database
from yizhou.idempotency import idempotency_keys
from yizhou.messaging_tables import inbox, outbox
from yizhou.migrations import upgrade_to_head
from yizhou.retention import messaging_rules, purge_all
from yizhou.webhooks.delivery import delivery_log_rules
from yizhou.webhooks.tables import partner_endpoints, webhook_deliveries
from yizhou_platform.testing import eventually, serve, service_app

NOW = datetime(2026, 12, 4, 8, 0, tzinfo=UTC)
DAY = timedelta(days=1)


@pytest.fixture
async def db(make_settings):
    database = Database(make_settings(Settings).resolved_database_url)
    await upgrade_to_head(database.engine, Path(org_registry.__file__).parent / "migrations")
    yield database
    await database.dispose()


def outbox_row(run: str, n: int, *, occurred: datetime, published: datetime | None) -> dict:
    return {"event_id": f"{run}-{n}", "topic": "t", "event_type": "x", "source": "s", "subject": run,
            "aggregate_id": run, "data": {}, "occurred_at": occurred, "published_at": published}


async def count(db, table, condition) -> int:
    async with db.sessions() as session:
        return (await session.execute(select(func.count()).select_from(table).where(condition))).scalar_one()


async def test_each_table_keeps_its_window_and_loses_the_rest(db, make_settings):
    run = uuid.uuid4().hex[:12]
    settings = make_settings(Settings, outbox_retention_days=7, inbox_retention_days=30,
                             idempotency_key_retention_hours=48, webhook_delivery_retention_days=30)
    endpoint = f"e-{run}"
    async with db.sessions() as session, session.begin():
        # 25 published long ago (three batches of 10), 3 published yesterday, 2 never published (old).
        await session.execute(outbox.insert(), [outbox_row(run, n, occurred=NOW - 9 * DAY, published=NOW - 8 * DAY)
                                                for n in range(25)]
                              + [outbox_row(run, 100 + n, occurred=NOW - DAY, published=NOW - DAY) for n in range(3)]
                              + [outbox_row(run, 200 + n, occurred=NOW - 40 * DAY, published=None) for n in range(2)])
        await session.execute(inbox.insert(), [{"consumer": run, "event_id": f"i{n}", "event_type": "x", "topic": "t",
                                                "received_at": NOW - (31 if n < 12 else 29) * DAY} for n in range(15)])
        await session.execute(idempotency_keys.insert(), [
            {"caller": run, "key": f"k{n}", "request_hash": "h", "status_code": 201, "response": {},
             "created_at": NOW - timedelta(hours=49 if n < 4 else 47)} for n in range(6)])
        await session.execute(partner_endpoints.insert().values(
            id=endpoint, partner="p", url="https://partner.example/hook", secret="s" * 32, event_types=["*"],
            area_path="/D/", owner_subject="p", active=True, created_at=NOW - 60 * DAY))
        deliveries = [("delivered", 40), ("dead", 35), ("cancelled", 31), ("dropped", 45), ("delivered", 2),
                      ("pending", 50)]
        await session.execute(webhook_deliveries.insert(), [
            {"endpoint_id": endpoint, "event_id": f"w{n}", "event_type": "x", "ordering_key": "k", "body": "{}",
             "occurred_at": NOW - age * DAY, "status": status, "attempts": 1, "next_attempt_at": NOW - age * DAY,
             "delivered_at": NOW - age * DAY if status == "delivered" else None}
            for n, (status, age) in enumerate(deliveries)])

    before = REGISTRY.get_sample_value("retention_purged_rows_total", {"service": "org-registry", "table": "outbox"}) or 0
    rules = messaging_rules(settings) + delivery_log_rules(settings)
    purged = await purge_all(db, rules, NOW, batch=10, service="org-registry")

    assert purged["outbox"] >= 25 and purged["inbox"] >= 12 and purged["idempotency_keys"] >= 4
    assert purged["webhook_deliveries"] >= 4
    assert await count(db, outbox, outbox.c.subject == run) == 5          # yesterday's and the unpublished
    assert await count(db, outbox, (outbox.c.subject == run) & outbox.c.published_at.is_(None)) == 2
    assert await count(db, inbox, inbox.c.consumer == run) == 3
    assert await count(db, idempotency_keys, idempotency_keys.c.caller == run) == 2
    left = await count(db, webhook_deliveries, webhook_deliveries.c.endpoint_id == endpoint)
    assert left == 2                                                       # the recent one and the pending one
    assert await count(db, webhook_deliveries, (webhook_deliveries.c.endpoint_id == endpoint)
                       & (webhook_deliveries.c.status == "pending")) == 1
    after = REGISTRY.get_sample_value("retention_purged_rows_total", {"service": "org-registry", "table": "outbox"})
    assert after - before == purged["outbox"]

    again = await purge_all(db, rules, NOW, batch=10, service="org-registry")
    assert await count(db, outbox, outbox.c.subject == run) == 5 and again["outbox"] == 0


async def test_zero_keeps_a_table_forever(make_settings):
    settings = make_settings(Settings, outbox_retention_days=0, inbox_retention_days=0,
                             idempotency_key_retention_hours=0, webhook_delivery_retention_days=0)
    assert messaging_rules(settings) == [] and delivery_log_rules(settings) == []


async def test_the_worker_purges_on_its_own(make_settings):
    """Wired in: every service's worker runs the retention pass (`ServiceParts`), on its interval."""
    create_app, settings_class = service_app("dual-registration")
    settings = make_settings(settings_class, retention_interval_s=0.2, inbox_retention_days=1)
    run = uuid.uuid4().hex[:12]
    async with serve(create_app(settings)) as client:
        db = client.app_state.db
        async with db.sessions() as session, session.begin():
            await session.execute(inbox.insert(), [{"consumer": run, "event_id": f"i{n}", "event_type": "x", "topic": "t",
                                                    "received_at": datetime.now(UTC) - timedelta(hours=48 if n == 0 else 1)}
                                                   for n in range(2)])

        async def only_the_recent_one_left():
            assert await count(db, inbox, inbox.c.consumer == run) == 1
            return True
        await eventually(only_the_recent_one_left, timeout_s=20)
