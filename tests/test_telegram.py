"""The Telegram path through python-telegram-bot itself: real Updates into `process_update`,
a request layer that answers locally, and assertions on what the bot sent."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path
from urllib.parse import quote

import pytest
from telegram.constants import MessageLimit
from telegram.ext import Application

from bot.channels.telegram import build_application, send, split_text
from bot.settings import load
from domain.conversation import Action, Button, Reply, rows
from messages_vi import t
from messages_vi.formatting import local_today
from tests.support import make_invite
from tests.support.telegram_fake import (
    BOT_USERNAME, TOKEN, FakeBotApi, callback_update, edited_update, next_update_id, person,
    sticker_update, text_update,
)

LOCAL_API = "http://127.0.0.1:8081/bot"


def settings_for(tmp_path: Path, **env: str):
    return load(env={"TELEGRAM_BOT_TOKEN": TOKEN, "DATABASE_PATH": str(tmp_path / "unused.sqlite3"), **env},
                env_file=tmp_path / "absent.env")


async def started(settings, services, api: FakeBotApi) -> Application:
    app = build_application(settings, services=services, request=api, rate_limiter=False)
    await app.initialize()
    await app.bot_data["channel"].post_init(app)          # run_polling calls it; initialize() does not
    return app


@pytest.fixture
def api() -> FakeBotApi:
    return FakeBotApi()


@pytest.fixture
async def app(services, api, tmp_path):
    application = await started(settings_for(tmp_path), services, api)
    yield application
    await application.shutdown()


@dataclass
class Person:
    """Someone writing to the bot in their private chat, through real Updates."""

    app: Application
    api: FakeBotApi
    user: dict

    @property
    def chat_id(self) -> int:
        return self.user["id"]

    async def say(self, text: str, **kwargs):
        update = text_update(self.app.bot, self.user, text, **kwargs)
        await self.app.process_update(update)
        await self.app.bot_data["channel"].settle()
        return update

    async def press(self, data: str, message_id: int, **kwargs):
        update = callback_update(self.app.bot, self.user, data, message_id=message_id, **kwargs)
        await self.app.process_update(update)
        await self.app.bot_data["channel"].settle()
        return update

    async def tap(self, label_part: str):
        """Press the newest button whose label contains `label_part`; returns (message_id, data)."""
        message_id, data = self.api.button(self.chat_id, label_part)
        await self.press(data, message_id)
        return message_id, data

    def texts(self) -> list[str]:
        return self.api.texts(self.chat_id)


async def secretary(app, api, services, user_id: int = 7001, unit: str = "B1") -> Person:
    someone = Person(app, api, person(user_id))
    await someone.say(f"/start {await make_invite(services, unit)}")
    return someone


async def session_of(services, user_id: int):
    return (await services.storage.forms.conversation("telegram", str(user_id))).session


async def test_a_strangers_start_gets_the_stranger_sentence(app, api):
    api.forget()
    stranger = Person(app, api, person(5005))
    await stranger.say("/start")
    [call] = api.calls
    assert call.method == "sendMessage"
    assert call.params["chat_id"] == 5005 and call.params["text"] == t("stranger")
    assert "reply_markup" not in call.params


async def test_joining_greets_with_buttons_and_sets_the_chats_command_menu(app, api, services):
    assert services.bot_username == BOT_USERNAME            # post_init asked getMe
    [default_menu] = api.called("setMyCommands")
    assert "scope" not in default_menu.params
    api.forget()
    lan = await secretary(app, api, services)
    [greeting] = api.called("sendMessage")
    assert greeting.params["chat_id"] == lan.chat_id
    assert "Chi đoàn ấp Một" in greeting.params["text"]
    labels = [b["text"] for row in greeting.params["reply_markup"]["inline_keyboard"] for b in row]
    assert t("menu.meeting") in labels
    [menu] = api.called("setMyCommands")
    assert menu.params["scope"] == {"type": "chat", "chat_id": lan.chat_id}
    assert "sinhhoat" in [c["command"] for c in menu.params["commands"]]
    identity = await services.storage.people.identify("telegram", str(lan.chat_id))
    assert identity.role == "secretary" and identity.person.display_name == "Lan Nguyễn"


def assert_buttons_closed(api: FakeBotApi, person: Person, message_id: int) -> None:
    """The pressed message lost its buttons (edited), and the tap was answered."""
    edits = [c.params for c in api.called("editMessageReplyMarkup")]
    assert {"chat_id": person.chat_id, "message_id": message_id} in edits
    assert api.messages[(person.chat_id, message_id)]["reply_markup"] is None
    assert len(api.called("answerCallbackQuery")) == 1


async def test_the_meeting_form_end_to_end_with_buttons_and_a_typed_count(app, api, services, clock):
    lan = await secretary(app, api, services)
    await lan.say("/sinhhoat")
    assert t("meeting.q.held_on") in lan.texts()[-1]
    for label, next_question in (("Hôm nay", "meeting.q.kind"), ("Sinh hoạt chi đoàn", "meeting.q.attended")):
        api.forget()
        message_id, _ = await lan.tap(label)
        assert_buttons_closed(api, lan, message_id)
        assert lan.texts()[-1] == t(next_question, members=20)
    api.forget()
    await lan.say("12 nguoi")
    [closed] = api.called("editMessageReplyMarkup")            # the attendance question's buttons
    assert api.messages[(lan.chat_id, closed.params["message_id"])]["reply_markup"] is None
    assert "12" in lan.texts()[-1] and t("form.button.save") in str(api.sent(lan.chat_id)[-1]["reply_markup"])
    api.forget()
    message_id, _ = await lan.tap("Lưu")
    assert_buttons_closed(api, lan, message_id)
    assert lan.texts()[-1] == t("meeting.saved", title=t("meeting.title"), unit="Chi đoàn ấp Một")

    unit = await services.storage.units.by_code("B1")
    [meeting] = await services.storage.reports.meetings(unit.id, date(2026, 1, 1))
    assert (meeting.held_on, meeting.kind, meeting.mode, meeting.attended) == (
        local_today(clock()), "branch", "in_person", 12)
    assert await session_of(services, lan.chat_id) is None
    with_buttons = [m for m in api.sent(lan.chat_id) if m["reply_markup"]]
    assert with_buttons == [api.sent(lan.chat_id)[-1]]      # only the newest message can be tapped


async def test_an_old_button_does_not_change_a_saved_answer(app, api, services, clock):
    lan = await secretary(app, api, services)
    await lan.say("/sinhhoat")
    first_question, yesterday = api.button(lan.chat_id, "Hôm qua")
    await lan.tap("Hôm nay")
    before = await session_of(services, lan.chat_id)
    await lan.press(yesterday, first_question)                # the held_on step is behind us
    assert lan.texts()[-1].startswith(t("form.button_old"))
    assert t("meeting.q.kind") in lan.texts()[-1]
    after = await session_of(services, lan.chat_id)
    assert (after.version, after.state) == (before.version, before.state)

    await lan.tap("Sinh hoạt chi đoàn")
    await lan.say("12")
    await lan.tap("Lưu")
    unit = await services.storage.units.by_code("B1")
    [meeting] = await services.storage.reports.meetings(unit.id, date(2026, 1, 1))
    assert meeting.held_on == local_today(clock())
    with_buttons = [m for m in api.sent(lan.chat_id) if m["reply_markup"]]
    assert with_buttons == [api.sent(lan.chat_id)[-1]]      # the question repeated after the old tap too


async def test_a_double_tap_of_save_saves_one_meeting(app, api, services):
    lan = await secretary(app, api, services)
    await lan.say("/sinhhoat")
    for answer in ("hôm nay", "sinh hoạt", "12"):
        await lan.say(answer)
    message_id, save = api.button(lan.chat_id, "Lưu")
    api.forget()
    await lan.press(save, message_id)
    await lan.press(save, message_id)            # the second tap: another update, the same data
    assert len(api.called("answerCallbackQuery")) == 2
    texts = lan.texts()
    assert texts[-2] == t("meeting.saved", title=t("meeting.title"), unit="Chi đoàn ấp Một")
    assert texts[-1] == t("form.gone")
    unit = await services.storage.units.by_code("B1")
    assert len(await services.storage.reports.meetings(unit.id, date(2026, 1, 1))) == 1


async def test_the_same_update_delivered_twice_is_handled_once(app, api, services):
    lan = await secretary(app, api, services)
    await lan.say("/sinhhoat")
    first = await session_of(services, lan.chat_id)
    update_id = next_update_id()
    api.forget()
    await lan.say("hôm nay", update_id=update_id)
    await lan.say("hôm nay", update_id=update_id)
    assert len(api.called("sendMessage")) == 1
    assert (await session_of(services, lan.chat_id)).version == first.version + 1
    question = api.sent(lan.chat_id)[-1]
    assert question["reply_markup"]                        # the redelivery left its buttons alone

    message_id, data = api.button(lan.chat_id, "Sinh hoạt chi đoàn")
    update_id = next_update_id()
    api.forget()
    await lan.press(data, message_id, update_id=update_id)
    await lan.press(data, message_id, update_id=update_id)
    assert len(api.called("sendMessage")) == 1
    assert (await session_of(services, lan.chat_id)).version == first.version + 2


async def test_an_edited_message_and_a_sticker_repeat_the_question_and_change_nothing(app, api, services):
    lan = await secretary(app, api, services)
    await lan.say("/sinhhoat")
    typed = await lan.say("hôm qua")
    before = await session_of(services, lan.chat_id)
    api.forget()
    await app.process_update(edited_update(app.bot, lan.user, "hôm nay", message_id=typed.message.message_id))
    await app.process_update(sticker_update(app.bot, lan.user))
    edited_reply, sticker_reply = lan.texts()[-2:]
    assert len(api.called("sendMessage")) == 2
    assert edited_reply.startswith(t("form.other.edited")) and t("meeting.q.kind") in edited_reply
    assert sticker_reply.startswith(t("form.other")) and t("meeting.q.kind") in sticker_reply
    after = await session_of(services, lan.chat_id)
    assert (after.version, after.state) == (before.version, before.state)
    assert after.state["answers"]["held_on"] == (local_today(services.clock()) - timedelta(days=1)).isoformat()


async def test_a_message_in_a_group_is_ignored(app, api, services):
    lan = await secretary(app, api, services)
    api.forget()
    await lan.say("/sinhhoat", chat_type="group")
    await lan.say("/sinhhoat", chat_type="supergroup")
    assert api.calls == []
    assert await session_of(services, lan.chat_id) is None


async def test_a_local_bot_api_server_gets_every_call_downloads_included(services, api, tmp_path):
    settings = settings_for(tmp_path, TELEGRAM_API_BASE_URL=LOCAL_API)
    assert settings.telegram_file_base_url == "http://127.0.0.1:8081/file/bot"
    app = await started(settings, services, api)
    try:
        assert app.bot.base_url == LOCAL_API + TOKEN
        assert app.bot.base_file_url == "http://127.0.0.1:8081/file/bot" + TOKEN
        lan = await secretary(app, api, services)
        await lan.say("/sinhhoat")
        await lan.tap("Hôm nay")
        file = await app.bot.get_file("report")
        assert bytes(await file.download_as_bytearray()) == b"file content"
    finally:
        await app.shutdown()
    methods = {c.method for c in api.calls}
    assert {"getMe", "setMyCommands", "sendMessage", "editMessageReplyMarkup", "answerCallbackQuery",
            "getFile", "GET"} <= methods
    for call in api.calls:
        if call.method != "GET":
            assert call.url.startswith(app.bot.base_url + "/"), call.url
    [download] = api.called("GET")                # PTB percent-encodes the token's colon here
    assert download.url == f"http://127.0.0.1:8081/file/bot{quote(TOKEN)}/documents/report.bin"


def test_long_text_is_cut_at_line_ends_under_the_limit():
    lines = [f"{n}. Chi đoàn ấp số {n}: đã nộp báo cáo sinh hoạt tháng này" for n in range(400)]
    text = "\n".join(lines)
    parts = split_text(text)
    assert len(parts) > 1 and all(0 < len(p) <= MessageLimit.MAX_TEXT_LENGTH for p in parts)
    assert "\n".join(parts) == text
    huge = "x" * (MessageLimit.MAX_TEXT_LENGTH * 2 + 5)
    assert [len(p) for p in split_text(huge)] == [4096, 4096, 5]
    assert split_text("ngắn") == ["ngắn"]


async def test_a_long_reply_is_sent_in_parts_with_the_buttons_on_the_last(app, api):
    text = "\n".join(f"Dòng {n} " + "x" * 90 for n in range(100))
    buttons = rows(Button("Về menu", Action.command("menu")))
    last = await send(app.bot, 42, Reply(text, buttons))
    sent = api.called("sendMessage")
    assert len(sent) == 3 and last.message_id == api.sent(42)[-1]["message_id"]
    assert "".join(c.params["text"] + "\n" for c in sent).rstrip("\n") == text
    assert [("reply_markup" in c.params) for c in sent] == [False, False, True]
    assert sent[-1].params["reply_markup"]["inline_keyboard"] == [[{"text": "Về menu", "callback_data": "cmd:menu"}]]


async def test_a_reply_with_a_file_is_sent_as_a_document_or_a_photo(app, api, tmp_path):
    sheet = tmp_path / "bao-cao.xlsx"
    sheet.write_bytes(b"PK fake sheet")
    await send(app.bot, 42, Reply("Báo cáo tháng", attachment=sheet))
    chart = tmp_path / "bieu-do.png"
    chart.write_bytes(b"\x89PNG fake")
    await send(app.bot, 42, Reply("Biểu đồ", attachment=chart, attachment_kind="photo"))
    [document] = api.called("sendDocument")
    assert document.params["caption"] == "Báo cáo tháng"
    assert document.files["document"][0] == "bao-cao.xlsx" and document.files["document"][1] == b"PK fake sheet"
    [photo] = api.called("sendPhoto")
    assert photo.params["caption"] == "Biểu đồ" and photo.files["photo"][1] == b"\x89PNG fake"
