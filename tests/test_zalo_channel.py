"""The Zalo channel against the fake Zalo Bot API on loopback: whole conversations by long poll,
numbered menus, redeliveries, bad input, slow and failing chats, 429s, the outbox through
`deliver`, and a refused token."""

from __future__ import annotations

import asyncio
import json
import logging
import os
import sys
import time
import traceback
from contextlib import asynccontextmanager
from datetime import date, timedelta

import pytest

from bot import app
from bot.channels.base import CannotStart, Channel
from bot.channels.zalo import ZaloChannel, read_update
from bot.channels.zalo_api import MAX_TEXT, ZaloBotAPI, ZaloTokenRejected, utf16_len
from domain.conversation import Action, Button, Reply, rows
from domain.sender import Limits, Rejected, Sender
from handlers import router
from messages_vi import t
from storage.outbox import NewMessage
from bot.settings import load
from bot.startup import GaveUp
from tests.support import make_invite, seed_tree
from tests.support.fake_zalo import TOKEN, FakeZalo

LAN, NAM = "7a0c1e9b3f5d2b8e4c6a", "3b9d5f7a1c2e4b6d8f0a"


@pytest.fixture
async def zalo():
    async with FakeZalo(poll_cap=0.2) as fake:
        yield fake


@asynccontextmanager
async def running(services, fake: FakeZalo, **options):
    """A ZaloChannel polling `fake` in a task; stopped (its work in flight finished) at the end."""
    options.setdefault("typing_after", None)
    async with ZaloBotAPI(TOKEN, fake.base_url, timeout=2.0) as api:
        channel = ZaloChannel(services, api, **options)
        stop = asyncio.Event()
        task = asyncio.create_task(channel.run(stop))
        try:
            yield channel
        finally:
            stop.set()
            await asyncio.wait_for(task, 10)


async def until(condition, timeout: float = 5.0) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError("timed out")
        await asyncio.sleep(0.01)


def handed_out(channel: ZaloChannel) -> int:
    return sum(channel.stats[k] for k in ("updates", "repeated", "ignored"))


async def settled(channel: ZaloChannel, fake: FakeZalo, before: int, pushed: int = 1) -> None:
    """Wait until the channel took `pushed` more updates and answered all it took."""
    await until(lambda: fake.pending == 0 and handed_out(channel) >= before + pushed and channel.in_flight == 0)


async def say(channel: ZaloChannel, fake: FakeZalo, user: str, text: str, name: str = "Nguyễn Thị Lan") -> str:
    """`user` types `text`; returns everything the bot sent back, joined."""
    before, sent = handed_out(channel), len(fake.texts(user))
    fake.push_text(user, text, display_name=name)
    await settled(channel, fake, before)
    return "\n".join(fake.texts(user)[sent:])


def no_token(text: str) -> bool:
    return TOKEN not in text and TOKEN.split(":")[1] not in text


async def meetings_of(services, code="B1"):
    unit = await services.storage.units.by_code(code)
    return await services.storage.reports.meetings(unit.id, date(2025, 1, 1))


# --- reading updates --------------------------------------------------------------------------------

def test_updates_are_read_as_text_or_other_and_bots_groups_and_non_messages_are_ignored():
    def update(event, **message):
        base = {"message_id": "m1", "date": 1, "from": {"id": "u1", "display_name": " Lan ", "is_bot": False},
                "chat": {"id": "c1", "chat_type": "PRIVATE"}}
        return {"event_name": event, "message": base | message}

    text = read_update(update("message.text.received", text="Xin chào"))
    assert (text.user_id, text.chat_id, text.display_name, text.text, text.other, text.update_key) == \
        ("u1", "c1", "Lan", "Xin chào", None, "zalo:m1")
    assert read_update(update("message.image.received", photo_url="https://x/y.jpg")).other == "photo"
    assert read_update(update("message.sticker.received")).other == "sticker"
    assert read_update(update("message.unsupported.received")).other == "unsupported"
    assert read_update(update("message.location.received")).other == "unsupported"     # a kind added later
    assert read_update(update("message.text.received")).text == ""
    assert read_update(update("message.text.received", **{"from": {"id": "b", "is_bot": True}})) is None
    assert read_update(update("message.text.received", chat={"id": "g", "chat_type": "GROUP"})) is None
    assert read_update(update("message.text.received", **{"from": {}})) is None
    assert read_update(update("user.follow")) is None
    assert read_update({"event_name": "message.text.received"}) is None


