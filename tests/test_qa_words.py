"""What secretaries type on Zalo from a phone: no diacritics, polite endings, number words, short
forms of a date; read at the numbered menus and at the forms' questions."""

from __future__ import annotations

from datetime import date, datetime, timezone

import pytest

from bot.channels.numbered import read
from domain import period_words
from domain.conversation import Action
from domain.forms.parsers import parse_choice, parse_count, parse_date, Choice
from storage.menus import OpenMenu
from tests.support import make_invite
from tests.support.fake_zalo import FakeZalo
from tests.test_zalo_channel import LAN, meetings_of, running, say

SHOWN = datetime(2026, 11, 23, 3, 0, tzinfo=timezone.utc)
TODAY, YESTERDAY, CANCEL = Action("f", (1, 0, "o0")), Action("f", (1, 0, "o1")), Action("f", (1, 0, "x"))
SAVE, EDIT = Action("f", (1, 0, "s")), Action("f", (1, 0, "e"))
DATE_MENU = OpenMenu((("Hôm nay", TODAY.encode()), ("Hôm qua", YESTERDAY.encode()), ("✖ Hủy", CANCEL.encode())),
                     False, SHOWN)
SUMMARY_MENU = OpenMenu((("✅ Lưu", SAVE.encode()), ("✏️ Sửa", EDIT.encode()), ("✖ Hủy", CANCEL.encode())),
                        False, SHOWN)
COUNT_MENU = OpenMenu((("✖ Hủy", CANCEL.encode()),), True, SHOWN)
FIRST, SECOND = Action.command("baocao"), Action.command("chidoan")
COMMAND_MENU = OpenMenu((("Báo cáo đã gửi", FIRST.encode()), ("Chi đoàn", SECOND.encode())), False, SHOWN)


@pytest.fixture
async def zalo():
    async with FakeZalo(poll_cap=0.2) as fake:
        yield fake


@pytest.mark.parametrize("typed, meant", [
    ("lưu nhé", SAVE), ("luu nha", SAVE), ("Lưu đi", SAVE), ("ok luu nhe a", SAVE), ("huy nha", CANCEL),
    ("số 2 ạ", EDIT), ("cái 2 nha", EDIT), ("2 nhé", EDIT), ("dạ 1", SAVE),
])
def test_a_polite_ending_on_a_menu_choice_on_zalo_still_picks_it(typed, meant):
    assert read(SUMMARY_MENU, typed).action == meant


def test_hom_qua_a_without_diacritics_picks_yesterday_at_a_menu_outside_forms_too():
    assert read(DATE_MENU, "hôm qua ạ").action == YESTERDAY
    assert read(DATE_MENU, "hom qua nha").action == YESTERDAY
    assert read(COMMAND_MENU, "chi doan nhe").action == SECOND
    assert read(COMMAND_MENU, "so 2 a").action == SECOND


@pytest.mark.parametrize("typed, meant", [
    ("một", FIRST), ("mot", FIRST), ("hai", SECOND), ("so hai", SECOND), ("số hai ạ", SECOND), ("chon mot", FIRST),
])
def test_a_number_word_picks_from_a_numbered_menu(typed, meant):
    assert read(COMMAND_MENU, typed).action == meant


def test_a_number_word_out_of_the_menu_or_at_a_count_question_is_no_pick():
    assert read(COMMAND_MENU, "ba").action is None                 # two choices: "ba" picks none
    for typed in ("hai", "mot", "muoi hai", "12 nha", "hai nhe"):
        assert read(COUNT_MENU, typed).action is None, typed       # the count's answer, never a pick
    assert read(COUNT_MENU, "huy nhe").action == CANCEL


@pytest.mark.parametrize("typed", ["12 nha", "12 nhen", "muoi hai nha", "12 ban nha", "12 người nhé ạ", "12 nghen"])
def test_a_count_typed_with_a_polite_ending_is_the_count(typed):
    assert parse_count(typed).value == 12


@pytest.mark.parametrize("typed, expected", [("không có", 0), ("ko co a", 0), ("chưa có ai", 0), ("hai chục", 20),
                                             ("hai chuc lam nguoi", 25), ("ba chục người nha", 30)])
def test_none_and_tens_said_in_words_at_a_count_question_are_the_count(typed, expected):
    assert parse_count(typed).value == expected
    assert parse_count("không có", minimum=1).error == "count_too_small"


