"""One throttle on the Telegram path: the channel's `Budget` (domain.sender), shared by replies and
the outbox sender. Calls spaced under the rate, replies before queued bulk, a RetryAfter holds
everyone back and the refused reply goes once after it. No network: a Bot API in memory."""

from __future__ import annotations

import asyncio
import json
import warnings
from datetime import datetime, timezone
from pathlib import Path

import pytest
from telegram.error import RetryAfter as TelegramRetryAfter
from telegram.warnings import PTBDeprecationWarning

from bot.channels.telegram import TelegramTransport, build_application, send, split_text
from bot.settings import load
from domain.conversation import Reply
from domain.sender import Budget, Limits, RetryAfter, Sender
from handlers import router
from messages_vi import t
from storage.outbox import NewMessage
from tests.support import Chat, make_invite
from tests.support.telegram_fake import TOKEN, Call, FakeBotApi, person, text_update

SENDS = ("sendMessage", "sendDocument", "sendPhoto")


def settings_for(tmp_path: Path):
    return load(env={"TELEGRAM_BOT_TOKEN": TOKEN, "DATABASE_PATH": str(tmp_path / "unused.sqlite3")},
                env_file=tmp_path / "absent.env")


class TimedApi(FakeBotApi):
    """The in-memory Bot API, noting when each message was accepted (`accepted`: chat id, loop
    time), and refusing with a 429 and its retry_after the sends listed in `refuse`: (chat id, n-th
    send to that chat, counted from 1) -> seconds."""

    def __init__(self) -> None:
        super().__init__()
        self.accepted: list[tuple[int, float]] = []
        self.refuse: dict[tuple[int, int], int] = {}
        self.refused_at: list[float] = []
        self.on_refusal = None
        self.refuse_edits = 0                 # how many button edits to refuse (retry_after 1) first
        self._tries: dict[int, int] = {}

    def answer(self, http_method, url, params, files=None):
        name = url.rsplit("/", 1)[-1]
        if name == "editMessageReplyMarkup" and self.refuse_edits:
            self.refuse_edits -= 1
            self.calls.append(Call(name, params, url))
            self.refused_at.append(asyncio.get_running_loop().time())
            return 429, json.dumps({"ok": False, "error_code": 429, "parameters": {"retry_after": 1},
                                    "description": "Too Many Requests: retry after 1"}).encode()
        if http_method == "GET" or name not in SENDS:
            return super().answer(http_method, url, params, files)
        chat, moment = int(params["chat_id"]), asyncio.get_running_loop().time()
        self._tries[chat] = self._tries.get(chat, 0) + 1
        wait = self.refuse.get((chat, self._tries[chat]))
        if wait is None:
            self.accepted.append((chat, moment))
            return super().answer(http_method, url, params, files)
        self.calls.append(Call(name, params, url))
        self.refused_at.append(moment)
        if self.on_refusal:
            self.on_refusal()
        return 429, json.dumps({"ok": False, "error_code": 429, "parameters": {"retry_after": wait},
                                "description": f"Too Many Requests: retry after {wait}"}).encode()

    def sends(self) -> list[Call]:
        return [c for c in self.calls if c.method in SENDS]


@pytest.fixture
def api() -> TimedApi:
    return TimedApi()


@pytest.fixture
async def app(services, api, tmp_path):
    application = build_application(settings_for(tmp_path), services=services, request=api)
    await application.initialize()
    await application.bot_data["channel"].post_init(application)
    yield application
    await application.bot_data["channel"].settle()
    await application.shutdown()


def now() -> datetime:
    return datetime.now(timezone.utc)


# --- the budget on its own ------------------------------------------------------------------------

async def test_calls_are_spaced_at_the_rate():
    budget = Budget(50)                                   # one every 20 ms
    loop = asyncio.get_running_loop()
    times: list[float] = []

    async def one():
        await budget.slot()
        times.append(loop.time())

    await asyncio.gather(*(one() for _ in range(20)))
    # no call starts before its place in the schedule (one late by a timer's delay does not push
    # the next ones back, so the rate does not drift down): never more than rate + 1 in a second
    assert all(at - times[0] >= k * 0.020 - 0.001 for k, at in enumerate(times))


