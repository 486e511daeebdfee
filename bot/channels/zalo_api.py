"""Zalo Bot Platform's HTTP API as a small async client, and the helpers a Zalo channel needs.

The bot token sits in every URL path (`/bot<TOKEN>/<method>`), so no URL may reach a log line or
an exception: the client made here asks httpx for `/bot***/<method>` and a transport puts the
token in below httpx's own request log. Failures become the sender's exceptions (Blocked,
RetryAfter, Transient, Rejected); a refused token is ZaloTokenRejected.
"""

from __future__ import annotations

import hashlib
import logging
import re
import unicodedata
import urllib.request
from typing import Any
from urllib.parse import quote, urlsplit

import httpx

from bot.channels.base import CannotStart
from domain.sender import Blocked, Rejected, RetryAfter, Transient

log = logging.getLogger(__name__)

BASE_URL = "https://bot-api.zaloplatforms.com"
MAX_TEXT = 2000                 # sendMessage's text and sendPhoto's caption
EMPTY_POLL = 408                # getUpdates' "Request timeout": nothing came in
DEFAULT_RETRY_AFTER = 2.0       # a 429 without a hint, often an HTML page from a proxy
MAX_RETRY_AFTER = 300.0
MASK = "***"                    # stands for the token wherever a URL can be seen

# A 400 or 404 whose description says the person cannot be reached is a Blocked, not a Rejected.
_UNREACHABLE = re.compile(
    r"block|chặn|(chat|user|người dùng|recipient).*(not found|not exist|không tồn tại|không tìm thấy)",
    re.IGNORECASE)


class ZaloTokenRejected(CannotStart):
    """Zalo answered 401: the bot token is wrong or was revoked; nothing works until it is replaced.

    A CannotStart: the channel raises it again with one Vietnamese line (messages_vi
    "zalo.token_rejected"), which `python -m bot` prints and stops on."""


