"""The web app of `python -m bot serve` (Starlette under uvicorn): the messengers' webhooks, /healthz.

- `POST /telegram`, `POST /zalo` (one `Webhook` each, for the messengers set to push): the
  request's secret header must equal the messenger's webhook secret, compared in constant time
  (`hmac.compare_digest`), else 403 and the body is not even read. A body over `max_body` gets
  413, one that is not JSON 400 (a log line, never a traceback), one that is JSON but no update
  400 too. An update is handed to its channel (`Webhook.accept`), which starts answering it in
  the background, after the earlier updates of its chat (bot/channels/ordering.py), and the
  answer is 200 at once. An update taken just before is answered 200 and not handed over again
  (and the database's claim on each update answers a later repeat once: handlers/router.py).
  While the bot starts or stops (`Webhook.ready()` false), or while `max_pending` updates are
  still being answered, the answer is 503 with Retry-After: the messenger sends the update again
  later, so nothing that got a 200 is left unanswered by a stop (bot/app.py finishes them first).
- `GET /healthz`: JSON from `health()` (bot/app.py's Health): 200 when the database answers and
  the scheduler ticked recently, else 503; the outbox backlog; the webhooks' counts.
- `GET /export/<unit>/<file>?expires=…&sig=…` (`ExportLinks`): one unit's exported file, for 24
  hours, through a link signed with HMAC-SHA256 over the unit, the file and the expiry: another
  unit, another file or a later expiry breaks the signature (404, like a file that is not there);
  a link past its time is 410.

Logs: one line per event (an update taken, a request refused), with the chat as a keyed hash
(`ChatHasher`: the same chat gives the same 12 hex digits, which cannot be turned back into its
id without the key), never a secret or a message's text.

`WebServer` runs the app with uvicorn on the bot's own event loop, beside the channels and the
scheduler, binding the socket itself (a busy port is one Vietnamese line, not a traceback) and
leaving SIGTERM to bot/app.py, which stops the server last.
"""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import hmac
import json
import logging
import os
import re
import shutil
import socket
import time
from collections import Counter
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from pathlib import Path

import uvicorn
from starlette.applications import Starlette
from starlette.requests import ClientDisconnect, Request
from starlette.responses import FileResponse, JSONResponse, Response
from starlette.routing import Route

from bot.channels.base import CannotStart
from messages_vi import t

log = logging.getLogger(__name__)

MAX_BODY = 1 << 20          # 1 MiB: an update is a few kilobytes (a long text, a photo's file ids)
MAX_PENDING = 500           # updates being answered at most; past it, 503 and the messenger retries
RETRY_AFTER = "5"           # seconds, with every 503
OVERLOAD_LOG_EVERY = 10.0   # seconds: a flood of 503s for a full queue is one warning per this


@dataclass(frozen=True)
class Accepted:
    """What a channel took from one pushed update, for the log line: its chat and kind."""

    chat: str | None
    kind: str
    update: str | None = None


@dataclass
class Webhook:
    """One messenger's webhook: where it posts, how it proves itself, who takes its updates."""

    name: str                                   # "telegram", "zalo": the log's channel
    path: str                                   # "/telegram"
    header: str                                 # the secret's header, as the messenger sends it
    secret: str
    accept: Callable[[object], Accepted | None]  # None: a repeat; ValueError: not an update
    ready: Callable[[], bool]                   # taking updates now (started, not stopping)
    pending: Callable[[], int] = lambda: 0      # updates taken and not answered yet
    counts: Counter = field(default_factory=Counter)
    overload_logged: float = -OVERLOAD_LOG_EVERY   # monotonic time of the last "too many" warning
    overload_unlogged: int = 0                     # 503s for a full queue since that warning


class ChatHasher:
    """A chat id as it may appear in a log: HMAC-SHA256 under a key, 12 hex digits."""

    def __init__(self, key: bytes):
        self.key = key

    def __call__(self, channel: str, chat_id: object) -> str | None:
        if chat_id is None:
            return None
        return hmac.new(self.key, f"{channel}:{chat_id}".encode(), hashlib.sha256).hexdigest()[:12]


LINK_LIFETIME = timedelta(hours=24)
SAFE_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,150}$")      # a unit code, a file name: no path


