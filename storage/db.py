"""The SQLite connection: opening, migrations, and running a unit of work in one round trip.

The repositories of `storage/` are plain synchronous functions over a `sqlite3.Connection`;
`Database.run` executes one of them inside a single transaction on aiosqlite's worker thread.
A form answer therefore costs one hop to the database thread, not one per statement
(measured in `benchmarks/form_answer.py`).
"""

from __future__ import annotations

import logging
import sqlite3
from collections.abc import Callable
from importlib import resources
from pathlib import Path
from typing import Any, TypeVar

import aiosqlite

log = logging.getLogger(__name__)
T = TypeVar("T")


class Database:
    """One connection and so one writer: SQLite in WAL mode with foreign keys on."""

    def __init__(self, conn: aiosqlite.Connection, path: str):
        self._conn = conn
        self.path = path

    @classmethod
    async def open(cls, path: str | Path) -> "Database":
        """Open (creating if needed) the database file and bring its schema up to date."""
        path = str(path)
        if path != ":memory:":
            Path(path).parent.mkdir(parents=True, exist_ok=True)
        # isolation_level=None: transactions are begun and committed by `_in_transaction` only.
        conn = await aiosqlite.connect(path, isolation_level=None)
        db = cls(conn, path)
        await db._call(_configure)
        await db._call(migrate)
        return db

    async def close(self) -> None:
        await self._conn.close()

    async def run(self, fn: Callable[..., T], *args: Any) -> T:
        """Run `fn(conn, *args)` in one transaction on the database thread; commit or roll back."""
        return await self._call(_in_transaction, fn, args)

    async def _call(self, fn: Callable[..., T], *args: Any) -> T:
        # aiosqlite runs every call of its public API through `_execute` on its worker thread;
        # we use the same door to run a whole unit of work there in one trip. The raw
        # connection may only be touched on that thread, which is where `fn` runs.
        raw = self._conn._conn  # noqa: SLF001
        return await self._conn._execute(fn, raw, *args)  # noqa: SLF001


def _in_transaction(conn: sqlite3.Connection, fn: Callable[..., T], args: tuple) -> T:
    conn.execute("BEGIN IMMEDIATE")
    try:
        result = fn(conn, *args)
    except BaseException:
        conn.execute("ROLLBACK")
        raise
    conn.execute("COMMIT")
    return result


def _configure(conn: sqlite3.Connection) -> None:
    conn.row_factory = sqlite3.Row
    conn.execute("PRAGMA journal_mode=WAL")
    # NORMAL in WAL mode survives a crash of the process (the case that matters for a bot that
    # replies only after commit); a power loss may roll back the last commits.
    conn.execute("PRAGMA synchronous=NORMAL")
    conn.execute("PRAGMA foreign_keys=ON")
    conn.execute("PRAGMA busy_timeout=5000")


def _migration_files() -> list[tuple[int, str, str]]:
    folder = resources.files("storage") / "migrations"
    found = []
    for entry in folder.iterdir():
        name = entry.name
        if name.endswith(".sql") and name[:4].isdigit():
            found.append((int(name[:4]), name, entry.read_text(encoding="utf-8")))
    return sorted(found)


def migrate(conn: sqlite3.Connection) -> int:
    """Apply the numbered migrations newer than the file's `user_version`; return the version."""
    current = conn.execute("PRAGMA user_version").fetchone()[0]
    for number, name, sql in _migration_files():
        if number <= current:
            continue
        log.debug("applying migration %s", name)
        # executescript commits first; each migration then runs in a transaction of its own.
        conn.executescript(f"BEGIN IMMEDIATE;\n{sql}\nPRAGMA user_version = {number};\nCOMMIT;")
        current = number
    return current
