"""The web app of `python -m bot serve` (Starlette under uvicorn): the messengers' webhooks, /healthz.

- `POST /telegram`, `POST /zalo` (one `Webhook` each, for the messengers set to push): the
  request's secret header must equal the messenger's webhook secret, compared in constant time
  (`hmac.compare_digest`), else 403 and the body is not even read. A body over `max_body` gets
  413, one that is not JSON 400 (a log line, never a traceback), one that is JSON but no update
  400 too. An update its channel takes (`Webhook.accept`) is written to the database's inbox
  first (`Intake`: updates arriving together share one commit), then answered 200 and started
  in the background, after the earlier updates of its chat (bot/channels/ordering.py). Its row
  goes in the transaction where the router claims the update (handlers/router.py), so a process
  killed after the 200 finds it at the next start and answers it then: once, in its chat's
  order. An update taken just before, or still waiting in the inbox, is answered 200 and not
  handed over again (and the database's claim answers a later repeat once).
  While the bot starts or stops (`Webhook.ready()` false), or while `max_pending` updates are
  still being answered, the answer is 503 with Retry-After: the messenger sends the update again
  later, so nothing that got a 200 is left unanswered by a stop (bot/app.py finishes them first).
- `GET /healthz`: JSON from `health()` (bot/app.py's Health): 200 when the database answers and
  the scheduler ticked recently, else 503; the outbox backlog; the webhooks' counts.
- `GET /export/<unit>/<file>?expires=…&sig=…` (`ExportLinks`, bot/channels/links.py, the signer
  the Zalo channel offers files with too): one unit's exported file, for 24
  hours, through a link signed with HMAC-SHA256 over the unit, the file and the expiry: another
  unit, another file or a later expiry breaks the signature (404, like a file that is not there);
  a link past its time is 410; both with a one-sentence Vietnamese page (the link was tapped in a
  chat: a blank page would tell its reader nothing).

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
import html
import json
import logging
import socket
import time
from collections import Counter
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timezone

import uvicorn
from starlette.applications import Starlette
from starlette.requests import ClientDisconnect, Request
from starlette.responses import FileResponse, HTMLResponse, JSONResponse, Response
from starlette.routing import Route

from bot.channels.base import CannotStart
from storage.inbox import Pushed
from bot.channels.links import ExportLinks     # the signer sits below the channels, which offer links too
from messages_vi import t

log = logging.getLogger(__name__)

MAX_BODY = 1 << 20          # 1 MiB: an update is a few kilobytes (a long text, a photo's file ids)
MAX_PENDING = 500           # updates being answered at most; past it, 503 and the messenger retries
RETRY_AFTER = "5"           # seconds, with every 503
OVERLOAD_LOG_EVERY = 10.0   # seconds: a flood of 503s for a full queue is one warning per this


@dataclass(frozen=True)
class Accepted:
    """What a channel took from one pushed update: its chat and kind (for the log line), its key
    (the router's claim key, the inbox row's), and `start`, which starts answering it and returns
    the task (None: there is nothing to answer, an event or a bot's own message)."""

    chat: str | None
    kind: str
    update: str | None = None
    key: str | None = None
    start: Callable[[], asyncio.Task] | None = None


@dataclass
class Webhook:
    """One messenger's webhook: where it posts, how it proves itself, who takes its updates."""

    name: str                                   # "telegram", "zalo": the log's channel
    path: str                                   # "/telegram"
    header: str                                 # the secret's header, as the messenger sends it
    secret: str
    accept: Callable[[object], Accepted | None]  # None: a repeat; ValueError: not an update
    ready: Callable[[], bool]                   # taking updates now (started, not stopping)
    intake: Intake                              # where an update is kept until it is handled
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


class _Entry:
    __slots__ = ("update", "start", "taken")

    def __init__(self, update: Pushed, start: Callable[[], asyncio.Task | None], taken: asyncio.Future):
        self.update = update
        self.start = start
        self.taken = taken


def _write(tx, updates: list[Pushed], handled: list[int], now: datetime) -> list[int | None]:
    ids = tx.inbox.add(updates, now) if updates else []
    if handled:
        tx.inbox.forget(handled)
    return ids


class Intake:
    """Pushed updates into the database's inbox (storage/inbox.py) before their 200; then started.

    `write` queues an update and returns once it is committed. One writer commits whatever is
    queued in one transaction (a group commit: the updates that arrived while the previous commit
    ran, up to `max_batch`; with `linger`, it also waits that long for more), then calls each
    update's `start` in the order written — so a chat's updates start in their order — and keeps
    the row until the task `start` returned is done. The router removes a row when it claims its
    update (in that transaction); rows of updates no one claims (an update whose handling failed
    before its claim) are removed with the next commit, or `forget_after` seconds after they finished.
    `replay` starts what a killed process left in the inbox; `drain` waits for the queue to empty.
    """

    def __init__(self, storage, clock: Callable[[], datetime], *, linger: float = 0.0, max_batch: int = 256,
                 forget_after: float = 1.0):
        self.storage = storage
        self.clock = clock
        self.linger = linger
        self.max_batch = max_batch
        self.forget_after = forget_after
        self.commits = 0                        # group commits made, and updates written in them
        self.written = 0
        self._queue: list[_Entry] = []
        self._handled: list[int] = []
        self._wake = asyncio.Event()
        self._idle = asyncio.Event()
        self._idle.set()
        self._writer: asyncio.Task | None = None
        self._forget_timer: asyncio.TimerHandle | None = None
        self._closed = False

    async def write(self, channel: str, key: str | None, body: str, start: Callable[[], asyncio.Task | None],
                    chat: object = None) -> bool:
        """Keep one update (of `chat`, if it has one) until it is handled; once committed, `start()`
        it. False (and not started) when an update with its key is in the inbox already."""
        taken = asyncio.get_running_loop().create_future()
        self._queue.append(_Entry(Pushed(channel, key, body, None if chat is None else str(chat)), start, taken))
        self._idle.clear()
        self._wake_writer()
        return await taken

    def handled(self, row: int) -> None:
        """The update of this row was answered (or failed): its row can go."""
        if self._closed:
            return                              # (found again at the next start: its claim answers it once)
        self._handled.append(row)
        if self._forget_timer is None:
            self._forget_timer = asyncio.get_running_loop().call_later(self.forget_after, self._wake_writer)

    def _wake_writer(self) -> None:
        self._wake.set()
        if self._writer is None:
            self._writer = asyncio.create_task(self._write_batches())

    async def replay(self, hook: Webhook) -> int:
        """Start the updates of `hook`'s channel left in the inbox by a process that stopped before
        answering them (answered 200, then killed), oldest first; how many were started."""
        waiting = await self.storage.inbox.waiting(hook.name)
        started = 0
        for row in waiting:
            try:
                accepted = hook.accept(json.loads(row.body))
            except ValueError:
                accepted = None
            if accepted is None or accepted.start is None:
                self.handled(row.id)
                continue
            self._start(accepted.start, row.id)
            started += 1
        if waiting:
            log.warning("%s: %d updates answered 200 before the last stop and not handled then; handled now",
                        hook.name, started, extra={"event": "inbox_replayed", "channel": hook.name, "count": started})
        return started

    async def drain(self) -> None:
        """Wait until every update written is committed and started."""
        await self._idle.wait()

    async def close(self) -> None:
        """Drain, remove the rows of the updates handled since the last commit, stop the writer."""
        await self.drain()
        self._closed = True
        if self._forget_timer is not None:
            self._forget_timer.cancel()
            self._forget_timer = None
        if self._writer is not None:
            self._writer.cancel()
            await asyncio.gather(self._writer, return_exceptions=True)
            self._writer = None
        if self._handled:
            handled, self._handled = self._handled, []
            await self.storage.inbox.forget(handled)

    async def _write_batches(self) -> None:
        while True:
            await self._wake.wait()
            if self.linger and self._queue:
                await asyncio.sleep(self.linger)
            self._wake.clear()
            batch = self._queue[:self.max_batch]
            del self._queue[:len(batch)]
            handled, self._handled = self._handled, []
            if handled and self._forget_timer is not None:
                self._forget_timer.cancel()
                self._forget_timer = None
            if batch or handled:
                await self._commit(batch, handled)
            if self._queue:
                self._wake.set()
            else:
                self._idle.set()

    async def _commit(self, batch: list[_Entry], handled: list[int]) -> None:
        try:
            rows = await self.storage.atomic(_write, [entry.update for entry in batch], handled, self.clock())
        except Exception as error:              # the database is failing: each post is answered 503
            log.warning("the inbox could not be written (%s); %d updates refused", type(error).__name__, len(batch))
            self._handled[:0] = handled
            for entry in batch:
                if not entry.taken.done():
                    entry.taken.set_exception(error)
            return
        self.commits += bool(batch)
        self.written += len(batch)
        for entry, row in zip(batch, rows):
            if row is not None:
                self._start(entry.start, row)
            if not entry.taken.done():          # (a post given up meanwhile: its row is kept and started)
                entry.taken.set_result(row is not None)

    def _start(self, start: Callable[[], asyncio.Task | None], row: int) -> None:
        try:
            task = start()
        except Exception:
            log.exception("an update from the inbox could not be started; it waits for the next start")
            return
        if task is None:
            self.handled(row)
        else:
            task.add_done_callback(lambda _, row=row: self.handled(row))


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
            return _link_refused_page(found)
        log.info("export downloaded: %s", name, extra={"event": "export", "path": name})
        return FileResponse(found, filename=name, headers={"Cache-Control": "private, no-store"})

    routes = [Route(hook.path, endpoint(hook), methods=["POST"]) for hook in webhooks]
    routes.append(Route("/healthz", healthz, methods=["GET"]))
    if links is not None:
        routes.append(Route("/export/{unit}/{name}", download, methods=["GET"]))
    return Starlette(routes=routes)


def _link_refused_page(status: int) -> Response:
    """What the person who tapped a link that opens nothing reads (a link from a Zalo chat opens in
    its browser): one Vietnamese sentence saying why, and how to get a new link."""
    text = html.escape(t("export_link.expired" if status == 410 else "export_link.not_found"))
    page = (f'<!doctype html><html lang="vi"><head><meta charset="utf-8"><meta name="viewport" '
            f'content="width=device-width, initial-scale=1"><title>{html.escape(t("export_link.page_title"))}'
            f'</title></head><body><p>{text}</p></body></html>')
    return HTMLResponse(page, status_code=status, headers={"Cache-Control": "no-store"})


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
    except (ValueError, UnicodeDecodeError, RecursionError) as error:     # (nested too deep: "[[[[…")
        return _refused(hook, 400, f"malformed JSON ({len(body)} bytes, {type(error).__name__})")
    # From here until the update is queued for the inbox nothing awaits: an update either is
    # queued before a stop begins (the stop waits for it: Intake.drain, and answers it before the
    # bot exits), or gets 503 and comes again.
    if not hook.ready():
        return _refused(hook, 503, "stopping")
    try:
        accepted = hook.accept(data)
    except ValueError as error:
        return _refused(hook, 400, str(error))
    if accepted is not None and accepted.start is not None:
        # the 200 only once the update's commit into the inbox is done
        try:
            if not await hook.intake.write(hook.name, accepted.key, _text(body, data), accepted.start, accepted.chat):
                accepted = None                 # still in the inbox from an earlier post
        except Exception as error:              # the database failed: the messenger sends it again
            return _refused(hook, 503, f"the update could not be kept ({type(error).__name__})")
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


def _text(body: bytearray, data: object) -> str:
    """The update as the inbox keeps it: the body as posted (less a UTF-8 byte order mark, which
    json.loads takes in bytes but not in the text a restart reads back), or the JSON it decoded to."""
    try:
        return body.decode("utf-8-sig")
    except UnicodeDecodeError:                  # JSON in UTF-16 or UTF-32, which json.loads reads too
        return json.dumps(data, ensure_ascii=False)


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
