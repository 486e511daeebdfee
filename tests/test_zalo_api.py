"""The Zalo Bot API client against the fake Zalo on loopback: updates, sends, every failure mapped
to the sender's exceptions, and the token kept out of errors and logs."""

from __future__ import annotations

import asyncio
import logging
import time
import traceback

import httpx
import pytest
from hypothesis import given, settings, strategies as st

from bot.channels.zalo_api import (
    DEFAULT_RETRY_AFTER, MAX_TEXT, ZaloBotAPI, ZaloTokenRejected, parse_update, split_text, utf16_len,
)
from domain.sender import Blocked, Rejected, RetryAfter, Transient
from tests.support.fake_zalo import TOKEN, FakeZalo

USER = "6ad1b2c3d4e5f60718293a4b"


@pytest.fixture
async def zalo():
    async with FakeZalo(poll_cap=0.3) as fake:
        yield fake


@pytest.fixture
async def api(zalo):
    async with ZaloBotAPI(TOKEN, zalo.base_url, timeout=0.5) as client:
        yield client


def no_token(error: BaseException) -> bool:
    shown = str(error) + repr(error) + "".join(traceback.format_exception(error))
    return TOKEN not in shown and TOKEN.split(":")[1] not in shown


# --- reading ----------------------------------------------------------------------------------------

async def test_get_me(api):
    me = await api.get_me()
    assert me["account_name"] == "bot.chidoan" and me["can_join_groups"] is False


@pytest.mark.parametrize("http_status", [408, 200])
async def test_an_empty_poll_gives_none_after_the_408(http_status):
    async with FakeZalo(poll_cap=0.2, empty_poll_status=http_status) as zalo, \
            ZaloBotAPI(TOKEN, zalo.base_url, timeout=0.5) as api:
        started = time.monotonic()
        assert await api.get_update(timeout_s=30) is None
        assert 0.15 < time.monotonic() - started < 1.0      # it waited the (capped) long poll
        assert zalo.calls == ["getUpdates"]


async def test_a_pushed_text_comes_back_as_an_update_waking_the_long_poll():
    async with FakeZalo(poll_cap=5.0) as zalo, ZaloBotAPI(TOKEN, zalo.base_url, timeout=0.5) as api:
        poll = asyncio.create_task(api.get_update(timeout_s=30))
        await asyncio.sleep(0.1)
        started = time.monotonic()
        pushed = zalo.push_text(USER, "Xin chào", display_name="Trần Văn Nam")
        update = await poll
        assert time.monotonic() - started < 1.0
    assert update == pushed
    assert update["event_name"] == "message.text.received"
    message = update["message"]
    assert message["text"] == "Xin chào" and message["from"]["display_name"] == "Trần Văn Nam"
    assert message["chat"] == {"id": USER, "chat_type": "PRIVATE"} and isinstance(message["message_id"], str)


async def test_a_redelivered_update_comes_twice_the_client_does_not_dedupe(api, zalo):
    pushed = zalo.push_text(USER, "1", times=2)
    first, second = await api.get_update(1), await api.get_update(1)
    assert first == second == pushed
    assert await api.get_update(1) is None


async def test_images_stickers_and_unsupported_messages_come_with_their_event_names(api, zalo):
    photo = zalo.photo_url_for("bien-ban.jpg", b"\xff\xd8 a jpeg")
    zalo.push_image(USER, photo, caption="Biên bản họp")
    zalo.push_sticker(USER)
    zalo.push_unsupported(USER)
    image, sticker, unsupported = [await api.get_update(1) for _ in range(3)]
    assert image["event_name"] == "message.image.received"
    assert image["message"]["caption"] == "Biên bản họp"
    assert await api.download(image["message"]["photo_url"]) == b"\xff\xd8 a jpeg"
    assert zalo.downloads == ["bien-ban.jpg"]
    assert sticker["event_name"] == "message.sticker.received"
    assert unsupported["event_name"] == "message.unsupported.received"
    with pytest.raises(Rejected):
        await api.download(f"{zalo.base_url}/files/absent.jpg")


def test_parse_update_takes_a_wrapped_or_a_flat_body():
    update = {"event_name": "message.text.received",
              "message": {"message_id": "m1", "date": 1, "from": {"id": "u"}, "chat": {"id": "u"}, "text": "hi"}}
    assert parse_update({"ok": True, "result": update}) == update
    assert parse_update(update) == update
    assert parse_update({"ok": False, "error_code": 408, "description": "Request timeout"}) is None
    assert parse_update({"ok": True, "result": None}) is None
    assert parse_update({"ok": True, "result": {"url": "", "updated_at": 1}}) is None
    assert parse_update({"event_name": "message.text.received"}) is None
    assert parse_update({}) is None
    assert parse_update([update]) is None  # type: ignore[arg-type]


