"""The ledger as stored (real database, the service's migrations): balances and period totals read
back from SQL equal the sums of what was posted, for any sequence of confirmed services."""

import asyncio
import os
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import insert

from dual_registration.domain import ledger
from dual_registration.store.service_log import LedgerRepository
from dual_registration.store.tables import registrations, service_sessions
from yizhou.database import Database
from yizhou.migrations import upgrade_to_head

MIGRATIONS = Path(__import__("dual_registration").__file__).parent / "migrations"
YEAR = datetime(2026, 1, 1, tzinfo=UTC)


@pytest.fixture(scope="module")
def database_url(tmp_path_factory) -> str:
    if os.environ.get("DATABASE_URL"):  # CI: the service's PostgreSQL database
        from sqlalchemy.engine import make_url
        return make_url(os.environ["DATABASE_URL"]).set(database="dual_registration").render_as_string(hide_password=False)
    return f"sqlite+aiosqlite:///{tmp_path_factory.mktemp('ledger') / 'ledger.db'}"


async def _post_all(url: str, sessions: list[tuple[str, int, int]]) -> tuple[dict, dict, dict]:
    db = Database(url)
    try:
        await upgrade_to_head(db.engine, MIGRATIONS)
        run = uuid.uuid4().hex[:8]
        expected: dict[str, int] = {}
        in_q1: dict[str, int] = {}
        async with db.unit_of_work() as uow:
            await uow.session.execute(insert(registrations).values(
                id=f"r-{run}", kind="member", registrant_id=f"x-{run}", community_code=f"C{run}", community_path=f"/D/S/C{run}/",
                state="approved", submitted_by="t", submitted_at=YEAR))
            repo = LedgerRepository(uow.session)
            for i, (provider, day, minutes) in enumerate(sessions):
                started = YEAR + timedelta(days=day)
                service_id = f"s-{run}-{i}"
                await uow.session.execute(insert(service_sessions).values(
                    id=service_id, provider_kind="member", provider_id=f"{provider}-{run}", registration_id=f"r-{run}",
                    community_code=f"C{run}", community_path=f"/D/S/C{run}/", area_code=f"C{run}", activity="a",
                    started_at=started, ended_at=started + timedelta(minutes=minutes), minutes=minutes, state="confirmed",
                    logged_by="t", logged_at=started))
                transfer = ledger.service_transfer(service_id, "member", f"{provider}-{run}", f"C{run}", minutes)
                ledger.check_posting(transfer, await repo.balances(m.account for m in transfer.movements))
                await repo.post(f"t-{run}-{i}", transfer, started, started)
                for name in (ledger.account("member", f"{provider}-{run}"), ledger.account("community", f"C{run}")):
                    expected[name] = expected.get(name, 0) + minutes
                    if day < 90:
                        in_q1[name] = in_q1.get(name, 0) + minutes
            await uow.commit()
        async with db.sessions() as session:
            repo = LedgerRepository(session)
            stored = await repo.balances(expected)
            q1 = await repo.totals_by_account(list(expected), YEAR, YEAR + timedelta(days=90))
            singles = {name: await repo.balance_in(name) for name in expected}
        return expected, {**stored, **{f"q1:{k}": v for k, v in q1.items()}}, {"single": singles, "q1": in_q1}
    finally:
        await db.dispose()


@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.lists(st.tuples(st.sampled_from(["a", "b"]), st.integers(0, 364), st.integers(1, 600)), min_size=1, max_size=12))
def test_stored_balances_equal_posted_sums(database_url, sessions):
    expected, stored, extra = asyncio.run(_post_all(database_url, sessions))
    assert {k: stored[k] for k in expected} == expected
    assert extra["single"] == expected
    assert {k[3:]: v for k, v in stored.items() if k.startswith("q1:")} == {k: v for k, v in extra["q1"].items() if v}
    assert all(v >= 0 for v in expected.values())
