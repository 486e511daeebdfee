"""The spreadsheet read back with openpyxl: sheets, headers, types, one row per branch, the title
block and print setup; CSV, with text that would run as a formula neutralised; the CLI."""

from __future__ import annotations

import re

import asyncio
import csv
from dataclasses import replace
from datetime import date, datetime

from openpyxl import load_workbook
from openpyxl.utils import get_column_letter

from bot import app, cli
from domain.digests import xlsx
from storage.units import UnitRow
from tests.support import Clock, joined, open_services, seed_tree
from tests.test_digests import digest, fill_quarter, meet

SHEETS = ["Chi đoàn", "Theo đơn vị", "Sinh hoạt", "1+1 và kết nạp", "Hạn và xác nhận", "Lịch sử sửa",
          "Cần chú ý"]
HEADER = 6                  # the header row of a digest's sheet, under the title block


def header_row(sheet) -> int:
    """The row above the frozen pane: the table's header."""
    return int(sheet.freeze_panes[1:]) - 1


def rows_of(sheet) -> list[dict]:
    values = list(sheet.iter_rows(min_row=header_row(sheet), values_only=True))
    return [dict(zip(values[0], row)) for row in values[1:]]


async def test_workbook_reads_back_with_types_and_headers(services, tmp_path):
    await fill_quarter(services)
    path = xlsx.write_xlsx(await digest(services, "D1", "2026-Q3"), tmp_path / "d1.xlsx")
    book = load_workbook(path)
    assert book.sheetnames == SHEETS
    for sheet in book:
        assert sheet.freeze_panes == f"A{HEADER + 1}"
        assert sheet[f"A{HEADER}"].font.b
    branches = book["Chi đoàn"]
    # the tree below the digest's unit as columns: one per depth, headed by its level
    assert [c.value for c in branches[HEADER]][:6] == ["Đoàn cơ sở", "Chi đoàn", "Mã", "Xã biên giới",
                                                  "Số đoàn viên", "Sinh hoạt"]
    assert branches.column_dimensions["B"].width >= len("Chi đoàn khu phố Năm")
    table = rows_of(branches)
    assert [(r["Đoàn cơ sở"], r["Mã"], r["Sinh hoạt"]) for r in table] == [
        ("Đoàn xã Biên Giới", "B1", "đạt"), ("Đoàn xã Biên Giới", "B2", "đạt (trực tuyến)"),
        ("Đoàn phường Giữa", "B5", "chưa đạt")]
    assert [r["Kỳ chưa sinh hoạt"] for r in table] == [None, None, "tháng 8/2026"]
    assert all(isinstance(r["Số đoàn viên"], int) for r in table)

    meetings = rows_of(book["Sinh hoạt"])
    assert [(r["Mã"], r["Buổi sinh hoạt chi đoàn"], r["Lượt tham dự"], r["T8/2026"]) for r in meetings] == [
        ("B1", 3, 56, 1), ("B2", 1, 8, 1), ("B5", 2, 25, 0)]
    rate = book["Sinh hoạt"][f"I{HEADER + 1}"]
    assert rate.value == 56 / 60 and rate.number_format == "0%"

    oneplusone = rows_of(book["1+1 và kết nạp"])
    assert [(r["Mã"], r["Kỳ báo cáo 1+1"], r["Thanh niên được vận động"]) for r in oneplusone] == [
        ("B1", "6 tháng cuối năm 2026", 20), ("B2", "6 tháng cuối năm 2026", 5), ("B5", "năm 2026", 12)]

    # one row per unit, one column per deadline: the unit's state and its own date
    deadlines = rows_of(book["Hạn và xác nhận"])
    units = [r["Đơn vị"] for r in deadlines]
    assert len(units) == len(set(units)) and "Chi đoàn khu phố Năm" in units
    states = {value.split(" · ")[0] for r in deadlines for key, value in r.items()
              if key not in ("Đơn vị", "Cấp") and isinstance(value, str) and " · " in value}
    assert states and states <= {"đã xác nhận", "trễ hạn", "chưa đến hạn"}
    assert all(re.fullmatch(r"\d\d/\d\d/\d{4}", value.split(" · ")[1]) for r in deadlines
               for value in r.values() if isinstance(value, str) and " · " in value)

    audit = rows_of(book["Lịch sử sửa"])
    deleted = [r for r in audit if r["Thao tác"] == "xóa"]
    assert [(r["Chi đoàn"], r["Ngày sinh hoạt"]) for r in deleted] == [("Chi đoàn khu phố Năm", datetime(2026, 8, 20))]
    assert all(isinstance(r["Thời điểm"], datetime) for r in audit)
    summary = rows_of(book["Theo đơn vị"])                # the district itself, then each unit under it
    assert [(r["Đơn vị"], r["Cấp"], r["Chi đoàn đạt"], r["Chi đoàn xét"], r["Tỷ lệ đạt"]) for r in summary] == [
        ("Huyện đoàn Một", "Huyện đoàn", 2, 3, 2 / 3), ("Đoàn xã Biên Giới", "Đoàn cơ sở", 2, 2, 1),
        ("Đoàn phường Giữa", "Đoàn cơ sở", 0, 1, 0)]


