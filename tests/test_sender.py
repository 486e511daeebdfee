"""The sender against a Bot API fake on loopback: 429, 5xx, timeouts and 403 lose nothing, repeat
nothing, keep each chat's order; a sender killed between "sending" and "sent" repeats one message."""

from __future__ import annotations

import asyncio
import json
from datetime import datetime, timezone

import pytest
from telegram import Bot
from telegram.request import HTTPXRequest

from bot.channels.telegram import TelegramTransport
from domain.sender import Limits, Sender
from domain.conversation import Reply
from storage.outbox import NewMessage
from tests.support import Chat, make_invite
from tests.support.fake_botapi import TOKEN, FakeBotAPI

FAST = Limits(rate=200, chat_gap=0.0, concurrency=16, backoff=0.05)


def now() -> datetime:
    return datetime.now(timezone.utc)


@pytest.fixture
async def api():
    fake = FakeBotAPI()
    base = await fake.start()
    bot = Bot(TOKEN, base_url=base, request=HTTPXRequest(connection_pool_size=32, read_timeout=0.5))
    await bot.initialize()
    fake.bot = bot
    yield fake
    await bot.shutdown()
    await fake.stop()


async def telegram_person(services, user_id: str, unit: str, role: str = "secretary") -> int:
    chat = Chat(services, user_id, f"Người {user_id}", channel="telegram")
    await chat.say(f"/start {await make_invite(services, unit, role)}")
    return (await services.storage.people.identify("telegram", user_id)).person.id


def payload(text: str) -> str:
    return json.dumps(Reply(text).to_dict(), ensure_ascii=False)


async def queue(services, person_id: int, texts: list[str]) -> None:
    await services.storage.outbox.enqueue([NewMessage(f"t:{text}", person_id, payload(text)) for text in texts], now())


def sender(services, api, limits: Limits = FAST) -> Sender:
    return Sender(services.storage, TelegramTransport(api.bot), limits, clock=now)


async def test_failures_lose_nothing_repeat_nothing_and_keep_each_chats_order(services, api):
    a = await telegram_person(services, "1001", "B1")
    b = await telegram_person(services, "1002", "B5")
    await queue(services, a, [f"a{i}" for i in range(6)])
    await queue(services, b, [f"b{i}" for i in range(6)])
    api.fail = {("a1", 1): 429, ("a3", 1): 500, ("a3", 2): 502, ("b2", 1): "timeout", ("b4", 1): 503}
    s = sender(services, api)
    await s.drain(timeout=30)
    assert api.texts("1001") == [f"a{i}" for i in range(6)]
    assert api.texts("1002") == [f"b{i}" for i in range(6)]
    assert s.stats["retry_after"] == 1 and s.stats["transient"] == 4
    assert await services.storage.outbox.counts() == {"sent": 12}


async def test_a_retry_after_is_waited_for(services, api):
    a = await telegram_person(services, "1001", "B1")
    await queue(services, a, ["x", "y"])
    api.fail = {("x", 1): 429}
    api.retry_after = 1
    await sender(services, api).drain(timeout=30)
    assert api.texts("1001") == ["x", "y"]
    first, second = api.tried_at["x"]
    assert second - first >= 0.95 and api.attempts["x"] == 2


async def test_one_message_a_second_per_chat(services, api):
    a = await telegram_person(services, "1001", "B1")
    await queue(services, a, ["m1", "m2", "m3"])
    api.per_chat_gap = 1.0                   # the fake refuses faster sends with a 429
    await sender(services, api, Limits(rate=200, chat_gap=1.0, backoff=0.05)).drain(timeout=30)
    times = [m.at for m in api.accepted]
    assert api.texts("1001") == ["m1", "m2", "m3"]
    assert all(later - earlier >= 0.99 for earlier, later in zip(times, times[1:]))
    assert api.too_many == 0


