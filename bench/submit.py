"""Demand submit through the real demand-intake app vs a bare FastAPI endpoint doing one insert.

    python bench/submit.py [--seconds 20] [--rate 200] [--concurrency 32] [--quick] [--json out.json]

Reported: max requests/s at a fixed concurrency, p50/p99 at the fixed rate, and p99 at half of
demand-intake's measured max (its latency when not overloaded).

demand-intake runs as Compose deploys it: one API process (`PROCESS_ROLE=api`) and one worker process
(`PROCESS_ROLE=worker`) on one database, the worker publishing every submit's event and applying it to
the rates read model meanwhile; after the load the bench waits until the worker has published and
applied everything (so no work was only put off). It also runs as one process doing both (`make run`'s
shape), reported on lines of its own. Every app runs as `uvicorn --factory`, one process, on 127.0.0.1,
on the same database kind (DATABASE_URL's server, or a SQLite file) with the same driver. A submit:
validate the body, check role and area scope, look for duplicates in the community, insert the demand,
its two deadline clocks, its history line and the outbox row in one transaction. The bare app parses a
body and inserts one row. The load generator (httpx, asyncio, this process) drives each app twice: open
loop at a fixed rate (latency measured from each request's scheduled time, so a stalled server is not
hidden by a client that waits) and closed loop at a fixed concurrency (the maximum requests/s).
"""

from __future__ import annotations

import argparse
import asyncio
import gc
import os
import secrets
import random
import subprocess
import sys
import tempfile
import time
import uuid
from collections import Counter
from datetime import UTC, datetime
from pathlib import Path

import httpx
from common import Result, broker, database_url, percentile, recreated, write
from pydantic import BaseModel
from sqlalchemy import Column, MetaData, String, Table, Text, text

from yizhou.auth import mint_token
from yizhou.columns import UtcDateTime
from yizhou_platform.embedded_broker import free_port

HERE = Path(__file__).resolve().parent
SECRET = os.environ.get("JWT_SECRET") or secrets.token_urlsafe(48)  # the services this run starts get it
COMMUNITIES = 100
DESCRIPTIONS = ["楼道灯坏了，晚上看不见", "小区门口路面塌陷，需要修补", "独居老人需要上门助餐", "垃圾清运不及时，有异味",
                "停车位被长期占用", "雨后地下室积水", "健身器材损坏有安全隐患", "噪音扰民，夜间施工"]

# --- the bare app (run in its own uvicorn process: `submit:create_bare_app`) -------------------

bare_metadata = MetaData()
bare_demands = Table("bare_demands", bare_metadata,
                     Column("id", String(36), primary_key=True), Column("category", String(64)),
                     Column("area_code", String(32)), Column("description", Text), Column("submitted_at", UtcDateTime))


class BareDemandIn(BaseModel):
    channel: str
    category: str
    urgency: str = "normal"
    description: str
    area_code: str


def create_bare_app():
    """One insert per request, nothing else: the floor the real submit path is compared with."""
    from contextlib import asynccontextmanager

    from fastapi import FastAPI
    from yizhou.database import make_engine

    engine = make_engine(os.environ["BARE_DATABASE_URL"])  # the platform's engine: same driver, pool, pragmas

    @asynccontextmanager
    async def lifespan(app):
        async with engine.begin() as conn:
            await conn.run_sync(bare_metadata.create_all)
        yield
        await engine.dispose()

    app = FastAPI(lifespan=lifespan)

    @app.get("/healthz")
    async def healthz():
        return {"status": "ok"}

    @app.post("/api/v1/demands", status_code=201)
    async def submit(body: BareDemandIn):
        row = {"id": str(uuid.uuid4()), "category": body.category, "area_code": body.area_code,
               "description": body.description, "submitted_at": datetime.now(UTC)}
        async with engine.begin() as conn:
            await conn.execute(bare_demands.insert().values(**row))
        return {"id": row["id"]}

    return app


# --- running the two apps ----------------------------------------------------------------------

