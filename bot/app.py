"""Wiring, in one place: settings -> storage -> the channels the settings enable, one scheduler
(the reminder tick) and one outbox sender per channel, all on one event loop, until stopped.

With TELEGRAM_BOT_TOKEN and/or ZALO_BOT_TOKEN set, `serve` runs those messengers over the one
database; with neither, the terminal chat on the demo database.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import signal
import sys
from collections.abc import Callable
from datetime import datetime, timedelta, timezone
from pathlib import Path

from domain.forms.definitions import FORMS
from domain.forms.engine import FormEngine
from domain.services import Services
from bot.channels.base import CannotStart
from bot.startup import GaveUp
from messages_vi import t
from storage import Storage

log = logging.getLogger(__name__)


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


async def serve(settings, *, database: Path | None = None, terminal: bool | None = None,
                stdin=sys.stdin, stdout=sys.stdout, stop: asyncio.Event | None = None) -> int:
    """Run the bot until stopped (SIGINT, SIGTERM, or the terminal chat ending); the exit code.

    `terminal`: None picks from the settings (the terminal when no messenger token is set).
    """
    from bot import demo
    from bot.scheduler import Scheduler, calendar_or_explain

    calendar = calendar_or_explain(settings.calendar_file)
    if calendar is None:
        return 2
    if terminal is None:
        terminal = not (settings.telegram_token or settings.zalo_token)
    database = database or (settings.demo_database_path if terminal else settings.database_path)
    services = await open_services(database, form_max_idle_days=settings.form_max_idle_days)
    services.calendar = calendar
    services.out_dir = settings.out_dir
    stop = stop or asyncio.Event()
    try:
        if terminal:
            await demo.ensure(services.storage, services.clock())
        channels = await _channels(settings, services, terminal, stdin, stdout)
        scheduler = Scheduler(services, calendar, channels, tick_seconds=settings.reminder_tick_seconds,
                              extra_ticks=extra_ticks())
        with _stopped_by_signals(stop):
            scheduler.start()
            try:
                await asyncio.gather(*(_until_stopped(channel, stop) for channel in channels))
            finally:
                await scheduler.stop()
                for channel in channels:
                    closing = getattr(channel, "close", None)
                    if closing is not None:
                        await closing()
    except CannotStart as error:
        print(error, file=sys.stderr)
        return 1
    finally:
        await close_services(services)
    return 0


async def _channels(settings, services: Services, terminal: bool, stdin, stdout) -> list:
    """The channels to run, built once; imported only when enabled (each pulls its SDK)."""
    if terminal:
        from bot.channels.terminal import TerminalChannel

        if logging.getLogger().level < logging.WARNING:
            logging.getLogger().setLevel(logging.WARNING)      # keep the chat readable
        return [TerminalChannel(services, stdin, stdout)]
    channels = []
    if settings.telegram_token:
        from bot.channels.telegram import build_application

        channels.append(build_application(settings, services=services).bot_data["channel"])
    if settings.zalo_token:
        from bot.channels.zalo import open_channel

        channels.append(await open_channel(settings, services))
    return channels


async def _until_stopped(channel, stop: asyncio.Event) -> None:
    """Run one channel; if it fails, stop the others too and say why."""
    try:
        await channel.run(stop)
    except CannotStart:
        stop.set()
        raise
    except GaveUp as error:                    # no network for a minute at start
        stop.set()
        raise CannotStart(str(error)) from error
    except Exception as error:
        stop.set()
        log.exception("the %s channel stopped", channel.name)
        raise CannotStart(t("app.channel_failed", channel=channel.name, error=type(error).__name__)) from error


@contextlib.contextmanager
def _stopped_by_signals(stop: asyncio.Event):
    """SIGINT and SIGTERM (systemd's stop) end the bot cleanly: replies in flight are finished."""
    loop = asyncio.get_running_loop()
    installed = []
    for number in (signal.SIGINT, signal.SIGTERM):
        with contextlib.suppress(NotImplementedError, RuntimeError, ValueError):
            loop.add_signal_handler(number, stop.set)
            installed.append(number)
    try:
        yield
    finally:
        for number in installed:
            loop.remove_signal_handler(number)
