"""Unit files written the way a Vietnamese officer writes them: Vietnamese headers, levels and
yes/no, with or without diacritics; mistakes named line by line, in Vietnamese."""

from __future__ import annotations

import asyncio
from datetime import date, datetime, timezone
from pathlib import Path

import pytest

from bot import app, settings
from bot.cli import main
from domain import units_csv

VIETNAMESE = """Mã đơn vị;Tên đơn vị;Cấp;Mã cấp trên;Biên giới;Số đoàn viên;Ngày thành lập
TN;Tỉnh đoàn Tây Ninh;Tỉnh đoàn;;không;;
TB;Huyện đoàn Tân Biên;huyện đoàn;TN;Không;;
TL;Đoàn xã Tân Lập;Đoàn xã;TB;có;;26/03/2010
TP;Đoàn phường Một;phường;TB;;;
CS;Đoàn cơ sở Trường THPT;cơ sở;TB;khong;0;
A1;Chi đoàn ấp Tân Đông;Chi đoàn;TL;Có;14;
A2;Chi đoàn ấp Tân Tiến;chi doan;TL;x;9;
A3;Chi đoàn khu phố 1;CHI ĐOÀN;TP;0;20;
A4;Chi đoàn lớp 12A;chi_doan;CS;no;35;
A5;Chi đoàn Bệnh viện;branch;TB;FALSE;12;
"""


