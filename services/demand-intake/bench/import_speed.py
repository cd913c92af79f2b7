"""How much faster the bulk import (the demo's fast path) is than one POST /demands per demand,
both measured in this run on the same app, database and machine; prints the ratio.

    .venv/bin/python services/demand-intake/bench/import_speed.py [--demands 2000]

No broker is needed: events wait in the outbox. Uses a temporary SQLite file unless
DEMAND_INTAKE_DATABASE_URL is set.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import secrets
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

os.environ.setdefault("YIZHOU_DATA_DIR", tempfile.mkdtemp())
os.environ.setdefault("KAFKA_BOOTSTRAP_SERVERS", "127.0.0.1:1")
os.environ.setdefault("LOG_LEVEL", "CRITICAL")
sys.path.insert(0, str(Path(__file__).parents[1] / "tests"))

from demand_helpers import demand_body, make_axis  # noqa: E402

from demand_intake.app import create_app  # noqa: E402
from demand_intake.demo import demo_demands  # noqa: E402
from demand_intake.settings import Settings  # noqa: E402
from yizhou.auth import mint_token  # noqa: E402
from yizhou_platform.testing import serve  # noqa: E402


async def main(count: int, singles: int) -> None:
    settings = Settings(sweeper_enabled=False, consumer_enabled=False, relay_enabled=False,
                        jwt_secret=os.environ.get("JWT_SECRET") or secrets.token_urlsafe(48))
    async with serve(create_app(settings)) as client:
        axis = await make_axis(client.app_state.db, f"B{int(time.time())}")
        headers = {"Authorization": "Bearer " + mint_token(settings.jwt_secret, role="district_admin", area=axis["d"])}
        demands = demo_demands([axis["g1"], axis["g2"], axis["g3"]], count, datetime.now(UTC))
        started = time.perf_counter()
        for i in range(0, count, 500):
            response = await client.post("/api/v1/demands/import", json={"demands": demands[i:i + 500]}, headers=headers)
            assert response.status_code == 201, response.text[:300]
        bulk = count / (time.perf_counter() - started)
        started = time.perf_counter()
        for i in range(singles):
            response = await client.post("/api/v1/demands", json=demand_body(axis["g1"], description=f"单条 {i}"),
                                         headers=headers)
            assert response.status_code == 201, response.text[:300]
        single = singles / (time.perf_counter() - started)
    print(f"bulk import: {bulk:.0f} demands/s (with their steps); one POST each (baseline): {single:.0f} demands/s; "
          f"ratio {bulk / single:.1f}x")


if __name__ == "__main__":
    parser = argparse.ArgumentParser()
    parser.add_argument("--demands", type=int, default=2000)
    parser.add_argument("--singles", type=int, default=200)
    args = parser.parse_args()
    asyncio.run(main(args.demands, args.singles))
