"""A Bot API fake on 127.0.0.1: enough HTTP/1.1 for python-telegram-bot's HTTPXRequest.

It answers getMe and sendMessage, records every accepted message (chat, text, time), can enforce
Telegram's limits (30 messages in any second overall, 1 a second per chat) with 429 and
retry_after, and lets a test script failures per message: `fail` maps the n-th attempt at a
text to a status (429, 500, 502, 403, "timeout").
"""

from __future__ import annotations

import asyncio
import json
import time
from collections import defaultdict, deque
from dataclasses import dataclass, field
from urllib.parse import parse_qs

TOKEN = "123456:" + "A" * 35


@dataclass
class Accepted:
    chat_id: str
    text: str
    at: float
    message_id: int


@dataclass
class FakeBotAPI:
    overall_per_second: int | None = None      # enforce this many messages in any 1 s window
    per_chat_gap: float | None = None          # enforce this spacing per chat
    retry_after: int = 1
    fail: dict[tuple[str, int], object] = field(default_factory=dict)   # (text, attempt) -> 429/500/403/"timeout"
    blocked_chats: set[str] = field(default_factory=set)
    accepted: list[Accepted] = field(default_factory=list)
    attempts: dict[str, int] = field(default_factory=lambda: defaultdict(int))
    tried_at: dict[str, list[float]] = field(default_factory=lambda: defaultdict(list))
    too_many: int = 0
    _window: deque = field(default_factory=deque)
    _last_by_chat: dict[str, float] = field(default_factory=dict)

    async def start(self) -> str:
        self._server = await asyncio.start_server(self._connection, "127.0.0.1", 0)
        port = self._server.sockets[0].getsockname()[1]
        return f"http://127.0.0.1:{port}/bot"

    async def stop(self) -> None:
        self._server.close()
        await self._server.wait_closed()

    def texts(self, chat_id: str) -> list[str]:
        return [a.text for a in self.accepted if a.chat_id == chat_id]

    # --- HTTP ----------------------------------------------------------------------------------
    async def _connection(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            while True:
                head = await reader.readuntil(b"\r\n\r\n")
                lines = head.decode("latin-1").split("\r\n")
                method_path = lines[0].split(" ")[1]
                headers = {k.lower(): v.strip() for k, _, v in (line.partition(":") for line in lines[1:] if line)}
                body = await reader.readexactly(int(headers.get("content-length", "0")))
                answer = await self._answer(method_path.rsplit("/", 1)[-1], body, headers.get("content-type", ""))
                if answer is None:                      # a timeout: never answer this request
                    await asyncio.sleep(3600)
                    return
                status, payload = answer
                data = json.dumps(payload).encode()
                writer.write(f"HTTP/1.1 {status} X\r\nContent-Type: application/json\r\n"
                             f"Content-Length: {len(data)}\r\nConnection: keep-alive\r\n\r\n".encode() + data)
                await writer.drain()
        except (asyncio.IncompleteReadError, ConnectionResetError, asyncio.CancelledError):
            pass
        finally:
            writer.close()

    async def _answer(self, method: str, body: bytes, content_type: str):
        params = {k: v[0] for k, v in parse_qs(body.decode()).items()} if "urlencoded" in content_type else \
            (json.loads(body) if body else {})
        if method == "getMe":
            return 200, {"ok": True, "result": {"id": 123456, "is_bot": True, "first_name": "Fake",
                                                "username": "fake_bot"}}
        if method != "sendMessage":
            return 200, {"ok": True, "result": True}
        return self._send(str(params.get("chat_id")), params.get("text", ""))

    def _send(self, chat_id: str, text: str):
        self.attempts[text] += 1
        self.tried_at[text].append(time.monotonic())
        scripted = self.fail.get((text, self.attempts[text]))
        if scripted == "timeout":
            return None
        if scripted == 429:
            return self._too_many()
        if scripted in (500, 502, 503):
            return scripted, {"ok": False, "error_code": scripted, "description": "Internal Server Error"}
        if scripted == 403 or chat_id in self.blocked_chats:
            return 403, {"ok": False, "error_code": 403, "description": "Forbidden: bot was blocked by the user"}
        now = time.monotonic()
        if self.overall_per_second is not None:
            while self._window and now - self._window[0] >= 1.0:
                self._window.popleft()
            if len(self._window) >= self.overall_per_second:
                return self._too_many()
        if self.per_chat_gap is not None and now - self._last_by_chat.get(chat_id, -1e9) < self.per_chat_gap:
            return self._too_many()
        self._window.append(now)
        self._last_by_chat[chat_id] = now
        message_id = len(self.accepted) + 1
        self.accepted.append(Accepted(chat_id, text, now, message_id))
        return 200, {"ok": True, "result": {
            "message_id": message_id, "date": int(time.time()), "text": text,
            "chat": {"id": int(chat_id), "type": "private"},
        }}

    def _too_many(self):
        self.too_many += 1
        return 429, {"ok": False, "error_code": 429, "description": "Too Many Requests",
                     "parameters": {"retry_after": self.retry_after}}
