"""The storage contract: every test in this folder runs once per storage backend, SQLite and
PostgreSQL.

A backend is a name and an opener: an async function that, given the test's temporary folder,
returns a `Storage` on that test's own empty database (the same database each time it is called
within one test, so that closing and opening again finds what was written). SQLite: a file in the
folder. PostgreSQL: the database of the session's throwaway cluster (tests/contract/postgres.py),
emptied before the test; where PostgreSQL is missing those tests skip, saying why (and fail under
CHIDOAN_REQUIRE_POSTGRES=1, as in CI).

Tests here use only the public async API: repository methods, `Storage.atomic` with the
transaction's bound repositories, `Storage.open`/`close`. No SQL, no connection, no `.db` — but
in test_connection.py and test_schema.py, which test what the repositories stand on: the
connection interface of both backends, and the migrations on PostgreSQL.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from pathlib import Path

import pytest

from storage import Storage
from storage.units import Unit
from tests.contract.helpers import seed
from tests.contract.postgres import postgres_cluster  # noqa: F401  (a fixture)


BACKENDS = ("sqlite", "postgres")


def _sqlite_opener(request) -> Callable[[Path], Awaitable[Storage]]:
    async def open_sqlite(folder: Path) -> Storage:
        return await Storage.open(folder / "contract.sqlite3")

    return open_sqlite


def _postgres_opener(request) -> Callable[[Path], Awaitable[Storage]]:
    cluster = request.getfixturevalue("postgres_cluster")
    url = cluster.emptied()

    async def open_postgres(folder: Path) -> Storage:
        return await Storage.open(url)

    return open_postgres


OPENERS = {"sqlite": _sqlite_opener, "postgres": _postgres_opener}


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


@pytest.fixture(params=BACKENDS)
async def backend(request, tmp_path):
    opened = Backend(request.param, OPENERS[request.param](request), tmp_path)
    yield opened
    await opened.close_all()


@pytest.fixture
async def storage(backend) -> Storage:
    return await backend.open()


@pytest.fixture
async def tree(storage, clock) -> dict[str, Unit]:
    """The sample tree (tests.contract.helpers.TREE), by code."""
    return await seed(storage, clock())
