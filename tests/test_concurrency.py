"""Updates run concurrently across chats and in order within a chat (bot.channels.ordering), on the
Telegram path: real Updates through the Application's update queue and its update processor, a
Bot API that answers in memory (tests.support.telegram_fake)."""

from __future__ import annotations

import asyncio
import random
from pathlib import Path

import pytest
from telegram.ext import Application

import bot.channels.telegram as telegram_channel
from bot.channels.ordering import KeyedOrder, OrderedUpdateProcessor
from bot.channels.telegram import build_application
from bot.settings import load
from domain.conversation import Reply
from handlers import router
from messages_vi import MESSAGES, t
from tests.support.telegram_fake import TOKEN, FakeBotApi, person, text_update

A, B, C = 8101, 8102, 8103


def settings_for(tmp_path: Path):
    return load(env={"TELEGRAM_BOT_TOKEN": TOKEN, "DATABASE_PATH": str(tmp_path / "unused.sqlite3")},
                env_file=tmp_path / "absent.env")


@pytest.fixture
def api() -> FakeBotApi:
    return FakeBotApi()


@pytest.fixture
async def app(services, api, tmp_path):
    """The Application running as under long polling: updates go through its queue and processor."""
    application = build_application(settings_for(tmp_path), services=services, request=api)
    await application.initialize()
    await application.bot_data["channel"].post_init(application)
    await application.start()
    yield application
    if application.running:
        await application.stop()
    await application.bot_data["channel"].settle()
    await application.shutdown()


async def deliver(app: Application, user_id: int, text: str, **kwargs):
    update = text_update(app.bot, person(user_id), text, **kwargs)
    await app.update_queue.put(update)
    return update


async def until(condition, timeout: float = 5.0) -> None:
    loop = asyncio.get_running_loop()
    end = loop.time() + timeout
    while not condition():
        if loop.time() > end:
            raise AssertionError("not reached in time")
        await asyncio.sleep(0.005)


async def done(app: Application, timeout: float = 10.0) -> None:
    """Every update put so far handled, its replies sent and its buttons closed."""
    await asyncio.wait_for(app.update_queue.join(), timeout)
    await app.bot_data["channel"].settle()


def error_sentence() -> str:
    """The start of the internal-error sentence, before any value put into it (a reference)."""
    return MESSAGES["error.internal"].split("{", 1)[0]


def echo(log: list | None = None, gates: dict | None = None):
    """A stand-in for the router's work: records what came in and answers "đã nhận: <text>";
    waits on `gates[text]` when there is one."""

    async def handler(services, incoming):
        if log is not None:
            log.append(("in", incoming.chat_id, incoming.text))
        gate = (gates or {}).get(incoming.text)
        if gate is not None:
            await gate.wait()
        if log is not None:
            log.append(("out", incoming.chat_id, incoming.text))
        return [Reply(f"đã nhận: {incoming.text}")]

    return handler


async def test_the_application_uses_the_per_chat_processor(app):
    assert isinstance(app.update_processor, OrderedUpdateProcessor)
    assert app.update_processor.max_concurrent_updates > 1


async def test_a_slow_chat_does_not_hold_up_another(app, api, monkeypatch):
    original = router._handle
    entered, gate = asyncio.Event(), asyncio.Event()

    async def slow_for_a(services, incoming):
        if incoming.chat_id == str(A):
            entered.set()
            await gate.wait()
        return await original(services, incoming)

    monkeypatch.setattr(router, "_handle", slow_for_a)
    await deliver(app, A, "xin chào")
    await asyncio.wait_for(entered.wait(), 5)
    await deliver(app, B, "xin chào")
    await until(lambda: api.texts(B))                 # B is answered while A's handler still waits
    assert api.texts(B) == [t("stranger")] and api.texts(A) == []
    gate.set()
    await done(app)
    assert api.texts(A) == [t("stranger")]


async def test_a_failing_chat_gets_an_error_in_vietnamese_and_the_other_is_answered(app, api, monkeypatch):
    original = router._handle
    entered, gate = asyncio.Event(), asyncio.Event()

    async def broken_for_a(services, incoming):
        if incoming.chat_id == str(A):
            entered.set()
            await gate.wait()
            raise RuntimeError("a bug in a handler")
        return await original(services, incoming)

    monkeypatch.setattr(router, "_handle", broken_for_a)
    await deliver(app, A, "xin chào")
    await asyncio.wait_for(entered.wait(), 5)
    await deliver(app, B, "xin chào")
    await until(lambda: api.texts(B))
    gate.set()
    await done(app)
    [answer] = api.texts(A)
    assert answer.startswith(error_sentence()) and "Xin lỗi" in answer
    assert api.texts(B) == [t("stranger")]
    monkeypatch.setattr(router, "_handle", original)
    await deliver(app, A, "xin chào")                 # the chat is free again
    await done(app)
    assert api.texts(A)[1:] == [t("stranger")]


