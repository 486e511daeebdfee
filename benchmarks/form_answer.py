"""One form answer through python-telegram-bot, against the framework's floor and a bare commit.

All three go through `Application.process_update` with a request layer that answers locally
(tests/support/telegram_fake.py; no rate limiter), in one run:

  A  one answer of the meeting form on the demo database: the attendance count "12" is parsed,
     checked, the form's state committed with the update's redelivery mark, the next message
     built and sent (the previous question's buttons are closed after the reply, untimed). The
     run stops if any measured answer takes other than one trip to the database.
  B  a bare echo handler: the framework's floor.
  C  an echo handler that first inserts one row and commits it through production's
     `storage.db.Database` (one trip to the database thread; WAL, synchronous=NORMAL): the floor
     of a durable answer.
  D  C answering what A answers (the summary text under three inline buttons): the floor of a
     durable answer that carries buttons, since python-telegram-bot's building and parsing of
     an inline keyboard costs about as much as the database trip.

To time the same answer every time, each measured "12" (attendance step -> summary) is preceded
by an untimed "quay lai" (summary -> back to the attendance step); both are real answers that
commit the form's state, and the run checks at the end that every one of them did.
A, B and C are measured in interleaved rounds, so a busy machine slows all three alike.
Target: A's median <= 1.3 x C's median and A's p99 <= 2 ms.

With `--postgres` (a throwaway cluster) or `--database-url postgresql://...` (benchmarks/
postgres_server.py), A and C run on PostgreSQL too, each on a new database of that server, in the
same interleaved rounds (issue 14): "A pg" is A with the demo database in PostgreSQL, "C pg" C's
insert and commit through production's storage.postgres.PostgresDatabase. The run prints their
medians beside SQLite's and the ratios; the target above stays SQLite's.

    .venv/bin/python benchmarks/form_answer.py [--iterations 2000] [--warmup 200] [--profile]
        [--postgres | --database-url postgresql://user@host/any_database]
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import cProfile
import pstats
import resource
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from telegram import InlineKeyboardButton, InlineKeyboardMarkup  # noqa: E402
from telegram.ext import Application, ApplicationBuilder, MessageHandler, filters  # noqa: E402

from benchmarks import postgres_server                         # noqa: E402
from bot import app as wiring, demo                              # noqa: E402
from bot.channels.telegram import build_application              # noqa: E402
from bot.settings import load                                    # noqa: E402
from storage.db import Database                                  # noqa: E402
from storage.sql import is_postgres_url                          # noqa: E402
from tests.support import make_invite                            # noqa: E402
from tests.support.telegram_fake import TOKEN, FakeBotApi, person, text_update  # noqa: E402

USER = person(424242, "Bench", "Secretary")
# What A sends back after "12": the meeting form's summary and its Save / Edit / Cancel buttons.
SUMMARY_REPLY = (
    "Báo cáo sinh hoạt — Chi đoàn 12A1 Trường THPT Tân Biên\n• Ngày: Thứ Hai, 23 tháng 11, 2026\n"
    "• Loại: Sinh hoạt chi đoàn\n• Hình thức: Trực tiếp\n• Số tham dự: 12\n• Nội dung: (không có)\n"
    "Bấm Lưu để gửi, Sửa để đổi một mục, Hủy để bỏ.\nMuốn thêm nội dung thì gõ luôn vào đây.",
    InlineKeyboardMarkup([[InlineKeyboardButton("✅ Lưu", callback_data="f:1:10:s"),
                           InlineKeyboardButton("✏️ Sửa", callback_data="f:1:10:e"),
                           InlineKeyboardButton("✖ Hủy", callback_data="f:1:10:x")]]),
)
ROUNDS = 10


async def timed(app: Application, api: FakeBotApi, text: str, profiler: cProfile.Profile | None = None) -> float:
    """Milliseconds for one update through process_update (the Update is built before)."""
    update = text_update(app.bot, USER, text)
    if profiler:
        profiler.enable()
    start = time.perf_counter()
    await app.process_update(update)
    elapsed = (time.perf_counter() - start) * 1000
    if profiler:
        profiler.disable()
    channel = app.bot_data.get("channel")
    if channel is not None:
        # closing the answered question's buttons runs after the reply, off the person's path;
        # let it finish outside the timing so it does not land inside the next measurement
        await channel.settle()
    # the fake keeps every call and message for tests; here only the last messages matter
    api.calls.clear()
    for key in list(api.messages)[:-4]:
        del api.messages[key]
    return elapsed


class FormAnswer:
    """A: the attendance answer of an open meeting form, on the demo database (a SQLite file in
    `folder`, or the PostgreSQL database at `database`)."""

    def __init__(self, folder: Path, profile: bool, database: str | None = None):
        self.folder = folder
        self.database = database or folder / "demo.sqlite3"
        self.api = FakeBotApi()
        self.profiler = cProfile.Profile() if profile else None
        self.answers = 0

    async def open(self) -> None:
        self.services = await wiring.open_services(self.database)
        await demo.ensure(self.services.storage, self.services.clock())
        units = await self.services.storage.units.all()
        branch = max((u for u in units if u.level == "branch"), key=lambda u: u.members)
        if branch.members < 12:
            raise SystemExit("the demo data needs a branch of at least 12 members")
        settings = load(env={"TELEGRAM_BOT_TOKEN": TOKEN, "DATABASE_PATH": str(self.folder / "demo.sqlite3")},
                        env_file=self.folder / "absent.env")
        self.app = build_application(settings, services=self.services, request=self.api, rate_limiter=False)
        await self.app.initialize()
        await self.app.bot_data["channel"].post_init(self.app)
        self.trips = 0
        real = self.services.storage.db.run

        async def counted(fn, *args):
            self.trips += 1
            return await real(fn, *args)

        self.services.storage.db.run = counted       # the answer's trips to the database, counted
        code = await make_invite(self.services, branch.code)
        for text in (f"/start {code}", "/sinhhoat", "hom nay", "sinh hoat", "12"):   # now at the summary
            await timed(self.app, self.api, text)
        self.first_version = (await self._session()).version

    async def one(self, measured: bool) -> float:
        await timed(self.app, self.api, "quay lai")
        self.answers += 2
        trips = self.trips
        elapsed = await timed(self.app, self.api, "12", self.profiler if measured else None)
        if self.trips - trips != 1:
            raise SystemExit(f"an answer took {self.trips - trips} trips to the database, not one")
        return elapsed

    async def close(self) -> None:
        session = await self._session()
        if session.version - self.first_version != self.answers:
            raise SystemExit(f"expected {self.answers} committed answers, got {session.version - self.first_version}")
        if session.state["at"] != "summary" or session.state["answers"]["attended"] != 12:
            raise SystemExit(f"the form is not where the benchmark left it: {session.state}")
        await self.app.shutdown()
        await wiring.close_services(self.services)
        if self.profiler:
            pstats.Stats(self.profiler).sort_stats("tottime").print_stats(25)

    async def _session(self):
        return (await self.services.storage.forms.conversation("telegram", str(USER["id"]))).session


class Echo:
    """B without a database; C with one (a SQLite file, or a PostgreSQL URL): the echo inserts and
    commits one row first. D is C answering with what A answers: the form's summary text under its
    three buttons."""

    def __init__(self, database: Path | str | None, reply: tuple[str, InlineKeyboardMarkup] | None = None):
        self.database = database
        self.reply = reply
        self.api = FakeBotApi()
        self.db = None
        self.count = 0

    async def open(self) -> None:
        if is_postgres_url(self.database):
            from storage.postgres import PostgresDatabase

            self.db = await PostgresDatabase.open(self.database)
            await self.db.run(lambda c: c.execute(
                "CREATE TABLE echo (id BIGINT GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY, chat_id BIGINT, text TEXT)"))
        elif self.database is not None:
            self.db = await Database.open(self.database)
            await self.db.run(lambda c: c.execute("CREATE TABLE echo (id INTEGER PRIMARY KEY, chat_id INTEGER, text TEXT)"))
        self.app = ApplicationBuilder().token(TOKEN).request(self.api).get_updates_request(self.api).build()
        self.app.add_handler(MessageHandler(filters.TEXT, self.echo))
        await self.app.initialize()

    async def echo(self, update, context) -> None:
        message = update.effective_message
        if self.db is not None:
            await self.db.run(lambda c: c.execute("INSERT INTO echo (chat_id, text) VALUES (?, ?)",
                                                  (message.chat_id, message.text)))
        if self.reply is None:
            await context.bot.send_message(message.chat_id, message.text)
        else:
            await context.bot.send_message(message.chat_id, self.reply[0], reply_markup=self.reply[1])

    async def one(self, measured: bool) -> float:
        self.count += 1
        return await timed(self.app, self.api, "12")

    async def close(self) -> None:
        await self.app.shutdown()
        if self.db is not None:
            rows = await self.db.run(lambda c: c.execute("SELECT count(*) FROM echo").fetchone()[0])
            if rows != self.count:
                raise SystemExit("the echo lost rows")
            await self.db.close()


def summary(samples: list[float]) -> tuple[float, float]:
    return statistics.median(samples), statistics.quantiles(samples, n=100)[98]


LABELS = {"A": "form answer", "B": "bare echo", "C": "echo + one insert/commit",
          "D": "C, replying A's summary + buttons", "A pg": "A on PostgreSQL", "C pg": "C on PostgreSQL"}


async def main(iterations: int, warmup: int, profile: bool, server: str | None) -> int:
    with tempfile.TemporaryDirectory() as tmp, contextlib.ExitStack() as databases:
        folder = Path(tmp)
        cases = {"A": FormAnswer(folder, profile), "B": Echo(None), "C": Echo(folder / "echo.sqlite3"),
                 "D": Echo(folder / "echo-d.sqlite3", SUMMARY_REPLY)}
        if server is not None:
            form = databases.enter_context(postgres_server.fresh_database(server, "chidoan_bench_form"))
            echo = databases.enter_context(postgres_server.fresh_database(server, "chidoan_bench_echo"))
            cases |= {"A pg": FormAnswer(folder, False, form), "C pg": Echo(echo)}
        for case in cases.values():
            await case.open()
        for case in cases.values():
            for _ in range(warmup):
                await case.one(measured=False)
        samples: dict[str, list[float]] = {name: [] for name in cases}
        for round_number in range(ROUNDS):
            for name, case in cases.items():
                share = iterations // ROUNDS + (round_number < iterations % ROUNDS)
                samples[name] += [await case.one(measured=True) for _ in range(share)]
        peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        for case in cases.values():
            await case.close()
        settings = postgres_server.settings_line(echo) if server is not None else ""
    results = {name: summary(values) for name, values in samples.items()}
    print(f"{iterations} measured updates each, after {warmup} warm-up, in {ROUNDS} interleaved rounds; ms")
    for name, (median, p99) in results.items():
        print(f"  {name:<4} {LABELS[name]:<34} median {median:6.3f}   p99 {p99:6.3f}")
    (a_median, a_p99), (b_median, _), (c_median, _), (d_median, _) = (results[k] for k in "ABCD")
    print(f"  A/B {a_median / b_median:.2f}   A/C {a_median / c_median:.2f}   A/D {a_median / d_median:.2f}")
    if server is not None:
        pg_a, pg_c = results["A pg"][0], results["C pg"][0]
        print(f"  PostgreSQL ({settings}):")
        print(f"    A pg/A {pg_a / a_median:.2f}   C pg/C {pg_c / c_median:.2f}   A pg/C pg {pg_a / pg_c:.2f}")
    met = a_median <= 1.3 * c_median and a_p99 <= 2.0
    print(f"target (A median <= 1.3 x C, A p99 <= 2 ms): {'met' if met else 'MISSED'}")
    print(f"peak memory (ru_maxrss, demo database loaded): {peak_mb:.1f} MB")
    return 0 if met else 1


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--iterations", type=int, default=2000)
    parser.add_argument("--warmup", type=int, default=200)
    parser.add_argument("--profile", action="store_true", help="print where A's time goes (cProfile, self time)")
    postgres_server.add_arguments(parser)
    args = parser.parse_args()
    with postgres_server.server(args) as url:
        sys.exit(asyncio.run(main(args.iterations, args.warmup, args.profile, url)))