@pytest.mark.parametrize("typed, expected", [
    ("thang 11 ngay 20", date(2026, 11, 20)), ("tháng 11 ngày 20", date(2026, 11, 20)),
    ("ngay 20 thang 11", date(2026, 11, 20)), ("20 thg 11", date(2026, 11, 20)), ("20-11", date(2026, 11, 20)),
    ("ngày 20 th 11", date(2026, 11, 20)), ("thang 11 ngay 20 nam 2025", date(2025, 11, 20)),
    ("hôm qua ạ", date(2026, 11, 22)), ("hom qua nhe", date(2026, 11, 22)), ("20/11 nha", date(2026, 11, 20)),
    ("ngày 20/11 ạ", date(2026, 11, 20)), ("tối qua", date(2026, 11, 22)), ("sáng nay", date(2026, 11, 23)),
    ("chieu hom qua", date(2026, 11, 22)), ("bữa kia", date(2026, 11, 21)),
    ("ngay 20 thang 11 nam 25", date(2025, 11, 20)), ("20 thang 11 2025", date(2025, 11, 20)),
])
def test_a_day_typed_the_ways_people_text_it_is_read(typed, expected):
    assert parse_date(typed, today=date(2026, 11, 23)).value == expected


def test_a_day_named_month_first_with_no_such_day_says_the_day_as_numbers():
    parsed = parse_date("thang 2 ngay 31", today=date(2026, 11, 23))
    assert parsed.error == "date_invalid" and parsed.params["text"] == "31/2"


def test_a_number_typed_beside_a_choice_is_not_dropped():
    reasons = (Choice("admitted", ("ket nap", "ket nap moi")), Choice("other", ("khac",)))
    parsed = parse_choice("3 ket nap", reasons)
    assert parsed.error == "choice_unknown" and parsed.params["number"] == "3"
    assert parse_choice("ket nap moi", reasons).value == "admitted"


async def test_typing_3_ket_nap_at_the_reason_question_on_zalo_keeps_nothing_silently(services, zalo):
    code = await make_invite(services, "B1")
    async with running(services, zalo) as channel:
        await say(channel, zalo, LAN, f"/start {code}")
        await say(channel, zalo, LAN, "/chidoan")
        assert "Vì sao" not in await say(channel, zalo, LAN, "cap nhat so doan vien")
        assert "Vì sao" in await say(channel, zalo, LAN, "23 nha")
        answer = await say(channel, zalo, LAN, "3 ket nap")
        assert "chưa hiểu" in answer and "Vì sao" in answer and "Lý do: Kết nạp mới" not in answer
        answer = await say(channel, zalo, LAN, "ket nap nhe")
        assert "Lý do: Kết nạp mới" in answer and "Số đoàn viên mới: 23" in answer
        assert "Đã cập nhật" in await say(channel, zalo, LAN, "lưu nhé")
    assert (await services.storage.units.by_code("B1")).members == 23


async def test_a_meeting_report_typed_politely_on_zalo_is_saved_as_typed(services, zalo):
    code = await make_invite(services, "B1")
    async with running(services, zalo) as channel:
        await say(channel, zalo, LAN, f"/start {code}")
        for typed in ("so mot a", "hôm qua ạ", "hai nha", "12 người nhé ạ"):
            answer = await say(channel, zalo, LAN, typed)
        assert "Số tham dự: 12" in answer and "Loại: Họp BCH" in answer
        assert "Đã lưu" in await say(channel, zalo, LAN, "dạ lưu nhé")
    [meeting] = await meetings_of(services)
    assert (meeting.held_on, meeting.kind, meeting.attended) == (date(2026, 11, 22), "committee", 12)


def test_ngay_15_without_a_month_is_the_latest_15th():
    assert parse_date("ngày 15 ạ", today=date(2026, 11, 23)).value == date(2026, 11, 15)
    assert parse_date("ngay 28", today=date(2026, 12, 4)).value == date(2026, 11, 28)
    assert parse_date("ngay 31", today=date(2026, 12, 4)).params == {"text": "31/11"}     # no 31 November


async def test_typing_ngay_1_a_at_the_day_question_on_zalo_takes_the_1st_and_counts_nobody(services, zalo):
    code = await make_invite(services, "B1")
    async with running(services, zalo) as channel:
        await say(channel, zalo, LAN, f"/start {code}")
        await say(channel, zalo, LAN, "1")
        answer = await say(channel, zalo, LAN, "ngay 1 a")
        assert "Đó là buổi gì?" in answer and "tham dự" not in answer
        await say(channel, zalo, LAN, "sinh hoat chi doan a")
        answer = await say(channel, zalo, LAN, "mười hai người nha")
        assert "Chủ Nhật, 1 tháng 11, 2026" in answer and "Số tham dự: 12" in answer
        await say(channel, zalo, LAN, "sua")
        await say(channel, zalo, LAN, "1")
        answer = await say(channel, zalo, LAN, "thang 11 ngay 20")
        assert "Thứ Sáu, 20 tháng 11, 2026" in answer


@pytest.mark.parametrize("typed, key, left", [
    ("thang 11 nha", "2026-11", []), ("thg 11", "2026-11", []), ("dạ quý 4 ạ", "2026-Q4", []),
    ("tháng trước nhé", "2026-11", []), ("B1 thang 11 a", "2026-11", ["B1"]), ("nhé", None, []),
    ("thang 11 khu A", "2026-11", ["khu", "A"]),            # "A" beside a name is the name's
])
def test_a_period_typed_after_tonghop_with_a_polite_ending_is_read(typed, key, left):
    found, rest = period_words.read(typed, date(2026, 12, 4))
    assert (found.key if found else None, rest) == (key, left)


