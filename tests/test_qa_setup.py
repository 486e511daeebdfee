"""The Tỉnh đoàn's IT person setting the bot up from the README alone: the unit file of a real
province (a Thành đoàn, its Đoàn trực thuộc), invite codes, backups and their restore, the
command line's answers. Each test is one thing they did that went wrong before it was fixed."""

from __future__ import annotations

import asyncio
import csv
import os
import re
import shutil
import subprocess
from pathlib import Path

import pytest

from bot import app
from bot.cli import main
from tests.support.office import write
from domain import units_csv




def stored_levels(database: Path) -> dict[str, tuple[str, str]]:
    """Each unit's code: (structural level, level name)."""
    async def read():
        services = await app.open_services(database)
        try:
            return {u.code: (u.level, u.level_name) for u in await services.storage.units.all()}
        finally:
            await app.close_services(services)
    return asyncio.run(read())


CITY_CSV = """Mã đơn vị,Tên đơn vị,Cấp,Mã cấp trên,Biên giới,Số đoàn viên
TD-HCM,Thành đoàn TP. Hồ Chí Minh,Thành đoàn,,,
DTT-CA,Đoàn Công an Thành phố,Đoàn trực thuộc,TD-HCM,,
DCS-DH,Đoàn trường Đại học Sài Gòn,Đoàn cơ sở trực thuộc,TD-HCM,,
P-BT,Đoàn phường Bến Thành,Đoàn phường,TD-HCM,,
CD-KP1,Chi đoàn khu phố 1,Chi đoàn,P-BT,,15
CD-CSGT,Chi đoàn Phòng Cảnh sát giao thông,Chi đoàn,DTT-CA,,20
CD-K1,Chi đoàn Khoa Toán,chi doan,DCS-DH,,30
"""


def test_importing_a_thanh_doan_with_its_doan_truc_thuoc_and_doan_co_so_truc_thuoc(office, capsys):
    assert main(["units", "import", str(write(office / "don-vi.csv", CITY_CSV))]) == 0, capsys.readouterr().err
    levels = stored_levels(office / "data" / "chidoan.sqlite3")
    assert levels["TD-HCM"] == ("province", "city")            # a centrally-run city's: a Tỉnh đoàn's peer
    assert levels["DTT-CA"] == ("district", "affiliated")      # between it and the Đoàn cơ sở
    assert levels["DCS-DH"] == ("grassroots", "grassroots")
    assert levels["CD-CSGT"] == ("branch", "branch") and levels["CD-K1"] == ("branch", "branch")


def test_a_thanh_doan_of_before_2025_under_its_tinh_doan_is_read_at_a_huyen_doans_level():
    rows = units_csv.parse("code,name,level,parent_code,border,members\n"
                           "TD-BT,Tỉnh đoàn Bến Tre,tinh doan,,,\n"
                           "TP-BT,Thành đoàn Bến Tre,thanh doan,TD-BT,,\n"
                           "X-PK,Đoàn xã Phú Khương,xa,TP-BT,,\n"
                           "CD-1,Chi đoàn ấp 1,chi doan,X-PK,,12\n", [])
    assert {row.code: row.level_name for row in rows} == {"TD-BT": "province", "TP-BT": "district",
                                                          "X-PK": "commune", "CD-1": "branch"}


TREE_CSV = """code,name,level,parent_code,border,members
TD-VL,Tỉnh đoàn Vĩnh Long,tinh doan,,,
X-TP,Đoàn xã Tân Phú,xa,TD-VL,,
CD-1,Chi đoàn ấp 1,chi doan,X-TP,,25
CD-2,Chi đoàn ấp 2,chi doan,X-TP,,18
"""


def codes_printed(out: str) -> list[str]:
    return re.findall(r"Mã: ([a-z2-9]{24})", out)