class Server:
    def __init__(self, target: str, env: dict[str, str], log: Path) -> None:
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.log = log.open("w")
        self.process = subprocess.Popen(
            [sys.executable, "-m", "uvicorn", target, "--factory", "--host", "127.0.0.1", "--port", str(self.port),
             "--log-level", "warning", "--no-access-log", "--app-dir", str(HERE)],
            env={**os.environ, **env}, stdout=self.log, stderr=subprocess.STDOUT)

    async def ready(self, timeout: float = 120) -> None:
        deadline = time.monotonic() + timeout
        async with httpx.AsyncClient(timeout=5) as client:
            while time.monotonic() < deadline:
                if self.process.poll() is not None:
                    raise RuntimeError(f"server exited; see {self.log.name}")
                try:
                    if (await client.get(f"{self.url}/healthz")).status_code == 200:
                        return
                except httpx.HTTPError:
                    pass
                await asyncio.sleep(0.3)
        raise TimeoutError(f"{self.url} not ready; see {self.log.name}")

    def stop(self) -> None:
        self.process.terminate()
        try:
            self.process.wait(20)
        except subprocess.TimeoutExpired:
            self.process.kill()
        self.log.close()


async def seed_axis(url: str) -> list[str]:
    """The district's axis in demand-intake's own read copy (its table; no org-registry needed here)."""
    from sqlalchemy.ext.asyncio import create_async_engine

    from yizhou.axis_copy import area_copy

    now = datetime.now(UTC)
    rows = [{"code": "BZ", "name": "Bench District", "level": "district", "parent_code": None, "path": "/BZ/"},
            {"code": "BZ01", "name": "Bench Street", "level": "subdistrict", "parent_code": "BZ", "path": "/BZ/BZ01/"}]
    communities = [f"BZ01{n:03d}" for n in range(COMMUNITIES)]
    rows += [{"code": c, "name": f"Community {c}", "level": "community", "parent_code": "BZ01",
              "path": f"/BZ/BZ01/{c}/"} for c in communities]
    engine = create_async_engine(url)
    async with engine.begin() as conn:
        await conn.execute(area_copy.insert(), [{**r, "retired": False, "updated_at": now} for r in rows])
    await engine.dispose()
    return communities


# --- the load generator --------------------------------------------------------------------------

def measured() -> None:
    gc.enable()
    gc.unfreeze()


class Driver:
    def __init__(self, url: str, token: str, communities: list[str]) -> None:
        self.url = f"{url}/api/v1/demands"
        self.headers = {"Authorization": f"Bearer {token}"}
        self.communities = communities
        self.statuses: Counter = Counter()
        self.latencies: list[float] = []

    def body(self) -> dict:
        return {"channel": "hotline", "category": "elderly_care", "urgency": "normal",
                "description": f"{random.choice(DESCRIPTIONS)}（{uuid.uuid4().hex[:6]}号楼）",
                "area_code": random.choice(self.communities)}

    async def one(self, client: httpx.AsyncClient, since: float, slots: asyncio.Semaphore | None = None) -> None:
        try:
            if slots is None:
                r = await client.post(self.url, json=self.body(), headers=self.headers)
            else:
                async with slots:
                    r = await client.post(self.url, json=self.body(), headers=self.headers)
            self.statuses[r.status_code] += 1
        except httpx.HTTPError as exc:
            self.statuses[type(exc).__name__] += 1
        self.latencies.append((time.perf_counter() - since) * 1000)

    async def fixed_rate(self, rate: int, seconds: float, connections: int) -> float:
        """Open loop: request i is due at start + i/rate; its latency counts from then (waiting for one
        of `connections` included, as behind a proxy with a bounded pool). Requests wait for a connection
        here, not in httpx's pool, whose cost grows with its queue: once a server stalled, the load
        generator itself fell behind for good and reported seconds that were its own."""
        limits = httpx.Limits(max_connections=connections, max_keepalive_connections=connections)
        slots = asyncio.Semaphore(connections)
        async with httpx.AsyncClient(timeout=60, limits=limits) as client:
            await self.warm(client)
            tasks, start = [], time.perf_counter()
            for i in range(int(rate * seconds)):
                due = start + i / rate
                delay = due - time.perf_counter()
                if delay > 0:
                    await asyncio.sleep(delay)
                tasks.append(asyncio.create_task(self.one(client, due, slots)))
            await asyncio.gather(*tasks)
            achieved = len(tasks) / (time.perf_counter() - start)
        measured()
        return achieved

    async def max_rate(self, concurrency: int, seconds: float) -> float:
        limits = httpx.Limits(max_connections=concurrency, max_keepalive_connections=concurrency)
        async with httpx.AsyncClient(timeout=60, limits=limits) as client:
            await self.warm(client)
            end = time.perf_counter() + seconds
            count = [0]

            async def worker():
                while time.perf_counter() < end:
                    await self.one(client, time.perf_counter())
                    count[0] += 1

            start = time.perf_counter()
            await asyncio.gather(*(worker() for _ in range(concurrency)))
            rate = count[0] / (time.perf_counter() - start)
        measured()
        return rate

    async def warm(self, client: httpx.AsyncClient) -> None:
        """Connections opened (the client's and the server's pool) before anything is timed; then this
        process's own garbage collections are kept out of the timed run: everything alive now is frozen,
        and the collector stays off until the run ends (`measured`), so a pause of the load generator
        is never counted as the server's latency."""
        for _ in range(3):
            await asyncio.gather(*(client.post(self.url, json=self.body(), headers=self.headers) for _ in range(16)))
        gc.collect()
        gc.freeze()
        gc.disable()

    def errors(self) -> int:
        return sum(n for status, n in self.statuses.items() if status != 201)