async def test_an_urgent_caller_takes_the_next_slot_before_any_waiting_bulk_one():
    budget = Budget(50)
    order: list[str] = []

    async def one(name: str, urgent: bool):
        await budget.slot(urgent)
        order.append(name)

    bulk = [asyncio.create_task(one(f"bulk{i}", False)) for i in range(10)]
    while len(order) < 3:
        await asyncio.sleep(0.001)
    assert budget.waiting == (0, 7)
    granted = len(order)
    urgent = [asyncio.create_task(one("reply1", True)), asyncio.create_task(one("reply2", True))]
    await asyncio.gather(*bulk, *urgent)
    assert order[granted:granted + 2] == ["reply1", "reply2"]             # the very next slots
    assert [n for n in order if n.startswith("bulk")] == [f"bulk{i}" for i in range(10)]    # bulk in order


async def test_a_pause_holds_back_everyone_and_a_cancelled_waiter_is_skipped():
    budget = Budget(100)
    loop = asyncio.get_running_loop()
    await budget.slot()
    budget.pause(0.3)
    paused_at = loop.time()
    times: dict[str, float] = {}

    async def one(name: str, urgent: bool):
        await budget.slot(urgent)
        times[name] = loop.time()

    gone = asyncio.create_task(one("gone", False))
    tasks = [asyncio.create_task(one("bulk", False)), asyncio.create_task(one("reply", True))]
    await asyncio.sleep(0.01)
    gone.cancel()
    await asyncio.gather(*tasks)
    assert "gone" not in times
    assert min(times.values()) - paused_at >= 0.3 - 0.002
    assert times["reply"] < times["bulk"]


async def test_a_call_refused_for_flood_waits_and_is_made_once_more():
    budget = Budget(100)
    loop = asyncio.get_running_loop()
    tried: list[float] = []

    async def call():
        tried.append(loop.time())
        if len(tried) == 1:
            raise RetryAfter(0.2)
        return "ok"

    assert await budget.call(call, urgent=True) == "ok"
    assert len(tried) == 2 and tried[1] - tried[0] >= 0.2 - 0.002

    async def always_refused():
        raise RetryAfter(0.01)

    with pytest.raises(RetryAfter):
        await budget.call(always_refused, attempts=3)


# --- the Telegram path ----------------------------------------------------------------------------

async def test_no_second_throttle_in_python_telegram_bot(app):
    assert app.bot.rate_limiter is None
    budget = app.bot_data["budget"]
    assert isinstance(budget, Budget) and app.bot_data["channel"].budget is budget
    assert budget.interval == pytest.approx(1 / Limits().rate)


async def test_retry_after_is_read_through_its_public_attribute(monkeypatch):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", PTBDeprecationWarning)
        refused = TelegramRetryAfter(3)
    with warnings.catch_warnings():
        warnings.simplefilter("error")                     # no deprecation warning escapes
        assert TelegramTransport.retry_seconds(refused) == 3.0
        assert TelegramTransport.retry_seconds(ValueError("not flood control")) is None
    monkeypatch.setenv("PTB_TIMEDELTA", "1")               # the attribute as a timedelta (PTB 23)
    assert TelegramTransport.retry_seconds(refused) == 3.0


async def officers(services, count: int) -> list[int]:
    """`count` people on Telegram (officers of the province), chat ids 9000, 9001, …; their person ids."""
    ids = []
    for i in range(count):
        chat = Chat(services, str(9000 + i), f"Người {i}", channel="telegram")
        await chat.say(f"/start {await make_invite(services, 'P', 'officer')}")
        ids.append((await services.storage.people.identify("telegram", str(9000 + i))).person.id)
    return ids


