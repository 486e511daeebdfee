"""The PostgreSQL connection: a pool of psycopg 3 connections, each unit of work in one transaction
on a database thread of its own.

The twin of storage.db's SQLite `Database`, with the same `run`: `fn(conn, *args)` runs in one
transaction on a database thread and commits, or rolls back and raises. Here there are
`POOL_SIZE` threads, each taking a pooled connection for the time of one unit of work, so units
of work of different chats run side by side (SQLite has one writer; PostgreSQL takes many).

Each unit of work runs SERIALIZABLE: as if it ran alone, as under SQLite's one writer, so that a
unit of work that reads and then writes on what it read (a tick's reminders queued once, an
invite used once) means the same on both. Where PostgreSQL finds two that could not have run one
after the other, it fails one, and `run` runs that one again (up to RETRIES times): a unit of
work is a function of the database and its arguments, with no effect outside its transaction.
`stats["retried"]` counts those runs again.

The exception: a unit of work marked `read_committed` (storage.repository) runs READ COMMITTED,
where the statements themselves make it safe under concurrency: a queue's claim with
`FOR UPDATE ... SKIP LOCKED` (storage/outbox.py), a counter's single `UPDATE ... RETURNING`
(storage/rates.py). SERIALIZABLE adds nothing to those but failures: workers claiming from one
queue at once read the pages the others write, and PostgreSQL fails them by the hundred
(storage/outbox.py has the figures).

Beside the pool, each database has a `Session` (storage/locks.py): the worker's own connection,
holding its worker id and its named locks for as long as it runs; every pooled connection names
that worker (the setting `chidoan.worker`).

The same guarantees as storage.db: whatever a unit of work raises reaches the awaiting caller at
once, StopIteration and BaseExceptions that are not Exceptions wrapped in `UnitOfWorkFailed`;
the transaction is rolled back and the next call works. Nothing waits forever: a statement is
cancelled after STATEMENT_TIMEOUT, a lock waited for after LOCK_TIMEOUT (SQLite's busy timeout),
a connection asked of the pool after POOL_TIMEOUT.

The repositories' SQL is SQLite's (`?` placeholders): `PostgresConnection` hands psycopg each
statement with `%s`, translated once per statement text (`psycopg_sql`).
"""

from __future__ import annotations

import asyncio
import functools
import logging
import random
import re
import threading
import time
from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from concurrent.futures import ThreadPoolExecutor
from typing import Any, TypeVar
from urllib.parse import urlsplit

import psycopg
from psycopg.adapt import Loader
from psycopg.conninfo import conninfo_to_dict
from psycopg.rows import tuple_row
from psycopg.types.numeric import NumericBinaryLoader
from psycopg_pool import ConnectionPool

from storage.db import UnitOfWorkFailed
from storage.locks import KEEPALIVE, NAMED, WORKERS
from storage.schema import migrate_postgres
from storage.sql import POSTGRES, url_without_password

log = logging.getLogger(__name__)
T = TypeVar("T")
SERIALIZABLE = psycopg.IsolationLevel.SERIALIZABLE
READ_COMMITTED = psycopg.IsolationLevel.READ_COMMITTED

POOL_SIZE = 4                    # database threads, one pooled connection each
STATEMENT_TIMEOUT_MS = 60_000    # a national tick's largest statement takes about a second
LOCK_TIMEOUT_MS = 5_000          # as SQLite's busy_timeout
IDLE_IN_TRANSACTION_MS = 60_000  # a unit of work never waits between its statements but on Python
POOL_TIMEOUT = 30.0              # seconds to wait for a pooled connection before failing
CONNECT_TIMEOUT = 10             # seconds, at opening
RETRIES = 20                     # runs of a unit of work PostgreSQL failed as not serializable
RETRY_PAUSE = 0.002              # seconds before the second run, doubled each time up to 0.1 s


def url_problem(url: str) -> str | None:
    """None when libpq can read `url`; else what is wrong with it (without the password)."""
    try:
        conninfo_to_dict(url)
        urlsplit(url).port                     # a port that is not a number
    except (psycopg.ProgrammingError, ValueError) as error:
        return str(error).replace(url, url_without_password(url)).strip()   # libpq quotes the URL
    return None


