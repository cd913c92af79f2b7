"""Broker failure: the broker goes down while writes stream in, writes go on being acknowledged (they
land in the outbox), the broker comes back, and every acknowledged write's event reaches every
consumer exactly once, with no service restarted by hand. /readyz is red while the broker is down.

On Apache Kafka (CI: KAFKA_PID_FILE from .ci/run) the broker is SIGKILLed and restarted on its data
directory: the whole proof, since its log and the groups' offsets survive the crash. The embedded
Tansu keeps its log in memory only; a SIGKILL would make a new empty cluster (and Tansu acknowledges
produce requests for topics it no longer has), so there it is frozen (SIGSTOP) and thawed: the same
outage for clients (stalled connections, in-flight sends timing out, retries, readiness red) with
the log kept. The embedded run therefore proves outbox durability, readiness and reconnection; the
CI run adds the real crash. See docs/testing.md.
"""

from __future__ import annotations

import asyncio

import httpx
import pytest

from demand_intake.store.tables import DemandFactRow
from failure_kit import (AREA_READERS, WriteStream, all_ready, inbox_counts, metric, note, outbox_rows, present,
                         print_ledger, readiness)
from yizhou.axis_copy import area_copy
from yizhou_platform.testing import eventually

pytestmark = [pytest.mark.reliability, pytest.mark.flow]

PER_PHASE = 30  # answered writes in each phase: before the kill, during the outage, after the restart


async def make_axis(org: str, admin: dict, d: str) -> str:
    async with httpx.AsyncClient(base_url=org, timeout=30) as client:
        for area in ({"code": d, "name": "Outage District", "level": "district"},
                     {"code": f"{d}S", "name": "Outage Street", "level": "subdistrict", "parent_code": d},
                     {"code": f"{d}C", "name": "Outage Community", "level": "community", "parent_code": f"{d}S"}):
            response = await client.post("/api/v1/areas", json=area, headers=admin)
            assert response.status_code == 201, response.text
    return f"{d}C"



