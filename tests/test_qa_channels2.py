"""QA of the channels as people use them: secretaries and officers on Zalo (numbered menus, slow
phones, messages arriving late or twice) and Telegram (buttons, old buttons), and the office
running the bot (restarts, network errors, Ctrl-C). Each test is one thing a person did."""

from __future__ import annotations

import asyncio
import socket
import time

import pytest

from bot import app
from bot.settings import load
from bot.startup import Stopped, with_retries
from messages_vi import t
from tests.support.fake_zalo import TOKEN as ZALO_TOKEN


def dead_base_url() -> str:
    """A loopback address nothing listens on: every connection is refused at once."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    return f"http://127.0.0.1:{port}"


async def said_in(capsys, text: str, timeout: float = 10.0) -> str:
    """Wait until `text` was printed; everything printed so far."""
    out = ""
    deadline = time.monotonic() + timeout
    while text not in out:
        if time.monotonic() > deadline:
            raise AssertionError(f"never printed {text!r}: {out!r}")
        await asyncio.sleep(0.02)
        out += capsys.readouterr().out
    return out


# --- the office: start-up and Ctrl-C ----------------------------------------------------------------

async def test_ctrl_c_while_start_up_waits_for_the_network_stops_the_wait_at_once():
    calls, stop = [], asyncio.Event()

    async def unreachable():
        calls.append(1)
        raise ConnectionError("Không có mạng")

    retrying = asyncio.create_task(with_retries(unreachable, attempts=6, first_delay=30, say=lambda _: None,
                                                retry_on=(ConnectionError,), stop=stop))
    await asyncio.sleep(0.05)                              # the first wait (30 s) has begun
    started = time.monotonic()
    stop.set()
    with pytest.raises(Stopped):
        await asyncio.wait_for(retrying, 2)
    assert time.monotonic() - started < 1 and calls == [1]


async def test_ctrl_c_during_a_hanging_attempt_gives_it_up_and_makes_no_other():
    stop, calls = asyncio.Event(), []

    async def hangs():
        calls.append(1)
        await asyncio.sleep(60)

    retrying = asyncio.create_task(with_retries(hangs, attempts=3, first_delay=1, say=lambda _: None,
                                                retry_on=(TimeoutError,), stop=stop))
    await asyncio.sleep(0.05)
    stop.set()
    with pytest.raises(Stopped):
        await asyncio.wait_for(retrying, 2)
    assert calls == [1]


async def test_a_start_up_step_cancelled_by_the_bot_itself_is_cancelled_not_taken_for_a_stop():
    stop = asyncio.Event()

    async def hangs():
        await asyncio.sleep(60)

    retrying = asyncio.create_task(with_retries(hangs, attempts=3, first_delay=1, say=lambda _: None,
                                                retry_on=(TimeoutError,), stop=stop))
    await asyncio.sleep(0.05)
    retrying.cancel()                                     # e.g. the bot's task group failing
    with pytest.raises(asyncio.CancelledError):
        await retrying
    assert not stop.is_set()


async def test_ctrl_c_while_zalo_is_unreachable_at_start_exits_cleanly_at_once(tmp_path, capsys):
    settings = load(env={"ZALO_BOT_TOKEN": ZALO_TOKEN, "ZALO_API_BASE_URL": dead_base_url(),
                         "DATA_DIR": str(tmp_path)}, env_file=tmp_path / "none.env")
    stop = asyncio.Event()
    serving = asyncio.create_task(app.serve(settings, stop=stop))
    await said_in(capsys, "Chưa kết nối được")               # waiting 2 s, then 4, 8, 16, 32
    started = time.monotonic()
    stop.set()                                               # what SIGINT and SIGTERM do
    assert await asyncio.wait_for(serving, 5) == 0
    assert time.monotonic() - started < 2


async def test_ctrl_c_while_telegram_is_unreachable_at_start_exits_cleanly_at_once(tmp_path, capsys):
    from tests.support.telegram_fake import TOKEN

    base = dead_base_url()
    settings = load(env={"TELEGRAM_BOT_TOKEN": TOKEN, "TELEGRAM_API_BASE_URL": f"{base}/bot",
                         "TELEGRAM_FILE_BASE_URL": f"{base}/file/bot", "DATA_DIR": str(tmp_path)},
                    env_file=tmp_path / "none.env")
    stop = asyncio.Event()
    serving = asyncio.create_task(app.serve(settings, stop=stop))
    await said_in(capsys, "Chưa kết nối được")
    started = time.monotonic()
    stop.set()
    assert await asyncio.wait_for(serving, 5) == 0
    assert time.monotonic() - started < 2


async def test_ctrl_c_while_serve_cannot_reach_zalo_to_set_its_webhook_stops_at_once(services, capsys):
    from bot.channels.zalo import ZaloChannel
    from bot.channels.zalo_api import ZaloBotAPI
    from bot.web import Intake

    async with ZaloBotAPI(ZALO_TOKEN, dead_base_url(), timeout=2.0) as api:
        channel = ZaloChannel(services, api, typing_after=None)
        stop = asyncio.Event()
        intake = Intake(services.storage, services.clock)
        pushes = app.ZaloPushes(channel, stop, intake)
        push = app.Push("https://bot.example.org/zalo", "secret-42", app.ZALO_SECRET_HEADER)
        pushes.webhook(push)
        running = asyncio.create_task(app._zalo_pushes(channel, pushes, stop, push))
        await said_in(capsys, "Chưa kết nối được")
        started = time.monotonic()
        stop.set()
        await asyncio.wait_for(running, 5)
        assert time.monotonic() - started < 2 and not pushes.open
        await intake.close()


async def test_ctrl_c_while_serve_cannot_set_the_telegram_webhook_stops_at_once(services, tmp_path):
    from telegram.error import NetworkError

    from bot.channels.telegram import build_application
    from tests.support.telegram_fake import TOKEN, FakeBotApi

    class Unreachable(FakeBotApi):
        def _setWebhook(self, params: dict):
            raise NetworkError("Bad Gateway")

    settings = load(env={"TELEGRAM_BOT_TOKEN": TOKEN, "DATA_DIR": str(tmp_path)}, env_file=tmp_path / "none.env")
    application = build_application(settings, services=services, request=Unreachable(), rate_limiter=False)
    said, stop = [], asyncio.Event()
    running = asyncio.create_task(application.bot_data["channel"].run_webhook(
        stop, "https://bot.example.org/telegram", "secret-42", say=said.append))
    while not said:
        await asyncio.sleep(0.01)
    assert said[0].startswith("Chưa kết nối được")
    started = time.monotonic()
    stop.set()
    await asyncio.wait_for(running, 5)
    assert time.monotonic() - started < 2 and not application.running


# --- a secretary on Zalo ----------------------------------------------------------------------------

LAN = "5c2e8a1f9d3b7e6a4c0d"


@pytest.fixture
async def zalo():
    from tests.support.fake_zalo import FakeZalo

    async with FakeZalo(poll_cap=0.2) as fake:
        yield fake


@pytest.fixture
async def on_zalo(services, zalo):
    """A Zalo channel sending to the fake Zalo; messages are handed to it as its poller would."""
    from bot.channels.zalo import ZaloChannel
    from bot.channels.zalo_api import ZaloBotAPI

    async with ZaloBotAPI(ZALO_TOKEN, zalo.base_url, timeout=2.0) as api:
        yield ZaloChannel(services, api, typing_after=None, backoff=0.01)


class Phone:
    """One person's Zalo: what they type reaches the channel, what the bot sent comes back."""

    def __init__(self, channel, fake, user: str = LAN, name: str = "Nguyễn Thị Lan"):
        self.channel, self.fake, self.user, self.name = channel, fake, user, name
        self.sent = 0

    async def type(self, text: str) -> str:
        """Type `text`; everything the bot answered, joined."""
        from bot.channels.zalo import ZaloMessage

        self.sent += 1
        before = len(self.fake.texts(self.user))
        message = ZaloMessage(self.user, self.user, self.name, f"{self.user}-{self.sent}", text=text)
        await self.channel.start(message)
        return "\n".join(self.fake.texts(self.user)[before:])


