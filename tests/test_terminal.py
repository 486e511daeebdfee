"""The terminal chat, driven by scripted input as a person at a keyboard would."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from openpyxl import load_workbook

from bot import app, demo
from bot.channels.terminal import TerminalChat

ROOT = Path(__file__).parent.parent


def run_script(tmp_path: Path, *lines: str) -> str:
    env = {k: v for k, v in os.environ.items() if k != "TELEGRAM_BOT_TOKEN"}
    result = subprocess.run(
        [sys.executable, "-m", "bot", "chat", "--database", str(tmp_path / "demo.sqlite3")],
        input="\n".join(lines) + "\n", capture_output=True, text=True, cwd=ROOT, env=env, timeout=120,
    )
    assert result.returncode == 0, result.stderr
    assert "Traceback" not in result.stderr
    return result.stdout


def test_no_token_opens_the_demo_chat_and_a_meeting_can_be_reported(tmp_path):
    # as on Zalo: "1" picks from the numbered menu; "12" answers the count; "luu" is typed words
    out = run_script(tmp_path, "/sinhhoat", "1", "1", "12", "luu", "/baocao", ":thoat")
    assert "dữ liệu mẫu" in out and "Nguyễn Thị Lan" in out
    assert "1. Hôm nay" in out and "• ✖ Hủy" in out
    assert "Đã lưu Báo cáo sinh hoạt" in out
    assert "12 người" in out


def test_switching_people_and_being_a_stranger(tmp_path):
    out = run_script(tmp_path, ":ai", ":la 6", "/toi", ":khach", "/toi", ":la 99", ":thoat")
    assert "Đặng Quốc Bảo" in out and "Bạn là cán bộ Tỉnh đoàn Vĩnh Long" in out
    assert "Đoàn xã Tân Phú: 4 chi đoàn" in out and "Đoàn phường Phước Hậu: 4 chi đoàn" in out
    assert "liên kết mời" in out
    assert "Không có người số 99" in out


def test_the_demo_database_is_made_once(tmp_path):
    run_script(tmp_path, ":thoat")
    out = run_script(tmp_path, ":ai", ":thoat")
    assert out.count(". Nguyễn Thị Lan") == 1 and "9. " not in out


async def test_joining_with_the_demo_invite(tmp_path, clock):
    services = await app.open_services(tmp_path / "d.sqlite3", clock=clock)
    await demo.ensure(services.storage, clock())
    chat = TerminalChat(services)
    banner = await chat.start()
    code = banner.split("/start ")[1].split()[0]
    await chat.say(":khach")
    out = await chat.say(f"/start {code}")
    assert "Chi đoàn ấp Phú Hòa" in out and "\n1. " in out
    branches = [u for u in await services.storage.units.all() if u.level == "branch"]
    assert len(branches) >= 12 and any(u.border for u in branches)
    assert "từ 1 đến" in await chat.say("42")
    await app.close_services(services)


async def test_each_stranger_is_new_even_after_one_joined(tmp_path, clock):
    services = await app.open_services(tmp_path / "d.sqlite3", clock=clock)
    await demo.ensure(services.storage, clock())
    chat = TerminalChat(services)
    code = (await chat.start()).split("/start ")[1].split()[0]
    assert await chat.say(":khach") == "Bạn đang là một người lạ mới, chưa được mời (tên hiển thị: Khách 1)."
    joined = await chat.say(f"/start {code}")
    assert "Chào mừng Bí thư Chi đoàn ấp Phú Hòa" in joined
    assert "Khách 2" in await chat.say(":khach")
    assert "chỉ dành cho Bí thư chi đoàn và cán bộ Đoàn đã được mời" in await chat.say("/toi")
    again = TerminalChat(services)                         # the chat started again on the same database
    await again.start()
    assert "Khách 2" in await again.say(":khach")          # Khách 1 joined: never handed out again
    assert "chỉ dành cho" in await again.say("/sinhhoat")
    # the one who joined is named as such where an officer reads who the secretary is
    await again.say(":la 6")
    export = await again.say("/xuat Tân Phú")                # a Đoàn xã named, not coded
    path = Path(export.split("📎 Tệp đính kèm: ")[1].strip())
    rows = list(load_workbook(path)["Chi đoàn"].iter_rows(min_row=7, values_only=True))
    # one tree column (the Đoàn trường), then the branch, its code, ..., its secretary
    assert [r[9] for r in rows if r[2] == demo.OPEN_BRANCH] == ["Khách 1"]
    await app.close_services(services)