async def test_tong_hop_thang_11_nha_on_zalo_gives_the_digest_not_a_complaint(services, zalo):
    code = await make_invite(services, "B1")
    async with running(services, zalo) as channel:
        await say(channel, zalo, LAN, f"/start {code}")
        answer = await say(channel, zalo, LAN, "tong hop thang 11 nha")
        assert "chưa hiểu" not in answer and "tháng 11" in answer.lower()


def test_thoi_before_a_choice_at_a_delete_question_picks_nothing():
    """ "Thôi" is itself the choice that keeps the report: "thoi xoa" must not be read as "xoa"."""
    delete, keep = Action.command("xoa"), Action.command("thoi")
    menu = OpenMenu((("Xóa", delete.encode()), ("Thôi", keep.encode())), False, SHOWN)
    assert read(menu, "thoi xoa").action is None
    assert read(menu, "thôi nhé").action == keep
    assert read(menu, "xoa nha").action == delete


def test_two_digits_after_a_day_in_words_are_no_year():
    """ "tháng 11 ngày 28 13 đv": 13 members, never the year 2013."""
    assert parse_date("thang 11 ngay 28 13", today=date(2026, 12, 4)).error == "date_unreadable"
    assert parse_date("28 thang 11 13", today=date(2026, 12, 4)).error == "date_unreadable"


async def test_a_whole_report_typed_with_toi_qua_and_the_month_first_on_zalo_is_read(services, zalo):
    code = await make_invite(services, "B1")
    async with running(services, zalo) as channel:
        await say(channel, zalo, LAN, f"/start {code}")
        answer = await say(channel, zalo, LAN, "sinh hoạt tối qua 12 người ạ")
        assert "Chủ Nhật, 22 tháng 11, 2026" in answer and "Số tham dự: 12" in answer and "Chưa hiểu" not in answer
        await say(channel, zalo, LAN, "huy")
        answer = await say(channel, zalo, LAN, "sh thang 11 ngay 20 13 dv a")
        assert "Thứ Sáu, 20 tháng 11, 2026" in answer and "Số tham dự: 13" in answer and "xa quá" not in answer


def test_words_of_the_offer_at_a_count_question_are_the_count_never_a_pick():
    offer = Action("f", (1, 3, "p"))
    menu = OpenMenu((("Như 6 tháng đầu năm 2026: 12 đoàn viên", offer.encode()), ("✖ Hủy", CANCEL.encode())),
                    True, SHOWN)
    for typed in ("12", "2026", "12 doan vien"):
        assert read(menu, typed).action is None, typed


def test_a_number_word_naming_a_branch_is_no_pick_but_so_hai_is():
    one, two, three = (Action.command(f"u{n}") for n in (1, 2, 3))
    menu = OpenMenu((("Chi đoàn ấp Ba", one.encode()), ("Chi đoàn ấp Một", two.encode()),
                     ("Chi đoàn ấp Hai", three.encode())), False, SHOWN)
    assert read(menu, "hai").action is None            # a branch's name, typed short: no line's number
    assert read(menu, "mot").action is None
    assert read(menu, "so hai").action == two          # "số hai" is the second line


async def test_a_forms_own_words_said_politely_on_zalo_work_as_said_plainly(services):
    """"ok nha" at the summary was offered as a note; "huy bo nha" at the day question was read as
    a date it could not read; "nhu lan truoc nha" as a count."""
    from tests.test_qa_secretary import on_zalo

    zalo = await on_zalo(services, "B1", "b1-polite")
    await zalo.say("/sinhhoat")
    out = await zalo.say("huy bo nha")
    assert "chưa đọc được ngày" not in out and "hủy" in out.lower()
    for typed in ("/sinhhoat", "hom qua", "sinh hoat chi doan", "12"):
        await zalo.say(typed)
    out = await zalo.say("ok nha")
    assert "Đã lưu" in out


async def test_a_whole_report_ending_with_nha_is_read_whole(services):
    """"nha" after a whole report was quoted back as not understood ("a" and "nhe" were not)."""
    from tests.test_qa_secretary import on_zalo

    zalo = await on_zalo(services, "B1", "b1-nha")
    out = await zalo.say("sinh hoat hom qua 12 nguoi truc tiep nha")
    assert "Chưa hiểu" not in out and "Số tham dự: 12" in out


async def test_15_nha_at_the_day_question_asks_which_month_as_15_does(services):
    from tests.test_qa_secretary import on_zalo

    zalo = await on_zalo(services, "B1", "b1-15nha")
    await zalo.say("/sinhhoat")
    assert "Ngày 15 của tháng nào?" in await zalo.say("15 nha")
