"""The officer's command line: importing units, making and revoking invite codes, its help."""

from __future__ import annotations

import asyncio
import csv
import os
import re
import stat
import subprocess
import sys
from pathlib import Path

import pytest

from bot import app, cli, settings
from domain import invites
from bot.cli import main
from tests.support import TREE
from messages_vi import t
from tests.support.telegram_fake import TOKEN

ROOT = Path(__file__).parent.parent
PROXIES = ("HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY", "http_proxy", "https_proxy", "all_proxy")


@pytest.fixture
def env(tmp_path, monkeypatch):
    """The officer's shell: in a folder of their own, the data folder and .env in tmp_path."""
    monkeypatch.chdir(tmp_path)
    monkeypatch.setattr(settings, "ENV_FILE", tmp_path / ".env")     # not the developer's own .env
    monkeypatch.setenv("DATA_DIR", str(tmp_path / "data"))
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
    file = env / "data" / "invites" / "invites-D1.csv"
    assert f"vào {file}" in out and "chứa mã mời còn hiệu lực" in out and "xoá tệp" in out
    assert not list(env.glob("invites-*.csv"))                          # nothing beside the code
    assert stat.S_IMODE(file.stat().st_mode) == 0o600                    # live codes: the owner's only
    with open(file, encoding="utf-8-sig") as handle:
        rows = list(csv.reader(handle))
    assert rows[0][0] == "ma_don_vi" and sorted(r[0] for r in rows[1:]) == ["B1", "B2", "B5"]
    assert sorted(r[3] for r in rows[1:]) == sorted(links)
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
                            cwd=ROOT, timeout=60)
    assert result.returncode == 0
    for word in ("run", "chat", "units", "invites"):
        assert word in result.stdout


def python_m_bot(*args: str, cwd: Path, stdin: str = "", **env: str) -> subprocess.CompletedProcess:
    """`python -m bot ARGS` as typed in a shell in `cwd`; the token empty unless given."""
    environment = {**os.environ, "TELEGRAM_BOT_TOKEN": "", **env}
    return subprocess.run([sys.executable, "-m", "bot", *args], input=stdin, capture_output=True, text=True,
                          cwd=cwd, env=environment, timeout=120)


@pytest.mark.parametrize("command", [[], ["units", "import"], ["invites", "create"], ["invites", "revoke"],
                                     ["export"], ["chat"]])
def test_help_is_in_vietnamese_for_every_command_and_option(tmp_path, command):
    shown = python_m_bot(*command, "--help", cwd=tmp_path)
    assert shown.returncode == 0 and shown.stderr == ""
    text = shown.stdout
    assert text.startswith("Cách dùng: python -m bot")
    assert "tùy chọn:" in text and "-h, --help  " in text and "in hướng dẫn này rồi thoát" in text
    for english in ("usage:", "options:", "optional arguments:", "positional arguments:", "show this help"):
        assert english not in text
    # every option is explained: no option line stands alone without its help beside or below it
    lines = text.splitlines() + [""]
    for line, below in zip(lines, lines[1:]):
        if line.startswith("  -"):
            assert re.match(r"^  \S.*?\S  +\S", line) or below.startswith(" " * 10), line


def test_mistakes_on_the_command_line_are_explained_in_vietnamese(tmp_path):
    missing = python_m_bot("invites", "create", cwd=tmp_path)
    assert missing.returncode == 2 and missing.stdout == ""
    assert "Cách dùng: python -m bot invites create" in missing.stderr
    assert "python -m bot invites create: lỗi: thiếu --unit" in missing.stderr
    wrong = python_m_bot("invites", "create", "--unit", "D1", "--role", "boss", cwd=tmp_path)
    assert "lỗi: --role: không có 'boss'; chọn một trong" in wrong.stderr
    unknown = python_m_bot("xoa", cwd=tmp_path)
    assert "lỗi: LỆNH: không có 'xoa'" in unknown.stderr
    for english in ("usage:", "error:", "required", "invalid choice"):
        assert english not in missing.stderr + wrong.stderr + unknown.stderr


