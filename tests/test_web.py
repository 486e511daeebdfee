"""`python -m bot serve`: the webhooks and /healthz (bot/web.py), through httpx's ASGI transport with
the real Telegram channel behind them, then served by uvicorn on loopback, then as a process
stopped by SIGTERM in the middle of a burst."""

from __future__ import annotations

import asyncio
import json
import logging
import os
import random
import signal
import socket
import sqlite3
import sys
import time
from pathlib import Path

import httpx

from bot import app as wiring
from bot.channels import telegram as telegram_module
from bot.settings import load
from bot.web import ChatHasher, create_app
from tests.support import make_invite, seed_tree
from tests.support.telegram_fake import TOKEN, LoopbackServer
from tests.support.web import (
    HEADER, PUBLIC_URL, ROOT, SECRET, BotApi, Running, claimed, free_port, serve_env, update, wait_healthy,
)


async def test_a_missing_or_wrong_secret_is_403_and_nothing_is_handled(services, tmp_path, caplog):
    async with Running(services, tmp_path) as bot:
        sent_before = len(bot.api.sent())
        for secret in (None, "", "wrong", SECRET[:-1], SECRET + "x", SECRET.upper()):
            response = await bot.post(update(7001, "/start", 5001), secret=secret)
            assert response.status_code == 403
        await bot.settle()
        assert len(bot.api.sent()) == sent_before and bot.channel.pending == 0
        assert "telegram:5001" not in claimed(Path(services.storage.path))
        assert SECRET not in caplog.text


async def test_the_right_secret_is_answered_at_once_and_handled_once_even_posted_twice(services, tmp_path):
    async with Running(services, tmp_path) as bot:
        body = update(7002, "xin chao", 5002)
        first, second = await bot.post(body), await bot.post(body)
        assert (first.status_code, second.status_code) == (200, 200)
        await bot.settle()
        assert len(bot.api.texts(7002)) == 1 and "telegram:5002" in claimed(Path(services.storage.path))
        assert bot.hook.counts["accepted"] == 1 and bot.hook.counts["repeated"] == 1
    # after a restart the in-memory filter is empty: the database's claim still answers it once
    async with Running(services, tmp_path) as again:
        assert (await again.post(body)).status_code == 200
        await again.settle()
        assert again.api.texts(7002) == []


async def test_bodies_too_large_malformed_or_not_updates_are_refused_without_a_traceback(services, tmp_path, caplog):
    caplog.set_level(logging.INFO)
    async with Running(services, tmp_path) as bot:
        assert (await bot.post(b"{" + b" " * (64 * 1024) + b"}")).status_code == 413
        async def chunks():                                   # no Content-Length: counted as it comes
            for _ in range(100):
                yield b"x" * 1024

        assert (await bot.post(chunks())).status_code == 413
        assert (await bot.post(b'{"update_id": 1, "message": ')).status_code == 400
        assert (await bot.post(b"\xff\xfe")).status_code == 400
        assert (await bot.post([1, 2])).status_code == 400
        assert (await bot.post({"update_id": "9"})).status_code == 400
        assert (await bot.post({"update_id": 9, "message": "not a message"})).status_code == 400
        await bot.settle()
        assert bot.api.sent() == []
    refused = [r for r in caplog.records if getattr(r, "event", None) == "webhook_refused"]
    assert any("malformed JSON" in r.getMessage() for r in refused)
    assert all(r.exc_info is None for r in caplog.records) and "Traceback" not in caplog.text


async def test_one_chats_updates_are_handled_in_order_and_chats_concurrently(services, tmp_path, monkeypatch):
    seen: list[tuple[str, str]] = []
    running = {"now": 0, "most": 0}
    real_handle = telegram_module.handle

    async def slow_handle(services, incoming):
        running["now"] += 1
        running["most"] = max(running["most"], running["now"])
        await asyncio.sleep(random.uniform(0, 0.01))
        seen.append((incoming.chat_id, incoming.text))
        running["now"] -= 1
        return await real_handle(services, incoming)

    monkeypatch.setattr(telegram_module, "handle", slow_handle)
    random.seed(12)
    async with Running(services, tmp_path) as bot:
        update_id = 6000
        for n in range(15):
            for chat in (7101, 7102, 7103, 7104):
                update_id += 1
                assert (await bot.post(update(chat, f"tin {n}", update_id))).status_code == 200
        await bot.settle()
    for chat in ("7101", "7102", "7103", "7104"):
        assert [text for c, text in seen if c == chat] == [f"tin {n}" for n in range(15)]
    assert running["most"] > 1                               # chats were answered side by side