def test_the_channel_is_a_channel_without_buttons():
    assert ZaloChannel.name == ZaloChannel.channel == "zalo" and ZaloChannel.has_buttons is False
    assert all(callable(getattr(ZaloChannel, m)) for m in ("run", "deliver", "typing"))
    assert set(Channel.__annotations__) <= set(vars(ZaloChannel))


# --- whole conversations ----------------------------------------------------------------------------

async def test_a_stranger_gets_the_stranger_answer_in_vietnamese(services, zalo):
    async with running(services, zalo) as channel:
        assert await say(channel, zalo, LAN, "Xin chào") == t("stranger")
        assert await say(channel, zalo, LAN, "1") == t("stranger")             # no menu: a "1" is text


async def test_joining_by_start_and_code_or_by_the_code_alone(services, zalo):
    code = await make_invite(services, "B1")
    other = await make_invite(services, "B3")
    async with running(services, zalo) as channel:
        welcome = await say(channel, zalo, LAN, f"/start {code}")
        assert "Chi đoàn ấp Một" in welcome.split("\n")[0]
        assert "\n1. 📝 Báo cáo sinh hoạt\n" in welcome and t("numbered.hint") in welcome
        typed = await say(channel, zalo, NAM, f"  {other.upper()} ", name="Trần Văn Nam")
        assert "Chi đoàn Bệnh viện" in typed
    people = await services.storage.people.on_channel("zalo")
    assert sorted((p.external_id, p.display_name, role) for p, role, _ in people) == \
        sorted([(LAN, "Nguyễn Thị Lan", "secretary"), (NAM, "Trần Văn Nam", "secretary")])


async def report_a_meeting(channel, fake, user: str) -> list[tuple[str, str]]:
    """The monthly meeting report as a secretary types it on Zalo; returns the transcript."""
    transcript = []
    for typed in ("1", "hom qua", "hop bch", "12", "luu"):
        transcript.append((typed, await say(channel, fake, user, typed)))
    return transcript


async def test_the_monthly_meeting_report_in_five_messages_with_digits_and_words(services, zalo):
    code = await make_invite(services, "B1")
    async with running(services, zalo) as channel:
        await say(channel, zalo, LAN, f"/start {code}")
        transcript = await report_a_meeting(channel, zalo, LAN)
    answers = dict(transcript)
    assert len(transcript) <= 6
    assert "1. Hôm nay\n2. Hôm qua" in answers["1"]                  # "1" picked "Báo cáo sinh hoạt"
    assert "12" not in answers["hop bch"] and "• ✖ Hủy" in answers["hop bch"]    # a count: no numbers
    assert "Số tham dự: 12" in answers["12"]                           # "12" is the count, not a pick
    assert "Đã lưu Báo cáo sinh hoạt" in answers["luu"]
    [meeting] = await meetings_of(services)
    assert (meeting.attended, meeting.kind) == (12, "committee")
    assert meeting.held_on == date(2026, 11, 22)                       # "hom qua" of the test clock
    print("\n".join(f"> {typed}\n{answer}\n" for typed, answer in transcript))


def number_of(answer: str, label: str) -> str:
    """The number a numbered menu shows for `label`, as the person reads it off the screen."""
    [number] = [line.split(". ", 1)[0] for line in answer.split("\n")
                if ". " in line and line.split(". ", 1)[1].endswith(label)]
    return number


