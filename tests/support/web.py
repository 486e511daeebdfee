"""The web app driven from tests: the real Telegram channel in webhook mode behind the ASGI app
(`Running`), the settings of a real `python -m bot serve` on loopback, and what the database says
was claimed."""

from __future__ import annotations

import asyncio
import contextlib
import json
import socket
import sqlite3
import time
from pathlib import Path

import httpx

from bot import app as wiring
from bot.channels.telegram import build_application
from bot.scheduler import Scheduler
from bot.settings import load
from bot.web import ChatHasher, Intake, create_app
from domain.deadlines.calendar import load_calendar
from tests.support.telegram_fake import TOKEN, FakeBotApi, LoopbackServer, person, text_update

ROOT = Path(__file__).parent.parent.parent
SECRET = "s3cret-webhook-Token_0123456789"
HEADER = "X-Telegram-Bot-Api-Secret-Token"
PUBLIC_URL = "https://bot.example.org"


class BotApi(FakeBotApi):
    """The fake Bot API, also answering setWebhook (recorded like every call)."""

    def _setWebhook(self, params: dict) -> tuple[int, bytes]:
        return 200, json.dumps({"ok": True, "result": True}).encode()


def update(user_id: int, text: str, update_id: int) -> dict:
    return text_update(None, person(user_id), text, update_id=update_id).to_dict()


def claimed(database: Path) -> set[str]:
    """The update keys the router claimed (each answered once)."""
    with contextlib.closing(sqlite3.connect(database)) as conn:
        return {row[0] for row in conn.execute("SELECT key FROM processed_updates")}


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class Running:
    """The real Telegram channel in webhook mode behind the ASGI app, with a fake Bot API."""

    def __init__(self, services, tmp_path: Path, *, forget_after: float = 1.0):
        self.services = services
        self.api = BotApi()
        self.stop = asyncio.Event()
        settings = load(env={"TELEGRAM_BOT_TOKEN": TOKEN, "TELEGRAM_WEBHOOK_SECRET": SECRET,
                             "PUBLIC_URL": PUBLIC_URL, "DATA_DIR": str(tmp_path)}, env_file=tmp_path / "none.env")
        self.settings = settings
        self.channel = build_application(settings, services=services, request=self.api,
                                         rate_limiter=False).bot_data["channel"]
        self.push = wiring.pushed_channels(settings)["telegram"]
        self.scheduler = Scheduler(services, load_calendar(None), [self.channel], tick_seconds=60)
        self.intake = Intake(services.storage, services.clock, forget_after=forget_after)
        self.hook = wiring.telegram_webhook(self.channel, self.push, self.stop, self.intake)
        self.health = wiring.Health(services, self.scheduler, 60, self.stop, [self.hook], settings.backups_dir)
        self.asgi = create_app([self.hook], self.health.check, hash_chat=ChatHasher(b"k"), max_body=64 * 1024)
        self.client = httpx.AsyncClient(transport=httpx.ASGITransport(app=self.asgi), base_url="http://bot")
        self.task: asyncio.Task | None = None

    async def __aenter__(self) -> "Running":
        await self.scheduler.tick()
        self.task = asyncio.create_task(self.channel.run_webhook(
            self.stop, self.push.url, self.push.secret, replay=lambda: self.intake.replay(self.hook),
            drain=self.intake.drain))
        for _ in range(200):
            if self.channel.webhook_open and self.api.called("setWebhook"):
                break
            await asyncio.sleep(0.01)
        return self

    async def __aexit__(self, *exc) -> None:
        self.stop.set()
        await asyncio.wait_for(self.task, 30)
        await self.intake.close()
        await self.client.aclose()

    async def post(self, body, secret: str | None = SECRET, **kwargs) -> httpx.Response:
        headers = {HEADER: secret} if secret is not None else {}
        if isinstance(body, (dict, list)):
            return await self.client.post("/telegram", json=body, headers=headers, **kwargs)
        return await self.client.post("/telegram", content=body, headers=headers, **kwargs)

    async def settle(self) -> None:
        await self.channel.settle_webhook()
        await self.channel.settle()


def serve_env(tmp_path: Path, api_server: LoopbackServer, port: int, **extra: str) -> dict[str, str]:
    return {"TELEGRAM_BOT_TOKEN": TOKEN, "TELEGRAM_API_BASE_URL": api_server.base_url,
            "TELEGRAM_FILE_BASE_URL": api_server.file_base_url, "TELEGRAM_WEBHOOK_SECRET": SECRET,
            "PUBLIC_URL": PUBLIC_URL, "HOST": "127.0.0.1", "PORT": str(port), "DATA_DIR": str(tmp_path),
            "DATABASE_PATH": str(tmp_path / "chidoan.sqlite3"), **extra}


async def wait_healthy(client: httpx.AsyncClient, base: str, seconds: float = 30) -> httpx.Response:
    deadline = time.monotonic() + seconds
    while True:
        try:
            response = await client.get(f"{base}/healthz")
            if response.status_code == 200 and all(w["taking"] for w in response.json()["webhooks"].values()):
                return response
        except httpx.TransportError:
            pass
        if time.monotonic() > deadline:
            raise AssertionError("the bot did not come up")
        await asyncio.sleep(0.05)
