"""QA as secretaries and officers use Telegram: real Updates through python-telegram-bot against
the in-memory Bot API (tests/support/telegram_fake.py), and what the bot sent back."""

from __future__ import annotations

import logging
import time
from datetime import timedelta

from telegram import Update
from telegram.constants import MessageLimit

from bot.channels.telegram import read_update, send, split_text
from domain.conversation import Action, Button, Reply, rows
from domain.invites import hash_code
from messages_vi import t
from messages_vi.formatting import local_today
from tests.support import make_invite
from tests.support.telegram_fake import BOT_USER, FakeBotApi, next_update_id, person
from tests.support.web import Running
from tests.test_telegram import (  # noqa: F401  (api, app: fixtures)
    Person, api, app, secretary, session_of, settings_for, started,
)


async def feed(app, data: dict) -> None:
    """One update as Telegram sends it (its JSON), through the Application."""
    await app.process_update(Update.de_json(data, app.bot))
    await app.bot_data["channel"].settle()


GROUP = {"id": -1001234567890, "type": "supergroup", "title": "Nhóm Đoàn xã"}


def private_message(user: dict, **content) -> dict:
    """A new message in the person's private chat with the bot, as Telegram sends it."""
    chat = {"id": user["id"], "type": "private", "first_name": user["first_name"]}
    message = {"message_id": next_update_id(), "date": int(time.time()), "from": user, "chat": chat, **content}
    return {"update_id": next_update_id(), "message": message}


async def test_pressing_a_button_on_a_message_shown_in_a_group_sends_nothing_into_the_group(app, api, services):
    lan = await secretary(app, api, services)
    api.forget()
    message = {"message_id": 77, "date": int(time.time()), "chat": GROUP, "from": BOT_USER, "text": "…"}
    query = {"id": "q-group", "from": lan.user, "chat_instance": "ci", "data": "cmd:tonghop", "message": message}
    await feed(app, {"update_id": next_update_id(), "callback_query": query})
    assert [c for c in api.calls if c.params.get("chat_id") == GROUP["id"]] == []
    assert api.called("sendMessage") == []


async def test_pinning_a_message_in_the_chat_with_the_bot_gets_no_answer(app, api, services):
    lan = await secretary(app, api, services)
    pinned = api.sent(lan.chat_id)[-1]
    api.forget()
    await feed(app, private_message(lan.user, pinned_message={k: v for k, v in pinned.items() if v is not None}))
    await feed(app, private_message(lan.user, message_auto_delete_timer_changed={"message_auto_delete_time": 86400}))
    assert api.called("sendMessage") == []


async def test_pinning_a_message_mid_form_neither_answers_nor_moves_the_form(app, api, services):
    lan = await secretary(app, api, services)
    await lan.say("/sinhhoat")
    before = await session_of(services, lan.chat_id)
    question = api.sent(lan.chat_id)[-1]
    api.forget()
    await feed(app, private_message(lan.user, pinned_message={k: v for k, v in question.items() if v is not None}))
    assert api.called("sendMessage") == [] and api.called("editMessageReplyMarkup") == []
    after = await session_of(services, lan.chat_id)
    assert (after.version, after.state) == (before.version, before.state)


async def test_a_voice_note_a_video_note_and_a_dice_are_each_answered_once_in_vietnamese(app, api, services):
    lan = await secretary(app, api, services)
    api.forget()
    await feed(app, private_message(lan.user, voice={"file_id": "v", "file_unique_id": "v", "duration": 3}))
    await feed(app, private_message(lan.user, video_note={"file_id": "n", "file_unique_id": "n", "length": 240,
                                                          "duration": 2}))
    await feed(app, private_message(lan.user, dice={"emoji": "🎲", "value": 3}))
    assert lan.texts()[-3:] == [t("other_no_form")] * 3


class BlockedBotApi(FakeBotApi):
    """The Bot API of a person who blocked the bot: every message to them is refused (403)."""

    def _sendMessage(self, params: dict) -> tuple[int, bytes]:
        return 403, b'{"ok":false,"error_code":403,"description":"Forbidden: bot was blocked by the user"}'


