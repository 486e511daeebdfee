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

The reminders of one tick for one person are one outbox row with several parts (storage.outbox):
the sender claims such a row once per part and sees one message at a time, as for any other row.

The sender talks to a `Transport`, so the same code serves Telegram and the terminal.
"""

from __future__ import annotations

import asyncio
import json
import logging
from collections import deque
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import datetime, time, timedelta, timezone
from typing import Protocol, TypeVar

from domain.deadlines.calendar import in_quiet_hours
from domain.conversation import Reply
from domain.reminders import reword
from messages_vi import t
from messages_vi.formatting import LOCAL_TZ
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


class Transport(Protocol):
    channel: str

    async def deliver(self, chat_id: str, reply: Reply) -> str:
        """Send one reply; return the message id. Raises Blocked, RetryAfter, Transient or Rejected."""


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


def _retry_seconds(error: BaseException) -> float | None:
    return error.seconds if isinstance(error, RetryAfter) else None


class Sender:
    def __init__(self, storage: Storage, transport: Transport, limits: Limits = Limits(),
                 clock: Callable[[], datetime] = utc_now, budget: Budget | None = None):
        """`budget`: the channel's, shared with its replies; by default one of `limits.rate` of its own."""
        self.storage = storage
        self.transport = transport
        self.limits = limits
        self.clock = clock
        self.budget = budget or Budget(limits.rate)
        self._slots = asyncio.Semaphore(limits.concurrency)
        self._in_flight: set[asyncio.Task] = set()
        self._wake = asyncio.Event()
        self.stats = {"sent": 0, "retry_after": 0, "transient": 0, "blocked": 0, "rejected": 0}

    async def recover(self) -> int:
        """Queue again what a stopped sender left "sending" (call once, at start)."""
        count = await self.storage.outbox.recover()
        if count:
            log.info("%d outbox rows were left sending; they will be sent again", count)
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
                if not counts.get("queued") and not counts.get("sending"):
                    return
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
        try:
            reply = Reply.from_dict(reword(json.loads(row.payload), self.clock()))
            message_id = await self.transport.deliver(row.chat_id, reply)
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
