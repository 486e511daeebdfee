"""QA as a Bí thư chi đoàn uses the bot on a cheap phone: on Zalo's numbered menus (no buttons,
words typed without diacritics and with typos), sometimes on Telegram. Each test is one thing such
a person did that went wrong, named for what they did."""

from __future__ import annotations

from datetime import datetime, timezone

import pytest

from bot.channels.terminal import TerminalChat
from tests.support import joined


async def on_zalo(services, unit_code: str, user: str = "s-b1") -> TerminalChat:
    """A secretary of `unit_code`, joined, in a chat that renders and reads menus as Zalo does."""
    chat = await joined(services, user, unit_code)
    zalo = TerminalChat(services)
    zalo.user_id, zalo.name = chat.user_id, chat.name
    return zalo


# --- "keep this number?": answered with the words of its own choices ---------------------------

@pytest.mark.parametrize("typed", ["giu so nay", "giữ", "Đúng giữ số này", "giu nguyen"])
async def test_typing_giu_so_nay_at_keep_25_of_20_on_zalo_keeps_it(services, typed):
    zalo = await on_zalo(services, "B1")
    for line in ("sinh hoat", "hom qua", "1", "25"):
        out = await zalo.say(line)
    assert "Giữ số 25?" in out and "• Đúng, giữ số này" in out     # no numbers: the words are typed
    out = await zalo.say(typed)
    assert "Số tham dự: 25" in out and "chưa đọc được số" not in out
    assert "nhiều hơn số đoàn viên (đã xác nhận)" in out


@pytest.mark.parametrize("typed", ["nhap lai", "khong nhap lai", "sua"])
async def test_typing_nhap_lai_at_keep_25_of_20_on_zalo_asks_the_number_again(services, typed):
    zalo = await on_zalo(services, "B1")
    for line in ("sinh hoat", "hom qua", "1", "25"):
        await zalo.say(line)
    out = await zalo.say(typed)
    assert "Vậy bạn nhập lại nhé." in out and "chưa đọc được số" not in out
    assert "Có bao nhiêu đoàn viên tham dự?" in out


@pytest.mark.parametrize("typed", ["bao cao bo sung", "báo cáo bổ sung", "bao cao bo xung"])
async def test_typing_bao_cao_bo_sung_at_a_closed_month_on_zalo_files_it_late(services, typed):
    zalo = await on_zalo(services, "B1")
    await zalo.say("sinh hoat")
    out = await zalo.say("15/6")
    assert "kỳ này đã khóa sổ" in out
    out = await zalo.say(typed)
    assert "Đó là buổi gì?" in out and "chưa đọc được ngày" not in out


async def test_typing_nhap_lai_at_a_closed_month_on_zalo_asks_the_day_again(services):
    zalo = await on_zalo(services, "B1")
    await zalo.say("sinh hoat")
    await zalo.say("15/6")
    out = await zalo.say("nhap lai")
    assert "Vậy bạn nhập lại nhé." in out and "chưa đọc được ngày" not in out


async def test_a_number_at_keep_25_of_20_is_still_a_new_number(services):
    zalo = await on_zalo(services, "B1")
    for line in ("sinh hoat", "hom qua", "1", "25"):
        await zalo.say(line)
    out = await zalo.say("18")
    assert "Số tham dự: 18" in out and "đã xác nhận" not in out


# --- the list of lines to edit, on a numbered menu ---------------------------------------------

async def test_choosing_sua_on_zalo_lists_each_line_numbered_once(services):
    zalo = await on_zalo(services, "B1")
    for line in ("sinh hoat", "hom qua", "1", "12"):
        await zalo.say(line)
    out = await zalo.say("sua")
    assert "1. Ngày\n" in out and "4. Số tham dự\n" in out
    assert "1. 1." not in out and "4. 4." not in out
    out = await zalo.say("4")
    assert "Có bao nhiêu đoàn viên tham dự?" in out
    out = await zalo.say("15")
    assert "Số tham dự: 15" in out


# --- 1+1 sent again for a period already reported ----------------------------------------------