async def test_webhooks_get_503_while_stopping_and_healthz_says_so(services, tmp_path):
    async with Running(services, tmp_path) as bot:
        bot.stop.set()
        response = await bot.post(update(7003, "xin chao", 5003))
        assert response.status_code == 503 and response.headers["retry-after"]
        health = await bot.client.get("/healthz")
        assert health.status_code == 503 and health.json()["status"] == "stopping"
    assert bot.api.texts(7003) == []


async def test_too_many_updates_in_flight_get_503(services, tmp_path, monkeypatch):
    async with Running(services, tmp_path) as bot:
        monkeypatch.setattr(type(bot.channel), "pending", property(lambda self: 500))
        assert (await bot.post(update(7004, "xin chao", 5004))).status_code == 503


async def test_healthz_is_200_with_the_backlog_then_503_when_the_tick_is_old_or_the_database_gone(services, tmp_path):
    async with Running(services, tmp_path) as bot:
        response = await bot.client.get("/healthz")
        body = response.json()
        assert response.status_code == 200 and body["status"] == "ok" and body["database"] == "ok"
        assert body["outbox"]["backlog"] == 0 and body["tick_limit_seconds"] == 180
        assert body["webhooks"]["telegram"]["pending"] == 0 and body["last_backup"] is None
        assert response.headers["cache-control"] == "no-store"

        bot.scheduler.last_tick_monotonic = time.monotonic() - 181          # three intervals ago
        response = await bot.client.get("/healthz")
        assert response.status_code == 503 and response.json()["status"] == "stale"
        bot.scheduler.last_tick_monotonic = time.monotonic() - 179
        assert (await bot.client.get("/healthz")).status_code == 200

        async def broken():
            raise sqlite3.OperationalError("disk I/O error")

        bot.health.services = type("S", (), {"storage": type("T", (), {"outbox": type("O", (), {"counts": broken})})})
        response = await bot.client.get("/healthz")
        assert response.status_code == 503 and response.json()["database"] == "error"


# --- the real server: uvicorn on loopback, the bot wired by serve() -----------------------------------

async def prepared_database(settings) -> str:
    services = await wiring.open_services(settings.database_path)
    await seed_tree(services)
    code = await make_invite(services, "B1")
    await wiring.close_services(services)
    return code


async def test_serve_takes_telegram_webhooks_over_http_and_stops_cleanly(tmp_path):
    api = BotApi()
    async with LoopbackServer(api) as api_server:
        port = free_port()
        settings = load(env=serve_env(tmp_path, api_server, port), env_file=tmp_path / "none.env")
        code = await prepared_database(settings)
        stop = asyncio.Event()
        serving = asyncio.create_task(wiring.serve(settings, web=True, stop=stop))
        base = f"http://127.0.0.1:{port}"
        async with httpx.AsyncClient(timeout=10) as client:
            await wait_healthy(client, base)
            for _ in range(200):
                if api.called("setWebhook"):
                    break
                await asyncio.sleep(0.02)
            hook = api.called("setWebhook")[0].params
            assert hook["url"] == f"{PUBLIC_URL}/telegram" and hook["secret_token"] == SECRET
            lan = 515151
            for n, text in enumerate([f"/start {code}", "/sinhhoat"], start=1):
                response = await client.post(f"{base}/telegram", json=update(lan, text, n), headers={HEADER: SECRET})
                assert response.status_code == 200
            assert (await client.post(f"{base}/telegram", json=update(lan, "x", 3))).status_code == 403
            for _ in range(200):
                if len(api.texts(lan)) >= 2:
                    break
                await asyncio.sleep(0.05)
            health = (await client.get(f"{base}/healthz")).json()
            assert health["status"] == "ok" and health["webhooks"]["telegram"]["accepted"] == 2
            assert health["last_backup"] is not None                 # the first night's backup, at start
        stop.set()
        assert await asyncio.wait_for(serving, 30) == 0
    welcome, question = api.texts(lan)[:2]
    assert "Chi đoàn ấp Một" in welcome and "ngày nào" in question
    assert api.called("deleteWebhook") == [] and api.called("getUpdates") == []     # pushed, not polled
    assert len(list((tmp_path / "backups").glob("chidoan-*.sqlite3"))) == 1


