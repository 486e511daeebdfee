"""Digest benchmark: a merged province as the Union is since 2025, a Tỉnh đoàn over 100 Đoàn
xã/phường and 5,000 branches (a fifth of the communes hold a school's Đoàn trường with a fifth of
their branches), with a year of monthly meetings, committee meetings, corrections and 1+1 counts.

For the Tỉnh đoàn and for one Đoàn xã, each period: the message (the digest built, then written
as text) and the spreadsheet (the digest built, then written as XLSX in a thread, as
handlers/digests.py does), timed separately, each the best of 3 after one cold pass, in wall time
and in this process's CPU time (every thread: the database's, the loop's, the writer's; it moves
less than wall time when other work shares the cores); the longest the event loop was held while
each was made (what every other chat waits, at worst, for its next step); the chart; and peak
Python memory (tracemalloc, a separate run). `--floor` adds the time XlsxWriter alone takes for the
same cells, written with its plainest public calls: the least any XLSX of that content can take here.
Run: .venv/bin/python benchmarks/digest.py [--branches 5000] [--communes 100] [--period 2026-11] [--floor]
Target (issue 13): <= 2 s for the Tỉnh đoàn's month and year, message and XLSX each.
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

import xlsxwriter

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bot import app  # noqa: E402
from domain import periods  # noqa: E402
from domain.deadlines.calendar import load_calendar  # noqa: E402
from domain.digests import chart, compute, text, xlsx  # noqa: E402
from storage.units import UnitRow  # noqa: E402

NOW = datetime(2026, 11, 23, 2, 0, tzinfo=timezone.utc)
TODAY = date(2026, 11, 23)
SCHOOL_EVERY = 5             # every fifth commune holds a Đoàn trường ...
SCHOOL_SHARE = 5             # ... with one branch in five of the commune's


def tree(branches: int, communes: int) -> list[UnitRow]:
    """Tỉnh đoàn → Đoàn xã/phường → (Đoàn trường) → chi đoàn; border communes one in five."""
    rows = [UnitRow("P", "Tỉnh đoàn Thử", "province", None, False, 0, level_name="province")]
    per = max(1, branches // communes)
    for c in range(communes):
        ward = c % 3 == 2
        border = c % 5 == 0
        rows.append(UnitRow(f"X{c}", f"Đoàn {'phường' if ward else 'xã'} Số {c}", "grassroots", "P", border, 0,
                            level_name="ward" if ward else "commune"))
        school = c % SCHOOL_EVERY == 1
        if school:
            rows.append(UnitRow(f"T{c}", f"Đoàn trường THPT Số {c}", "grassroots", f"X{c}", False, 0,
                                level_name="school"))
        for b in range(per):
            parent = f"T{c}" if school and b % SCHOOL_SHARE == 0 else f"X{c}"
            rows.append(UnitRow(f"B{c}-{b}", f"Chi đoàn Số {c}-{b}", "branch", parent, border and b % 2 == 0,
                                15 + (b * 7) % 20))
    return rows


async def fill(services, branches: int, communes: int) -> None:
    """A year of monthly branch meetings (some skipped) and committee meetings, with 1+1 counts;
    one branch meeting in 30 corrected after it was sent and one in 200 deleted (the audit trail)."""
    storage = services.storage
    await storage.units.import_rows(tree(branches, communes), NOW)
    units = [u for u in await storage.units.all() if u.level == "branch"]

    def write(tx) -> None:
        for n, unit in enumerate(units):
            for month in range(1, 12):
                if (n + month) % 7 == 0 or (unit.border and month % 3):
                    continue
                held = date(2026, month, 1 + (n * 3) % 27)
                meeting = tx.reports.add_meeting(unit.id, None, {
                    "held_on": held, "kind": "branch", "mode": "online" if unit.border else "in_person",
                    "attended": max(1, unit.members - (n + month) % 6)}, NOW)
                if (n + month) % 30 == 1:
                    tx.reports.update_meeting(meeting, None, {"attended": unit.members}, NOW)
                elif (n + month) % 200 == 2:
                    tx.reports.delete_meeting(meeting, None, NOW)
                if month % 2:
                    tx.reports.add_meeting(unit.id, None, {
                        "held_on": held, "kind": "committee", "mode": "in_person", "attended": 5}, NOW)
            for key in ("2026-H1", "2026-H2"):
                tx.reports.save_recruitment(unit.id, None, {
                    "period": key, "participants": unit.members - 2, "youth_reached": unit.members,
                    "new_members": n % 4, "party_introduced": n % 2}, NOW)

    await storage.atomic(write)


class LoopProbe:
    """The longest the event loop went without running a task that asked to wake every 5 ms."""

    STEP = 0.005

    async def __aenter__(self):
        self.longest, self.running = 0.0, True
        self.task = asyncio.create_task(self._watch())
        await asyncio.sleep(0)
        return self

    async def _watch(self) -> None:
        while self.running:
            mark = time.perf_counter()
            await asyncio.sleep(self.STEP)
            self.longest = max(self.longest, time.perf_counter() - mark - self.STEP)

    async def __aexit__(self, *_) -> None:
        self.running = False
        await self.task


async def one_pass(services, root_id: int, period, out: Path) -> dict[str, float]:
    """The message and the spreadsheet as a person asks for them: each builds its digest."""
    timings = {}
    calendar = load_calendar()
    async with LoopProbe() as probe:
        start, cpu = time.perf_counter(), time.process_time()
        digest = await compute.build(services.storage, root_id, period, TODAY, calendar)
        timings["build"] = time.perf_counter() - start
        text.render(digest)
        timings["message"] = time.perf_counter() - start
        timings["message_cpu"] = time.process_time() - cpu
    timings["message_held"] = probe.longest
    async with LoopProbe() as probe:
        mark, cpu = time.perf_counter(), time.process_time()
        digest = await compute.build(services.storage, root_id, period, TODAY, calendar)
        await asyncio.to_thread(xlsx.write_xlsx, digest, out / "bench.xlsx")
        timings["xlsx"] = time.perf_counter() - mark
        timings["xlsx_cpu"] = time.process_time() - cpu
    timings["xlsx_held"] = probe.longest
    mark = time.perf_counter()
    chart.render(digest, out / "bench.png")
    timings["chart"] = time.perf_counter() - mark
    return timings


async def measure(services, code: str, period, out: Path) -> None:
    unit = await services.storage.units.by_code(code)
    best: dict[str, float] = {}
    for _ in range(3):
        for key, value in (await one_pass(services, unit.id, period, out)).items():
            # times: the best of the passes; how long the loop was held: the worst
            best[key] = (max if key.endswith("_held") else min)(best.get(key, value), value)
    tracemalloc.start()
    await one_pass(services, unit.id, period, out)
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    branches = await services.storage.units.count_below(unit.id, "branch")
    print(f"{code:>3} {period.key:>8} {branches:>5} branches  message {best['message'] * 1000:7.1f} ms"
          f" (CPU {best['message_cpu'] * 1000:6.1f}; build {best['build'] * 1000:6.1f})"
          f"  XLSX {best['xlsx'] * 1000:7.1f} ms (CPU {best['xlsx_cpu'] * 1000:6.1f})"
          f" ({(out / 'bench.xlsx').stat().st_size / 2**20:4.1f} MiB)  chart {best['chart'] * 1000:5.1f} ms"
          f"  peak {peak / 2**20:6.1f} MiB  loop held at most {best['message_held'] * 1000:.0f} ms (message),"
          f" {best['xlsx_held'] * 1000:.0f} ms (XLSX)")


async def floor(services, code: str, period, out: Path) -> None:
    """XlsxWriter alone: every non-empty cell of the same tables through write_string/number/
    boolean/datetime, no format, no title block, no print setup; the best of 3."""
    unit = await services.storage.units.by_code(code)
    tables = xlsx.tables(await compute.build(services.storage, unit.id, period, TODAY, load_calendar()))
    cells = [[(row, column, value) for row, values in enumerate(table.rows, start=1)
              for column, value in enumerate(values) if value is not None and value != ""] for table in tables]
    best = None
    for _ in range(3):
        start = time.perf_counter()
        book = xlsxwriter.Workbook(str(out / "floor.xlsx"))
        for table, written in zip(tables, cells):
            page = book.add_worksheet(table.name[:31])
            by_type = {str: page.write_string, int: page.write_number, float: page.write_number,
                       bool: page.write_boolean}
            for row, column, value in written:
                by_type.get(value.__class__, page.write_datetime)(row, column, value)
        book.close()
        took = time.perf_counter() - start
        best = took if best is None else min(best, took)
    count = sum(map(len, cells))
    print(f"{code:>3} {period.key:>8} XlsxWriter alone, {count:,} cells: {best * 1000:7.1f} ms"
          f" ({best / count * 1e6:.1f} µs a cell)")


async def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--branches", type=int, default=5000)
    parser.add_argument("--communes", type=int, default=100)
    parser.add_argument("--period", action="append", help="period keys (default: 2026-11 and 2026)")
    parser.add_argument("--floor", action="store_true", help="also time XlsxWriter alone on the same cells")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        out = Path(folder)
        services = await app.open_services(out / "bench.sqlite3", clock=lambda: NOW)
        try:
            started = time.perf_counter()
            await fill(services, args.branches, args.communes)
            print(f"filled in {time.perf_counter() - started:.1f} s")
            cold = await one_pass(services, (await services.storage.units.by_code("X1")).id,
                                  periods.parse("2026-11"), out)
            print("first pass (cold caches)  X1  2026-11  "
                  + "  ".join(f"{k} {v * 1000:.1f} ms" for k, v in cold.items()))
            for key in args.period or ["2026-11", "2026"]:
                for code in ("P", "X1"):
                    await measure(services, code, periods.parse(key), out)
                if args.floor:
                    await floor(services, "P", periods.parse(key), out)
        finally:
            await app.close_services(services)


if __name__ == "__main__":
    asyncio.run(main())
