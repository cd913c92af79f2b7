"""Database failure (PostgreSQL only): the server is stopped (immediate shutdown, as in a crash) for
some seconds while writes stream in. Writes answer 503 problem+json at once instead of hanging or
failing with a 500, /readyz turns red, and once the server is back everything recovers by itself:
writes are acknowledged again and every acknowledged write's events reach every consumer once. A
refused write is sent once more after the outage, as a client does: one refused while the server went
down may have committed (in doubt), and the retry (Idempotency-Key, or the area's code) says so."""

from __future__ import annotations

import asyncio

import pytest

from demand_intake.store.tables import DemandFactRow
from failure_kit import (AREA_READERS, WriteStream, all_ready, inbox_counts, make_axis, metric, note, outbox_rows,
                         present, print_ledger, readiness, wait_for_read_copies)
from yizhou.axis_copy import area_copy
from yizhou_platform.testing import eventually

pytestmark = [pytest.mark.reliability, pytest.mark.flow]

PER_PHASE = 30



async def test_database_stopped_under_writes(postgres_control, platform_factory, auth, unique_code,
                                            service_databases, service_env):
    platform = platform_factory()
    pids = {name: s.process.pid for name, s in platform.services.items()}
    d = unique_code("Q")
    admin = auth("district_admin", d)
    community = await make_axis(platform["org-registry"].url, admin, d)
    await wait_for_read_copies(platform, admin, community, AREA_READERS)
    suffix = service_env["CONSUMER_GROUP_SUFFIX"]
    applied_before = {s: metric(platform[s].url, "events_applied_total", group=s + suffix, event_type="area.created")
                      for s in AREA_READERS}
    demands_before = metric(platform["demand-intake"].url, "events_applied_total", group="demand-intake" + suffix,
                            event_type="demand.submitted")

    stream = WriteStream(platform["org-registry"].url, platform["demand-intake"].url, admin, d, community)
    stop = asyncio.Event()
    writer = asyncio.create_task(stream.run(stop))
    stopped = False
    try:
        await stream.until(PER_PHASE)
        stream.phase = "outage"
        await asyncio.to_thread(postgres_control.stop)
        stopped = True

        async def all_red():
            states = await readiness(platform)
            assert all(code == 503 and body["checks"]["database"] != "ok" for code, body in states.values()), states
            return states

        red = await eventually(all_red, timeout_s=60, interval_s=0.5)
        await stream.until(PER_PHASE)
        await asyncio.to_thread(postgres_control.start)
        stopped = False
        stream.phase = "after"

        await eventually(lambda: all_ready(platform), timeout_s=120, interval_s=0.5)
        await stream.until(PER_PHASE)
    finally:
        stop.set()
        await writer
        if stopped:
            postgres_control.start()

    refusals = [w for w in stream.writes if w.status not in (200, 201)]
    # While the database is down a write is refused cleanly: 503 problem+json `unavailable`, never a 500 or a hang.
    bad = [(w.kind, w.status, w.body) for w in stream.writes
           if w.status not in (200, 201) and not (w.status == 503 and w.body and
                                                  w.body.get("type") == "urn:yizhou:problem:unavailable")]
    assert not bad, bad
    assert refusals, "no write met the outage"
    assert not [w for w in stream.writes if w.phase == "after" and w.status != 201], "writes did not recover"
    await stream.resolve()
    assert not [w for w in refusals if w.resolved not in (200, 201)], [(w.kind, w.resolved) for w in refusals]

    areas, demands = [w.key for w in stream.acked("area")], [w.key for w in stream.acked("demand")]
    async with service_databases("org-registry") as org_db, service_databases("demand-intake") as demand_db:
        rows = await outbox_rows(org_db, "area.created", set(areas)) + \
            await outbox_rows(demand_db, "demand.submitted", set(demands))
    ids = {(r.subject if r.subject in set(areas) else r.aggregate_id): r.event_id for r in rows}
    assert set(ids) == set(areas) | set(demands), "an acknowledged write has no outbox row"

    async def arrived(service, column, keys):
        async with service_databases(service) as db:
            return await present(db, column, keys)

    async def all_delivered():
        for reader in AREA_READERS:
            missing = set(areas) - await arrived(reader, area_copy.c.code, areas)
            assert not missing, f"{reader} misses {len(missing)} areas"
        missing = set(demands) - await arrived("demand-intake", DemandFactRow.demand_id, demands)
        assert not missing, f"demand-intake facts miss {len(missing)} demands"
        return True

    await eventually(all_delivered, timeout_s=180, interval_s=0.5)
    ledger = {}
    for reader in AREA_READERS:
        async with service_databases(reader) as db:
            inbox = await inbox_counts(db, reader + suffix, [ids[a] for a in areas])
        applied = metric(platform[reader].url, "events_applied_total", group=reader + suffix,
                         event_type="area.created") - applied_before[reader]
        ledger[f"{reader} <- area.created"] = {
            "sent": len(stream.writes[::2]), "acknowledged": len(areas),
            "refused": sum(1 for w in refusals if w.kind == "area"), "delivered": sum(inbox.values()),
            "duplicates": int(applied) - len(areas), "lost": len(areas) - sum(inbox.values())}
    applied = metric(platform["demand-intake"].url, "events_applied_total", group="demand-intake" + suffix,
                     event_type="demand.submitted") - demands_before
    delivered = len(await arrived("demand-intake", DemandFactRow.demand_id, demands))
    ledger["demand-intake <- demand.submitted"] = {
        "sent": len(stream.writes[1::2]), "acknowledged": len(demands),
        "refused": sum(1 for w in refusals if w.kind == "demand"), "delivered": delivered,
        "duplicates": int(applied) - len(demands), "lost": len(demands) - delivered}
    slowest = max(w.seconds for w in refusals)
    print_ledger(f"PostgreSQL stopped (immediate) under writes; {len(refusals)} writes refused with 503 during the "
                 f"outage, slowest refusal {slowest:.2f}s", ledger)
    note("   readiness during the outage: " + str({k: v[1]["checks"] for k, v in red.items()}))
    for name, row in ledger.items():
        assert row["lost"] == 0 and row["duplicates"] == 0, (name, row)
    assert {name: s.process.pid for name, s in platform.services.items()} == pids, "a service had to be restarted"