async def test_the_meeting_report_with_numbers_only_but_the_count(services, zalo):
    code = await make_invite(services, "B3")
    async with running(services, zalo) as channel:
        answer = await say(channel, zalo, NAM, code)                       # the code typed alone
        typed = []
        for label in ("Báo cáo sinh hoạt", "Hôm qua", "Sinh hoạt chi đoàn"):
            typed.append(number_of(answer, label))
            answer = await say(channel, zalo, NAM, typed[-1])
        typed.append("2")                                                  # 2 people came: a count
        answer = await say(channel, zalo, NAM, "2")
        assert "Số tham dự: 2" in answer
        typed.append(number_of(answer, "Lưu"))
        answer = await say(channel, zalo, NAM, typed[-1])
        assert "Đã lưu" in answer and len(typed) == 5 and all(x.isdigit() for x in typed)
    [meeting] = await meetings_of(services, "B3")
    assert (meeting.attended, meeting.kind, meeting.held_on) == (2, "branch", date(2026, 11, 22))


async def test_an_unknown_number_is_answered_with_the_range_and_changes_nothing(services, zalo):
    code = await make_invite(services, "B1")
    async with running(services, zalo) as channel:
        await say(channel, zalo, LAN, f"/start {code}")
        assert await say(channel, zalo, LAN, "42") == t("numbered.out_of_range", last=7)
        assert "1. Hôm nay" in await say(channel, zalo, LAN, "1")          # the menu is still the same


async def test_a_redelivered_update_is_answered_once_even_after_a_restart(services, zalo):
    async with running(services, zalo) as channel:
        before = handed_out(channel)
        update = zalo.push_text(LAN, "Xin chào", times=2)
        await settled(channel, zalo, before, pushed=2)
        assert zalo.texts(LAN) == [t("stranger")] and channel.stats["repeated"] == 1
    async with running(services, zalo) as channel:              # a new process: the database remembers
        before = handed_out(channel)
        zalo.push(update)
        await settled(channel, zalo, before)
        assert channel.stats["updates"] == 1
    assert zalo.texts(LAN) == [t("stranger")]


async def test_a_sticker_an_image_and_an_unsupported_message_get_a_vietnamese_answer(services, zalo):
    code = await make_invite(services, "B1")
    async with running(services, zalo) as channel:
        await say(channel, zalo, LAN, f"/start {code}")
        for push in (lambda: zalo.push_sticker(LAN),
                     lambda: zalo.push_image(LAN, zalo.photo_url_for("a.jpg", b"\xff\xd8"), caption="Biên bản"),
                     lambda: zalo.push_unsupported(LAN)):
            before, sent = handed_out(channel), len(zalo.texts(LAN))
            push()
            await settled(channel, zalo, before)
            [answer] = zalo.texts(LAN)[sent:]
            assert answer.startswith(t("other_no_form")) and "1. " in answer
        before = handed_out(channel)
        zalo.push_sticker(NAM)                                        # a stranger's sticker
        await settled(channel, zalo, before)
        assert zalo.texts(NAM) == [t("stranger")]
    assert await meetings_of(services) == []


async def test_a_text_of_ten_thousand_characters_gets_an_answer_and_nothing_breaks(services, zalo):
    code = await make_invite(services, "B1")
    async with running(services, zalo) as channel:
        await say(channel, zalo, LAN, f"/start {code}")
        answer = await say(channel, zalo, LAN, "Báo cáo tháng này: " + "chi đoàn sinh hoạt đều đặn. " * 360)
        assert answer and t("help.no_form").split("\n")[0] in answer
        assert await say(channel, zalo, LAN, "😀🎉👍") != ""               # only emoji
        assert "1. Hôm nay" in await say(channel, zalo, LAN, "sinh hoat")  # still answering
        assert channel.stats["failed"] == 0


