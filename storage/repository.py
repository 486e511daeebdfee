"""The small base every repository shares: methods that are one unit of work each, and the
transaction handle that lets several of them run as one."""

from __future__ import annotations

import functools
from datetime import datetime, timezone

from storage.db import Database


def unit_of_work(fn):
    """Turn `fn(self, conn, ...)` into an async method run in one transaction on the DB thread.

    The plain function stays reachable as `.inside`, so that a `Transaction` (below) and other
    repositories can run it inside a transaction already open.
    """

    committed = getattr(fn, "read_committed", False)

    @functools.wraps(fn)
    async def method(self, *args, **kwargs):
        _refuse_naive(args, kwargs)
        work = lambda conn: fn(self, conn, *args, **kwargs)   # noqa: E731
        if committed:
            work.read_committed = True
        return await self.db.run(work)

    method.inside = fn
    return method


def read_committed(fn):
    """Mark a unit of work (under @unit_of_work) that PostgreSQL runs READ COMMITTED rather than
    SERIALIZABLE: one whose statements are safe among concurrent workers by themselves (a
    `FOR UPDATE SKIP LOCKED` claim, a single `UPDATE ... RETURNING`); see storage.postgres.
    SQLite, one writer at a time, runs it as any other."""
    fn.read_committed = True
    return fn


def _refuse_naive(args: tuple, kwargs: dict) -> None:
    # Checked at the door, not only where a row is written: a caller with a naive clock is told
    # on its first call, even one that has nothing to write.
    for value in (*args, *kwargs.values()):
        if isinstance(value, datetime) and value.tzinfo is None:
            raise ValueError("naive datetime given to storage")


class Repository:
    def __init__(self, db: Database):
        self.db = db


class Bound:
    """One repository inside an open transaction: `tx.reports.add_meeting(...)` runs the unit of
    work `Reports.add_meeting` synchronously in that transaction and returns its plain record."""

    def __init__(self, repository: Repository, connection):
        self.repository = repository
        self.connection = connection

    def __getattr__(self, name: str):
        inside = getattr(getattr(type(self.repository), name, None), "inside", None)
        if inside is None:
            raise AttributeError(f"{type(self.repository).__name__}.{name} is not a unit of work")

        def call(*args, **kwargs):
            _refuse_naive(args, kwargs)
            return inside(self.repository, self.connection, *args, **kwargs)

        return call


class Transaction:
    """Every repository, bound to one transaction on the database thread (`Storage.atomic`).

    Code outside storage/ gets this handle, never the connection: it calls repository functions
    that return plain records, and all of them commit or roll back together.
    """

    def __init__(self, storage, connection):
        for name in storage.REPOSITORIES:
            setattr(self, name, Bound(getattr(storage, name), connection))


def iso(moment: datetime) -> str:
    """A timestamp as stored: UTC, ISO-8601."""
    if moment.tzinfo is None:
        raise ValueError("naive datetime given to storage")
    return moment.astimezone(timezone.utc).isoformat(timespec="seconds")
