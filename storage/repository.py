"""The small base every repository shares: methods that are one unit of work each."""

from __future__ import annotations

import functools
from datetime import datetime, timezone

from storage.db import Database


def unit_of_work(fn):
    """Turn `fn(self, conn, ...)` into an async method run in one transaction on the DB thread.

    The plain function stays reachable as `.inside`, so one unit of work can call another
    inside its own transaction: `Units.get.inside(self.units, conn, 5)`.
    """

    @functools.wraps(fn)
    async def method(self, *args, **kwargs):
        return await self.db.run(lambda conn: fn(self, conn, *args, **kwargs))

    method.inside = fn
    return method


class Repository:
    def __init__(self, db: Database):
        self.db = db


def iso(moment: datetime) -> str:
    """A timestamp as stored: UTC, ISO-8601."""
    if moment.tzinfo is None:
        raise ValueError("naive datetime given to storage")
    return moment.astimezone(timezone.utc).isoformat(timespec="seconds")


def from_iso(text: str | None) -> datetime | None:
    return datetime.fromisoformat(text) if text else None