async def test_a_reply_goes_before_a_draining_fan_out(app, api, services, monkeypatch):
    budget = app.bot_data["budget"]
    people = await officers(services, 12)
    await services.storage.outbox.enqueue(
        [NewMessage(f"fan:{p}:{k}", p, json.dumps(Reply(f"nhắc {p}-{k}").to_dict(), ensure_ascii=False))
         for k in range(4) for p in people], now())
    api.forget()
    sender = Sender(services.storage, TelegramTransport(app.bot, budget), Limits(chat_gap=0.0), clock=now,
                    budget=budget)
    draining = asyncio.create_task(sender.drain(timeout=30))
    # more bulk waiting its turn besides the sender's next row: say, digests going out
    digests = [asyncio.create_task(send(app.bot, 9050 + i, Reply(f"tổng hợp {i}"), budget, urgent=False))
               for i in range(15)]
    while len(api.sends()) < 10:                           # the fan-out is flowing
        await asyncio.sleep(0.005)
    assert budget.waiting[1] >= 5

    original, marks = router._handle, []

    async def noting(services, incoming):
        replies = await original(services, incoming)
        marks.append(len(api.sends()))                     # the reply is ready: how much was sent so far
        return replies

    monkeypatch.setattr(router, "_handle", noting)
    stranger = 5005
    await app.process_update(text_update(app.bot, person(stranger), "xin chào"))
    [ready] = marks
    sent = api.sends()
    [reply_at] = [i for i, c in enumerate(sent) if c.params["chat_id"] == stranger]
    assert reply_at - ready <= 1          # at most one bulk call (already given its turn) went in between
    assert api.texts(stranger) == [t("stranger")]
    await asyncio.gather(draining, *digests)
    assert await services.storage.outbox.counts() == {"sent": 48}
    assert len(api.accepted) == 48 + 15 + 1
    # one throttle for both: never more than 30 messages in any second
    times = [moment for _, moment in api.accepted]
    assert all(sum(1 for x in times if start <= x < start + 1.0) <= 30 for start in times)


async def test_a_reply_refused_with_retry_after_waits_and_is_sent_once(app, api):
    budget = app.bot_data["budget"]
    loop = asyncio.get_running_loop()
    stranger = 5006
    api.refuse = {(stranger, 1): 1}                        # the first send to the stranger: wait 1 s
    bulk_at: list[float] = []

    async def bulk():
        await budget.slot(urgent=False)
        bulk_at.append(loop.time())

    waiting: list[asyncio.Task] = []
    api.on_refusal = lambda: waiting.append(asyncio.create_task(bulk()))
    await app.process_update(text_update(app.bot, person(stranger), "xin chào"))
    await asyncio.gather(*waiting)
    assert api.texts(stranger) == [t("stranger")]                      # sent once
    tries = [c for c in api.sends() if c.params["chat_id"] == stranger]
    assert len(tries) == 2                                             # refused, then sent
    [refused] = api.refused_at
    [(_, sent_at)] = [a for a in api.accepted if a[0] == stranger]
    assert sent_at - refused >= 0.95                                   # after the time asked
    assert bulk_at[0] - refused >= 0.95                                # which held bulk back too
    assert sent_at <= bulk_at[0]                                       # and the reply went first


async def test_a_long_outbox_text_refused_midway_goes_on_from_the_refused_part(app, api):
    budget = app.bot_data["budget"]
    chat = 9100
    text = "\n".join(f"dòng {i} " + "x" * 60 for i in range(150))       # three parts
    parts = split_text(text)
    assert len(parts) == 3
    api.refuse = {(chat, 2): 1}
    await TelegramTransport(app.bot, budget).deliver(str(chat), Reply(text))
    assert api.texts(chat) == parts                                    # each part once, in order


async def test_closing_the_answered_buttons_takes_a_bulk_turn_and_respects_retry_after(app, api, services):
    lan = person(7001)
    await app.process_update(text_update(app.bot, lan, f"/start {await make_invite(services, 'B1')}"))
    await app.bot_data["channel"].settle()
    [greeting] = [m for m in api.sent(7001) if m.get("reply_markup")]
    api.forget()
    api.refuse_edits = 1          # the clean-up is refused once (429, 1 s): it waits, then closes the buttons
    await app.process_update(text_update(app.bot, lan, "xin chào"))
    await app.bot_data["channel"].settle()
    assert len(api.called("editMessageReplyMarkup")) == 2                # refused, then made once
    assert api.messages[(7001, greeting["message_id"])]["reply_markup"] is None
    [refused] = api.refused_at
    assert asyncio.get_running_loop().time() - refused >= 0.95
