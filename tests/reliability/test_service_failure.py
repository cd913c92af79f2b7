"""Service failure: a publisher killed between its database commit and the publish of its outbox
rows, and a consumer killed in the middle of a batch. After a restart nothing is lost or doubled."""

from __future__ import annotations

import asyncio
import time
from datetime import UTC, datetime
from pathlib import Path

import httpx
import pytest
from sqlalchemy import func, select, text

from demand_intake.store.tables import DemandFactRow
from failure_kit import (WriteStream, inbox_counts, make_axis, metric, outbox_rows, present, print_ledger,
                         wait_for_read_copies)
from yizhou.axis_copy import area_copy
from yizhou_platform.testing import eventually

pytestmark = [pytest.mark.reliability, pytest.mark.flow]


async def test_publishers_killed_between_commit_and_publish(platform_factory, auth, unique_code, service_databases,
                                                           service_env):
    platform = platform_factory()
    d = unique_code("P")
    admin = auth("district_admin", d)
    community = await make_axis(platform["org-registry"].url, admin, d)
    await wait_for_read_copies(platform, admin, community, ("demand-intake", "project-matching", "dual-registration"))
    suffix = service_env["CONSUMER_GROUP_SUFFIX"]
    untouched = ("project-matching", "dual-registration")  # consumers that run through the whole test
    applied_before = {s: metric(platform[s].url, "events_applied_total", group=s + suffix, event_type="area.created")
                      for s in untouched}

    # Both publishers restart with their relay off: every write commits its outbox row and nothing publishes,
    # which holds the window between commit and publish open for as long as the test needs.
    for name in ("org-registry", "demand-intake"):
        platform[name].kill()
        platform[name].start({"OUTBOX_RELAY_ENABLED": "false"})
    for name in ("org-registry", "demand-intake"):
        platform[name].wait_healthy()
    stream = WriteStream(platform["org-registry"].url, platform["demand-intake"].url, admin, d, community)
    stop = asyncio.Event()
    writer = asyncio.create_task(stream.run(stop))
    await stream.until(60)
    stop.set()
    await writer
    assert not stream.refused(), [(w.kind, w.status, w.body) for w in stream.refused()]
    areas, demands = [w.key for w in stream.acked("area")], [w.key for w in stream.acked("demand")]

    async with service_databases("org-registry") as org_db, service_databases("demand-intake") as demand_db:
        unpublished = [r for r in await outbox_rows(org_db, "area.created", set(areas)) +
                       await outbox_rows(demand_db, "demand.submitted", set(demands)) if r.published_at is None]
    assert len(unpublished) == len(areas) + len(demands), "every acknowledged write is committed and not yet published"
    for name in ("org-registry", "demand-intake"):
        platform[name].kill()  # SIGKILL with the rows committed and unpublished
        platform[name].start()
    for name in ("org-registry", "demand-intake"):
        platform[name].wait_healthy()

    async def arrived(service, column, keys):
        async with service_databases(service) as db:
            return await present(db, column, keys)

    async def all_delivered():
        for reader in ("demand-intake", *untouched):
            missing = set(areas) - await arrived(reader, area_copy.c.code, areas)
            assert not missing, f"{reader} misses {len(missing)} areas"
        missing = set(demands) - await arrived("demand-intake", DemandFactRow.demand_id, demands)
        assert not missing, f"demand-intake facts miss {len(missing)} demands"
        return True

    await eventually(all_delivered, timeout_s=120, interval_s=0.5)
    ids = {r.subject if r.subject in set(areas) else r.aggregate_id: r.event_id for r in unpublished}
    ledger = {}
    for reader in ("demand-intake", *untouched):
        async with service_databases(reader) as db:
            inbox = await inbox_counts(db, reader + suffix, [ids[a] for a in areas])
        # Processes that ran throughout count their applications; the restarted one is checked by its inbox.
        applied = (metric(platform[reader].url, "events_applied_total", group=reader + suffix,
                          event_type="area.created") - applied_before[reader]) if reader in untouched else sum(inbox.values())
        ledger[f"{reader} <- area.created"] = {"sent": len(stream.writes[::2]), "acknowledged": len(areas),
                                               "delivered": sum(inbox.values()), "duplicates": int(applied) - len(areas),
                                               "lost": len(areas) - sum(inbox.values())}
    async with service_databases("demand-intake") as db:
        inbox = await inbox_counts(db, "demand-intake" + suffix, [ids[k] for k in demands])
        async with db.connect() as conn:
            facts = (await conn.execute(select(func.count()).select_from(DemandFactRow.__table__).where(
                DemandFactRow.demand_id.in_(demands)))).scalar_one()
    ledger["demand-intake <- demand.submitted"] = {"sent": len(stream.writes[1::2]), "acknowledged": len(demands),
                                                   "delivered": facts, "duplicates": sum(inbox.values()) - facts,
                                                   "lost": len(demands) - facts}
    async with service_databases("org-registry") as org_db, service_databases("demand-intake") as demand_db:
        republished = [r for r in await outbox_rows(org_db, "area.created", set(areas)) +
                       await outbox_rows(demand_db, "demand.submitted", set(demands))]
    print_ledger(f"org-registry and demand-intake SIGKILLed with {len(unpublished)} committed, unpublished outbox rows",
                 ledger)
    assert all(r.published_at is not None for r in republished)
    for name, row in ledger.items():
        assert row["lost"] == 0 and row["duplicates"] == 0, (name, row)


