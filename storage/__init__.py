"""The only package that speaks SQL: one SQLite file, opened once, shared by every feature.

Repositories are attributes of `Storage`; each method is one transaction (see storage.db).
`Storage.atomic` runs a function that calls several of them as one transaction, handing it a
`Transaction` of bound repositories: no code outside storage/ ever holds the connection.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

from storage.db import Database
from storage.deadlines import Deadlines
from storage.digests import Digests
from storage.forms import Forms
from storage.menus import Menus
from storage.outbox import Outbox
from storage.people import Invites, People
from storage.photos import Photos
from storage.quota import Quota
from storage.reports import Reports
from storage.repository import Transaction
from storage.units import Units

T = TypeVar("T")


class Storage:
    REPOSITORIES = ("units", "people", "invites", "forms", "reports", "outbox", "deadlines", "digests", "menus", "photos", "quota")

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

    @classmethod
    async def open(cls, path: str | Path) -> "Storage":
        """Open the database file, migrating it to the current schema."""
        return cls(await Database.open(path))

    @property
    def path(self) -> str:
        return self.db.path

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
