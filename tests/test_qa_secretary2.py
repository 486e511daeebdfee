"""QA, second pass, as a Bí thư chi đoàn: the monthly meeting report and 1+1 on Zalo's numbered
menus (typed words, often without diacritics, with typos) and on Telegram's buttons. Each test is
one thing such a person did that went wrong, named for what they did."""

from __future__ import annotations

from datetime import date

import pytest

from tests.support import joined
from tests.test_qa_secretary import on_zalo


async def meetings_of(services, unit_code: str = "B1"):
    unit = await services.storage.units.by_code(unit_code)
    return await services.storage.reports.meetings(unit.id, date(2024, 1, 1))


# --- a whole line typed at a later question fills what it names ----------------------------------

@pytest.mark.parametrize("typed", ["sinh hoat chi doan 12 nguoi truc tuyen", "Sinh hoạt chi đoàn 12 người trực tuyến",
                                   "sinh hoat chi doan 12 nguoi truc tuyn"])
async def test_typing_sinh_hoat_chi_doan_12_nguoi_truc_tuyen_at_the_kind_question_fills_all_three(services, typed):
    zalo = await on_zalo(services, "B1")
    await zalo.say("sinh hoat")
    await zalo.say("hom qua")
    out = await zalo.say(typed)
    assert "Số tham dự: 12" in out and "Hình thức: Trực tuyến" in out and "Loại: Sinh hoạt chi đoàn" in out
    assert "Có bao nhiêu đoàn viên tham dự?" not in out
    assert "Đã lưu" in await zalo.say("luu")
    [meeting] = await meetings_of(services)
    assert (meeting.held_on, meeting.kind, meeting.mode, meeting.attended) == (date(2026, 11, 22), "branch", "online", 12)


async def test_typing_sinh_hoat_chi_doan_12_nguoi_truc_tiep_at_a_border_branchs_kind_question_keeps_all(services):
    zalo = await on_zalo(services, "B2", "s-b2")               # border: online unless told otherwise
    await zalo.say("sinh hoat")
    await zalo.say("hom qua")
    out = await zalo.say("sinh hoat chi doan 8 nguoi truc tiep")
    assert "Số tham dự: 8" in out and "Hình thức: Trực tiếp" in out
    assert "Đã lưu" in await zalo.say("luu")
    [meeting] = await meetings_of(services, "B2")
    assert (meeting.kind, meeting.mode, meeting.attended) == ("branch", "in_person", 8)


async def test_typing_12_nguoi_truc_tuyen_at_the_kind_question_says_what_it_took_and_asks_the_kind(services):
    zalo = await on_zalo(services, "B1")
    await zalo.say("sinh hoat")
    await zalo.say("hom qua")
    out = await zalo.say("12 nguoi truc tuyen")
    assert "Đã ghi hình thức: Trực tuyến; số tham dự: 12." in out and "Đó là buổi gì?" in out
    out = await zalo.say("2")
    assert "Loại: Họp BCH" in out and "Số tham dự: 12" in out and "Hình thức: Trực tuyến" in out


async def test_typing_the_counts_at_the_1_cong_1_period_question_keeps_them(services):
    zalo = await on_zalo(services, "B1")
    await zalo.say("1+1")
    out = await zalo.say("12 tham gia, 30 thanh nien")
    assert "Đã ghi" in out and "Báo cáo cho kỳ nào?" in out
    out = await zalo.say("1")
    assert "kết nạp được bao nhiêu" in out                 # participants and youth are not asked again
    await zalo.say("2")
    out = await zalo.say("0")
    assert "Đoàn viên tham gia 1+1: 12" in out and "Thanh niên được vận động: 30" in out


async def test_a_line_repeating_the_day_already_given_at_the_count_question_fills_the_count(services):
    zalo = await on_zalo(services, "B1")
    for line in ("sinh hoat", "hom qua", "1"):
        await zalo.say(line)
    out = await zalo.say("sinh hoat hom qua 15 nguoi")
    assert "Số tham dự: 15" in out and "Ngày: Chủ Nhật, 22 tháng 11, 2026" in out