async def test_serve_refuses_to_start_without_a_public_url_or_a_token(tmp_path, capsys):
    settings = load(env={"TELEGRAM_BOT_TOKEN": TOKEN, "TELEGRAM_WEBHOOK_SECRET": SECRET, "DATA_DIR": str(tmp_path)},
                    env_file=tmp_path / "none.env")
    assert await wiring.serve(settings, web=True) == 2
    assert "PUBLIC_URL" in capsys.readouterr().err
    assert await wiring.serve(load(env={"DATA_DIR": str(tmp_path)}, env_file=tmp_path / "none.env"), web=True) == 2
    assert "TELEGRAM_BOT_TOKEN" in capsys.readouterr().err


async def test_a_busy_port_is_one_line_not_a_traceback(tmp_path, capsys):
    api = BotApi()
    async with LoopbackServer(api) as api_server:
        with socket.socket() as taken:
            taken.bind(("127.0.0.1", 0))
            taken.listen()
            port = taken.getsockname()[1]
            settings = load(env=serve_env(tmp_path, api_server, port), env_file=tmp_path / "none.env")
            assert await asyncio.wait_for(wiring.serve(settings, web=True), 30) == 1
    err = capsys.readouterr().err
    assert f"127.0.0.1:{port}" in err and "Traceback" not in err


async def test_sigterm_during_a_burst_of_500_loses_no_update_that_got_200(tmp_path):
    """SIGTERM while 500 updates pour in: every update answered 200 is handled before the process
    exits 0; those refused (503, or no connection) are posted again, as Telegram does, to the
    restarted bot, and handled there. Each is handled exactly once."""
    api = BotApi()
    async with LoopbackServer(api) as api_server:
        port = free_port()
        env = {k: v for k, v in os.environ.items() if not k.startswith(("TELEGRAM_", "ZALO_"))}
        env.update(serve_env(tmp_path, api_server, port, LOG_LEVEL="WARNING"))
        base = f"http://127.0.0.1:{port}"
        updates = [update(8000 + n % 100, f"tin {n}", 10_000 + n) for n in range(500)]

        started: list[asyncio.subprocess.Process] = []

        async def start() -> asyncio.subprocess.Process:
            started.append(await asyncio.create_subprocess_exec(
                sys.executable, "-m", "bot", "serve", cwd=ROOT, env=env,
                stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE))
            return started[-1]

        async def post_all(client, pending: list[dict], process, kill_after: int | None) -> list[dict]:
            """Post each update (20 at a time); SIGTERM once `kill_after` got 200; the refused."""
            refused, answered = [], 0
            queue = list(pending)

            async def one(body):
                nonlocal answered
                try:
                    response = await client.post(f"{base}/telegram", json=body, headers={HEADER: SECRET})
                    ok = response.status_code == 200
                except httpx.TransportError:
                    ok = False
                if ok:
                    answered += 1
                    if kill_after is not None and answered == kill_after:
                        process.send_signal(signal.SIGTERM)
                else:
                    refused.append(body)

            while queue:
                batch, queue = queue[:20], queue[20:]
                await asyncio.gather(*(one(body) for body in batch))
            return refused

        try:
            await burst_stopped_then_resent(start, post_all, updates, base, api, tmp_path)
        finally:
            for process in started:                                 # a failed test leaves no bot behind
                if process.returncode is None:
                    process.kill()
                    await process.wait()
    assert claimed(tmp_path / "chidoan.sqlite3") >= {f"telegram:{u['update_id']}" for u in updates}
    assert len(api.sent()) == 500                                   # one answer each, none twice