class ZaloBotAPI:
    """One bot's calls to the Zalo Bot API. Use `async with`, or call `aclose()` at the end.

    Without `client`, the client made here keeps the token out of httpx's URLs (and so out of
    its logs) and takes a proxy from HTTPS_PROXY/ALL_PROXY/NO_PROXY as httpx would. A `client`
    passed in is used as it is: its requests carry the token in the URL, so keep the `httpx`
    logger at WARNING; it is not closed by `aclose()`.
    """

    def __init__(self, token: str, base_url: str = BASE_URL, *, client: httpx.AsyncClient | None = None,
                 timeout: float = 10.0):
        if not token or token != token.strip():
            raise ValueError("the Zalo bot token is empty or has spaces around it")
        base_url = base_url.rstrip("/")
        if urlsplit(base_url).scheme not in ("http", "https"):
            raise ValueError("the Zalo API base URL must start with https:// or http://")
        self.base_url = base_url
        self.timeout = timeout
        self._token = token
        self._own_client = client is None
        if client is None:
            inner = httpx.AsyncHTTPTransport(proxy=_environment_proxy(base_url))
            client = httpx.AsyncClient(transport=_TokenTransport(inner, token, base_url),
                                       timeout=timeout, trust_env=False)
        self._client = client
        self._path_token = MASK if self._own_client else quote(token, safe=":")

    def __repr__(self) -> str:
        return f"ZaloBotAPI(base_url={self.base_url!r})"

    @property
    def fingerprint(self) -> str:
        """The token as something may keep it (a quota count's bot): 16 hex digits of its SHA-256,
        which tell tokens apart and cannot be turned back into one."""
        return hashlib.sha256(self._token.encode()).hexdigest()[:16]

    async def __aenter__(self) -> ZaloBotAPI:
        return self

    async def __aexit__(self, *exc) -> None:
        await self.aclose()

    async def aclose(self) -> None:
        if self._own_client:
            await self._client.aclose()

    # --- methods ---------------------------------------------------------------------------------
    async def get_me(self) -> dict:
        """The bot's own account: id, account_name, account_type, can_join_groups, display_name."""
        return await self._call("getMe")

    async def get_update(self, timeout_s: float = 30) -> dict | None:
        """Wait up to `timeout_s` for one update; None when none came (Zalo's 408).

        There is no offset: the same update can come again, and the caller de-duplicates on
        message_id.
        """
        # the HTTP read must outlast the long poll, or every quiet poll would end as a timeout
        timeout = httpx.Timeout(self.timeout, read=timeout_s + self.timeout)
        result = await self._call("getUpdates", {"timeout": timeout_s}, timeout=timeout, empty_poll=True)
        if result is None:
            return None
        update = _as_update(result)
        if update is None:
            log.warning("Zalo getUpdates answered something that is not an update; skipped")
        return update

    async def send_message(self, chat_id: str, text: str) -> str:
        """Send a text (1–2000 characters: see split_text); returns the new message's id."""
        result = await self._call("sendMessage", {"chat_id": chat_id, "text": text})
        return _message_id("sendMessage", result)

    async def send_photo(self, chat_id: str, photo_url: str, caption: str | None = None) -> str:
        """Send the photo Zalo fetches from `photo_url`; returns the new message's id."""
        body = {"chat_id": chat_id, "photo": photo_url}
        if caption:
            body["caption"] = caption
        return _message_id("sendPhoto", await self._call("sendPhoto", body))

    async def send_chat_action(self, chat_id: str, action: str = "typing") -> None:
        await self._call("sendChatAction", {"chat_id": chat_id, "action": action})

    async def set_webhook(self, url: str, secret_token: str) -> dict:
        """Have Zalo post updates to `url` with `secret_token` in X-Bot-Api-Secret-Token.

        Polling and a webhook exclude each other: delete the webhook before polling again.
        """
        if not 8 <= len(secret_token) <= 256:
            raise ValueError("Zalo's webhook secret_token must be 8 to 256 characters long")
        return await self._call("setWebhook", {"url": url, "secret_token": secret_token})

    async def delete_webhook(self) -> dict:
        return await self._call("deleteWebhook")

    async def get_webhook_info(self) -> dict:
        """{url, updated_at}; an empty url means no webhook is set."""
        return await self._call("getWebhookInfo")

    async def download(self, url: str, *, max_bytes: int = 20 * 1024 * 1024) -> bytes:
        """The bytes at `url` (a photo_url of an incoming image), at most `max_bytes`."""
        try:
            async with self._client.stream("GET", url, timeout=httpx.Timeout(self.timeout)) as response:
                if response.status_code == 429:
                    raise RetryAfter(_retry_after(response, None))
                if response.status_code >= 500:
                    raise Transient(f"download: HTTP {response.status_code}")
                if response.status_code >= 400:
                    raise Rejected(f"download: HTTP {response.status_code}")
                data = bytearray()
                async for chunk in response.aiter_bytes():
                    data += chunk
                    if len(data) > max_bytes:
                        raise Rejected(f"download: larger than {max_bytes} bytes")
                return bytes(data)
        except httpx.HTTPError as error:
            raise Transient(f"download: {type(error).__name__}: {self._redact(str(error))}") from None
        except httpx.InvalidURL:
            raise Rejected("download: not a valid URL") from None

    # --- one call ---------------------------------------------------------------------------------
    async def _call(self, method: str, body: dict | None = None, *, timeout: httpx.Timeout | None = None,
                    empty_poll: bool = False) -> Any:
        url = f"{self.base_url}/bot{self._path_token}/{method}"
        try:
            response = await self._client.post(url, json=body or {}, timeout=timeout or httpx.Timeout(self.timeout))
        except httpx.TimeoutException as error:
            # `from None`: httpx's exception holds the request, and with it the URL
            raise Transient(f"Zalo {method}: no answer in time ({type(error).__name__})") from None
        except httpx.HTTPError as error:
            raise Transient(f"Zalo {method}: {type(error).__name__}: {self._redact(str(error))}") from None
        except httpx.InvalidURL:
            raise ValueError("the Zalo API URL is not valid: check the base URL and the token") from None
        log.debug("Zalo %s: HTTP %d", method, response.status_code)
        return self._outcome(method, response, empty_poll)

    def _outcome(self, method: str, response: httpx.Response, empty_poll: bool) -> Any:
        status = response.status_code
        payload = _json_object(response)
        if payload is not None and payload.get("ok") is True and status < 300:
            return payload.get("result")
        code = _number(payload.get("error_code")) if payload is not None else None
        codes = {status, code}
        if empty_poll and EMPTY_POLL in codes:
            return None
        description = self._describe(status, code, payload)
        if 401 in codes:
            raise ZaloTokenRejected(f"Zalo refused the bot token ({method}: {description}); "
                                    "it is wrong or was revoked")
        if 429 in codes:
            raise RetryAfter(_retry_after(response, payload))
        if status >= 500 or (code or 0) >= 500 or payload is None or EMPTY_POLL in codes:
            raise Transient(f"Zalo {method}: {description}")
        if 403 in codes or (codes & {400, 404} and _UNREACHABLE.search(description)):
            raise Blocked(f"Zalo {method}: {description}")
        raise Rejected(f"Zalo {method}: {description}")

    def _describe(self, status: int, code: int | None, payload: dict | None) -> str:
        if payload is None:
            return f"HTTP {status}, not a JSON answer"
        text = payload.get("description")
        text = self._redact(str(text))[:300] if text else "no description"
        return f"{code if code is not None else status} {text}"

    def _redact(self, text: str) -> str:
        return text.replace(self._token, MASK).replace(quote(self._token, safe=":"), MASK)