# --- the connection a unit of work is handed ------------------------------------------------------

_LITERAL = re.compile(r"""('(?:[^']|'')*'|"(?:[^"]|"")*")""")


@functools.lru_cache(maxsize=4096)
def psycopg_sql(sql: str) -> str:
    """A statement with `?` placeholders as psycopg takes it: `%s`, and every literal `%` doubled
    (psycopg reads `%` everywhere in the text, a LIKE pattern's `'quota:%'` included)."""
    parts = _LITERAL.split(sql)
    return "".join(part.replace("%", "%%") if number % 2 else part.replace("%", "%%").replace("?", "%s")
                   for number, part in enumerate(parts))


class Row(tuple):
    """A row, by index like a tuple (unpacking, `dict(rows)`) and by column name, `row["id"]`."""

    columns: dict[str, int] = {}

    def __getitem__(self, key):
        if isinstance(key, str):
            return tuple.__getitem__(self, self.columns[key])
        return tuple.__getitem__(self, key)

    def keys(self) -> list[str]:
        return list(self.columns)


@functools.lru_cache(maxsize=1024)
def _row_class(names: tuple[str, ...]) -> type[Row]:
    return type("Row", (Row,), {"columns": {name: index for index, name in enumerate(names)}})


def rows(cursor):
    """psycopg's row factory for `Row`s."""
    names = tuple(column.name for column in cursor.description or ())
    return _row_class(names)


class NumberLoader(Loader):
    """NUMERIC as SQLite would give it: PostgreSQL's SUM of BIGINTs is NUMERIC, read as an int;
    an AVG with decimals, as a float."""

    def load(self, data) -> int | float:
        text = bytes(data)
        if text.lstrip(b"-").isdigit():
            return int(text)
        return float(text)


class NumberBinaryLoader(NumericBinaryLoader):
    """NumberLoader for results read in binary (`plain`)."""

    def load(self, data) -> int | float:
        value = super().load(data)
        return int(value) if value.as_tuple().exponent >= 0 else float(value)


def has_nul(error: psycopg.DataError) -> bool:
    """Whether psycopg refused a bound text for a NUL character (PostgreSQL's text cannot hold one;
    SQLite's can)."""
    return "NUL (0x00)" in str(error)


def without_nul(value: Any) -> Any:
    """A bound value with every NUL character taken out of its texts (in a list too): what a
    person typed, less the one invisible character PostgreSQL cannot store."""
    if isinstance(value, str):
        return value.replace("\x00", "")
    if isinstance(value, (list, tuple)):
        return type(value)(without_nul(item) for item in value)
    return value


class PostgresConnection:
    """storage.sql's `Connection` over one psycopg connection in a transaction.

    A text with a NUL character in it (a person can type one; SQLite stores it) is bound without
    it: psycopg refuses it before sending the statement, which then runs again without the NUL.
    An executemany may have run some rows when it is refused, so it runs from a savepoint."""

    dialect = POSTGRES

    def __init__(self, raw: psycopg.Connection):
        self.raw = raw

    def execute(self, sql: str, params: Sequence[Any] = ()) -> psycopg.Cursor:
        try:
            return self.raw.execute(psycopg_sql(sql), params)
        except psycopg.DataError as error:
            if not has_nul(error):
                raise
            return self.raw.execute(psycopg_sql(sql), without_nul(params))

    def executemany(self, sql: str, rows_: Iterable[Sequence[Any]]) -> psycopg.Cursor:
        rows_ = rows_ if isinstance(rows_, (list, tuple)) else list(rows_)
        cursor = self.raw.cursor()
        self.raw.execute("SAVEPOINT without_nul")
        try:
            cursor.executemany(psycopg_sql(sql), rows_)
        except psycopg.DataError as error:
            if not has_nul(error):
                raise
            self.raw.execute("ROLLBACK TO SAVEPOINT without_nul")
            cursor.executemany(psycopg_sql(sql), [without_nul(row) for row in rows_])
        self.raw.execute("RELEASE SAVEPOINT without_nul")
        return cursor

    def plain(self, sql: str, params: Sequence[Any] = ()) -> psycopg.Cursor:
        # in binary: no number or text parsed from its digits (a tick's 111,000 units read in
        # about 40% less time)
        cursor = self.raw.cursor(row_factory=tuple_row, binary=True)
        try:
            return cursor.execute(psycopg_sql(sql), params)
        except psycopg.DataError as error:
            if not has_nul(error):
                raise
            return cursor.execute(psycopg_sql(sql), without_nul(params))