async def test_a_line_with_another_day_at_a_later_question_changes_no_answer_given(services):
    zalo = await on_zalo(services, "B1")
    for line in ("sinh hoat", "hom qua"):
        await zalo.say(line)
    out = await zalo.say("sinh hoat 20/11 15 nguoi")
    assert "Bạn đang điền dở Báo cáo sinh hoạt" in out and "Ngày: Chủ Nhật, 22 tháng 11, 2026" in out
    assert "Đó là buổi gì?" in out                        # nothing taken: not the kind either


async def test_a_digit_at_the_kind_question_is_still_a_menu_pick(services):
    zalo = await on_zalo(services, "B1")
    await zalo.say("sinh hoat")
    await zalo.say("hom qua")
    out = await zalo.say("2")
    assert "Có bao nhiêu đoàn viên tham dự?" in out
    out = await zalo.say("7")
    assert "Loại: Họp BCH" in out and "Số tham dự: 7" in out


# --- one-line reports as texted -----------------------------------------------------------------

async def test_typing_sh_20_11_15_ng_truc_tiep_with_no_form_open_opens_the_summary(services):
    zalo = await on_zalo(services, "B1")
    out = await zalo.say("sh 20/11 15 ng truc tiep")
    assert "Ngày: Thứ Sáu, 20 tháng 11, 2026" in out and "Số tham dự: 15" in out and "Loại: Sinh hoạt chi đoàn" in out
    assert "Đã lưu" in await zalo.say("luu")                        # two messages on Zalo


@pytest.mark.parametrize("typed, attended", [("sinh hoạt hôm wa 18ng trực tiếp", 18), ("sinh hoat hom qua 12dv", 12),
                                             ("sinh hoat hom qua 9nguoi", 9)])
async def test_a_count_glued_to_its_word_in_a_one_line_report_is_read(services, typed, attended):
    zalo = await on_zalo(services, "B1")
    out = await zalo.say(typed)
    assert f"Số tham dự: {attended}" in out and "Chưa hiểu" not in out


async def test_a_time_like_20h_in_a_one_line_report_is_no_count(services):
    zalo = await on_zalo(services, "B1")
    out = await zalo.say("sinh hoat hom qua luc 20h, 15 nguoi")
    assert "Số tham dự: 15" in out and "“20h”" in out


async def test_12dv_and_30tn_glued_in_a_one_line_1_cong_1_are_read(services):
    zalo = await on_zalo(services, "B1")
    out = await zalo.say("1+1 ca nam: 12dv tham gia, 30tn, 2 ket nap, 0 vao dang")
    assert "Đoàn viên tham gia 1+1: 12" in out and "Thanh niên được vận động: 30" in out and "Chưa hiểu" not in out


# --- last time's answers, taken with a yes ---------------------------------------------------------

@pytest.mark.parametrize("typed", ["dung", "ok", "Đúng rồi", "uh"])
async def test_saying_dung_or_ok_to_nhu_lan_truoc_on_zalo_takes_last_times_answers(services, typed):
    from tests.test_prefill import reported_before
    await reported_before(services)                          # 18 members, online, last month
    zalo = await on_zalo(services, "B1")
    for line in ("sinh hoat", "hom qua", "1"):
        out = await zalo.say(line)
    assert "Như lần trước: 18 đoàn viên, trực tuyến" in out
    out = await zalo.say(typed)
    assert "Số tham dự: 18" in out and "Hình thức: Trực tuyến" in out and "chưa đọc được số" not in out


async def test_saying_ok_at_the_count_with_nothing_reported_before_still_asks_for_a_number(services):
    zalo = await on_zalo(services, "B1")
    for line in ("sinh hoat", "hom qua", "1"):
        await zalo.say(line)
    out = await zalo.say("ok")
    assert "chưa đọc được số" in out