async def test_a_reply_to_a_chat_that_blocked_the_bot_is_logged_as_blocked_without_a_traceback(
        services, tmp_path, caplog):
    blocked = BlockedBotApi()
    application = await started(settings_for(tmp_path), services, blocked)
    try:
        caplog.set_level(logging.INFO)
        await Person(application, blocked, person(7004)).say("/menu")
    finally:
        await application.shutdown()
    assert blocked.called("sendMessage")
    records = [r for r in caplog.records if r.name.startswith(("bot.", "telegram."))]
    assert records and all(r.levelno <= logging.WARNING and r.exc_info is None for r in records)
    assert any("blocked" in r.getMessage() for r in records)


async def test_a_stranger_pressing_a_forged_button_is_told_how_to_join(app, api):
    stranger = Person(app, api, person(5055))
    await stranger.press("cmd:tonghop", 999)
    assert stranger.texts()[-1].startswith(t("stranger").split("\n")[0])


# handlers/router.py (not this brief's to edit) touches the person only when their chat or name
# changed, so the mark the sender set on a 403 is never cleared: reminders stay off for good and the
# officers' digest keeps flagging the branch. The fix: touch also when identity.person.unreachable.
async def test_a_secretary_who_unblocked_the_bot_and_writes_again_is_reachable_again(app, api, services, clock):
    lan = await secretary(app, api, services)
    identity = await services.storage.people.identify("telegram", str(lan.chat_id))
    await services.storage.people.set_unreachable(identity.person.id, clock())     # the sender met a 403
    await lan.say("/menu")
    again = await services.storage.people.identify("telegram", str(lan.chat_id))
    assert again.person.unreachable is False


def test_a_wallpaper_set_or_a_gift_in_the_chat_pushed_by_webhook_is_read_as_nothing_to_answer():
    lan = person(7003)
    for service in ({"chat_background_set": {"type": {"type": "fill", "fill": {"type": "solid", "color": 1},
                                                      "dark_theme_dimming": 0}}},
                    {"write_access_allowed": {"from_request": True}},
                    {"gift": {"gift": {"id": "g", "star_count": 15}, "owned_gift_id": "o"}}):
        received = read_update(private_message(lan, **service), bot=None)
        assert received.kind == "message" and received.chat_id == lan["id"] and received.incoming is None
    typed = read_update(private_message(lan, text="12"), bot=None)
    assert typed.incoming.text == "12" and typed.incoming.other is None
    spot = {"latitude": 10.0, "longitude": 106.0}
    venue = {"location": spot, "venue": {"location": spot, "title": "Nhà văn hóa ấp", "address": "Ấp Một"}}
    assert read_update(private_message(lan, **venue), bot=None).incoming.other == "location"


async def test_a_question_button_pressed_after_a_restart_answers_the_form_and_closes_that_message(
        api, services, tmp_path):
    before = await started(settings_for(tmp_path), services, api)
    try:
        lan = await secretary(before, api, services)
        await lan.say("/sinhhoat")
    finally:
        await before.shutdown()
    after = await started(settings_for(tmp_path), services, api)         # a new process: nothing in memory
    try:
        lan.app = after
        api.forget()
        message_id, _ = await lan.tap("Hôm qua")
        assert lan.texts()[-1] == t("meeting.q.kind")
        assert api.messages[(lan.chat_id, message_id)]["reply_markup"] is None
        answers = (await session_of(services, lan.chat_id)).state["answers"]
        assert answers["held_on"] == (local_today(services.clock()) - timedelta(days=1)).isoformat()
    finally:
        await after.shutdown()


def test_a_long_text_after_lines_of_spaces_is_never_cut_into_a_part_telegram_refuses_as_empty():
    # Telegram answers 400 "message text is empty" to a part of spaces only: the reply stops there
    huge = "y" * (MessageLimit.MAX_TEXT_LENGTH + 100)
    for text in (" \n" + huge, " \n \n" + huge, "Ghi chú:\n" + "x" * 4090 + "\n \n" + huge, huge + "\n \n "):
        parts = split_text(text)
        assert all(part.strip() and len(part) <= MessageLimit.MAX_TEXT_LENGTH for part in parts), [
            len(p) for p in parts]
        assert "".join(parts).replace("\n", "").replace(" ", "") == text.replace("\n", "").replace(" ", "")


