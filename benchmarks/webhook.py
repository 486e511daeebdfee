"""Updates a second the webhook takes and answers end to end, with p50 and p99 latency.

The server is `python -m bot serve`'s own wiring (bot.app.serve(web=True): uvicorn, one worker,
the Starlette app, the Telegram channel in webhook mode, the scheduler, the database), in a
process of its own, with two things changed: the Bot API is a fake inside that process (it answers
at once, and records when each reply was sent), and Telegram's 30-messages-a-second budget is off
(with it, replies are paced at 29 a second whatever the bot can do: that is Telegram's limit, not
ours). Every update is a real form answer: N secretaries, each with a meeting form open at its
summary, alternately send "quay lai" (back to the attendance question) and "12" (the answer: parsed,
checked, the form's state and the update's claim committed, the summary built and sent).

The load comes from this process, over HTTP/1.1 keep-alive connections of a minimal client (httpx
would cost more than the server it measures), with the secret header, as Telegram posts:

  1. closed loop: `--connections` posts in flight at once, as fast as answers come: the most
     updates a second the bot takes and answers;
  2. open loop at `--rate` a second for `--seconds`: latency at that load, measured from the
     moment each post was due (a late post counts its wait), to its 200 ("taken") and to the
     reply reaching the Bot API ("answered": end to end).

Each update is written to the database's inbox before its 200 (bot/web.py's Intake: the posts that
arrive while a commit runs share the next one; `--linger` makes it wait that many ms for more).
Printed too: the server's CPU time per update (all its threads, read from /proc; it drifts with
the machine, as the rates do), and the updates per inbox commit. At the end every update must have had exactly one reply and every form its answers
committed.

    .venv/bin/python benchmarks/webhook.py [--chats 200] [--rate 500] [--seconds 10] [--connections 32]
                                           [--worst] [--profile FILE] [--asyncio] [--linger MS]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import signal
import socket
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

SECRET = "benchmark-webhook-secret-0123456789"
FIRST_CHAT = 700_000


# --- the server process -------------------------------------------------------------------------------

async def run_server(folder: Path, port: int, chats: int) -> None:

    from bot import app
    from bot.channels import telegram as telegram_channel
    from bot.settings import configure_logging, load
    from domain.conversation import Incoming
    from handlers.router import handle
    from storage.units import UnitRow
    from tests.support import make_invite
    from tests.support.telegram_fake import TOKEN, FakeBotApi

    class BotApi(FakeBotApi):
        """Answers like the Bot API, keeping only when each chat got each message."""

        def __init__(self) -> None:
            super().__init__()
            self.replied: dict[int, list[float]] = {}
            self.message_id = 1000

        def answer(self, http_method, url, params, files=None):
            method = url.rsplit("/", 1)[-1]
            if method in ("sendMessage", "editMessageReplyMarkup"):     # both answer with the message
                if method == "sendMessage":
                    self.replied.setdefault(int(params["chat_id"]), []).append(time.monotonic())
                self.message_id += 1
                return 200, json.dumps({"ok": True, "result": {
                    "message_id": self.message_id, "date": int(time.time()),
                    "chat": {"id": int(params["chat_id"]), "type": "private"},
                    "text": params.get("text", "…"), "reply_markup": params.get("reply_markup")}}).encode()
            if method in ("setWebhook", "setMyCommands"):
                return 200, b'{"ok": true, "result": true}'
            return super().answer(http_method, url, params, files)

    api = BotApi()
    settings = load(env={"TELEGRAM_BOT_TOKEN": TOKEN, "TELEGRAM_WEBHOOK_SECRET": SECRET,
                         "PUBLIC_URL": "https://bot.example.org", "HOST": "127.0.0.1", "PORT": str(port),
                         "DATA_DIR": str(folder), "LOG_LEVEL": "INFO"}, env_file=folder / "none.env")

    # the people: a branch each, joined, a meeting form open at its summary (through the router)
    services = await app.open_services(settings.database_path)
    now = services.clock()
    rows = [UnitRow("P", "Tinh", "province", None, False, 0), UnitRow("D", "Huyen", "district", "P", False, 0)]
    rows += [UnitRow(f"B{i}", f"Chi doan {i}", "branch", "D", False, 30) for i in range(chats)]
    await services.storage.units.import_rows(rows, now)
    first_versions = {}
    for i in range(chats):
        code = await make_invite(services, f"B{i}")
        chat = str(FIRST_CHAT + i)
        for text in (f"/start {code}", "/sinhhoat", "hom nay", "sinh hoat", "12"):
            await handle(services, Incoming("telegram", chat, chat, f"Bi thu {i}", text=text))
        session = (await services.storage.forms.conversation("telegram", chat)).session
        if session is None or session.state.get("at") != "summary":
            raise SystemExit(f"chat {chat}: the form is not at its summary: {session}")
        first_versions[FIRST_CHAT + i] = session.version
    await app.close_services(services)

    real_build = telegram_channel.build_application

    def build_application(settings, *, services, **_):
        return real_build(settings, services=services, request=api, rate_limiter=False)

    telegram_channel.build_application = build_application        # serve() imports it when it builds
    if os.environ.get("BENCH_LINGER"):
        import functools

        from bot import web

        # the inbox's writer waits this long for more updates before each group commit
        web.Intake = functools.partial(web.Intake, linger=float(os.environ["BENCH_LINGER"]) / 1000)
    if os.environ.get("BENCH_WORST"):
        import gc
        import logging

        from bot import scheduler as scheduler_module

        real_tick = scheduler_module.Scheduler.tick

        async def timed_tick(self):
            started = time.monotonic()
            try:
                return await real_tick(self)
            finally:
                logging.getLogger("bench").warning("tick %.0f ms at %.2f", (time.monotonic() - started) * 1000, started)

        scheduler_module.Scheduler.tick = timed_tick

        def gc_log(phase, info, marks={}):
            if phase == "start":
                marks["t"] = time.monotonic()
            elif info["generation"] == 2:
                logging.getLogger("bench").warning("gc2 %.0f ms at %.2f", (time.monotonic() - marks["t"]) * 1000, marks["t"])

        gc.callbacks.append(gc_log)
    configure_logging(settings)                                     # as python -m bot serve does
    stop = asyncio.Event()
    asyncio.get_running_loop().add_signal_handler(signal.SIGUSR1, stop.set)
    print("ready", flush=True)
    profiler = None
    if os.environ.get("WEBHOOK_BENCH_PROFILE"):
        import cProfile

        profiler = cProfile.Profile()
        profiler.enable()
    code = await app.serve(settings, web=True, stop=stop)
    if profiler is not None:
        import pstats

        profiler.disable()
        with open(os.environ["WEBHOOK_BENCH_PROFILE"], "w") as out:
            pstats.Stats(profiler, stream=out).sort_stats("tottime").print_stats(60)
    versions = {}
    services = await app.open_services(settings.database_path)
    for i in range(chats):
        session = (await services.storage.forms.conversation("telegram", str(FIRST_CHAT + i))).session
        versions[FIRST_CHAT + i] = [session.version - first_versions[FIRST_CHAT + i], session.state.get("at")]
    await app.close_services(services)
    (folder / "replies.json").write_text(json.dumps({"code": code, "replied": api.replied, "forms": versions}))


# --- the load ----------------------------------------------------------------------------------------

class Connection:
    """One HTTP/1.1 keep-alive connection posting webhook bodies."""

    def __init__(self, port: int):
        self.port = port

    async def open(self) -> None:
        self.reader, self.writer = await asyncio.open_connection("127.0.0.1", self.port)

    async def post(self, body: bytes) -> int:
        self.writer.write(b"POST /telegram HTTP/1.1\r\nHost: bot\r\nContent-Type: application/json\r\n"
                          b"X-Telegram-Bot-Api-Secret-Token: " + SECRET.encode() + b"\r\n"
                          b"Content-Length: " + str(len(body)).encode() + b"\r\n\r\n" + body)
        head = await self.reader.readuntil(b"\r\n\r\n")
        lines = head.decode("latin-1").split("\r\n")
        length = next((int(line.split(":", 1)[1]) for line in lines if line.lower().startswith("content-length:")), 0)
        if length:
            await self.reader.readexactly(length)
        return int(lines[0].split(" ", 2)[1])


class Load:
    def __init__(self, port: int, chats: int, connections: int):
        self.port = port
        self.chats = chats
        self.update_id = 1_000_000
        self.posted: dict[int, int] = {}                  # chat -> updates posted
        self.sent_at: dict[int, list[float]] = {}         # chat -> when each update was due
        self.taken_ms: list[float] = []
        self.next_chat = 0
        self.pool: asyncio.Queue[Connection] = asyncio.Queue()
        self.connections = connections
        self.refused = 0                                  # 503s, each posted again
        self.turns: dict[int, asyncio.Lock] = {}

    async def open(self) -> None:
        for _ in range(self.connections):
            connection = Connection(self.port)
            await connection.open()
            self.pool.put_nowait(connection)

    def body(self) -> tuple[int, bytes]:
        chat = FIRST_CHAT + self.next_chat
        self.next_chat = (self.next_chat + 1) % self.chats
        count = self.posted.get(chat, 0)
        self.posted[chat] = count + 1
        text = "quay lai" if count % 2 == 0 else "12"
        self.update_id += 1
        user = {"id": chat, "is_bot": False, "first_name": "Bi thu"}
        update = {"update_id": self.update_id, "message": {
            "message_id": self.update_id, "date": int(time.time()), "from": user,
            "chat": {"id": chat, "type": "private", "first_name": "Bi thu"}, "text": text}}
        return chat, json.dumps(update).encode()

    async def one(self, due: float, record: bool) -> None:
        """Post one update; a 503 (too many being answered) is posted again shortly, as Telegram
        does, and its wait counts in its latency."""
        chat, body = self.body()
        if record:
            self.sent_at.setdefault(chat, []).append(due)
        # as Telegram: a chat's next update is posted once the one before it was taken
        async with self.turns.setdefault(chat, asyncio.Lock()):
            while True:
                connection = await self.pool.get()
                try:
                    status = await connection.post(body)
                finally:
                    self.pool.put_nowait(connection)
                if status == 200:
                    break
                if status != 503:
                    raise RuntimeError(f"the webhook answered {status}")
                self.refused += 1
                await asyncio.sleep(0.05)
        if record:
            self.taken_ms.append((time.monotonic() - due) * 1000)

    async def closed_loop(self, total: int) -> tuple[float, float]:
        """`total` posts, `connections` at a time, then wait until every one is answered;
        (updates a second taken, updates a second answered)."""
        started = time.monotonic()
        remaining = total

        async def worker():
            nonlocal remaining
            while remaining > 0:
                remaining -= 1
                await self.one(time.monotonic(), record=False)

        await asyncio.gather(*(worker() for _ in range(self.connections)))
        taken = time.monotonic()
        while (await health(self.port))["webhooks"]["telegram"]["pending"]:
            await asyncio.sleep(0.005)
        return total / (taken - started), total / (time.monotonic() - started)

    async def open_loop(self, rate: float, seconds: float) -> tuple[float, float]:
        """A post due every 1/rate s for `seconds`; (first due, last due)."""
        tasks = []
        start = time.monotonic() + 0.05
        count = int(rate * seconds)
        for n in range(count):
            due = start + n / rate
            delay = due - time.monotonic()
            if delay > 0:
                await asyncio.sleep(delay)
            tasks.append(asyncio.create_task(self.one(due, record=True)))
        await asyncio.gather(*tasks)
        return start, start + (count - 1) / rate


async def health(port: int) -> dict:
    probe = Connection(port)
    await probe.open()
    try:
        probe.writer.write(b"GET /healthz HTTP/1.1\r\nHost: bot\r\n\r\n")
        head = (await probe.reader.readuntil(b"\r\n\r\n")).decode("latin-1").split("\r\n")
        length = next(int(line.split(":", 1)[1]) for line in head if line.lower().startswith("content-length:"))
        return json.loads(await probe.reader.readexactly(length))
    finally:
        probe.writer.close()


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def cpu_seconds(pid: int) -> float:
    """The CPU time (user + system) a process used so far, every thread of it."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def percentile(values: list[float], p: float) -> float:
    return statistics.quantiles(values, n=100)[int(p) - 1] if len(values) > 1 else values[0]


