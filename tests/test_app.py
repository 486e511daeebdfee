"""The one place that wires the bot: `python -m bot` starts what the settings ask and stops cleanly."""

from __future__ import annotations

import asyncio
import io
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

from bot import app
from bot.settings import load

ROOT = Path(__file__).parent.parent


def test_sigterm_stops_the_terminal_bot_cleanly(tmp_path):
    """systemd stops the bot with SIGTERM: it exits 0 at once, even waiting for a line."""
    env = {k: v for k, v in os.environ.items() if k not in ("TELEGRAM_BOT_TOKEN", "ZALO_BOT_TOKEN")}
    process = subprocess.Popen([sys.executable, "-m", "bot", "chat", "--database", str(tmp_path / "d.sqlite3")],
                               stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE, cwd=ROOT,
                               env=env, text=True)
    deadline = time.monotonic() + 60
    while not (tmp_path / "d.sqlite3").exists() and time.monotonic() < deadline:
        time.sleep(0.1)
    time.sleep(1.0)                                   # the chat is waiting for a line now
    process.send_signal(signal.SIGTERM)
    out, err = process.communicate(timeout=20)
    assert process.returncode == 0, err
    assert "Traceback" not in err and "dữ liệu mẫu" in out


async def test_serve_runs_the_terminal_with_reminders_until_the_chat_ends(tmp_path):
    settings = load(env={"DATA_DIR": str(tmp_path), "REMINDER_TICK_SECONDS": "1"}, env_file=tmp_path / "none.env")
    stdin, stdout = io.StringIO(":ai\n:thoat\n"), io.StringIO()
    code = await asyncio.wait_for(app.serve(settings, stdin=stdin, stdout=stdout), 60)
    assert code == 0
    assert "Người dùng mẫu" in stdout.getvalue() and "Tạm biệt" in stdout.getvalue()


async def test_a_bad_calendar_stops_start_with_its_problems(tmp_path, capsys):
    (tmp_path / "lich.toml").write_text("[settings\n", encoding="utf-8")
    settings = load(env={"DATA_DIR": str(tmp_path), "CALENDAR_FILE": str(tmp_path / "lich.toml")},
                    env_file=tmp_path / "none.env")
    assert await app.serve(settings, stdin=io.StringIO(""), stdout=io.StringIO()) == 2
    assert "dòng 1" in capsys.readouterr().err


async def test_python_m_bot_on_telegram_answers_over_http_on_loopback(tmp_path):
    """The Telegram channel as served: long polling a Bot API server on loopback, the bot wired
    by `serve` (storage, channel, scheduler), a person joining and opening the meeting form."""
    from tests.support import make_invite
    from tests.support.telegram_fake import TOKEN, FakeBotApi, LoopbackServer, person, text_update

    api = FakeBotApi()
    async with LoopbackServer(api) as server:
        settings = load(env={"TELEGRAM_BOT_TOKEN": TOKEN, "TELEGRAM_API_BASE_URL": server.base_url,
                             "TELEGRAM_FILE_BASE_URL": server.file_base_url, "DATA_DIR": str(tmp_path)},
                        env_file=tmp_path / "none.env")
        services = await app.open_services(settings.database_path)
        from tests.support import seed_tree
        await seed_tree(services)
        code = await make_invite(services, "B1")
        await app.close_services(services)
        lan = person(515151)
        api.updates += [text_update(None, lan, f"/start {code}", update_id=1).to_dict(),
                        text_update(None, lan, "/sinhhoat", update_id=2).to_dict()]
        stop = asyncio.Event()
        serving = asyncio.create_task(app.serve(settings, stop=stop))
        for _ in range(200):
            if len(api.texts(515151)) >= 2:
                break
            await asyncio.sleep(0.05)
        stop.set()
        assert await asyncio.wait_for(serving, 30) == 0
    welcome, question = api.texts(515151)[:2]
    assert "Chi đoàn ấp Một" in welcome and "ngày nào" in question
    assert [c.method for c in api.calls].count("deleteWebhook") == 1        # polling, not a webhook