async def test_sending_1_cong_1_again_for_a_locked_half_year_does_not_overwrite_it(services):
    zalo = await on_zalo(services, "B1")
    await zalo.say("1+1 6 thang dau nam: 12 tham gia, 30 thanh nien, 5 ket nap, 1 vao dang")
    assert "Đã lưu" in await zalo.say("luu")
    unit = await services.storage.units.by_code("B1")
    out = await zalo.say("1+1 6 thang dau nam: 1 tham gia, 2 thanh nien, 0 ket nap, 0 gioi thieu")
    out = await zalo.say("luu")
    assert "Đã lưu" not in out and "đã khóa" in out
    report = await services.storage.reports.recruitment_for(unit.id, "2026-H1")
    assert (report.participants, report.youth_reached, report.new_members) == (12, 30, 5)
    out = await zalo.say("luu")                                   # insisting saves nothing either
    assert "Đã lưu" not in out
    assert (await services.storage.reports.recruitment_for(unit.id, "2026-H1")).participants == 12
    out = await zalo.say("huy")
    assert "Không có gì được lưu" in out


# --- a day that does not exist ------------------------------------------------------------------

@pytest.mark.parametrize("typed", ["ngày 31/2", "ngay 31 thang 2", "31-2"])
async def test_typing_ngay_31_2_on_zalo_says_the_day_once(services, typed):
    zalo = await on_zalo(services, "B1")
    await zalo.say("sinh hoat")
    out = await zalo.say(typed)
    assert "Ngày 31/2 không có thật" in out and "Ngày ngày" not in out and "Ngày ngay" not in out


async def test_a_one_line_report_with_ngay_31_11_quotes_the_day_once(services):
    zalo = await on_zalo(services, "B1")
    out = await zalo.say("sinh hoat ngay 31/11 12 nguoi")
    assert "Ngày 31/11 không có thật" in out and "Ngày ngay" not in out


# --- going back with a typo ----------------------------------------------------------------------

@pytest.mark.parametrize("typed", ["quay lia", "quya lai", "tro lia"])
async def test_typing_quay_lia_with_a_typo_on_zalo_goes_back(services, typed):
    zalo = await on_zalo(services, "B1")
    for line in ("sinh hoat", "hom qua", "1"):
        await zalo.say(line)
    out = await zalo.say(typed)
    assert "Đó là buổi gì?" in out and "chưa đọc được số" not in out


async def test_a_note_that_starts_like_quay_lai_is_kept_as_the_note(services):
    zalo = await on_zalo(services, "B1")
    for line in ("sinh hoat", "hom qua", "1", "12", "them noi dung"):
        await zalo.say(line)
    out = await zalo.say("quay lại chuyện học nghị quyết")
    assert "Nội dung: quay lại chuyện học nghị quyết" in out


# --- a form left for more than a week ------------------------------------------------------------

async def test_coming_back_after_a_week_is_told_the_day_the_form_was_started(services, clock):
    zalo = await on_zalo(services, "B2", "s-b2")
    await zalo.say("sinh hoat")
    await zalo.say("hom qua")
    clock.advance(days=8)
    out = await zalo.say("/baocao")
    assert "bạn bắt đầu ngày 23/11/2026 đã quá 7 ngày" in out and "lúc 23/11/2026" not in out


# --- last time's answers, typed as the hint shows them --------------------------------------------

async def test_typing_the_as_before_choice_without_its_colon_on_zalo_takes_it(services):
    zalo = await on_zalo(services, "B1")
    await zalo.say("sinh hoat hom qua 12 nguoi truc tuyen")
    await zalo.say("luu")
    await zalo.say("sinh hoat")
    await zalo.say("hom nay")
    out = await zalo.say("1")
    assert "Như lần trước: 12 đoàn viên, trực tuyến" in out
    out = await zalo.say("nhu lan truoc 12 doan vien truc tuyen")
    assert "Số tham dự: 12" in out and "Hình thức: Trực tuyến" in out and "chưa đọc được số" not in out


async def test_typing_the_1_cong_1_as_before_choice_without_punctuation_takes_it(services):
    zalo = await on_zalo(services, "B1")
    await zalo.say("1+1 6 thang cuoi nam: 12 tham gia, 30 thanh nien, 5 ket nap, 1 vao dang")
    await zalo.say("luu")
    await zalo.say("1+1")
    out = await zalo.say("ca nam")
    assert "Như 6 tháng cuối năm 2026: 12 đoàn viên" in out
    out = await zalo.say("Nhu 6 thang cuoi nam 2026 12 doan vien")
    assert "vận động được bao nhiêu thanh niên" in out and "chưa đọc được số" not in out