async def burst_stopped_then_resent(start, post_all, updates, base, api, tmp_path) -> None:
    """The burst, SIGTERM in its middle, then the restart taking what was refused."""
    async with httpx.AsyncClient(timeout=10) as client:
        process = await start()
        await wait_healthy(client, base)
        refused = await post_all(client, updates, process, kill_after=150)
        out, err = await asyncio.wait_for(process.communicate(), 120)
        assert process.returncode == 0, err.decode()
        assert b"Traceback" not in err
        taken = {u["update_id"] for u in updates} - {u["update_id"] for u in refused}
        assert len(taken) >= 150 and refused                    # the stop came in the middle
        assert {f"telegram:{i}" for i in taken} <= claimed(tmp_path / "chidoan.sqlite3")

        process = await start()                                 # Telegram sends the rest again
        await wait_healthy(client, base)
        for _ in range(20):                                     # (a 503 now and then: sent again)
            refused = await post_all(client, refused, process, kill_after=None)
            if not refused:
                break
            await asyncio.sleep(0.5)
        assert refused == []
        for _ in range(600):
            if len(claimed(tmp_path / "chidoan.sqlite3")) >= 500 and len(api.sent()) >= 500:
                break
            await asyncio.sleep(0.1)
        process.send_signal(signal.SIGTERM)
        out, err = await asyncio.wait_for(process.communicate(), 120)
        assert process.returncode == 0, err.decode()


async def test_serve_takes_zalo_webhooks_with_their_secret(tmp_path):
    """POST /zalo, through the Zalo channel's own entry (`dispatch`): the secret header, setWebhook
    at start, and the same update posted twice answered once."""
    from tests.support.fake_zalo import TOKEN as ZALO_TOKEN, FakeZalo

    zalo_secret = "zalo-webhook-secret-42"
    async with FakeZalo() as zalo:
        port = free_port()
        settings = load(env={"ZALO_BOT_TOKEN": ZALO_TOKEN, "ZALO_API_BASE_URL": zalo.base_url,
                             "ZALO_WEBHOOK_SECRET": zalo_secret, "PUBLIC_URL": PUBLIC_URL, "PORT": str(port),
                             "DATA_DIR": str(tmp_path)}, env_file=tmp_path / "none.env")
        stop = asyncio.Event()
        serving = asyncio.create_task(wiring.serve(settings, web=True, stop=stop))
        base = f"http://127.0.0.1:{port}"
        pushed = {"event_name": "message.text.received",
                  "message": {"message_id": "m-1", "date": 1, "text": "xin chao",
                              "from": {"id": "u-9", "display_name": "Lan", "is_bot": False},
                              "chat": {"id": "u-9", "chat_type": "PRIVATE"}}}
        async with httpx.AsyncClient(timeout=10) as client:
            await wait_healthy(client, base)
            assert zalo.webhook_url == f"{PUBLIC_URL}/zalo" and zalo.webhook_secret == zalo_secret
            wrong = await client.post(f"{base}/zalo", json=pushed, headers={"X-Bot-Api-Secret-Token": "nope"})
            assert wrong.status_code == 403
            for _ in range(2):
                response = await client.post(f"{base}/zalo", json={"ok": True, "result": pushed},
                                             headers={"X-Bot-Api-Secret-Token": zalo_secret})
                assert response.status_code == 200
            for _ in range(200):
                if zalo.texts("u-9"):
                    break
                await asyncio.sleep(0.05)
            await asyncio.sleep(0.2)
        stop.set()
        assert await asyncio.wait_for(serving, 30) == 0
    assert len(zalo.texts("u-9")) == 1


async def test_log_lines_are_json_with_a_hashed_chat_and_no_text_token_or_secret(services, tmp_path):
    """LOG_FORMAT=json: one object a line; the update's line names the chat by a keyed hash; the
    message's text, the token and the webhook secret appear nowhere at INFO."""
    import io

    from tests.test_settings import configured

    stream = io.StringIO()
    text = "Bí mật riêng tư của Lan 0987654321"
    async with Running(services, tmp_path) as bot:
        settings = load(env={"TELEGRAM_BOT_TOKEN": TOKEN, "TELEGRAM_WEBHOOK_SECRET": SECRET, "LOG_FORMAT": "json",
                             "LOG_LEVEL": "INFO"}, env_file=tmp_path / "none.env")
        with configured(settings, stream):
            assert (await bot.post(update(7201, text, 5201))).status_code == 200
            assert (await bot.post(update(7201, text, 5202), secret="wrong")).status_code == 403
            assert (await bot.post(b"{oops")).status_code == 400
            await bot.settle()
            logging.getLogger("bot").info("a line with the secret %s and the token %s", SECRET, TOKEN)
    lines = [json.loads(line) for line in stream.getvalue().splitlines()]
    taken = next(line for line in lines if line.get("event") == "update")
    assert taken["channel"] == "telegram" and taken["update"] == "5201" and taken["kind"] == "message"
    assert taken["chat"] == ChatHasher(b"k")("telegram", 7201) and len(taken["chat"]) == 12 and "7201" not in taken["chat"]
    assert {line.get("status") for line in lines if line.get("event") == "webhook_refused"} == {403, 400}
    everything = stream.getvalue()
    assert text not in everything and "0987654321" not in everything and "Lan" not in everything
    assert SECRET not in everything and TOKEN.partition(":")[2] not in everything and "<token>" in everything