def test_making_the_branch_codes_twice_keeps_the_first_file_whose_codes_are_still_good(office, capsys):
    assert main(["units", "import", str(write(office / "don-vi.csv", TREE_CSV))]) == 0
    assert main(["invites", "create", "--unit", "X-TP", "--for-branches"]) == 0
    first = codes_printed(capsys.readouterr().out)
    assert main(["invites", "create", "--unit", "X-TP", "--for-branches", "--expires-days", "7"]) == 0
    out = capsys.readouterr().out
    folder = office / "data" / "invites"
    assert sorted(p.name for p in folder.iterdir()) == ["invites-X-TP-2.csv", "invites-X-TP.csv"]
    assert f"vào {folder / 'invites-X-TP-2.csv'}" in out
    assert sorted(first) == sorted(row[3] for row in read_csv(folder / "invites-X-TP.csv"))
    assert sorted(codes_printed(out)) == sorted(row[3] for row in read_csv(folder / "invites-X-TP-2.csv"))


def read_csv(path: Path) -> list[list[str]]:
    with open(path, encoding="utf-8-sig", newline="") as handle:
        return list(csv.reader(handle))[1:]


def test_revoking_every_code_of_an_invite_file_that_leaked(office, capsys):
    assert main(["units", "import", str(write(office / "don-vi.csv", TREE_CSV))]) == 0
    assert main(["invites", "create", "--unit", "X-TP", "--for-branches"]) == 0
    codes = codes_printed(capsys.readouterr().out)
    leaked = office / "data" / "invites" / "invites-X-TP.csv"
    assert main(["invites", "revoke", "--file", str(leaked)]) == 0
    out = capsys.readouterr().out
    assert out.count("Đã thu hồi mã.") == 2 and "Đã thu hồi 2/2 mã." in out
    assert not any(code in out for code in codes)                      # only their first letters
    for code in codes:                                                 # gone, not still good
        assert main(["invites", "revoke", code]) == 1
        assert "thu hồi từ trước" in capsys.readouterr().out


def test_revoking_two_codes_typed_in_groups_of_four_without_quotes(office, capsys):
    assert main(["units", "import", str(write(office / "don-vi.csv", TREE_CSV))]) == 0
    assert main(["invites", "create", "--unit", "X-TP", "--for-branches"]) == 0
    first, second = codes_printed(capsys.readouterr().out)
    words = [first.upper()] + [second[i:i + 4].upper() for i in range(0, 24, 4)]
    assert main(["invites", "revoke", *words]) == 0
    assert "Đã thu hồi 2/2 mã." in capsys.readouterr().out


def test_revoke_with_no_code_says_what_to_type_instead_of_revoking_nothing_quietly(office, capsys):
    assert main(["units", "import", str(write(office / "don-vi.csv", TREE_CSV))]) == 0
    capsys.readouterr()
    assert main(["invites", "revoke"]) == 2
    assert "python -m bot invites revoke MÃ" in capsys.readouterr().err
    assert main(["invites", "revoke", "--file", str(office / "don-vi.csv")]) == 1
    assert "không có mã mời nào" in capsys.readouterr().err


def test_restoring_the_backups_folder_names_its_newest_backup_to_restore(office, capsys):
    assert main(["units", "import", str(write(office / "don-vi.csv", TREE_CSV))]) == 0
    assert main(["backup"]) == 0
    folder = office / "data" / "backups"
    newest = next(folder.iterdir())
    capsys.readouterr()
    assert main(["restore", str(folder)]) == 1
    err = capsys.readouterr().err
    assert f"python -m bot restore {newest}" in err and "Không tìm thấy" not in err
    assert main(["restore", str(office)]) == 1                          # a folder of no backup
    assert "không có bản sao lưu nào" in capsys.readouterr().err


# A python3 as a fresh Debian or Ubuntu has it: new enough, but without its venv package, so that
# `python3 -m venv .venv` makes .venv/bin/python and then fails (ensurepip is missing).
PYTHON_WITHOUT_VENV = """#!/bin/sh
case "$1" in
    -c) case "$2" in *print*) echo 3.12 ;; esac; exit 0 ;;
    -m) mkdir -p .venv/bin && printf '#!/bin/sh\\nexit 0\\n' > .venv/bin/python && chmod +x .venv/bin/python
        echo "The virtual environment was not created successfully because ensurepip is not available." >&2
        exit 1 ;;
esac
"""
# Ubuntu 22.04's python3: 3.10
PYTHON_TOO_OLD = """#!/bin/sh
case "$1" in
    --version) echo "Python 3.10.12" ;;
    *) exit 1 ;;
esac
"""


