"""A fake Zalo Bot API on 127.0.0.1, with enough HTTP/1.1 for httpx: for Zalo client and channel tests.

The shapes are bot-api.zaloplatforms.com's: `POST /bot<TOKEN>/<method>` with a JSON body, answered
`{"ok": true, "result": ...}` or `{"ok": false, "error_code": N, "description": ...}` (HTTP
status = error_code). A test pushes updates, which getUpdates hands out one per call (long-polling
up to `poll_cap` seconds, then 408 "Request timeout"); reads what was sent in `sent`; and scripts
failures by send attempt (`fail`): a 429 or 502 with a proxy's HTML page, a timeout, a blocked
person. Photos are served at URLs from `photo_url_for`. Several bots behind one base URL (as on
the platform, where the token in the path tells them apart): one FakeZalo per bot, the first
serving the others too (`serve_also`). Not modelled: polling and a webhook excluding each other,
and the monthly message quota.
"""

from __future__ import annotations

import asyncio
import json
import mimetypes
import time
import uuid
from collections import deque
from dataclasses import dataclass, field
from http import HTTPStatus
from urllib.parse import quote, unquote

TOKEN = "3618093452916839011:kQ7vN2xLp9WmR4tYbZ8cHsD1fJ6gUa3eXo5iVn0qTrKyB"   # shaped like one, not real

# what `fail` can script for the n-th send attempt
FAULTS = ("429", "502", "timeout", "timeout_delivered", "blocked", "chat_not_found")
SEND_METHODS = ("sendMessage", "sendPhoto", "sendChatAction")
MAX_TEXT = 2000
EMPTY_POLL = 408


@dataclass
class Sent:
    method: str                 # sendMessage, sendPhoto or sendChatAction
    chat_id: str
    text: str                   # the text, the photo's caption ("" if none) or the chat action
    at: float                   # time.monotonic() when accepted
    message_id: str | None      # None for a chat action
    photo: str | None = None


@dataclass
class _Answer:
    status: int
    body: bytes
    content_type: str = "application/json"
    headers: dict[str, str] = field(default_factory=dict)