@pytest.fixture
def officer(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    monkeypatch.setattr(settings, "ENV_FILE", tmp_path / ".env")
    monkeypatch.setenv("DATA_DIR", str(tmp_path / "data"))
    monkeypatch.delenv("DATABASE_PATH", raising=False)
    monkeypatch.delenv("TELEGRAM_BOT_TOKEN", raising=False)
    return tmp_path


def stored(database: Path) -> dict:
    async def read():
        services = await app.open_services(database)
        try:
            return {u.code: u for u in await services.storage.units.all()}
        finally:
            await app.close_services(services)
    return asyncio.run(read())


def test_a_file_in_vietnamese_is_imported_as_written(officer, capsys):
    file = officer / "don-vi.csv"
    file.write_bytes(b"\xef\xbb\xbf" + VIETNAMESE.replace("\n", "\r\n").encode("utf-8"))   # Excel, ; locale
    assert main(["units", "import", str(file)]) == 0
    out = capsys.readouterr().out
    database = officer / "data" / "chidoan.sqlite3"
    assert f"Đã tạo tệp dữ liệu mới {database}." in out and "10 đơn vị mới" in out
    units = stored(database)
    assert {code: u.level for code, u in units.items()} == {
        "TN": "province", "TB": "district", "TL": "grassroots", "TP": "grassroots", "CS": "grassroots",
        "A1": "branch", "A2": "branch", "A3": "branch", "A4": "branch", "A5": "branch"}
    assert {code for code, u in units.items() if u.border} == {"TL", "A1", "A2"}
    assert (units["A1"].members, units["A4"].members) == (14, 35)
    assert units["TL"].founded_on == date(2010, 3, 26)
    assert units["A1"].parent_id == units["TL"].id and units["A5"].parent_id == units["TB"].id


@pytest.mark.parametrize("header", [
    "ma,ten,cap,cap_tren,bien_gioi,doan_vien",
    "MA_DON_VI,TEN_DON_VI,CAP,MA_CAP_TREN,BIEN_GIOI,SO_DOAN_VIEN",
    "mã đơn vị , tên đơn vị , cấp , mã cấp trên , biên giới , số đoàn viên",
    "Ma Don Vi,Ten don vi,Cap,Ma-cap-tren,Bien Gioi,So doan vien",
    "code,ten_don_vi,level,ma_cap_tren,border,so_doan_vien",
])
def test_headers_in_either_language_any_case_spaces_or_underscores(header):
    rows = units_csv.parse(f"{header}\nP,Tỉnh,tinh doan,,0,0\nB,Chi đoàn,chi doan,P,co,7\n", [])
    assert [(r.code, r.level, r.parent_code, r.border, r.members) for r in rows] == [
        ("P", "province", None, False, 0), ("B", "branch", "P", True, 7)]


def test_a_commune_is_a_grassroots_unit_read_as_a_commune():
    # a commune's Union is a Đoàn cơ sở (DOMAIN.md, "Who is who"): structurally grassroots
    rows = units_csv.parse("ma,ten,cap,cap_tren,bien_gioi,doan_vien\nP,T,tỉnh,,,\nX,Xã,xã,P,,\n", [])
    assert [(r.level, r.level_name) for r in rows] == [("province", "province"), ("grassroots", "commune")]


# Since 1 July 2025 (DOMAIN.md): Tỉnh đoàn → Đoàn xã/phường → (Đoàn cơ sở) → chi đoàn.
MERGED = """code,name,level,parent_code,border,members
VL,Tỉnh đoàn Vĩnh Long,tinh,,0,0
TP,Đoàn xã Tân Phú,xa,VL,1,0
P1,Đoàn phường 1,phuong,VL,0,0
DK,Đoàn đặc khu Côn Đảo,dac khu,VL,0,0
TR,Đoàn trường THPT Tân Phú,doan truong,TP,0,0
C1,Chi đoàn ấp Phú Lợi,chi doan,TP,1,18
C2,Chi đoàn lớp 12A1,chi doan,TR,0,40
C3,Chi đoàn khu phố 2,branch,P1,0,22
U1,Đoàn trường Đại học Cửu Long,school,VL,0,0
C4,Chi đoàn lớp K45,branch,U1,0,30
"""


def test_the_new_level_names_and_their_vietnamese_words_are_read():
    rows = {r.code: r for r in units_csv.parse(MERGED, [])}
    assert {code: (r.level_name, r.level) for code, r in rows.items()} == {
        "VL": ("province", "province"), "TP": ("commune", "grassroots"), "P1": ("ward", "grassroots"),
        "DK": ("special_zone", "grassroots"), "TR": ("school", "grassroots"), "U1": ("school", "grassroots"),
        "C1": ("branch", "branch"), "C2": ("branch", "branch"), "C3": ("branch", "branch"),
        "C4": ("branch", "branch")}
    order = [r.code for r in units_csv.parse(MERGED, [])]
    assert order.index("VL") < order.index("TP") < order.index("TR") < order.index("C2")


def test_a_unit_sits_only_under_a_unit_of_a_higher_level():
    with pytest.raises(units_csv.UnitFileError) as refused:
        units_csv.parse(MERGED + "X2,Đoàn xã Hai,xa,TP,0,0\nT2,Đoàn trường Hai,truong,TR,0,0\n", [])
    said = [str(p) for p in refused.value.problems]
    assert said == ["Dòng 12: đơn vị cấp đoàn xã không thể trực thuộc đơn vị cấp đoàn xã (TP)",
                    "Dòng 13: đơn vị cấp đoàn trường không thể trực thuộc đơn vị cấp đoàn trường (TR)"]


async def test_an_old_district_tree_and_a_new_one_import_into_one_database(tmp_path):
    services = await app.open_services(tmp_path / "d.sqlite3")
    try:
        await services.storage.units.import_rows(units_csv.parse(VIETNAMESE, []), datetime.now(timezone.utc))
        tb = await services.storage.units.by_code("TB")
        tl = await services.storage.units.by_code("TL")
        assert (tb.level, tb.level_name, tl.level, tl.level_name) == ("district", "district", "grassroots", "commune")
        moved = VIETNAMESE.replace("TL;Đoàn xã Tân Lập;Đoàn xã;TB", "TL;Đoàn xã Tân Lập;Đoàn xã;TN")
        summary = await services.storage.units.import_rows(
            units_csv.parse(moved, await services.storage.units.all()), datetime.now(timezone.utc))
        assert (summary.updated, summary.created) == (1, 0)
        assert (await services.storage.units.by_code("TL")).parent_id == (await services.storage.units.by_code("TN")).id
    finally:
        await app.close_services(services)


def test_mistakes_are_named_per_line_with_the_column_as_the_file_writes_it():
    text = ("Mã đơn vị,Tên đơn vị,Cấp,Mã cấp trên,Biên giới,Số đoàn viên,Ngày thành lập\n"
            "P,Tỉnh,tỉnh đoàn,,không,,\n"
            "X,Ấp lạ,ấp,P,không,,\n"                   # line 3: a level nobody knows
            "B1,Chi đoàn Một,chi đoàn,P,có lẽ,5,\n"      # 4: neither yes nor no
            "B2,Chi đoàn Hai,chi đoàn,P,có,năm,\n"       # 5: members not a number
            "B3,Chi đoàn Ba,chi đoàn,Q,có,5,32/13/2020\n"  # 6: no such parent, a date that is not one
            "G,Đoàn xã,đoàn xã,B1,không,,\n")            # 7: grassroots under a branch
    with pytest.raises(units_csv.UnitFileError) as refused:
        units_csv.parse(text, [])
    said = {p.line: str(p) for p in refused.value.problems}
    assert sorted(said) == [3, 4, 5, 6, 7]
    assert said[3].startswith('Dòng 3: Cấp "ấp" không phải cấp đã biết; dùng tỉnh đoàn (province), huyện đoàn')
    assert said[4] == 'Dòng 4: Biên giới "có lẽ" phải là có hoặc không (hoặc 1/0, x/để trống)'
    assert said[5] == 'Dòng 5: Số đoàn viên "năm" phải là số nguyên từ 0 trở lên'
    assert "Mã cấp trên Q không có trong tệp lẫn trong dữ liệu" in said[6]
    assert 'Ngày thành lập "32/13/2020" phải là ngày dạng 26/03/2020' in said[6]
    assert said[7] == "Dòng 7: đơn vị cấp đoàn xã không thể trực thuộc đơn vị cấp chi đoàn (B1)"


def test_a_column_written_twice_or_missing_is_refused_at_the_header():
    with pytest.raises(units_csv.UnitFileError) as refused:
        units_csv.parse("code,ma,ten,cap,cap_tren,bien_gioi\nP,P,T,tinh,,\n", [])
    said = str(refused.value.problems[0])
    assert said.startswith("Dòng 1: thiếu cột members; cột code có hai lần (code, ma);")
    assert "ma_don_vi, ten_don_vi, cap, ma_cap_tren, bien_gioi, so_doan_vien" in said
