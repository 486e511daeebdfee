"""The Tỉnh đoàn's IT person following the README from "Running it for a province": a .env written
by hand, a unit list saved by Excel, invites, exports, backups from the command line. Each test is
one thing they did that went wrong before it was fixed."""

from __future__ import annotations

import asyncio
import re
from pathlib import Path

import pytest

from bot import app, settings
from bot.cli import main
from tests.support.office import write
from tests.contract.postgres import postgres_cluster  # noqa: F401  (a fixture)




def parents(database: Path) -> dict[str, str | None]:
    async def read():
        services = await app.open_services(database)
        try:
            units = await services.storage.units.all()
        finally:
            await app.close_services(services)
        code_of = {u.id: u.code for u in units}
        return {u.code: code_of.get(u.parent_id) for u in units}
    return asyncio.run(read())


TREE_CSV = """Mã đơn vị;Tên đơn vị;Cấp;Mã cấp trên;Biên giới;Số đoàn viên
TD-VL;Tỉnh đoàn Vĩnh Long;Tỉnh đoàn;;;
X-TP;Đoàn xã Tân Phú;Đoàn xã;TD-VL;Có;
T-THPT;Đoàn trường THPT Tân Phú;Đoàn trường;X-TP;không;
CD-1;Chi đoàn Ấp 1;Chi đoàn;X-TP;có;25
CD-2;Chi đoàn 12A1;Chi đoàn;T-THPT;;40
"""


def test_turning_a_commune_into_a_branch_under_its_own_school_is_refused_not_a_cycle(office, capsys):
    assert main(["units", "import", str(write(office / "don-vi.csv", TREE_CSV))]) == 0
    database = office / "data" / "chidoan.sqlite3"
    before = parents(database)
    capsys.readouterr()
    changed = write(office / "sua.csv", "code,name,level,parent_code,border,members\n"
                                        "X-TP,Chi đoàn Tân Phú,chi doan,T-THPT,,10\n")
    assert main(["units", "import", str(changed)]) == 1
    err = capsys.readouterr().err
    assert "Dòng 2:" in err and "T-THPT" in err and "CD-1" in err
    assert parents(database) == before


def test_revoking_a_code_copied_in_groups_of_four_with_capitals_revokes_it(office, capsys):
    assert main(["units", "import", str(write(office / "don-vi.csv", TREE_CSV))]) == 0
    assert main(["invites", "create", "--unit", "CD-1"]) == 0
    code = re.search(r"Mã: ([a-z0-9]{24})", capsys.readouterr().out)[1]
    as_printed = " ".join(code[i:i + 4] for i in range(0, len(code), 4)).upper()
    assert main(["invites", "revoke", as_printed]) == 0
    assert "Đã thu hồi mã." in capsys.readouterr().out
    assert main(["invites", "revoke", code]) == 1          # it is gone, not still good


def test_exporting_into_a_folder_writes_the_usual_file_inside_it(office, capsys):
    assert main(["units", "import", str(write(office / "don-vi.csv", TREE_CSV))]) == 0
    folder = office / "gui-tinh-doan"
    folder.mkdir()
    assert main(["export", "--unit", "X-TP", "--period", "2026-Q2", "--out", str(folder)]) == 0
    assert sorted(p.name for p in folder.iterdir()) == ["tonghop-X-TP-2026-Q2.xlsx"]
    assert not list(office.glob("*.part"))


def test_exporting_to_a_name_without_xlsx_gets_the_extension_excel_opens(office, capsys):
    assert main(["units", "import", str(write(office / "don-vi.csv", TREE_CSV))]) == 0
    assert main(["export", "--unit", "X-TP", "--period", "2026-Q2", "--out", str(office / "tanphu-q2")]) == 0
    assert (office / "tanphu-q2.xlsx").is_file() and not (office / "tanphu-q2").exists()


def test_a_data_folder_set_to_a_file_is_one_line_naming_it(office, capsys, monkeypatch):
    (office / "notes.txt").write_text("x")
    monkeypatch.setenv("DATA_DIR", str(office / "notes.txt"))
    assert main(["units", "import", str(write(office / "don-vi.csv", TREE_CSV))]) == 2
    err = capsys.readouterr().err
    assert "DATA_DIR" in err and "notes.txt" in err and "Traceback" not in err and len(err.splitlines()) == 1