# --- sending ----------------------------------------------------------------------------------------

async def test_send_message_returns_the_message_id_the_fake_recorded(api, zalo):
    message_id = await api.send_message(USER, "Nhắc: họp chi đoàn tối nay")
    [sent] = zalo.sent
    assert (sent.method, sent.chat_id, sent.text, sent.message_id) == \
        ("sendMessage", USER, "Nhắc: họp chi đoàn tối nay", message_id)
    assert message_id


async def test_photos_chat_actions_and_webhooks(api, zalo):
    assert await api.send_photo(USER, "https://example.org/chart.png", caption="Biểu đồ")
    await api.send_chat_action(USER, "typing")
    assert [(s.method, s.text, s.photo) for s in zalo.sent] == \
        [("sendPhoto", "Biểu đồ", "https://example.org/chart.png"), ("sendChatAction", "typing", None)]
    assert (await api.set_webhook("https://bot.example.vn/zalo", "bí-mật-đủ-dài"))["url"] == "https://bot.example.vn/zalo"
    assert (await api.get_webhook_info())["url"] == "https://bot.example.vn/zalo"
    assert (await api.delete_webhook())["url"] == ""
    assert [m for m, _ in zalo.webhook_calls] == ["setWebhook", "getWebhookInfo", "deleteWebhook"]
    assert zalo.webhook_calls[0][1] == {"url": "https://bot.example.vn/zalo", "secret_token": "bí-mật-đủ-dài"}
    with pytest.raises(ValueError):
        await api.set_webhook("https://bot.example.vn/zalo", "short")


async def test_2001_characters_are_refused_and_split_text_makes_them_fit(api, zalo):
    long = "\n".join(f"Dòng {i}: chi đoàn ấp {i} đã nộp báo cáo tháng." for i in range(60))
    too_long = long[:MAX_TEXT + 1]
    with pytest.raises(Rejected):
        await api.send_message(USER, too_long)
    with pytest.raises(Rejected):
        await api.send_message(USER, "")
    assert zalo.sent == []
    parts = split_text(long)
    assert len(parts) == 2
    for part in parts:
        await api.send_message(USER, part)
    assert "\n".join(zalo.texts(USER)) == long


async def test_a_429_with_an_html_body_is_a_retry_after(api, zalo):
    zalo.fail(1, "429")
    with pytest.raises(RetryAfter) as caught:
        await api.send_message(USER, "a")
    assert 1.0 <= caught.value.seconds <= 2.0 and caught.value.seconds == DEFAULT_RETRY_AFTER
    assert await api.send_message(USER, "a")
    assert zalo.texts() == ["a"]


async def test_a_429_with_retry_after_waits_what_it_says():
    async with FakeZalo(per_second=2, retry_after=7) as zalo, ZaloBotAPI(TOKEN, zalo.base_url) as api:
        await api.send_message(USER, "1")
        await api.send_message(USER, "2")
        with pytest.raises(RetryAfter) as caught:
            await api.send_message(USER, "3")
        assert caught.value.seconds == 7 and zalo.too_many == 1
        assert zalo.texts() == ["1", "2"]


async def test_a_502_with_an_html_body_is_transient(api, zalo):
    zalo.fail(1, "502")
    with pytest.raises(Transient) as caught:
        await api.send_message(USER, "a")
    assert "502" in str(caught.value) and "<html>" not in str(caught.value)


async def test_a_timeout_is_transient_and_comes_after_the_clients_timeout(api, zalo):
    zalo.fail(1, "timeout")
    started = time.monotonic()
    with pytest.raises(Transient) as caught:
        await api.send_message(USER, "a")
    assert 0.4 < time.monotonic() - started < 1.5
    assert no_token(caught.value)
    assert zalo.sent == []
    zalo.fail(2, "timeout_delivered")       # sent, but the answer was lost: the caller may repeat it
    with pytest.raises(Transient):
        await api.send_message(USER, "b")
    assert zalo.texts() == ["b"]


async def test_a_refused_connection_is_transient():
    async with FakeZalo() as zalo:
        base = zalo.base_url
    async with ZaloBotAPI(TOKEN, base, timeout=0.5) as api:
        with pytest.raises(Transient) as caught:
            await api.send_message(USER, "a")
    assert no_token(caught.value)


