"""The meeting report, the 1+1 count and the member count, through the handlers as a person uses them."""

from __future__ import annotations

from datetime import date

import pytest

from bot import app
from tests.support import Chat, joined, open_services


async def meetings_of(services, code="B1", since=date(2025, 1, 1)):
    unit = await services.storage.units.by_code(code)
    return await services.storage.reports.meetings(unit.id, since)


async def test_monthly_report_in_five_taps_when_defaults_fit(services):
    chat = await joined(services, "u1", "B1")
    await chat.tap("Báo cáo sinh hoạt")                 # from the menu
    taps = 1
    for label in ("Hôm nay", "Sinh hoạt chi đoàn"):
        await chat.tap(label)
        taps += 1
    await chat.say("18")
    taps += 1
    assert "Hình thức: Trực tiếp" in chat.text           # the default for a branch that meets in person
    assert "Thứ Hai, 23 tháng 11, 2026" in chat.text      # the Vietnamese date on the summary
    await chat.tap("Lưu")
    taps += 1
    assert taps <= 5
    [meeting] = await meetings_of(services)
    assert (meeting.held_on, meeting.kind, meeting.mode, meeting.attended) == (date(2026, 11, 23), "branch", "in_person", 18)
    assert "Đã lưu" in chat.text


@pytest.mark.parametrize("typed, expected", [
    ("hom qua", date(2026, 11, 22)), ("15/11", date(2026, 11, 15)), ("15-11", date(2026, 11, 15)),
    ("15/11/2026", date(2026, 11, 15)),
])
async def test_dates_typed_many_ways(services, typed, expected):
    chat = await joined(services, "u1", "B1")
    await chat.say("/sinhhoat")
    await chat.say(typed)
    await chat.say("sinh hoat")
    await chat.say("mười hai")
    await chat.say("luu")
    [meeting] = await meetings_of(services)
    assert (meeting.held_on, meeting.mode, meeting.attended) == (expected, "in_person", 12)


async def test_bad_dates_are_refused_with_a_reason(services):
    chat = await joined(services, "u1", "B1")
    await chat.say("/sinhhoat")
    await chat.say("30/11/2026")
    assert "chưa tới" in chat.text
    await chat.say("1/1/2024")
    assert "xa quá" in chat.text
    await chat.say("31/2")
    assert "không có thật" in chat.text
    await chat.say("abc")
    assert "chưa đọc được ngày" in chat.text
    assert "Hôm nay" in chat.buttons()                     # the question is asked again


async def test_attendance_above_members_is_asked_then_flagged(services):
    chat = await joined(services, "u1", "B2")               # 10 members
    for step in ("/sinhhoat", "hom nay", "hop bch", "25"):
        await chat.say(step)
    assert "chỉ có 10 đoàn viên" in chat.text
    await chat.tap("Đúng, giữ số này")
    assert "nhiều hơn số đoàn viên" in chat.text
    await chat.tap("Lưu")
    [meeting] = await meetings_of(services, "B2")
    assert meeting.attended == 25 and meeting.over_members and meeting.kind == "committee"
    assert meeting.mode == "online"                          # the default of a border-commune branch
    assert (await services.storage.units.by_code("B2")).members == 10      # nothing changed silently


async def test_wrong_number_then_zero_is_allowed(services):
    chat = await joined(services, "u1", "B1")
    for step in ("/sinhhoat", "hom nay", "sinh hoat"):
        await chat.say(step)
    await chat.say("-3")
    assert "âm" in chat.text
    await chat.say("12.5")
    assert "số nguyên" in chat.text
    await chat.say("0")
    assert "0 người tham dự" in chat.text and "Số tham dự" not in chat.text      # asked first
    await chat.say("co")
    assert "Số tham dự: 0" in chat.text


async def test_note_on_summary_and_edit_one_answer(services):
    chat = await joined(services, "u1", "B1")
    for step in ("/sinhhoat", "hom nay", "sinh hoat", "12"):
        await chat.say(step)
    await chat.tap("Thêm nội dung")                          # the note is written when chosen
    await chat.say("Học tập Nghị quyết Đại hội Đoàn")
    assert "Nội dung: Học tập Nghị quyết" in chat.text
    await chat.tap("Sửa")
    await chat.tap("Số tham dự")
    await chat.say("14")
    assert "Số tham dự: 14" in chat.text and "Lưu" in " ".join(chat.buttons())
    await chat.tap("Lưu")
    [meeting] = await meetings_of(services)
    assert meeting.attended == 14 and meeting.note == "Học tập Nghị quyết Đại hội Đoàn"


