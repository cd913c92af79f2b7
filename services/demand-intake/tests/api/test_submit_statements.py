"""What one demand submit asks of the database (the hot write path; bench/submit.py measures its speed,
this keeps its shape from drifting): two reads (the area, the duplicate candidates) and, on
PostgreSQL, one statement for every row it writes (the demand, its two clocks, its history line and
its outbox rows); and every statement comes from SQLAlchemy's compiled cache once warm (a statement
it cannot cache is compiled again on every request: that cost a third of a submit once)."""

import asyncio
from contextvars import ContextVar

from demand_helpers import demand_body
from sqlalchemy import event, text
from sqlalchemy.engine.default import CACHE_HIT


async def test_a_submit_is_two_reads_and_its_writes_in_one_statement_all_cached(client, db, axis, auth):
    worker = auth("grid_worker", axis["g1"])
    for _ in range(2):  # warm: compiled statements cached, prepared on the connection
        assert (await client.post("/api/v1/demands", json=demand_body(axis["g1"]), headers=worker)).status_code == 201

    statements = []
    # Only the request's own statements: the app runs in this task (and tasks it starts inherit the
    # context var), while the relay and consumers on the same engine run in tasks started before it.
    in_request: ContextVar[bool] = ContextVar("in_request", default=False)

    def seen(conn, cursor, statement, parameters, context, executemany):
        if in_request.get():
            statements.append((statement.split()[0].upper(), context.cache_hit, statement[:120]))

    async def neighbour():  # as the relay's poll does, on the same engine, all through the capture
        while True:
            async with db.engine.connect() as conn:
                await conn.execute(text("SELECT 1"))
            await asyncio.sleep(0)

    event.listen(db.engine.sync_engine, "before_cursor_execute", seen)
    noise = asyncio.create_task(neighbour())
    marker = in_request.set(True)
    try:
        await asyncio.sleep(0.05)  # the neighbour is mid-loop when the request starts
        response = await client.post("/api/v1/demands", json=demand_body(axis["g1"], description="楼道灯坏了"),
                                     headers=worker)
    finally:
        in_request.reset(marker)
        noise.cancel()
        event.remove(db.engine.sync_engine, "before_cursor_execute", seen)
    assert response.status_code == 201
    verbs = [verb for verb, _, _ in statements]
    if db.is_postgres:
        assert verbs == ["SELECT", "SELECT", "WITH"], statements
    else:  # no data-modifying CTEs: the four tables one after another, back to back at the commit
        assert verbs == ["SELECT", "SELECT", "INSERT", "INSERT", "INSERT", "INSERT"], statements
    uncached = [text for _, hit, text in statements if hit != CACHE_HIT]
    assert not uncached, uncached