async def test_saying_dung_to_the_1_cong_1_offer_takes_last_periods_participants(services):
    zalo = await on_zalo(services, "B1")
    await zalo.say("1+1 6 thang dau nam: 15 tham gia, 30 thanh nien, 2 ket nap, 0 vao dang")
    await zalo.say("luu")
    await zalo.say("1+1")
    out = await zalo.say("1")                                # 6 tháng cuối năm 2026
    assert "Như 6 tháng đầu năm 2026: 15 đoàn viên" in out
    out = await zalo.say("dung")
    assert "thanh niên" in out.lower() and "chưa đọc được số" not in out


async def test_typing_12_nguoi_with_a_note_at_the_count_question_takes_the_count_and_quotes_the_note(services):
    # the note is written where its line is picked (the forms' rule), never lost in silence
    zalo = await on_zalo(services, "B1")
    for line in ("sinh hoat", "hom qua", "1"):
        await zalo.say(line)
    out = await zalo.say("12 nguoi, noi dung: hoc nghi quyet")
    assert "Số tham dự: 12" in out and "chưa đọc được số" not in out
    assert "“hoc nghi quyet”: nội dung chưa được ghi" in out and "Thêm nội dung" in out
    await zalo.say("them noi dung")
    out = await zalo.say("hoc nghi quyet")
    assert "Nội dung: hoc nghi quyet" in out


# --- typed at the summary ----------------------------------------------------------------------

@pytest.mark.parametrize("typed", ["15 nguoi", "15 người", "co 15 dv"])
async def test_typing_15_nguoi_at_the_summary_changes_the_count_without_asking_which_line(services, typed):
    zalo = await on_zalo(services, "B1")
    await zalo.say("sinh hoat hom qua 12 nguoi")
    out = await zalo.say(typed)
    assert "Đã ghi số tham dự: 15." in out and "Ghi vào mục nào?" not in out and "Số tham dự: 15" in out


async def test_typing_hom_kia_15_nguoi_at_the_summary_changes_both_lines(services):
    zalo = await on_zalo(services, "B1")
    await zalo.say("sinh hoat hom qua 12 nguoi")
    out = await zalo.say("hom kia 15 nguoi")
    assert "Đã ghi ngày: Thứ Bảy, 21 tháng 11, 2026; số tham dự: 15." in out
    assert "Đã lưu" in await zalo.say("luu")
    [meeting] = await meetings_of(services)
    assert (meeting.held_on, meeting.attended) == (date(2026, 11, 21), 15)


async def test_a_closed_day_and_too_many_people_typed_at_the_summary_are_each_asked_about(services):
    zalo = await on_zalo(services, "B1")
    await zalo.say("sinh hoat hom qua 12 nguoi")
    out = await zalo.say("15/6 25 nguoi")
    assert "kỳ này đã khóa sổ" in out
    out = await zalo.say("1")                                   # Đúng, báo cáo bổ sung
    assert "Giữ số 25?" in out and "Đó là buổi gì?" not in out
    out = await zalo.say("giu")
    assert "Số tham dự: 25" in out and "Ngày: Thứ Hai, 15 tháng 6, 2026" in out
    assert "Đã lưu" in await zalo.say("luu")
    [meeting] = await meetings_of(services)
    assert (meeting.held_on, meeting.attended, meeting.filed_late, meeting.over_members) == \
        (date(2026, 6, 15), 25, True, True)


async def test_a_day_and_a_count_typed_at_the_day_question_says_the_count_was_taken(services):
    zalo = await on_zalo(services, "B1")
    await zalo.say("sinh hoat")
    out = await zalo.say("hom qua 12 nguoi")
    assert "Đã ghi ngày: Chủ Nhật, 22 tháng 11, 2026; số tham dự: 12." in out and "Đó là buổi gì?" in out
    out = await zalo.say("1")
    assert "Số tham dự: 12" in out and "Có bao nhiêu đoàn viên tham dự?" not in out


