"""/baocao from the secretary's side: every report of the periods still open and every report filed
late is listed, each corrected or withdrawn within the rules, and its history reads in full."""

from __future__ import annotations

from datetime import date, datetime, timezone

from tests.support import joined

# 5 January 2027, 09:00 in Vietnam: the fourth quarter of 2026 is in its days of grace
JANUARY_5 = datetime(2027, 1, 5, 2, 0, tzinfo=timezone.utc)


async def report(chat, *answers, note: str | None = None):
    await chat.say("/sinhhoat")
    for answer in answers:
        await chat.say(answer)
    if note is not None:
        await chat.tap("Thêm nội dung")
        await chat.say(note)
    await chat.tap("Lưu")
    assert "Đã lưu" in chat.text, chat.text


async def meetings_of(services, code):
    unit = await services.storage.units.by_code(code)
    return await services.storage.reports.meetings(unit.id, date(2024, 1, 1))


async def test_every_report_of_an_open_quarter_is_listed_and_correctable(services, clock):
    chat = await joined(services, "u1", "B2")                   # a border branch: its window is a quarter
    await report(chat, "2/10", "sinh hoat", "7")
    clock.now = JANUARY_5
    await chat.say("/baocao")
    assert "Thứ Sáu, 2 tháng 10, 2026 — Sinh hoạt chi đoàn, trực tuyến, 7 người" in chat.text
    assert "(đã khóa)" not in chat.text
    await chat.tap("1")
    assert "✏️ Sửa" in chat.buttons() and "🗑 Xóa" in chat.buttons()


async def test_a_report_filed_late_is_listed_and_correctable_for_ten_days_after_it_was_sent(services, clock):
    chat = await joined(services, "u1", "B1", name="Bí thư Lan")
    await report(chat, "15/6", "co", "sinh hoat", "12")        # June closed long ago: filed late
    await report(chat, "20/11", "sinh hoat", "14")
    await chat.say("/baocao")
    assert "2. Thứ Hai, 15 tháng 6, 2026 — Sinh hoạt chi đoàn, trực tiếp, 12 người (nộp muộn)" in chat.text
    assert "10 ngày" in chat.text                               # the rule, said in the footer
    await chat.tap("2")
    await chat.tap("Sửa")
    assert "Báo cáo bổ sung cho kỳ đã khóa sổ (ghi là nộp muộn)." in chat.text     # still flagged
    await chat.tap("Sửa")
    await chat.tap("Số tham dự")
    await chat.say("13")
    await chat.tap("Lưu")
    june = next(m for m in await meetings_of(services, "B1") if m.held_on == date(2026, 6, 15))
    assert (june.attended, june.filed_late) == (13, True)

    clock.advance(days=11)                                      # its ten days are over
    await chat.say("/baocao")
    assert "15 tháng 6, 2026 — Sinh hoạt chi đoàn, trực tiếp, 13 người (nộp muộn) (đã khóa)" in chat.text
    await chat.tap("2")
    assert "Sửa" not in " ".join(chat.buttons()) and "Lịch sử" in " ".join(chat.buttons())
    await chat.tap_data(f"r:m:{june.id}:dy")                    # withdrawal refused too
    assert "đã khóa" in chat.text
    assert len(await meetings_of(services, "B1")) == 2


async def test_a_report_filed_late_can_be_withdrawn_within_its_ten_days(services):
    chat = await joined(services, "u1", "B1")
    await report(chat, "15/6", "co", "sinh hoat", "12")
    await chat.say("/baocao")
    await chat.tap("1")
    await chat.tap("Xóa")
    await chat.tap("Xóa")
    assert "Đã xóa" in chat.text and await meetings_of(services, "B1") == []


async def test_history_lines_are_complete_and_read_as_words(services):
    chat = await joined(services, "u1", "B1", name="Bí thư Lan")
    await report(chat, "20/11", "sinh hoat", "12")
    await chat.say("/baocao")
    await chat.tap("1")
    await chat.tap("Sửa")
    for answer in ("truc tuyen", "hom qua", "sua", "so tham du", "1200", "co"):
        await chat.say(answer)
    await chat.tap("Thêm nội dung")
    await chat.say("Học tập Nghị quyết")
    await chat.tap("Lưu")
    await chat.say("/baocao")
    await chat.tap("1")
    await chat.tap("Lịch sử")
    history = chat.text
    assert "Bí thư Lan sửa nội dung: (trống) → Học tập Nghị quyết" in history
    assert "Bí thư Lan sửa hình thức: Trực tiếp → Trực tuyến" in history
    assert "Bí thư Lan sửa ngày: 20/11/2026 → 22/11/2026" in history
    assert "Bí thư Lan sửa số tham dự: 12 → 1.200" in history
    assert "Bí thư Lan sửa ghi chú vượt số đoàn viên: không → có" in history
    assert ":  →" not in history and "in_person" not in history and "2026-11" not in history


async def test_correcting_a_report_while_the_same_form_is_open_names_the_form_once(services):
    chat = await joined(services, "u1", "B1")
    await report(chat, "hom nay", "sinh hoat", "12")
    for answer in ("/sinhhoat", "hom qua"):
        await chat.say(answer)
    await chat.say("/baocao")
    await chat.tap("1")
    await chat.tap("Sửa")
    assert "Bạn đang điền dở một Báo cáo sinh hoạt khác. Bỏ biểu mẫu đó để sửa báo cáo đã chọn?" in chat.text
    assert chat.text.count("Báo cáo sinh hoạt") == 1
    await chat.tap("Bỏ, sửa báo cáo đã chọn")
    assert "Số tham dự: 12" in chat.text
