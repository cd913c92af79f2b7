"""Load held: a bounded mixed load (fixed request count AND time limit, loopback only) against the
four services, reporting errors (the goal is 0) and latency percentiles next to a baseline measured
in the same run on the same services: GET /healthz at the same concurrency (the HTTP stack's floor).
After the load it waits (bounded) until every acknowledged write's event was applied downstream.

    python bench/load.py                      # starts its own platform (embedded broker, SQLite)
    python bench/load.py --requests 2000 --seconds 60 --concurrency 16
    python bench/load.py --running            # against `yizhou run` on 127.0.0.1:8001-8004

With KAFKA_BOOTSTRAP_SERVERS / DATABASE_URL set, its own platform uses those servers. Not part of
the test pass: figures are printed (and written with --json), never asserted.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import secrets
import random
import sys
import tempfile
import time
import uuid
from collections import Counter
from pathlib import Path

import httpx

sys.path.insert(0, str(Path(__file__).resolve().parent))
from common import Result, broker, percentile, write  # noqa: E402

from yizhou.auth import mint_token  # noqa: E402
from yizhou_platform.embedded_broker import free_port  # noqa: E402
from yizhou_platform.launcher import SERVICES, Platform  # noqa: E402

SECRET = os.environ.get("JWT_SECRET") or secrets.token_urlsafe(48)  # the services this run starts get it
LOOPBACK = ("127.0.0.1", "localhost", "[::1]")


class Load:
    def __init__(self, urls: dict[str, str], district: str, concurrency: int) -> None:
        for url in urls.values():  # this bench only ever sends to this machine
            assert httpx.URL(url).host in LOOPBACK, f"{url} is not a loopback address"
        self.urls = urls
        self.d = district
        self.concurrency = concurrency
        self.admin = {"Authorization": f"Bearer {mint_token(SECRET, role='district_admin', area=district)}"}
        self.worker = {"Authorization": f"Bearer {mint_token(SECRET, role='community_worker', area=f'{district}C')}"}
        self.latencies: dict[str, list[float]] = {}
        self.statuses: Counter = Counter()
        self.errors: list[str] = []
        self.acked: Counter = Counter()
        self._n = 0

    async def axis(self, client: httpx.AsyncClient) -> None:
        d = self.d
        for area in ({"code": d, "name": "Load District", "level": "district"},
                     {"code": f"{d}S", "name": "Load Street", "level": "subdistrict", "parent_code": d},
                     {"code": f"{d}C", "name": "Load Community", "level": "community", "parent_code": f"{d}S"}):
            r = await client.post(f"{self.urls['org-registry']}/api/v1/areas", json=area, headers=self.admin)
            r.raise_for_status()
        deadline = time.monotonic() + 90
        while time.monotonic() < deadline:  # the community must reach demand-intake's read copy first
            r = await client.get(f"{self.urls['demand-intake']}/api/v1/areas/{d}C", headers=self.admin)
            if r.status_code == 200:
                return
            await asyncio.sleep(0.2)
        raise TimeoutError("the axis did not reach demand-intake")

    def _request(self) -> tuple[str, str, str, dict | None, dict]:
        self._n += 1
        roll = random.random()
        d = self.d
        if roll < 0.35:
            return ("submit demand", "POST", f"{self.urls['demand-intake']}/api/v1/demands", {
                "channel": "hotline", "category": "elderly_care", "urgency": "normal",
                "description": f"负载测试诉求 {uuid.uuid4().hex[:8]}", "area_code": f"{d}C"}, self.worker)
        if roll < 0.45:
            code = f"{d}G{self._n:06d}"
            return ("create area", "POST", f"{self.urls['org-registry']}/api/v1/areas",
                    {"code": code, "name": f"Grid {code}", "level": "grid", "parent_code": f"{d}C"}, self.admin)
        if roll < 0.75:
            return ("list demands", "GET", f"{self.urls['demand-intake']}/api/v1/demands?limit=20", None, self.worker)
        service = random.choice([s for s in self.urls if s != "org-registry"] or ["org-registry"])
        return ("read area", "GET", f"{self.urls[service]}/api/v1/areas/{d}C", None, self.worker)

    async def run(self, requests: int, seconds: float, picker) -> float:
        """`requests` calls at most, `seconds` at most, `concurrency` in flight; returns the elapsed time."""
        remaining = [requests]
        deadline = time.monotonic() + seconds
        limits = httpx.Limits(max_connections=self.concurrency * 2, max_keepalive_connections=self.concurrency * 2)
        async with httpx.AsyncClient(timeout=30, limits=limits) as client:
            async def worker():
                while remaining[0] > 0 and time.monotonic() < deadline:
                    remaining[0] -= 1
                    name, method, url, body, headers = picker()
                    started = time.perf_counter()
                    try:
                        r = await client.request(method, url, json=body, headers=headers)
                        status = r.status_code
                    except httpx.HTTPError as exc:
                        status, r = type(exc).__name__, None
                    self.latencies.setdefault(name, []).append(time.perf_counter() - started)
                    self.statuses[(name, status)] += 1
                    if r is None or r.status_code >= 300:
                        self.errors.append(f"{name}: {status} {r.text[:200] if r is not None else ''}")
                    elif method == "POST":
                        self.acked[name] += 1

            started = time.monotonic()
            await asyncio.gather(*(worker() for _ in range(self.concurrency)))
            return time.monotonic() - started


async def applied(client: httpx.AsyncClient, url: str, event_type: str) -> float:
    text = (await client.get(f"{url}/metrics")).text
    return sum(float(line.rsplit(" ", 1)[1]) for line in text.splitlines()
               if line.startswith("events_applied_total{") and f'event_type="{event_type}"' in line)


async def measure(urls: dict[str, str], args) -> list[Result]:
    d = f"L{uuid.uuid4().hex[:8].upper()}"
    load = Load(urls, d, args.concurrency)
    async with httpx.AsyncClient(timeout=30) as client:
        await load.axis(client)
        before = {"area": await applied(client, urls["project-matching"], "area.created"),
                  "demand": await applied(client, urls["demand-intake"], "demand.submitted")}

    # Baseline: the same services' cheapest endpoint at the same concurrency.
    base = Load(urls, d, args.concurrency)
    health = [f"{u}/healthz" for u in urls.values()]
    base_time = await base.run(args.requests, args.seconds,
                               lambda: ("healthz", "GET", random.choice(health), None, {}))
    elapsed = await load.run(args.requests, args.seconds, load._request)

    # Every acknowledged write's event applied downstream (bounded wait; reported, not asserted).
    wait_until = time.monotonic() + args.settle_seconds
    async with httpx.AsyncClient(timeout=30) as client:
        while True:
            areas = await applied(client, urls["project-matching"], "area.created") - before["area"]
            demands = await applied(client, urls["demand-intake"], "demand.submitted") - before["demand"]
            if (areas >= load.acked["create area"] and demands >= load.acked["submit demand"]) or time.monotonic() > wait_until:
                break
            await asyncio.sleep(0.5)

    all_lat = [x for v in load.latencies.values() for x in v]
    base_lat = base.latencies.get("healthz", [])
    sent = sum(load.statuses.values())
    print(f"\nload: {sent} requests in {elapsed:.1f}s at concurrency {args.concurrency} "
          f"({sent / elapsed:.0f} req/s); errors: {len(load.errors)}")
    for name, values in sorted(load.latencies.items()):
        codes = {s: n for (k, s), n in load.statuses.items() if k == name}
        print(f"  {name:14} n={len(values):5}  p50 {percentile(values, 50) * 1000:7.1f} ms  "
              f"p99 {percentile(values, 99) * 1000:7.1f} ms  statuses {codes}")
    print(f"  baseline GET /healthz: n={len(base_lat)} in {base_time:.1f}s, p50 {percentile(base_lat, 50) * 1000:.1f} ms, "
          f"p99 {percentile(base_lat, 99) * 1000:.1f} ms")
    print(f"  downstream: {int(areas)}/{load.acked['create area']} area.created applied by project-matching, "
          f"{int(demands)}/{load.acked['submit demand']} demand.submitted applied by demand-intake")
    for e in load.errors[:10]:
        print("  error:", e)
    return [
        # Ratio = the error rate (errors per request sent).
        Result("load", "errors (goal 0)", float(len(load.errors)), "count", "requests sent", float(sent), True,
               "errors = 0", len(load.errors) == 0),
        Result("load", f"p99 all requests (c={args.concurrency})", percentile(all_lat, 99) * 1000, "ms",
               "p99 GET /healthz", percentile(base_lat, 99) * 1000, False),
        Result("load", "throughput", sent / elapsed, "req/s", "GET /healthz", len(base_lat) / base_time, True),
        Result("load", "writes applied downstream", float(areas + demands), "events", "writes acknowledged",
               float(load.acked["create area"] + load.acked["submit demand"]), True, "all",
               areas + demands >= load.acked["create area"] + load.acked["submit demand"]),
    ]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--requests", type=int, default=1500, help="at most this many requests (and as many baseline)")
    parser.add_argument("--seconds", type=float, default=45, help="at most this long for each of load and baseline")
    parser.add_argument("--concurrency", type=int, default=8)
    parser.add_argument("--settle-seconds", type=float, default=60, help="bounded wait for downstream delivery")
    parser.add_argument("--running", action="store_true", help="use the services on 127.0.0.1:8001-8004")
    parser.add_argument("--json", help="write the results here")
    args = parser.parse_args()
    if args.running:
        urls = {s.name: f"http://127.0.0.1:{s.default_port}" for s in SERVICES}
        results = asyncio.run(measure(urls, args))
    else:
        with broker() as (bootstrap, kind), tempfile.TemporaryDirectory(prefix="yizhou-load-") as data:
            print(f"platform: {kind}, {'PostgreSQL' if os.environ.get('DATABASE_URL') else 'SQLite'}")
            env = {"JWT_SECRET": SECRET, "LOG_JSON": "false", "CONSUMER_GROUP_SUFFIX": f"-load-{uuid.uuid4().hex[:6]}",
                   # capacity is measured, not the per-token ceilings (one admin token sends the whole load)
                   "RATE_LIMIT_TOKEN_WRITES_PER_MINUTE": "0", "RATE_LIMIT_TOKEN_READS_PER_MINUTE": "0"}
            platform = Platform(bootstrap=bootstrap, data_dir=Path(data),
                                ports={s.name: free_port() for s in SERVICES}, extra_env=env)
            platform.start()
            try:
                results = asyncio.run(measure({n: s.url for n, s in platform.services.items()}, args))
            finally:
                platform.stop()
    write(results, args.json)
    return 0


if __name__ == "__main__":
    sys.exit(main())
