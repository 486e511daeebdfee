"""Tests for domain.forms.parsers: reading counts, dates, choices, yes/no and free text."""

from datetime import date

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from domain.forms.parsers import (
    Choice,
    Parsed,
    fail,
    number_at,
    ok,
    parse_choice,
    parse_count,
    parse_date,
    parse_text,
    parse_yes_no,
)

TODAY = date(2026, 1, 10)
EARLIEST = date(2020, 1, 1)

COUNT_ERRORS = {"count_unreadable", "count_negative", "count_not_whole", "count_too_small", "count_too_large"}
DATE_ERRORS = {"date_unreadable", "date_invalid", "date_future", "date_too_old"}
CHOICE_ERRORS = {"choice_ambiguous", "choice_unknown"}
YES_NO_ERRORS = {"yes_no_unknown"}
TEXT_ERRORS = {"text_empty", "text_too_long"}

MEETING = (
    Choice("online", ("truc tuyen", "online", "zoom")),
    Choice("offline", ("truc tiep", "gap mat")),
    Choice("none", ("khong hop", "hoan")),
)

# What a phone keyboard produces: digits, separators, Vietnamese letters and number words.
messy_text = st.lists(
    st.one_of(
        st.text(alphabet="0123456789/-.,: ", max_size=6),
        st.sampled_from(list("aăâđêôơưáàảãạếềểễệĐƯ")),
        st.sampled_from([
            "mười", "mươi", "hai", "mốt", "trăm", "linh", "lẻ", "nghìn", "ngàn", "không",
            "tư", "lăm", "người", "ngày", "tháng", "năm", "hôm", "qua", "nay", "kia",
            "có", "ko", "trực tuyến", "đồng ý", " ",
        ]),
    ),
    max_size=8,
).map(" ".join)
any_text = st.one_of(st.text(), messy_text)


def test_ok_and_fail() -> None:
    assert ok(3) == Parsed(value=3) and ok(3).ok
    failed = fail("count_too_large", maximum=5)
    assert not failed.ok and failed.error == "count_too_large" and failed.params == {"maximum": 5}


# --- parse_count ---------------------------------------------------------------

@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("12", 12),
        (" 12 ", 12),
        ("12.", 12),
        ("12 người", 12),
        ("12 nguoi", 12),
        ("12người", 12),
        ("12 ban", 12),
        ("12 bạn", 12),
        ("12 đv", 12),
        ("12 ĐVTN", 12),
        ("12 đoàn viên", 12),
        ("12 doan vien", 12),
        ("12 đoàn viên thanh niên", 12),
        ("12 thanh niên", 12),
        ("12 tn", 12),
        ("12 em", 12),
        ("12 ng", 12),
        ("12 người tham gia", 12),
        ("12 lượt", 12),
        ("12 người ạ", 12),
        ("0", 0),
        ("1.000", 1000),
        ("1,000", 1000),
        ("1.200", 1200),
        ("12.000 lượt", 12000),
        ("100.000", 100_000),
        ("12,0", 12),
        ("mười hai", 12),
        ("muoi hai", 12),
        ("Mười Hai người", 12),
        ("hai mươi mốt", 21),
        ("hai muoi mot", 21),
        ("ba mươi lăm", 35),
        ("mười lăm", 15),
        ("một trăm linh năm", 105),
        ("mot tram le nam", 105),
        ("một trăm linh tư", 104),
        ("hai mươi tư", 24),
        ("không", 0),
        ("mười", 10),
        ("năm", 5),
        ("năm mươi", 50),
        ("một trăm", 100),
        ("một trăm hai", 120),
        ("hai trăm ba mươi", 230),
        ("một nghìn", 1000),
        ("mot ngan", 1000),
        ("một nghìn hai", 1200),
        ("một nghìn không trăm linh năm", 1005),
        ("hai nghìn linh năm", 2005),
        ("mười hai nghìn", 12_000),
        ("hai mươi lăm nghìn ba trăm", 25_300),
        ("chín mươi chín nghìn chín trăm chín mươi chín", 99_999),
        ("một trăm nghìn", 100_000),
    ],
)
def test_count_accepts(text: str, expected: int) -> None:
    assert parse_count(text) == ok(expected)