async def test_going_back_to_the_day_and_typing_sinh_hoat_hom_nay_changes_the_day(services):
    zalo = await on_zalo(services, "B1")
    for line in ("sinh hoat", "hom qua", "1", "quay lai", "quay lai"):
        out = await zalo.say(line)
    assert "diễn ra ngày nào?" in out
    out = await zalo.say("sinh hoat hom nay")
    assert "đang điền dở" not in out and "Có bao nhiêu đoàn viên tham dự?" in out
    out = await zalo.say("12")
    assert "Ngày: Thứ Hai, 23 tháng 11, 2026" in out and "Số tham dự: 12" in out


async def test_going_back_after_a_line_at_the_kind_question_keeps_its_count(services):
    zalo = await on_zalo(services, "B1")
    for line in ("sinh hoat", "hom qua", "12 nguoi truc tuyen", "quay lai", "hom nay"):
        out = await zalo.say(line)
    assert "Đó là buổi gì?" in out
    out = await zalo.say("2")
    assert "Loại: Họp BCH" in out and "Số tham dự: 12" in out and "Ngày: Thứ Hai, 23 tháng 11, 2026" in out


async def test_a_count_retyped_in_a_line_before_its_check_replaces_the_doubted_one(services):
    zalo = await on_zalo(services, "B1")
    await zalo.say("sinh hoat")
    await zalo.say("hom qua 25 nguoi")                       # 25 of 20 members: to be asked about
    out = await zalo.say("sinh hoat 18 nguoi")
    assert "Số tham dự: 18" in out and "đang điền dở" not in out and "Giữ số 25?" not in out


# --- a negative count in a one-line report -------------------------------------------------------

async def test_sinh_hoat_hom_qua_minus_5_nguoi_is_refused_never_read_as_5(services):
    zalo = await on_zalo(services, "B1")
    out = await zalo.say("sinh hoat hom qua -5 nguoi")
    assert "“-5”: Số không được âm." in out and "Số tham dự: 5" not in out
    assert "Có bao nhiêu đoàn viên tham dự?" in out


async def test_a_negative_count_in_a_one_line_1_cong_1_is_refused(services):
    zalo = await on_zalo(services, "B1")
    out = await zalo.say("1+1 ca nam: -3 tham gia, 30 tn, 2 ket nap, 0 vao dang")
    assert "“-3”: Số không được âm." in out and "Bao nhiêu đoàn viên tham gia 1+1?" in out


async def test_a_day_written_with_dashes_in_a_one_line_report_is_still_a_day(services):
    zalo = await on_zalo(services, "B1")
    out = await zalo.say("sinh hoat 20-11 12 nguoi")
    assert "Ngày: Thứ Sáu, 20 tháng 11, 2026" in out and "Số tham dự: 12" in out


# --- a report whose period closed ----------------------------------------------------------------

async def test_choosing_sua_on_a_report_closed_meanwhile_on_zalo_offers_a_way_on(services, clock):
    zalo = await on_zalo(services, "B1")
    await zalo.say("sinh hoat hom qua 12 nguoi")
    await zalo.say("luu")
    await zalo.say("bao cao")
    await zalo.say("1")
    clock.advance(days=20)                                      # November and its 10 days are over
    out = await zalo.say("sua")
    assert "đã khóa" in out and "1. 📋 Báo cáo đã gửi" in out
    out = await zalo.say("1")
    assert "(đã khóa)" in out


async def test_a_1_cong_1_line_with_only_the_period_and_one_count_says_what_it_took(services):
    zalo = await on_zalo(services, "B1")
    out = await zalo.say("1+1 6 thang dau nam 2026: 12 tham gia")
    assert "Đã ghi kỳ: 6 tháng đầu năm 2026; đoàn viên tham gia 1+1: 12." in out
    assert "vận động được bao nhiêu thanh niên" in out


async def test_a_line_at_the_summary_with_a_count_too_large_changes_nothing_and_says_why(services):
    zalo = await on_zalo(services, "B1")
    await zalo.say("sinh hoat hom qua 12 nguoi")
    out = await zalo.say("hom kia 50000 nguoi")
    assert "“50000”: Số này lớn quá" in out and "Ghi vào mục nào?" not in out
    assert "Ngày: Chủ Nhật, 22 tháng 11, 2026" in out and "Số tham dự: 12" in out


