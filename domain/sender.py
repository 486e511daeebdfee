"""The sender: drains the outbox within the messenger's limits, in order per chat, losing nothing.

A row is marked "sending" before the call and "sent" with the message id after it, so a crash
in between repeats at most the messages in flight (one per chat at most) and loses none; rows
left "sending" are queued again at start. Calls start evenly spaced under `Limits.rate`
(Telegram: about 30 a second in all), a chat gets at most one message per `Limits.chat_gap`, a
RetryAfter pauses every call for the time asked, network errors and 5xx are retried with
doubling delays, and a chat that blocked the bot is marked unreachable once, its queue dropped
and its district's officers told, instead of being retried.

The pace is a `Budget`, the one throttle of a messenger: the channel hands the same budget to its
replies (urgent) and to the sender (bulk), so a reply to a person takes the next free call before
any queued reminder or digest, and a RetryAfter seen by either holds back both.

Words that depend on the day ("còn 2 ngày", "hôm nay là hạn") are written when the message is
sent, not when it was queued: a payload may carry a "wording" (domain.reminders.reword).

A reply too long for one message goes in parts (the transport cuts it): when a network error
stops it after some parts went (`PartlySent`), the row is tried again with the parts left only, so
the person gets each part once (a restart in between sends it whole again).

The reminders of one tick for one person are one outbox row with several parts (storage.outbox):
the sender claims such a row once per part and sees one message at a time, as for any other row.

The sender talks to a `Transport`, so the same code serves Telegram and the terminal.

A transport with a monthly message quota (Zalo's free plan) has a `quota`, a `MonthlyQuota`: it
counts every message the transport sends, and once it is spent the sender sends only deadline
reminders, the nearest deadline first; every other row waits for the next month, recorded as not
sent for the next digest. A transport may also refuse a message itself with `QuotaSpent`: the row
waits until the time it gives.
"""

from __future__ import annotations

import asyncio
import json
import logging
import math
from collections import deque
from collections.abc import Awaitable, Callable, Iterator
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta, timezone
from typing import Protocol, TypeVar

from domain.deadlines.calendar import in_quiet_hours
from domain.conversation import Reply
from domain.reminders import reword, still_owed
from messages_vi import t
from messages_vi.formatting import LOCAL_TZ, number
from storage import Storage
from storage.outbox import OutboxRow

log = logging.getLogger(__name__)
T = TypeVar("T")


class Blocked(Exception):
    """The person blocked the bot (Telegram 403)."""


class RetryAfter(Exception):
    """Flood control: wait `seconds` before calling again."""

    def __init__(self, seconds: float):
        super().__init__(f"retry after {seconds} s")
        self.seconds = seconds


class Transient(Exception):
    """A network error, a timeout or a 5xx: try again later."""


class Rejected(Exception):
    """The messenger refused this message for good (a 400): retrying would not help."""


class PartlySent(Exception):
    """A reply sent in parts (a long digest cut at the messenger's length limit) stopped after some
    parts went: `rest` is the reply still to send (the parts that did not go, the choices with
    them), `cause` the error that stopped it (one of the above)."""

    def __init__(self, rest: Reply, cause: Exception):
        super().__init__(f"sent in part; the rest failed: {cause}")
        self.rest = rest
        self.cause = cause


class QuotaSpent(Exception):
    """The monthly message quota is spent: this message waits until `until` (the next month)."""

    def __init__(self, until: datetime):
        super().__init__(f"monthly quota spent; waiting until {until.isoformat()}")
        self.until = until


class Transport(Protocol):
    channel: str
    # optional: `quota`, a MonthlyQuota counting what this transport sends

    async def deliver(self, chat_id: str, reply: Reply) -> str:
        """Send one reply; return the message id. Raises Blocked, RetryAfter, Transient, Rejected
        or QuotaSpent; PartlySent when a reply in parts stopped after some of them went."""