async def test_a_blocked_chat_is_marked_dropped_and_its_district_told_once(services, api):
    a = await telegram_person(services, "1001", "B1")
    officer = await telegram_person(services, "2001", "D1", "officer")
    await queue(services, a, ["r1", "r2", "r3"])
    api.blocked_chats = {"1001"}
    s = sender(services, api)
    await s.drain(timeout=30)
    assert api.attempts["r1"] == 1 and api.attempts["r2"] == 0          # no retry storm
    assert (await services.storage.people.get(a)).unreachable
    assert await services.storage.outbox.counts() == {"failed": 1, "dropped": 2, "sent": 1}
    told = api.texts("2001")
    assert len(told) == 1 and "Người 1001" in told[0] and "Chi đoàn ấp Một" in told[0]
    await queue(services, a, ["r4"])                                     # queued later: refused again,
    await s.drain(timeout=30)                                            # but the district is not told twice
    assert len(api.texts("2001")) == 1
    assert officer


async def test_a_sender_killed_between_sending_and_sent_repeats_only_that_message(services, api):
    a = await telegram_person(services, "1001", "B1")
    await queue(services, a, ["k1", "k2", "k3"])
    outbox = services.storage.outbox
    transport = TelegramTransport(api.bot)
    claimed = await outbox.claim("telegram", now(), 10)
    assert [json.loads(r.payload)["text"] for r in claimed] == ["k1"]     # one per chat, its oldest
    await transport.deliver(claimed[0].chat_id, Reply.from_dict(json.loads(claimed[0].payload)))
    # killed here: "k1" went out but was never marked sent
    restarted = sender(services, api)
    assert await restarted.recover() == 1
    await restarted.drain(timeout=30)
    assert api.texts("1001") == ["k1", "k1", "k2", "k3"]
    assert await outbox.counts() == {"sent": 3}


async def test_chats_go_in_parallel_each_in_its_own_order(services, api):
    units = ["B1", "B2", "B5", "B3", "B4"]
    people = [await telegram_person(services, str(3000 + i), unit) for i, unit in enumerate(units)]
    for i, person in enumerate(people):
        await queue(services, person, [f"n{i}-{k}" for k in range(8)])
    api.fail = {(f"n{i}-3", 1): 500 for i in range(5)}
    await sender(services, api).drain(timeout=30)
    for i in range(5):
        assert api.texts(str(3000 + i)) == [f"n{i}-{k}" for k in range(8)]
    assert len(api.accepted) == 40


async def test_a_persons_reminders_of_one_tick_go_one_a_second_and_a_kill_repeats_one(services, api):
    from domain.deadlines.calendar import parse_calendar
    from domain.reminders import Reminders, reword
    from tests.test_reminders import CALENDAR, local

    await telegram_person(services, "1001", "B5")
    await Reminders(services.storage, parse_calendar(CALENDAR)).tick(local(2026, 11, 23, 9))
    outbox = services.storage.outbox
    queued = [json.loads(payload)["text"] for _, _, payload in await outbox.sent_to("1001")]
    # as the sender words them today (domain.reminders.reword: days left are counted at sending)
    worded = [reword(json.loads(payload), now())["text"] for _, _, payload in await outbox.sent_to("1001")]
    assert len(queued) >= 2 and await outbox.counts() == {"queued": 1}          # one row, several messages
    (row,) = await outbox.claim("telegram", now(), 10)
    await TelegramTransport(api.bot).deliver(row.chat_id, Reply.from_dict(json.loads(row.payload)))
    # killed here: the first reminder went out but was never marked sent; restarting takes a second
    await asyncio.sleep(1.0)
    api.per_chat_gap = 1.0                   # the fake refuses faster sends with a 429
    restarted = sender(services, api, Limits(rate=200, chat_gap=1.0, backoff=0.05))
    assert await restarted.recover() == 1
    await restarted.drain(timeout=30)
    assert api.texts("1001") == queued[:1] + worded
    times = [m.at for m in api.accepted][1:]
    assert all(later - earlier >= 0.99 for earlier, later in zip(times, times[1:])) and api.too_many == 0
    assert {status for _, status, _ in await outbox.sent_to("1001")} == {"sent"}