async def measure(name: str, url: str, token: str, communities: list[str], args, rates: list[int]) -> dict:
    top = Driver(url, token, communities)
    throughput = await top.max_rate(args.concurrency, args.seconds)
    figures = {"max_rps": throughput, "max_p99": percentile(top.latencies, 99), "errors": top.errors(),
               "statuses": dict(top.statuses)}
    for rate in rates:
        fixed = Driver(url, token, communities)
        achieved = await fixed.fixed_rate(rate, args.seconds, args.concurrency * 2)
        figures[rate] = {"achieved": achieved, "p50": percentile(fixed.latencies, 50),
                         "p99": percentile(fixed.latencies, 99), "errors": fixed.errors(),
                         "statuses": dict(fixed.statuses)}
        figures["errors"] += fixed.errors()
    print(f"# {name}: {figures}", flush=True)
    return figures


async def drained(url: str, timeout_s: float = 120) -> float | None:
    """Seconds until every demand's events are published and applied to the rates read model (the
    worker kept up, nothing was only put off), or None if not within the timeout."""
    from sqlalchemy.ext.asyncio import create_async_engine

    engine, started = create_async_engine(url), time.perf_counter()
    try:
        while time.perf_counter() - started < timeout_s:
            async with engine.connect() as conn:
                unpublished = (await conn.execute(text("SELECT count(*) FROM outbox WHERE published_at IS NULL"))).scalar()
                demands = (await conn.execute(text("SELECT count(*) FROM demands"))).scalar()
                facts = (await conn.execute(text(
                    "SELECT count(*) FROM demand_facts f JOIN demands d ON d.id = f.demand_id"))).scalar()
            if unpublished == 0 and facts == demands:
                return time.perf_counter() - started
            await asyncio.sleep(0.2)
        return None
    finally:
        await engine.dispose()


