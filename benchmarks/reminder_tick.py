"""One reminder tick over 100,000 branches under 1,000 districts, full default calendar, busy day.

Builds the tree (1 province, 1,000 districts, 10 grassroots units each, 10 branches each), one
secretary per branch and one officer per district and grassroots unit, then, each in a fresh
process on its own copy of the database:

- cold: the first tick of a bot just started, at 09:00 on the busy day (it reads the whole tree),
  then the next tick in the same minute, then the tick of a bot restarted in that minute;
- warm: the busy tick of a bot that has been running (its 06:59 tick read the tree, in quiet hours);
- traced: the cold tick again under tracemalloc (slower), for the peak of Python allocations.

Each reports its time and the process's peak RSS (interpreter, modules, SQLite's page cache and
the tick). Target: <= 1 s and <= 200 MB.

On PostgreSQL as well (issue 14; target <= 2 s), with `--postgres` (a throwaway cluster) or
`--database-url postgresql://...` (a server of your own; benchmarks/postgres_server.py): the
seeded SQLite file is copied into a template database by `python -m bot migrate-to-postgres`'s own
code (storage/to_postgres.py) and vacuumed, as autovacuum would before a live bot's first tick;
each scenario then runs, after the same ones on SQLite, on its own fresh copy of it
(`CREATE DATABASE ... TEMPLATE ...`). There the peak RSS is the bot's process only: the server's
memory is its own (shared_buffers, printed with the other settings the figures depend on).

    .venv/bin/python benchmarks/reminder_tick.py [--districts 1000] [--day 2026-06-05]
        [--postgres | --database-url postgresql://user@host/any_database]
"""

from __future__ import annotations

import argparse
import asyncio
import resource
import shutil
import subprocess
import sys
import tempfile
import time
import tracemalloc
from datetime import date, datetime, time as clock_time, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from benchmarks import postgres_server                         # noqa: E402
from bot import app                                            # noqa: E402
from domain import invites  # noqa: E402
from domain.deadlines.calendar import load_calendar               # noqa: E402
from domain.reminders import Reminders                            # noqa: E402
from messages_vi.formatting import LOCAL_TZ                    # noqa: E402
from storage.people import Invites                             # noqa: E402
from storage.units import UnitRow                              # noqa: E402

SCENARIOS = ("cold", "warm", "traced")


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


def peak_rss_mb() -> float:
    """This process's peak RSS: Linux's VmHWM (ru_maxrss would count the parent's pages before exec)."""
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


async def timed(ticker: Reminders, now: datetime) -> tuple[int, float]:
    started = time.perf_counter()
    queued = await ticker.tick(now)
    return queued, time.perf_counter() - started


async def run(scenario: str, database: str, now: datetime) -> None:
    """One scenario, in this (fresh) process, on a SQLite file or a PostgreSQL URL."""
    services = await app.open_services(database, clock=lambda: now)
    calendar = load_calendar(None)
    ticker = Reminders(services.storage, calendar)
    before = peak_rss_mb()
    if scenario == "cold":
        queued, elapsed = await timed(ticker, now)
        rows = sum((await services.storage.outbox.counts()).values())
        print(f"cold first tick at {now:%Y-%m-%d %H:%M} local: queued {queued:,} messages "
              f"({rows:,} outbox rows, one per person) in {elapsed:.3f} s; process peak RSS {peak_rss_mb():.0f} MB")
        queued, elapsed = await timed(ticker, now)
        print(f"  the next tick (same minute): queued {queued} in {elapsed * 1000:.1f} ms")
        queued, elapsed = await timed(Reminders(services.storage, calendar), now)
        print(f"  a tick after a restart (same minute, a second Reminders in this process): "
              f"queued {queued} in {elapsed:.3f} s")
    elif scenario == "warm":
        await ticker.tick(now.replace(hour=6, minute=59))
        queued, elapsed = await timed(ticker, now)
        print(f"warm first busy tick (tree read by the 06:59 tick): queued {queued:,} messages in {elapsed:.3f} s")
    else:
        tracemalloc.start()
        await ticker.tick(now)
        _, peak = tracemalloc.get_traced_memory()
        tracemalloc.stop()
        print(f"traced cold tick (tracemalloc on, slower): peak Python allocations {peak / 2**20:.0f} MB")
    print(f"  process peak RSS {peak_rss_mb():.0f} MB ({before:.0f} MB before its first tick)")
    await app.close_services(services)


def scenarios(day: str, databases: dict[str, str]) -> None:
    for scenario, database in databases.items():
        subprocess.run([sys.executable, __file__, "--day", day, "--run", scenario, "--db", database], check=True)


def on_postgres(server: str, seeded: Path, day: str) -> None:
    """The scenarios on PostgreSQL: the seeded file copied into a template, a fresh copy per run."""
    from storage import to_postgres                # (which vacuums and analyzes what it copied)

    with postgres_server.fresh_database(server, "chidoan_bench_seeded") as template:
        started = time.perf_counter()
        copied = to_postgres.copy(seeded, template)
        if not all(table.same for table in copied):
            raise SystemExit(f"the copy into PostgreSQL lost rows: {[t for t in copied if not t.same]}")
        print(f"PostgreSQL ({postgres_server.settings_line(template)}): copied into a template database "
              f"with migrate-to-postgres's code and vacuumed in {time.perf_counter() - started:.1f} s; "
              "each scenario on its own CREATE DATABASE ... TEMPLATE")
        for scenario in SCENARIOS:
            with postgres_server.fresh_database(server, f"chidoan_bench_{scenario}", "chidoan_bench_seeded") as copy:
                scenarios(day, {scenario: copy})


async def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--districts", type=int, default=1000)
    parser.add_argument("--day", default="2026-06-05", help="the local day of the tick (a busy one)")
    postgres_server.add_arguments(parser)
    parser.add_argument("--run", choices=SCENARIOS, help=argparse.SUPPRESS)
    parser.add_argument("--db", help=argparse.SUPPRESS)
    args = parser.parse_args()
    now = datetime.combine(date.fromisoformat(args.day), clock_time(9, 0), LOCAL_TZ)
    if args.run:
        await run(args.run, args.db, now)
        return
    with tempfile.TemporaryDirectory() as folder, postgres_server.server(args) as server:
        seeded = Path(folder) / "seeded.sqlite3"
        services = await app.open_services(seeded, clock=lambda: now)
        started = time.perf_counter()
        rows = tree(args.districts, 10, 10)
        await seed(services, rows, now - timedelta(days=30))
        await app.close_services(services)
        branches = sum(1 for r in rows if r.level == "branch")
        print(f"seeded {len(rows):,} units ({branches:,} branches) and their people "
              f"in {time.perf_counter() - started:.1f} s")
        print("SQLite:")
        copies = {}
        for scenario in SCENARIOS:
            copies[scenario] = str(Path(folder) / f"{scenario}.sqlite3")
            shutil.copy(seeded, copies[scenario])
        scenarios(args.day, copies)
        if server is not None:
            on_postgres(server, seeded, args.day)


if __name__ == "__main__":
    asyncio.run(main())