async def test_cancel_and_back(services):
    chat = await joined(services, "u1", "B1")
    for step in ("/sinhhoat", "hom nay", "sinh hoat"):
        await chat.say(step)
    await chat.say("quay lại")
    assert "Đó là buổi gì?" in chat.text
    await chat.say("/huy")
    assert "Đã hủy" in chat.text
    assert await meetings_of(services) == []
    await chat.say("/huy")
    assert "không có biểu mẫu" in chat.text


async def test_anything_else_repeats_the_question_and_loses_nothing(services):
    chat = await joined(services, "u1", "B1")
    for step in ("/sinhhoat", "hom nay"):
        await chat.say(step)
    for kind in ("sticker", "photo", "voice", "edited"):
        await chat.other(kind)
        assert "Đó là buổi gì?" in chat.text
    await chat.say("x" * 3000)
    assert "Đó là buổi gì?" in chat.text
    await chat.say("sinh hoat")
    assert "bao nhiêu đoàn viên" in chat.text


async def test_old_and_double_buttons_change_nothing(services):
    chat = await joined(services, "u1", "B1")
    await chat.say("/sinhhoat")
    today = chat.button("Hôm nay").action.encode()
    await chat.tap_data(today)
    await chat.tap_data(today)                           # the same button again
    assert "Nút đó thuộc một bước đã qua" in chat.text and "Đó là buổi gì?" in chat.text
    for step in ("sinh hoat", "12"):
        await chat.say(step)
    save = chat.button("Lưu").action.encode()
    await chat.tap_data(save)
    await chat.tap_data(save)                            # double tap of Lưu
    assert len(await meetings_of(services)) == 1
    assert "kết thúc" in chat.text


async def test_redelivered_update_is_processed_once(services):
    chat = await joined(services, "u1", "B1")
    await chat.say("/sinhhoat", update_key="telegram:10")
    await chat.say("hom nay", update_key="telegram:11")
    assert await chat.say("hom nay", update_key="telegram:11") == []
    await chat.say("sinh hoat", update_key="telegram:12")
    assert "bao nhiêu đoàn viên" in chat.text


async def test_starting_another_form_asks_first(services):
    chat = await joined(services, "u1", "B1")
    for step in ("/sinhhoat", "hom nay"):
        await chat.say(step)
    await chat.say("/motcongmot")
    assert "đang điền dở Báo cáo sinh hoạt" in chat.text
    await chat.tap("Điền tiếp")
    assert "Đó là buổi gì?" in chat.text
    await chat.say("/motcongmot")
    await chat.tap("Bỏ, làm")
    assert "kỳ nào" in chat.text


async def test_form_expires_after_a_week_untouched(services, clock):
    chat = await joined(services, "u1", "B1")
    await chat.say("/sinhhoat")
    clock.advance(days=8)
    await chat.say("hom nay")
    assert "đã được bỏ" in chat.text
    assert "Đó là buổi gì?" not in chat.text


async def test_restart_in_the_middle_of_every_step_keeps_the_answers(tmp_path, clock):
    path = tmp_path / "restart.sqlite3"
    from tests.support import seed_tree

    services = await open_services(path, clock)
    await seed_tree(services)
    chat = await joined(services, "u1", "B1")
    await app.close_services(services)
    answers = ["/sinhhoat", "hom qua", "hop bch", "9", "sua", "3", "truc tuyen", "them noi dung",
               "Sinh hoạt chủ điểm", "luu"]
    for answer in answers:
        services = await open_services(path, clock)         # a new process on the same file
        chat = Chat(services, "u1", chat.name)
        await chat.say(answer)
        await app.close_services(services)
    services = await open_services(path, clock)
    [meeting] = await meetings_of(services)
    assert (meeting.held_on, meeting.kind, meeting.mode, meeting.attended, meeting.note) == (
        date(2026, 11, 22), "committee", "online", 9, "Sinh hoạt chủ điểm")
    await app.close_services(services)


async def test_one_plus_one_report_with_checks(services):
    chat = await joined(services, "u1", "B5")               # 15 members
    await chat.say("/motcongmot")
    assert "6 tháng cuối năm 2026" in chat.buttons() and "Cả năm 2026" in chat.buttons()
    await chat.tap("Cả năm 2026")
    await chat.say("20")
    assert "chi đoàn có 15 đoàn viên" in chat.text
    await chat.tap("Không, nhập lại")
    await chat.say("15")
    await chat.say("18 thanh nien")
    await chat.say("hai")
    await chat.say("30")
    assert "Giữ số 30" in chat.text
    await chat.say("khong")
    await chat.say("3")
    await chat.tap("Lưu")
    unit = await services.storage.units.by_code("B5")
    report = await services.storage.reports.recruitment_for(unit.id, "2026")
    assert (report.participants, report.youth_reached, report.new_members, report.party_introduced) == (15, 18, 2, 3)