class PickyPhotoApi(FakeBotApi):
    """Telegram as it treats an image it cannot make a photo of (a HEIC): sendPhoto refused."""

    def _sendPhoto(self, params: dict) -> tuple[int, bytes]:
        return 400, b'{"ok":false,"error_code":400,"description":"Bad Request: IMAGE_PROCESS_FAILED"}'


async def test_evidence_photos_shown_on_telegram_include_one_telegram_cannot_show_as_a_photo(
        services, tmp_path):
    picky = PickyPhotoApi()
    application = await started(settings_for(tmp_path), services, picky)
    heic = tmp_path / "bien-ban.heic"
    heic.write_bytes(b"\x00\x00\x00\x18ftypheic fake")
    back = rows(Button("Quay lại", Action.command("lichsu")))
    try:
        for reply in (Reply("🖼 ảnh 1/2", attachment=heic, attachment_kind="photo"),
                      Reply("🖼 ảnh 2/2", back, attachment=heic, attachment_kind="photo")):
            await send(application.bot, 42, reply)
    finally:
        await application.shutdown()
    documents = picky.called("sendDocument")
    assert [d.params["caption"] for d in documents] == ["🖼 ảnh 1/2", "🖼 ảnh 2/2"]
    assert documents[0].files["document"][1] == heic.read_bytes()
    assert documents[-1].params["reply_markup"]["inline_keyboard"] == [
        [{"text": "Quay lại", "callback_data": "cmd:lichsu"}]]


async def test_a_pin_and_a_group_button_pushed_by_webhook_are_taken_and_answered_with_nothing(services, tmp_path):
    async with Running(services, tmp_path) as bot:
        lan = person(7005)
        pinned = {"message_id": 3, "date": int(time.time()), "chat": {"id": lan["id"], "type": "private"},
                  "from": BOT_USER, "text": "📊 Tổng hợp tháng 11/2026"}
        pin = private_message(lan, pinned_message=pinned)
        query = {"id": "q-web", "from": lan, "chat_instance": "ci", "data": "cmd:tonghop",
                 "message": {"message_id": 9, "date": int(time.time()), "chat": GROUP, "from": BOT_USER,
                             "text": "…"}}
        for body in (pin, {"update_id": next_update_id(), "callback_query": query}):
            assert (await bot.post(body)).status_code == 200
        await bot.settle()
        assert bot.api.called("sendMessage") == [] and bot.api.called("answerCallbackQuery") == []


async def test_deep_links_used_expired_revoked_or_mistyped_are_refused_in_vietnamese_and_join_nobody(
        app, api, services, clock):
    used = await make_invite(services, "B1")
    await secretary(app, api, services, user_id=7010)             # someone else joined with another code
    await Person(app, api, person(7011, "Hoa")).say(f"/start {used}")
    expired = await make_invite(services, "B2", days=1)
    revoked = await make_invite(services, "B5")
    await services.storage.invites.revoke(hash_code(revoked), clock())
    clock.now += timedelta(days=2)
    minh = Person(app, api, person(7012, "Minh", "Trần"))
    for code in (used, expired, revoked, used[:-1] + ("a" if used[-1] != "a" else "b")):
        await minh.say(f"/start@chidoan_test_bot {code}")
        assert minh.texts()[-1] == t("start.bad_code")
    identity = await services.storage.people.identify("telegram", str(minh.chat_id))
    assert identity is None or identity.role is None
    hoa = Person(app, api, person(7011, "Hoa"))
    await hoa.say(f"/start {used}")                               # tapping the link again once joined
    assert "Chi đoàn ấp Một" in hoa.texts()[-1] and hoa.texts()[-1] != t("start.bad_code")


# domain/conversation.py (not this brief's to edit): Incoming.command splits "/start" from its code
# at a space only, so a code on the next line (pasted from an invite, or typed after Shift+Enter) is
# read as part of the command and refused as a bad code. The fix: split at any whitespace.
async def test_start_with_the_code_on_the_next_line_joins(app, api, services):
    hoa = Person(app, api, person(7020, "Hoa"))
    await hoa.say(f"/start\n{await make_invite(services, 'B1')}")
    identity = await services.storage.people.identify("telegram", str(hoa.chat_id))
    assert identity is not None and identity.role == "secretary"