# --- the same meeting reported twice -------------------------------------------------------------

@pytest.mark.parametrize("typed", ["giu ca 2", "giữ cả 2"])
async def test_typing_giu_ca_2_at_a_repeated_meeting_keeps_both(services, typed):
    zalo = await on_zalo(services, "B1")
    await zalo.say("sinh hoat hom qua 12 nguoi")
    await zalo.say("luu")
    await zalo.say("sinh hoat hom qua 15 nguoi")
    out = await zalo.say("luu")
    assert "Giữ cả hai" in out
    out = await zalo.say(typed)
    assert "Đã lưu" in out
    assert sorted(m.attended for m in await meetings_of(services)) == [12, 15]


# --- correcting last year's 1+1 in its days of grace ----------------------------------------------

async def test_correcting_the_2026_year_1_cong_1_on_5_january_shows_the_period_by_its_name(services, clock):
    zalo = await on_zalo(services, "B1")
    await zalo.say("1+1 ca nam: 12 tham gia, 30 tn, 2 ket nap, 0 vao dang")
    await zalo.say("luu")
    clock.advance(days=43)                                       # 5/1/2027: the year is open 10 days more
    await zalo.say("bao cao")
    await zalo.say("1")
    out = await zalo.say("sua")
    assert "Kỳ: Năm 2026" in out and "Kỳ: 2026" not in out
    await zalo.say("sua")
    await zalo.say("2")
    out = await zalo.say("13")
    assert "Đoàn viên tham gia 1+1: 13" in out and "Kỳ: Năm 2026" in out
    assert "Đã lưu" in await zalo.say("luu")
    unit = await services.storage.units.by_code("B1")
    assert (await services.storage.reports.recruitment_for(unit.id, "2026")).participants == 13


# --- a period spelled in words -------------------------------------------------------------------

@pytest.mark.parametrize("typed, title", [("/tonghop tháng mười một", "Tổng hợp tháng 11/2026"),
                                          ("/tonghop thang muoi", "Tổng hợp tháng 10/2026"),
                                          ("/tonghop quy tu", "Tổng hợp quý 4/2026")])
async def test_tonghop_with_the_month_in_words_on_zalo_reads_the_month(services, typed, title):
    zalo = await on_zalo(services, "B1")
    out = await zalo.say(typed)
    assert title in out and "chưa hiểu" not in out


async def test_typing_12_nguoi_at_the_kind_question_on_telegram_keeps_the_count(services):
    chat = await joined(services, "tg-b1", "B1")
    await chat.say("/sinhhoat")
    await chat.tap("Hôm qua")
    await chat.say("12 nguoi")
    assert "Đã ghi số tham dự: 12." in chat.text and "Đó là buổi gì?" in chat.text
    await chat.tap("Họp BCH")
    assert "Loại: Họp BCH" in chat.text and "Số tham dự: 12" in chat.text
    await chat.tap("Lưu")                                     # four taps and one typed line
    [meeting] = await meetings_of(services)
    assert (meeting.kind, meeting.attended) == ("committee", 12)


# --- a whole report of the other form, typed while one form is open -----------------------------

async def test_a_1_cong_1_line_typed_at_the_meetings_count_says_the_meeting_form_is_open(services):
    zalo = await on_zalo(services, "B1")
    for line in ("sinh hoat", "hom qua", "1"):
        await zalo.say(line)
    line = "1+1 ca nam: 12 tham gia, 30 tn, 2 ket nap, 0 vao dang"
    out = await zalo.say(line)
    assert "Bạn đang điền dở Báo cáo sinh hoạt" in out and "Tin nhắn vừa rồi là Báo cáo 1+1" in out
    assert "chưa đọc được số" not in out and "Có bao nhiêu đoàn viên tham dự?" in out
    await zalo.say("huy")
    out = await zalo.say(line)
    assert "Kỳ: Cả năm 2026" in out and "Đoàn viên tham gia 1+1: 12" in out


