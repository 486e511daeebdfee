"""Wiring: open the storage and build the services every channel hands to the handlers."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta, timezone
from pathlib import Path

from domain.forms.definitions import FORMS
from domain.forms.engine import FormEngine
from domain.services import Services
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


async def forget_old_updates(services: Services, now: datetime) -> int:
    """Telegram keeps an undelivered update for 24 hours: redelivery marks older than two days
    can go. Queues nothing."""
    await services.storage.forms.forget_processed(now - timedelta(days=2))
    return 0


def extra_ticks():
    """What the scheduler runs on every tick besides reminders and expired forms."""
    from domain.digests.weekly import queue_weekly_digests

    return (queue_weekly_digests, forget_old_updates)