class FakeZalo:
    """The fake server. `async with FakeZalo() as zalo:` then point a client at `zalo.base_url`.

    poll_cap: the longest a getUpdates waits, whatever timeout it asks for (keeps tests fast).
    per_second: refuse a send with 429 when this many were accepted in the last second.
    retry_after: if set, every 429 carries a `Retry-After: <seconds>` header.
    hold: how long a scripted timeout keeps the request unanswered (the client gives up first).
    empty_poll_status: the HTTP status of the 408 answer to an empty poll (its body is JSON).
    port: listen on this port (0: any free one), e.g. to come back where a stopped fake was.
    latency: seconds each send waits before it is answered (a slow network).
    """

    def __init__(self, token: str = TOKEN, *, poll_cap: float = 0.5, per_second: int | None = None,
                 retry_after: int | None = None, hold: float = 5.0, empty_poll_status: int = 408,
                 port: int = 0, latency: float = 0.0):
        self.token = token
        self.latency = latency
        self.poll_cap = poll_cap
        self.per_second = per_second
        self.retry_after = retry_after
        self.hold = hold
        self.empty_poll_status = empty_poll_status
        self.sent: list[Sent] = []
        self.calls: list[str] = []                      # every method asked for, in order
        self.attempts = 0                               # send attempts so far (what `fail` counts)
        self.faults: dict[int, str] = {}
        self.blocked_users: set[str] = set()
        self.too_many = 0                               # 429s answered
        self.webhook_calls: list[tuple[str, dict]] = []
        self.webhook_url = ""
        self.webhook_secret: str | None = None
        self.downloads: list[str] = []
        self.port = port
        self._updates: deque[dict] = deque()
        self._arrived = asyncio.Event()
        self._files: dict[str, bytes] = {}
        self._window: deque[float] = deque()
        self._connections: set[asyncio.Task] = set()
        self._server: asyncio.Server | None = None
        self._also: dict[str, FakeZalo] = {}            # other bots answered on this server, by token

    # --- life -------------------------------------------------------------------------------------
    async def start(self) -> FakeZalo:
        self._server = await asyncio.start_server(self._connection, "127.0.0.1", self.port)
        self.port = self._server.sockets[0].getsockname()[1]
        return self

    async def stop(self) -> None:
        self._server.close()
        for task in list(self._connections):       # held requests and idle keep-alive connections
            task.cancel()
        await asyncio.gather(*self._connections, return_exceptions=True)
        await self._server.wait_closed()

    async def __aenter__(self) -> FakeZalo:
        return await self.start()

    async def __aexit__(self, *exc) -> None:
        await self.stop()

    @property
    def base_url(self) -> str:
        """What to give ZaloBotAPI as base_url."""
        return f"http://127.0.0.1:{self.port}"

    def serve_also(self, *bots: FakeZalo) -> None:
        """Answer the calls made with these bots' tokens too, on this (started) server: several bots
        behind one ZALO_API_BASE_URL, each with its own updates, sends and webhook. They are not
        started themselves."""
        for bot in bots:
            self._also[bot.token] = bot
            bot.port = self.port

    # --- what a test does -------------------------------------------------------------------------
    def push_text(self, user_id: str, text: str, display_name: str = "Nguyễn Thị Lan", *,
                  times: int = 1) -> dict:
        """Someone writes `text`; `times=2` delivers the very same update twice. Returns the update."""
        return self.push(self._update("message.text.received", user_id, display_name, text=text), times)

    def text_update(self, user_id: str, text: str, display_name: str = "Nguyễn Thị Lan") -> dict:
        """The update of someone writing `text`, not queued (what a webhook would be posted)."""
        return self._update("message.text.received", user_id, display_name, text=text)

    def push_image(self, user_id: str, photo_url: str, caption: str | None = None,
                   display_name: str = "Nguyễn Thị Lan", *, times: int = 1) -> dict:
        content = {"photo_url": photo_url} | ({"caption": caption} if caption is not None else {})
        return self.push(self._update("message.image.received", user_id, display_name, **content), times)

    def push_sticker(self, user_id: str, display_name: str = "Nguyễn Thị Lan", *, times: int = 1) -> dict:
        return self.push(self._update("message.sticker.received", user_id, display_name), times)

    def push_unsupported(self, user_id: str, display_name: str = "Nguyễn Thị Lan", *, times: int = 1) -> dict:
        return self.push(self._update("message.unsupported.received", user_id, display_name), times)

    def push(self, update: dict, times: int = 1) -> dict:
        """Queue any update (`times` copies of it, one after the other)."""
        for _ in range(times):
            self._updates.append(update)
        self._arrived.set()
        return update

    @property
    def pending(self) -> int:
        """Updates queued and not yet handed out."""
        return len(self._updates)

    def fail(self, attempt: int, fault: str) -> None:
        """Script the `attempt`-th send (1-based, over sendMessage, sendPhoto and sendChatAction):
        "429" and "502" answer a proxy's HTML page, "timeout" holds the request unanswered and
        sends nothing, "timeout_delivered" sends it and then holds the answer, "blocked" answers
        403, "chat_not_found" answers 400."""
        if fault not in FAULTS:
            raise ValueError(f"unknown fault {fault!r}; one of {FAULTS}")
        self.faults[attempt] = fault

    def texts(self, chat_id: str | None = None) -> list[str]:
        """The texts accepted by sendMessage, to one chat or to all."""
        return [s.text for s in self.sent if s.method == "sendMessage" and chat_id in (None, s.chat_id)]

    def photo_url_for(self, name: str, content: bytes) -> str:
        """Serve `content` and return its URL, as a photo_url of an incoming image."""
        self._files[name] = content
        return f"{self.base_url}/files/{quote(name)}"

    # --- HTTP -------------------------------------------------------------------------------------
    async def _connection(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        task = asyncio.current_task()
        self._connections.add(task)
        try:
            while True:                                 # httpx keeps the connection open between calls
                head = (await reader.readuntil(b"\r\n\r\n")).decode("latin-1").split("\r\n")
                verb, target, _ = head[0].split(" ", 2)
                headers = {k.strip().lower(): v.strip() for k, _, v in (line.partition(":") for line in head[1:])}
                body = await reader.readexactly(int(headers.get("content-length") or 0))
                answer = await self._route(verb, target.split("?", 1)[0], body, reader)
                if answer is None:
                    await self._hold(reader)
                    return
                extra = "".join(f"{k}: {v}\r\n" for k, v in answer.headers.items())
                writer.write(f"HTTP/1.1 {answer.status} {HTTPStatus(answer.status).phrase}\r\n"
                             f"Content-Type: {answer.content_type}\r\nContent-Length: {len(answer.body)}\r\n"
                             f"{extra}\r\n".encode() + answer.body)
                await writer.drain()
        except (asyncio.IncompleteReadError, ConnectionError):
            pass                                        # the client hung up
        except asyncio.CancelledError:
            # `stop` ended the connection: ended quietly, or asyncio's stream callback would report
            # the cancellation as an unhandled exception of the connection
            pass
        finally:
            self._connections.discard(task)
            writer.close()

    async def _hold(self, reader: asyncio.StreamReader) -> None:
        """Answer nothing until the client gives up (it closes the connection) or `hold` passes."""
        try:
            await asyncio.wait_for(reader.read(1), self.hold)
        except TimeoutError:
            pass

    async def _route(self, verb: str, path: str, body: bytes, reader: asyncio.StreamReader) -> _Answer | None:
        if verb == "GET" and path.startswith("/files/"):
            return self._file(unquote(path.removeprefix("/files/")))
        token, _, method = path.removeprefix("/bot").partition("/")
        if not path.startswith("/bot") or not method or "/" in method:
            return _error(404, "Not Found")
        if unquote(token) in self._also:
            return await self._also[unquote(token)]._route(verb, path, body, reader)
        self.calls.append(method)
        if unquote(token) != self.token:
            return _error(401, "Unauthorized")
        try:
            params = json.loads(body) if body else {}
        except ValueError:
            return _error(400, "Bad Request: the body is not JSON")
        if not isinstance(params, dict):
            return _error(400, "Bad Request: the body is not a JSON object")
        if method == "getMe":
            return _ok({"id": "1789423516720395874", "account_name": "bot.chidoan", "account_type": "BASIC",
                        "can_join_groups": False, "display_name": "Trợ lý Chi đoàn"})
        if method == "getUpdates":
            return await self._poll(params, reader)
        if method in SEND_METHODS:
            if self.latency:
                await asyncio.sleep(self.latency)
            return self._send(method, params)
        if method in ("setWebhook", "deleteWebhook", "getWebhookInfo"):
            return self._webhook(method, params)
        return _error(404, "Not Found")

    def _file(self, name: str) -> _Answer:
        if name not in self._files:
            return _Answer(404, b"Not Found", "text/plain")
        self.downloads.append(name)
        return _Answer(200, self._files[name], mimetypes.guess_type(name)[0] or "application/octet-stream")

    async def _poll(self, params: dict, reader: asyncio.StreamReader) -> _Answer | None:
        """One update, waiting up to the asked timeout (capped) for one to arrive. A client that
        hangs up while waiting (a poller being stopped) is handed nothing: the update stays queued
        for the next poll, as it would on a server that notices the closed connection."""
        try:
            asked = float(params.get("timeout", 30))    # the docs say a string, their example a number
        except (TypeError, ValueError):
            return _error(400, "Bad Request: timeout")
        if not self._updates:
            self._arrived.clear()
            arrived = asyncio.ensure_future(self._arrived.wait())
            gone = asyncio.ensure_future(reader.read(1))    # b"" once the client closed the connection
            try:
                await asyncio.wait({arrived, gone}, timeout=max(0.0, min(asked, self.poll_cap)),
                                   return_when=asyncio.FIRST_COMPLETED)
            finally:
                arrived.cancel()
                gone.cancel()
                # the read's cancellation taken before the next request is read on this connection
                await asyncio.gather(arrived, gone, return_exceptions=True)
            if gone.done() and not gone.cancelled():
                return None                             # hung up (nothing else comes on a waiting poll)
        if self._updates:
            return _ok(self._updates.popleft())
        return _error(EMPTY_POLL, "Request timeout", status=self.empty_poll_status)

    def _send(self, method: str, params: dict) -> _Answer | None:
        self.attempts += 1
        fault = self.faults.pop(self.attempts, None)
        chat_id = str(params.get("chat_id") or "")
        if fault == "timeout":
            return None
        if fault == "429":
            return self._too_many(html=True)
        if fault == "502":
            return _html(502)
        if fault == "blocked" or chat_id in self.blocked_users:
            return _error(403, "Forbidden: the user has blocked the bot")
        if fault == "chat_not_found":
            return _error(400, "Bad Request: chat not found")
        now = time.monotonic()
        if self.per_second is not None:
            while self._window and now - self._window[0] >= 1.0:
                self._window.popleft()
            if len(self._window) >= self.per_second:
                return self._too_many(html=False)
        refusal = _check(method, chat_id, params)
        if refusal:
            return _error(400, f"Bad Request: {refusal}")
        self._window.append(now)
        message_id = None if method == "sendChatAction" else uuid.uuid4().hex
        text = {"sendMessage": params.get("text"), "sendPhoto": params.get("caption") or "",
                "sendChatAction": params.get("action")}[method]
        self.sent.append(Sent(method, chat_id, text, now, message_id, params.get("photo")))
        if fault == "timeout_delivered":
            return None
        if message_id is None:
            return _answer(200, {"ok": True})
        return _ok({"message_id": message_id, "date": _ms()})

    def _too_many(self, html: bool) -> _Answer:
        self.too_many += 1
        answer = _html(429) if html else _error(429, "Too Many Requests")
        if self.retry_after is not None:
            answer.headers["Retry-After"] = str(self.retry_after)
        return answer

    def _webhook(self, method: str, params: dict) -> _Answer:
        self.webhook_calls.append((method, params))
        if method == "setWebhook":
            url, secret = params.get("url"), params.get("secret_token")
            if not isinstance(url, str) or not url.startswith(("https://", "http://")):
                return _error(400, "Bad Request: url")
            if not isinstance(secret, str) or not 8 <= len(secret) <= 256:
                return _error(400, "Bad Request: secret_token must be 8-256 characters")
            self.webhook_url, self.webhook_secret = url, secret
        elif method == "deleteWebhook":
            self.webhook_url, self.webhook_secret = "", None
        return _ok({"url": self.webhook_url, "updated_at": _ms()})

    def _update(self, event: str, user_id: str, display_name: str, **content) -> dict:
        message = {"message_id": uuid.uuid4().hex, "date": _ms(),
                   "from": {"id": user_id, "display_name": display_name, "is_bot": False},
                   "chat": {"id": user_id, "chat_type": "PRIVATE"}, **content}
        return {"event_name": event, "message": message}



def _check(method: str, chat_id: str, params: dict) -> str | None:
    """Why the platform would refuse this send, or None."""
    if not chat_id:
        return "chat_id is required"
    if method == "sendMessage":
        return _length("text", params.get("text"), required=True)
    if method == "sendPhoto":
        if not isinstance(params.get("photo"), str) or not params["photo"]:
            return "photo is required"
        return _length("caption", params.get("caption"), required=False)
    if params.get("action") != "typing":
        return "action must be typing"
    return None


def _length(name: str, value, required: bool) -> str | None:
    if value is None and not required:
        return None
    if not isinstance(value, str) or not value:
        return f"{name} is required"
    # counted in UTF-16 code units, as Zalo's text_styles offsets are: an emoji counts 2
    if len(value.encode("utf-16-le")) // 2 > MAX_TEXT:
        return f"{name} must be 1-{MAX_TEXT} characters"
    return None


def _ms() -> int:
    return int(time.time() * 1000)


def _answer(status: int, payload: dict) -> _Answer:
    return _Answer(status, json.dumps(payload, ensure_ascii=False).encode())


def _ok(result) -> _Answer:
    return _answer(200, {"ok": True, "result": result})


def _error(code: int, description: str, status: int | None = None) -> _Answer:
    return _answer(status or code, {"ok": False, "error_code": code, "description": description})


def _html(status: int) -> _Answer:
    title = f"{status} {HTTPStatus(status).phrase}"
    page = f"<html>\r\n<head><title>{title}</title></head>\r\n<body>\r\n<center><h1>{title}</h1></center>\r\n" \
           f"<hr><center>nginx</center>\r\n</body>\r\n</html>\r\n"
    return _Answer(status, page.encode(), "text/html")
