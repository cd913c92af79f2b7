"""project-matching test fixtures: one app per test module on the real broker and database."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

from project_matching.app import create_app
from project_matching.settings import Settings
from yizhou_platform.testing import serve

sys.path.insert(0, str(Path(__file__).parent))


@pytest.fixture(scope="module")
async def client(make_settings):
    async with serve(create_app(make_settings(Settings))) as client:
        yield client


@pytest.fixture
def db(client):
    return client.app_state.db


@pytest.fixture
async def axis(db, unique_code):
    from matching_helpers import make_axis

    return await make_axis(db, unique_code("P"))
