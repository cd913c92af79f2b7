"""A burst of work on PostgreSQL runs on the pool's own connections: no overflow connections opened
and closed on the spot (they cost a connection set-up each, when the process is busiest)."""

import asyncio

import pytest
from sqlalchemy import text

from demand_intake.settings import Settings
from yizhou.database import Database


async def test_a_burst_shares_the_fixed_pool_and_waits_for_it(make_settings):
    url = make_settings(Settings).resolved_database_url
    if not url.startswith("postgresql"):
        pytest.skip("connection pooling of a server database: PostgreSQL (CI); SQLite opens a file")
    db = Database(url, pool_timeout_s=30, pool_size=4)
    backends: set[int] = set()
    busiest = 0

    async def one() -> None:
        nonlocal busiest
        async with db.sessions() as session:
            backends.add((await session.execute(text("SELECT pg_backend_pid()"))).scalar_one())
            busiest = max(busiest, db.engine.pool.checkedout())
            await asyncio.sleep(0.05)

    try:
        await asyncio.gather(*(one() for _ in range(24)))   # six times the pool, all at once
    finally:
        await db.dispose()
    assert busiest == 4
    assert len(backends) == 4   # with overflow it was up to 4 + 10 server sessions, each set up and torn down