@dataclass(frozen=True)
class Limits:
    rate: float = 29.0              # calls a second in all: a little under Telegram's 30
    chat_gap: float = 1.0           # seconds between two messages to one chat
    concurrency: int = 64           # calls in flight at once (latency hides behind them)
    backoff: float = 2.0            # first delay after a network error, doubled each attempt
    max_backoff: float = 300.0
    quiet: tuple[time, time] | None = None   # local hours in which nothing is sent
    # A person who answered their open form this recently is in the middle of it: what the bot
    # sends on its own waits until the form is saved, cancelled, or left this long.
    form_pause: timedelta = timedelta(minutes=20)


def utc_now() -> datetime:
    return datetime.now(timezone.utc)


class Budget:
    """A messenger's calls-per-second budget, shared by everything that calls it: replies to people
    (urgent) and the outbox sender (bulk).

    Calls start evenly spaced at `rate` a second. A slot is handed out only when it comes, never
    booked ahead: when several callers wait, the next slot goes to the oldest urgent one, and a bulk
    caller gets it only when no urgent one waits (bulk callers in the order they came). A
    RetryAfter, seen by anyone, pushes every start back (`pause`).
    """

    # a timer may fire this much before its time (the loop's clock resolution): not worth a wait
    _EARLY = 1e-6

    def __init__(self, rate: float):
        self.interval = 1.0 / rate
        self._next = 0.0                            # loop time at which the next call may start
        self._urgent: deque[asyncio.Future] = deque()
        self._bulk: deque[asyncio.Future] = deque()
        self._timer: asyncio.TimerHandle | None = None

    @property
    def waiting(self) -> tuple[int, int]:
        """(urgent, bulk) callers waiting for a slot now (tests, benchmarks)."""
        return (sum(not f.done() for f in self._urgent), sum(not f.done() for f in self._bulk))

    async def slot(self, urgent: bool = False) -> None:
        """Wait for the next call this caller may start."""
        loop = asyncio.get_running_loop()
        now = loop.time()
        if now + self._EARLY >= self._next and not self._urgent and (urgent or not self._bulk):
            self._take(now)
            return
        waiter = loop.create_future()
        (self._urgent if urgent else self._bulk).append(waiter)
        self._arm(loop)
        # cancelled while waiting: the future is cancelled with the task and skipped when its turn
        # comes; cancelled just after being given a slot, the slot goes unused (the safe side)
        await waiter

    async def call(self, make: Callable[[], Awaitable[T]], *, urgent: bool = False,
                   retry_after: Callable[[BaseException], float | None] | None = None, attempts: int = 5) -> T:
        """Make one call (`make()`) in its turn. Flood control (an error for which `retry_after`
        gives seconds; by default this module's RetryAfter) pauses every caller for that time, and
        this call waits for its turn again and is made again: sent once, not dropped, not repeated
        (a refused call sent nothing). After `attempts` refusals in a row the error is raised."""
        for attempt in range(1, attempts + 1):
            await self.slot(urgent)
            try:
                return await make()
            except Exception as error:
                seconds = (retry_after or _retry_seconds)(error)
                if seconds is None or attempt == attempts:
                    raise
                self.pause(seconds)
        raise AssertionError("unreachable")

    def pause(self, seconds: float) -> None:
        """Flood control: no call starts for `seconds` from now."""
        self._next = max(self._next, asyncio.get_running_loop().time() + seconds)

    def _arm(self, loop: asyncio.AbstractEventLoop) -> None:
        if self._timer is None and (self._urgent or self._bulk):
            self._timer = loop.call_at(max(self._next, loop.time()), self._release, loop)

    def _release(self, loop: asyncio.AbstractEventLoop) -> None:
        self._timer = None
        now = loop.time()
        if now + self._EARLY >= self._next:
            for waiters in (self._urgent, self._bulk):
                while waiters:
                    waiter = waiters.popleft()
                    if not waiter.done():
                        waiter.set_result(None)
                        self._take(now)
                        self._arm(loop)
                        return
        self._arm(loop)                             # paused meanwhile (or nobody waits: no-op)

    def _take(self, now: float) -> None:
        # A slot taken a little late (a timer's delay) keeps the schedule, so the rate does not
        # drift down; one taken after a lull starts it again from now, so no burst catches up.
        # Either way no second holds more than rate + 1 starts.
        late = now - self._next
        self._next = (self._next if late < self.interval else now) + self.interval