@pytest.mark.parametrize("days", ["0", "-3", "366", "mot tuan"])
def test_an_expiry_out_of_range_is_refused_not_bent(env, capsys, days):
    main(["units", "import", str(write(env / "units.csv", TREE))])
    capsys.readouterr()
    with pytest.raises(SystemExit) as refused:
        main(["invites", "create", "--unit", "B1", "--expires-days", days])
    assert refused.value.code == 2
    captured = capsys.readouterr()
    assert f'số ngày hiệu lực phải từ 1 đến 365, không phải "{days}"' in captured.err
    assert "Mã:" not in captured.out                                     # no code was made


def test_an_expiry_of_one_day_and_of_a_year_are_accepted(env, capsys):
    main(["units", "import", str(write(env / "units.csv", TREE))])
    assert main(["invites", "create", "--unit", "B1", "--expires-days", "1"]) == 0
    assert main(["invites", "create", "--unit", "B1", "--expires-days", "365"]) == 0
    out = capsys.readouterr().out
    assert out.count("Liên kết Telegram: https://t.me/chidoan_bot?start=") == 2
    assert out.count("(Zalo: gõ mã này vào trò chuyện với trợ lý)") == 2


def test_without_a_bot_name_the_codes_are_printed_to_type(env, capsys, monkeypatch):
    monkeypatch.delenv("TELEGRAM_BOT_USERNAME")
    main(["units", "import", str(write(env / "units.csv", TREE))])
    capsys.readouterr()
    assert main(["invites", "create", "--unit", "D1", "--for-branches"]) == 0
    out = capsys.readouterr().out
    codes = re.findall(r"Mã: ([a-z2-9]{24})  \(gõ mã này vào trò chuyện với trợ lý, trên Zalo hay Telegram\)", out)
    assert len(codes) == 3
    assert "https://t.me/" not in out and "Liên kết" not in out
    assert "Chưa có liên kết t.me" in out and "TELEGRAM_BOT_USERNAME" in out and "--bot-username" in out
    with open(env / "data" / "invites" / "invites-D1.csv", encoding="utf-8-sig") as handle:
        rows = list(csv.reader(handle))[1:]
    assert sorted(r[3] for r in rows) == sorted(codes) and all(r[4] == "" for r in rows)
    assert main(["invites", "revoke", codes[0]]) == 0                    # they are real codes


def test_the_bot_name_comes_from_the_env_file_or_the_command(env, capsys, monkeypatch):
    monkeypatch.delenv("TELEGRAM_BOT_USERNAME")
    (env / ".env").write_text("TELEGRAM_BOT_USERNAME=@tanbien_bot\n")
    main(["units", "import", str(write(env / "units.csv", TREE))])
    assert main(["invites", "create", "--unit", "B1"]) == 0
    assert "https://t.me/tanbien_bot?start=" in capsys.readouterr().out
    assert main(["invites", "create", "--unit", "B1", "--bot-username", "@khac_bot"]) == 0
    assert "https://t.me/khac_bot?start=" in capsys.readouterr().out
    with pytest.raises(SystemExit):
        main(["invites", "create", "--unit", "B1", "--bot-username", "t.me/khac"])
    assert "không đúng dạng tên bot" in capsys.readouterr().err


def test_with_a_token_and_no_network_the_codes_are_still_made(env, capsys, monkeypatch):
    for name in PROXIES:
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("NO_PROXY", "*")
    monkeypatch.delenv("TELEGRAM_BOT_USERNAME")
    monkeypatch.setenv("TELEGRAM_BOT_TOKEN", TOKEN)
    monkeypatch.setenv("TELEGRAM_API_BASE_URL", "http://127.0.0.1:9/bot")       # nothing listens there
    monkeypatch.setattr(cli, "USERNAME_FIRST_DELAY", 0.01)
    main(["units", "import", str(write(env / "units.csv", TREE))])
    capsys.readouterr()
    assert main(["invites", "create", "--unit", "B1"]) == 0
    captured = capsys.readouterr()
    assert captured.err.count("Thử lại sau") == cli.USERNAME_ATTEMPTS - 1
    assert "Không hỏi được tên bot từ Telegram." in captured.err and "Traceback" not in captured.err
    assert "gõ mã này vào trò chuyện" in captured.out and "Chưa có liên kết t.me" in captured.out
    assert TOKEN.partition(":")[2] not in captured.out + captured.err


