"""The storage contract: every test in this folder runs once per storage backend.

A backend is a name and an opener: an async function that, given the test's temporary folder,
returns a `Storage` on that test's own empty database (the same database each time it is called
within one test, so that closing and opening again finds what was written). Adding PostgreSQL is
one more entry in `OPENERS` (with a fresh schema or database per test); every test then runs on it.

Tests here use only the public async API: repository methods, `Storage.atomic` with the
transaction's bound repositories, `Storage.open`/`close`. No SQL, no connection, no `.db`.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from pathlib import Path

import pytest

from storage import Storage
from storage.units import Unit
from tests.contract.helpers import seed


async def _open_sqlite(folder: Path) -> Storage:
    return await Storage.open(folder / "contract.sqlite3")


OPENERS: dict[str, Callable[[Path], Awaitable[Storage]]] = {
    "sqlite": _open_sqlite,
}


class Backend:
    """Opens storages on one test's database and closes whatever the test left open."""

    def __init__(self, name: str, opener: Callable[[Path], Awaitable[Storage]], folder: Path):
        self.name = name
        self._opener = opener
        self._folder = folder
        self._open: list[Storage] = []

    async def open(self) -> Storage:
        storage = await self._opener(self._folder)
        self._open.append(storage)
        return storage

    def closed_by_test(self, storage: Storage) -> None:
        """The test closed this storage itself: do not close it again."""
        self._open.remove(storage)

    async def close_all(self) -> None:
        while self._open:
            await self._open.pop().close()


@pytest.fixture(params=list(OPENERS))                  # ["sqlite"]; PostgreSQL: one more entry in OPENERS
async def backend(request, tmp_path):
    opened = Backend(request.param, OPENERS[request.param], tmp_path)
    yield opened
    await opened.close_all()


@pytest.fixture
async def storage(backend) -> Storage:
    return await backend.open()


@pytest.fixture
async def tree(storage, clock) -> dict[str, Unit]:
    """The sample tree (tests.contract.helpers.TREE), by code."""
    return await seed(storage, clock())