async def test_every_sheet_has_its_title_block_filter_and_print_setup(services, tmp_path):
    await fill_quarter(services)
    book = load_workbook(xlsx.write_xlsx(await digest(services, "D1", "2026-Q3"), tmp_path / "d1.xlsx"))
    titles = set()
    for sheet in book:
        titles.add(sheet["A1"].value)
        assert sheet["A1"].font.b and sheet["A1"].font.sz > sheet[f"A{HEADER}"].font.sz
        assert [sheet[f"A{row}"].value for row in (2, 3, 4, 5)] == [
            "Đơn vị: Huyện đoàn Một (mã D1)", "Kỳ tổng hợp: quý 3/2026 (từ 01/07/2026 đến 30/09/2026)",
            "Ngày lập: Thứ Hai, 23 tháng 11, 2026", None]
        last_row, last_column = HEADER + len(rows_of(sheet)), get_column_letter(sheet.max_column)
        assert sheet.auto_filter.ref == f"A{HEADER}:{last_column}{last_row}"
        assert sheet.page_setup.orientation == "landscape"
        assert int(sheet.page_setup.paperSize) == 9                       # A4
        assert sheet.sheet_properties.pageSetUpPr.fitToPage
        # one page wide (fitToWidth is 1 when left out), as many pages long as it takes
        assert (sheet.page_setup.fitToWidth or 1, sheet.page_setup.fitToHeight) == (1, 0)
        assert sheet.print_title_rows == f"${HEADER}:${HEADER}"
    assert len(titles) == len(SHEETS) and None not in titles


async def test_flags_sheet_gives_the_day_of_each_flag(services, tmp_path):
    await fill_quarter(services)
    book = load_workbook(xlsx.write_xlsx(await digest(services, "D1", "2026-Q3"), tmp_path / "d1.xlsx"))
    flags = rows_of(book["Cần chú ý"])
    days = {(r["Điểm cần chú ý"], r["Ngày"]) for r in flags}
    assert ("Số tham dự nhiều hơn số đoàn viên", datetime(2026, 9, 5)) in days        # the meeting's day
    assert ("Báo cáo sửa sau khi gửi", datetime(2026, 11, 23)) in days               # the day it was deleted
    no_secretary = [r for r in flags if r["Điểm cần chú ý"] == "Chưa có Bí thư dùng trợ lý"]
    assert no_secretary and all(r["Ngày"] is None for r in no_secretary)
    day = book["Cần chú ý"][f"D{HEADER + 1}"]
    assert day.is_date and day.number_format == "dd/mm/yyyy"


async def test_province_has_one_row_per_branch(services, tmp_path):
    await fill_quarter(services)
    book = load_workbook(xlsx.write_xlsx(await digest(services, "P", "2026-Q3"), tmp_path / "p.xlsx"))
    for name in ("Chi đoàn", "Sinh hoạt", "1+1 và kết nạp"):
        assert sorted(r["Mã"] for r in rows_of(book[name])) == ["B1", "B2", "B3", "B4", "B5"]
    b3 = next(r for r in rows_of(book["Chi đoàn"]) if r["Mã"] == "B3")
    assert (b3["Huyện đoàn"], b3["Đoàn cơ sở"]) == ("Huyện đoàn Hai", None)   # directly under its district
    units = rows_of(book["Theo đơn vị"])
    assert [(r["Huyện đoàn"], r["Đơn vị"], r["Số chi đoàn"]) for r in units] == [
        (None, "Tỉnh đoàn Thử", 5), (None, "Huyện đoàn Một", 3), ("Huyện đoàn Một", "Đoàn xã Biên Giới", 2),
        ("Huyện đoàn Một", "Đoàn phường Giữa", 1), (None, "Huyện đoàn Hai", 2), ("Huyện đoàn Hai", "Đoàn xã Ba", 1)]