def test_a_database_given_as_a_folder_is_explained_not_a_traceback(office, capsys):
    csv_file = write(office / "don-vi.csv", TREE_CSV)
    for command in (["units", "import", str(csv_file)], ["invites", "create", "--unit", "CD-1"],
                    ["export", "--unit", "X-TP", "--period", "2026-Q2"], ["backup"]):
        assert main([*command, "--database", str(office)]) == 1
        err = capsys.readouterr().err
        assert str(office) in err and "thư mục" in err and "Traceback" not in err, command


def test_an_invite_file_that_cannot_be_written_still_shows_the_codes_and_says_why(office, capsys):
    assert main(["units", "import", str(write(office / "don-vi.csv", TREE_CSV))]) == 0
    (office / "notes.txt").write_text("x")
    capsys.readouterr()
    assert main(["invites", "create", "--unit", "X-TP", "--for-branches", "--out",
                 str(office / "notes.txt" / "ma.csv")]) == 1
    out, err = capsys.readouterr()
    assert len(re.findall(r"Mã: [a-z0-9]{24}", out)) == 2          # the codes made are not lost
    assert "notes.txt" in err and "Errno" not in err and "Traceback" not in err


@pytest.mark.parametrize("command", [["invites", "revoke", "abc"], ["invites", "create", "--unit", "CD-1"],
                                     ["export", "--unit", "X-TP", "--period", "2026-Q2"], ["backup"],
                                     ["units", "import", "don-vi.csv"]])
def test_a_database_option_naming_the_csv_instead_is_one_vietnamese_line(office, capsys, command):
    csv_file = write(office / "don-vi.csv", TREE_CSV)
    assert main([*command, "--database", str(csv_file)]) == 1
    err = capsys.readouterr().err
    assert "không phải cơ sở dữ liệu" in err and "Traceback" not in err and "DatabaseError" not in err
    assert csv_file.read_bytes().startswith(b"\xef\xbb\xbf")             # left as it was


def test_a_postgresql_database_that_cannot_be_reached_is_one_line_without_the_password(office, capsys,
                                                                                       monkeypatch):
    monkeypatch.setenv("DATABASE_URL", "postgresql://chidoan:S3cretPw@127.0.0.1:1/chidoan?connect_timeout=2")
    assert main(["invites", "revoke", "abc"]) == 1
    err = capsys.readouterr().err
    assert "Không mở được cơ sở dữ liệu postgresql://chidoan:***@127.0.0.1:1/chidoan" in err
    assert "S3cretPw" not in err and "Traceback" not in err and len(err.strip().splitlines()) == 1


def test_an_env_file_saved_by_notepad_as_unicode_is_read(office):
    text = "# Token của bot Zalo\r\nZALO_BOT_TOKEN=zalo-token-123456789\r\nLOG_LEVEL=debug\r\n"
    (office / ".env").write_bytes(text.encode("utf-16"))                  # with its BOM, as Notepad writes it
    loaded = settings.load(env={})
    assert (loaded.zalo_token, loaded.log_level) == ("zalo-token-123456789", "DEBUG")


def test_an_env_file_saved_as_ansi_is_one_vietnamese_line_naming_the_line(office, capsys):
    (office / ".env").write_bytes("LOG_LEVEL=INFO\n# Token c\xf9a bot\nPORT=8080\n".encode("latin-1"))
    assert main(["backup"]) == 2
    err = capsys.readouterr().err
    assert ".env" in err and "UTF-8" in err and "dòng 2" in err
    assert "Traceback" not in err and len(err.strip().splitlines()) == 1


def test_an_env_file_with_bom_crlf_quotes_and_comments_is_read_as_meant(office):
    (office / ".env").write_bytes(
        b"\xef\xbb\xbfTELEGRAM_BOT_TOKEN=\"123456:ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghij\"\r\n"
        b"LOG_LEVEL='warning'  # it talks less\r\nexport PORT = 8081\r\n")
    loaded = settings.load(env={})
    assert (loaded.telegram_token, loaded.log_level, loaded.port) == (
        "123456:ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghij", "WARNING", 8081)