# --- the count, answered in the question's own words ---------------------------------------------

@pytest.mark.parametrize("typed", ["15 người tham dự", "15 doan vien tham du", "có 15 người", "15 nguoi co mat",
                                   "duoc 15 nguoi nhe"])
async def test_answering_15_nguoi_tham_du_on_zalo_takes_15(services, typed):
    zalo = await on_zalo(services, "B1")
    for line in ("sinh hoat", "hom qua", "1"):
        await zalo.say(line)
    out = await zalo.say(typed)
    assert "Số tham dự: 15" in out and "chưa đọc được số" not in out


# --- a 1+1 period picked days after it was shown --------------------------------------------------

async def test_picking_1_for_6_thang_dau_nam_two_days_into_july_keeps_that_half_year(tmp_path):
    from bot import app
    from tests.support import Clock, open_services, seed_tree
    clock = Clock(datetime(2026, 6, 30, 2, 0, tzinfo=timezone.utc))          # 30/6, 09:00 in Vietnam
    services = await open_services(tmp_path / "t.sqlite3", clock)
    try:
        await seed_tree(services)
        zalo = await on_zalo(services, "B2", "s-b2")
        out = await zalo.say("1+1")
        assert "1. 6 tháng đầu năm 2026" in out
        clock.advance(days=2)                                   # a border branch answers two days later
        out = await zalo.say("1")
        assert "tham gia 1+1" in out
        for line in ("8", "10", "1", "0"):
            out = await zalo.say(line)
        assert "Kỳ: 6 tháng đầu năm 2026" in out
        await zalo.say("luu")
        unit = await services.storage.units.by_code("B2")
        assert await services.storage.reports.recruitment_for(unit.id, "2026-H2") is None
        assert (await services.storage.reports.recruitment_for(unit.id, "2026-H1")).participants == 8
    finally:
        await app.close_services(services)


async def test_a_telegram_period_button_no_longer_offered_is_refused_not_moved(tmp_path):
    from bot import app
    from tests.support import Clock, open_services, seed_tree
    clock = Clock(datetime(2026, 12, 31, 16, 50, tzinfo=timezone.utc))       # 31/12, 23:50 in Vietnam
    services = await open_services(tmp_path / "t.sqlite3", clock)
    try:
        await seed_tree(services)
        chat = await joined(services, "s-b1", "B1")
        await chat.say("/motcongmot")
        year = chat.button("Cả năm 2026")
        clock.advance(minutes=20)                               # 1/1/2027, 00:10: "Cả năm 2026" is gone
        await chat.tap_data(year.action.encode())
        assert "không còn nữa vì đã sang kỳ mới" in chat.text and "Cả năm 2027" in " ".join(chat.buttons())
        session = (await services.storage.forms.conversation("terminal", "s-b1")).session
        assert "period" not in session.state["answers"]
    finally:
        await app.close_services(services)


# --- a day before the branch was founded ----------------------------------------------------------

NEW_BRANCH = """code,name,level,parent_code,border,members,founded
P,Tỉnh đoàn Thử,province,,0,0,
G1,Đoàn xã Biên Giới,commune,P,1,0,
B9,Chi đoàn ấp Mới,branch,G1,1,10,01/10/2026
"""


@pytest.mark.parametrize("typed", ["15/9", "sinh hoat ngay 15/9 8 nguoi"])
async def test_a_branch_founded_in_october_typing_15_9_is_told_it_did_not_exist_yet(tmp_path, clock, typed):
    from bot import app
    from domain import units_csv
    from tests.support import open_services
    services = await open_services(tmp_path / "t.sqlite3", clock)
    try:
        rows = units_csv.parse(NEW_BRANCH, await services.storage.units.all())
        await services.storage.units.import_rows(rows, clock())
        zalo = await on_zalo(services, "B9", "s-b9")
        if not typed.startswith("sinh hoat"):
            await zalo.say("sinh hoat")
        out = await zalo.say(typed)
        assert "Chi đoàn được thành lập ngày 01/10/2026" in out and "xa quá" not in out
        assert "Buổi sinh hoạt diễn ra ngày nào?" in out
    finally:
        await app.close_services(services)


# --- correcting a 1+1 report's period -------------------------------------------------------------

