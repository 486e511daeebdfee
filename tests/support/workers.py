"""Several real `python -m bot serve` workers over one PostgreSQL database, for tests and the
fan-out benchmark: the people to send to, a fan-out queued for them, the workers started in
webhook mode against a loopback Bot API (tests/support/fake_botapi.py), killed or stopped, and
what the Bot API received counted.

Everything touches the database through the public repository API."""

from __future__ import annotations

import asyncio
import json
import os
import signal
import socket
import sys
import time
from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path

import httpx

from domain import invites
from domain.conversation import Reply
from storage import Storage
from storage.outbox import NewMessage
from storage.units import UnitRow
from tests.support.fake_botapi import TOKEN, FakeBotAPI

ROOT = Path(__file__).parent.parent.parent
SECRET = "workers-webhook-Secret_0123456789"
FIRST_CHAT = 700_000
# no deadlines of its own, and no quiet hours: the fan-out goes whatever the hour in Vietnam
CALENDAR = '[settings]\nquiet_start = "00:00"\nquiet_end = "00:00"\n'


async def seed_people(storage: Storage, count: int, now: datetime) -> list[int]:
    """`count` branches, each with a secretary on Telegram (chat FIRST_CHAT + n); their person ids."""
    rows = [UnitRow("P", "Tinh", "province", None, False, 0), UnitRow("D", "Huyen", "district", "P", False, 0)]
    rows += [UnitRow(f"B{n}", f"Chi doan {n}", "branch", "D", False, 10) for n in range(count)]
    await storage.units.import_rows(rows, now)
    units = {unit.code: unit.id for unit in await storage.units.all()}

    def join_all(tx) -> list[int]:
        ids = []
        for n in range(count):
            digest = invites.hash_code(f"workers-{n}")
            chat = str(FIRST_CHAT + n)
            tx.invites.create(digest, "work", units[f"B{n}"], "secretary", now, now + timedelta(days=1))
            tx.invites.redeem(digest, "telegram", chat, chat, f"Nguoi {n}", now)
            ids.append(tx.people.identify("telegram", chat).person.id)
        return ids

    return await storage.atomic(join_all)


def fanout_text(number: int) -> str:
    return f"Nhac han so {number}"


async def queue_fanout(storage: Storage, people: list[int], now: datetime, per_person: int = 1) -> int:
    """Queue `per_person` messages for each person (numbered texts, each once); how many."""
    messages = [NewMessage(f"fanout:{n}", people[n % len(people)], json.dumps(Reply(fanout_text(n)).to_dict()))
                for n in range(len(people) * per_person)]
    return await storage.outbox.enqueue(messages, now)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@dataclass
class Worker:
    port: int
    process: asyncio.subprocess.Process

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.port}"


@dataclass
class Workers:
    """N `python -m bot serve` over `database_url`, pushing to the fake Bot API at `api_base`."""

    database_url: str
    api_base: str
    folder: Path
    tick_seconds: int = 1
    workers: list[Worker] = field(default_factory=list)

    def env(self, number: int, port: int) -> dict[str, str]:
        env = {k: v for k, v in os.environ.items() if not k.startswith(("TELEGRAM_", "ZALO_", "DATABASE_"))}
        data = self.folder / f"worker{number}"
        data.mkdir(parents=True, exist_ok=True)
        calendar = self.folder / "calendar.toml"
        calendar.write_text(CALENDAR, encoding="utf-8")
        env.update({"TELEGRAM_BOT_TOKEN": TOKEN, "TELEGRAM_API_BASE_URL": self.api_base,
                    "TELEGRAM_WEBHOOK_SECRET": SECRET, "PUBLIC_URL": "https://bot.example.org",
                    "HOST": "127.0.0.1", "PORT": str(port), "DATA_DIR": str(data),
                    "DATABASE_URL": self.database_url, "REMINDER_TICK_SECONDS": str(self.tick_seconds),
                    "CALENDAR_FILE": str(calendar),
                    "LOG_LEVEL": "WARNING"})
        return env

    async def start(self, count: int) -> list[Worker]:
        """Start `count` more workers and wait until each says it is healthy."""
        started = []
        for _ in range(count):
            port = free_port()
            process = await asyncio.create_subprocess_exec(
                sys.executable, "-m", "bot", "serve", cwd=ROOT, env=self.env(len(self.workers), port),
                stdout=asyncio.subprocess.DEVNULL, stderr=asyncio.subprocess.PIPE)
            started.append(Worker(port, process))
            self.workers.append(started[-1])
        async with httpx.AsyncClient(timeout=5) as client:
            await asyncio.gather(*(self.healthy(client, worker) for worker in started))
        return started

    async def healthy(self, client: httpx.AsyncClient, worker: Worker, seconds: float = 30) -> dict:
        deadline = time.monotonic() + seconds
        while True:
            if worker.process.returncode is not None:
                error = await worker.process.stderr.read()
                raise AssertionError(f"a worker exited with {worker.process.returncode}: {error.decode()[-2000:]}")
            try:
                response = await client.get(f"{worker.base}/healthz")
                body = response.json()
                if response.status_code == 200 and all(w["taking"] for w in body["webhooks"].values()):
                    return body
            except (httpx.TransportError, ValueError):
                pass
            if time.monotonic() > deadline:
                raise AssertionError("a worker did not come up")
            await asyncio.sleep(0.05)

    async def stop(self) -> list[int]:
        """SIGTERM every worker still running, then wait; their exit codes (a killed one: -9)."""
        for worker in self.workers:
            if worker.process.returncode is None:
                worker.process.send_signal(signal.SIGTERM)
        codes = []
        for worker in self.workers:
            try:
                await asyncio.wait_for(worker.process.wait(), 30)
            except TimeoutError:
                worker.process.kill()
                await worker.process.wait()
            codes.append(worker.process.returncode)
        return codes

    async def __aenter__(self) -> "Workers":
        return self

    async def __aexit__(self, *exc) -> None:
        for worker in self.workers:
            if worker.process.returncode is None:
                worker.process.kill()
                await worker.process.wait()


def received(api: FakeBotAPI, expected: int) -> tuple[int, int, float]:
    """Of the numbered fan-out texts the Bot API accepted: (lost, repeated, messages a second from
    the first to the last)."""
    texts = Counter(a.text for a in api.accepted)
    wanted = {fanout_text(n) for n in range(expected)}
    lost = len(wanted - set(texts))
    repeated = sum(n - 1 for text, n in texts.items() if text in wanted)
    times = sorted(a.at for a in api.accepted)
    rate = (len(times) - 1) / (times[-1] - times[0]) if len(times) > 1 and times[-1] > times[0] else 0.0
    return lost, repeated, rate


async def until_received(api: FakeBotAPI, expected: int, seconds: float) -> None:
    """Wait until every numbered text arrived (or `seconds` passed)."""
    wanted = {fanout_text(n) for n in range(expected)}
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if wanted <= {a.text for a in api.accepted}:
            return
        await asyncio.sleep(0.1)