def configure(raw: psycopg.Connection, worker: int | None = None) -> None:
    """Every connection as the repositories expect it: `Row`s, numbers as SQLite gives them,
    timeouts so that nothing waits forever, and the worker it works for."""
    raw.row_factory = rows
    raw.isolation_level = SERIALIZABLE
    raw.adapters.register_loader("numeric", NumberLoader)
    raw.adapters.register_loader("numeric", NumberBinaryLoader)
    raw.execute(f"SET statement_timeout = {STATEMENT_TIMEOUT_MS}")
    raw.execute(f"SET lock_timeout = {LOCK_TIMEOUT_MS}")
    raw.execute(f"SET idle_in_transaction_session_timeout = {IDLE_IN_TRANSACTION_MS}")
    if worker is not None:
        raw.execute(f"SET chidoan.worker = '{int(worker)}'")
    raw.commit()


# --- the worker's own session (storage/locks.py) -------------------------------------------------

class Session:
    """One worker's own connection (storage/locks.py), in autocommit, and the advisory locks held
    on it. Its methods block (call them on a database thread), one at a time."""

    def __init__(self, url: str):
        self.url = url
        self.worker: int | None = None
        self.held: set[str] = set()
        self._raw: psycopg.Connection | None = None
        self._guard = threading.Lock()

    def open(self) -> int:
        """Connect and take a worker id (the one held before, after a reconnection, if still free)."""
        raw = psycopg.connect(self.url, autocommit=True, connect_timeout=CONNECT_TIMEOUT)
        for name, seconds in KEEPALIVE.items():
            raw.execute(f"SET {name} = {seconds}")
        candidates = ([self.worker] if self.worker else []) + [random.randint(1, 2**31 - 1) for _ in range(64)]
        for candidate in candidates:
            if raw.execute("SELECT pg_try_advisory_lock(%s::integer, %s::integer)",
                           (WORKERS, candidate)).fetchone()[0]:
                self._raw, self.worker, self.held = raw, candidate, set()
                return candidate
        raw.close()
        raise RuntimeError("no free worker id")     # 64 random draws of 2^31 all taken: not in this universe

    def try_hold(self, name: str) -> bool:
        """Take the lock `name` if no other worker holds it, and keep it until `release` or the end
        of the session; True when this worker holds it now."""
        with self._guard:
            try:
                return self._try_hold(name)
            except psycopg.OperationalError:
                log.warning("the worker's own database connection was lost; connecting again")
                self._reconnect()
                return self._try_hold(name)

    def _try_hold(self, name: str) -> bool:
        if name in self.held:
            self._raw.execute("SELECT 1")              # still connected: still held
            return True
        if self._raw.execute("SELECT pg_try_advisory_lock(%s::integer, hashtext(%s))", (NAMED, name)).fetchone()[0]:
            self.held.add(name)
            return True
        return False

    def release(self, name: str) -> None:
        """Let another worker take the lock `name`."""
        with self._guard:
            if name in self.held:
                self.held.discard(name)
                try:
                    self._raw.execute("SELECT pg_advisory_unlock(%s::integer, hashtext(%s))", (NAMED, name))
                except psycopg.OperationalError:
                    pass                                # the session is gone, and its locks with it

    def _reconnect(self) -> None:
        self.close()
        self.open()

    def close(self) -> None:
        """End the session: every lock of this worker is free."""
        if self._raw is not None:
            raw, self._raw = self._raw, None
            try:
                raw.close()
            except psycopg.Error:
                pass


# --- the database -------------------------------------------------------------------------------