@pytest.mark.parametrize(
    ("text", "error"),
    [
        ("", "count_unreadable"),
        ("nhiều", "count_unreadable"),
        ("người", "count_unreadable"),
        ("12 hay 13", "count_unreadable"),
        ("12/13", "count_unreadable"),
        ("mười hai hay mười ba", "count_unreadable"),
        ("khoảng 12", "count_unreadable"),
        ("12 cái bàn", "count_unreadable"),
        ("1.2.3", "count_unreadable"),
        ("hai hai", "count_unreadable"),
        ("²", "count_unreadable"),  # a digit to str.isdigit, not to int()
        ("-3", "count_negative"),
        (" - 3 người", "count_negative"),
        ("12.5", "count_not_whole"),
        ("12,5", "count_not_whole"),
        ("0,5", "count_not_whole"),
        ("1.000,5", "count_not_whole"),
        ("100.001", "count_too_large"),
        ("1.000.000", "count_too_large"),
        ("9" * 5000, "count_too_large"),
    ],
)
def test_count_rejects(text: str, error: str) -> None:
    assert parse_count(text).error == error


def test_count_limits_carry_params() -> None:
    assert parse_count("2", minimum=3) == fail("count_too_small", minimum=3)
    assert parse_count("không", minimum=1) == fail("count_too_small", minimum=1)
    assert parse_count("51", maximum=50) == fail("count_too_large", maximum=50)
    assert parse_count("50", minimum=50, maximum=50) == ok(50)


@settings(max_examples=300)
@given(any_text)
def test_count_never_raises(text: str) -> None:
    parsed = parse_count(text)
    if parsed.ok:
        assert type(parsed.value) is int and 0 <= parsed.value <= 100_000
    else:
        assert parsed.error in COUNT_ERRORS


@given(st.integers(min_value=0, max_value=100_000))
def test_count_reads_its_own_digits(n: int) -> None:
    assert parse_count(str(n)) == ok(n)


# --- parse_date ----------------------------------------------------------------

@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("hôm nay", TODAY),
        ("hom nay", TODAY),
        ("Nay", TODAY),
        ("hôm qua", date(2026, 1, 9)),
        ("hom qua", date(2026, 1, 9)),
        ("qua", date(2026, 1, 9)),
        ("hôm kia", date(2026, 1, 8)),
        ("hom kia", date(2026, 1, 8)),
        ("5/1", date(2026, 1, 5)),
        ("10/1", TODAY),
        ("20/12", date(2025, 12, 20)),
        ("11/1", date(2025, 1, 11)),
        ("15-6", date(2025, 6, 15)),
        ("15.6", date(2025, 6, 15)),
        ("15 / 6", date(2025, 6, 15)),
        ("15/6.", date(2025, 6, 15)),
        ("ngày 15/6", date(2025, 6, 15)),
        ("ngay 15/6", date(2025, 6, 15)),
        ("15/6/2024", date(2024, 6, 15)),
        ("15/06/2024", date(2024, 6, 15)),
        ("05/06/2024", date(2024, 6, 5)),
        ("15/6/24", date(2024, 6, 15)),
        ("15-06-2024", date(2024, 6, 15)),
        ("ngày 15 tháng 6", date(2025, 6, 15)),
        ("ngay 15 thang 6 nam 2024", date(2024, 6, 15)),
        ("Ngày 15 Tháng 6 Năm 2024", date(2024, 6, 15)),
        ("29/2", date(2024, 2, 29)),  # the latest leap day
    ],
)
def test_date_accepts(text: str, expected: date) -> None:
    assert parse_date(text, today=TODAY, earliest=EARLIEST) == ok(expected)