async def test_a_meeting_line_typed_at_the_1_cong_1_period_question_says_the_1_cong_1_form_is_open(services):
    zalo = await on_zalo(services, "B1")
    await zalo.say("1+1")
    out = await zalo.say("sinh hoat hom qua 12 nguoi")
    assert "Bạn đang điền dở Báo cáo 1+1" in out and "Tin nhắn vừa rồi là Báo cáo sinh hoạt?" in out
    assert "Báo cáo cho kỳ nào?" in out


# --- a correction saved after its period closed ----------------------------------------------------

async def test_a_correction_opened_on_the_last_open_day_and_saved_the_next_changes_nothing(services, clock):
    zalo = await on_zalo(services, "B1")
    await zalo.say("sinh hoat hom qua 12 nguoi")
    await zalo.say("luu")
    clock.advance(days=17)                                       # 10/12: November's last day of grace
    for line in ("bao cao", "1", "sua"):
        await zalo.say(line)
    out = await zalo.say("15 nguoi")
    assert "Số tham dự: 15" in out
    clock.advance(days=1)                                        # 11/12: November is closed
    out = await zalo.say("luu")
    assert "đã khóa sổ trong lúc bạn đang sửa" in out and "Đã lưu" not in out
    [meeting] = await meetings_of(services)
    assert meeting.attended == 12
    out = await zalo.say("1")                                    # the way on: the reports
    assert "12 người (đã khóa)" in out


async def test_a_1_cong_1_correction_saved_after_its_half_year_closed_changes_nothing(services, clock):
    zalo = await on_zalo(services, "B1")
    await zalo.say("1+1 6 thang cuoi nam: 12 tham gia, 30 tn, 2 ket nap, 0 vao dang")
    await zalo.say("luu")
    clock.advance(days=47)                                       # 9/1/2027: the half-year's grace
    for line in ("bao cao", "1", "sua", "sua", "2", "13"):
        out = await zalo.say(line)
    assert "Đoàn viên tham gia 1+1: 13" in out
    clock.advance(days=2)
    out = await zalo.say("luu")
    assert "đã khóa sổ trong lúc bạn đang sửa" in out
    unit = await services.storage.units.by_code("B1")
    assert (await services.storage.reports.recruitment_for(unit.id, "2026-H2")).participants == 12


async def test_typing_bch_12_11_7_nguoi_with_no_form_open_reports_a_committee_meeting(services):
    zalo = await on_zalo(services, "B1")
    out = await zalo.say("bch 12/11 7 nguoi")
    assert "Loại: Họp BCH" in out and "Số tham dự: 7" in out and "Ngày: Thứ Năm, 12 tháng 11, 2026" in out


async def test_a_meeting_line_of_another_day_typed_at_an_unsaved_summary_changes_nothing(services):
    zalo = await on_zalo(services, "B1")
    await zalo.say("sinh hoat hom qua 12 nguoi")
    out = await zalo.say("sinh hoat 20/11 15 nguoi")
    assert "Bạn đang điền dở Báo cáo sinh hoạt" in out and "Tin nhắn vừa rồi là một báo cáo mới?" in out
    assert "Ngày: Chủ Nhật, 22 tháng 11, 2026" in out and "Số tham dự: 12" in out


async def test_the_same_meeting_line_retyped_at_the_summary_with_another_count_corrects_it(services):
    zalo = await on_zalo(services, "B1")
    await zalo.say("sinh hoat hom qua 12 nguoi")
    out = await zalo.say("sinh hoat hom qua 15 nguoi")
    assert "Đã ghi số tham dự: 15." in out and "Số tham dự: 15" in out


# --- a restart between the line and the next answer ------------------------------------------------

