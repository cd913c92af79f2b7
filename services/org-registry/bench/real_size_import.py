"""How long the real-size demo (240k units, 56k members, ~3.6k organizations) takes through the bulk
import (HTTP upload in 4,000-row chunks -> validation -> one unit of work per chunk with chunked bulk
inserts and one outbox event per row), next to a baseline measured in the same run on the same
machine: the same rows bulk-inserted raw (SQLAlchemy Core executemany, no checks, no events) into a
fresh database of the same schema. Prints the ratio; asserts nothing (the machine is noisy).

    .venv/bin/python services/org-registry/bench/real_size_import.py [--units 240000 --members 56000]
"""

from __future__ import annotations

import argparse
import asyncio
import os
import secrets
import random
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path


async def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--units", type=int, default=240_000)
    parser.add_argument("--members", type=int, default=56_000)
    args = parser.parse_args()
    data = Path(tempfile.mkdtemp(prefix="org-bench-"))
    from yizhou_platform.embedded_broker import EmbeddedBroker

    broker = EmbeddedBroker(log_file=data / "broker.log").start()
    os.environ.update({"YIZHOU_DATA_DIR": str(data), "KAFKA_BOOTSTRAP_SERVERS": broker.bootstrap,
                       "OUTBOX_RELAY_ENABLED": "false", "LOG_LEVEL": "WARNING", "LOG_JSON": "false",
                       "JWT_SECRET": os.environ.get("JWT_SECRET") or secrets.token_urlsafe(48)})
    from org_registry import demo
    from org_registry.app import create_app
    from org_registry.settings import Settings
    from yizhou.auth import mint_token
    from yizhou_platform.demo_district import REAL, demo_areas
    from yizhou_platform.testing import serve

    demo.REAL_UNITS, demo.REAL_MEMBERS = args.units, args.members
    settings = Settings()
    admin = {"Authorization": "Bearer " + mint_token(settings.jwt_secret, role="district_admin", area="CY",
                                                     issuer=settings.jwt_issuer)}
    try:
        async with serve(create_app(settings)) as client:
            client.headers.update(admin)
            started = time.perf_counter()
            for level in demo_areas(REAL):
                for area in level:
                    assert (await client.post("/api/v1/areas", json=area)).status_code == 201
            print(f"axis: {sum(len(level) for level in demo_areas(REAL))} areas in {time.perf_counter() - started:.1f} s")
            areas = await demo._communities(client)
            sheets = demo.build_real(areas, random.Random(20260105))
            timings = {}
            for kind in sheets.rows:
                started = time.perf_counter()
                await demo._import(client, kind, sheets.rows[kind])
                timings[kind.value] = time.perf_counter() - started
                print(f"{kind.value}: {len(sheets.rows[kind]):,} rows in {timings[kind.value]:.1f} s "
                      f"({len(sheets.rows[kind]) / timings[kind.value]:,.0f} rows/s)", flush=True)
            total = sum(timings.values())
            coverage = (await client.get("/api/v1/coverage", params={"kind": "non_public_enterprise",
                                                                     "size_class": "large"})).json()["total"]
            started = time.perf_counter()
            await client.get("/api/v1/coverage")
            coverage_s = time.perf_counter() - started
        baseline = await raw_insert(data / "baseline.db", sheets)
        rows = sum(len(r) for r in sheets.rows.values())
        print(f"\nreal-size demo through the bulk import: {rows:,} rows in {total:.1f} s ({rows / total:,.0f} rows/s)")
        print(f"baseline, raw executemany of the same rows (no checks, no events): {baseline:.1f} s "
              f"({rows / baseline:,.0f} rows/s)")
        print(f"ratio (import / raw): x{total / baseline:.1f} the time of a raw insert")
        print(f"coverage of large non-public enterprises: {coverage['covered_share']}% covered, "
              f"{coverage['own_organization_share']}% with their own organization; district coverage query "
              f"over {args.units:,} units in {coverage_s * 1000:.0f} ms")
    finally:
        broker.stop()


async def raw_insert(path: Path, sheets) -> float:
    """The same rows through plain Core executemany in one transaction (what a hand-written loader would do)."""
    from org_registry.domain.sheet_rows import SheetKind
    from org_registry.store.tables import Base, members, organization_units, organizations, units
    from yizhou.database import Database

    db = Database(f"sqlite+aiosqlite:///{path}")
    async with db.engine.begin() as conn:
        await conn.run_sync(Base.metadata.create_all)
        now = datetime.now(UTC)
        await conn.execute(Base.metadata.tables["areas"].insert(), [
            {"code": c, "name": c, "level": "grid", "parent_code": None, "path": f"/{c}/", "created_at": now,
             "updated_at": now} for c in {r[4] for r in sheets.rows[SheetKind.UNITS]} | {"CY"}])
    started = time.perf_counter()
    async with db.engine.begin() as conn:
        for start in range(0, len(sheets.rows[SheetKind.UNITS]), 1000):
            await conn.execute(units.insert(), [
                {"id": r[0], "name": r[1], "kind": r[2], "size_class": r[3] or None, "area_code": r[4], "headcount": r[5],
                 "members_among_staff": r[6], "credit_code": None, "created_at": now, "updated_at": now}
                for r in sheets.rows[SheetKind.UNITS][start:start + 1000]])
        await conn.execute(organizations.insert(), [
            {"id": r[0], "name": r[1], "kind": r[2], "setup_mode": r[3], "area_code": r[4], "parent_id": r[5] or None,
             "tree_path": f"/{r[0]}/", "founded_on": datetime.fromisoformat(r[7]).date(), "dissolved_on": None,
             "secretary_member_id": None, "created_at": now, "updated_at": now} for r in sheets.rows[SheetKind.ORGANIZATIONS]])
        await conn.execute(organization_units.insert(), [
            {"organization_id": r[0], "unit_id": u} for r in sheets.rows[SheetKind.ORGANIZATIONS] for u in r[6].split(";") if u])
        for start in range(0, len(sheets.rows[SheetKind.MEMBERS]), 1000):
            await conn.execute(members.insert(), [
                {"id": r[0], "name": r[1], "phone": r[2], "id_number": r[3], "organization_id": r[4],
                 "work_unit_id": r[5] or None, "residence_area_code": r[6], "skills": r[7].split(";"),
                 "skills_index": "|" + r[7].replace(";", "|") + "|", "in_service": r[8] == "true",
                 "joined_on": datetime.fromisoformat(r[9]).date(), "left_on": None, "created_at": now, "updated_at": now}
                for r in sheets.rows[SheetKind.MEMBERS][start:start + 1000]])
    elapsed = time.perf_counter() - started
    await db.dispose()
    return elapsed


if __name__ == "__main__":
    asyncio.run(main())