@pytest.mark.parametrize(
    ("text", "error"),
    [
        ("", "date_unreadable"),
        ("mai", "date_unreadable"),
        ("15", "date_unreadable"),
        ("15 6", "date_unreadable"),
        ("15/6/202", "date_unreadable"),
        ("thứ hai", "date_unreadable"),
        ("31/2", "date_invalid"),
        ("0/5", "date_invalid"),
        ("12/13", "date_invalid"),
        ("31/4/2025", "date_invalid"),
        ("29/2/2025", "date_invalid"),
        ("11/1/2026", "date_future"),
        ("1/1/27", "date_future"),
        ("ngày 1 tháng 1 năm 2027", "date_future"),
        ("31/12/2019", "date_too_old"),
    ],
)
def test_date_rejects(text: str, error: str) -> None:
    assert parse_date(text, today=TODAY, earliest=EARLIEST).error == error


def test_date_error_params() -> None:
    assert parse_date(" 31/2 ", today=TODAY) == fail("date_invalid", text="31/2")
    assert parse_date("1/1/2019", today=TODAY, earliest=EARLIEST) == fail("date_too_old", earliest=EARLIEST)
    assert parse_date("1/1/2019", today=TODAY) == ok(date(2019, 1, 1))


def test_date_at_the_edge_of_the_calendar() -> None:
    assert parse_date("hôm qua", today=date.min).error == "date_invalid"


@settings(max_examples=300)
@given(any_text)
def test_date_never_raises(text: str) -> None:
    parsed = parse_date(text, today=TODAY, earliest=EARLIEST)
    if parsed.ok:
        assert type(parsed.value) is date and EARLIEST <= parsed.value <= TODAY
    else:
        assert parsed.error in DATE_ERRORS


@given(st.dates(min_value=EARLIEST, max_value=TODAY))
def test_date_reads_full_dates(day: date) -> None:
    assert parse_date(f"{day.day}/{day.month}/{day.year}", today=TODAY, earliest=EARLIEST) == ok(day)


# --- parse_choice --------------------------------------------------------------

@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("truc tuyen", "online"),
        ("Trực tuyến", "online"),
        ("ZOOM", "online"),
        ("gặp mặt", "offline"),
        ("1", "online"),
        ("2.", "offline"),
        (" 3 ", "none"),
        ("họp trực tiếp ở nhà văn hoá", "offline"),
        ("hoãn rồi", "none"),
        ("truc tuyn", "online"),
        ("truc tuyen.", "online"),
        ("trưc tuyen", "online"),
        ("tructuyen", "online"),
        ("trực tiêp", "offline"),
    ],
)
def test_choice_accepts(text: str, expected: str) -> None:
    assert parse_choice(text, MEETING) == ok(expected)


@pytest.mark.parametrize(
    ("text", "error"),
    [
        ("", "choice_unknown"),
        ("4", "choice_unknown"),
        ("0", "choice_unknown"),
        ("²", "choice_unknown"),
        ("không biết", "choice_unknown"),
        ("zoom hay gặp mặt", "choice_ambiguous"),
        ("không trực tuyến, gặp mặt", "choice_ambiguous"),
    ],
)
def test_choice_rejects(text: str, error: str) -> None:
    assert parse_choice(text, MEETING).error == error


def test_choice_typo_equally_close_to_two_options() -> None:
    classes = (Choice("10a", ("lop 10a",)), Choice("10b", ("lop 10b",)))
    assert parse_choice("lớp 10", classes) == fail("choice_ambiguous", candidates=("10a", "10b"))
    assert parse_choice("lơp 10b", classes) == ok("10b")


def test_choice_ambiguous_names_candidates() -> None:
    assert parse_choice("zoom hay gặp mặt", MEETING) == fail("choice_ambiguous", candidates=("online", "offline"))


