"""The SQLite connection: opening, migrations, and running a unit of work in one round trip.

One connection lives on one worker thread (a single-thread executor), so there is one writer and
the connection is only ever touched on its own thread. `Database.run` executes a plain function
over it inside a single transaction there: a form answer costs one hop to the database thread,
not one per statement (measured in `benchmarks/form_answer.py`).

Whatever a unit of work raises reaches the awaiting caller as an exception, at once. Two kinds
cannot travel through an asyncio future as they are: StopIteration (asyncio refuses to set it,
and the await would hang forever) and BaseExceptions that are not Exceptions (they would skip
every `except Exception` above). Both arrive wrapped in `UnitOfWorkFailed`.
"""

from __future__ import annotations

import asyncio
import sqlite3
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any, TypeVar

from storage.schema import migrate_sqlite
from storage.sql import SQLITE, SQLiteConnection

T = TypeVar("T")


class UnitOfWorkFailed(Exception):
    """A unit of work raised something that cannot be handed to an awaiting caller as it is."""


class Database:
    """One connection and so one writer: SQLite in WAL mode with foreign keys on."""

    dialect = SQLITE

    def __init__(self, executor: ThreadPoolExecutor, conn: sqlite3.Connection, path: str):
        self.executor = executor
        self.connection = conn
        self.path = path

    @classmethod
    async def open(cls, path: str | Path) -> "Database":
        """Open (creating if needed) the database file and bring its schema up to date."""
        path = str(path)
        if path != ":memory:":
            Path(path).parent.mkdir(parents=True, exist_ok=True)
        executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="sqlite")
        loop = asyncio.get_running_loop()
        try:
            conn = await loop.run_in_executor(executor, connect, path)
        except BaseException:
            executor.shutdown(wait=False)
            raise
        return cls(executor, conn, path)

    async def close(self) -> None:
        loop = asyncio.get_running_loop()
        await loop.run_in_executor(self.executor, self.connection.close)
        self.executor.shutdown(wait=True)

    async def run(self, fn: Callable[..., T], *args: Any) -> T:
        """Run `fn(conn, *args)` in one transaction on the database thread; commit or roll back."""
        loop = asyncio.get_running_loop()
        return await loop.run_in_executor(self.executor, _in_transaction, self.connection, fn, args)

    async def hold(self, name: str) -> bool:
        """A lock among the workers sharing the database (storage/locks.py): SQLite has one worker,
        which holds every lock."""
        return True

    async def release(self, name: str) -> None:
        """See `hold`: nothing to let go."""

    async def backup(self, target: str | Path) -> None:
        """Copy the whole database into the new file `target` with SQLite's online backup API
        (`Connection.backup`), on the database thread, between two units of work: the copy holds
        every transaction committed before it began and nothing after, and the bot goes on (its
        next unit of work waits the copy's time: milliseconds for a province's database). The
        copy is one self-contained file (rollback journal, not WAL)."""
        loop = asyncio.get_running_loop()
        await loop.run_in_executor(self.executor, _backup, self.connection, str(target))


def _backup(conn: sqlite3.Connection, target: str) -> None:
    copy = sqlite3.connect(target, isolation_level=None)
    try:
        conn.backup(copy)                      # every page in one step: one consistent snapshot
        copy.execute("PRAGMA journal_mode=DELETE")
    finally:
        copy.close()


def _in_transaction(conn: sqlite3.Connection, fn: Callable[..., T], args: tuple) -> T:
    conn.execute("BEGIN IMMEDIATE")
    try:
        result = fn(conn, *args)
    except BaseException as error:
        if conn.in_transaction:
            conn.execute("ROLLBACK")
        if isinstance(error, StopIteration) or not isinstance(error, Exception):
            raise UnitOfWorkFailed(f"{type(error).__name__} in a unit of work: {error}") from error
        raise
    conn.execute("COMMIT")
    return result


def connect(path: str) -> SQLiteConnection:
    """A connection to the file (made if missing), configured, its schema brought up to date."""
    # isolation_level=None: transactions are begun and committed by `_in_transaction` only.
    conn = sqlite3.connect(path, isolation_level=None, factory=SQLiteConnection)
    try:
        _configure(conn)
        migrate_sqlite(conn)
    except BaseException:
        conn.close()
        raise
    return conn


def _configure(conn: sqlite3.Connection) -> None:
    conn.row_factory = sqlite3.Row
    conn.execute("PRAGMA journal_mode=WAL")
    # NORMAL in WAL mode survives a crash of the process (the case that matters for a bot that
    # replies only after commit); a power loss may roll back the last commits.
    conn.execute("PRAGMA synchronous=NORMAL")
    conn.execute("PRAGMA foreign_keys=ON")
    conn.execute("PRAGMA busy_timeout=5000")