async def test_an_error_escaping_the_channel_frees_the_chat_and_delays_no_one(app, api, monkeypatch):
    original = telegram_channel.handle
    calls = []

    async def exploding_once(services, incoming):
        calls.append(incoming.chat_id)
        if incoming.chat_id == str(A) and calls.count(str(A)) == 1:
            raise RuntimeError("past the router")
        return await original(services, incoming)

    monkeypatch.setattr(telegram_channel, "handle", exploding_once)
    await deliver(app, A, "một")
    await deliver(app, B, "xin chào")
    await deliver(app, A, "hai")
    await done(app)
    assert api.texts(B) == [t("stranger")]
    assert api.texts(A) == [t("stranger")]            # the second message; the first one's error was logged
    assert len(app.update_processor.order) == 0


async def test_two_messages_of_one_chat_are_handled_in_order(app, api, monkeypatch):
    log: list = []
    first = asyncio.Event()
    monkeypatch.setattr(router, "_handle", echo(log, {"một": first}))
    await deliver(app, A, "một")
    await until(lambda: ("in", str(A), "một") in log)
    await deliver(app, A, "hai")
    await deliver(app, B, "ba")
    await until(lambda: api.texts(B))
    await asyncio.sleep(0.05)
    assert ("in", str(A), "hai") not in log           # waits for "một", though B went through
    first.set()
    await done(app)
    assert [e for e in log if e[1] == str(A)] == [
        ("in", str(A), "một"), ("out", str(A), "một"), ("in", str(A), "hai"), ("out", str(A), "hai")]
    assert api.texts(A) == ["đã nhận: một", "đã nhận: hai"]


async def test_many_chats_at_once_each_in_its_own_order(app, api, monkeypatch):
    rng = random.Random(9)

    async def jittery(services, incoming):
        await asyncio.sleep(rng.random() * 0.01)
        return [Reply(f"đã nhận: {incoming.text}")]

    monkeypatch.setattr(router, "_handle", jittery)
    chats = [A, B, C]
    for k in range(15):
        for chat in chats:
            await deliver(app, chat, f"{chat}-{k}")
    await done(app)
    for chat in chats:
        assert api.texts(chat) == [f"đã nhận: {chat}-{k}" for k in range(15)]
    assert len(app.update_processor.order) == 0       # idle chats keep no lock


async def test_the_same_update_delivered_twice_is_answered_once(app, api, services):
    update = await deliver(app, A, "xin chào")
    await app.update_queue.put(update)                # delivered again, as after a restart
    await done(app)
    assert api.texts(A) == [t("stranger")]
    # and twice at the very same time, past the per-chat order: the router's claim decides
    again = text_update(app.bot, person(B), "xin chào")
    await asyncio.gather(app.process_update(again), app.process_update(again))
    await app.bot_data["channel"].settle()
    assert api.texts(B) == [t("stranger")]


# --- the primitive, on its own ------------------------------------------------------------------

async def test_keyed_order_runs_one_key_in_order_and_keys_at_once():
    order = KeyedOrder()
    log: list[str] = []
    release = asyncio.Event()

    async def work(key: str, name: str, wait: bool = False):
        async with order.hold(key):
            log.append(f"start {name}")
            if wait:
                await release.wait()
            log.append(f"end {name}")

    tasks = [asyncio.create_task(work("a", "a1", wait=True)), asyncio.create_task(work("a", "a2")),
             asyncio.create_task(work("b", "b1"))]
    await until(lambda: "end b1" in log)
    assert log == ["start a1", "start b1", "end b1"] and len(order) == 1
    release.set()
    await asyncio.gather(*tasks)
    assert log[3:] == ["end a1", "start a2", "end a2"]
    assert len(order) == 0


async def test_keyed_order_frees_the_key_when_a_block_fails_or_is_cancelled():
    order = KeyedOrder()
    with pytest.raises(ValueError):
        async with order.hold("a"):
            raise ValueError("boom")
    assert len(order) == 0
    gate = asyncio.Event()

    async def hold_until_gate():
        async with order.hold("a"):
            await gate.wait()

    holder = asyncio.create_task(hold_until_gate())
    waiter = asyncio.create_task(hold_until_gate())
    await asyncio.sleep(0.01)
    waiter.cancel()
    holder.cancel()
    await asyncio.gather(holder, waiter, return_exceptions=True)
    assert len(order) == 0
    async with order.hold("a"):                       # and the key works again
        pass