def test_a_zalo_bots_file_saved_with_a_bom_is_read(office, monkeypatch):
    bots = office / "bots.toml"
    bots.write_bytes(b'\xef\xbb\xbf[[bot]]\r\nkey = "xa-an-binh"\r\ntoken = "abcdefghij1234567890"\r\n'
                     b'units = ["X-TP"]\r\n')
    monkeypatch.setenv("ZALO_BOTS_FILE", str(bots))
    assert [(bot.key, bot.units) for bot in settings.load().zalo_bots] == [("xa-an-binh", ("X-TP",))]


def test_starting_the_bot_on_a_database_path_that_is_not_a_database_is_one_line(office, capsys, monkeypatch):
    monkeypatch.setenv("ZALO_BOT_TOKEN", "zalo-token-123456789")
    monkeypatch.setenv("ZALO_API_BASE_URL", "http://127.0.0.1:9")          # never reached
    monkeypatch.setenv("DATABASE_PATH", str(write(office / "don-vi.csv", TREE_CSV)))
    assert main(["run"]) == 1
    err = capsys.readouterr().err
    assert "không phải cơ sở dữ liệu SQLite" in err and "Traceback" not in err
    assert len(err.strip().splitlines()) == 1


def test_a_unit_file_with_only_its_header_row_is_refused_and_makes_no_database(office, capsys):
    empty = write(office / "don-vi.csv", "Mã đơn vị;Tên đơn vị;Cấp;Mã cấp trên;Biên giới;Số đoàn viên\n;;;;;\n\n")
    assert main(["units", "import", str(empty)]) == 1
    assert "không có dòng đơn vị nào" in capsys.readouterr().err
    assert not (office / "data" / "chidoan.sqlite3").exists()


def test_invite_codes_written_over_an_existing_open_file_leave_it_readable_by_the_owner_only(office, capsys):
    assert main(["units", "import", str(write(office / "don-vi.csv", TREE_CSV))]) == 0
    out = office / "ma-moi.csv"
    out.write_text("danh sách cũ\n")
    out.chmod(0o644)
    assert main(["invites", "create", "--unit", "X-TP", "--for-branches", "--out", str(out)]) == 0
    assert out.stat().st_mode & 0o777 == 0o600


def test_a_unit_file_with_excels_empty_trailing_columns_is_imported(office, capsys):
    file = write(office / "don-vi.csv", "code;name;level;parent_code;border;members;;\n"
                                        "TD;Tỉnh đoàn A;tinh;;;;;\nX;Đoàn xã B;xa;TD;;;;\n"
                                        "C;Chi đoàn C;chi doan;X;;12;;;\n;;;;;;;\n")
    assert main(["units", "import", str(file)]) == 0, capsys.readouterr().err
    assert parents(office / "data" / "chidoan.sqlite3") == {"TD": None, "X": "TD", "C": "X"}


def test_a_value_in_a_column_without_a_header_is_named_not_dropped(office, capsys):
    file = write(office / "don-vi.csv", "code;name;level;parent_code;border;members;\n"
                                        "TD;Tỉnh đoàn A;tinh;;;;\nX;Đoàn xã B;xa;TD;;;ghi chú\n")
    assert main(["units", "import", str(file)]) == 1
    err = capsys.readouterr().err
    assert "Dòng 3:" in err and "ghi chú" in err and "Dòng 1" not in err


def test_an_export_to_a_folder_it_may_not_write_is_one_vietnamese_line(office, capsys, monkeypatch):
    from domain.digests import workbook

    assert main(["units", "import", str(write(office / "don-vi.csv", TREE_CSV))]) == 0
    capsys.readouterr()
    real_write = workbook.write

    def refused(sheets, path):            # as a folder of another account refuses (the tests run as root)
        return real_write(sheets, Path("/proc/no-such-folder") / path.name)

    monkeypatch.setattr(workbook, "write", refused)
    assert main(["export", "--unit", "X-TP", "--period", "2026-Q2"]) == 1
    err = capsys.readouterr().err
    assert err.startswith("Không ghi hoặc đọc được /proc/no-such-folder/") and "Traceback" not in err