async def test_a_reply_longer_than_2000_characters_goes_in_parts_in_order(services, zalo):
    lines = [f"{i}. Chi đoàn ấp {i}: đã nộp báo cáo sinh hoạt tháng 11, 14 người tham dự." for i in range(100)]
    reply = Reply("\n".join(lines), rows(Button("☰ Menu", Action.command("menu"))))
    async with ZaloBotAPI(TOKEN, zalo.base_url) as api:
        channel = ZaloChannel(services, api)
        message_id = await channel.deliver(LAN, reply, urgent=True)
    parts = zalo.texts(LAN)
    assert len(parts) >= 3 and all(utf16_len(p) <= MAX_TEXT for p in parts)
    assert "\n".join(parts).split("\n")[:100] == lines                # cut on line ends, in order
    assert parts[-1].endswith(t("numbered.hint")) and "1. ☰ Menu" in parts[-1]
    assert message_id == zalo.sent[-1].message_id


async def test_files_cannot_go_on_zalo_the_caption_says_how_to_get_them(services, zalo, tmp_path):
    async with ZaloBotAPI(TOKEN, zalo.base_url) as api:
        channel = ZaloChannel(services, api)
        await channel.deliver(LAN, Reply("📥 Tổng hợp tháng 11/2026 — Chi đoàn ấp Một (Excel).",
                                         attachment=tmp_path / "tonghop-B1-2026-11.xlsx"))
        await channel.deliver(LAN, Reply("📈 Biểu đồ", attachment=tmp_path / "tonghop-B1.png",
                                         attachment_kind="photo"))
        await channel.deliver(LAN, Reply("", attachment=tmp_path / "a.csv"))
    document, photo, bare = zalo.texts(LAN)
    assert document == "📥 Tổng hợp tháng 11/2026 — Chi đoàn ấp Một (Excel).\n\n" + \
        t("zalo.no_document", name="tonghop-B1-2026-11.xlsx")
    assert photo == "📈 Biểu đồ\n\n" + t("zalo.no_photo", name="tonghop-B1.png")
    assert bare == t("zalo.no_document", name="a.csv")
    assert [s.method for s in zalo.sent] == ["sendMessage"] * 3


# --- chats apart, failures, retries -------------------------------------------------------------------

async def test_a_slow_chat_does_not_hold_up_another(services, zalo, monkeypatch):
    release = asyncio.Event()
    real = router.handle

    async def slow_for_lan(services, incoming):
        if incoming.user_id == LAN:
            await release.wait()
        return await real(services, incoming)

    monkeypatch.setattr(router, "handle", slow_for_lan)
    async with running(services, zalo) as channel:
        zalo.push_text(LAN, "Xin chào")
        await until(lambda: channel.in_flight == 1)
        started = time.monotonic()
        zalo.push_text(NAM, "Xin chào", display_name="Trần Văn Nam")
        await until(lambda: zalo.texts(NAM) == [t("stranger")])            # answered while Lan waits
        assert time.monotonic() - started < 2.0
        await until(lambda: channel.in_flight == 1)                        # Nam's answer done, Lan's waiting
        assert zalo.texts(LAN) == []
        release.set()
        await until(lambda: zalo.texts(LAN) == [t("stranger")])


async def test_one_chat_answers_in_the_order_it_wrote(services, zalo, monkeypatch):
    real = router.handle
    handled = []

    async def first_is_slow(services, incoming):
        handled.append(incoming.text)
        if incoming.text == "một":
            await asyncio.sleep(0.3)
        return [Reply(f"đã đọc: {incoming.text}")]

    monkeypatch.setattr(router, "handle", first_is_slow)
    async with running(services, zalo) as channel:
        before = handed_out(channel)
        for word in ("một", "hai", "ba"):
            zalo.push_text(LAN, word)
        await settled(channel, zalo, before, pushed=3)
    assert handled == ["một", "hai", "ba"]
    assert zalo.texts(LAN) == ["đã đọc: một", "đã đọc: hai", "đã đọc: ba"]
    assert real is not router.handle


