"""The only package that speaks SQL: one database (a SQLite file, or PostgreSQL: storage.postgres),
opened once, shared by every feature.

Repositories are attributes of `Storage`; each method is one transaction (see storage.db).
`Storage.atomic` runs a function that calls several of them as one transaction, handing it a
`Transaction` of bound repositories: no code outside storage/ ever holds the connection.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

from storage import opening
from storage.db import Database
from storage.deadlines import Deadlines
from storage.digests import Digests
from storage.forms import Forms
from storage.inbox import Inbox
from storage.menus import Menus
from storage.nudges import Nudges
from storage.outbox import Outbox
from storage.people import Invites, People
from storage.photos import Photos
from storage.quota import Quota
from storage.rates import Rates
from storage.reports import Reports
from storage.repository import Transaction
from storage.sql import is_postgres_url
from storage.three_active import ThreeActive
from storage.units import Units

T = TypeVar("T")


class Storage:
    REPOSITORIES = ("units", "people", "invites", "forms", "reports", "outbox", "deadlines", "digests", "menus", "photos", "quota", "nudges",
                    "three_active", "inbox", "rates")

    def __init__(self, db: Database):
        self.db = db
        self.units = Units(db)
        self.people = People(db)
        self.invites = Invites(db)
        self.forms = Forms(db)
        self.reports = Reports(db)
        self.outbox = Outbox(db)
        self.deadlines = Deadlines(db)
        self.digests = Digests(db)
        self.menus = Menus(db)
        self.quota = Quota(db)
        self.photos = Photos(db)
        self.three_active = ThreeActive(db)
        self.nudges = Nudges(db)
        self.inbox = Inbox(db)
        self.rates = Rates(db)

    @classmethod
    async def open(cls, target: str | Path) -> "Storage":
        """Open the database, migrating it to the current schema: a SQLite file by its path, or
        PostgreSQL by its URL, postgresql://user:password@host/database (storage.postgres). One
        that cannot be opened raises storage.opening.CannotOpen, saying why in Vietnamese."""
        try:
            if is_postgres_url(target):
                from storage.postgres import PostgresDatabase      # psycopg is imported only when used

                return cls(await PostgresDatabase.open(str(target)))
            return cls(await Database.open(target))
        except Exception as error:
            refused = opening.failure(error, target)
            if refused is None:
                raise
            raise refused from error

    @property
    def path(self) -> str:
        """The SQLite file, or the PostgreSQL URL without its password."""
        return self.db.path

    @property
    def dialect(self) -> str:
        """"sqlite" or "postgres" (storage.sql)."""
        return self.db.dialect

    async def hold(self, name: str) -> bool:
        """Take the lock `name` among the workers sharing this database unless another holds it,
        and keep it until `release` or this worker's end (storage/locks.py); True when this worker
        holds it. SQLite has one worker: always True, without asking the database."""
        return await self.db.hold(name)

    async def release(self, name: str) -> None:
        """Let another worker take the lock `name` (see `hold`)."""
        await self.db.release(name)

    async def atomic(self, fn: Callable[..., T], *args: Any) -> T:
        """Run `fn(tx, *args)` in one transaction on the database thread: every repository call
        made through `tx` commits together, or none does."""
        return await self.db.run(lambda conn: fn(Transaction(self, conn), *args))

    async def close(self) -> None:
        await self.db.close()

    async def __aenter__(self) -> "Storage":
        return self

    async def __aexit__(self, *exc) -> None:
        await self.close()
