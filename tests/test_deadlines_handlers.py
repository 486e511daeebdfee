"""/lich and its buttons: what concerns me, nearest first; confirming (and undoing) stops the ladder."""

from __future__ import annotations

import pytest

from domain.deadlines.calendar import parse_calendar
from domain.reminders import Reminders
from tests.support import joined
from tests.test_reminders import CALENDAR, keys, local


@pytest.fixture(autouse=True)
def routes(services):
    services.calendar = parse_calendar(CALENDAR)


async def test_a_secretary_sees_her_deadlines_nearest_first(services, clock):
    chat = await joined(services, "b1", "B1")
    await chat.say("/lich")
    text = chat.text
    assert "Chi đoàn ấp Một" in text
    # 1+1 due 15/11 (late), then the report due 30/11 (7 days), then the meeting (30/11)
    assert text.index("1+1 cuối năm") < text.index("Báo cáo thử")
    assert "quá hạn 8 ngày" in text and "còn 7 ngày" in text
    assert "Thứ Hai, 30 tháng 11, 2026" in text
    assert "Việc đầu năm" in text                      # 02/01/2027, within 60 days
    assert any(b.endswith("đã nộp") and "bỏ" not in b for b in chat.buttons())
    assert chat.button(": báo cáo").action.encode() in ("cmd:motcongmot", "cmd:sinhhoat")


async def test_confirming_then_undoing(services, clock):
    chat = await joined(services, "b1", "B1")
    await chat.say("/lich")
    await chat.tap_data("dl:c:bao-cao:2026")
    assert "Đã ghi nhận" in chat.text and "đã nộp" in chat.text
    await chat.tap_data("dl:c:bao-cao:2026")
    assert "đã được ghi nhận" in chat.text
    ticker = Reminders(services.storage, services.calendar)
    await ticker.tick(local(2026, 11, 23, 9))
    assert not [k for k in await keys(services, "b1") if ":bao-cao:" in k]
    await chat.tap("bỏ đánh dấu")
    assert "Đã bỏ ghi nhận" in chat.text
    await ticker.tick(local(2026, 11, 24, 9))
    assert [k.split(":")[4] for k in await keys(services, "b1") if ":bao-cao:" in k] == ["before-7"]


async def test_a_button_for_something_not_mine_is_refused(services, clock):
    chat = await joined(services, "b1", "B1")
    await chat.tap_data("dl:c:bao-cao:1999")
    assert "không còn trong lịch" in chat.text
    await chat.tap_data("dl:c:khong-co:2026")
    assert "không còn trong lịch" in chat.text
    await chat.tap_data("dl:c:mot-cong-mot:2026")     # answered by its form, not by a button
    assert "không còn trong lịch" in chat.text


async def test_an_officer_sees_his_items_and_the_late_count_below(services, clock):
    await joined(services, "b1", "B1")
    officer = await joined(services, "d1", "D1", "officer")
    clock.now = local(2026, 12, 3, 9)
    await officer.say("/lich")
    text = officer.text
    assert "Huyện đoàn Một" in text and "Báo cáo thử" in text and "còn 7 ngày" in text
    # B1, B2, B5 (due 30/11) are late on it; and on the 1+1 of 15/11
    assert "chưa nộp, đã quá hạn: 3" in text
    assert officer.button(": đã nộp").action.encode() == "dl:c:bao-cao:2026"
    assert "1+1 cuối năm" in text and not any("Báo cáo" in b for b in officer.buttons())


async def test_the_unit_is_the_askers_never_the_buttons(services, clock):
    b1 = await joined(services, "b1", "B1")
    b5 = await joined(services, "b5", "B5")
    await b1.tap_data("dl:c:bao-cao:2026")
    await b5.say("/lich")
    assert "✅ Mục 1: đã nộp" in b5.buttons() or any("đã nộp" in b and "bỏ" not in b for b in b5.buttons())
    assert not any("Bỏ" in b for b in b5.buttons())


async def test_an_officer_sees_what_is_not_yet_due_below_and_opens_who(services, clock):
    await joined(services, "b1", "B1")
    officer = await joined(services, "d1", "D1", "officer")
    clock.now = local(2026, 12, 3, 9)
    await officer.say("/lich")
    text = officer.text
    # Báo cáo thử: the branches (due 30/11) are late, the grassroots units (due 05/12) not yet
    item = text[text.index("Báo cáo thử"):]
    assert "chưa nộp, đã quá hạn: 3" in item and "Đơn vị cấp dưới chưa nộp, chưa đến hạn: 2" in item
    number = text[:text.index("Báo cáo thử")].rstrip().rsplit("\n", 1)[-1].split(".")[0]
    await officer.tap(f"Mục {number}: ai chưa nộp")
    assert "👥 Báo cáo thử" in officer.text and "Dưới Huyện đoàn Một: 5 đơn vị chưa nộp, 3 đã quá hạn." in officer.text
    assert "Đoàn xã Biên Giới — chưa nộp, hạn 05/12/2026; 2 đơn vị trực thuộc chưa nộp" in officer.text


async def test_a_secretary_has_no_who_button(services, clock):
    chat = await joined(services, "b1", "B1")
    await chat.say("/lich")
    assert not any("ai chưa nộp" in b for b in chat.buttons())


async def test_a_border_branch_reads_its_meeting_as_the_quarters(services, clock):
    clock.now = local(2026, 12, 3, 9)
    border = await joined(services, "b2", "B2")                      # B2 is a border-commune branch
    await border.say("/lich")
    assert "Sinh hoạt chi đoàn — quý 4/2026" in border.text and "tháng 12/2026" not in border.text
    inland = await joined(services, "b1", "B1")
    await inland.say("/lich")
    assert "Sinh hoạt chi đoàn — tháng 12/2026" in inland.text
