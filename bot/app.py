"""Wiring, in one place: settings -> storage -> the channels the settings enable, one scheduler
(the reminder tick) and one outbox sender per channel, all on one event loop, until stopped.

With TELEGRAM_BOT_TOKEN and/or ZALO_BOT_TOKEN (or ZALO_BOTS_FILE: several Zalo bots, one channel
each) set, `serve` runs those messengers over the one database; with none, the terminal chat on
the demo database.

`serve(settings, web=True)` is `python -m bot serve`, the bot on a server: the web app of
bot/web.py on HOST:PORT (the webhooks, /healthz), Telegram and Zalo each pushing to
PUBLIC_URL/telegram and PUBLIC_URL/zalo (a bot of ZALO_BOTS_FILE: PUBLIC_URL/zalo/<key>) when its
webhook secret is set (else it is polled, as `run` does), files offered on Zalo as signed links
when PUBLIC_URL is set, and a backup every night (storage/backup.py). SIGTERM stops it in this
order: the webhooks answer 503 (the messenger sends again later), every update taken is answered, the
senders finish their calls in flight, the web server closes, the database closes; exit 0.
"""

from __future__ import annotations

import asyncio
import contextlib
import gc
import hashlib
import logging
import signal
import sys
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from pathlib import Path

from domain.forms.definitions import FORMS
from domain.forms.engine import FormEngine
from domain.sender import SharedBudget
from domain.services import Services
from bot.channels.base import CannotStart
from bot.startup import GaveUp
from messages_vi import t
from storage import Storage
from storage.sql import POSTGRES

log = logging.getLogger(__name__)


def utc_now() -> datetime:
    return datetime.now(timezone.utc)


async def open_services(database: str | Path, *, clock: Callable[[], datetime] = utc_now,
                        bot_username: str = "", form_max_idle_days: int = 7) -> Services:
    """Open the database (a SQLite file, or a PostgreSQL URL) and make the services; close them
    with `close_services`."""
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
                stdin=sys.stdin, stdout=sys.stdout, stop: asyncio.Event | None = None, web: bool = False) -> int:
    """Run the bot until stopped (SIGINT, SIGTERM, or the terminal chat ending); the exit code.

    `terminal`: None picks from the settings (the terminal when no messenger token is set).
    `web`: `python -m bot serve` — the web app, webhooks where their secrets are set, the nightly
    backup (see the module's docstring).
    """
    from bot import demo
    from storage import backup
    from bot.scheduler import Scheduler, calendar_or_explain

    if web:
        problem = web_problem(settings)
        if problem is not None:
            print(problem, file=sys.stderr)
            return 2
        terminal = False
    calendar = calendar_or_explain(settings.calendar_file)
    if calendar is None:
        return 2
    if terminal is None:
        terminal = not (settings.telegram_token or settings.zalo_token or settings.zalo_bots)
    database = database or (settings.demo_database_path if terminal else settings.database)
    services = await open_services(database, form_max_idle_days=settings.form_max_idle_days)
    services.calendar = calendar
    services.out_dir = settings.out_dir
    stop = stop or asyncio.Event()
    try:
        if terminal:
            await demo.ensure(services.storage, services.clock())
        # the web app serves the exports' signed links: Zalo, which takes no files, offers them
        links = export_links(settings) if web else None
        channels = await _channels(settings, services, terminal, stdin, stdout,
                                   links if settings.public_url else None)
        share_budgets(services.storage, channels)
        ticks = extra_ticks()
        if not terminal:
            ticks += (backup.nightly(settings.backups_dir, settings.backup_keep),)
        if web:
            async def forget_expired_links(services, now) -> int:
                links.prune(now)                   # queues nothing
                return 0

            ticks += (forget_expired_links,)
        scheduler = Scheduler(services, calendar, channels, tick_seconds=settings.reminder_tick_seconds,
                              extra_ticks=ticks)
        pushed = pushed_channels(settings) if web else {}
        server, runs, intake = None, {}, None
        with _stopped_by_signals(stop):
            scheduler.start()
            try:
                if web:
                    server, runs, intake = await _start_web(settings, services, scheduler, channels, pushed, stop)
                    # what start-up made lives as long as the process: out of the collector's
                    # way, a full collection under load takes milliseconds, not tens of them
                    gc.collect()
                    gc.freeze()
                    for channel in channels:
                        push = pushed.get(channel.name)
                        log.info("%s: %s", channel.name, f"webhook at {push.url}" if push else "long polling")
                outcomes = await asyncio.gather(*(_until_stopped(channel, stop, runs.get(channel.name))
                                                  for channel in channels), return_exceptions=True)
                for outcome in outcomes:           # every channel has finished: then say why one failed
                    if isinstance(outcome, BaseException):
                        raise outcome
                if not stop.is_set() and channels and all(getattr(c, "refused", False) for c in channels):
                    stop.set()                     # several Zalo bots, and Zalo refused every token
                    print(t("startup.zalo_no_bot_left"), file=sys.stderr)
                    return 1
            finally:
                await scheduler.stop()             # the senders finish their calls in flight
                if intake is not None:
                    await intake.close()           # the rows of the updates handled last go
                if server is not None:
                    await server.stop()
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


