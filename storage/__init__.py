"""The only package that speaks SQL: one SQLite file, opened once, shared by every feature.

Repositories are attributes of `Storage`; each method is one transaction (see storage.db).
"""

from __future__ import annotations

from pathlib import Path

from storage.db import Database
from storage.deadlines import Deadlines
from storage.digests import Digests
from storage.forms import Forms
from storage.outbox import Outbox
from storage.people import Invites, People
from storage.reports import Reports
from storage.units import Units


class Storage:
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

    @classmethod
    async def open(cls, path: str | Path) -> "Storage":
        """Open the database file, migrating it to the current schema."""
        return cls(await Database.open(path))

    async def close(self) -> None:
        await self.db.close()

    async def __aenter__(self) -> "Storage":
        return self

    async def __aexit__(self, *exc) -> None:
        await self.close()
