"""A Bot API that answers in memory, and builders of real `Update` objects to feed the bot.

`FakeBotApi` is a python-telegram-bot request layer (a `BaseRequest`): the Application calls it
instead of HTTP, it records every call (method, parameters, URL, uploaded files) and answers the
way the Bot API does, so tests can assert exactly what the bot sent. `LoopbackServer` serves the
same answers over HTTP on 127.0.0.1 for tests that need the real HTTP client in the path.
"""

from __future__ import annotations

import asyncio
import itertools
import json
from dataclasses import dataclass, field
from datetime import datetime, timezone
from http import HTTPStatus
from typing import Any
from urllib.parse import parse_qsl

from telegram import Update
from telegram.request import BaseRequest, RequestData

TOKEN = "123456789:AAEtestTOKENtestTOKENtestTOKENtest12"
BOT_ID = 123456789
BOT_USERNAME = "chidoan_test_bot"
BOT_USER = {"id": BOT_ID, "is_bot": True, "first_name": "Chi doan", "username": BOT_USERNAME,
            "can_join_groups": False, "can_read_all_group_messages": False, "supports_inline_queries": False}


@dataclass
class Call:
    """One request the bot made."""

    method: str                   # sendMessage, editMessageReplyMarkup, ... or GET for a download
    params: dict[str, Any]
    url: str
    files: dict[str, Any] = field(default_factory=dict)