async def secretary_on_zalo(services, channel, fake, unit: str = "B1") -> Phone:
    from tests.support import make_invite

    phone = Phone(channel, fake)
    assert "1. 📝 Báo cáo sinh hoạt" in await phone.type(f"/start {await make_invite(services, unit)}")
    return phone


async def test_a_digit_typed_after_cancelling_a_form_on_zalo_is_not_a_pick_of_the_cancelled_menu(
        services, zalo, on_zalo):
    phone = await secretary_on_zalo(services, on_zalo, zalo)
    assert "1. Hôm nay\n2. Hôm qua" in await phone.type("1")
    assert "Đã hủy" in await phone.type("/huy")                   # no choices offered
    answer = await phone.type("2")
    assert t("form.gone") not in answer and "Hôm qua" not in answer
    assert "1. 📝 Báo cáo sinh hoạt" in answer                    # "2" alone: what would you like?


async def test_a_number_out_of_range_after_an_answer_without_choices_on_zalo_is_not_refused(
        services, zalo, on_zalo):
    phone = await secretary_on_zalo(services, on_zalo, zalo)
    await phone.type("/sinhhoat")
    await phone.type("huy")
    assert t("numbered.out_of_range", last=3) not in await phone.type("7")


async def test_a_reminder_without_choices_arriving_while_a_menu_is_open_on_zalo_leaves_the_menu_open(
        services, zalo, on_zalo):
    from domain.conversation import Reply

    phone = await secretary_on_zalo(services, on_zalo, zalo)
    assert "2. Hôm qua" in await phone.type("1")
    await on_zalo.deliver(LAN, Reply("⏰ Còn 2 ngày đến hạn báo cáo sinh hoạt tháng 11."))   # the outbox's
    assert "Đó là buổi gì?" in await phone.type("2")            # "2" still picks "Hôm qua"