class ExportLinks:
    """Signed download links to exported files, one unit's each, valid for LINK_LIFETIME.

    A file is published into `folder/<unit>/` (`publish`); its link carries the expiry and
    HMAC-SHA256(key, "<unit>/<file>/<expiry>"), so it opens that file of that unit until then and
    nothing else. Files are removed a little after their last link expired (`prune`)."""

    def __init__(self, key: bytes, folder: Path, public_url: str | None):
        self.key = key
        self.folder = folder
        self.public_url = public_url

    def signature(self, unit: str, name: str, expires: int) -> str:
        return hmac.new(self.key, f"{unit}/{name}/{expires}".encode(), hashlib.sha256).hexdigest()

    def link(self, unit: str, name: str, now: datetime) -> tuple[str, datetime]:
        """The signed URL of a published file, and when it stops working."""
        expires = int((now + LINK_LIFETIME).timestamp())
        url = f"{self.public_url}/export/{unit}/{name}?expires={expires}&sig={self.signature(unit, name, expires)}"
        return url, datetime.fromtimestamp(expires, timezone.utc)

    def publish(self, unit: str, source: Path, now: datetime) -> tuple[str, datetime]:
        """Copy an exported file where the links serve it from; its signed URL and expiry."""
        if not (SAFE_NAME.match(unit) and SAFE_NAME.match(source.name)):
            raise ValueError("a unit code or a file name that cannot be part of a link")
        target = self.folder / unit / source.name
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(source, target)
        os.chmod(target, 0o600)
        return self.link(unit, source.name, now)

    def open(self, unit: str, name: str, expires: str, sig: str, now: datetime) -> Path | int:
        """The file a link opens, or the status to answer: 404 (no such link), 410 (expired)."""
        if not (SAFE_NAME.match(unit) and SAFE_NAME.match(name) and expires.isdigit() and len(expires) < 12):
            return 404
        if not hmac.compare_digest(sig.encode(), self.signature(unit, name, int(expires)).encode()):
            return 404
        if int(expires) < now.timestamp():
            return 410
        path = self.folder / unit / name
        return path if path.is_file() else 404

    def prune(self, now: datetime) -> int:
        """Remove the files whose links have all expired (an hour of slack); how many."""
        if not self.folder.is_dir():
            return 0
        cutoff = (now - LINK_LIFETIME - timedelta(hours=1)).timestamp()
        gone = 0
        for path in self.folder.glob("*/*"):
            with contextlib.suppress(FileNotFoundError):
                if path.is_file() and path.stat().st_mtime < cutoff:
                    path.unlink()
                    gone += 1
        return gone


def create_app(webhooks: Sequence[Webhook], health: Callable[[], Awaitable[tuple[int, dict]]], *,
               hash_chat: ChatHasher, max_body: int = MAX_BODY, max_pending: int = MAX_PENDING,
               links: ExportLinks | None = None, clock: Callable[[], datetime] | None = None) -> Starlette:
    """The ASGI app: a route per webhook, /healthz, and the export links when `links` is given."""

    def endpoint(hook: Webhook):
        async def receive(request: Request) -> Response:
            return await _receive(request, hook, hash_chat, max_body, max_pending)
        return receive

    async def healthz(request: Request) -> Response:
        status, body = await health()
        return JSONResponse(body, status_code=status, headers={"Cache-Control": "no-store"})

    async def download(request: Request) -> Response:
        unit, name = request.path_params["unit"], request.path_params["name"]
        now = (clock or (lambda: datetime.now(timezone.utc)))()
        found = links.open(unit, name, request.query_params.get("expires", ""), request.query_params.get("sig", ""), now)
        if isinstance(found, int):
            log.warning("export link refused (%d)", found, extra={"event": "export_refused", "status": found})
            return Response(status_code=found, headers={"Cache-Control": "no-store"})
        log.info("export downloaded: %s", name, extra={"event": "export", "path": name})
        return FileResponse(found, filename=name, headers={"Cache-Control": "private, no-store"})

    routes = [Route(hook.path, endpoint(hook), methods=["POST"]) for hook in webhooks]
    routes.append(Route("/healthz", healthz, methods=["GET"]))
    if links is not None:
        routes.append(Route("/export/{unit}/{name}", download, methods=["GET"]))
    return Starlette(routes=routes)


def _refused(hook: Webhook, status: int, reason: str, **extra) -> Response:
    hook.counts[str(status)] += 1
    log.warning("%s webhook: %s; answered %d", hook.name, reason, status,
                extra={"event": "webhook_refused", "channel": hook.name, "status": status, **extra})
    headers = {"Retry-After": RETRY_AFTER} if status == 503 else None
    return Response(status_code=status, headers=headers)