async def correcting_h2_to(services, period_words: str) -> str:
    zalo = await on_zalo(services, "B1")
    await zalo.say("1+1 6 thang cuoi nam 10 tham gia 5 thanh nien 1 ket nap 0 gioi thieu")
    await zalo.say("luu")
    for line in ("bao cao", "1", "sua", "sua", "ky", period_words):
        await zalo.say(line)
    return await zalo.say("luu")


async def test_correcting_a_1_cong_1_report_to_ca_nam_moves_it_to_the_year(services):
    out = await correcting_h2_to(services, "ca nam")
    assert "Đã lưu" in out
    unit = await services.storage.units.by_code("B1")
    assert await services.storage.reports.recruitment_for(unit.id, "2026-H2") is None
    moved = await services.storage.reports.recruitment_for(unit.id, "2026")
    assert (moved.participants, moved.youth_reached, moved.new_members) == (10, 5, 1)


async def test_correcting_a_1_cong_1_report_onto_a_locked_half_year_is_refused(services):
    unit = await services.storage.units.by_code("B1")
    await services.storage.reports.save_recruitment(unit.id, None, {
        "period": "2026-H1", "participants": 7, "youth_reached": 7, "new_members": 7, "party_introduced": 0,
    }, services.clock())
    out = await correcting_h2_to(services, "6 thang dau nam")
    assert "Đã lưu" not in out and "đã khóa" in out
    assert (await services.storage.reports.recruitment_for(unit.id, "2026-H1")).participants == 7
    assert (await services.storage.reports.recruitment_for(unit.id, "2026-H2")).participants == 10


async def test_a_1_cong_1_report_deleted_while_being_corrected_is_saved_anew(services):
    zalo = await on_zalo(services, "B1")
    await zalo.say("1+1 6 thang cuoi nam 10 tham gia 5 thanh nien 1 ket nap 0 gioi thieu")
    await zalo.say("luu")
    for line in ("bao cao", "1", "sua", "sua", "tham gia", "12"):
        await zalo.say(line)
    unit = await services.storage.units.by_code("B1")
    report = await services.storage.reports.recruitment_for(unit.id, "2026-H2")
    await services.storage.reports.delete_recruitment(report.id, None, services.clock())   # from another phone
    assert "Đã lưu" in await zalo.say("luu")
    assert (await services.storage.reports.recruitment_for(unit.id, "2026-H2")).participants == 12


# --- a whole report typed while an older form waits half-answered ---------------------------------

async def test_a_whole_report_typed_at_a_half_answered_form_says_which_form_is_open(services, clock):
    zalo = await on_zalo(services, "B2", "s-b2")
    await zalo.say("sinh hoat")
    await zalo.say("hom qua")
    await zalo.say("1")                                   # then the network dropped; the next day:
    clock.advance(days=1)
    out = await zalo.say("sinh hoat hom qua 8 nguoi truc tuyen")
    assert "Bạn đang điền dở Báo cáo sinh hoạt" in out and "chưa đọc được số" not in out
    assert "Ngày: Chủ Nhật, 22 tháng 11, 2026" in out and "huy" in out
    assert "Có bao nhiêu đoàn viên tham dự?" in out
    await zalo.say("huy")
    out = await zalo.say("sinh hoat hom qua 8 nguoi truc tuyen")
    assert "Ngày: Thứ Hai, 23 tháng 11, 2026" in out and "Số tham dự: 8" in out


# --- a count named twice in a one-line report -----------------------------------------------------

async def test_van_dong_20_tn_in_a_one_line_1_cong_1_is_read_without_a_remark(services):
    zalo = await on_zalo(services, "B1")
    out = await zalo.say("bao cao 1+1 nua nam: 12 dv tham gia, van dong 20 tn, ket nap 2, gioi thieu dang 1")
    assert "Chưa hiểu" not in out and "Thanh niên được vận động: 20" in out


async def test_two_different_counts_for_one_line_are_still_asked_about(services):
    zalo = await on_zalo(services, "B1")
    out = await zalo.say("1+1 ca nam: van dong 20, 30 thanh nien")
    assert "Thanh niên được vận động: bạn ghi" in out


async def test_sinh_hoat_31_11_at_the_first_question_says_the_day_does_not_exist(services):
    zalo = await on_zalo(services, "B1")
    await zalo.say("sinh hoat")
    out = await zalo.say("sinh hoat 31/11")
    assert "đang điền dở" not in out and "Buổi sinh hoạt diễn ra ngày nào?" in out