async def test_csv_files_per_sheet(services, tmp_path):
    await fill_quarter(services)
    paths = xlsx.write_csv(await digest(services, "D1", "2026-Q3"), tmp_path / "d1")
    assert [p.name for p in paths] == [f"d1-{s}.csv" for s in (
        "chi-doan", "theo-don-vi", "sinh-hoat", "1-cong-1", "han-bao-cao", "lich-su-sua", "can-chu-y")]
    assert paths[0].read_bytes().startswith("\ufeff".encode())
    with paths[2].open(encoding="utf-8-sig", newline="") as handle:
        table = list(csv.DictReader(handle))
    assert [(r["Mã"], r["Lượt tham dự"], r["Tỷ lệ tham dự"]) for r in table] == [
        ("B1", "56", "0.9333"), ("B2", "8", "0.8"), ("B5", "25", "0.8333")]
    with paths[5].open(encoding="utf-8-sig", newline="") as handle:
        assert any(r["Ngày sinh hoạt"] == "2026-08-20" and r["Thao tác"] == "xóa" for r in csv.DictReader(handle))


async def _prepare(path) -> None:
    services = await open_services(path, Clock())
    try:
        await seed_tree(services)
        await fill_quarter(services)
    finally:
        await app.close_services(services)


def test_command_line_export(tmp_path, capsys, monkeypatch):
    monkeypatch.delenv("TELEGRAM_BOT_TOKEN", raising=False)
    database = tmp_path / "cli.sqlite3"
    asyncio.run(_prepare(database))
    out = tmp_path / "out" / "d1.xlsx"
    assert cli.main(["export", "--unit", "D1", "--period", "2026-Q3", "--out", str(out),
                     "--database", str(database)]) == 0
    assert str(out) in capsys.readouterr().out
    assert len(rows_of(load_workbook(out)["Chi đoàn"])) == 3
    assert cli.main(["export", "--unit", "D1", "--period", "2026-Q3", "--out", str(out), "--csv",
                     "--database", str(database)]) == 0
    assert (tmp_path / "out" / "d1-chi-doan.csv").exists()
    assert cli.main(["export", "--unit", "NOPE", "--period", "2026-06", "--out", str(out),
                     "--database", str(database)]) == 1
    assert cli.main(["export", "--unit", "D1", "--period", "2026-13", "--out", str(out),
                     "--database", str(database)]) == 2
    assert "2026-13" in capsys.readouterr().err


def test_sheet_keeps_awkward_values(tmp_path):
    rows = [("a & b <c>", "  spaced ", "=1+1", "http://x.example", None, 3, 0.25, True, datetime(2026, 8, 20, 7, 30)),
            ("x" * 40000, None, None, None, None, -7, float("nan"), False, datetime(2026, 1, 1).date())]
    table = xlsx.Table("thu", "Một & hai", tuple(f"Cột {i}" for i in range(30)),
                       (None,) * 6 + ("percent", None, "datetime") + (None,) * 21,
                       [row + (None,) * 20 + ("cuối",) for row in rows])
    sheet = load_workbook(xlsx.write_tables([table], tmp_path / "odd.xlsx"))["Một & hai"]
    first, second = [[c.value for c in row] for row in sheet.iter_rows(min_row=2)]
    assert first[:9] == ["a & b <c>", "  spaced ", "=1+1", "http://x.example", None, 3, 0.25, True,
                         datetime(2026, 8, 20, 7, 30)]
    assert sheet["C2"].data_type == "s"                  # typed text never becomes a formula
    assert sheet["G2"].number_format == "0%" and sheet["I2"].number_format == "dd/mm/yyyy hh:mm"
    assert len(second[0]) == 32767 and second[5:9] == [-7, None, False, datetime(2026, 1, 1)]
    assert sheet["I3"].number_format == "dd/mm/yyyy hh:mm"
    assert sheet["AD1"].value == "Cột 29" and sheet["AD2"].value == "cuối"
    assert sheet.freeze_panes == "A2"


FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def neutral(cell: str) -> bool:
    return not cell.startswith(FORMULA_STARTS)


def as_read(value):
    """A text as openpyxl reads it back: it leaves the workbook's escape of a carriage return as is."""
    return value.replace("\r", "_x000D_") if isinstance(value, str) else value