class FakeBotApi(BaseRequest):
    """Records every call and answers like the Bot API; messages get increasing ids."""

    def __init__(self) -> None:
        self.calls: list[Call] = []
        self.messages: dict[tuple[int, int], dict] = {}     # (chat_id, message_id) -> message
        self.downloads: dict[str, bytes] = {}               # file_path -> content
        self._message_ids = itertools.count(1000)
        self.token_revoked = False          # getMe answers 401, as for a revoked token
        self.updates: list[dict] = []       # what getUpdates hands out (long polling), oldest first

    @property
    def read_timeout(self) -> float:
        return 1.0

    async def initialize(self) -> None:
        pass

    async def shutdown(self) -> None:
        pass

    async def do_request(self, url: str, method: str, request_data: RequestData | None = None,
                         read_timeout=BaseRequest.DEFAULT_NONE, write_timeout=BaseRequest.DEFAULT_NONE,
                         connect_timeout=BaseRequest.DEFAULT_NONE,
                         pool_timeout=BaseRequest.DEFAULT_NONE) -> tuple[int, bytes]:
        params = request_data.parameters if request_data else {}
        files = request_data.multipart_data if request_data and request_data.contains_files else {}
        return self.answer(method, url, params, files)

    def answer(self, http_method: str, url: str, params: dict, files: dict | None = None) -> tuple[int, bytes]:
        """Record one call and give (HTTP status, body) as the Bot API would."""
        if http_method == "GET":
            self.calls.append(Call("GET", {}, url))
            path = next((p for p in self.downloads if url.endswith("/" + p)), None)
            return (200, self.downloads[path]) if path else _error(404, "Not Found")
        name = url.rsplit("/", 1)[-1]
        self.calls.append(Call(name, params, url, files or {}))
        answer = getattr(self, f"_{name}", None)
        if answer is None:
            return _error(404, "Not Found: method not found")
        return answer(params)

    # --- what the tests read ------------------------------------------------------------------
    def called(self, method: str) -> list[Call]:
        return [c for c in self.calls if c.method == method]

    def sent(self, chat_id: int | None = None) -> list[dict]:
        """The messages sent (text, document or photo), in order, optionally to one chat."""
        return [m for m in self.messages.values() if chat_id is None or m["chat"]["id"] == chat_id]

    def texts(self, chat_id: int | None = None) -> list[str]:
        return [m.get("text") or m.get("caption") or "" for m in self.sent(chat_id)]

    def button(self, chat_id: int, label_part: str) -> tuple[int, str]:
        """(message_id, callback data) of the newest button whose label contains `label_part`."""
        for message in reversed(self.sent(chat_id)):
            for row in (message.get("reply_markup") or {}).get("inline_keyboard", []):
                for button in row:
                    if label_part in button["text"]:
                        return message["message_id"], button["callback_data"]
        raise AssertionError(f"no button {label_part!r} in chat {chat_id}")

    def forget(self) -> None:
        """Start counting calls afresh (the messages stay, for their buttons)."""
        self.calls.clear()

    # --- the Bot API methods --------------------------------------------------------------------
    def _getUpdates(self, params: dict) -> tuple[int, bytes]:
        # Telegram's semantics: `offset` confirms every update below it. Answered at once (no
        # long wait), which is enough for tests that stop polling as soon as they are done.
        offset = int(params.get("offset") or 0)
        self.updates = [u for u in self.updates if u["update_id"] >= offset]
        return _ok(self.updates[: int(params.get("limit") or 100)])

    def _deleteWebhook(self, params: dict) -> tuple[int, bytes]:
        return _ok(True)

    def _getMe(self, params: dict) -> tuple[int, bytes]:
        return _error(401, "Unauthorized") if self.token_revoked else _ok(BOT_USER)

    def _setMyCommands(self, params: dict) -> tuple[int, bytes]:
        return _ok(True)

    def _answerCallbackQuery(self, params: dict) -> tuple[int, bytes]:
        return _ok(True)

    def _sendMessage(self, params: dict) -> tuple[int, bytes]:
        return _ok(self._new_message(params, text=params["text"]))

    def _sendDocument(self, params: dict) -> tuple[int, bytes]:
        document = {"file_id": "doc-file", "file_unique_id": "doc-unique", "file_name": "file"}
        return _ok(self._new_message(params, caption=params.get("caption"), document=document))

    def _sendPhoto(self, params: dict) -> tuple[int, bytes]:
        photo = [{"file_id": "photo-file", "file_unique_id": "photo-unique", "width": 90, "height": 90}]
        return _ok(self._new_message(params, caption=params.get("caption"), photo=photo))

    def _editMessageReplyMarkup(self, params: dict) -> tuple[int, bytes]:
        message = self.messages.get((int(params["chat_id"]), int(params["message_id"])))
        if message is None:
            return _error(400, "Bad Request: message to edit not found")
        markup = params.get("reply_markup")
        if markup == message.get("reply_markup"):
            return _error(400, "Bad Request: message is not modified")
        message["reply_markup"] = markup
        return _ok({k: v for k, v in message.items() if v is not None})

    def _getFile(self, params: dict) -> tuple[int, bytes]:
        path = f"documents/{params['file_id']}.bin"
        self.downloads.setdefault(path, b"file content")
        return _ok({"file_id": params["file_id"], "file_unique_id": "u" + params["file_id"],
                    "file_size": len(self.downloads[path]), "file_path": path})

    def _new_message(self, params: dict, **content) -> dict:
        chat_id = int(params["chat_id"])
        message = {"message_id": next(self._message_ids), "date": _now(), "from": BOT_USER,
                   "chat": {"id": chat_id, "type": "private"}, **content,
                   "reply_markup": params.get("reply_markup")}
        self.messages[(chat_id, message["message_id"])] = message
        return {k: v for k, v in message.items() if v is not None}