async def test_an_update_that_fails_stops_nothing_and_logs_no_text_or_token(services, zalo, monkeypatch, caplog):
    caplog.set_level(logging.DEBUG)
    real = router.handle

    async def broken_for_lan(services, incoming):
        if incoming.user_id == LAN:
            raise RuntimeError("boom")
        return await real(services, incoming)

    monkeypatch.setattr(router, "handle", broken_for_lan)
    async with running(services, zalo) as channel:
        await say(channel, zalo, LAN, "bí mật của Lan")
        assert await say(channel, zalo, NAM, "Xin chào") == t("stranger")
        assert channel.stats["failed"] == 1
    logged = "\n".join(r.getMessage() + (caplog.handler.format(r) if r.exc_info else "") for r in caplog.records)
    assert "RuntimeError" in logged and "bí mật" not in logged and no_token(logged)


async def test_a_slow_answer_shows_typing(services, zalo, monkeypatch):
    real = router.handle

    async def slow(services, incoming):
        await asyncio.sleep(0.3)
        return await real(services, incoming)

    monkeypatch.setattr(router, "handle", slow)
    async with running(services, zalo, typing_after=0.1) as channel:
        assert await say(channel, zalo, LAN, "Xin chào") == t("stranger")
        assert await say(channel, zalo, NAM, "Xin chào") == t("stranger")
    assert [(s.method, s.text) for s in zalo.sent if s.chat_id == LAN] == \
        [("sendChatAction", "typing"), ("sendMessage", t("stranger"))]
    async with ZaloBotAPI(TOKEN, zalo.base_url) as api:                # errors swallowed
        zalo.blocked_users.add(LAN)
        await ZaloChannel(services, api).typing(LAN)


async def test_a_429_with_an_html_body_is_retried_and_sent_once(services, zalo):
    zalo.fail(1, "429")
    async with running(services, zalo) as channel:
        started = time.monotonic()
        assert await say(channel, zalo, LAN, "Xin chào") == t("stranger")
        assert time.monotonic() - started >= 1.5                       # waited the default 2 s
    assert zalo.too_many == 1 and zalo.texts(LAN) == [t("stranger")]


async def test_a_5xx_on_a_reply_is_tried_again(services, zalo):
    zalo.fail(1, "502")
    async with running(services, zalo, backoff=0.05) as channel:
        assert await say(channel, zalo, LAN, "Xin chào") == t("stranger")


async def test_a_blocked_chat_drops_its_reply_and_the_bot_goes_on(services, zalo):
    zalo.blocked_users.add(LAN)
    async with running(services, zalo) as channel:
        assert await say(channel, zalo, LAN, "Xin chào") == ""
        assert await say(channel, zalo, NAM, "Xin chào") == t("stranger")
        assert channel.stats["failed"] == 0


async def test_network_errors_at_start_and_while_polling_are_waited_out(services, caplog):
    caplog.set_level(logging.DEBUG)
    gone = await FakeZalo(poll_cap=0.2).start()
    port = gone.port
    await gone.stop()                                                  # Zalo unreachable at start
    said = []
    async with ZaloBotAPI(TOKEN, gone.base_url, timeout=2.0) as api:
        channel = ZaloChannel(services, api, backoff=0.05, max_backoff=0.2, start_attempts=50, typing_after=None)
        stop = asyncio.Event()
        task = asyncio.create_task(channel.run(stop, say=said.append))
        await until(lambda: said)
        assert said[0].startswith("Chưa kết nối được (Zalo getMe: ConnectError")
        async with FakeZalo(poll_cap=0.2, port=port) as first:         # it comes up
            assert await say(channel, first, LAN, "Xin chào") == t("stranger")
        await until(lambda: channel.stats["poll_errors"] >= 3)         # and goes away again
        async with FakeZalo(poll_cap=0.2, port=port) as back:          # and is back
            assert await say(channel, back, NAM, "Xin chào") == t("stranger")
        stop.set()
        await asyncio.wait_for(task, 10)
    assert any("getUpdates failed" in r.getMessage() for r in caplog.records)
    assert all(no_token(r.getMessage()) for r in caplog.records) and no_token("".join(said))


