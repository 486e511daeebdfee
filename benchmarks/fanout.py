"""Drain 3,000 reminders to 3,000 chats against a loopback Bot API fake that allows 30 messages a
second (in any one-second window) and answers 429 past it. Prints the achieved rate as a fraction
of 30/s, the 429s, and checks that every message arrived exactly once.

The real python-telegram-bot HTTP client (HTTPXRequest) and the real sender and outbox are used.

    .venv/bin/python benchmarks/fanout.py [--messages 3000] [--rate 29]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import sys
import tempfile
import time
from collections import Counter
from datetime import datetime, timedelta, timezone
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from telegram import Bot                                        # noqa: E402
from telegram.request import HTTPXRequest                       # noqa: E402

from bot import app                                    # noqa: E402
from domain import invites  # noqa: E402
from bot.channels.telegram import TelegramTransport             # noqa: E402
from domain.sender import Limits, Sender                           # noqa: E402
from domain.conversation import Reply                                # noqa: E402
from storage.outbox import NewMessage                           # noqa: E402
from storage.people import Invites                              # noqa: E402
from storage.units import UnitRow                               # noqa: E402
from tests.support.fake_botapi import TOKEN, FakeBotAPI         # noqa: E402

LIMIT = 30


async def seed(services, count: int, now: datetime) -> list[int]:
    """`count` branches, each with a secretary on Telegram; returns their person ids."""
    rows = [UnitRow("P", "Tinh", "province", None, False, 0), UnitRow("D", "Huyen", "district", "P", False, 0)]
    rows += [UnitRow(f"B{i}", f"Chi doan {i}", "branch", "D", False, 10) for i in range(count)]
    await services.storage.units.import_rows(rows, now)
    units = {u.code: u.id for u in await services.storage.units.all()}
    storage = services.storage

    def people(conn) -> list[int]:
        ids = []
        for i in range(count):
            digest = invites.hash_code(f"fanout-{i}")
            Invites.create.inside(storage.invites, conn, digest, "fano", units[f"B{i}"], "secretary", now,
                                  now + timedelta(days=1))
            Invites.redeem.inside(storage.invites, conn, digest, "telegram", str(500_000 + i), str(500_000 + i),
                                  f"Nguoi {i}", now)
            ids.append(conn.execute("SELECT id FROM people WHERE external_id = ?", (str(500_000 + i),)).fetchone()[0])
        return ids

    return await storage.db.run(people)


async def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--messages", type=int, default=3000)
    parser.add_argument("--rate", type=float, default=Limits().rate, help="the sender's pace, messages a second")
    args = parser.parse_args()
    fake = FakeBotAPI(overall_per_second=LIMIT, per_chat_gap=1.0)
    base = await fake.start()
    now = datetime.now(timezone.utc)
    with tempfile.TemporaryDirectory() as folder:
        services = await app.open_services(Path(folder) / "fanout.sqlite3")
        people = await seed(services, args.messages, now)
        await services.storage.outbox.enqueue(
            [NewMessage(f"fanout:{i}", person, json.dumps(Reply(f"Nhac han so {i}").to_dict()))
             for i, person in enumerate(people)], now)
        bot = Bot(TOKEN, base_url=base, request=HTTPXRequest(connection_pool_size=64))
        await bot.initialize()
        sender = Sender(services.storage, TelegramTransport(bot), Limits(rate=args.rate))
        print(f"draining {args.messages:,} messages to {args.messages:,} chats at a pace of {args.rate}/s "
              f"against a fake allowing {LIMIT}/s ...", flush=True)
        started = time.perf_counter()
        await sender.drain(timeout=600)
        wall = time.perf_counter() - started
        times = sorted(a.at for a in fake.accepted)
        rate = (len(times) - 1) / (times[-1] - times[0])
        texts = Counter(a.text for a in fake.accepted)
        missing = args.messages - len(texts)
        repeated = sum(n - 1 for n in texts.values())
        print(f"accepted {len(fake.accepted):,} in {wall:.1f} s; achieved {rate:.2f} msg/s = "
              f"{rate / LIMIT:.1%} of {LIMIT}/s; 429s: {fake.too_many}; lost: {missing}; repeated: {repeated}")
        print("outbox:", await services.storage.outbox.counts())
        await bot.shutdown()
        await app.close_services(services)
    await fake.stop()


if __name__ == "__main__":
    asyncio.run(main())