async def test_a_line_at_the_kind_question_survives_a_restart_of_the_bot(tmp_path, clock):
    from bot import app
    from bot.channels.terminal import TerminalChat
    from tests.support import open_services, seed_tree

    path = tmp_path / "restart.sqlite3"
    services = await open_services(path, clock)
    await seed_tree(services)
    zalo = await on_zalo(services, "B1")
    for line in ("sinh hoat", "hom qua", "12 nguoi truc tuyen"):
        await zalo.say(line)
    await app.close_services(services)
    services = await open_services(path, clock)                     # a new process on the same file
    try:
        again = TerminalChat(services)
        again.user_id, again.name = zalo.user_id, zalo.name
        out = await again.say("1")
        assert "Số tham dự: 12" in out and "Hình thức: Trực tuyến" in out and "Loại: Sinh hoạt chi đoàn" in out
        assert "Đã lưu" in await again.say("luu")
    finally:
        await app.close_services(services)


@pytest.mark.parametrize("typed", ["sinh hoat hom qua 12 đ/c", "sinh hoat hom qua 12 dc"])
async def test_12_dong_chi_abbreviated_in_a_one_line_report_is_read_without_a_remark(services, typed):
    zalo = await on_zalo(services, "B1")
    out = await zalo.say(typed)
    assert "Số tham dự: 12" in out and "Chưa hiểu" not in out


@pytest.mark.parametrize("typed", ["sinhhoat hom qua 12 nguoi", "sinh hot hom qua 12 nguoi",
                                   "bao cao sinh hoat hom qua 12 nguoi"])
async def test_a_one_line_report_whose_first_words_are_glued_misspelt_or_long_is_still_read(services, typed):
    zalo = await on_zalo(services, "B1")
    out = await zalo.say(typed)
    assert "Loại: Sinh hoạt chi đoàn" in out and "Số tham dự: 12" in out and "Bạn muốn làm gì?" not in out


@pytest.mark.parametrize("typed", ["cam on", "hom nay troi mua", "xin chao, toi la bi thu moi"])
async def test_chat_that_is_no_report_still_gets_the_home_menu(services, typed):
    zalo = await on_zalo(services, "B1")
    out = await zalo.say(typed)
    assert "Bạn muốn làm gì?" in out


async def test_repeating_hom_qua_at_the_kind_question_is_answered_not_silently_asked_again(services):
    zalo = await on_zalo(services, "B1")
    await zalo.say("sinh hoat")
    await zalo.say("hom qua")
    out = await zalo.say("hom qua")
    assert "chưa hiểu" in out and "Đó là buổi gì?" in out


# --- attendance written as "15/20" ---------------------------------------------------------------

@pytest.mark.parametrize("typed", ["Chi đoàn sinh hoạt ngày 20/11/2026, có 15/20 đoàn viên tham dự, hình thức trực tiếp",
                                   "sinh hoat 20/11 co mat 15/20", "sinh hoat 20/11 15/20 dv"])
async def test_attendance_written_15_of_20_in_a_one_line_report_keeps_the_day_and_the_count(services, typed):
    zalo = await on_zalo(services, "B1")                          # a branch of 20 members
    out = await zalo.say(typed)
    assert "Ngày: Thứ Sáu, 20 tháng 11, 2026" in out and "Số tham dự: 15" in out and "Chưa hiểu" not in out


@pytest.mark.parametrize("typed", ["15/20", "co mat 15/20 dong chi", "tham du 15"])
async def test_typing_co_mat_15_20_at_the_count_question_reads_15(services, typed):
    zalo = await on_zalo(services, "B1")
    for line in ("sinh hoat", "hom qua", "1"):
        await zalo.say(line)
    out = await zalo.say(typed)
    assert "Số tham dự: 15" in out


async def test_12_13_at_the_count_question_is_still_no_count(services):
    zalo = await on_zalo(services, "B1")
    for line in ("sinh hoat", "hom qua", "1"):
        await zalo.say(line)
    out = await zalo.say("12/13")
    assert "chưa đọc được số" in out


async def test_a_day_like_8_10_of_a_small_branch_stays_a_day(services):
    zalo = await on_zalo(services, "B2")                          # a branch of 10 members
    out = await zalo.say("sinh hoat 8/10 6 nguoi")
    assert "Ngày: Thứ Năm, 8 tháng 10, 2026" in out and "Số tham dự: 6" in out