class PostgresDatabase:
    """A pool of connections to one PostgreSQL database, and as many database threads."""

    dialect = POSTGRES

    def __init__(self, executor: ThreadPoolExecutor, pool: ConnectionPool, url: str, session: Session):
        self.executor = executor
        self.pool = pool
        self.url = url
        self.path = url_without_password(url)   # what a person is shown: never the password
        self.session = session
        self.stats: Counter = Counter()

    @classmethod
    async def open(cls, url: str, size: int = POOL_SIZE) -> "PostgresDatabase":
        """Connect, bring the schema up to date, and fill the pool."""
        executor = ThreadPoolExecutor(max_workers=size, thread_name_prefix="postgres")
        loop = asyncio.get_running_loop()
        session = Session(url)
        try:
            pool = await loop.run_in_executor(executor, _open_pool, url, size, session)
        except BaseException:
            await loop.run_in_executor(executor, session.close)
            executor.shutdown(wait=False)
            raise
        return cls(executor, pool, url, session)

    async def close(self) -> None:
        loop = asyncio.get_running_loop()
        await loop.run_in_executor(self.executor, self.pool.close)
        await loop.run_in_executor(self.executor, self.session.close)
        self.executor.shutdown(wait=True)

    async def hold(self, name: str) -> bool:
        """Take the named lock on this worker's session unless another worker holds it (storage/locks.py)."""
        return await self._in_session(lambda session: session.try_hold(name))

    async def release(self, name: str) -> None:
        """Let another worker take the named lock."""
        await self._in_session(lambda session: session.release(name))

    async def _in_session(self, fn: Callable[..., T]) -> T:
        loop = asyncio.get_running_loop()
        return await loop.run_in_executor(self.executor, fn, self.session)

    async def run(self, fn: Callable[..., T], *args: Any) -> T:
        """Run `fn(conn, *args)` in one transaction on a database thread; commit or roll back."""
        loop = asyncio.get_running_loop()
        return await loop.run_in_executor(self.executor, _in_transaction, self.pool, fn, args, self.stats)


def _open_pool(url: str, size: int, session: Session) -> ConnectionPool:
    # one connection first, for the migrations, and so that a refused login or a wrong host is
    # said in PostgreSQL's words at once rather than as a pool that timed out
    with psycopg.connect(url, autocommit=True, connect_timeout=CONNECT_TIMEOUT) as raw:
        migrate_postgres(raw)
    session.open()
    # one connection made at once, the others when units of work run side by side
    pool = ConnectionPool(url, min_size=1, max_size=size, open=False, timeout=POOL_TIMEOUT,
                          configure=functools.partial(configure, worker=session.worker), name="chidoan",
                          kwargs={"connect_timeout": CONNECT_TIMEOUT})
    pool.open(wait=True, timeout=CONNECT_TIMEOUT * 2)
    return pool


def _in_transaction(pool: ConnectionPool, fn: Callable[..., T], args: tuple, stats: Counter) -> T:
    attempt, pause = 1, RETRY_PAUSE
    level = READ_COMMITTED if getattr(fn, "read_committed", False) else SERIALIZABLE
    while True:
        raw = pool.getconn()
        try:
            if raw.isolation_level != level:
                raw.isolation_level = level
            return _once(raw, fn, args)
        except (psycopg.errors.SerializationFailure, psycopg.errors.DeadlockDetected):
            stats["retried"] += 1
            if attempt >= RETRIES:
                raise
        finally:
            pool.putconn(raw)
        # the other transaction is committing: a short pause, with a random part so that two
        # that collided do not collide again in step
        time.sleep(pause * (0.5 + random.random()))
        attempt, pause = attempt + 1, min(pause * 2, 0.1)


def _once(raw: psycopg.Connection, fn: Callable[..., T], args: tuple) -> T:
    try:
        result = fn(PostgresConnection(raw), *args)
    except BaseException as error:
        _roll_back(raw)
        if isinstance(error, StopIteration) or not isinstance(error, Exception):
            raise UnitOfWorkFailed(f"{type(error).__name__} in a unit of work: {error}") from error
        raise
    raw.commit()
    return result


def _roll_back(raw: psycopg.Connection) -> None:
    try:
        raw.rollback()
    except psycopg.OperationalError:
        # the connection is gone (the server restarted): the pool replaces it; the caller gets
        # the unit of work's own error, not this one
        log.warning("rollback on a lost PostgreSQL connection")