def test_a_database_in_a_folder_that_cannot_hold_it_is_said_in_vietnamese(office, capsys):
    assert main(["units", "import", str(write(office / "don-vi.csv", TREE_CSV)),
                 "--database", "/proc/chidoan.sqlite3"]) == 1
    err = capsys.readouterr().err
    assert "Không mở được cơ sở dữ liệu /proc/chidoan.sqlite3" in err and "unable to open" not in err



def test_a_commune_made_a_branch_is_imported_when_the_file_moves_its_units_too(office, capsys):
    assert main(["units", "import", str(write(office / "don-vi.csv", TREE_CSV))]) == 0
    moved = write(office / "sua.csv", "code,name,level,parent_code,border,members\n"
                                      "T-THPT,Đoàn trường THPT Tân Phú,doan truong,TD-VL,,\n"
                                      "CD-1,Chi đoàn Ấp 1,chi doan,T-THPT,,25\n"
                                      "X-TP,Chi đoàn Tân Phú,chi doan,T-THPT,,10\n")
    assert main(["units", "import", str(moved)]) == 0, capsys.readouterr().err
    assert parents(office / "data" / "chidoan.sqlite3") == {
        "TD-VL": None, "T-THPT": "TD-VL", "CD-1": "T-THPT", "X-TP": "T-THPT", "CD-2": "T-THPT"}


async def test_the_terminal_chat_on_the_provinces_own_database_opens_and_its_code_joins(tmp_path, clock):
    from bot import demo
    from bot.channels.terminal import TerminalChat
    from domain import units_csv

    services = await app.open_services(tmp_path / "tinh.sqlite3", clock=clock)
    try:
        await services.storage.units.import_rows(units_csv.parse(TREE_CSV, []), clock())
        assert not await demo.ensure(services.storage, clock())          # a real province: no demo people
        chat = TerminalChat(services)
        banner = await chat.start()
        code = banner.split("/start ")[1].split()[0]
        await chat.say(":khach")
        out = await chat.say(f"/start {code}")
        assert "Chi đoàn" in out and "Traceback" not in out
    finally:
        await app.close_services(services)


@pytest.mark.parametrize("password", ["Pa55@word", "Pa/55word", "Pa?55word", "Pa#55word"])
def test_a_database_password_with_an_unescaped_sign_is_refused_without_showing_any_of_it(office, capsys,
                                                                                        monkeypatch, password):
    url = f"postgresql://chidoan:{password}@127.0.0.1:1/chidoan"
    monkeypatch.setenv("DATABASE_URL", url)
    assert main(["invites", "revoke", "abc"]) == 2
    err = capsys.readouterr().err
    assert "%40" in err and "postgresql://chidoan:***@127.0.0.1:1/chidoan" in err
    assert "Pa" not in err and "word" not in err
    monkeypatch.delenv("DATABASE_URL")
    assert main(["migrate-to-postgres", "--to", url]) == 2
    err = capsys.readouterr().err
    assert "%40" in err and "Pa" not in err and "word" not in err


def test_a_unit_name_typed_over_two_lines_in_an_excel_cell_is_stored_on_one(office, capsys):
    file = write(office / "don-vi.csv", 'code,name,level,parent_code,border,members\n'
                                        'TD,"Tỉnh đoàn\nVĩnh  Long",tinh,,,\n')
    assert main(["units", "import", str(file)]) == 0

    async def names():
        services = await app.open_services(office / "data" / "chidoan.sqlite3")
        try:
            return [u.name for u in await services.storage.units.all()]
        finally:
            await app.close_services(services)
    assert asyncio.run(names()) == ["Tỉnh đoàn Vĩnh Long"]


def test_asking_officer_codes_for_every_branch_is_refused_not_turned_into_secretary_codes(office, capsys):
    assert main(["units", "import", str(write(office / "don-vi.csv", TREE_CSV))]) == 0
    capsys.readouterr()
    assert main(["invites", "create", "--unit", "X-TP", "--for-branches", "--role", "officer"]) == 2
    out, err = capsys.readouterr()
    assert "--for-branches" in err and "--role officer" in err and "Mã:" not in out
    assert not (office / "data" / "invites").exists()


