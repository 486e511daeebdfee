"""Fan-out with 1, 2 and 4 bot workers over one PostgreSQL database, against a loopback Bot API that
allows 30 messages a second (in any one-second window) and answers 429 past it.

For each N: a new database on a throwaway PostgreSQL cluster (tests/contract/postgres.py), the
people and one message each queued, N real `python -m bot serve` processes started (webhook mode,
the real sender, outbox and the database-kept pace, storage/rates.py), and the time from the first
message the Bot API accepted to the last. Prints msg/s and % of 30/s, lost, repeated and 429s.
Target: ≥ 95% of the limit, 0 lost, 0 repeated, whatever N.

`--claims` measures instead why the outbox claim and mark run READ COMMITTED (storage/outbox.py):
K workers (two claimers each) claiming from one queue at once (claim a batch, mark each row sent),
with the claim and the mark run SERIALIZABLE and READ COMMITTED: time, claims, serialization
failures (each unit of work run again), rows given twice.

    .venv/bin/python benchmarks/fanout_workers.py [--workers 1 2 4] [--messages 1500]
    .venv/bin/python benchmarks/fanout_workers.py --claims [--workers 2 4 8] [--messages 3000]

Run by hand (needs PostgreSQL's server binaries, as the contract tests do); not in CI.
"""

from __future__ import annotations

import argparse
import asyncio
import sys
import tempfile
import time
from collections import Counter
from datetime import datetime, timezone
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import psycopg                                                                     # noqa: E402

from storage import Storage                                                       # noqa: E402
from storage.outbox import Outbox                                                 # noqa: E402
from storage.postgres import RETRIES                                              # noqa: E402
from storage.repository import unit_of_work                                       # noqa: E402
from tests.contract.postgres import Cluster                                       # noqa: E402
from tests.support.fake_botapi import FakeBotAPI                                  # noqa: E402
from tests.support.workers import Workers, queue_fanout, received, seed_people, until_received  # noqa: E402

LIMIT = 30


async def fan_out(cluster: Cluster, workers: int, messages: int) -> None:
    api = FakeBotAPI(overall_per_second=LIMIT, per_chat_gap=1.0)
    base = await api.start()
    url = cluster.new_database()
    storage = await Storage.open(url)
    now = datetime.now(timezone.utc)
    people = await seed_people(storage, messages, now)
    try:
        with tempfile.TemporaryDirectory() as folder:
            async with Workers(url, base, Path(folder), tick_seconds=5) as running:
                await running.start(workers)
                await queue_fanout(storage, people, now)
                started = time.perf_counter()
                await until_received(api, messages, messages / 20 + 60)
                wall = time.perf_counter() - started
                await asyncio.sleep(1.0)                   # a late repeat would show here
                codes = await running.stop()
        lost, repeated, rate = received(api, messages)
        print(f"{workers} worker{'s' if workers > 1 else ' '}: {messages:,} messages in {wall:5.1f} s;"
              f" {rate:5.2f} msg/s = {rate / LIMIT:6.1%} of {LIMIT}/s; lost {lost}, repeated {repeated},"
              f" 429s {api.too_many}; exit codes {codes}", flush=True)
    finally:
        await storage.close()
        await api.stop()


def _serializable(method):
    """The same unit of work, run SERIALIZABLE (without its read_committed mark)."""
    inner = method.inside

    def plain(self, conn, *args, **kwargs):
        return inner(self, conn, *args, **kwargs)

    return unit_of_work(plain)


async def claims(cluster: Cluster, workers: int, messages: int, serializable: bool) -> None:
    url = cluster.new_database()
    seeding = await Storage.open(url)
    now = datetime.now(timezone.utc)
    people = await seed_people(seeding, messages, now)
    await queue_fanout(seeding, people, now)
    await seeding.close()
    storages = [await Storage.open(url) for _ in range(workers)]
    claim = _serializable(Outbox.claim) if serializable else Outbox.claim
    mark_sent = _serializable(Outbox.mark_sent) if serializable else Outbox.mark_sent
    given: Counter = Counter()
    calls = gave_up = 0

    async def worker(storage: Storage) -> None:
        nonlocal calls, gave_up
        while True:
            try:
                rows = await claim(storage.outbox, "telegram", datetime.now(timezone.utc), 29)
            except psycopg.errors.SerializationFailure:
                gave_up += 1                       # failed RETRIES times in a row: the sender would log it
                continue
            calls += 1
            if not rows:
                return
            given.update(row.id for row in rows)
            marks = await asyncio.gather(*(mark_sent(storage.outbox, row.id, "m", datetime.now(timezone.utc))
                                           for row in rows), return_exceptions=True)
            gave_up += sum(isinstance(mark, psycopg.errors.SerializationFailure) for mark in marks)

    started = time.perf_counter()
    await asyncio.gather(*(worker(storage) for storage in storages for _ in range(2)))
    wall = time.perf_counter() - started
    retried = sum(storage.db.stats["retried"] for storage in storages)
    for storage in storages:
        await storage.close()
    twice = sum(n > 1 for n in given.values())
    print(f"{'SERIALIZABLE  ' if serializable else 'READ COMMITTED'} {workers} workers x 2 claimers:"
          f" {len(given):,} rows in {wall:5.2f} s, {calls:,} claims, {retried:,} serialization failures"
          f" (run again), {gave_up} given up after {RETRIES} runs, {twice} rows given twice", flush=True)


async def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--workers", type=int, nargs="+", default=None)
    parser.add_argument("--messages", type=int, default=None)
    parser.add_argument("--claims", action="store_true", help="measure the claim's isolation instead")
    args = parser.parse_args()
    cluster = Cluster().start()
    try:
        if args.claims:
            for workers in args.workers or [2, 4, 8]:
                for serializable in (True, False):
                    await claims(cluster, workers, args.messages or 3000, serializable)
        else:
            for workers in args.workers or [1, 2, 4]:
                await fan_out(cluster, workers, args.messages or 1500)
    finally:
        cluster.stop()


if __name__ == "__main__":
    asyncio.run(main())
