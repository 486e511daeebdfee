"""Wiring: open the storage and build the services every channel hands to the handlers."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta, timezone
from pathlib import Path

from bot.forms.definitions import FORMS
from bot.forms.engine import FormEngine
from handlers.context import Services
from storage import Storage


def utc_now() -> datetime:
    return datetime.now(timezone.utc)


async def open_services(database: str | Path, *, clock: Callable[[], datetime] = utc_now,
                        bot_username: str = "", form_max_idle_days: int = 7) -> Services:
    """Open the database and make the services; close them with `close_services`."""
    storage = await Storage.open(database)
    engine = FormEngine(storage, FORMS, clock)
    return Services(storage, clock, engine, bot_username, timedelta(days=form_max_idle_days))


async def close_services(services: Services) -> None:
    await services.storage.close()
