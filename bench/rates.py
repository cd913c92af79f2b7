"""The three rates for one subdistrict over a year: demand-intake's read model as `/api/v1/rates` reads
it (the roll-up `demand_rate_cells`, `RateCells.sums`) vs a plain aggregate query over the `demands`
table holding the same demands; also the same counts straight from the facts (`FactRepository.counts`,
a key range of their index: what a grid or one unit's rates read), and a grid's.

    python bench/rates.py [--demands 1000000 | --quick] [--json out.json]

The tables are created from demand-intake's models (same columns and indexes as its migrations); the
demands and facts are filled with the same generated district (12 subdistricts x 25 communities x 8
grids, one year) by multi-row inserts, then the roll-up is summed from the facts by the service's own
`RateCells.recompute` (what the migration and an area move run); both times are reported. Each query runs a few times and
the best is kept (the machine is shared; the best run is the one least disturbed by others).
"""

from __future__ import annotations

import argparse
import asyncio
import random
import time
import uuid
from datetime import UTC, datetime, timedelta

from common import Result, database_url, fresh_database, write
from sqlalchemy import case, func, select, text

from demand_intake.domain.rates import DONE, NOT_COUNTED, SETTLED, Counts, months_of, parse_period, rates_of
from demand_intake.store.facts import FactRepository
from demand_intake.store.rate_cells import RateCells
from demand_intake.store.tables import DemandFactRow, DemandRow, RateCellRow
from yizhou.database import Database

SUBDISTRICTS, COMMUNITIES, GRIDS = 12, 25, 8
YEAR = datetime(2026, 1, 1, tzinfo=UTC)
STATES = (["closed"] * 50 + ["resolved"] * 15 + ["in_progress"] * 10 + ["accepted"] * 8 + ["submitted"] * 5
          + ["rejected"] * 5 + ["withdrawn"] * 4 + ["merged"] * 3)
CATEGORIES = [f"C{n:02d}" for n in range(1, 22)]


def generate(n: int, seed: int = 7):
    """Yields (demand row, fact row) pairs for n demands: the same demand in both tables."""
    rnd = random.Random(seed)
    for _ in range(n):
        s, c, g = rnd.randrange(SUBDISTRICTS), rnd.randrange(COMMUNITIES), rnd.randrange(GRIDS)
        code = f"CY{s:02d}{c:02d}{g}"
        path = f"/CY/CY{s:02d}/CY{s:02d}{c:02d}/{code}/"
        submitted = YEAR + timedelta(seconds=rnd.randrange(365 * 86400))
        state = rnd.choice(STATES)
        responded = None if state == "submitted" else submitted + timedelta(hours=rnd.uniform(0.1, 30))
        respond_overdue = responded is None and rnd.random() < 0.5 or (responded is not None and rnd.random() < 0.05)
        done = state in DONE
        resolved = submitted + timedelta(days=rnd.uniform(1, 20)) if done else None
        feedback = rnd.choice(("satisfied", "basically_satisfied", "dissatisfied", None)) if state == "closed" else None
        overdue = respond_overdue or rnd.random() < 0.08
        demand_id = str(uuid.UUID(int=rnd.getrandbits(128)))
        category = rnd.choice(CATEGORIES)
        fact = dict(demand_id=demand_id, area_code=code, area_path=path, category=category, channel="hotline",
                    urgency="normal", assignee=None, accountable_area_code=None, state=state, submitted_at=submitted,
                    responded_at=responded, respond_overdue=respond_overdue,
                    resolve_overdue=overdue and not respond_overdue,
                    overdue=overdue, resolved_at=resolved, closed_at=resolved if state == "closed" else None,
                    feedback=feedback, me_too_count=0, updated_at=resolved or responded or submitted)
        demand = dict(id=demand_id, channel="hotline", category=category, urgency="normal", complex=False,
                      description="楼道灯坏了，晚上上下楼看不见，希望尽快修理。" * 2, area_code=code, area_path=path,
                      area_level="grid", latitude=39.9, longitude=116.4, address=None, anonymous=False,
                      resident_name=None, resident_phone=None, resident_subject=f"sub-{rnd.randrange(n)}",
                      priority_household=None, entered_by="bench", entered_by_role="hotline_operator", state=state,
                      handling_area_code=code, handling_level="grid", accountable_area_code=None,
                      first_receiver="bench", assignee=None, me_too_count=0, merged_into=None, feedback=feedback,
                      contact_attempted_at=None, submitted_at=submitted, responded_at=responded,
                      resolved_at=resolved, closed_at=fact["closed_at"], updated_at=fact["updated_at"], version=1,
)
        yield demand, fact