def test_choice_exact_phrase_beats_index_and_containment() -> None:
    options = (Choice("a", ("2",)), Choice("b", ("b",)))
    assert parse_choice("2", options) == ok("a")
    assert parse_choice("ghi ro", (Choice("x", ("ghi",)), Choice("y", ("ghi ro",)))) == ok("y")


def test_choice_same_option_twice_is_not_ambiguous() -> None:
    assert parse_choice("zoom trực tuyến", MEETING) == ok("online")


def test_choice_without_options() -> None:
    assert parse_choice("1", ()) == fail("choice_unknown")


@settings(max_examples=300)
@given(any_text)
def test_choice_never_raises(text: str) -> None:
    parsed = parse_choice(text, MEETING)
    if parsed.ok:
        assert parsed.value in {"online", "offline", "none"}
    else:
        assert parsed.error in CHOICE_ERRORS


# --- parse_yes_no --------------------------------------------------------------

YES = ["có", "co", "c", "ừ", "u", "uh", "ok", "OK", "oke", "đồng ý", "dong y", "đúng", "dung",
       "vâng", "vang", "yes", "y", "rồi", "roi", "chắc chắn", "chac chan", "Có ạ", "ok, đồng ý",
       "dongy", "vag", "đồng ỳ"]
NO = ["không", "khong", "ko", "k", "kg", "hông", "hong", "no", "n", "sai", "chưa", "chua",
      "không đồng ý", "khong dung", "chưa đúng", "không có", "khongg", "khôg", "Không!"]


@pytest.mark.parametrize("text", YES)
def test_yes(text: str) -> None:
    assert parse_yes_no(text) == ok(True)


@pytest.mark.parametrize("text", NO)
def test_no(text: str) -> None:
    assert parse_yes_no(text) == ok(False)


@pytest.mark.parametrize("text", ["", "có lẽ không", "ok k", "để mai", "???"])
def test_yes_no_unknown(text: str) -> None:
    assert parse_yes_no(text) == fail("yes_no_unknown")


@settings(max_examples=300)
@given(any_text)
def test_yes_no_never_raises(text: str) -> None:
    parsed = parse_yes_no(text)
    assert (parsed.ok and type(parsed.value) is bool) or parsed.error in YES_NO_ERRORS


# --- parse_text ----------------------------------------------------------------

@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("  Sinh hoạt chủ điểm  ", "Sinh hoạt chủ điểm"),
        ("dòng 1\n\n  dòng 2", "dòng 1\n\n  dòng 2"),
        ("Tr\u01b0\u0323c tuyê\u0301n", "Trực tuyến"),  # decomposed input is stored composed
    ],
)
def test_text_accepts(text: str, expected: str) -> None:
    assert parse_text(text) == ok(expected)


def test_text_rejects() -> None:
    assert parse_text(" \n\t ") == fail("text_empty")
    assert parse_text("") == fail("text_empty")
    assert parse_text("x" * 501) == fail("text_too_long", max_length=500, length=501)
    assert parse_text("  abcd  ", max_length=3) == fail("text_too_long", max_length=3, length=4)
    assert parse_text("x" * 500) == ok("x" * 500)


@settings(max_examples=300)
@given(any_text)
def test_text_never_raises(text: str) -> None:
    parsed = parse_text(text, max_length=20)
    if parsed.ok:
        assert isinstance(parsed.value, str) and parsed.value == parsed.value.strip()
        assert 0 < len(parsed.value) <= 20
    else:
        assert parsed.error in TEXT_ERRORS


@pytest.mark.parametrize("words, at, used", [
    (["12", "nguoi"], 0, 1), (["1.200"], 0, 1), (["muoi", "hai", "nguoi"], 0, 2),
    (["hai", "tram", "linh", "nam"], 0, 4), (["sinh", "hoat"], 0, 0), (["15/6"], 0, 0), (["a", "7"], 1, 1),
    (["nam"], 0, 1), ([], 0, 0), (["12"], 3, 0),
])
def test_number_at_says_how_many_words_spell_a_number(words, at, used):
    assert number_at(words, at) == used