def test_of_members_reads_only_the_branchs_own_size_after_the_slash():
    from domain.forms.parsers import of_members
    assert of_members("co mat 15/20 dong chi", 20) == "co mat 15 dong chi"
    assert of_members("12/13", 20) == "12/13"                        # 12 or 13?
    assert of_members("ngay 20/11/2026", 20) == "ngay 20/11/2026"    # a day
    assert of_members("8/10", 10) == "8/10"                          # 8 October, in a branch of 10


async def test_an_officer_typing_a_meeting_line_is_refused_with_the_way_to_the_menu(services):
    officer = await joined(services, "o-g1", "G1", role="officer")
    await officer.say("sinh hoat hom qua 12 nguoi")
    assert "không dành cho vai trò của bạn" in officer.text and officer.buttons() == ["☰ Menu"]
    assert await meetings_of(services) == []


async def test_an_emoji_after_a_one_line_report_is_no_piece_not_understood(services):
    zalo = await on_zalo(services, "B1")
    out = await zalo.say("sinh hoat hom qua 12 nguoi 👍")
    assert "Số tham dự: 12" in out and "Chưa hiểu" not in out


@pytest.mark.parametrize("typed", ["–5", "−5"])
async def test_a_minus_as_phones_write_it_at_the_count_question_is_refused(services, typed):
    zalo = await on_zalo(services, "B1")
    for line in ("sinh hoat", "hom qua", "1"):
        await zalo.say(line)
    out = await zalo.say(typed)
    assert "Số không được âm." in out and "Số tham dự: 5" not in out


async def test_typing_3_vao_hoi_at_the_youth_question_gets_the_forms_own_answer(services):
    zalo = await on_zalo(services, "B1")
    for line in ("1+1", "1", "12"):
        await zalo.say(line)
    out = await zalo.say("3 vao hoi")
    assert "biểu mẫu không có mục riêng cho thanh niên vào Hội" in out and "chưa đọc được số" not in out
    assert "vận động được bao nhiêu thanh niên" in out


# --- "6 tháng đầu" without "năm" -----------------------------------------------------------------

async def test_1_cong_1_6_thang_dau_without_nam_in_one_line_is_the_first_half_year(services):
    zalo = await on_zalo(services, "B1")
    out = await zalo.say("1+1 6 thang dau: 12 tham gia, 30 tn, 2 ket nap, 0 vao dang")
    assert "Kỳ: 6 tháng đầu năm 2026" in out and "Chưa hiểu" not in out


@pytest.mark.parametrize("typed, period", [("6 thang dau", "2026-H1"), ("6 thang cuoi", "2026-H2"),
                                           ("nua dau nam", "2026-H1")])
async def test_typing_6_thang_dau_at_the_period_question_picks_that_half_year(services, typed, period):
    zalo = await on_zalo(services, "B1")
    await zalo.say("1+1")
    for line in (typed, "12", "30", "2", "0", "luu"):
        await zalo.say(line)
    unit = await services.storage.units.by_code("B1")
    assert (await services.storage.reports.recruitment_for(unit.id, period)).participants == 12


@pytest.mark.parametrize("typed", ["huy bao cao", "Hủy báo cáo"])
async def test_typing_huy_bao_cao_in_the_middle_of_the_form_cancels_it(services, typed):
    zalo = await on_zalo(services, "B1")
    await zalo.say("sinh hoat")
    await zalo.say("hom qua")
    out = await zalo.say(typed)
    assert "Đã hủy Báo cáo sinh hoạt. Không có gì được lưu." in out


async def test_a_day_typed_with_an_invisible_control_character_after_it_is_asked_about_not_a_crash(services):
    """A phone keyboard's stray U+001F after "0" made int() fail: the generic error answer."""
    chat = await joined(services, "b1-ctl", "B1")
    await chat.say("/sinhhoat")
    for typed in ("0\x1f", "15\x1f"):
        [reply] = await chat.say(typed)
        assert "Mã lỗi" not in reply.text
    assert "Ngày 15 của tháng nào?" in reply.text