async def test_no_network_at_start_gives_up_in_vietnamese(services):
    gone = await FakeZalo().start()
    await gone.stop()
    said = []
    async with ZaloBotAPI(TOKEN, gone.base_url, timeout=0.5) as api:
        channel = ZaloChannel(services, api, backoff=0.01, start_attempts=3)
        with pytest.raises(GaveUp) as caught:
            await asyncio.wait_for(channel.run(asyncio.Event(), say=said.append), 10)
    assert len(said) == 2 and str(caught.value).startswith("Không kết nối được sau 3 lần thử")
    assert no_token(str(caught.value) + "".join(said))


async def test_a_wrong_base_url_is_refused_at_start_in_vietnamese(services, zalo):
    async with ZaloBotAPI(TOKEN, zalo.base_url + "/sai") as api:
        with pytest.raises(CannotStart) as caught:
            await asyncio.wait_for(ZaloChannel(services, api).run(asyncio.Event()), 5)
    assert "ZALO_API_BASE_URL" in str(caught.value) and "404" in str(caught.value)
    assert isinstance(caught.value.__cause__, Rejected) and no_token(str(caught.value))


async def test_stopping_finishes_the_answers_in_flight(services, zalo, monkeypatch):
    real = router.handle

    async def slow(services, incoming):
        await asyncio.sleep(0.3)
        return await real(services, incoming)

    monkeypatch.setattr(router, "handle", slow)
    async with running(services, zalo) as channel:
        zalo.push_text(LAN, "Xin chào")
        await until(lambda: channel.in_flight == 1)
    assert zalo.texts(LAN) == [t("stranger")] and channel.in_flight == 0


async def test_a_wrong_token_is_refused_at_start_in_vietnamese_without_the_token(services, zalo):
    wrong = "3618093452916839011:" + "w" * 45
    async with ZaloBotAPI(wrong, zalo.base_url) as api:
        channel = ZaloChannel(services, api)
        with pytest.raises(ZaloTokenRejected) as caught:
            await asyncio.wait_for(channel.run(asyncio.Event()), 5)
    assert str(caught.value) == t("zalo.token_rejected") and isinstance(caught.value, CannotStart)
    shown = str(caught.value) + repr(caught.value) + "".join(traceback.format_exception(caught.value))
    assert "w" * 45 not in shown and no_token(shown)
    assert zalo.calls == ["getMe"] and zalo.sent == []


async def test_a_token_revoked_while_running_stops_the_channel_in_vietnamese(services, zalo):
    async with ZaloBotAPI(TOKEN, zalo.base_url) as api:
        channel = ZaloChannel(services, api, typing_after=None)
        task = asyncio.create_task(channel.run(asyncio.Event()))
        assert await say(channel, zalo, LAN, "Xin chào") == t("stranger")
        zalo.token = "3618093452916839011:" + "r" * 45                 # revoked: a new one was made
        with pytest.raises(ZaloTokenRejected) as caught:
            await asyncio.wait_for(task, 5)
    assert str(caught.value) == t("zalo.token_rejected") and no_token(str(caught.value))


# --- python -m bot on Zalo ---------------------------------------------------------------------------