async def test_one_plus_one_twice_for_a_period_corrects_with_audit(services):
    chat = await joined(services, "u1", "B5")
    for answers in (("10", "12", "1", "0"), ("11", "12", "1", "0")):
        await chat.say("/motcongmot")
        await chat.tap("6 tháng cuối")
        for value in answers:
            await chat.say(value)
        await chat.tap("Lưu")
    unit = await services.storage.units.by_code("B5")
    report = await services.storage.reports.recruitment_for(unit.id, "2026-H2")
    assert report.participants == 11
    trail = await services.storage.reports.audit_trail(unit.id, "recruitment", report.id)
    assert [(e.action, e.field, e.old_value, e.new_value) for e in trail] == [
        ("create", "", None, None), ("update", "participants", "10", "11")]


async def test_member_count_update_keeps_history(services):
    chat = await joined(services, "u1", "B1", name="Bí thư Lan")
    await chat.say("/chidoan")
    assert "Số đoàn viên: 20" in chat.text
    await chat.tap("Cập nhật số đoàn viên")
    await chat.say("23")
    await chat.say("ket nap")
    await chat.tap("Thêm ghi chú")
    await chat.say("3 bạn lớp 12")
    await chat.tap("Lưu")
    assert (await services.storage.units.by_code("B1")).members == 23
    await chat.say("/chidoan")
    await chat.tap("Biến động")
    assert "20 → 23 (Kết nạp mới: 3 bạn lớp 12) — Bí thư Lan" in chat.text


async def test_mode_is_changed_from_the_summary(services):
    chat = await joined(services, "u1", "B1")
    for step in ("/sinhhoat", "hom nay", "sinh hoat", "12"):
        await chat.say(step)
    await chat.tap("Sửa")
    await chat.tap("Hình thức")
    await chat.tap("Kết hợp")
    assert "Hình thức: Kết hợp" in chat.text
    await chat.tap("Lưu")
    [meeting] = await meetings_of(services)
    assert meeting.mode == "hybrid"


async def test_a_correction_within_the_period_is_seen_by_the_officer_with_what_changed_and_when(services, clock):
    lan = await joined(services, "u1", "B1", name="Bí thư Lan")
    await lan.say("sinh hoat hom qua 18 nguoi")                          # Monday 23/11, 09:00
    await lan.say("luu")
    clock.advance(hours=5, minutes=30)                                   # 14:30: 16 came, not 18
    await lan.say("/baocao")
    await lan.tap("1")
    await lan.tap("Sửa")
    await lan.tap("Sửa")
    await lan.tap("Số tham dự")
    await lan.say("16")
    await lan.tap("Lưu")
    [meeting] = await meetings_of(services)
    assert meeting.attended == 16
    officer = await joined(services, "d1", "D1", "officer")
    await officer.say("/tonghop")
    lines = officer.text.split("\n")
    flagged = lines.index("• Báo cáo sửa sau khi gửi: Chi đoàn ấp Một (Đoàn xã Biên Giới) — buổi sinh hoạt 22/11/2026")
    assert lines[flagged + 1].strip() == "14:30 23/11/2026, Bí thư Lan: số tham dự 18 → 16"
    secretary_elsewhere = await joined(services, "u5", "B5")
    await secretary_elsewhere.say("/tonghop")                              # another branch sees none of it
    assert "Chi đoàn ấp Một" not in secretary_elsewhere.text


async def test_each_answer_of_a_form_is_one_trip_to_the_database(services, monkeypatch):
    """Issue 9: one answer is one transaction in one trip to the database thread, whatever the step:
    the person, their form, the answer's checks, the new state and the update's redelivery mark
    (and, for the last one, the report saved). Opening the form is a command: not counted."""
    chat = await joined(services, "u1", "B1")
    await chat.say("/sinhhoat")
    trips = []
    real = services.storage.db.run

    async def counted(fn, *args):
        trips.append(fn)
        return await real(fn, *args)

    monkeypatch.setattr(services.storage.db, "run", counted)
    for number, answer in enumerate(("hom qua", "sinh hoat", "18", "luu")):
        trips.clear()
        await chat.say(answer, update_key=f"terminal:{number}")
        assert len(trips) == 1, (answer, trips)
    [meeting] = await meetings_of(services)
    assert (meeting.held_on, meeting.attended) == (date(2026, 11, 22), 18)
    assert "Đã lưu" in chat.text
    await chat.say("/sinhhoat")
    trips.clear()
    await chat.say("huy", update_key="terminal:cancel")       # a form cancelled: one trip as well
    assert len(trips) == 1 and "hủy" in chat.text.lower()
