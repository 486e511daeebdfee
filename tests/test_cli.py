"""The officer's command line: importing units, making and revoking invite codes."""

from __future__ import annotations

import asyncio
import csv
import re
import subprocess
import sys
from pathlib import Path

import pytest

from bot import app
from domain import invites
from bot.cli import main
from tests.support import TREE


@pytest.fixture
def env(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("DATABASE_PATH", str(tmp_path / "units.sqlite3"))
    monkeypatch.delenv("TELEGRAM_BOT_TOKEN", raising=False)
    monkeypatch.setenv("TELEGRAM_BOT_USERNAME", "chidoan_bot")
    return tmp_path


def units_in(path: Path):
    async def read():
        services = await app.open_services(path)
        try:
            return {u.code: u for u in await services.storage.units.all()}
        finally:
            await app.close_services(services)
    return asyncio.run(read())


def write(path: Path, text: str, bom: bool = False) -> Path:
    path.write_bytes((b"\xef\xbb\xbf" if bom else b"") + text.encode("utf-8"))
    return path


def test_import_twice_changes_nothing_and_a_changed_row_updates(env, capsys):
    file = write(env / "units.csv", TREE.replace("\n", "\r\n"), bom=True)     # as Excel saves it
    assert main(["units", "import", str(file)]) == 0
    assert "11 đơn vị mới" in capsys.readouterr().out
    before = units_in(env / "units.sqlite3")
    assert main(["units", "import", str(file)]) == 0
    assert "0 đơn vị mới, 0 đơn vị cập nhật, 11 không đổi" in capsys.readouterr().out
    assert units_in(env / "units.sqlite3") == before
    write(file, TREE.replace("B1,Chi đoàn ấp Một,branch,G1,0,20", "B1,Chi đoàn ấp Một,branch,G2,1,22"))
    assert main(["units", "import", str(file)]) == 0
    assert "1 đơn vị cập nhật" in capsys.readouterr().out
    after = units_in(env / "units.sqlite3")
    assert after["B1"].members == 22 and after["B1"].border and after["B1"].parent_id == after["G2"].id
    assert after["B1"].path == f"{after['G2'].path}{after['B1'].id}/"


def test_a_bad_file_is_refused_whole_with_every_bad_line(env, capsys):
    bad = TREE + "\n".join([
        "B6,,branch,G1,0,5",                    # line 13: no name
        "B7,Chi đoàn Bảy,chidoan,G1,0,5",      # 14: unknown level
        "B8,Chi đoàn Tám,branch,G9,2,x",       # 15: missing parent, bad border, bad members
        "B1,Trùng mã,branch,G1,0,5",           # 16: duplicate code
        "G4,Đoàn xã Bốn,grassroots,B1,0,0",    # 17: grassroots under a branch
        "có dấu,Tên,branch,G1,0,1",            # 18: bad code
        "Q,Tỉnh khác,province,,0,0",           # 19: second root
    ]) + "\n"
    file = write(env / "bad.csv", bad)
    assert main(["units", "import", str(file)]) == 1
    err = capsys.readouterr().err
    for line in (13, 14, 15, 16, 17, 18, 19):
        assert f"Dòng {line}:" in err
    assert "Dòng 2:" not in err
    assert "G9" in err and "border" in err and "members" in err
    assert units_in(env / "units.sqlite3") == {}                 # nothing written


def test_header_problems_and_missing_file(env, capsys):
    assert main(["units", "import", str(write(env / "h.csv", "code,name,level\nP,X,province\n"))]) == 1
    assert "thiếu cột parent_code, border, members" in capsys.readouterr().err
    assert main(["units", "import", str(env / "nope.csv")]) == 1
    assert main(["units", "import", str(write(env / "latin.csv", ""))]) == 1
    (env / "latin1.csv").write_bytes("code,name\nP,T\xe2n\n".encode("latin-1"))
    assert main(["units", "import", str(env / "latin1.csv")]) == 1
    assert "UTF-8" in capsys.readouterr().err


def test_semicolon_files_and_branch_directly_under_district(env, capsys):
    text = "code;name;level;parent_code;border;members\nP;Tỉnh;province;;0;0\nD;Huyện;district;P;0;0\nB;Chi đoàn;branch;D;1;9\n"
    assert main(["units", "import", str(write(env / "s.csv", text))]) == 0
    assert units_in(env / "units.sqlite3")["B"].border


def test_invites_for_branches_write_a_mail_merge_file_and_revoke(env, capsys):
    main(["units", "import", str(write(env / "units.csv", TREE))])
    capsys.readouterr()
    assert main(["invites", "create", "--unit", "D1", "--for-branches", "--expires-days", "10"]) == 0
    out = capsys.readouterr().out
    links = re.findall(r"https://t\.me/chidoan_bot\?start=([A-Za-z0-9_-]+)", out)
    assert len(links) == 3 and len(set(links)) == 3
    assert all(len(code) <= 64 and len(code) * 6 >= 64 for code in links)
    with open(env / "invites-D1.csv", encoding="utf-8-sig") as handle:
        rows = list(csv.reader(handle))
    assert rows[0][0] == "ma_don_vi" and sorted(r[0] for r in rows[1:]) == ["B1", "B2", "B5"]
    assert main(["invites", "revoke", links[0]]) == 0
    assert main(["invites", "revoke", links[0]]) == 1
    assert "thu hồi từ trước" in capsys.readouterr().out
    assert main(["invites", "revoke", "khong-co"]) == 1


def test_invite_roles_must_fit_the_unit(env, capsys):
    main(["units", "import", str(write(env / "units.csv", TREE))])
    assert main(["invites", "create", "--unit", "D1"]) == 1                     # secretary of a district
    assert main(["invites", "create", "--unit", "B1", "--role", "officer"]) == 1
    assert main(["invites", "create", "--unit", "ZZ"]) == 1
    assert main(["invites", "create", "--unit", "G1", "--role", "officer"]) == 0
    out = capsys.readouterr().out
    assert "Cán bộ Đoàn" in out and "?start=" in out


def test_invite_codes_are_random_and_in_telegrams_alphabet():
    codes = {invites.new_code() for _ in range(2000)}
    assert len(codes) == 2000
    assert all(invites.looks_like_code(c) for c in codes)


def test_help_lists_every_command(tmp_path):
    result = subprocess.run([sys.executable, "-m", "bot", "--help"], capture_output=True, text=True,
                            cwd=Path(__file__).parent.parent, timeout=60)
    assert result.returncode == 0
    for word in ("run", "chat", "units", "invites"):
        assert word in result.stdout