async def fill(db: Database, n: int, chunk: int = 5000) -> float:
    start = time.perf_counter()
    demands, facts = [], []
    async with db.engine.begin() as conn:
        for demand, fact in generate(n):
            demands.append(demand)
            facts.append(fact)
            if len(demands) == chunk:
                await conn.execute(DemandRow.__table__.insert(), demands)
                await conn.execute(DemandFactRow.__table__.insert(), facts)
                demands, facts = [], []
        if demands:
            await conn.execute(DemandRow.__table__.insert(), demands)
            await conn.execute(DemandFactRow.__table__.insert(), facts)
    async with db.engine.connect() as conn:  # fresh statistics for the planner, as a live database has
        await conn.execute(text("ANALYZE"))
        await conn.commit()
    return time.perf_counter() - start


async def plain_counts(session, under: str, start: datetime, end: datetime) -> Counts:
    """The same counts straight from the demands table (what one writes without a read model). The
    demands table carries no breach flags (they live in demand_deadlines), so 'on time' and 'overdue'
    are approximated by 'responded' and 'open': the same shape of query, no join."""
    d = DemandRow
    one = lambda cond: func.coalesce(func.sum(case((cond, 1), else_=0)), 0)  # noqa: E731
    query = select(
        func.count(), one(d.responded_at.is_not(None)), one(d.responded_at.is_not(None)), one(d.state != "rejected"),
        one(d.state.in_(DONE)), one(d.feedback.is_not(None)), one(d.feedback.in_(("satisfied", "basically_satisfied"))),
        one(d.state.not_in(SETTLED)), one(d.state.not_in(SETTLED)),
    ).where(d.area_path.startswith(under, autoescape=True), d.submitted_at >= start, d.submitted_at < end,
            d.state.not_in(NOT_COUNTED))
    row = (await session.execute(query)).one()
    return Counts(*[int(v) for v in row])


async def best_of(runs: int, fn) -> tuple[float, object]:
    best, value = float("inf"), None
    for _ in range(runs):
        start = time.perf_counter()
        value = await fn()
        best = min(best, time.perf_counter() - start)
    return best * 1000, value


async def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--demands", type=int, default=1_000_000)
    parser.add_argument("--quick", action="store_true", help="100,000 demands")
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--json")
    args = parser.parse_args()
    n = 100_000 if args.quick else args.demands
    kind = database_url("x")[1]
    print(f"# rates bench on {kind}, {n:,} demands, {datetime.now(UTC):%Y-%m-%d %H:%M}Z")
    db = await fresh_database("bench_rates", DemandRow.__table__, DemandFactRow.__table__, RateCellRow.__table__)
    generation_s = await fill(db, n)
    rollup_start = time.perf_counter()
    async with db.sessions() as session, session.begin():
        await RateCells(session).recompute(["/CY/"])   # what a migration or an area move runs
    rollup_s = time.perf_counter() - rollup_start
    period = parse_period("2026")
    under, grid = "/CY/CY03/", "/CY/CY03/CY0307/CY03075/"
    async with db.sessions() as session:
        cells = await session.scalar(select(func.count()).select_from(RateCellRow))
        rolled_ms, counts = await best_of(args.runs, lambda: RateCells(session).sums(under, *months_of(period)))
        plain_ms, plain = await best_of(args.runs, lambda: plain_counts(session, under, period.start, period.end))
        facts_ms, straight = await best_of(args.runs, lambda: FactRepository(session).counts(under, period.start, period.end))
        grid_ms, grid_counts = await best_of(args.runs, lambda: FactRepository(session).counts(grid, period.start, period.end))
        plain_grid_ms, _ = await best_of(args.runs, lambda: plain_counts(session, grid, period.start, period.end))
    await db.dispose()
    if counts != straight:
        print(f"# WARNING: the roll-up and the facts count differently: {counts} / {straight}")
    print(f"# subdistrict {under}: {counts.submitted:,} demands counted (plain query: {plain.submitted:,}) from "
          f"{cells:,} cells in all; rates {rates_of(counts)}; grid {grid}: {grid_counts.submitted:,} demands")
    results = [
        Result("rates", f"three rates, one subdistrict, {n:,} demands", rolled_ms, "ms",
               "plain aggregate over demands", plain_ms, False, "< 200 ms and x20",
               rolled_ms < 200 and plain_ms / rolled_ms >= 20 and counts == straight),
        Result("rates", "same, straight from the facts (key range)", facts_ms, "ms",
               "plain aggregate over demands", plain_ms, False),
        Result("rates", "one grid, from the facts (key range)", grid_ms, "ms",
               "plain aggregate, same grid", plain_grid_ms, False),
        Result("rates", f"generation of both tables ({n:,} rows each)", n / generation_s, "rows/s",
               "(no baseline)", 0.0, True),
        Result("rates", "roll-up summed from the facts", n / rollup_s, "rows/s", "(no baseline)", 0.0, True),
    ]
    write(results, args.json)


if __name__ == "__main__":
    asyncio.run(main())