class SharedBudget(Budget):
    """A Budget whose pace is shared by every worker over one database (storage/rates.py): the
    messenger's limit holds for all the workers' calls together, however many workers run.

    Within a worker it is a Budget: callers wait in its two lanes, and a slot, when it comes, goes
    to the oldest urgent caller, else the oldest bulk one. Slots come from the database, one at a
    time: while callers wait, the worker reserves the channel's next slot (one statement), waits
    for its start, and hands it out; then reserves the next. So a worker books at most one slot
    ahead: N busy workers share the rate in turns, a reply waits behind at most N slots, and a
    worker killed wastes at most one. A RetryAfter seen by any worker pauses every worker. A slot
    this worker came to too late (a loaded machine) is given up rather than crowd the next ones.

    If the database cannot be asked, the worker keeps the pace on its own meanwhile (the calls
    would fail to be marked anyway)."""

    def __init__(self, rate: float, storage: Storage, channel: str):
        super().__init__(rate)
        self.storage = storage
        self.channel = channel
        self._reserver: asyncio.Task | None = None
        self._paused_until = 0.0                    # loop time: a slot reserved before a pause waits
        self._pausing: set[asyncio.Task] = set()
        self._failing = False                       # the database did not answer the last reservation

    async def slot(self, urgent: bool = False) -> None:
        loop = asyncio.get_running_loop()
        waiter = loop.create_future()
        (self._urgent if urgent else self._bulk).append(waiter)
        if self._reserver is None or self._reserver.done():
            self._reserver = loop.create_task(self._hand_out())
        await waiter

    def pause(self, seconds: float) -> None:
        loop = asyncio.get_running_loop()
        self._paused_until = max(self._paused_until, loop.time() + seconds)
        task = loop.create_task(self.storage.rates.pause(self.channel, seconds))
        self._pausing.add(task)
        task.add_done_callback(self._paused)

    def _paused(self, task: asyncio.Task) -> None:
        self._pausing.discard(task)
        if not task.cancelled() and task.exception() is not None:
            log.warning("the %s pause could not be shared with the other workers (%s)", self.channel,
                        type(task.exception()).__name__)

    async def _hand_out(self) -> None:
        loop = asyncio.get_running_loop()
        gave_up = False
        while any(not f.done() for lane in (self._urgent, self._bulk) for f in lane):
            asked = loop.time()
            try:
                wait = await self.storage.rates.reserve(self.channel, self.interval)
                self._failing = False
            except Exception as error:
                if not self._failing:                   # once, not at every slot
                    log.warning("the %s pace could not be read from the database (%s); keeping it here",
                                self.channel, type(error).__name__)
                self._failing = True
                wait = self.interval
            start = asked + wait                    # (the database's "now" was after `asked`)
            if start - loop.time() > self._EARLY:
                await asyncio.sleep(start - loop.time())
            if loop.time() < self._paused_until:    # reserved before a pause: reserve after it
                await asyncio.sleep(self._paused_until - loop.time())
                continue
            # A queued slot taken much later than its start (this process was not scheduled in
            # time) would go close to the slots after it, another worker's on time: more calls in
            # one second than the rate. Given up, once in a row, for a slot reserved anew.
            if wait > 0 and loop.time() - start > self.interval / 2 and not gave_up:
                gave_up = True
                continue
            gave_up = False
            for lane in (self._urgent, self._bulk):
                waiter = next((f for f in _popped(lane) if not f.done()), None)
                if waiter is not None:
                    waiter.set_result(None)
                    break


def _popped(lane: deque) -> Iterator[asyncio.Future]:
    """The futures of a lane, each taken off it as it is read."""
    while lane:
        yield lane.popleft()


def _retry_seconds(error: BaseException) -> float | None:
    return error.seconds if isinstance(error, RetryAfter) else None


def month_of(now: datetime) -> str:
    """The Vietnam month of a moment, "2026-11": what a monthly quota counts in."""
    local = now.astimezone(LOCAL_TZ)
    return f"{local.year}-{local.month:02d}"


