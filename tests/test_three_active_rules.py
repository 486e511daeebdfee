""""3 chủ động" rules, the plan's conversation as a pure function, and the documents' wording,
each named after the seed it comes from (004 unless said)."""

from __future__ import annotations

from datetime import date

import pytest

from domain import periods
from domain.deadlines.calendar import parse_calendar
from domain.three_active import documents, plan
from domain.three_active.rules import (
    MAX_ITEMS, digest_years, read_item, registration_due, registration_occurrence, registration_year,
    review_year, split_items,
)


# --- the cycle's years and dates ----------------------------------------------------------------

def test_a_plan_is_registered_the_year_before_and_reviewed_in_its_year():
    # 004 step 1: "xong trước ngày 15/10 của năm trước"; step 3: reviewed each year
    assert registration_year(date(2026, 10, 1)) == 2027
    assert registration_year(date(2026, 7, 1)) == 2027
    assert registration_year(date(2027, 2, 10)) == 2027          # late, for the year under way
    assert review_year(date(2027, 10, 20)) == 2027
    assert registration_occurrence(2027) == "2026"               # the calendar's 15/10/2026


def test_the_dates_are_the_calendar_s_else_the_seed_s():
    assert registration_due(None, 2027) == date(2026, 10, 15)    # 004 step 1
    moved = parse_calendar('[[item]]\nid = "3-chu-dong-dang-ky"\ntitle = "Đăng ký"\ndue = "10/10"\n'
                           'level = "grassroots"\n')
    assert registration_due(moved, 2027) == date(2026, 10, 10)


def test_a_digest_shows_the_cycle_from_the_month_of_the_registration_deadline():
    assert digest_years(None, periods.month(date(2026, 9, 1))) is None
    assert digest_years(None, periods.month(date(2026, 10, 1))) == (2027, 2026)
    assert digest_years(None, periods.year(date(2026, 1, 1))) == (2027, 2026)
    assert digest_years(None, periods.half_year(date(2026, 1, 1))) is None


# --- items --------------------------------------------------------------------------------------

def test_items_are_one_a_line_without_the_marks_people_type():
    typed = ("- Rà soát đoàn viên\n• Tuyên truyền\n\n1.1. Sinh hoạt định kỳ\n2) Kết nạp\n"
             "1.000 thanh niên tham gia\n+Giúp đỡ")
    assert split_items(typed) == ["Rà soát đoàn viên", "Tuyên truyền", "Sinh hoạt định kỳ", "Kết nạp",
                                  "1.000 thanh niên tham gia", "Giúp đỡ"]


def test_an_item_says_what_is_to_be_done():
    assert read_item("  Tuyên truyền  ").value == "Tuyên truyền"
    assert read_item("ok").error == "item_too_short"
    assert read_item("x " * 300).error == "text_too_long"


# --- the plan's conversation ------------------------------------------------------------------------

def text(value: str) -> plan.Event:
    return plan.Event("text", value)


def test_parts_in_order_at_least_one_item_each_then_the_summary():
    state = plan.new_state(7, 2027)
    assert plan.advance(state, text("xong")).notice == "bcd.plan.need_one"
    assert plan.advance(state, text("quay lai")).notice == "bcd.plan.first_part"
    state = plan.advance(state, text("Rà soát đoàn viên\nTuyên truyền pháp luật")).state
    assert state["parts"][0] == ["Rà soát đoàn viên", "Tuyên truyền pháp luật"]
    state = plan.advance(state, plan.Event("action", "done")).state
    assert state["at"] == 2
    state = plan.advance(state, text("lui")).state
    assert state["at"] == 1 and state["parts"][0] == ["Rà soát đoàn viên", "Tuyên truyền pháp luật"]
    for typed in ("xong", "Sinh hoạt định kỳ", "Xong", "Giới thiệu đoàn viên ưu tú", "XONG"):
        state = plan.advance(state, text(typed)).state
    assert state["at"] == plan.SUMMARY and state["editing"]
    assert plan.advance(state, text("xong")).outcome == "send"       # at the summary, "xong" sends


def test_removing_an_item_by_its_number_or_the_last():
    state = plan.advance(plan.new_state(7, 2027), text("Việc thứ nhất\nViệc thứ hai\nViệc thứ ba")).state
    result = plan.advance(state, text("xoá 2"))
    assert result.state["parts"][0] == ["Việc thứ nhất", "Việc thứ ba"]
    assert result.params == {"number": 2, "text": "Việc thứ hai"}
    assert plan.advance(state, text("xoa 9")).notice == "bcd.plan.remove_unknown"
    assert plan.advance(state, plan.Event("action", "undo")).state["parts"][0] == ["Việc thứ nhất", "Việc thứ hai"]