async def _channels(settings, services: Services, terminal: bool, stdin, stdout, links=None) -> list:
    """The channels to run, built once; imported only when enabled (each pulls its SDK). `links`:
    the signed export links the web app serves (bot/channels/links.py), for Zalo's files."""
    if terminal:
        from bot.channels.terminal import TerminalChannel

        if logging.getLogger().level < logging.WARNING:
            logging.getLogger().setLevel(logging.WARNING)      # keep the chat readable
        return [TerminalChannel(services, stdin, stdout)]
    channels = []
    if settings.telegram_token:
        from bot.channels.telegram import build_application

        channels.append(build_application(settings, services=services).bot_data["channel"])
    if settings.zalo_token or settings.zalo_bots:
        from bot.channels.zalo import open_channels

        channels += await open_channels(settings, services, links=links)
    return channels


def share_budgets(storage, channels) -> None:
    """Over PostgreSQL several workers may serve the same bots: each channel's pace is then kept in
    the database, for all of them (domain.sender.SharedBudget). SQLite keeps it in memory."""
    if storage.dialect != POSTGRES:
        return
    for channel in channels:
        budget = getattr(channel, "budget", None)
        if budget is not None:
            channel.budget = SharedBudget(1 / budget.interval, storage, channel.name)


async def _until_stopped(channel, stop: asyncio.Event, run: Callable[[], Awaitable[None]] | None = None) -> None:
    """Run one channel (`run`: taking what its messenger pushes; else its own `run`, polling); if it
    fails, stop the others too and say why."""
    try:
        if run is None:
            await channel.run(stop)
        else:
            await run()
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


# --- python -m bot serve: the web app, the webhooks, /healthz ---------------------------------------

TELEGRAM_SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"
ZALO_SECRET_HEADER = "X-Bot-Api-Secret-Token"
HEALTH_DB_TIMEOUT = 5.0          # seconds the database has to answer /healthz
STALE_TICKS = 3                  # /healthz is 503 when the last tick is older than this many intervals


@dataclass(frozen=True)
class Push:
    """A messenger that pushes its updates: where, and the secret it sends back."""

    url: str
    secret: str
    header: str


def pushed_channels(settings) -> dict[str, Push]:
    """The channels that take webhooks under `serve`: those whose token and webhook secret are set."""
    base = settings.public_url or ""
    pushed = {}
    if settings.telegram_token and settings.telegram_webhook_secret:
        pushed["telegram"] = Push(f"{base}/telegram", settings.telegram_webhook_secret, TELEGRAM_SECRET_HEADER)
    if (settings.zalo_token or settings.zalo_bots) and settings.zalo_webhook_secret:
        from bot.channels.zalo import channel_of, webhook_path

        # one path a bot, named by its key (a token never reaches a URL of ours)
        keys = ([None] if settings.zalo_token else []) + [bot.key for bot in settings.zalo_bots]
        for name in map(channel_of, keys):
            pushed[name] = Push(f"{base}{webhook_path(name)}", settings.zalo_webhook_secret, ZALO_SECRET_HEADER)
    return pushed


def web_problem(settings) -> str | None:
    """Why `serve` cannot start with these settings (one Vietnamese line), or None."""
    if not (settings.telegram_token or settings.zalo_token or settings.zalo_bots):
        return t("serve.no_messenger")
    if settings.public_url is None:
        if settings.telegram_token and settings.telegram_webhook_secret:
            return t("serve.no_public_url", secret="TELEGRAM_WEBHOOK_SECRET", channel="Telegram")
        if (settings.zalo_token or settings.zalo_bots) and settings.zalo_webhook_secret:
            return t("serve.no_public_url", secret="ZALO_WEBHOOK_SECRET", channel="Zalo")
    return None


