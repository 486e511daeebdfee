"""Several bot workers over one PostgreSQL database (issue 14): two real `python -m bot serve`
sending one fan-out, one of them killed with SIGKILL half-way, lose nothing and repeat at most the
message in flight; the scheduler ticks on one worker at a time; the messenger's pace is kept for
all the workers together, replies still first within each; a chat's update received by one
worker is claimed only after the earlier ones another worker received.

Each test gets a new database on the session's throwaway cluster (tests/contract/postgres.py);
where PostgreSQL is missing they skip saying why (and fail under CHIDOAN_REQUIRE_POSTGRES=1)."""

from __future__ import annotations

import asyncio
import signal
from datetime import datetime, timezone
from types import SimpleNamespace

import httpx
import pytest

from bot import app
from bot.scheduler import Scheduler
from handlers import router
from domain.conversation import Incoming
from domain.deadlines.calendar import parse_calendar
from domain.sender import SharedBudget
from storage import Storage
from storage.inbox import Pushed
from tests.contract.postgres import postgres_cluster  # noqa: F401  (a fixture)
from tests.support.fake_botapi import FakeBotAPI
from tests.support.workers import Workers, queue_fanout, received, seed_people, until_received


async def ticking_here(workers: Workers, which=None) -> list[bool]:
    """Each worker's /healthz "ticking_here" once every one has ticked or skipped (all 200)."""
    async with httpx.AsyncClient(timeout=5) as client:
        for _ in range(200):
            bodies = [await workers.healthy(client, worker) for worker in which or workers.workers]
            if all(body.get("ticking_here") is not None for body in bodies) and \
                    (which is None or all(body["ticking_here"] for body in bodies)):
                return [body["ticking_here"] for body in bodies]
            await asyncio.sleep(0.05)
    raise AssertionError(f"no worker ticks: {bodies}")


@pytest.fixture
def database_url(postgres_cluster) -> str:  # noqa: F811
    return postgres_cluster.new_database()


async def test_a_worker_killed_during_a_fan_out_loses_nothing_and_repeats_at_most_one(database_url, tmp_path):
    """300 messages, two workers against a Bot API allowing 30 a second; one is killed with SIGKILL
    a third of the way: the other sends the rest, the killed one's claimed rows included, once it
    sees it gone. Every message arrives; at most the one in flight at the kill arrives twice; the
    two workers together keep to the Bot API's limit."""
    messages = 300
    api = FakeBotAPI(overall_per_second=30, per_chat_gap=1.0)
    base = await api.start()
    storage = await Storage.open(database_url)
    now = datetime.now(timezone.utc)
    try:
        people = await seed_people(storage, messages, now)
        async with Workers(database_url, base, tmp_path, tick_seconds=1) as workers:
            doomed, survivor = await workers.start(2)
            assert sorted(await ticking_here(workers)) == [False, True]     # one ticks; both healthy
            await queue_fanout(storage, people, now)
            for _ in range(400):
                if len(api.accepted) >= messages // 3:
                    break
                await asyncio.sleep(0.05)
            doomed.process.send_signal(signal.SIGKILL)
            await doomed.process.wait()
            sent_before_kill = len(api.accepted)
            await until_received(api, messages, 40)
            await asyncio.sleep(0.5)                           # a late repeat would show here
            assert await ticking_here(workers, [survivor]) == [True]        # it took the tick over
            assert await workers.stop() == [-signal.SIGKILL, 0]
        lost, repeated, rate = received(api, messages)
        assert messages // 3 <= sent_before_kill < messages      # killed in the middle
        assert lost == 0 and repeated <= 1
        # one pace for both: two workers pacing themselves apart, at 29/s each, draw a 429 about
        # every second (18 in a trial); one or two is a loaded machine's timer (or this process,
        # serving the Bot API) late by more than a slot, retried after the pause the 429 asks for
        assert api.too_many <= 2
        assert rate <= 30
        assert await storage.outbox.counts() == {"sent": messages}
    finally:
        await storage.close()
        await api.stop()


async def test_two_workers_never_tick_together_and_the_other_takes_over_when_one_stops(database_url):
    """Two workers tick at the same moments, many times: only one runs its tick's steps, the other
    skips (and counts as alive: the tick is being done); when the ticking one stops, the other
    ticks from its next tick on."""
    running: list[str] = []
    ran: list[str] = []

    def step(name: str):
        async def record(services, now) -> int:
            running.append(name)
            assert running == [name], running                  # never two at once
            ran.append(name)
            await asyncio.sleep(0.01)
            running.remove(name)
            return 0
        return record

    first, second = await app.open_services(database_url), await app.open_services(database_url)
    calendar = parse_calendar("")
    schedulers = {name: Scheduler(services, calendar, [], extra_ticks=[step(name)])
                  for name, services in (("first", first), ("second", second))}
    try:
        for _ in range(10):
            await asyncio.gather(*(scheduler.tick() for scheduler in schedulers.values()))
        assert len(ran) == 10 and len(set(ran)) == 1
        holder = ran[0]
        other = "second" if holder == "first" else "first"
        assert schedulers[holder].ticking is True and schedulers[other].ticking is False
        assert schedulers[other].last_tick_monotonic is not None          # /healthz: alive

        await schedulers[holder].stop()                    # releases the lock
        ran.clear()
        for _ in range(3):
            await schedulers[other].tick()
        assert ran == [other] * 3 and schedulers[other].ticking is True
    finally:
        await app.close_services(first)
        await app.close_services(second)