async def _consumer_waits_mid_batch(db, log_path: Path, log_offset: int, is_postgres: bool) -> str:
    """How the test knows the consumer is inside its batch: on PostgreSQL its transaction (holding the
    batch's first rows) waits on the row lock the test holds; on SQLite the batch waits for the write
    lock and its per-record retry says so in the log."""
    if is_postgres:
        async def waiting():
            async with db.connect() as conn:
                return (await conn.execute(text(
                    "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() "
                    "AND wait_event_type = 'Lock' AND pid <> pg_backend_pid()"))).scalar_one()

        await eventually(waiting, timeout_s=120, interval_s=0.2)
        return "its open transaction had applied part of the batch and was waiting on a row lock"

    async def retrying():
        with open(log_path, "rb") as log:
            log.seek(log_offset)
            return b"not applied yet" in log.read()

    await eventually(retrying, timeout_s=120, interval_s=0.5)
    return "it had fetched the batch and was retrying its first write against the held write lock"


async def test_consumer_killed_in_the_middle_of_a_batch(platform_factory, auth, unique_code, service_databases,
                                                       service_env):
    platform = platform_factory()
    d = unique_code("M")
    admin = auth("district_admin", d)
    community = await make_axis(platform["org-registry"].url, admin, d)
    victim = platform["project-matching"]
    await wait_for_read_copies(platform, admin, community, ("project-matching",))
    suffix = service_env["CONSUMER_GROUP_SUFFIX"]

    # A backlog while the consumer is down, so that it comes back to one big batch.
    victim.kill()
    count = 120
    codes = [f"{d}G{i:04d}" for i in range(count)]
    async with httpx.AsyncClient(base_url=platform["org-registry"].url, timeout=30) as org:
        for code in codes:
            r = await org.post("/api/v1/areas", json={"code": code, "name": f"Grid {code}", "level": "grid",
                                                      "parent_code": community}, headers=admin)
            assert r.status_code == 201, r.text
    async with service_databases("org-registry") as org_db:
        ids = {r.subject: r.event_id for r in await outbox_rows(org_db, "area.created", set(codes))}

    async with service_databases("project-matching") as db:
        is_postgres = db.dialect.name == "postgresql"
        blocker = await db.connect()
        blocking = await blocker.begin()
        # The test's uncommitted row for an area in the middle of the backlog: the consumer's batch blocks there.
        middle = codes[count // 2]
        await blocker.execute(area_copy.insert().values(code=middle, name="held", level="grid", parent_code=community,
                                                        path=f"/{d}/{d}S/{community}/{middle}/", retired=False,
                                                        updated_at=datetime.now(UTC)))
        started = time.monotonic()
        log_offset = victim.log_path.stat().st_size if victim.log_path.exists() else 0
        victim.start()
        try:
            where = await _consumer_waits_mid_batch(db, victim.log_path, log_offset, is_postgres)
            inbox_at_kill = sum((await inbox_counts(db, "project-matching" + suffix, list(ids.values()))).values())
            victim.kill()  # SIGKILL inside the batch
        finally:
            await blocking.rollback()
            await blocker.close()
        victim.start()
        victim.wait_healthy()

        async def caught_up():
            missing = set(codes) - await present(db, area_copy.c.code, codes)
            assert not missing, f"{len(missing)} areas missing"
            return True

        await eventually(caught_up, timeout_s=120, interval_s=0.5)
        inbox = await inbox_counts(db, "project-matching" + suffix, list(ids.values()))
        async with db.connect() as conn:
            rows = (await conn.execute(select(func.count()).select_from(area_copy).where(
                area_copy.c.code.in_(codes)))).scalar_one()
    applied = metric(victim.url, "events_applied_total", group="project-matching" + suffix, event_type="area.created")
    print_ledger(f"project-matching SIGKILLed mid-batch ({where}; {time.monotonic() - started:.0f}s); "
                 f"committed inbox rows at the kill: {inbox_at_kill}",
                 {"project-matching <- area.created": {"sent": count, "acknowledged": count, "delivered": rows,
                                                       "duplicates": int(applied) - count + inbox_at_kill,
                                                       "lost": count - sum(inbox.values())}})
    assert inbox_at_kill == 0, "the batch was committed before the kill: it was not killed in the middle"
    assert rows == count and sum(inbox.values()) == count and set(inbox.values()) == {1}
    # The restarted process applied the whole batch exactly once: nothing of the killed transaction survived.
    assert applied == count


def test_a_platform_that_cannot_start_leaves_no_service_running(service_env, tmp_path):
    """One service failing at start (here: a database URL no driver knows) stops the others too: left
    running, they kept consuming and publishing against the next run's broker and databases."""
    from yizhou_platform.embedded_broker import free_port
    from yizhou_platform.launcher import SERVICES, Platform

    platform = Platform(bootstrap=service_env["KAFKA_BOOTSTRAP_SERVERS"], data_dir=tmp_path,
                        ports={s.name: free_port() for s in SERVICES},
                        extra_env={**service_env, "ORG_REGISTRY_DATABASE_URL": "nodriver://nowhere/x"})
    with pytest.raises(RuntimeError, match="org-registry exited"):
        platform.start()
    running = [name for name, service in platform.services.items() if service.process.poll() is None]
    assert running == []