def export_links(settings):
    """The signed export links (bot/web.py's ExportLinks), keyed by the bot's secrets: the same
    links from `python -m bot export --link` and from the running bot, across restarts."""
    from bot.channels.links import ExportLinks

    key = hashlib.sha256(b"chidoan-bot export link key\0" + "\0".join(settings.secrets).encode()).digest()
    return ExportLinks(key, settings.out_dir / "links", settings.public_url)


def log_key(settings) -> bytes:
    """The key chat ids are hashed with in the logs: derived from the bot's secrets, so the same
    chat reads the same across restarts, and no one without them can tell which chat it is."""
    return hashlib.sha256(b"chidoan-bot log chat key\0" + "\0".join(settings.secrets).encode()).digest()


class Health:
    """What GET /healthz answers: (HTTP status, JSON body)."""

    def __init__(self, services: Services, scheduler, tick_seconds: int, stop: asyncio.Event,
                 webhooks=(), backups_dir: Path | None = None):
        self.services = services
        self.scheduler = scheduler
        self.tick_seconds = tick_seconds
        self.stop = stop
        self.webhooks = list(webhooks)
        self.backups_dir = backups_dir
        self.started = time.monotonic()

    async def check(self) -> tuple[int, dict]:
        if self.stop.is_set():
            return 503, {"status": "stopping"}
        body: dict = {"status": "ok"}
        healthy = True
        try:
            counts = await asyncio.wait_for(self.services.storage.outbox.counts(), HEALTH_DB_TIMEOUT)
            body["database"] = "ok"
            body["outbox"] = {"backlog": counts.get("queued", 0) + counts.get("sending", 0), **counts}
        except Exception as error:
            healthy = False
            body["status"] = body["database"] = "error"
            log.warning("healthz: the database did not answer (%s)", type(error).__name__)
        last = self.scheduler.last_tick_monotonic
        age = time.monotonic() - (last if last is not None else self.started)
        limit = STALE_TICKS * self.tick_seconds
        body["last_tick"] = self.scheduler.last_tick_at.isoformat() if self.scheduler.last_tick_at else None
        body["tick_age_seconds"] = round(age, 1)
        body["tick_limit_seconds"] = limit
        if self.scheduler.ticking is not None:
            body["ticking_here"] = self.scheduler.ticking    # False: another worker ticks (bot/scheduler.py)
        if age > limit:
            healthy = False
            if body["status"] == "ok":
                body["status"] = "stale"
        if self.webhooks:
            body["webhooks"] = {hook.name: {"taking": hook.ready(), "pending": hook.pending(), **hook.counts}
                                for hook in self.webhooks}
            intake = self.webhooks[0].intake                  # one for every webhook
            body["inbox"] = {"written": intake.written, "commits": intake.commits}
        if self.backups_dir is not None:
            from storage import backup

            newest = backup.backups(self.backups_dir)
            body["last_backup"] = backup.taken_at(newest[-1]).isoformat() if newest else None
        return (200 if healthy else 503), body


def telegram_webhook(channel, push: Push, stop: asyncio.Event, intake):
    """The Telegram channel's webhook for bot/web.py, its updates kept in `intake` until handled."""
    from bot.channels.telegram import update_key
    from bot.web import Accepted, Webhook

    def accept(data: object) -> Accepted | None:
        received = channel.read_webhook(data)
        if received is None:
            return None
        start = (lambda: channel.start_pushed(received)) if received.incoming is not None else None
        return Accepted(chat=received.chat_id, kind=received.kind, update=str(received.update_id),
                        key=update_key(received.update_id), start=start)

    return Webhook("telegram", "/telegram", push.header, push.secret, accept,
                   ready=lambda: channel.webhook_open and not stop.is_set(), intake=intake,
                   pending=lambda: channel.pending)