# --- "yesterday" as the South says it, and as it is texted ----------------------------------------

@pytest.mark.parametrize("typed", ["bữa qua", "bua qua", "hom wa", "hum qua"])
async def test_typing_bua_qua_on_zalo_picks_yesterday(services, typed):
    zalo = await on_zalo(services, "B1")
    await zalo.say("sinh hoat")
    out = await zalo.say(typed)
    assert "Đó là buổi gì?" in out
    for line in ("1", "12"):
        out = await zalo.say(line)
    assert "Ngày: Chủ Nhật, 22 tháng 11, 2026" in out


async def test_a_one_line_report_of_bua_nay_is_today(services):
    zalo = await on_zalo(services, "B1")
    out = await zalo.say("sinh hoat bua nay 12 nguoi")
    assert "Ngày: Thứ Hai, 23 tháng 11, 2026" in out and "Chưa hiểu" not in out


# --- members counted as "đồng chí", a meeting held "qua Zalo" -------------------------------------

async def test_hop_bch_bua_qua_co_5_dong_chi_du_is_read_whole(services):
    zalo = await on_zalo(services, "B1")
    out = await zalo.say("Họp BCH bữa qua, có 5 đồng chí dự")
    assert "Chưa hiểu" not in out and "Loại: Họp BCH" in out and "Số tham dự: 5" in out


async def test_answering_5_dong_chi_at_the_count_takes_5(services):
    zalo = await on_zalo(services, "B1")
    for line in ("sinh hoat", "hom qua", "2"):
        await zalo.say(line)
    out = await zalo.say("5 đồng chí")
    assert "Số tham dự: 5" in out


async def test_sinh_hoat_truc_tuyen_qua_zalo_leaves_nothing_unread(services):
    zalo = await on_zalo(services, "B1")
    out = await zalo.say("sinh hoat qua zalo hom qua 9 nguoi")
    assert "Chưa hiểu" not in out and "Hình thức: Trực tuyến" in out and "Số tham dự: 9" in out


@pytest.mark.parametrize("typed, day", [("hom qau", "Chủ Nhật, 22 tháng 11"), ("hôm nya", "Thứ Hai, 23 tháng 11")])
async def test_typing_hom_qau_with_a_typo_on_zalo_picks_the_day(services, typed, day):
    zalo = await on_zalo(services, "B1")
    await zalo.say("sinh hoat")
    out = await zalo.say(typed)
    assert "Đó là buổi gì?" in out
    for line in ("1", "12"):
        out = await zalo.say(line)
    assert f"Ngày: {day}, 2026" in out


async def test_answering_nam_nay_for_the_1_cong_1_period_picks_the_whole_year(services):
    zalo = await on_zalo(services, "B1")
    await zalo.say("1+1")
    out = await zalo.say("nam nay")
    assert "tham gia 1+1" in out
    for line in ("12", "30", "5", "1"):
        out = await zalo.say(line)
    assert "Kỳ: Cả năm 2026" in out


async def test_a_bare_15_at_the_day_question_asks_which_month_and_is_never_taken_as_attendance(services):
    chat = await joined(services, "u1", "B1")
    await chat.say("/sinhhoat")
    await chat.say("15")
    assert "Ngày 15 của tháng nào?" in chat.text and "15/11" in chat.text
    await chat.say("-1")
    assert "Buổi sinh hoạt diễn ra ngày nào?" in chat.text
    await chat.say("hom qua")
    await chat.say("sinh hoat chi doan")
    assert "Có bao nhiêu đoàn viên tham dự?" in chat.text        # asked: nothing was taken from "15"
    await chat.say("18")
    assert "Số tham dự: 18" in chat.text
    await chat.say("15")                                         # at the summary a number is still a count
    assert "Ngày 15 của tháng nào?" not in chat.text


async def test_khong_co_ai_at_the_zero_attendance_question_keeps_zero(services):
    chat = await joined(services, "u1", "B1")
    for answer in ("/sinhhoat", "hom qua", "sinh hoat chi doan", "0"):
        await chat.say(answer)
    await chat.say("không có ai")                               # nobody came: zero is right
    assert "Số tham dự: 0" in chat.text
    await chat.say("quay lai")
    await chat.say("0")
    await chat.say("khong")                                     # "no": the number is asked again
    assert "nhập lại" in chat.text