async def test_python_m_bot_on_zalo_answers_over_http_on_loopback(tmp_path, zalo):
    """The Zalo channel as served (bot/app.py): only ZALO_BOT_TOKEN set, the API at the fake."""
    settings = load(env={"ZALO_BOT_TOKEN": TOKEN, "ZALO_API_BASE_URL": zalo.base_url, "DATA_DIR": str(tmp_path)},
                    env_file=tmp_path / "none.env")
    services = await app.open_services(settings.database_path)
    await seed_tree(services)
    code = await make_invite(services, "B1")
    await app.close_services(services)
    zalo.push_text(LAN, code)                                   # the code typed alone: no deep links on Zalo
    zalo.push_text(LAN, "1")                                    # "📝 Báo cáo sinh hoạt" of the menu shown
    stop = asyncio.Event()
    serving = asyncio.create_task(app.serve(settings, stop=stop))
    await until(lambda: len(zalo.texts(LAN)) >= 2, timeout=30)
    stop.set()
    assert await asyncio.wait_for(serving, 30) == 0
    welcome, question = zalo.texts(LAN)[:2]
    assert "Chi đoàn ấp Một" in welcome and "ngày nào" in question and "1. Hôm nay" in question
    assert zalo.calls[0] == "getMe"


def test_python_m_bot_with_a_refused_zalo_token_says_one_vietnamese_line(tmp_path):
    async def refuse() -> tuple[int, str, str]:
        async with FakeZalo(token="another:" + "a" * 40) as fake:
            env = {"PATH": os.environ.get("PATH", ""), "HOME": str(tmp_path), "NO_PROXY": "*",
                   "TELEGRAM_BOT_TOKEN": "", "ZALO_BOT_TOKEN": TOKEN, "ZALO_API_BASE_URL": fake.base_url,
                   "DATA_DIR": str(tmp_path), "LOG_LEVEL": "DEBUG"}
            process = await asyncio.create_subprocess_exec(
                sys.executable, "-m", "bot", cwd=tmp_path, env=env,
                stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE)
            out, err = await asyncio.wait_for(process.communicate(), 60)
            assert fake.calls == ["getMe"]
            return process.returncode, out.decode(), err.decode()

    code, out, err = asyncio.run(refuse())
    assert code == 1
    assert t("zalo.token_rejected") in err.splitlines() and "Traceback" not in err
    assert no_token(out + err)


# --- the outbox through deliver ------------------------------------------------------------------------

async def test_the_outbox_sender_delivers_through_the_channel_with_menus_and_429s(services, zalo):
    code = await make_invite(services, "B1")
    async with running(services, zalo) as channel:
        await say(channel, zalo, LAN, f"/start {code}")
        [person] = [p for p, _, _ in await services.storage.people.on_channel("zalo")]
        reminder = Reply("⏰ Còn 2 ngày đến hạn báo cáo sinh hoạt tháng 11.",
                         rows(Button("📝 Báo cáo ngay", Action.command("sinhhoat"))))
        long = Reply("\n".join(f"Dòng {i}: chi đoàn đã nộp." for i in range(200)))
        await services.storage.outbox.enqueue(
            [NewMessage("r1", person.id, json.dumps(reminder.to_dict(), ensure_ascii=False)),
             NewMessage("r2", person.id, json.dumps(long.to_dict(), ensure_ascii=False))], services.clock())
        zalo.fail(zalo.attempts + 1, "429")
        started = time.monotonic()

        def moving():                          # the test clock, running: a 429's row is due again
            return services.clock() + timedelta(seconds=time.monotonic() - started)

        sender = Sender(services.storage, channel, Limits(rate=200, chat_gap=0), clock=moving,
                        budget=channel.budget)
        await sender.drain(timeout=20)
        assert sender.stats["sent"] == 2 and sender.stats["retry_after"] == 1
        sent = zalo.texts(LAN)
        reminder_text = next(s for s in sent if s.startswith("⏰"))
        assert "1. 📝 Báo cáo ngay" in reminder_text
        long_parts = [s for s in sent if s.startswith("Dòng")]
        assert len(long_parts) == 3 and "\n".join(long_parts) == long.text      # 5,000 characters, cut in 3
        # the reminder's menu was the last one with choices: "1" picks it
        assert "1. Hôm nay" in await say(channel, zalo, LAN, "1")