async def test_broker_killed_while_writes_stream_in(broker_control, platform_factory, auth, unique_code,
                                                   service_databases, service_env):
    platform = platform_factory({"KAFKA_BOOTSTRAP_SERVERS": broker_control.bootstrap})
    pids = {name: s.process.pid for name, s in platform.services.items()}
    d = unique_code("B")
    admin = auth("district_admin", d)
    community = await make_axis(platform["org-registry"].url, admin, d)

    async def community_everywhere():
        async with httpx.AsyncClient(timeout=10) as client:
            for reader in AREA_READERS:
                r = await client.get(f"{platform[reader].url}/api/v1/areas/{community}", headers=admin)
                assert r.status_code == 200, (reader, r.text)
        return True

    await eventually(community_everywhere, timeout_s=90)
    suffix = service_env["CONSUMER_GROUP_SUFFIX"]
    applied_before = {s: metric(platform[s].url, "events_applied_total", group=s + suffix, event_type="area.created")
                      for s in AREA_READERS}
    demands_applied_before = metric(platform["demand-intake"].url, "events_applied_total",
                                    group="demand-intake" + suffix, event_type="demand.submitted")

    stream = WriteStream(platform["org-registry"].url, platform["demand-intake"].url, admin, d, community)
    stop = asyncio.Event()
    writer = asyncio.create_task(stream.run(stop))
    try:
        await stream.until(PER_PHASE)
        broker_control.fail()
        stream.phase = "outage"

        async def all_red():
            states = await readiness(platform)
            assert all(code == 503 and body["checks"]["broker"] == "down" for code, body in states.values()), states
            return states

        red = await eventually(all_red, timeout_s=60, interval_s=0.5)
        await stream.until(PER_PHASE)
        await asyncio.to_thread(broker_control.recover)
        stream.phase = "after"

        await eventually(lambda: all_ready(platform), timeout_s=120, interval_s=0.5)
        await stream.until(PER_PHASE)
    finally:
        stop.set()
        await writer

    # Every write was acknowledged, during the outage too (the outbox), and none hung.
    assert not stream.refused(), [(w.kind, w.phase, w.status, w.body) for w in stream.refused()]
    areas = [w.key for w in stream.acked("area")]
    demands = [w.key for w in stream.acked("demand")]
    slowest = max(w.seconds for w in stream.writes)

    async with service_databases("org-registry") as org_db, service_databases("demand-intake") as demand_db:
        async def all_published():
            rows = await outbox_rows(org_db, "area.created", set(areas)) + \
                await outbox_rows(demand_db, "demand.submitted", set(demands))
            assert all(r.published_at is not None for r in rows), "outbox rows still unpublished"
            return rows

        published = await eventually(all_published, timeout_s=120, interval_s=0.5)
    area_rows = {r.subject: r for r in published if r.subject in set(areas)}
    demand_rows = {r.aggregate_id: r for r in published if r.aggregate_id in set(demands)}
    assert sorted(area_rows) == sorted(areas) and sorted(demand_rows) == sorted(demands), "acknowledged without outbox row"

    async def arrived(service: str, column, keys: list[str]) -> set[str]:
        async with service_databases(service) as db:
            return await present(db, column, keys)

    for reader in AREA_READERS:
        async def reader_has_all(reader=reader):
            missing = set(areas) - await arrived(reader, area_copy.c.code, areas)
            assert not missing, f"{reader} misses {len(missing)} areas, e.g. {sorted(missing)[:3]}"
            return True

        await eventually(reader_has_all, timeout_s=180, interval_s=0.5)

    async def facts_have_all():
        missing = set(demands) - await arrived("demand-intake", DemandFactRow.demand_id, demands)
        assert not missing, f"demand-intake facts miss {len(missing)} demands"
        return True

    await eventually(facts_have_all, timeout_s=180, interval_s=0.5)

    ledger: dict[str, dict[str, int]] = {}
    for reader in AREA_READERS:
        delivered = await arrived(reader, area_copy.c.code, areas)
        async with service_databases(reader) as db:
            inbox = await inbox_counts(db, reader + suffix, [area_rows[a].event_id for a in delivered])
        applied = metric(platform[reader].url, "events_applied_total", group=reader + suffix,
                         event_type="area.created") - applied_before[reader]
        ledger[f"{reader} <- area.created"] = {
            "sent": len(stream.writes[::2]), "acknowledged": len(areas), "delivered": len(delivered),
            "duplicates": int(applied) - len(delivered), "lost": len(set(areas) - delivered)}
        assert sum(inbox.values()) == len(delivered), f"{reader}: inbox rows do not match the read copy"
    delivered_demands = await arrived("demand-intake", DemandFactRow.demand_id, demands)
    applied = metric(platform["demand-intake"].url, "events_applied_total", group="demand-intake" + suffix,
                     event_type="demand.submitted") - demands_applied_before
    ledger["demand-intake <- demand.submitted"] = {
        "sent": len(stream.writes[1::2]), "acknowledged": len(demands), "delivered": len(delivered_demands),
        "duplicates": int(applied) - len(delivered_demands),
        "lost": len(set(demands) - delivered_demands)}
    print_ledger(f"broker {broker_control.failure} under writes ({broker_control.kind}); {PER_PHASE} writes per phase; "
                 f"slowest write {slowest:.2f}s; /readyz red on all four during the outage", ledger)
    note("   readiness during the outage: " + str({k: v[1]["checks"] for k, v in red.items()}))

    for name, row in ledger.items():
        assert row["lost"] == 0, (name, row)
        assert row["duplicates"] == 0, (name, row)  # an event applied twice shows as more applications than rows
    # Nobody restarted a service: relays and consumers came back by themselves.
    assert {name: s.process.pid for name, s in platform.services.items()} == pids
    assert all(s.process.poll() is None for s in platform.services.values())