def fresh_machine(tmp_path: Path, python3: str) -> tuple[Path, dict]:
    """A copy of the scripts with no .venv, and a PATH whose every python3.x is `python3`."""
    if shutil.which("bash") is None:
        pytest.skip("needs bash")
    project = tmp_path / "chidoan-bot"
    shutil.copytree(Path(__file__).parent.parent / "scripts", project / "scripts")
    (project / "pyproject.toml").write_text("[project]\nname = 'x'\n")
    fake_bin = tmp_path / "bin"
    fake_bin.mkdir()
    for name in ("python3", "python3.11", "python3.12", "python3.13"):
        (fake_bin / name).write_text(python3)
        (fake_bin / name).chmod(0o755)
    env = {key: value for key, value in os.environ.items() if key != "PYTHON"}
    env["PATH"] = f"{fake_bin}:/usr/bin:/bin"
    return project, env


def test_run_on_a_machine_without_pythons_venv_package_says_what_to_install_and_leaves_no_broken_venv(tmp_path):
    project, env = fresh_machine(tmp_path, PYTHON_WITHOUT_VENV)
    for _ in range(2):                          # the second run is not fooled by a half-made .venv
        done = subprocess.run(["bash", str(project / "scripts" / "run")], capture_output=True, text=True,
                              env=env, timeout=60)
        assert done.returncode == 1
        assert "sudo apt install python3.12-venv" in done.stderr and "ensurepip" not in done.stderr
        assert not (project / ".venv").exists()


def test_run_with_a_python_older_than_3_11_says_so_in_one_sentence(tmp_path):
    project, env = fresh_machine(tmp_path, PYTHON_TOO_OLD)
    done = subprocess.run(["bash", str(project / "scripts" / "run")], capture_output=True, text=True, env=env,
                          timeout=60)
    assert done.returncode == 1
    assert "cần Python 3.11 trở lên; máy này có: Python 3.10.12." in done.stderr
    assert "PYTHON=" in done.stderr and not (project / ".venv").exists()


def test_trying_the_chat_on_the_bots_own_database_before_importing_leaves_it_for_the_units(office, capsys):
    database = office / "data" / "chidoan.sqlite3"
    assert main(["chat", "--database", str(database)]) == 1
    assert "chưa có đơn vị nào" in capsys.readouterr().err
    assert not database.exists()                         # no demo province in it
    assert main(["units", "import", str(write(office / "don-vi.csv", TREE_CSV))]) == 0
    assert set(stored_levels(database)) == {"TD-VL", "X-TP", "CD-1", "CD-2"}


def test_a_unit_list_saved_by_excel_as_unicode_text_utf16_with_tabs_is_imported(office, capsys):
    text = "Mã đơn vị\tTên đơn vị\tCấp\tMã cấp trên\tBiên giới\tSố đoàn viên\r\n" \
           "TD-VL\tTỉnh đoàn Vĩnh Long\tTỉnh đoàn\t\t\t\r\nCD-1\tChi đoàn ấp 1, xã Tân Phú\tChi đoàn\tTD-VL\tCó\t25\r\n"
    saved = office / "don-vi.txt"
    saved.write_bytes(text.encode("utf-16"))                       # a BOM, then UTF-16 LE
    assert main(["units", "import", str(saved)]) == 0, capsys.readouterr().err
    assert stored_levels(office / "data" / "chidoan.sqlite3") == {"TD-VL": ("province", "province"),
                                                                   "CD-1": ("branch", "branch")}


def test_a_unit_list_downloaded_from_google_sheets_as_tsv_is_imported(office, capsys):
    tsv = write(office / "don-vi.tsv", TREE_CSV.replace(",", "\t"))
    assert main(["units", "import", str(tsv)]) == 0, capsys.readouterr().err
    assert set(stored_levels(office / "data" / "chidoan.sqlite3")) == {"TD-VL", "X-TP", "CD-1", "CD-2"}


@pytest.mark.parametrize("url", ["postgresql+psycopg://chidoan:S3cretPw@db:5432/chidoan",
                                 "PostgreSQL://chidoan:S3cretPw@db/chidoan",
                                 "mysql://chidoan:S3cretPw@db/chidoan?next=http://x",
                                 "chidoan:S3cretPw@db/chidoan"])
