"""One reminder tick over 100,000 branches under 1,000 districts, full default calendar, busy day.

Builds the tree (1 province, 1,000 districts, 10 grassroots units each, 10 branches each), one
secretary per branch and one officer per district and grassroots unit, then times one tick that
decides and queues everything due, and reports peak memory (tracemalloc: Python allocations;
ru_maxrss: the whole process). Target: <= 1 s and <= 200 MB.

    .venv/bin/python benchmarks/reminder_tick.py [--districts 1000] [--day 2026-06-05]
"""

from __future__ import annotations

import argparse
import asyncio
import resource
import shutil
import sys
import tempfile
import time
import tracemalloc
from datetime import date, datetime, time as clock_time, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bot import app, invites                                   # noqa: E402
from bot.deadlines.calendar import load_calendar               # noqa: E402
from bot.reminders import Reminders                            # noqa: E402
from messages_vi.formatting import LOCAL_TZ                    # noqa: E402
from storage.people import Invites                             # noqa: E402
from storage.units import UnitRow                              # noqa: E402


def tree(districts: int, grassroots: int, branches: int) -> list[UnitRow]:
    rows = [UnitRow("P", "Tinh doan", "province", None, False, 0)]
    for d in range(districts):
        rows.append(UnitRow(f"D{d}", f"Huyen doan {d}", "district", "P", False, 0))
        for g in range(grassroots):
            rows.append(UnitRow(f"G{d}-{g}", f"Doan xa {d}-{g}", "grassroots", f"D{d}", d % 20 == 0, 0))
            for b in range(branches):
                rows.append(UnitRow(f"B{d}-{g}-{b}", f"Chi doan {d}-{g}-{b}", "branch", f"G{d}-{g}",
                                    d % 20 == 0, 15))
    return rows


async def seed(services, rows: list[UnitRow], now: datetime) -> None:
    storage = services.storage
    await storage.units.import_rows(rows, now)
    units = {u.code: u for u in await storage.units.all()}

    def people(conn) -> None:
        for number, row in enumerate(rows):
            if row.level == "province":
                continue
            role = "secretary" if row.level == "branch" else "officer"
            code = f"bench-{number}"
            digest = invites.hash_code(code)
            Invites.create.inside(storage.invites, conn, digest, code[:4], units[row.code].id, role, now,
                                  now + timedelta(days=1))
            Invites.redeem.inside(storage.invites, conn, digest, "telegram", str(10_000 + number),
                                  str(10_000 + number), f"Nguoi {number}", now)

    await storage.db.run(people)


async def timed_tick(path: Path, now: datetime, trace: bool) -> None:
    services = await app.open_services(path, clock=lambda: now)
    ticker = Reminders(services.storage, load_calendar(None))
    if trace:
        tracemalloc.start()
    started = time.perf_counter()
    queued = await ticker.tick(now)
    elapsed = time.perf_counter() - started
    if trace:
        _, peak = tracemalloc.get_traced_memory()
        tracemalloc.stop()
        print(f"  with tracemalloc on (slower): peak Python memory during the tick {peak / 2**20:.0f} MB")
        await app.close_services(services)
        return
    print(f"tick at {now:%Y-%m-%d %H:%M} local: queued {queued:,} rows in {elapsed:.3f} s")
    started = time.perf_counter()
    again = await ticker.tick(now)
    print(f"  the next tick (same minute): queued {again} in {time.perf_counter() - started:.3f} s")
    started = time.perf_counter()
    restarted = await Reminders(services.storage, ticker.calendar).tick(now)
    print(f"  a tick after a restart: queued {restarted} in {time.perf_counter() - started:.3f} s")
    await app.close_services(services)


async def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--districts", type=int, default=1000)
    parser.add_argument("--day", default="2026-06-05", help="the local day of the tick (a busy one)")
    args = parser.parse_args()
    day = date.fromisoformat(args.day)
    now = datetime.combine(day, clock_time(9, 0), LOCAL_TZ)
    with tempfile.TemporaryDirectory() as folder:
        seeded = Path(folder) / "seeded.sqlite3"
        services = await app.open_services(seeded, clock=lambda: now)
        started = time.perf_counter()
        rows = tree(args.districts, 10, 10)
        await seed(services, rows, now - timedelta(days=30))
        await app.close_services(services)
        branches = sum(1 for r in rows if r.level == "branch")
        print(f"seeded {len(rows):,} units ({branches:,} branches) and their people "
              f"in {time.perf_counter() - started:.1f} s")
        for name in ("timed", "traced"):
            shutil.copy(seeded, Path(folder) / f"{name}.sqlite3")
        rss_before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
        await timed_tick(Path(folder) / "timed.sqlite3", now, trace=False)
        rss_after = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
        print(f"  process peak RSS {rss_after / 1024:.0f} MB (it was {rss_before / 1024:.0f} MB after seeding)")
        await timed_tick(Path(folder) / "traced.sqlite3", now, trace=True)


if __name__ == "__main__":
    asyncio.run(main())
