"""The outbox sender draining 3,000 queued messages to 3,000 Zalo chats through ZaloChannel.deliver,
against the fake Zalo Bot API on loopback (tests/support/fake_zalo.py), over real HTTP.

Each message is a reminder with a choice, so every delivery also writes the chat's numbered menu
(as on Zalo). Some sends are refused on purpose (`--faults`: every N-th attempt, alternately a 429
with a proxy's HTML page and a 502), to show the retries neither lose nor repeat a message.
`--limit` makes the fake answer 429 past that many sends a second, as a platform cap would.

Prints messages a second (first to last accepted send), the wall time, what was lost and repeated
(expected: 0 and 0), the refusals, the outbox's counts, and the bot's monthly quota count (expected:
exactly the messages the fake accepted; `--quota` is the monthly quota, by default the messages
queued or Zalo's free 3,000, whichever is larger, so that none is held back).

    .venv/bin/python benchmarks/zalo_sender.py [--messages 3000] [--rate 1000] [--faults 250] [--limit N] [--quota N]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import re
import sys
import tempfile
import time
from collections import Counter
from datetime import datetime, timedelta, timezone
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bot import app                                             # noqa: E402
from bot.channels.zalo import ZaloChannel                       # noqa: E402
from bot.channels.zalo_api import ZaloBotAPI                    # noqa: E402
from bot.settings import ZALO_FREE_MONTHLY_QUOTA                # noqa: E402
from domain import invites                                      # noqa: E402
from domain.conversation import Action, Button, Reply, rows     # noqa: E402
from domain.sender import Budget, Limits, Sender                # noqa: E402
from storage.outbox import NewMessage                           # noqa: E402
from storage.units import UnitRow                               # noqa: E402
from tests.support.fake_zalo import TOKEN, FakeZalo             # noqa: E402

NUMBER = re.compile(r"số (\d+)\b")


async def seed(services, count: int, now: datetime) -> dict[int, str]:
    """`count` branches, each with a secretary on Zalo; returns {person id: chat id}."""
    rows_ = [UnitRow("P", "Tinh", "province", None, False, 0), UnitRow("D", "Huyen", "district", "P", False, 0)]
    rows_ += [UnitRow(f"B{i}", f"Chi doan {i}", "branch", "D", False, 10) for i in range(count)]
    await services.storage.units.import_rows(rows_, now)
    units = {u.code: u.id for u in await services.storage.units.all()}

    def join(tx) -> None:
        for i in range(count):
            digest = invites.hash_code(f"zalo-bench-{i}")
            tx.invites.create(digest, "zalo", units[f"B{i}"], "secretary", now, now + timedelta(days=1))
            user = f"{i:020x}"
            tx.invites.redeem(digest, "zalo", user, user, f"Nguoi {i}", now)

    await services.storage.atomic(join)
    return {p.id: p.chat_id for p, _, _ in await services.storage.people.on_channel("zalo")}


def reminder(i: int) -> str:
    reply = Reply(f"⏰ Nhắc hạn số {i}: còn 2 ngày đến hạn báo cáo sinh hoạt tháng 11.",
                  rows(Button("📝 Báo cáo ngay", Action.command("sinhhoat")), Button("☰ Menu", Action.command("menu"))))
    return json.dumps(reply.to_dict(), ensure_ascii=False)


async def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--messages", type=int, default=3000)
    parser.add_argument("--rate", type=float, default=1000.0,
                        help="the budget's pace, sends a second (Limits().rate, 29, is Telegram's)")
    parser.add_argument("--faults", type=int, default=250,
                        help="every N-th send attempt is refused (429 HTML, then 502, in turn); 0: none")
    parser.add_argument("--limit", type=int, default=None, help="the fake answers 429 past this many sends a second")
    parser.add_argument("--quota", type=int, default=None,
                        help="the bot's monthly quota (default: --messages or 3,000, whichever is larger)")
    args = parser.parse_args()

    fake = FakeZalo(per_second=args.limit, retry_after=1 if args.limit else None)
    await fake.start()
    scripted = Counter()
    if args.faults:
        for n, attempt in enumerate(range(args.faults, args.messages + 1, args.faults)):
            fault = "429" if n % 2 == 0 else "502"
            fake.fail(attempt, fault)
            scripted[fault] += 1
    now = datetime.now(timezone.utc)
    with tempfile.TemporaryDirectory() as folder:
        services = await app.open_services(Path(folder) / "zalo.sqlite3")
        people = await seed(services, args.messages, now)
        queued = await services.storage.outbox.enqueue(
            [NewMessage(f"zalo-bench:{i}", person, reminder(i)) for i, person in enumerate(people)], now)
        assert queued == args.messages, queued
        limits = Limits(rate=args.rate, backoff=1.0)
        async with ZaloBotAPI(TOKEN, fake.base_url) as api:
            quota = args.quota or max(args.messages, ZALO_FREE_MONTHLY_QUOTA)
            channel = ZaloChannel(services, api, budget=Budget(limits.rate), monthly_quota=quota)
            sender = Sender(services.storage, channel, limits, budget=channel.budget)
            print(f"draining {args.messages:,} messages to {args.messages:,} Zalo chats through ZaloChannel.deliver, "
                  f"budget {args.rate:g}/s, a refusal every {args.faults or '∞'} attempts"
                  + (f", fake capped at {args.limit}/s" if args.limit else "") + " ...", flush=True)
            started = time.perf_counter()
            await sender.drain(timeout=900)
            wall = time.perf_counter() - started
            counted = await channel.quota.used()
            held = await channel.quota.held(datetime.now(timezone.utc))      # waiting for next month's quota
        accepted = [s for s in fake.sent if s.method == "sendMessage"]
        times = sorted(s.at for s in accepted)
        rate = (len(times) - 1) / (times[-1] - times[0]) if len(times) > 1 else float("nan")
        delivered = Counter((s.chat_id, int(NUMBER.search(s.text).group(1))) for s in accepted)
        expected = {(people[person], i) for i, person in enumerate(people)}
        lost = len(expected - delivered.keys()) - held
        repeated = sum(n - 1 for n in delivered.values())
        stray = len(delivered.keys() - expected)
        menus = sum([await services.storage.menus.last("zalo", chat) is not None for chat in list(people.values())[:50]])
        print(f"accepted {len(accepted):,} in {wall:.2f} s: {rate:,.0f} messages a second "
              f"({args.messages / wall:,.0f}/s over the whole drain); lost: {lost}; repeated: {repeated}; "
              f"to a wrong chat: {stray}", flush=True)
        print(f"refused by the fake: {fake.too_many} × 429 ({scripted['429']} scripted with an HTML page), "
              f"{scripted['502']} × 502 (HTML); sender: {sender.stats}", flush=True)
        print(f"outbox: {await services.storage.outbox.counts()}; numbered menus remembered: {menus}/50 sampled chats",
              flush=True)
        miscounted = counted != len(accepted)
        print(f"quota count for the month: {counted:,} of {quota:,} "
              f"({'exact' if not miscounted else 'WRONG'}: the fake accepted {len(accepted):,}); "
              f"held back for next month (a smaller --quota): {held:,}", flush=True)
        await app.close_services(services)
    await fake.stop()
    if lost or repeated or stray or miscounted:
        sys.exit(1)


if __name__ == "__main__":
    asyncio.run(main())