class LoopbackServer:
    """The same fake Bot API served over HTTP on 127.0.0.1, for tests that go through httpx too."""

    def __init__(self, api: FakeBotApi, latency: float = 0.0) -> None:
        self.api = api
        self.latency = latency                  # seconds each call waits before its answer (a slow network)
        self.port = 0
        self._server: asyncio.Server | None = None

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}/bot"

    @property
    def file_base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}/file/bot"

    async def __aenter__(self) -> "LoopbackServer":
        self._server = await asyncio.start_server(self._serve, "127.0.0.1", 0)
        self.port = self._server.sockets[0].getsockname()[1]
        return self

    async def __aexit__(self, *exc) -> None:
        self._server.close()
        await self._server.wait_closed()

    async def _serve(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            while True:                         # httpx keeps the connection open between calls
                head = (await reader.readuntil(b"\r\n\r\n")).decode("latin-1").split("\r\n")
                method, target, _ = head[0].split(" ", 2)
                headers = {k.strip().lower(): v.strip() for k, _, v in (line.partition(":") for line in head[1:])}
                body = await reader.readexactly(int(headers.get("content-length") or 0))
                if self.latency:
                    await asyncio.sleep(self.latency)
                code, payload = self.api.answer(method, f"http://127.0.0.1:{self.port}{target}", _form(body))
                writer.write(f"HTTP/1.1 {code} {HTTPStatus(code).phrase}\r\nContent-Type: application/json\r\n"
                             f"Content-Length: {len(payload)}\r\n\r\n".encode() + payload)
                await writer.drain()
        except (asyncio.IncompleteReadError, ConnectionError):
            pass                                # the client hung up
        finally:
            writer.close()


def _form(body: bytes) -> dict[str, Any]:
    """PTB posts form fields, JSON-encoding every value that is not a string."""
    params = {}
    for name, value in parse_qsl(body.decode()):
        try:
            params[name] = json.loads(value)
        except ValueError:
            params[name] = value
    return params


def _ok(result: Any) -> tuple[int, bytes]:
    return 200, json.dumps({"ok": True, "result": result}).encode()


def _error(code: int, description: str) -> tuple[int, bytes]:
    return code, json.dumps({"ok": False, "error_code": code, "description": description}).encode()


def _now() -> int:
    return int(datetime.now(timezone.utc).timestamp())


# --- real updates, as Telegram would deliver them ---------------------------------------------

_update_ids = itertools.count(1)


def next_update_id() -> int:
    return next(_update_ids)


def person(user_id: int, first_name: str = "Lan", last_name: str = "Nguyễn") -> dict:
    return {"id": user_id, "is_bot": False, "first_name": first_name, "last_name": last_name,
            "language_code": "vi"}


def _chat(user: dict, chat_type: str) -> dict:
    if chat_type == "private":
        return {"id": user["id"], "type": "private", "first_name": user["first_name"]}
    return {"id": -1001234567890, "type": chat_type, "title": "Nhóm Đoàn"}


def _message(user: dict, chat_type: str, message_id: int | None, **content) -> dict:
    return {"message_id": message_id or 1, "date": _now(), "from": user, "chat": _chat(user, chat_type),
            **content}


def text_update(bot, user: dict, text: str, *, update_id: int | None = None, chat_type: str = "private",
                message_id: int | None = None) -> Update:
    """A typed message; a leading /command gets its bot_command entity, as Telegram sends it."""
    content: dict[str, Any] = {"text": text}
    if text.startswith("/"):
        content["entities"] = [{"type": "bot_command", "offset": 0, "length": len(text.split(" ", 1)[0])}]
    data = {"update_id": update_id or next_update_id(), "message": _message(user, chat_type, message_id, **content)}
    return Update.de_json(data, bot)


def edited_update(bot, user: dict, text: str, *, message_id: int, update_id: int | None = None) -> Update:
    """An earlier message of the person's, edited."""
    message = _message(user, "private", message_id, text=text, edit_date=_now())
    return Update.de_json({"update_id": update_id or next_update_id(), "edited_message": message}, bot)


def sticker_update(bot, user: dict, *, update_id: int | None = None) -> Update:
    sticker = {"file_id": "sticker-file", "file_unique_id": "sticker-unique", "type": "regular",
               "width": 512, "height": 512, "is_animated": False, "is_video": False, "emoji": "👍"}
    message = _message(user, "private", None, sticker=sticker)
    return Update.de_json({"update_id": update_id or next_update_id(), "message": message}, bot)


def callback_update(bot, user: dict, data: str, *, message_id: int, update_id: int | None = None,
                    query_id: str | None = None) -> Update:
    """A tap on an inline button of the bot's message `message_id`."""
    update_id = update_id or next_update_id()
    message = {"message_id": message_id, "date": _now(), "from": BOT_USER, "chat": _chat(user, "private"),
               "text": "…"}
    query = {"id": query_id or f"q{update_id}", "from": user, "chat_instance": "ci", "data": data,
             "message": message}
    return Update.de_json({"update_id": update_id, "callback_query": query}, bot)