@pytest.fixture
async def late_branches(tmp_path, clock):
    """The nudges' tree and calendar (tests/test_nudges.py), on the day the branches are late."""
    from domain import units_csv
    from domain.deadlines.calendar import parse_calendar
    from tests.support import open_services
    from tests.test_nudges import CALENDAR, LATE_FOR_BRANCHES, TREE

    services = await open_services(tmp_path / "late.sqlite3", clock)
    await services.storage.units.import_rows(units_csv.parse(TREE, []), clock())
    services.calendar = parse_calendar(CALENDAR)
    clock.now = LATE_FOR_BRANCHES
    yield services
    await app.close_services(services)


async def test_an_officer_typing_a_number_after_an_answer_without_choices_on_zalo_nudges_nobody(
        late_branches, zalo):
    from bot.channels.zalo import ZaloChannel
    from bot.channels.zalo_api import ZaloBotAPI
    from tests.support import joined, make_invite

    services = late_branches
    await joined(services, "a1", "A1")                         # Chi đoàn ấp Một's secretary
    async with ZaloBotAPI(ZALO_TOKEN, zalo.base_url, timeout=2.0) as api:
        officer = Phone(ZaloChannel(services, api, typing_after=None), zalo)
        await officer.type(f"/start {await make_invite(services, 'TP', 'officer')}")
        await officer.type("/nhac")
        assert "3. Chi đoàn ấp Một — chưa nộp" in await officer.type("1")    # "3" would nudge it
        assert await officer.type("/baocao") == t("not_allowed")           # no choices offered
        await officer.type("3")
    assert await services.storage.outbox.sent_to("a1") == []


# --- a long digest in parts, and the network failing in the middle -----------------------------------

def long_digest(lines: int = 200):
    from domain.conversation import Action, Button, Reply, rows

    return Reply("\n".join(f"Dòng {i}: Chi đoàn ấp {i} đã nộp báo cáo sinh hoạt." for i in range(lines)),
                 rows(Button("☰ Menu", Action.command("menu"))))


async def queued_for(services, person_id: int, reply) -> None:
    import json

    from storage.outbox import NewMessage

    await services.storage.outbox.enqueue([NewMessage("digest-1", person_id, json.dumps(reply.to_dict()))],
                                          services.clock())


def running_clock(services):
    """The test clock, running: a row put back after an error is due again a moment later."""
    from datetime import timedelta

    started = time.monotonic()
    return lambda: services.clock() + timedelta(seconds=time.monotonic() - started)


async def test_a_digest_in_parts_whose_second_part_fails_on_zalo_reaches_the_secretary_once_each(
        services, zalo, on_zalo):
    from bot.channels.numbered import render
    from bot.channels.zalo_api import split_text
    from domain.sender import Limits, Sender

    phone = await secretary_on_zalo(services, on_zalo, zalo)
    [person] = [p for p, _, _ in await services.storage.people.on_channel("zalo")]
    digest = long_digest()
    await queued_for(services, person.id, digest)
    before = len(zalo.texts(LAN))
    zalo.fail(zalo.attempts + 2, "502")                       # the network fails on part 2
    sender = Sender(services.storage, on_zalo, Limits(rate=200, chat_gap=0, backoff=0.01),
                    clock=running_clock(services), budget=on_zalo.budget)
    await sender.drain(timeout=20)
    parts = zalo.texts(LAN)[before:]
    assert sender.stats == {**sender.stats, "sent": 1, "transient": 1}
    assert parts == split_text(render(digest)) and len(parts) > 3      # each part once, in order
    assert parts[-1].endswith(t("numbered.hint"))
    assert "1. 📝 Báo cáo sinh hoạt" in await phone.type("1")  # the digest's menu: "1" is ☰ Menu


