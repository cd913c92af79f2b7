"""What every benchmark shares: the broker and database it runs on, and how results are reported.

Every line is a measurement next to a baseline measured in the same run on the same machine, and
their ratio; goals are printed as met or not, never asserted (the machine is noisy)."""

from __future__ import annotations

import json
import os
import statistics
import sys
import tempfile
from contextlib import contextmanager
from dataclasses import asdict, dataclass
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))


@dataclass
class Result:
    bench: str
    metric: str
    value: float
    unit: str
    baseline_name: str
    baseline: float
    higher_is_better: bool
    goal: str = ""
    goal_met: bool | None = None

    @property
    def ratio(self) -> float:
        if not self.baseline:
            return float("nan")
        return self.value / self.baseline if self.higher_is_better else self.baseline / self.value


def percentile(values: list[float], q: float) -> float:
    if not values:
        return float("nan")
    return statistics.quantiles(values, n=1000, method="inclusive")[int(q * 10) - 1] if len(values) > 1 else values[0]


@contextmanager
def broker():
    """KAFKA_BOOTSTRAP_SERVERS if set, else an embedded Tansu broker for the run."""
    if os.environ.get("KAFKA_BOOTSTRAP_SERVERS"):
        yield os.environ["KAFKA_BOOTSTRAP_SERVERS"], "kafka (KAFKA_BOOTSTRAP_SERVERS)"
        return
    from yizhou_platform.embedded_broker import EmbeddedBroker

    with EmbeddedBroker() as b:
        yield b.bootstrap, "embedded Tansu"


def database_url(name: str) -> tuple[str, str]:
    """DATABASE_URL's server (database `name`, created by the caller's setup) or a temporary SQLite file."""
    server = os.environ.get("DATABASE_URL")
    if server:
        from sqlalchemy.engine import make_url

        return make_url(server).set(database=name).render_as_string(hide_password=False), "postgresql"
    path = Path(tempfile.mkdtemp(prefix="yizhou-bench-")) / f"{name}.db"
    return f"sqlite+aiosqlite:///{path}", "sqlite"


async def recreated(name: str) -> str:
    """The URL of database `name`, dropped and created anew on DATABASE_URL's server, else a new SQLite file."""
    from sqlalchemy import text

    url, _ = database_url(name)
    if url.startswith("postgresql"):
        from sqlalchemy.engine import make_url
        from sqlalchemy.ext.asyncio import create_async_engine

        admin = create_async_engine(make_url(url).set(database="postgres"), isolation_level="AUTOCOMMIT")
        async with admin.connect() as conn:
            await conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
            await conn.execute(text(f'CREATE DATABASE "{name}"'))
        await admin.dispose()
    return url


async def fresh_database(name: str, *schema):
    """A new, empty database `name` (`recreated`) with `schema` created in it: MetaData objects and/or
    single Tables."""
    from sqlalchemy import MetaData

    from yizhou.database import Database

    db = Database(await recreated(name))
    async with db.engine.begin() as conn:
        for item in schema:
            await conn.run_sync(item.create_all if isinstance(item, MetaData) else item.create)
    return db


def write(results: list[Result], path: str | None) -> None:
    if path:
        Path(path).write_text(json.dumps([{**asdict(r), "ratio": r.ratio} for r in results], indent=2))
    for r in results:
        status = "" if r.goal_met is None else ("goal met" if r.goal_met else "goal NOT met")
        print(f"{r.bench:>14} | {r.metric:<40} {r.value:>12.1f} {r.unit:<8} | {r.baseline_name:<28} {r.baseline:>12.1f} "
              f"| x{r.ratio:.2f} | {r.goal} {status}")
