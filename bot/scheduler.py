"""The scheduler: a periodic tick that queues what is due, and the sender loop that drains the outbox.

The tick runs every REMINDER_TICK_SECONDS as one asyncio task, whatever channels run (a Zalo-only
deployment has no python-telegram-bot JobQueue). Nothing depends on a particular run happening:
every tick recomputes what is due from the database, so a late, missed or doubled tick is
harmless. Each channel has its own sender, draining that channel's outbox rows.

Each tick: reminders (domain.reminders), forms left untouched too long (dropped, their owners told
through the outbox), once a day the outbox rows finished more than OUTBOX_KEEP ago (forgotten),
then any extra tick functions `async def f(services, now) -> int` (the digests plug in here),
each returning how many messages it queued; and, for several workers over one PostgreSQL
database, the outbox rows of a worker that is gone queued again (Outbox.requeue_orphans).

Several workers (`python -m bot serve` N times over one PostgreSQL database) tick one at a time:
a tick first takes the lock TICK_LOCK (Storage.hold: `pg_try_advisory_lock` on the worker's own
session, storage/locks.py) and keeps it; a worker that finds it held by another skips the tick.
So one worker ticks, every interval, for as long as it lives; when it stops, or dies, the
database frees its lock with its session and the next worker to tick takes it over. Why a
session advisory lock rather than a leader lease in a table: no expiry to choose (too short, two
leaders during a long tick; too long, no ticks for that long after a crash), no renewal to write
every few seconds, no clocks of different machines to compare — PostgreSQL itself says who holds
it, and frees it the moment the holder's connection ends. And why kept rather than taken for each
tick: taken per tick, each worker would tick once an interval at its own phase, and the work
would be done N times, safely (ticks are idempotent) but for nothing.

/healthz: a worker that skipped because another holds the lock counts as having ticked — the
tick is alive, done by the holder (`ticking` says which); the holder itself goes stale if its
ticks stop, and its own /healthz says so. On SQLite the lock is always this process's, without
asking the database.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import time
from collections.abc import Awaitable, Callable, Sequence
from datetime import date, datetime, timedelta

from domain.deadlines.calendar import Calendar
from domain.reminders import Reminders
from domain.sender import Budget, Limits, Sender, Transport
from domain.services import Services
from domain.conversation import Reply
from messages_vi import t
from messages_vi.formatting import local_today
from storage.outbox import NewMessage

log = logging.getLogger(__name__)

ExtraTick = Callable[[Services, datetime], Awaitable[int]]

# Sent, failed and dropped outbox rows are kept this long (for support), then forgotten. Longer
# than any key a tick derives again: a digest's week, a form's start, a block's moment.
OUTBOX_KEEP = timedelta(days=30)
# the lock the ticking worker holds (Storage.hold)
TICK_LOCK = "scheduler tick"


class Scheduler:
    def __init__(self, services: Services, calendar: Calendar, transports: Transport | Sequence[Transport], *,
                 tick_seconds: int = 60, extra_ticks: Sequence[ExtraTick] = (), limits: Limits | None = None,
                 budget: Budget | None = None, outbox_keep: timedelta = OUTBOX_KEEP):
        """One sender per transport (a channel), each draining its channel's outbox rows. A
        transport's own `budget` (or `budget`) is shared with its replies, which go first; by
        default a sender paces itself at `limits.rate`; a transport's own `limits` replace them."""
        self.services = services
        self.calendar = calendar
        self.tick_seconds = tick_seconds
        self.extra_ticks = list(extra_ticks)
        self.reminders = Reminders(services.storage, calendar)
        settings = calendar.settings
        limits = limits or Limits(quiet=(settings.quiet_start, settings.quiet_end))
        transports = [transports] if hasattr(transports, "deliver") else list(transports)
        self.senders = [Sender(services.storage, transport, getattr(transport, "limits", None) or limits,
                               clock=services.clock, budget=getattr(transport, "budget", None) or budget)
                        for transport in transports]
        self.outbox_keep = outbox_keep
        self._purged_on: date | None = None           # the local day of the last outbox purge
        self._stop = asyncio.Event()
        self._tasks: list[asyncio.Task] = []
        # When the last tick finished (GET /healthz): the clock's time, and the monotonic one the
        # age is measured with (a wall clock set back or forward does not fake a stalled tick).
        self.last_tick_at: datetime | None = None
        self.last_tick_monotonic: float | None = None
        self.ticking: bool | None = None               # this worker ticks (False: another does)

    async def tick(self) -> int:
        """Queue everything due now; returns how many messages were queued. Never raises. Skipped
        (0) while another worker over the same database ticks."""
        now = self.services.clock()
        storage = self.services.storage
        try:
            self.ticking = await storage.hold(TICK_LOCK)
        except Exception:
            log.exception("the tick lock could not be asked for; the next tick tries again")
            return 0                                  # not recorded as a tick: /healthz goes stale
        if not self.ticking:
            self.last_tick_at, self.last_tick_monotonic = now, time.monotonic()
            return 0
        queued = 0
        for name, step in [("reminders", lambda: self.reminders.tick(now)), ("forms", lambda: self.expire_forms(now)),
                           ("outbox", lambda: self.purge_outbox(now)), ("orphans", storage.outbox.requeue_orphans)] \
                + [(getattr(f, "__name__", "extra"), lambda f=f: f(self.services, now)) for f in self.extra_ticks]:
            try:
                queued += await step()
            except Exception:
                log.exception("the %s tick failed; the next tick tries again", name)
        if queued:
            for sender in self.senders:
                sender.wake()
        self.last_tick_at, self.last_tick_monotonic = now, time.monotonic()
        return queued

    async def expire_forms(self, now: datetime) -> int:
        """Drop forms untouched for longer than form_max_idle and tell their owners, in one transaction."""
        storage = self.services.storage
        max_idle = self.services.form_max_idle

        def expire(tx) -> int:
            sessions = tx.forms.drop_untouched(now - max_idle)
            messages = [NewMessage(f"form:{s.id}:{s.started_at.isoformat()}", s.person_id, json.dumps(Reply(t(
                "form.expired", title=t(f"{s.form}.title"), started=local_today(s.started_at), days=max_idle.days,
            )).to_dict(), ensure_ascii=False)) for s in sessions]
            return tx.outbox.enqueue(messages, now) if messages else 0

        return await storage.atomic(expire)

    async def purge_outbox(self, now: datetime) -> int:
        """At most once a local day, forget the outbox rows finished more than outbox_keep ago.
        Queues nothing: returns 0."""
        today = local_today(now)
        if self._purged_on == today:
            return 0
        forgotten = await self.services.storage.outbox.purge(now - self.outbox_keep)
        self._purged_on = today                   # after it: a failed purge is tried on the next tick
        if forgotten:
            log.info("forgot %d outbox rows finished more than %d days ago", forgotten, self.outbox_keep.days)
        return 0

    # --- running ------------------------------------------------------------------------------
    @property
    def sender(self) -> Sender:
        """The first channel's sender (most deployments have one channel)."""
        return self.senders[0]

    def start(self) -> None:
        """Tick and send as tasks of the running loop, for every channel at once."""
        self._tasks.append(asyncio.create_task(self._tick_loop()))
        self._tasks += [asyncio.create_task(sender.run(self._stop)) for sender in self.senders]

    async def _tick_loop(self) -> None:
        while not self._stop.is_set():
            await self.tick()
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._stop.wait(), self.tick_seconds)

    async def stop(self) -> None:
        """Stop ticking and wait for the sender to settle what it has in flight."""
        self._stop.set()
        for sender in self.senders:
            sender.wake()
        if self._tasks:
            await asyncio.gather(*self._tasks, return_exceptions=True)
        self._tasks.clear()
        if self.ticking:
            with contextlib.suppress(Exception):       # (closing the storage frees it all the same)
                await self.services.storage.release(TICK_LOCK)   # another worker ticks from now
            self.ticking = None


def calendar_or_explain(path, stream=None) -> Calendar | None:
    """The calendar at `path` (None: the shipped default), or None after telling the officer, in
    Vietnamese, every problem found in the file."""
    import sys

    from domain.deadlines.calendar import CalendarError, load_calendar

    try:
        return load_calendar(path)
    except CalendarError as error:
        stream = stream or sys.stderr
        print(t("dl.calendar_error", path=path, count=len(error.problems)), file=stream)
        for problem in error.problems:
            print(f"  - {problem}", file=stream)
        return None