def test_a_unit_code_typed_in_lower_case_on_the_command_line_finds_the_unit(office, capsys):
    assert main(["units", "import", str(write(office / "don-vi.csv", TREE_CSV))]) == 0
    assert main(["invites", "create", "--unit", "cd-1"]) == 0
    assert "Chi đoàn Ấp 1 (CD-1)" in capsys.readouterr().out
    assert main(["export", "--unit", "x-tp", "--period", "2026-Q2"]) == 0
    assert (office / "data" / "out" / "tonghop-X-TP-2026-Q2.xlsx").is_file()


def test_a_postgresql_database_not_created_yet_is_said_with_how_to_create_it(office, capsys, monkeypatch,
                                                                             postgres_cluster):
    assert main(["units", "import", str(write(office / "don-vi.csv", TREE_CSV))]) == 0
    capsys.readouterr()
    url = postgres_cluster.url("chua_tao")
    assert main(["migrate-to-postgres", "--to", url]) == 1
    assert "createdb chua_tao" in capsys.readouterr().err
    monkeypatch.setenv("DATABASE_URL", url)
    assert main(["invites", "revoke", "abc"]) == 1
    assert "createdb chua_tao" in capsys.readouterr().err


@pytest.mark.parametrize("command", ["units", "invites"])
def test_a_command_without_what_to_do_names_its_own_choices(office, capsys, command):
    with pytest.raises(SystemExit) as stopped:
        main([command])
    assert stopped.value.code == 2
    err = capsys.readouterr().err
    assert f"python -m bot {command}" in err and "VIỆC" in err and "migrate-to-postgres" not in err


def test_a_second_file_with_the_codes_in_lower_case_is_refused_not_a_second_copy_of_each_unit(office, capsys):
    assert main(["units", "import", str(write(office / "don-vi.csv", TREE_CSV))]) == 0
    capsys.readouterr()
    again = write(office / "bo-sung.csv", "code,name,level,parent_code,border,members\n"
                                          "x-tp,Đoàn xã Tân Phú,xa,TD-VL,co,\n"
                                          "CD-9,Chi đoàn Ấp 9,chi doan,X-TP,,8\n"
                                          "cd-9,Chi đoàn Ấp 9,chi doan,X-TP,,8\n")
    assert main(["units", "import", str(again)]) == 1
    err = capsys.readouterr().err
    assert "Dòng 2:" in err and "X-TP" in err and "Dòng 4:" in err and "CD-9" in err and "Dòng 3" not in err
    assert sorted(parents(office / "data" / "chidoan.sqlite3")) == ["CD-1", "CD-2", "T-THPT", "TD-VL", "X-TP"]


def test_restoring_into_a_folder_or_where_nothing_can_be_written_is_one_vietnamese_line(office, capsys):
    assert main(["units", "import", str(write(office / "don-vi.csv", TREE_CSV))]) == 0
    assert main(["backup"]) == 0
    copy = next((office / "data" / "backups").glob("chidoan-*.sqlite3"))
    capsys.readouterr()
    assert main(["restore", str(copy), "--database", str(office)]) == 1
    assert "là một thư mục" in capsys.readouterr().err
    assert main(["restore", str(copy), "--database", "/proc/chidoan.sqlite3"]) == 1
    err = capsys.readouterr().err
    assert err.startswith("Không ghi hoặc đọc được /proc/chidoan.sqlite3") and "Traceback" not in err


@pytest.mark.parametrize("line", ['ZALO_BOT_TOKEN="zalo-token-123456789', "ZALO_BOT_TOKEN zalo-token-123456789",
                                  "ZALO_BOT_TOKEN: zalo-token-123456789"])
def test_an_env_line_it_cannot_read_stops_the_bot_naming_the_line_not_a_demo_chat(office, capsys, line):
    (office / ".env").write_text(f"# Zalo\nLOG_LEVEL=INFO\n{line}\nPORT=8080\n", encoding="utf-8")
    with pytest.raises(settings.SettingsError):            # not a bot started without its token
        settings.load()
    assert main(["backup"]) == 2
    err = capsys.readouterr().err
    assert "dòng 3" in err and ".env" in err and "zalo-token-123456789" not in err
    assert "python-dotenv" not in err and len(err.strip().splitlines()) == 1