class ZaloPushes:
    """Zalo's webhook for bot/web.py, over the Zalo channel's public `take` and `start` (the
    poller's too): one pushed update kept in `intake`, then started in the background, in its
    chat's order; a message id just started is skipped, and the router's claim answers a later
    repeat once."""

    def __init__(self, channel, stop: asyncio.Event, intake):
        self.channel = channel
        self.stop = stop
        self.intake = intake
        self.open = False
        self.hook = None

    def accept(self, data: object):
        from bot.channels.zalo import read_update
        from bot.channels.zalo_api import parse_update
        from bot.web import Accepted

        update = parse_update(data) if isinstance(data, dict) else None
        if update is None:
            raise ValueError("not a Zalo update")
        if read_update(update) is None:        # not answered (a bot's own message, a group, an event)
            return Accepted(chat=None, kind=str(update.get("event_name") or "event"))
        message = self.channel.take(update)
        if message is None:
            return None
        return Accepted(chat=message.chat_id, kind=str(update.get("event_name")), update=message.message_id,
                        key=self.channel.claim_key(message), start=lambda: self.channel.start(message))

    def webhook(self, push: Push):
        from bot.channels.zalo import webhook_path
        from bot.web import Webhook

        self.hook = Webhook(self.channel.name, webhook_path(self.channel.name), push.header, push.secret,
                            self.accept, ready=lambda: self.open and not self.stop.is_set(), intake=self.intake,
                            pending=lambda: self.channel.in_flight)
        return self.hook


async def _zalo_pushes(channel, pushes: ZaloPushes, stop: asyncio.Event, push: Push) -> None:
    """Zalo pushing to PUBLIC_URL/zalo (a bot of several: /zalo/<key>): check the token, set the
    webhook, take updates until `stop`, then finish those taken. A refused token, at start or on a
    send later (revoked while running): see the channel's `token_refused` (one bot of several stops
    alone)."""
    from bot.channels.zalo import START_ATTEMPTS
    from bot.channels.zalo_api import ZaloTokenRejected
    from bot.startup import Stopped, with_retries
    from domain.sender import Rejected, RetryAfter, Transient

    try:
        try:
            await with_retries(channel.api.get_me, attempts=START_ATTEMPTS, first_delay=2.0, say=print,
                               retry_on=(Transient, RetryAfter), stop=stop)
            await pushes.intake.replay(pushes.hook)     # what a killed process took and did not answer
            pushes.open = not stop.is_set()
            await with_retries(lambda: channel.api.set_webhook(push.url, push.secret), attempts=START_ATTEMPTS,
                               first_delay=2.0, say=print, retry_on=(Transient, RetryAfter), stop=stop)
        except Stopped:
            return                                      # stopped while still trying to reach Zalo
        except ZaloTokenRejected as error:
            channel.token_refused(error)
            return
        except Rejected as error:
            raise CannotStart(t("zalo.cannot_start", error=error)) from error
        log.info("%s: webhook set, updates are pushed to the bot", channel.name)
        # a token revoked while running shows only on a send (no poll): then stop as a poll would
        waits = [asyncio.ensure_future(stop.wait()), asyncio.ensure_future(channel.revoked.wait())]
        await asyncio.wait(waits, return_when=asyncio.FIRST_COMPLETED)
        for wait in waits:
            wait.cancel()
        if channel.revoked_error is not None and not stop.is_set():
            pushes.open = False
            channel.token_refused(channel.revoked_error)
    finally:
        pushes.open = False
        await pushes.intake.drain()
        await channel.settle()


async def _start_web(settings, services: Services, scheduler, channels, pushed: dict[str, Push],
                     stop: asyncio.Event):
    """Build the web app for these channels and start listening: the running WebServer, how each
    pushed channel runs (its name -> a coroutine function), and the Intake keeping their updates."""
    from bot.web import ChatHasher, Intake, WebServer, create_app

    hooks, runs = [], {}
    intake = Intake(services.storage, services.clock)
    for channel in channels:
        push = pushed.get(channel.name)
        if push is None:
            continue
        if channel.name == "telegram":
            hook = telegram_webhook(channel, push, stop, intake)
            hooks.append(hook)
            runs[channel.name] = lambda channel=channel, push=push, hook=hook: channel.run_webhook(
                stop, push.url, push.secret, replay=lambda: intake.replay(hook), drain=intake.drain)
        else:
            pushes = ZaloPushes(channel, stop, intake)
            hooks.append(pushes.webhook(push))
            runs[channel.name] = lambda channel=channel, pushes=pushes, push=push: _zalo_pushes(
                channel, pushes, stop, push)
    health = Health(services, scheduler, settings.reminder_tick_seconds, stop, hooks, settings.backups_dir)
    server = WebServer(create_app(hooks, health.check, hash_chat=ChatHasher(log_key(settings)),
                                  links=export_links(settings), clock=services.clock),
                       settings.host, settings.port)
    await server.start()
    return server, runs, intake
