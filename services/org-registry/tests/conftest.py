"""org-registry test fixtures: one app per test module on the real broker and database, and a fresh
small district per test (so tests share the database without seeing each other)."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

from org_registry.app import create_app
from org_registry.settings import Settings
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
async def district(client, auth, unique_code):
    from registry_helpers import make_district

    return await make_district(client, auth, unique_code)