class FlakyBot:
    """A Telegram Bot whose `fail_at`-th sendMessage meets a network error."""

    def __init__(self, fail_at: int):
        self.fail_at, self.calls, self.texts = fail_at, 0, []

    async def do_api_request(self, method: str, params: dict):
        from telegram.error import NetworkError

        self.calls += 1
        if self.calls == self.fail_at:
            raise NetworkError("Bad Gateway")
        self.texts.append((params["text"], "reply_markup" in params))
        return {"message_id": self.calls}


async def test_a_digest_in_parts_whose_second_part_fails_on_telegram_reaches_the_officer_once_each(services):
    from bot.channels.telegram import TelegramTransport, split_text
    from domain.sender import Limits, Sender
    from tests.support import Chat, make_invite

    officer = Chat(services, "777001", "Đặng Quốc Bảo", channel="telegram")
    await officer.say(f"/start {await make_invite(services, 'G1', 'officer')}")
    [person] = [p for p, _, _ in await services.storage.people.on_channel("telegram")]
    digest = long_digest(400)                                  # 23,000 characters
    parts = split_text(digest.text)
    await queued_for(services, person.id, digest)
    bot = FlakyBot(fail_at=2)                                  # the network fails on part 2
    sender = Sender(services.storage, TelegramTransport(bot), Limits(rate=200, chat_gap=0, backoff=0.01),
                    clock=running_clock(services))
    await sender.drain(timeout=20)
    texts = [text for text, _ in bot.texts]
    assert sender.stats == {**sender.stats, "sent": 1, "transient": 1}
    assert texts == parts and len(parts) > 3                   # each part once, in order
    assert [markup for _, markup in bot.texts] == [False] * (len(parts) - 1) + [True]   # buttons: last part


async def test_a_number_typed_in_the_terminal_after_cancelling_is_not_read_against_the_cancelled_menu(services):
    from bot.channels.terminal import TerminalChat
    from tests.support import make_invite

    chat = TerminalChat(services)
    chat.user_id, chat.name = "terminal-lan", "Nguyễn Thị Lan"
    await chat.say(f"/start {await make_invite(services, 'B1')}")
    assert "1. Hôm nay" in await chat.say("/sinhhoat")
    assert "Đã hủy" in await chat.say("huy")
    assert t("numbered.out_of_range", last=3) not in await chat.say("12")


async def test_typing_luu_with_a_thumbs_up_at_the_summary_on_zalo_saves_the_report(services, zalo, on_zalo):
    from datetime import date

    phone = await secretary_on_zalo(services, on_zalo, zalo)
    for typed in ("1", "Hôm qua 😊", "hop bch", "12"):
        answer = await phone.type(typed)
    assert "1. ✅ Lưu" in answer
    assert "Đã lưu Báo cáo sinh hoạt" in await phone.type("Lưu 👍")
    unit = await services.storage.units.by_code("B1")
    [meeting] = await services.storage.reports.meetings(unit.id, date(2025, 1, 1))
    assert (meeting.held_on, meeting.attended, meeting.note) == (date(2026, 11, 22), 12, "")      # no note "Lưu 👍"


async def test_a_secretary_on_zalo_types_15_at_which_day_and_is_asked_which_month(services):
    """"15" at the date question is the 15th, as on Telegram: it was refused as choice 15 of 3."""
    from bot.channels.terminal import TerminalChat
    from tests.support import joined

    chat = await joined(services, "zalo-b1", "B1")
    zalo = TerminalChat(services)
    zalo.user_id, zalo.name = chat.user_id, chat.name
    await zalo.say("/sinhhoat")
    out = await zalo.say("15")
    assert "Ngày 15 của tháng nào?" in out
    out = await zalo.say("15/11")
    assert out.startswith("Đó là buổi gì?")                          # the day taken, the next question