def _overloaded(hook: Webhook, max_pending: int) -> Response:
    """503 while `max_pending` updates are being answered: the messenger sends again later. A burst
    would log a warning per refused post; it is one per OVERLOAD_LOG_EVERY seconds, with a count."""
    hook.counts["503"] += 1
    hook.overload_unlogged += 1
    now = time.monotonic()
    if now - hook.overload_logged >= OVERLOAD_LOG_EVERY:
        log.warning("%s webhook: %d updates still being answered; %d posts answered 503 since the last "
                    "such line (the messenger sends them again)", hook.name, max_pending, hook.overload_unlogged,
                    extra={"event": "webhook_refused", "channel": hook.name, "status": 503})
        hook.overload_logged, hook.overload_unlogged = now, 0
    return Response(status_code=503, headers={"Retry-After": RETRY_AFTER})


async def _receive(request: Request, hook: Webhook, hash_chat: ChatHasher, max_body: int,
                   max_pending: int) -> Response:
    started = time.perf_counter()
    given = request.headers.get(hook.header, "")
    if not hmac.compare_digest(given.encode(), hook.secret.encode()):
        return _refused(hook, 403, "missing or wrong secret")
    if not hook.ready():
        return _refused(hook, 503, "not taking updates now (starting or stopping)")
    if hook.pending() >= max_pending:
        return _overloaded(hook, max_pending)
    length = request.headers.get("content-length")
    if length is not None and (not length.isdigit() or int(length) > max_body):
        return _refused(hook, 413, f"body of {length} bytes announced, over {max_body}")
    body = bytearray()
    try:
        async for chunk in request.stream():
            body += chunk
            if len(body) > max_body:
                return _refused(hook, 413, f"body over {max_body} bytes")
    except ClientDisconnect:
        hook.counts["disconnected"] += 1
        return Response(status_code=400)
    try:
        data = json.loads(body)
    except (ValueError, UnicodeDecodeError) as error:
        return _refused(hook, 400, f"malformed JSON ({len(body)} bytes, {type(error).__name__})")
    # From here to the hand-over nothing awaits: an update either is taken before a stop begins
    # (and is answered before the bot exits), or gets 503 and comes again.
    if not hook.ready():
        return _refused(hook, 503, "stopping")
    try:
        accepted = hook.accept(data)
    except ValueError as error:
        return _refused(hook, 400, str(error))
    if accepted is None:
        hook.counts["repeated"] += 1
        log.info("%s webhook: an update taken already came again; not handled twice", hook.name,
                 extra={"event": "update_repeated", "channel": hook.name})
        return Response(status_code=200)
    hook.counts["accepted"] += 1
    chat = hash_chat(hook.name, accepted.chat)
    elapsed = round((time.perf_counter() - started) * 1000, 2)
    log.info("%s webhook: update %s (%s) from chat %s taken", hook.name, accepted.update, accepted.kind, chat,
             extra={"event": "update", "channel": hook.name, "chat": chat, "update": accepted.update,
                    "kind": accepted.kind, "ms": elapsed})
    return Response(status_code=200)


# --- running it -----------------------------------------------------------------------------------

class _Server(uvicorn.Server):
    """uvicorn's server without its own signal handling: bot/app.py handles SIGINT and SIGTERM for
    the whole bot, and stops the web server last (uvicorn would stop it first, and re-raise the
    signal once done)."""

    def capture_signals(self):
        return contextlib.nullcontext()


class WebServer:
    """The app under uvicorn, on the running event loop; `start()` then `stop()`."""

    def __init__(self, app, host: str, port: int, *, graceful_seconds: int = 10):
        self.app = app
        self.host = host
        self.port = port
        self.graceful_seconds = graceful_seconds
        self.server: _Server | None = None
        self._task: asyncio.Task | None = None

    async def start(self) -> int:
        """Listen, and return the port (the one asked for, or the one given for port 0)."""
        try:
            family = socket.AF_INET6 if ":" in self.host else socket.AF_INET
            sock = socket.create_server((self.host, self.port), family=family, backlog=2048)
        except OSError as error:
            raise CannotStart(t("serve.port_busy", host=self.host, port=self.port,
                                error=error.strerror or error)) from error
        sock.setblocking(False)
        port = sock.getsockname()[1]
        config = uvicorn.Config(self.app, lifespan="off", log_config=None, access_log=False,
                                server_header=False, timeout_graceful_shutdown=self.graceful_seconds)
        self.server = _Server(config)
        self._task = asyncio.create_task(self.server.serve(sockets=[sock]))
        while not self.server.started:
            if self._task.done():
                self._task.result()             # raises what stopped it
                raise CannotStart(t("serve.port_busy", host=self.host, port=port, error="uvicorn"))
            await asyncio.sleep(0.01)
        log.info("listening on %s:%d", self.host, port)
        return port

    async def stop(self) -> None:
        """Close the listening socket and the connections (their answers already went)."""
        if self.server is None or self._task is None:
            return
        self.server.should_exit = True
        with contextlib.suppress(asyncio.CancelledError):
            await self._task