def test_a_database_url_copied_from_another_apps_config_is_refused_without_showing_its_password(office, capsys,
                                                                                                 monkeypatch, url):
    monkeypatch.setenv("DATABASE_URL", url)
    assert main(["invites", "revoke", "abc"]) == 2
    err = capsys.readouterr().err
    assert "S3cretPw" not in err and "DATABASE_URL" in err and "***@db" in err
    assert "postgresql://" in err and len(err.strip().splitlines()) == 1


def test_invites_written_into_a_folder_go_in_it_under_the_usual_name_as_export_does(office, capsys):
    assert main(["units", "import", str(write(office / "don-vi.csv", TREE_CSV))]) == 0
    folder = office / "gui-xa"
    folder.mkdir()
    assert main(["invites", "create", "--unit", "X-TP", "--for-branches", "--out", str(folder)]) == 0
    assert main(["invites", "create", "--unit", "CD-1", "--out", str(folder)]) == 0
    assert sorted(p.name for p in folder.iterdir()) == ["invites-CD-1.csv", "invites-X-TP.csv"]
    assert len(read_csv(folder / "invites-X-TP.csv")) == 2


def test_the_help_an_office_reads_names_zalo_and_the_levels_and_files_the_import_takes(office, capsys):
    with pytest.raises(SystemExit):
        main(["--help"])
    assert "ZALO_BOT_TOKEN" in capsys.readouterr().out
    with pytest.raises(SystemExit):
        main(["units", "import", "--help"])
    said = " ".join(capsys.readouterr().out.split())
    assert "thành đoàn" in said and "đoàn trực thuộc" in said and "tab" in said
    with pytest.raises(SystemExit):
        main(["invites", "revoke", "--help"])
    assert "--file" in capsys.readouterr().out


def test_codes_pasted_on_the_command_line_as_printed_are_read_one_by_one():
    from domain.invites import codes_in, new_code

    first, second = new_code(), new_code()
    assert codes_in(["Mã:", first]) == [first]                                   # the label is no code
    assert codes_in([second[:8].upper(), second[8:16], second[16:]]) == [second]
    assert codes_in([first, "sai", second]) == [first, "sai", second]           # "sai": answered unknown


def test_copying_to_postgresql_while_the_bot_still_runs_on_the_sqlite_file_is_refused(office, capsys):
    assert main(["units", "import", str(write(office / "don-vi.csv", TREE_CSV))]) == 0
    database = office / "data" / "chidoan.sqlite3"

    async def while_running():
        services = await app.open_services(database)                  # the bot, still running
        try:
            return main(["migrate-to-postgres", "--to", "postgresql://chidoan:pw@127.0.0.1:1/chidoan"])
        finally:
            await app.close_services(services)

    capsys.readouterr()
    assert asyncio.run(while_running()) == 1
    out, err = capsys.readouterr()
    assert "Trợ lý đang chạy" in err and "systemctl stop chidoan-bot" in err and "Đang chép" not in out


def test_listing_the_codes_still_good_before_revoking_one_by_its_number(office, capsys):
    assert main(["units", "import", str(write(office / "don-vi.csv", TREE_CSV))]) == 0
    assert main(["invites", "create", "--unit", "X-TP", "--for-branches"]) == 0
    assert main(["invites", "create", "--unit", "X-TP", "--role", "officer"]) == 0
    codes = codes_printed(capsys.readouterr().out)
    assert main(["invites", "list", "--unit", "x-tp"]) == 0
    listed = capsys.readouterr().out
    assert "Mã mời còn dùng được của Đoàn xã Tân Phú và các đơn vị trực thuộc: 3" in listed
    assert all(f"{code[:4]}…" in listed and code not in listed for code in codes)   # never a whole code
    numbers = re.findall(r"#(\d+)  ", listed)
    assert main(["invites", "revoke", "--id", numbers[0]]) == 0
    assert main(["invites", "list", "--unit", "CD-1"]) == 0 and ": 0" in capsys.readouterr().out.splitlines()[-1]
    assert main(["invites", "list", "--unit", "TD-VL"]) == 0
    assert "trực thuộc: 2" in capsys.readouterr().out