def test_a_part_holds_at_most_its_limit_and_says_what_it_left_out():
    state = plan.advance(plan.new_state(7, 2027), text("\n".join(f"Việc số {n}" for n in range(MAX_ITEMS)))).state
    result = plan.advance(state, text("Việc thêm nữa"))
    assert len(result.state["parts"][0]) == MAX_ITEMS and "Việc thêm nữa" in result.params["refused"]


def test_the_summary_edits_a_part_numbers_the_plan_and_guesses_nothing():
    state = plan.new_state(7, 2027, [["Một việc"], ["Hai việc"], ["Ba việc"]])
    assert state["at"] == plan.SUMMARY
    assert plan.advance(state, text("Bốn việc")).notice == "bcd.plan.summary_hint"
    edited = plan.advance(state, text("sửa phần 2")).state
    assert edited["at"] == 2
    assert plan.advance(plan.advance(edited, text("Thêm việc")).state, text("xong")).state["at"] == plan.SUMMARY
    numbered = plan.advance(state, plan.Event("action", "number")).state
    assert numbered["at"] == plan.NUMBER
    assert plan.advance(numbered, text("mười lăm")).notice == "bcd.number.bad"
    assert plan.advance(numbered, text("Số 05 - KH/ĐTN")).state["number"] == "05-KH/ĐTN"
    assert plan.advance(numbered, text("để trống")).state["number"] == ""
    assert plan.advance(state, text("huỷ")).outcome == "cancel"
    assert plan.advance(state, plan.Event("action", "edit9")).notice == "button_stale"


# --- the documents' wording ---------------------------------------------------------------------------

def test_the_letterhead_names_the_unit_above_the_place_and_the_number_s_symbol():
    head = documents.letterhead(["Tỉnh đoàn Vĩnh Long", "Đoàn xã Tân Phú"])
    assert (head.issuer, head.above, head.place, head.symbol) == (
        "Đoàn xã Tân Phú", "Tỉnh đoàn Vĩnh Long", "Tân Phú", "ĐTN")
    school = documents.letterhead(["Tỉnh đoàn Vĩnh Long", "Đoàn phường 3", "Đoàn trường THPT Nguyễn Du"])
    assert (school.place, school.symbol) == ("Phường 3", "ĐTN")      # the school is where its ward is
    province = documents.letterhead(["Tỉnh đoàn Vĩnh Long"])
    assert (province.above, province.place, province.symbol) == ("", "Vĩnh Long", "TĐTN")
    assert documents.letterhead(["Huyện đoàn Tân Biên"]).symbol == "HĐTN"
    assert documents.letterhead(["Chi đoàn 12A1"]).place == ""


def test_numbers_and_dates_as_documents_write_them():
    assert documents.document_number("05", "KH", "ĐTN") == "05-KH/ĐTN"
    assert documents.document_number("12-QĐ/TĐTN-BTC", "QĐ", "TĐTN") == "12-QĐ/TĐTN-BTC"
    assert documents.document_number("", "KH", "ĐTN") == "     -KH/ĐTN"
    # a day below 10, and the months 1 and 2, with a zero before them (Nghị định 30/2020/NĐ-CP)
    assert documents.date_words("Tân Phú", date(2027, 1, 5)) == "Tân Phú, ngày 05 tháng 01 năm 2027"
    assert documents.date_words("Tân Phú", date(2026, 10, 15)) == "Tân Phú, ngày 15 tháng 10 năm 2026"
    assert documents.date_words("", date(2026, 3, 9)) == "…………, ngày 09 tháng 3 năm 2026"
    assert documents.committee("Đoàn xã Tân Phú") == "BCH ĐOÀN XÃ TÂN PHÚ"
    assert documents.committee("Trường THPT Nguyễn Du") == "BCH ĐOÀN TRƯỜNG THPT NGUYỄN DU"


@pytest.mark.parametrize("typed, expected", [("05", "05"), ("5", "5"), ("Số: 12", "12"), ("12-QĐ/ĐTN", "12-QĐ/ĐTN"),
                                             ("mười", None), ("", None), ("12 13", None)])
def test_a_document_number_as_typed(typed, expected):
    assert plan.read_number(typed) == expected
