"""/baocao: listing, correcting and deleting a branch's reports, with the audit trail."""

from __future__ import annotations

from datetime import date

from tests.support import joined


async def report_meeting(chat, *answers):
    await chat.say("/sinhhoat")
    for answer in answers:
        await chat.say(answer)
    await chat.tap("Lưu")


async def test_list_shows_vietnamese_dates_and_correction_is_audited(services):
    chat = await joined(services, "u1", "B1", name="Bí thư Lan")
    await report_meeting(chat, "15/6", "co", "sinh hoat", "12")  # an old period: filed late, confirmed
    await report_meeting(chat, "20/11", "sinh hoat", "12")
    await chat.say("/baocao")
    assert "Thứ Sáu, 20 tháng 11, 2026" in chat.text
    assert "15 tháng 6, 2026 — Sinh hoạt chi đoàn, trực tiếp, 12 người (nộp muộn)" in chat.text
    await chat.tap("1")
    await chat.tap("Sửa")
    assert "Số tham dự: 12" in chat.text                        # the saved answers, on the summary
    await chat.tap("Sửa")
    await chat.tap("Số tham dự")
    await chat.say("16")
    await chat.tap("Lưu")
    unit = await services.storage.units.by_code("B1")
    meetings = await services.storage.reports.meetings(unit.id, date(2026, 11, 1))
    assert [m.attended for m in meetings] == [16]
    await chat.say("/baocao")
    await chat.tap("1")
    await chat.tap("Lịch sử")
    assert "Bí thư Lan sửa số tham dự: 12 → 16" in chat.text


async def test_delete_needs_a_confirmation_and_is_kept_in_the_trail(services):
    chat = await joined(services, "u1", "B1")
    await report_meeting(chat, "hom nay", "sinh hoat", "12")
    await chat.say("/baocao")
    await chat.tap("1")
    await chat.tap("Xóa")
    await chat.tap("Thôi")
    unit = await services.storage.units.by_code("B1")
    assert len(await services.storage.reports.meetings(unit.id, date(2026, 1, 1))) == 1
    await chat.say("/baocao")
    await chat.tap("1")
    await chat.tap("Xóa")
    await chat.tap("Xóa")
    assert await services.storage.reports.meetings(unit.id, date(2026, 1, 1)) == []
    [meeting_id] = [e.subject_id for e in await services.storage.reports.audit_trail(unit.id, "meeting", 1)][:1]
    actions = [e.action for e in await services.storage.reports.audit_trail(unit.id, "meeting", meeting_id)]
    assert actions == ["create", "delete"]


async def test_a_closed_period_cannot_be_changed(services, clock):
    chat = await joined(services, "u1", "B1")
    await report_meeting(chat, "2/11", "sinh hoat", "12")
    clock.advance(days=20)                                      # 13 December: November is closed
    await chat.say("/baocao")
    assert "(đã khóa)" in chat.text
    await chat.tap("1")
    assert "Sửa" not in " ".join(chat.buttons())
    unit = await services.storage.units.by_code("B1")
    meeting = (await services.storage.reports.meetings(unit.id, date(2026, 1, 1)))[0]
    await chat.tap_data(f"r:m:{meeting.id}:dy")                 # a crafted button is refused too
    assert "đã đóng" in chat.text
    assert len(await services.storage.reports.meetings(unit.id, date(2026, 1, 1))) == 1


async def test_border_branch_corrects_within_the_quarter(services, clock):
    chat = await joined(services, "u1", "B2")                   # border commune
    await report_meeting(chat, "2/10", "sinh hoat", "7")
    await chat.say("/baocao")
    await chat.tap("1")
    assert "Sửa" in " ".join(chat.buttons())                    # October is in the open quarter


async def test_another_branch_cannot_read_correct_or_delete(services):
    owner = await joined(services, "u1", "B1")
    await report_meeting(owner, "hom nay", "sinh hoat", "12")
    unit = await services.storage.units.by_code("B1")
    [meeting] = await services.storage.reports.meetings(unit.id, date(2026, 1, 1))
    other = await joined(services, "u2", "B4")
    for action in ("", ":e", ":d", ":dy", ":h"):
        await other.tap_data(f"r:m:{meeting.id}{action}")
        assert "không còn" in other.text and "12 người" not in other.text
    await other.say("/baocao")
    assert "12 người" not in other.text
    assert len(await services.storage.reports.meetings(unit.id, date(2026, 1, 1))) == 1
