"""The long-lived things every handler and tick is handed: storage, the clock, the form engine."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path

from domain.deadlines.calendar import Calendar
from domain.forms.engine import FormEngine
from storage import Storage


@dataclass
class Services:
    """Long-lived things, made once in main and passed in; nothing is a global."""

    storage: Storage
    clock: Callable[[], datetime]       # now, UTC, aware
    engine: FormEngine
    bot_username: str = ""
    form_max_idle: timedelta = timedelta(days=7)
    calendar: Calendar | None = None      # the deadline calendar; None: the shipped default
    # Where the files sent as attachments (charts, spreadsheets) are written; None: "out" beside
    # the database file, which is the settings' out_dir (DATA_DIR/out) for the default database.
    out_dir: Path | None = None