async def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--seconds", type=float, default=20)
    parser.add_argument("--rate", type=int, default=200)
    parser.add_argument("--concurrency", type=int, default=32)
    parser.add_argument("--quick", action="store_true", help="5 s per run")
    parser.add_argument("--json")
    args = parser.parse_args()
    if args.quick:
        args.seconds = 5
    kind = database_url("x")[1]
    logs = Path(tempfile.mkdtemp(prefix="yizhou-bench-submit-"))
    with broker() as (bootstrap, broker_kind):
        print(f"# submit bench on {kind}, {broker_kind}, {args.rate}/s and concurrency {args.concurrency} "
              f"for {args.seconds:.0f}s each, {datetime.now(UTC):%Y-%m-%d %H:%M}Z; logs in {logs}", flush=True)
        common = {"KAFKA_BOOTSTRAP_SERVERS": bootstrap, "JWT_SECRET": SECRET, "DEMAND_SWEEPER_ENABLED": "false",
                  "LOG_LEVEL": "WARNING", "YIZHOU_DATA_DIR": str(logs)}
        token = mint_token(SECRET, role="district_admin", area="BZ")

        async def start(*servers: Server) -> list[Server]:
            await asyncio.gather(*(s.ready() for s in servers))
            return list(servers)

        # The shapes run one after the other: they share the broker's topics and consumer group, so each
        # starts where the one before left the group's offsets and reads only its own events.
        bare = (await start(Server("submit:create_bare_app", {"BARE_DATABASE_URL": await recreated("bench_submit_bare")},
                                   logs / "bare.log")))[0]
        # As deployed (Compose): an API process and a worker process of demand-intake on one database;
        # the worker publishes each submit's event and applies it to the rates read model meanwhile.
        split_url = await recreated("bench_submit_demand_intake")
        servers = await start(*(Server("demand_intake.app:create_app", {
            **common, "DEMAND_INTAKE_DATABASE_URL": split_url, "PROCESS_ROLE": role}, logs / f"demand-intake-{role}.log")
            for role in ("api", "worker")))
        try:
            communities = await seed_axis(split_url)
            # The fixed rate asked for, and half of what demand-intake sustains here (its latency
            # when not overloaded); both apps at both rates.
            probe = Driver(servers[0].url, token, communities)
            sustainable = max(1, int(await probe.max_rate(args.concurrency, min(args.seconds, 5)) / 2))
            rates = [args.rate, sustainable]
            base = await measure("bare", bare.url, token, communities, args, rates)
            real = await measure("demand-intake, API and worker processes", servers[0].url, token, communities, args, rates)
            drain_s = await drained(split_url)
            print(f"# worker: every event published and applied {drain_s}s after the last request", flush=True)
        finally:
            bare.stop()
            for server in servers:
                server.stop()
        # As on a laptop (`make run`): one process serves the API and runs the relay and consumers.
        single_url = await recreated("bench_submit_single_process")
        single = (await start(Server("demand_intake.app:create_app", {**common, "DEMAND_INTAKE_DATABASE_URL": single_url},
                                     logs / "demand-intake-single.log")))[0]
        try:
            await seed_axis(single_url)
            one = await measure("demand-intake, one process", single.url, token, communities, args, [args.rate])
        finally:
            single.stop()
    at, half = real[args.rate], real[sustainable]
    results = [
        Result("submit", f"max requests/s (concurrency {args.concurrency}, {real['errors']} errors)", real["max_rps"],
               "req/s", "bare FastAPI, one insert", base["max_rps"], True, ">= x0.6",
               real["max_rps"] / base["max_rps"] >= 0.6 if base["max_rps"] else None),
        Result("submit", f"p99 at {args.rate}/s on {kind} (achieved {at['achieved']:.0f}/s)", at["p99"], "ms",
               "bare FastAPI p99", base[args.rate]["p99"], False,
               "p99 < 50 ms (PostgreSQL)" if kind == "postgresql" else "p99 < 50 ms (on PostgreSQL; this is SQLite)",
               at["p99"] < 50 and real["errors"] == 0 and drain_s is not None),
        Result("submit", f"p50 at {args.rate}/s on {kind}", at["p50"], "ms", "bare FastAPI p50",
               base[args.rate]["p50"], False),
        Result("submit", f"p99 at {sustainable}/s (half of its max) on {kind}", half["p99"], "ms", "bare FastAPI p99",
               base[sustainable]["p99"], False),
        Result("submit", "one process (laptop): max requests/s", one["max_rps"], "req/s",
               "bare FastAPI, one insert", base["max_rps"], True),
        Result("submit", f"one process (laptop): p99 at {args.rate}/s (achieved {one[args.rate]['achieved']:.0f}/s)",
               one[args.rate]["p99"], "ms", "bare FastAPI p99", base[args.rate]["p99"], False),
    ]
    write(results, args.json)


if __name__ == "__main__":
    asyncio.run(main())
