"""Fixtures: a fresh database file per test, a fixed clock, the sample tree."""

from __future__ import annotations

import pytest

from bot import app
from tests.support import Clock, open_services, seed_tree


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
async def services(tmp_path, clock):
    services = await open_services(tmp_path / "test.sqlite3", clock)
    await seed_tree(services)
    yield services
    await app.close_services(services)