class _TokenTransport(httpx.AsyncBaseTransport):
    """Puts the token in place of `/bot***/` on the way out, after httpx has logged the URL."""

    def __init__(self, inner: httpx.AsyncBaseTransport, token: str, base_url: str):
        self.inner = inner
        self.token_path = f"/bot{quote(token, safe=':')}/".encode()
        self.origin = _origin(httpx.URL(base_url))

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        url = request.url
        placeholder = f"/bot{MASK}/".encode()
        # only towards the API itself: a photo URL elsewhere never gets the token
        if _origin(url) == self.origin and placeholder in url.raw_path:
            url = url.copy_with(raw_path=url.raw_path.replace(placeholder, self.token_path, 1))
            request = httpx.Request(request.method, url, headers=request.headers, stream=request.stream,
                                    extensions=request.extensions)
        return await self.inner.handle_async_request(request)

    async def aclose(self) -> None:
        await self.inner.aclose()


def _origin(url: httpx.URL) -> tuple[str, str, int | None]:
    return url.scheme, url.host, url.port


def _environment_proxy(url: str) -> str | None:
    """The proxy httpx itself would take from the environment for `url`."""
    host = urlsplit(url).hostname or ""
    if urllib.request.proxy_bypass(host):
        return None
    proxies = urllib.request.getproxies()
    return proxies.get(urlsplit(url).scheme) or proxies.get("all")


def _json_object(response: httpx.Response) -> dict | None:
    try:
        payload = response.json()
    except ValueError:          # HTML from a proxy, an empty body, bytes that are not UTF-8
        return None
    return payload if isinstance(payload, dict) else None


def _number(value: Any) -> int | None:
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


def _retry_after(response: httpx.Response, payload: dict | None) -> float:
    hint = response.headers.get("retry-after")
    seconds = None
    try:
        seconds = float(hint) if hint is not None else None
    except ValueError:
        pass                    # an HTTP date: rare, and the default is as good
    if seconds is None and payload is not None and isinstance(payload.get("parameters"), dict):
        try:
            seconds = float(payload["parameters"].get("retry_after"))
        except (TypeError, ValueError):
            seconds = None
    if seconds is None:
        return DEFAULT_RETRY_AFTER
    return min(MAX_RETRY_AFTER, max(0.5, seconds))


def _message_id(method: str, result: Any) -> str:
    if isinstance(result, dict) and result.get("message_id") is not None:
        return str(result["message_id"])
    # the message went out; failing here would only make the sender send it again
    log.warning("Zalo %s answered ok without a message_id", method)
    return ""


def _as_update(value: Any) -> dict | None:
    if isinstance(value, dict) and isinstance(value.get("event_name"), str) \
            and isinstance(value.get("message"), dict):
        return value
    return None


def parse_update(body: dict) -> dict | None:
    """The update in a webhook body or a getUpdates answer, wrapped in {ok, result} or flat; else None."""
    if not isinstance(body, dict):
        return None
    if "result" in body or "ok" in body:
        return _as_update(body.get("result")) if body.get("ok") is True else None
    return _as_update(body)


def utf16_len(text: str) -> int:
    """Length as Zalo counts it (UTF-16 code units, as its text_styles offsets are): an emoji is 2."""
    return len(text) + sum(1 for c in text if ord(c) > 0xFFFF)


def split_text(text: str, limit: int = MAX_TEXT) -> list[str]:
    """Cut a text into messages of at most `limit` (counted by utf16_len), at line ends.

    A text that fits comes back as it is. Otherwise lines are packed greedily; a single line
    longer than `limit` is cut hard (after its last space that keeps at least half a part, and
    never between a letter and its combining marks). Blank lines at a cut are dropped, and no
    part is empty or only whitespace: an empty text gives [].
    """
    if limit < 2:
        raise ValueError("limit must be at least 2")
    if not text.strip():
        return []
    if utf16_len(text) <= limit:
        return [text]
    parts: list[str] = []
    current = ""
    for line in text.split("\n"):
        while utf16_len(line) > limit:
            parts.append(current)
            current = ""
            cut = _cut(line, limit)
            parts.append(line[:cut])
            line = line[cut:]
        candidate = f"{current}\n{line}" if current else line
        if utf16_len(candidate) > limit:
            parts.append(current)
            candidate = line
        current = candidate
    parts.append(current)
    return [part.strip("\n") for part in parts if part.strip()]


def _cut(line: str, limit: int) -> int:
    """Where to cut a line that is too long: the longest prefix that fits, eased back to a space."""
    size, end = 0, 0
    for char in line:
        size += 2 if ord(char) > 0xFFFF else 1
        if size > limit:
            break
        end += 1
    while end > 1 and unicodedata.combining(line[end]):
        end -= 1
    space = line.rfind(" ", 0, end)
    return space + 1 if space >= end // 2 else end