# --- export links -------------------------------------------------------------------------------------

async def test_an_export_link_opens_its_units_file_for_24_hours_and_nothing_else(tmp_path, services):
    from datetime import datetime, timedelta, timezone

    from bot.web import ExportLinks

    now = datetime(2026, 11, 23, 2, 0, tzinfo=timezone.utc)
    clock = {"now": now}
    links = ExportLinks(b"key", tmp_path / "links", PUBLIC_URL)
    source = tmp_path / "tonghop-B1-2026-11.xlsx"
    source.write_bytes(b"PK spreadsheet")
    (tmp_path / "other.xlsx").write_bytes(b"PK other")
    url, expires = links.publish("B1", source, now)
    links.publish("B2", tmp_path / "other.xlsx", now)
    assert expires == now + timedelta(hours=24) and url.startswith(f"{PUBLIC_URL}/export/B1/tonghop-B1-2026-11.xlsx?")
    asgi = create_app([], lambda: None, hash_chat=ChatHasher(b"k"), links=links, clock=lambda: clock["now"])
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=asgi), base_url="http://bot") as client:
        path = url.removeprefix(PUBLIC_URL)
        got = await client.get(path)
        assert got.status_code == 200 and got.content == b"PK spreadsheet"
        assert 'filename="tonghop-B1-2026-11.xlsx"' in got.headers["content-disposition"]
        query = path.split("?", 1)[1]
        assert (await client.get(f"/export/B2/tonghop-B1-2026-11.xlsx?{query}")).status_code == 404   # another unit
        assert (await client.get(f"/export/B2/other.xlsx?{query}")).status_code == 404                # another file
        later = query.replace(f"expires={int(expires.timestamp())}", f"expires={int(expires.timestamp()) + 3600}")
        assert (await client.get(f"/export/B1/tonghop-B1-2026-11.xlsx?{later}")).status_code == 404   # longer
        assert (await client.get("/export/B1/tonghop-B1-2026-11.xlsx")).status_code == 404
        assert (await client.get("/export/B1/..%2F..%2Fsecret?" + query)).status_code == 404
        clock["now"] = now + timedelta(hours=24, seconds=1)
        assert (await client.get(path)).status_code == 410                                             # expired
    assert links.prune(now + timedelta(hours=23)) == 0
    os.utime(tmp_path / "links" / "B1" / source.name, (now.timestamp(), now.timestamp()))
    assert links.prune(now + timedelta(hours=26)) == 1


def test_python_m_bot_export_link_prints_a_signed_url(tmp_path):
    import subprocess

    database = tmp_path / "bot.sqlite3"
    asyncio.run(_seeded(database))
    env = {k: v for k, v in os.environ.items() if not k.startswith(("TELEGRAM_", "ZALO_", "PUBLIC_URL"))}
    env.update(DATA_DIR=str(tmp_path), DATABASE_PATH=str(database))
    run = subprocess.run([sys.executable, "-m", "bot", "export", "--unit", "D1", "--period", "2026-11", "--link"],
                         cwd=ROOT, env=env, capture_output=True, text=True, timeout=120)
    assert run.returncode == 1 and "PUBLIC_URL" in run.stderr
    env.update(TELEGRAM_BOT_TOKEN=TOKEN, PUBLIC_URL=PUBLIC_URL)
    run = subprocess.run([sys.executable, "-m", "bot", "export", "--unit", "D1", "--period", "2026-11", "--link",
                          "--out", str(tmp_path / "d1.xlsx")], cwd=ROOT, env=env, capture_output=True, text=True,
                         timeout=120)
    assert run.returncode == 0, run.stderr
    assert f"{PUBLIC_URL}/export/D1/d1.xlsx?expires=" in run.stdout and "&sig=" in run.stdout
    assert (tmp_path / "out" / "links" / "D1" / "d1.xlsx").is_file()


async def _seeded(database: Path) -> None:
    services = await wiring.open_services(database)
    await seed_tree(services)
    await wiring.close_services(services)
