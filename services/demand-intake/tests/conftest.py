"""demand-intake test fixtures: one app per test module on the real broker and database, with a
clock the tests move by hand."""

from __future__ import annotations

import sys
from datetime import UTC, datetime
from pathlib import Path

import pytest

from demand_intake.app import create_app
from demand_intake.settings import Settings
from yizhou.clock import ManualClock
from yizhou_platform.testing import serve

sys.path.insert(0, str(Path(__file__).parent))


@pytest.fixture(scope="module")
def clock() -> ManualClock:
    # Starts at the real time: the service processes other tests start on the same database sweep
    # with the system clock, and must not find this module's demands long overdue.
    return ManualClock(datetime.now(UTC).replace(microsecond=0))


@pytest.fixture(scope="module")
async def client(make_settings, clock):
    # The sweeper is driven by the tests (use_cases.deadlines.sweep_overdue) unless a test starts its own app.
    settings = make_settings(Settings, sweeper_enabled=False)
    async with serve(create_app(settings, clock)) as client:
        yield client


@pytest.fixture
def db(client):
    return client.app_state.db


@pytest.fixture
async def axis(db, unique_code):
    from demand_helpers import make_axis

    return await make_axis(db, unique_code("D"))
