"""The XLSX writer's cell rules: each value lands as its type, with the column's format, and
nothing a person typed becomes a formula or a link."""

from datetime import date, datetime

from openpyxl import load_workbook

from domain.digests import workbook


def test_each_value_keeps_its_type_and_format(tmp_path):
    sheet = workbook.Sheet(
        name="Thử", title=["Tiêu đề", "Dòng hai"],
        headers=["Chữ", "Số", "Tỷ lệ", "Ngày", "Lúc", "Có/không"],
        widths=[10] * 6, formats=[None, None, "percent", "date", "datetime", None],
        rows=[("=1+1", 12, 0.5, date(2026, 11, 3), datetime(2026, 11, 3, 9, 30), True),
              ("", float("nan"), None, None, None, False),
              ("http://x.vn", float("inf"), 1.25, date(2026, 1, 2), datetime(2026, 1, 2, 0, 5), None),
              ("x" * 40000,)])
    book = load_workbook(workbook.write([sheet], tmp_path / "t.xlsx"))
    page = book["Thử"]
    assert [page.cell(1, 1).value, page.cell(2, 1).value, page.cell(3, 1).value] == ["Tiêu đề", "Dòng hai", None]
    header = 4
    assert [c.value for c in page[header]] == list(sheet.headers)
    first, second, third, fourth = (page[header + n] for n in range(1, 5))
    assert first[0].value == "=1+1" and first[0].data_type == "s"      # text, never a formula
    assert third[0].value == "http://x.vn" and not third[0].hyperlink
    assert first[1].value == 12 and first[2].value == 0.5 and first[2].number_format == "0%"
    assert first[3].value == datetime(2026, 11, 3) and first[3].number_format == "dd/mm/yyyy"
    assert first[4].value == datetime(2026, 11, 3, 9, 30) and first[4].number_format == "dd/mm/yyyy hh:mm"
    assert first[5].value is True and second[5].value is False
    assert [c.value for c in second[:5]] == [None] * 5                 # empty text, NaN, None: empty cells
    assert third[1].value is None and third[2].value == 1.25
    assert len(fourth[0].value) == workbook.MAX_TEXT
    assert page.freeze_panes == f"A{header + 1}" and page.auto_filter.ref == f"A{header}:F{header + 4}"
    assert not list((tmp_path).glob("*.part"))


def test_a_workbook_that_cannot_take_its_place_leaves_no_part_file(tmp_path):
    target = tmp_path / "t.xlsx"
    target.mkdir()                                     # a folder where the file should go
    sheet = workbook.Sheet(name="Thử", title=[], headers=["Chữ"], widths=[10], formats=[None], rows=[("a",)])
    try:
        workbook.write([sheet], target)
    except OSError:
        pass
    else:
        raise AssertionError("a folder cannot be replaced by the workbook")
    assert not list(tmp_path.glob("*.part"))
