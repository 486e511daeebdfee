"""Digest benchmark: a province of 5,000 branches with a year of monthly meetings and 1+1 counts.

Times (best of 3, after one cold pass that is printed too) and peak Python memory (tracemalloc,
a separate run) of building the digest, its message, the XLSX and the chart, for the whole
province and for one district.
Run: .venv/bin/python benchmarks/digest.py [--branches 5000] [--period 2026-11]
Target: <= 2 s for the province, <= 200 ms for a district (the default month).
"""

from __future__ import annotations

import argparse
import asyncio
import sys
import tempfile
import time
import tracemalloc
from datetime import date, datetime, timezone
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bot import app  # noqa: E402
from domain import periods  # noqa: E402
from domain.deadlines.calendar import load_calendar  # noqa: E402
from domain.digests import chart, compute, text, xlsx  # noqa: E402
from storage.units import UnitRow  # noqa: E402

NOW = datetime(2026, 11, 23, 2, 0, tzinfo=timezone.utc)
TODAY = date(2026, 11, 23)
DISTRICTS, GRASSROOTS = 10, 25          # per province, per district; branches split evenly below


def tree(branches: int) -> list[UnitRow]:
    rows = [UnitRow("P", "Province", "province", None, False, 0)]
    per = max(1, branches // (DISTRICTS * GRASSROOTS))
    for d in range(DISTRICTS):
        rows.append(UnitRow(f"D{d}", f"District {d}", "district", "P", False, 0))
        for g in range(GRASSROOTS):
            rows.append(UnitRow(f"G{d}-{g}", f"Commune {d}-{g}", "grassroots", f"D{d}", g % 5 == 0, 0))
            rows += [UnitRow(f"B{d}-{g}-{b}", f"Branch {d}-{g}-{b}", "branch", f"G{d}-{g}", g % 5 == 0 and b % 2 == 0,
                             15 + (b * 7) % 20) for b in range(per)]
    return rows


async def fill(services, branches: int) -> None:
    """A year of monthly branch meetings (some skipped) and committee meetings, with 1+1 counts;
    one branch meeting in 30 corrected after it was sent and one in 200 deleted (the audit trail)."""
    storage = services.storage
    await storage.units.import_rows(tree(branches), NOW)
    units = [u for u in await storage.units.all() if u.level == "branch"]
    delete = type(storage.reports).delete_meeting.inside

    def write(conn) -> None:
        for n, unit in enumerate(units):
            for month in range(1, 12):
                if (n + month) % 7 == 0 or (unit.border and month % 3):
                    continue
                held = date(2026, month, 1 + (n * 3) % 27)
                meeting = storage.reports.add_meeting(conn, unit.id, None, {
                    "held_on": held, "kind": "branch", "mode": "online" if unit.border else "in_person",
                    "attended": max(1, unit.members - (n + month) % 6)}, NOW)
                if (n + month) % 30 == 1:
                    storage.reports.update_meeting(conn, meeting, None, {"attended": unit.members}, NOW)
                elif (n + month) % 200 == 2:
                    delete(storage.reports, conn, meeting, None, NOW)
                if month % 2:
                    storage.reports.add_meeting(conn, unit.id, None, {
                        "held_on": held, "kind": "committee", "mode": "in_person", "attended": 5}, NOW)
            for key in ("2026-H1", "2026-H2"):
                storage.reports.save_recruitment(conn, unit.id, None, {
                    "period": key, "participants": unit.members - 2, "youth_reached": unit.members,
                    "new_members": n % 4, "party_introduced": n % 2}, NOW)

    await storage.db.run(write)


async def one_pass(services, root_id: int, period, out: Path) -> dict[str, float]:
    timings = {}
    start = time.perf_counter()
    digest = await compute.build(services.storage, root_id, period, TODAY, load_calendar())
    timings["digest"] = time.perf_counter() - start
    mark = time.perf_counter()
    text.render(digest)
    timings["message"] = time.perf_counter() - mark
    mark = time.perf_counter()
    xlsx.write_xlsx(digest, out / "bench.xlsx")
    timings["xlsx"] = time.perf_counter() - mark
    mark = time.perf_counter()
    chart.render(digest, out / "bench.png")
    timings["chart"] = time.perf_counter() - mark
    timings["total"] = time.perf_counter() - start
    return timings


async def measure(services, code: str, period, out: Path) -> None:
    unit = await services.storage.units.by_code(code)
    best: dict[str, float] = {}
    for _ in range(3):
        for key, value in (await one_pass(services, unit.id, period, out)).items():
            best[key] = min(best.get(key, value), value)
    tracemalloc.start()
    await one_pass(services, unit.id, period, out)
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    branches = await services.storage.units.count_below(unit.id, "branch")
    parts = "  ".join(f"{k} {v * 1000:7.1f} ms" for k, v in best.items())
    print(f"{code:>3} {period.key:>8} {branches:>5} branches  {parts}  peak {peak / 2**20:6.1f} MiB")


async def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--branches", type=int, default=5000)
    parser.add_argument("--period", action="append", help="period keys (default: 2026-11 and 2026)")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        out = Path(folder)
        services = await app.open_services(out / "bench.sqlite3", clock=lambda: NOW)
        try:
            started = time.perf_counter()
            await fill(services, args.branches)
            print(f"filled in {time.perf_counter() - started:.1f} s")
            cold = await one_pass(services, (await services.storage.units.by_code("D0")).id,
                                  periods.parse("2026-11"), out)
            print("first pass (cold caches)  D0  2026-11  "
                  + "  ".join(f"{k} {v * 1000:.1f} ms" for k, v in cold.items()))
            for key in args.period or ["2026-11", "2026"]:
                for code in ("P", "D0"):
                    await measure(services, code, periods.parse(key), out)
        finally:
            await app.close_services(services)


if __name__ == "__main__":
    asyncio.run(main())