async def test_a_blocked_person_or_an_unknown_chat_is_blocked(api, zalo):
    zalo.fail(1, "blocked")
    zalo.fail(2, "chat_not_found")
    with pytest.raises(Blocked):
        await api.send_message(USER, "a")
    with pytest.raises(Blocked):
        await api.send_message(USER, "a")
    zalo.blocked_users.add("other")
    with pytest.raises(Blocked):
        await api.send_chat_action("other")


async def test_a_wrong_token_raises_token_rejected_without_the_token(zalo):
    wrong = "3618093452916839011:" + "x" * 45
    async with ZaloBotAPI(wrong, zalo.base_url) as api:
        with pytest.raises(ZaloTokenRejected) as caught:
            await api.get_me()
        assert "x" * 45 not in str(caught.value) + repr(caught.value)
        assert "x" * 45 not in "".join(traceback.format_exception(caught.value))
        assert "x" * 45 not in repr(api)
        with pytest.raises(ZaloTokenRejected):
            await api.send_message(USER, "a")
        with pytest.raises(ZaloTokenRejected):
            await api.get_update(1)
    assert zalo.calls == ["getMe", "sendMessage", "getUpdates"]
    assert zalo.sent == []


async def test_no_log_record_at_debug_contains_the_token(zalo, caplog):
    for name in ("", "httpx", "httpcore", "bot.channels.zalo_api"):
        caplog.set_level(logging.DEBUG, logger=name)
    zalo.fail(2, "502")
    zalo.fail(3, "timeout")
    async with ZaloBotAPI(TOKEN, zalo.base_url, timeout=0.3) as api:
        await api.get_me()
        await api.send_message(USER, "một")
        for failing in ("hai", "ba"):
            with pytest.raises(Transient):
                await api.send_message(USER, failing)
        zalo.push_text(USER, "xin chào")
        await api.get_update(1)
        await api.get_update(0.1)
    records = caplog.records
    assert any(r.name == "httpx" and "/bot***/sendMessage" in r.getMessage() for r in records)
    assert any(r.name.startswith("httpcore") for r in records)
    for record in records:
        shown = record.getMessage() + repr(record.args) + (caplog.handler.format(record) if record.exc_info else "")
        assert TOKEN not in shown and TOKEN.split(":")[1] not in shown, record.name


async def test_a_client_passed_in_is_used_and_left_open(zalo):
    async with httpx.AsyncClient() as client:
        api = ZaloBotAPI(TOKEN, zalo.base_url, client=client)
        assert await api.send_message(USER, "a")
        await api.aclose()
        assert not client.is_closed
    assert zalo.texts() == ["a"]


def test_bad_construction_says_nothing_of_the_token():
    with pytest.raises(ValueError) as caught:
        ZaloBotAPI(TOKEN, "bot-api.zaloplatforms.com")
    assert TOKEN not in str(caught.value)
    with pytest.raises(ValueError):
        ZaloBotAPI("")


# --- split_text ---------------------------------------------------------------------------------------

def test_split_text_cuts_on_line_ends():
    assert split_text("Xin chào") == ["Xin chào"]
    assert split_text("") == [] and split_text(" \n ") == []
    assert split_text("aaaa\nbbbb\ncccc", limit=9) == ["aaaa\nbbbb", "cccc"]
    assert split_text("aaaa\n\n\nbbbb", limit=6) == ["aaaa", "bbbb"]


def test_a_line_longer_than_the_limit_is_cut_hard():
    assert split_text("x" * 25, limit=10) == ["x" * 10, "x" * 10, "x" * 5]
    assert split_text("ab\n" + "y" * 12 + "\ncd", limit=5) == ["ab", "yyyyy", "yyyyy", "yy\ncd"]
    # at the last space when that keeps at least half a part
    assert split_text("một hai ba bốn năm", limit=10) == ["một hai ", "ba bốn năm"]


def test_split_text_counts_emoji_as_two_and_keeps_combining_marks_on_their_letter():
    assert utf16_len("👍") == 2
    assert split_text("👍" * 6, limit=5) == ["👍👍", "👍👍", "👍👍"]
    decomposed = "a\u0301" * 5                  # "á" as a letter and a combining acute accent
    parts = split_text(decomposed, limit=5)
    assert "".join(parts) == decomposed and all(not p[0] == "\u0301" for p in parts)


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet=st.sampled_from("ab ờ\n\u0301👍"), max_size=300), st.integers(min_value=4, max_value=40))
def test_split_text_parts_fit_are_never_empty_and_lose_no_content(text, limit):
    parts = split_text(text, limit)
    assert all(part.strip() and utf16_len(part) <= limit for part in parts)
    assert "".join(parts).replace("\n", "").replace(" ", "") == text.replace("\n", "").replace(" ", "")