def next_month(now: datetime) -> datetime:
    """The first moment (UTC) of the Vietnam month after the one `now` is in."""
    local = now.astimezone(LOCAL_TZ)
    first = date(local.year + local.month // 12, local.month % 12 + 1, 1)
    return datetime.combine(first, time(0), LOCAL_TZ).astimezone(timezone.utc)


def deadline_of(payload: dict) -> str | None:
    """The due date ("2026-11-30") of a deadline reminder's payload; None for any other message."""
    wording = payload.get("wording")
    if isinstance(wording, dict) and wording.get("kind") == "deadline":
        return str(wording.get("due") or "")
    return None


def is_quota_warning(key: str | None) -> bool:
    """Whether an outbox key is a quota's warning to the officers (storage.quota): it goes even
    when the quota is spent (a quota of a few messages is spent as soon as it warns)."""
    return bool(key) and key.startswith("quota:")


class MonthlyQuota:
    """A bot's monthly message quota: `limit` messages a Vietnam month (Zalo's free plan: 3,000).

    The transport calls `counted()` after every message it sent, replies included: one upsert in
    storage (storage.quota), so concurrent sends are counted exactly. At `warn_ratio` of the limit
    the officers of the root unit(s) are queued a warning, once a month. Once the limit is reached
    (`spent`), replies still go (they are answers: counted, they may pass the limit) and so do
    deadline reminders, the nearest deadline first, and the warning itself; every other message
    waits for the next month, recorded as not sent (the next weekly digest says how many). `bot()`
    names the bot whose count this is (never its token). The count of the month is kept here too,
    so that a message about to go is told at once whether it may (`admit`): bulk messages in
    flight hold their place, so the limit is not passed by what was sent concurrently.
    """

    def __init__(self, storage: Storage, channel: str, limit: int, bot: Callable[[], Awaitable[str]],
                 clock: Callable[[], datetime] | None = None, *, label: str = "", warn_ratio: float = 0.8):
        self.storage = storage
        self.channel = channel
        self.limit = limit
        self.bot = bot
        self.clock = clock or utc_now
        self.label = label or channel
        self.warn_at = max(1, math.ceil(limit * warn_ratio))
        self._month: str | None = None      # the month `_count` is of
        self._count = 0
        self._places = 0                     # bulk messages admitted and not finished

    async def counted(self) -> int:
        """One message was sent: count it; returns the month's count."""
        now = self.clock()
        month = month_of(now)
        bot = await self.bot()
        count = await self.storage.quota.count(
            self.channel, bot, month, now, self.warn_at,
            lambda sent: _quota_notice(self.label, sent, self.limit, month))
        if month != self._month:
            self._month, self._count = month, count
        else:
            self._count = max(self._count, count)
        return count

    async def used(self, now: datetime | None = None) -> int:
        """The messages counted in the month of `now` (by default, this month), read from storage."""
        return await self.storage.quota.sent(self.channel, await self.bot(), month_of(now or self.clock()))

    async def spent(self, now: datetime | None = None) -> bool:
        """Whether the month's quota is used up (read from storage at the first call of a month).
        A count that cannot be read counts as not spent: messages go as usual."""
        month = month_of(now or self.clock())
        if month != self._month:
            try:
                count = await self.storage.quota.sent(self.channel, await self.bot(), month)
            except Exception as error:
                log.warning("the %s message count could not be read (%s); sending as usual",
                            self.channel, type(error).__name__)
                return False
            if month != self._month:
                self._month, self._count = month, count
        return self._count >= self.limit

    def admit(self, payload: dict, now: datetime | None = None, key: str | None = None) -> bool:
        """A bulk message (a payload of the outbox, its key) is about to go. A deadline reminder
        always may, and so may the quota's own warning; another may while the quota has room, and
        then holds a place until `done()` (returns True); else QuotaSpent is raised, with the next
        month's start."""
        now = now or self.clock()
        if deadline_of(payload) is not None or is_quota_warning(key) or month_of(now) != self._month:
            return False                     # a new month not read yet: room, as far as known
        if self._count + self._places >= self.limit:
            raise QuotaSpent(next_month(now))
        self._places += 1
        return True

    def done(self) -> None:
        """A message `admit` gave a place to was sent or not: the place is free (it was counted)."""
        self._places = max(0, self._places - 1)

    async def set_aside(self, now: datetime) -> int:
        """Spent: every due row whose message is not a deadline reminder waits for the next month."""
        return await self.storage.quota.set_aside(self.channel, await self.bot(), month_of(now), self.limit,
                                                  now, next_month(now))

    async def claim(self, now: datetime, limit: int, busy_since: datetime | None) -> list[OutboxRow]:
        """Spent: the deadline reminders due, the nearest deadline first."""
        return await self.storage.quota.claim(self.channel, now, limit, busy_since)

    async def defer(self, row_id: int, now: datetime, until: datetime) -> None:
        """A row refused for the quota waits until `until`, recorded as not sent."""
        await self.storage.quota.defer(row_id, self.channel, await self.bot(), month_of(now), self.limit, now, until)

    async def held(self, now: datetime) -> int:
        """Rows waiting for the next month."""
        return await self.storage.quota.held(self.channel, now)

    async def resume(self, now: datetime) -> int:
        """At start: with the quota not spent (a new month, or a larger quota), what it held back
        may go now; returns how many rows."""
        if await self.spent(now):
            return 0
        return await self.storage.quota.release(self.channel, now)


def _quota_notice(label: str, count: int, limit: int, month: str) -> str:
    year, month_number = month.split("-")
    text = t("quota.warning", channel=label, count=number(count), limit=number(limit),
             month=f"{int(month_number)}/{year}")
    return json.dumps(Reply(text).to_dict(), ensure_ascii=False)


class Sender:
    def __init__(self, storage: Storage, transport: Transport, limits: Limits = Limits(),
                 clock: Callable[[], datetime] = utc_now, budget: Budget | None = None):
        """`budget`: the channel's, shared with its replies; by default one of `limits.rate` of its own."""
        self.storage = storage
        self.transport = transport
        self.limits = limits
        self.clock = clock
        self.budget = budget or Budget(limits.rate)
        self.quota: MonthlyQuota | None = getattr(transport, "quota", None)
        self._slots = asyncio.Semaphore(limits.concurrency)
        self._in_flight: set[asyncio.Task] = set()
        # (row id, payload: a bundle's part) whose first parts went before an error: what is left
        # to send when the row comes back
        self._rest: dict[tuple[int, str], Reply] = {}
        self._wake = asyncio.Event()
        self.stats = {"sent": 0, "retry_after": 0, "transient": 0, "blocked": 0, "rejected": 0, "deferred": 0,
                      "answered": 0}

    async def recover(self) -> int:
        """Queue again what a stopped sender left "sending" (call once, at start)."""
        count = await self.storage.outbox.recover()
        if count:
            log.info("%d outbox rows were left sending; they will be sent again", count)
        if self.quota is not None:
            released = await self.quota.resume(self.clock())
            if released:
                log.info("%d outbox rows held back for the monthly quota may go again", released)
        return count

    def wake(self) -> None:
        """Something was queued: look now rather than at the next poll."""
        self._wake.set()

    async def run(self, stop: asyncio.Event, poll: float = 1.0) -> None:
        """Send until `stop` is set, waking on `wake()` or every `poll` seconds."""
        await self.recover()
        while not stop.is_set():
            if not await self.drain_once():
                self._wake.clear()
                try:
                    await asyncio.wait_for(self._wake.wait(), poll)
                except TimeoutError:
                    pass
        await self.settle()

    async def drain(self, idle: float = 0.05, timeout: float = 600.0) -> None:
        """Send until nothing is queued or in flight (tests and benchmarks)."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        while loop.time() < deadline:
            if await self.drain_once():
                continue
            if not self._in_flight:
                counts = await self.storage.outbox.counts()
                held = await self.quota.held(self.clock()) if self.quota is not None else 0
                if counts.get("queued", 0) <= held and not counts.get("sending"):
                    return                   # what is left waits for the next month's quota
            await asyncio.sleep(idle)
        raise TimeoutError("the outbox did not drain")

    async def settle(self) -> None:
        """Wait for the calls in flight."""
        if self._in_flight:
            await asyncio.gather(*self._in_flight, return_exceptions=True)

    async def drain_once(self) -> int:
        """Claim the rows that may go now and start their calls at the paced rate; returns how many."""
        if self._quiet():
            return 0
        room = self.limits.concurrency - len(self._in_flight)
        if room <= 0:
            await asyncio.wait(self._in_flight, return_when=asyncio.FIRST_COMPLETED)
            return 1
        batch = max(1, min(room, int(self.limits.rate) or 1))
        now = self.clock()
        if self.quota is not None and await self.quota.spent(now):
            # the quota is spent: what is not a deadline reminder waits for the next month, and
            # the reminders go, the nearest deadline first
            aside = await self.quota.set_aside(now)
            self.stats["deferred"] += aside          # not `+= await`: a task may count meanwhile
            rows = await self.quota.claim(now, batch, now - self.limits.form_pause)
        else:
            rows = await self.storage.outbox.claim(self.transport.channel, now, batch, now - self.limits.form_pause)
        for row in rows:
            await self._slots.acquire()
            try:
                await self.budget.slot(urgent=False)
            except BaseException:
                self._slots.release()
                raise
            task = asyncio.create_task(self._send(row))
            self._in_flight.add(task)
            task.add_done_callback(self._in_flight.discard)
        return len(rows)

    def _quiet(self) -> bool:
        quiet = self.limits.quiet
        return quiet is not None and in_quiet_hours(self.clock().astimezone(LOCAL_TZ).time(), *quiet)

    async def _send(self, row: OutboxRow) -> None:
        try:
            await self._deliver(row)
        except Exception:
            # the row stays "sending" and is retried at the next start: logged, never lost
            log.exception("outbox row %s could not be settled", row.id)
        finally:
            self._slots.release()

    async def _deliver(self, row: OutboxRow) -> None:
        outbox = self.storage.outbox
        placed = False
        try:
            payload = reword(json.loads(row.payload), self.clock())
            if not await still_owed(self.storage, payload, row.unit_id):
                # answered since it was queued: nothing is sent, a bundle goes on to its next part
                self.stats["answered"] += 1
                self._rest.pop((row.id, row.payload), None)
                await outbox.mark_sent(row.id, "", self.clock())
                self.wake()
                return
            if self.quota is not None:
                placed = self.quota.admit(payload, self.clock(), row.dedup_key)
            try:
                reply = self._rest.pop((row.id, row.payload), None) or Reply.from_dict(payload)
                message_id = await self.transport.deliver(row.chat_id, reply)
            except PartlySent as partly:
                # the person has the parts that went: the row comes back for the rest only
                if isinstance(partly.cause, (Transient, RetryAfter)):
                    self._rest[row.id, row.payload] = partly.rest
                raise partly.cause from partly
            finally:
                if placed:
                    # counted by the transport by now (or not sent): the place is free, before
                    # anything else awaits, so that no one sees the message counted twice
                    self.quota.done()
        except QuotaSpent as error:
            self.stats["deferred"] += 1
            if self.quota is not None:
                await self.quota.defer(row.id, self.clock(), error.until)
            else:
                await outbox.retry(row.id, error.until, str(error), count_attempt=False)
        except RetryAfter as error:
            self.stats["retry_after"] += 1
            self.budget.pause(error.seconds)
            await outbox.retry(row.id, self.clock() + timedelta(seconds=error.seconds), str(error),
                               count_attempt=False)
        except Transient as error:
            self.stats["transient"] += 1
            delay = min(self.limits.max_backoff, self.limits.backoff * 2 ** row.attempts)
            log.warning("outbox row %s: %s; retrying in %.1f s", row.id, error, delay)
            await outbox.retry(row.id, self.clock() + timedelta(seconds=delay), str(error))
        except Blocked:
            self.stats["blocked"] += 1
            await outbox.blocked(row.id, self.clock(), _blocked_notice)
        except Rejected as error:
            self.stats["rejected"] += 1
            log.warning("outbox row %s refused: %s", row.id, error)
            await outbox.fail(row.id, str(error))
        else:
            self.stats["sent"] += 1
            await outbox.mark_sent(row.id, message_id, self.clock(), timedelta(seconds=self.limits.chat_gap))
        self.wake()


def _blocked_notice(name: str, unit: str) -> str:
    return json.dumps(Reply(t("dl.blocked", name=name, unit=unit)).to_dict(), ensure_ascii=False)