@pytest.mark.parametrize("command", [
    ["invites", "create", "--unit", "B1"],
    ["invites", "revoke", "ABCDEFGHIJKLMNOPQRSTUV"],
    ["export", "--unit", "D1", "--period", "2026-06"],
])
def test_a_mistyped_database_is_refused_not_made_empty(env, capsys, command):
    main(["units", "import", str(write(env / "units.csv", TREE))])
    capsys.readouterr()
    typo = env / "unit.sqlite3"
    assert main([*command, "--database", str(typo)]) == 1
    assert f"Không có tệp dữ liệu {typo}; chưa làm gì." in capsys.readouterr().err
    assert not typo.exists()


def test_importing_into_a_new_database_says_it_was_made(env, capsys):
    new = env / "moi" / "tinh.sqlite3"
    bad = write(env / "bad.csv", "code,name,level,parent_code,border,members\nP,,province,,0,0\n")
    assert main(["units", "import", str(bad), "--database", str(new)]) == 1
    assert not new.exists()                                   # a refused file leaves nothing behind
    assert main(["units", "import", str(write(env / "units.csv", TREE)), "--database", str(new)]) == 0
    out = capsys.readouterr().out
    assert f"Đã tạo tệp dữ liệu mới {new}." in out and "11 đơn vị mới" in out
    assert main(["units", "import", str(env / "units.csv"), "--database", str(new)]) == 0
    assert "Đã tạo" not in capsys.readouterr().out
    assert set(units_in(new)) == {"P", "D1", "D2", "G1", "G2", "G3", "B1", "B2", "B3", "B4", "B5"}


def test_an_export_without_out_goes_to_the_data_folder(env, capsys):
    main(["units", "import", str(write(env / "units.csv", TREE))])
    assert main(["export", "--unit", "D1", "--period", "2026-06"]) == 0
    written = env / "data" / "out" / "tonghop-D1-2026-06.xlsx"
    assert written.is_file() and str(written) in capsys.readouterr().out
    assert not (env / "out").exists()


def test_started_from_another_folder_it_uses_the_data_folder_not_the_current_one(tmp_path):
    elsewhere = tmp_path / "home"
    elsewhere.mkdir()
    (elsewhere / ".env").write_text("LOG_LEVEL=LOUD\n")          # someone else's .env: not ours to read
    data = tmp_path / "data"
    first = python_m_bot("chat", cwd=elsewhere, stdin=":thoat\n", DATA_DIR=str(data))
    assert first.returncode == 0, first.stderr
    assert f"({data / 'demo.sqlite3'})" in first.stdout
    assert (data / "demo.sqlite3").is_file()
    assert sorted(p.name for p in elsewhere.iterdir()) == [".env"]        # nothing made where it was started


def test_invite_codes_are_easy_to_type_and_never_read_as_an_option():
    from domain.invites import new_code

    codes = {new_code() for _ in range(2000)}
    assert len(codes) == 2000
    assert all(re.fullmatch(r"[a-hjkmnp-z2-9]{24}", code) for code in codes)


def test_with_several_zalo_bots_each_code_says_which_bot_to_type_it_to(env, capsys, monkeypatch):
    (env / "bots.toml").write_text(
        '[[bot]]\nkey = "mot"\ntoken = "4718093452916839022:aQ7vN2xLp9WmR4tYbZ8cHsD1fJ6gUa3eXo5iVn0qTrKyM"\n'
        'units = ["G1"]\n', encoding="utf-8")
    monkeypatch.setenv("ZALO_BOTS_FILE", str(env / "bots.toml"))
    main(["units", "import", str(write(env / "units.csv", TREE))])
    capsys.readouterr()
    assert main(["invites", "create", "--unit", "D1", "--for-branches"]) == 0
    lines = capsys.readouterr().out.splitlines()
    mot, nobody = t("invites.zalo_bot", bot="mot"), t("invites.zalo_bot_none")
    bots = sorted(line for line in lines if "Trên Zalo" in line)
    assert bots == sorted([mot, mot, nobody])              # B1, B2 under G1: "mot"; B5 under G2: no bot
    assert "4718093452916839022" not in "\n".join(lines)