async def test_text_that_would_run_as_a_formula_is_neutralised(services, tmp_path):
    evil = {f"BE{i}": f"{start}Chi đoàn {i}" for i, start in enumerate(FORMULA_STARTS)}
    rows = [UnitRow("GE", '=HYPERLINK("http://x.example","Đoàn xã")', "grassroots", "D2", False, 0)]
    rows += [UnitRow(code, name, "branch", "GE", False, 10) for code, name in evil.items()]
    await services.storage.units.import_rows(rows, services.clock())
    names = ["=cmd|' /C calc'!A0", "+Người cộng", "-Người trừ", "@Người a còng"]
    chats = [await joined(services, f"s-{i}", f"BE{i}", name=name) for i, name in enumerate(names)]
    meeting = await meet(services, "BE0", date(2026, 11, 5), 9)
    storage, person = services.storage, await services.storage.people.identify("terminal", chats[1].user_id)
    for note in ("=1+2", "-3+4"):
        await storage.reports.update_meeting(meeting, person.person.id, {"note": note}, services.clock())
    result = await digest(services, "D2", "2026-11")
    texts = {*evil.values(), rows[0].name, *names, "=1+2", "-3+4"}

    cells = []
    for path in xlsx.write_csv(result, tmp_path / "d2"):
        with path.open(encoding="utf-8-sig", newline="") as handle:
            cells += [cell for row in csv.reader(handle) for cell in row]
    assert all(neutral(cell) for cell in cells)
    assert {"'" + text for text in texts} <= set(cells)
    with (tmp_path / "d2-sinh-hoat.csv").open(encoding="utf-8-sig", newline="") as handle:
        be0 = next(r for r in csv.DictReader(handle) if r["Mã"] == "BE0")
    assert (be0["Chi đoàn"], be0["Lượt tham dự"], be0["Đoàn viên (theo buổi)"]) == ("'=Chi đoàn 0", "9", "10")

    book = load_workbook(xlsx.write_xlsx(result, tmp_path / "d2.xlsx"))
    values = {c.value for sheet in book for row in sheet.iter_rows() for c in row}
    assert {as_read(text) for text in texts} <= values              # the workbook keeps the text as typed
    assert not [c.coordinate for sheet in book for row in sheet.iter_rows() for c in row if c.data_type == "f"]


def test_csv_neutralises_text_and_keeps_numbers(tmp_path):
    row = ("=1+1", "+1", "-1", "@SUM(A1)", "\tx", "\rx", "-7", -7, -2.5, 0.25, "a=b", None, date(2026, 8, 20))
    table = xlsx.Table("thu", "Thử", ("=Cột", *(f"Cột {i}" for i in range(1, len(row)))),
                       (None,) * 9 + ("percent",) + (None,) * 3, [row])
    path = xlsx.write_csv_table(table, tmp_path / "thu.csv")
    with path.open(encoding="utf-8-sig", newline="") as handle:
        header, values = list(csv.reader(handle))
    assert header[0] == "'=Cột"
    assert values == ["'=1+1", "'+1", "'-1", "'@SUM(A1)", "'\tx", "'\rx", "'-7", "-7", "-2.5", "0.25", "a=b", "",
                      "2026-08-20"]
    sheet = load_workbook(xlsx.write_tables([table], tmp_path / "thu.xlsx"))["Thử"]
    assert [c.value for c in sheet[2]] == [as_read(v) for v in row[:11]] + [None, datetime(2026, 8, 20)]
    assert all(c.data_type == "s" for c in sheet[2][:7])


def test_every_part_of_the_workbook_is_well_formed_xml_with_its_content_type(tmp_path):
    import zipfile
    from xml.etree import ElementTree
    rows = [("a & b <c> \x01", 1, 0.5, date(2026, 1, 2), datetime(2026, 1, 2, 3, 4), True, None, "")]
    table = xlsx.Table("thu", "Tên 'có' nháy", tuple(f"Cột {i}" for i in range(8)),
                       (None, None, "percent", "date", "datetime", None, None, None), rows, "Tiêu đề")
    path = xlsx.write_tables([table, replace(table, name="Hai")], tmp_path / "x.xlsx", ["Dòng một"])
    with zipfile.ZipFile(path) as book:
        names = book.namelist()
        for name in names:
            ElementTree.fromstring(book.read(name))
        types = book.read("[Content_Types].xml").decode()
    assert {"xl/worksheets/sheet1.xml", "xl/worksheets/sheet2.xml", "xl/styles.xml", "xl/workbook.xml"} <= set(names)
    assert all(f"/{name}" in types for name in names if name.startswith("xl/") and not name.startswith("xl/_rels"))
    sheet = load_workbook(path)["Tên 'có' nháy"]
    assert sheet["A5"].value == "a & b <c> _x0001_" and sheet["A1"].value == "Tiêu đề"
    assert sheet.print_title_rows == "$4:$4" and sheet.auto_filter.ref == "A4:H5"
    assert sheet["C5"].number_format == "0%" and sheet["F5"].value is True and sheet["G5"].value is None
