"""How long a person waits for a reply while a 3,000-message fan-out drains, against no fan-out.

Everything on the Telegram path is real except the network: updates go into python-telegram-bot's
update queue and through the per-chat update processor, the router and the database (SQLite, in
a temporary folder); replies take their turns in the channel's `Budget` (urgent) and the outbox
sender drains reminders through `TelegramTransport` in the same budget (bulk). The Bot API is the
in-memory fake of the tests (tests/support/telegram_fake.py), made to behave like Telegram's:
every call takes a round trip (--rtt, default 50 ms), and more than 30 messages in any one second
are refused with a 429 and retry_after, which would show as "429s" below.

Three phases, on one database:
  1. replies alone: --replies secretaries (default 300) each write once, arriving at random
     (Poisson) at --reply-rate a second (default 5);
  2. the same replies (other secretaries, the same arrival times) while --messages reminders
     (default 3,000, one per chat) drain through the sender; the replies start 2 s in;
  3. the fan-out alone (skip it with --no-alone): its throughput against Telegram's 30/s.
A reply's latency runs from its update entering the queue to the Bot API accepting the answer.

Time can be compressed with --speed N: every rate (budget, Telegram's limit, arrivals) is N times
higher and the round trip N times shorter, and the figures are printed back in Telegram's time
(latencies x N, rates / N). The handlers' own time is not compressed, so N > 1 is pessimistic for
latency, and above about 4 the event loop's jitter (a millisecond is then a good part of a slot)
can push 31 calls into one compressed second, which the fake refuses like Telegram. The figures
to quote come from the default, N = 1, in real time (about 5 minutes).

    .venv/bin/python benchmarks/reply_under_fanout.py [--speed 1] [--messages 3000] [--replies 300]
        [--reply-rate 5] [--rtt 0.05] [--no-alone] [--fifo]

--fifo makes replies wait in the same queue as bulk (no priority), for comparison.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import random
import statistics
import sys
import tempfile
import time
from collections import Counter, deque
from datetime import datetime, timedelta, timezone
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from telegram.request import BaseRequest                             # noqa: E402

from bot import app as wiring                                        # noqa: E402
from bot.channels.telegram import TelegramTransport, build_application  # noqa: E402
from bot.settings import load                                        # noqa: E402
from domain import invites                                           # noqa: E402
from domain.conversation import Reply                                # noqa: E402
from domain.sender import Budget, Limits, Sender                     # noqa: E402
from storage.outbox import NewMessage                                # noqa: E402
from storage.units import UnitRow                                    # noqa: E402
from tests.support.telegram_fake import TOKEN, FakeBotApi, person, text_update  # noqa: E402

TELEGRAM_RATE = 30                    # messages in any one second, in all
COUNTED = {"sendMessage", "sendDocument", "sendPhoto", "editMessageReplyMarkup", "editMessageText"}
FANOUT_BASE, REPLY_BASE = 600_000, 700_000     # chat ids


class TelegramLikeApi(FakeBotApi):
    """The tests' in-memory Bot API with a round trip and Telegram's overall limit."""

    def __init__(self, rtt: float, window: float) -> None:
        super().__init__()
        self.rtt = rtt
        self.window = window          # Telegram's one second, in this run's time
        self.recent: deque[float] = deque()
        self.accepted: list[tuple[str, int, float]] = []     # (method, chat id, time)
        self.too_many = 0

    async def do_request(self, url: str, method: str, request_data=None, read_timeout=BaseRequest.DEFAULT_NONE,
                         write_timeout=BaseRequest.DEFAULT_NONE, connect_timeout=BaseRequest.DEFAULT_NONE,
                         pool_timeout=BaseRequest.DEFAULT_NONE) -> tuple[int, bytes]:
        await asyncio.sleep(self.rtt / 2)
        name = url.rsplit("/", 1)[-1]
        params = request_data.parameters if request_data else {}
        if name in COUNTED:
            now = asyncio.get_running_loop().time()
            while self.recent and now - self.recent[0] >= self.window:
                self.recent.popleft()
            if len(self.recent) >= TELEGRAM_RATE:
                self.too_many += 1
                await asyncio.sleep(self.rtt / 2)
                return 429, json.dumps({"ok": False, "error_code": 429, "description": "Too Many Requests",
                                        "parameters": {"retry_after": self.window}}).encode()   # 1 s, scaled
            self.recent.append(now)
            self.accepted.append((name, int(params["chat_id"]), now))
        answer = self.answer(method, url, params, request_data.multipart_data
                             if request_data and request_data.contains_files else {})
        await asyncio.sleep(self.rtt / 2)
        return answer


class FifoBudget(Budget):
    """For comparison: replies wait in the same line as bulk."""

    async def slot(self, urgent: bool = False) -> None:
        await super().slot(False)


async def seed(services, fanout: int, repliers: int, now: datetime) -> tuple[list[int], list[int]]:
    """Branches with a secretary on Telegram each: `fanout` to remind, `repliers` who write.
    Returns (person ids of the reminded, chat ids of those who write)."""
    storage = services.storage
    rows = [UnitRow("P", "Tinh", "province", None, False, 0), UnitRow("D", "Huyen", "district", "P", False, 0)]
    rows += [UnitRow(f"B{i}", f"Chi doan {i}", "branch", "D", False, 10) for i in range(fanout + repliers)]
    await storage.units.import_rows(rows, now)
    units = {u.code: u.id for u in await storage.units.all()}
    reminded, writers = [], []
    for i in range(fanout + repliers):
        chat = (FANOUT_BASE + i) if i < fanout else (REPLY_BASE + i - fanout)
        digest = invites.hash_code(f"bench-{i}")
        await storage.invites.create(digest, "benc", units[f"B{i}"], "secretary", now, now + timedelta(days=1))
        await storage.invites.redeem(digest, "telegram", str(chat), str(chat), f"Nguoi {i}", now)
        if i < fanout:
            reminded.append((await storage.people.identify("telegram", str(chat))).person.id)
        else:
            writers.append(chat)
    return reminded, writers


def arrivals(count: int, rate: float, seed: int = 7) -> list[float]:
    """Poisson arrival offsets (seconds from the start) at `rate` a second."""
    rng, at, out = random.Random(seed), 0.0, []
    for _ in range(count):
        at += rng.expovariate(rate)
        out.append(at)
    return out


async def replies(application, api: TelegramLikeApi, chats: list[int], offsets: list[float]) -> list[float]:
    """Each chat writes once at its offset; returns each reply's latency (this run's seconds)."""
    loop = asyncio.get_running_loop()
    start = loop.time()
    sent_at: dict[int, float] = {}
    for chat, offset in zip(chats, offsets):
        await asyncio.sleep(max(0.0, start + offset - loop.time()))
        update = text_update(application.bot, person(chat, "Bi", f"Thu {chat}"), "xin chào")
        sent_at[chat] = loop.time()
        await application.update_queue.put(update)
    await application.update_queue.join()
    answered = {}
    for method, chat, moment in api.accepted:
        if method == "sendMessage" and chat in sent_at and chat not in answered and moment >= sent_at[chat]:
            answered[chat] = moment
    missing = [c for c in chats if c not in answered]
    if missing:
        raise SystemExit(f"{len(missing)} replies never arrived")
    return [answered[c] - sent_at[c] for c in chats]


async def fan_out(services, sender: Sender, people: list[int], tag: str) -> None:
    now = datetime.now(timezone.utc)
    await services.storage.outbox.enqueue(
        [NewMessage(f"{tag}:{i}", p, json.dumps(Reply(f"Nhắc hạn {tag} số {i}").to_dict(), ensure_ascii=False))
         for i, p in enumerate(people)], now)
    await sender.drain(idle=0.01, timeout=3600)


def quantiles(values: list[float], speed: float) -> str:
    ms = sorted(v * speed * 1000 for v in values)
    p = lambda q: ms[min(len(ms) - 1, int(q * len(ms)))]               # noqa: E731
    return (f"median {statistics.median(ms):7.1f} ms   p90 {p(0.90):7.1f} ms   p99 {p(0.99):7.1f} ms   "
            f"max {ms[-1]:7.1f} ms")


def rate_of(times: list[float], speed: float) -> float:
    times = sorted(times)
    return (len(times) - 1) / (times[-1] - times[0]) / speed if len(times) > 1 else 0.0


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--speed", type=float, default=1.0)
    parser.add_argument("--messages", type=int, default=3000)
    parser.add_argument("--replies", type=int, default=300)
    parser.add_argument("--reply-rate", type=float, default=5.0, help="replies a second (Telegram's time)")
    parser.add_argument("--rtt", type=float, default=0.05, help="a Bot API round trip, seconds (Telegram's time)")
    parser.add_argument("--no-alone", action="store_true", help="skip the fan-out-alone phase")
    parser.add_argument("--fifo", action="store_true", help="no priority for replies (comparison)")
    args = parser.parse_args()
    speed = args.speed
    limits = Limits(rate=Limits().rate * speed, chat_gap=Limits().chat_gap / speed)
    offsets = [o / speed for o in arrivals(args.replies, args.reply_rate)]

    with tempfile.TemporaryDirectory() as folder:
        folder = Path(folder)
        now = datetime.now(timezone.utc)
        services = await wiring.open_services(folder / "bench.sqlite3", bot_username="chidoan_test_bot")
        started = time.perf_counter()
        reminded, writers = await seed(services, args.messages, 2 * args.replies, now)
        print(f"seeded {len(reminded):,} reminded + {len(writers):,} writing secretaries "
              f"in {time.perf_counter() - started:.1f} s; speed x{speed:g}, round trip {args.rtt * 1000:.0f} ms, "
              f"Telegram's limit {TELEGRAM_RATE}/s, budget {Limits().rate:g}/s"
              f"{', FIFO (no priority)' if args.fifo else ''}", flush=True)

        api = TelegramLikeApi(rtt=args.rtt / speed, window=1.0 / speed)
        settings = load(env={"TELEGRAM_BOT_TOKEN": TOKEN, "DATABASE_PATH": str(folder / "unused.sqlite3")},
                        env_file=folder / "absent.env")
        application = build_application(settings, services=services, request=api)
        budget = (FifoBudget if args.fifo else Budget)(limits.rate)      # the channel's one budget, at this speed
        application.bot_data["channel"].budget = application.bot_data["budget"] = budget
        await application.initialize()
        await application.bot_data["channel"].post_init(application)
        await application.start()
        sender = Sender(services.storage, TelegramTransport(application.bot, budget), limits, budget=budget)

        print(f"1. {args.replies} replies, no fan-out ...", flush=True)
        alone = await replies(application, api, writers[:args.replies], offsets)
        print(f"   reply latency:                 {quantiles(alone, speed)}", flush=True)

        print(f"2. the same replies while {args.messages:,} reminders drain ...", flush=True)
        mark = len(api.accepted)
        draining = asyncio.create_task(fan_out(services, sender, reminded, "mixed"))
        await asyncio.sleep(2.0 / speed)
        under = await replies(application, api, writers[args.replies:], offsets)
        await draining
        window = api.accepted[mark:]
        fan_times = [m for name, chat, m in window if name == "sendMessage" and FANOUT_BASE <= chat < REPLY_BASE]
        first, last = min(fan_times), max(fan_times)
        total = [m for _, _, m in window if first <= m <= last]
        got = Counter(chat for name, chat, _ in window if name == "sendMessage" and FANOUT_BASE <= chat < REPLY_BASE)
        print(f"   reply latency under fan-out:   {quantiles(under, speed)}")
        p99 = lambda values: sorted(values)[min(len(values) - 1, int(0.99 * len(values)))]      # noqa: E731
        print(f"   p99 ratio (under / alone): {p99(under) / p99(alone):.2f}")
        overall = rate_of(total, speed)
        print(f"   while draining: {overall:.2f} calls/s through the budget = {overall / TELEGRAM_RATE:.1%} of "
              f"{TELEGRAM_RATE}/s (fan-out {rate_of(fan_times, speed):.2f}/s + replies and clean-up); "
              f"drained in {(last - first) * speed:.1f} s; lost {args.messages - len(got)}, "
              f"repeated {sum(got.values()) - len(got)}", flush=True)

        if not args.no_alone:
            print(f"3. {args.messages:,} reminders alone ...", flush=True)
            mark = len(api.accepted)
            await fan_out(services, sender, reminded, "alone")
            fan_times = [m for name, _, m in api.accepted[mark:] if name == "sendMessage"]
            alone_rate = rate_of(fan_times, speed)
            verdict = "ok" if alone_rate >= 0.95 * TELEGRAM_RATE else "BELOW 95%"
            print(f"   fan-out throughput: {alone_rate:.2f} msg/s = {alone_rate / TELEGRAM_RATE:.1%} of "
                  f"{TELEGRAM_RATE}/s ({verdict}); {len(fan_times):,} sent", flush=True)

        print(f"429s from the Bot API: {api.too_many}; outbox: {await services.storage.outbox.counts()}")
        await application.stop()
        await application.bot_data["channel"].settle()
        await application.shutdown()
        await wiring.close_services(services)


if __name__ == "__main__":
    asyncio.run(main())
