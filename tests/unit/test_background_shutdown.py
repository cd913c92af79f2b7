"""A service stops: its outbox relay ends when cancelled, and neither a background task that will not end
nor a producer that cannot flush (the broker gone) holds the process (lifespan shutdown) hostage."""

import asyncio
import logging
from pathlib import Path

from yizhou.database import Database
from yizhou.messaging_tables import messaging_metadata
from yizhou.relay import OutboxRelay
from yizhou.service_app import Messaging, ServiceParts
from yizhou.settings import ServiceSettings


async def test_the_relay_stops_when_cancelled_just_as_a_commit_wakes_it(tmp_path):
    db = Database(f"sqlite+aiosqlite:///{tmp_path / 'relay.db'}")
    async with db.engine.begin() as conn:
        await conn.run_sync(messaging_metadata.create_all)
    relay = OutboxRelay(db, producer=None, service="test", idle_poll_s=60)
    task = asyncio.create_task(relay.run())
    await asyncio.sleep(0.5)         # waiting for a wake (the outbox is empty)
    relay._wake.set()                # a commit wakes it ...
    await asyncio.sleep(0)           # ... the wait is over,
    await asyncio.sleep(0)           # its result handed on,
    task.cancel()                    # and the stop comes before the relay resumes
    done, _ = await asyncio.wait([task], timeout=5)
    await db.dispose()
    assert done, "the relay swallowed its cancellation and kept running"   # asyncio.wait_for did, on 3.11


async def test_a_task_that_ignores_its_cancellation_is_left_behind_and_named(tmp_path, caplog):
    released = asyncio.Event()

    async def stubborn():
        while not released.is_set():
            try:
                await asyncio.sleep(3600)
            except asyncio.CancelledError:
                continue   # will not stop (until the test lets it)

    parts = ServiceParts(settings=ServiceSettings(YIZHOU_DATA_DIR=tmp_path), title="t", description="",
                         routers=[], migrations=Path("."), area_paths=None)
    messaging = Messaging(parts, db=None)
    task = asyncio.create_task(stubborn(), name="stubborn")
    messaging._tasks.append(task)
    with caplog.at_level(logging.WARNING, logger="yizhou.service_app"):
        await asyncio.wait_for(messaging.stop(grace_s=0.2), 5)
    assert "background task stubborn did not stop within 0.2 s" in caplog.text
    assert not task.done()
    released.set()
    task.cancel()
    await asyncio.wait([task], timeout=5)


async def test_a_producer_that_cannot_flush_does_not_hold_the_process(tmp_path, caplog):
    class BrokerGone:   # aiokafka's stop() with in-flight batches and no broker: retries without end
        async def stop(self):
            await asyncio.sleep(3600)

    parts = ServiceParts(settings=ServiceSettings(YIZHOU_DATA_DIR=tmp_path), title="t", description="",
                         routers=[], migrations=Path("."), area_paths=None)
    messaging = Messaging(parts, db=None)
    messaging.producer = BrokerGone()
    with caplog.at_level(logging.WARNING, logger="yizhou.service_app"):
        await asyncio.wait_for(messaging.stop(grace_s=0.2), 5)
    assert "the producer did not stop within 0.2 s" in caplog.text