async def drive(args, folder: Path) -> int:
    port = free_port()
    log = open(folder / "server.log", "wb")
    server = await asyncio.create_subprocess_exec(
        sys.executable, __file__, "--server", "--folder", str(folder), "--port", str(port), "--chats", str(args.chats),
        stdout=asyncio.subprocess.PIPE, stderr=log)
    try:
        line = await asyncio.wait_for(server.stdout.readline(), 300)
        if line.strip() != b"ready":
            raise SystemExit(f"the server did not start: {line!r}")
        for _ in range(300):                     # until uvicorn listens and the webhook takes updates
            try:
                if (await health(port)).get("webhooks", {}).get("telegram", {}).get("taking"):
                    break
            except (OSError, asyncio.IncompleteReadError, StopIteration, ValueError):
                pass
            await asyncio.sleep(0.1)
        load = Load(port, args.chats, args.connections)
        await load.open()
        print(f"{args.chats} secretaries with a meeting form open; server: python -m bot serve's wiring, one "
              f"uvicorn worker, LOG_LEVEL=INFO (a line per update); {os.cpu_count()} cores", flush=True)
        await load.closed_loop(args.warmup)                               # warm-up, not measured
        cpu = cpu_seconds(server.pid)
        taken, answered = await load.closed_loop(args.closed)
        cpu = (cpu_seconds(server.pid) - cpu) / args.closed * 1000
        print(f"closed loop, {args.closed:,} form answers, {args.connections} posts in flight: "
              f"{answered:,.0f} updates/s answered end to end ({taken:,.0f}/s taken; {load.refused} 503s, "
              f"posted again); the server used {cpu:.2f} ms of CPU per update", flush=True)
        load.refused = 0
        await asyncio.sleep(1.0)
        cpu = cpu_seconds(server.pid)
        first, last = await load.open_loop(args.rate, args.seconds)
        while (await health(port))["webhooks"]["telegram"]["pending"]:
            await asyncio.sleep(0.01)
        cpu = (cpu_seconds(server.pid) - cpu) / len(load.taken_ms) * 1000
        inbox = (await health(port)).get("inbox")
    finally:
        if server.returncode is None:
            server.send_signal(signal.SIGUSR1)
        await asyncio.wait_for(server.wait(), 300)
        log.close()
    result = json.loads((folder / "replies.json").read_text())
    replied = {int(chat): times for chat, times in result["replied"].items()}
    problems = 0
    answered_ms, last_reply = [], 0.0
    for chat, posted in load.posted.items():
        times = replied.get(chat, [])
        # the setup's 5 messages per chat were sent before this server started: every reply here
        # answers one of this run's posts, in order
        if len(times) != posted:
            problems += 1
            continue
        for due, at in zip(load.sent_at.get(chat, []), times[posted - len(load.sent_at.get(chat, [])):]):
            answered_ms.append((at - due) * 1000)
            last_reply = max(last_reply, at)
        committed, at = result["forms"][str(chat)]     # each answer committed the form's state once
        if committed != posted or at != ("summary" if posted % 2 == 0 else "attended"):
            problems += 1
    if problems:
        raise SystemExit(f"{problems} chats did not get exactly one reply per update and one commit per answer")
    if os.environ.get("BENCH_WORST"):
        worst = sorted(((ms, due - first) for due, ms in zip(
            [d for chat in load.posted for d in load.sent_at.get(chat, [])], answered_ms)), reverse=True)[:15]
        print("worst (ms, seconds into the open loop):", [(round(a), round(b, 2)) for a, b in worst])
        for line in (folder / "server.log").read_text().splitlines():
            if "bench:" in line:
                ms, at = line.rsplit("bench: ", 1)[1].split(" ms at ")
                print(f"  {ms} ms, {float(at) - first:.2f} s into the open loop")
    total = len(load.taken_ms)
    print(f"open loop at {args.rate:,.0f}/s for {args.seconds:.0f} s ({total:,} form answers):")
    print(f"  taken (200):            p50 {percentile(load.taken_ms, 50):6.2f} ms   p99 {percentile(load.taken_ms, 99):6.2f} ms")
    print(f"  answered (reply sent):  p50 {percentile(answered_ms, 50):6.2f} ms   p99 {percentile(answered_ms, 99):6.2f} ms")
    commits = f"; {inbox['written'] / max(1, inbox['commits']):.1f} updates per inbox commit (since the start)" \
        if inbox else ""
    print(f"  answered {total / (last_reply - first):,.0f} updates/s (first post due -> last reply); the server "
          f"used {cpu:.2f} ms of CPU per update{commits}")
    print(f"  {load.refused} 503s (posted again); every update answered exactly once, every answer committed; "
          f"the server stopped with exit code {result['code']}")
    return 0


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--chats", type=int, default=200)
    parser.add_argument("--rate", type=float, default=500)
    parser.add_argument("--seconds", type=float, default=10)
    parser.add_argument("--connections", type=int, default=32)
    parser.add_argument("--closed", type=int, default=5000, help="posts of the closed loop")
    parser.add_argument("--warmup", type=int, default=1000)
    parser.add_argument("--profile", type=Path, help="write the server's cProfile (event loop thread) here")
    parser.add_argument("--asyncio", action="store_true", help="the server on asyncio's loop, not uvloop")
    parser.add_argument("--linger", type=float, help="ms the inbox waits for more updates before a commit (default 0)")
    parser.add_argument("--worst", action="store_true",
                        help="print the slowest answers, and the server's ticks and full collections meanwhile")
    parser.add_argument("--server", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--folder", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--port", type=int, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.server:
        from bot.cli import run_loop

        if os.environ.get("BENCH_ASYNCIO"):
            asyncio.run(run_server(args.folder, args.port, args.chats))
        else:
            run_loop(run_server(args.folder, args.port, args.chats))
        return 0
    for flag, name in ((args.profile, "WEBHOOK_BENCH_PROFILE"), (args.asyncio, "BENCH_ASYNCIO"),
                       (args.worst, "BENCH_WORST"), (args.linger, "BENCH_LINGER")):
        if flag:
            os.environ[name] = str(flag)              # read by the server process
    with tempfile.TemporaryDirectory() as folder:
        return asyncio.run(drive(args, Path(folder)))


if __name__ == "__main__":
    sys.exit(main())
