"""The long-lived things every handler and tick is handed: storage, the clock, the form engine."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
import tempfile
from pathlib import Path

from domain.deadlines.calendar import Calendar
from domain.forms.engine import FormEngine
from storage import Storage
from storage.sql import SQLITE


@dataclass
class Services:
    """Long-lived things, made once in main and passed in; nothing is a global."""

    storage: Storage
    clock: Callable[[], datetime]       # now, UTC, aware
    engine: FormEngine
    bot_username: str = ""
    form_max_idle: timedelta = timedelta(days=7)
    calendar: Calendar | None = None      # the deadline calendar; None: the shipped default
    # Where the files sent as attachments (charts, spreadsheets) are written: the wiring sets it to
    # DATA_DIR/out; None (services made in tests and benchmarks): folder("out")
    out_dir: Path | None = None

    def folder(self, name: str) -> Path:
        """A folder of the bot's own files: beside out_dir (DATA_DIR/<name>); without one, beside
        a SQLite database file, else (PostgreSQL, a database in memory) in the temporary folder.
        Never the current folder, which depends on where the bot was started, nor a path made of
        a database's URL."""
        if self.out_dir is not None:
            return self.out_dir.parent / name
        database = self.storage.path
        if self.storage.dialect == SQLITE and database != ":memory:":
            return Path(database).resolve().parent / name
        return Path(tempfile.gettempdir()) / f"chidoan-bot-{name}"