async def test_a_killed_ticking_worker_frees_the_tick_for_another(database_url):
    """The holder's database session ending (what a SIGKILL does) frees the tick lock at once."""
    first, second = await Storage.open(database_url), await Storage.open(database_url)
    try:
        assert await first.hold("scheduler tick") is True
        assert await second.hold("scheduler tick") is False
        assert await first.hold("scheduler tick") is True                  # kept, tick after tick
        await first.close()
        for _ in range(100):                               # the server ends the session a moment later
            if await second.hold("scheduler tick"):
                break
            await asyncio.sleep(0.02)
        assert await second.hold("scheduler tick") is True
    finally:
        await second.close()


async def test_two_workers_sharing_a_pace_stay_under_it_together(database_url):
    """Two workers each wanting 30 calls at once, over a shared pace of 20 a second: 60 calls take
    (60 - 1) / 20 seconds, as one worker would, and no second holds more than 20 (+1 for a timer
    late by a little)."""
    rate, calls = 20.0, 30
    storages = [await Storage.open(database_url) for _ in range(2)]
    try:
        budgets = [SharedBudget(rate, storage, "telegram") for storage in storages]
        loop = asyncio.get_running_loop()
        starts: list[float] = []

        async def call(budget: SharedBudget) -> None:
            await budget.slot()
            starts.append(loop.time())

        began = loop.time()
        await asyncio.gather(*(call(budget) for budget in budgets for _ in range(calls)))
        starts.sort()
        assert starts[-1] - began >= (2 * calls - 1) / rate - 0.05
        assert max(sum(1 for s in starts if t <= s < t + 1.0) for t in starts) <= rate + 1
    finally:
        for storage in storages:
            await storage.close()


async def test_a_reply_goes_before_the_bulk_waiting_in_its_worker(database_url):
    """With 20 bulk calls waiting in a worker, a reply takes that worker's next slot."""
    storage = await Storage.open(database_url)
    try:
        budget = SharedBudget(50.0, storage, "telegram")
        order: list[str] = []

        async def call(name: str, urgent: bool) -> None:
            await budget.slot(urgent=urgent)
            order.append(name)

        bulk = [asyncio.create_task(call(f"bulk{n}", False)) for n in range(20)]
        await asyncio.sleep(0.05)                         # a couple of bulk calls went meanwhile
        gone = len(order)
        await call("reply", True)
        # the next slot (one bulk call, given its slot just before, may not have noted it yet)
        assert order.index("reply") <= gone + 1 < 20, order
        await asyncio.gather(*bulk)
        assert budget.waiting == (0, 0)
    finally:
        await storage.close()


async def test_a_pause_seen_by_one_worker_holds_back_the_other(database_url):
    """A RetryAfter in one worker (Budget.pause) pauses the other worker's calls too."""
    storages = [await Storage.open(database_url) for _ in range(2)]
    try:
        first, second = (SharedBudget(50.0, storage, "telegram") for storage in storages)
        await first.slot()
        loop = asyncio.get_running_loop()
        first.pause(2.0)
        await asyncio.sleep(0.3)                          # the pause reaches the database
        began = loop.time()
        await second.slot()
        assert loop.time() - began >= 1.0
    finally:
        for storage in storages:
            await storage.close()


async def test_a_chats_later_update_received_by_another_worker_waits_for_the_earlier_one(database_url):
    """A chat's update 1 reached worker A, its update 2 worker B, and B starts first: B's claim
    waits until A has claimed update 1, then update 2 is answered; each once."""
    first, second = await app.open_services(database_url), await app.open_services(database_url)
    try:
        now = first.clock()
        await first.storage.inbox.add([Pushed("telegram", "telegram:1", "{}", "4242")], now)
        await second.storage.inbox.add([Pushed("telegram", "telegram:2", "{}", "4242")], now)

        def update(number: int) -> Incoming:
            return Incoming("telegram", "4242", "4242", "Lan", text=f"tin {number}", update_key=f"telegram:{number}")

        later = asyncio.create_task(router.handle(second, update(2)))
        await asyncio.sleep(0.3)
        assert not later.done()                             # its turn has not come
        assert [w.key for w in await second.storage.inbox.waiting("telegram")] == ["telegram:2"]   # still there
        assert await router.handle(first, update(1))         # answered
        assert await asyncio.wait_for(later, 5)              # then the later one, at once
        assert await first.storage.inbox.waiting("telegram") == await second.storage.inbox.waiting("telegram") == []
        assert await router.handle(second, update(2)) == []  # a repeat: answered once
    finally:
        await app.close_services(first)
        await app.close_services(second)


async def test_a_worker_whose_database_fails_keeps_the_pace_on_its_own(caplog):
    """The pace cannot be read from the database: the worker's calls still go, at the rate, and
    the failure is logged once."""

    class Failing:
        async def reserve(self, channel, interval):
            raise ConnectionError("database gone")

    budget = SharedBudget(50.0, SimpleNamespace(rates=Failing()), "telegram")
    loop = asyncio.get_running_loop()
    began = loop.time()
    for _ in range(10):
        await budget.slot()
    assert loop.time() - began >= 10 / 50 - 0.01
    assert [r.message for r in caplog.records].count(
        "the telegram pace could not be read from the database (ConnectionError); keeping it here") == 1
