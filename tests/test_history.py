"""A branch's history of activity (issue 13, item 3), through the handlers: a known year of data
gives known numbers; a border-commune branch is judged by quarter (002); photos are sent as
photos; nobody sees a branch that is not theirs."""

from __future__ import annotations

from datetime import date

import pytest

from handlers.photos import photo_file
from messages_vi import t
from tests.support import joined
from tests.test_nudges import ZaloChat
from tests.test_reminders import local

# the sample tree (tests.support.TREE): B1 Chi đoàn ấp Một (20 members) and B2 Chi đoàn ấp Hai
# (border, 10) under G1, B5 under G2, all under D1; B3 and B4 under D2. Today: 23/11/2026.
MONTHLY = {  # month -> attended, for a branch meeting in person on the 10th; none in 04/2026 and 09/2026
    (2025, 12): 14, (2026, 1): 15, (2026, 2): 16, (2026, 3): 12, (2026, 5): 18, (2026, 6): 17,
    (2026, 7): 15, (2026, 8): 19, (2026, 10): 16, (2026, 11): 18,
}


async def meeting(services, identity, held_on: date, attended: int, kind: str = "branch", mode: str = "in_person") -> int:
    values = {"held_on": held_on, "kind": kind, "mode": mode, "attended": attended}
    return await services.storage.reports.add_meeting(identity.unit.id, identity.person.id, values, services.clock())


async def recruitment(services, identity, period: str, *numbers: int) -> None:
    values = dict(zip(("participants", "youth_reached", "new_members", "party_introduced"), numbers), period=period)
    await services.storage.reports.save_recruitment(identity.unit.id, identity.person.id, values, services.clock())


async def members(services, clock, identity, when, count: int, reason: str) -> None:
    saved, clock.now = clock.now, when
    await services.storage.units.set_members(identity.unit.id, count, reason, "", identity.person.id, clock())
    clock.now = saved


@pytest.fixture
async def year_of_data(services, clock):
    """B1's year: ten monthly meetings and a committee meeting, two 1+1 reports, member updates."""
    chat = await joined(services, "b1", "B1")
    identity = await services.storage.people.identify("terminal", "b1")
    ids = {}
    for (year, month), attended in MONTHLY.items():
        ids[(year, month)] = await meeting(services, identity, date(year, month, 10), attended)
    await meeting(services, identity, date(2026, 11, 12), 5, kind="committee", mode="online")
    await meeting(services, identity, date(2025, 11, 10), 9)                  # before the 12 months
    await recruitment(services, identity, "2026-H1", 12, 20, 4, 1)
    await recruitment(services, identity, "2025", 30, 50, 6, 2)
    await members(services, clock, identity, local(2025, 12, 20, 9), 21, "admitted")   # before the 4 quarters
    await members(services, clock, identity, local(2026, 5, 2, 9), 24, "admitted")
    await members(services, clock, identity, local(2026, 10, 5, 9), 26, "admitted")
    await members(services, clock, identity, local(2026, 10, 20, 9), 25, "moved_away")
    return chat, identity, ids


async def test_a_year_of_a_branch_in_numbers(services, year_of_data):
    chat, _, _ = year_of_data
    await chat.say("/chidoan")
    await chat.tap("Lịch sử hoạt động")
    lines = chat.text.splitlines()
    assert lines[:2] == ["📊 Lịch sử hoạt động — Chi đoàn ấp Một", "Tháng 12/2025 – Tháng 11/2026"]
    assert lines[2:16] == [
        "Sinh hoạt theo tháng:",
        "• Tháng 11/2026: 2 buổi — sinh hoạt trực tiếp 18/20 người; họp BCH trực tuyến 5/20 người",
        "• Tháng 10/2026: 1 buổi — sinh hoạt trực tiếp 16/20 người",
        "• Tháng 9/2026: chưa có buổi nào ⚠️ chưa sinh hoạt chi đoàn",
        "• Tháng 8/2026: 1 buổi — sinh hoạt trực tiếp 19/20 người",
        "• Tháng 7/2026: 1 buổi — sinh hoạt trực tiếp 15/20 người",
        "• Tháng 6/2026: 1 buổi — sinh hoạt trực tiếp 17/20 người",
        "• Tháng 5/2026: 1 buổi — sinh hoạt trực tiếp 18/20 người",
        "• Tháng 4/2026: chưa có buổi nào ⚠️ chưa sinh hoạt chi đoàn",
        "• Tháng 3/2026: 1 buổi — sinh hoạt trực tiếp 12/20 người",
        "• Tháng 2/2026: 1 buổi — sinh hoạt trực tiếp 16/20 người",
        "• Tháng 1/2026: 1 buổi — sinh hoạt trực tiếp 15/20 người",
        "• Tháng 12/2025: 1 buổi — sinh hoạt trực tiếp 14/20 người",
        # November is not over: 11 months judged, 9 with a branch meeting (a committee meeting is not one)
        "Tháng đã qua có sinh hoạt chi đoàn: 9/11.",
    ]
    text = chat.text
    assert ("1+1 (tham gia · thanh niên được vận động · kết nạp · giới thiệu cho Đảng):\n"
            "• 6 tháng cuối năm 2026: chưa báo cáo\n"
            "• 6 tháng đầu năm 2026: 12 · 20 · 4 · 1\n"
            "• 6 tháng cuối năm 2025: chưa báo cáo\n"
            "• Năm 2025: 30 · 50 · 6 · 2\n") in text
    # admitted: +3 in May, +2 in October; moving away is no new member; December 2025 is before Q1
    assert ("Đoàn viên mới theo quý (theo các lần cập nhật số đoàn viên với lý do «Kết nạp mới»):\n"
            "• Quý 4/2026: 2\n• Quý 3/2026: 0\n• Quý 2/2026: 3\n• Quý 1/2026: 0\n") in text
    assert "🖼 Chưa có ảnh minh chứng nào trong 12 tháng qua." in text
    assert "Xem ảnh" not in " ".join(chat.buttons())
    assert len(text) < 2000                                  # one Zalo message


async def test_new_members_from_the_1plus1_reports_when_the_member_history_has_none(services):
    chat = await joined(services, "b5", "B5")
    identity = await services.storage.people.identify("terminal", "b5")
    await recruitment(services, identity, "2026-H1", 10, 12, 4, 0)
    await recruitment(services, identity, "2025-H2", 8, 9, 7, 0)            # ended before the 4 quarters
    await chat.say("lich su")
    assert ("Đoàn viên mới (chi đoàn chưa ghi lần «Kết nạp mới» nào khi cập nhật số đoàn viên, "
            "nên lấy số kết nạp trong các báo cáo 1+1, theo kỳ báo cáo):\n• 6 tháng đầu năm 2026: 4\n") in chat.text


async def test_no_data_says_so(services):
    chat = await joined(services, "b5", "B5")
    await chat.say("/lichsu")
    assert "• Tháng 10/2026: chưa có buổi nào ⚠️ chưa sinh hoạt chi đoàn" in chat.text
    assert "Tháng đã qua có sinh hoạt chi đoàn: 0/11." in chat.text
    assert "Đoàn viên mới: chưa có số liệu" in chat.text


async def test_a_border_branch_is_judged_by_quarter(services):
    """002: a border-commune branch meets at least once every 3 months."""
    chat = await joined(services, "b2", "B2")
    identity = await services.storage.people.identify("terminal", "b2")
    await meeting(services, identity, date(2025, 10, 8), 7, mode="online")    # its quarter reaches into the 12 months
    await meeting(services, identity, date(2026, 2, 3), 8, mode="online")
    await meeting(services, identity, date(2026, 8, 10), 6, mode="online")
    await chat.say("lich su hoat dong")
    text = chat.text
    assert "chi đoàn xã biên giới: sinh hoạt ít nhất 1 lần mỗi quý" in text
    assert "⚠️ chưa sinh hoạt chi đoàn" not in text            # no month is a fault on its own
    assert "• Tháng 8/2026: 1 buổi — sinh hoạt trực tuyến 6/10 người" in text
    assert ("Quý đã qua có sinh hoạt chi đoàn: 3/4.\n"
            "• Quý 4/2026: 0 buổi sinh hoạt chi đoàn (chưa hết quý)\n"
            "• Quý 3/2026: 1 buổi sinh hoạt chi đoàn ✅\n"
            "• Quý 2/2026: 0 buổi sinh hoạt chi đoàn ⚠️\n"
            "• Quý 1/2026: 1 buổi sinh hoạt chi đoàn ✅\n"
            "• Quý 4/2025: 1 buổi sinh hoạt chi đoàn ✅\n") in text


async def test_the_photos_are_sent_as_photos(services, year_of_data):
    chat, identity, ids = year_of_data
    meeting_id = ids[(2026, 11)]
    for n in range(2):
        path = f"{identity.unit.id}/test-{n}.jpg"
        file = photo_file(services, path)
        file.parent.mkdir(parents=True, exist_ok=True)
        file.write_bytes(b"\xff\xd8\xff" + bytes(100))
        await services.storage.photos.add(identity.unit.id, identity.person.id, path, 103, services.clock(),
                                          meeting_id=meeting_id)
    await chat.say("/lichsu")
    assert "🖼 Ảnh minh chứng: 2 ảnh của 1 buổi." in chat.text
    await chat.tap("Xem ảnh (2)")
    assert "1. Sinh hoạt chi đoàn ngày 10/11/2026, trực tiếp, 18 người — 2 ảnh" in chat.text
    replies = await chat.tap("1")
    assert [r.attachment_kind for r in replies] == ["photo", "photo"]
    assert all(r.attachment.is_file() for r in replies)
    assert replies[0].text == "🖼 Sinh hoạt chi đoàn ngày 10/11/2026, trực tiếp, 18 người (ảnh 1/2)"
    assert "Lịch sử hoạt động" in chat.buttons()[-1]
    photo_file(services, f"{identity.unit.id}/test-1.jpg").unlink()
    replies = await chat.tap_data(f"hi:m:{meeting_id}")
    assert len([r for r in replies if r.attachment]) == 1 and "1 ảnh của buổi này không còn" in replies[-1].text


async def test_an_officer_opens_it_from_the_branch_card_and_sees_only_their_subtree(services, year_of_data):
    _, identity, ids = year_of_data
    officer = await joined(services, "g1", "G1", "officer")
    await officer.say("lich su")                                         # an officer picks a branch first
    assert officer.replies[0].text == t("hi.pick") and "Chi đoàn ấp Một" in officer.buttons()
    await officer.tap("Chi đoàn ấp Một")
    await officer.tap("Lịch sử hoạt động")
    assert "📊 Lịch sử hoạt động — Chi đoàn ấp Một" in officer.text
    await officer.tap_data(f"hi:{identity.unit.parent_id}")               # a unit that is not a branch
    assert officer.text == t("hi.branch_only", unit="Đoàn xã Biên Giới")

    other = await joined(services, "g2", "G2", "officer")
    b5 = await joined(services, "b5", "B5")
    for chat in (other, b5):
        for data in (f"hi:{identity.unit.id}", f"hi:p:{identity.unit.id}", f"hi:m:{ids[(2026, 11)]}", "hi:m:999999"):
            await chat.tap_data(data)
            assert chat.text == t("not_yours"), data


async def test_on_zalo_the_photo_list_is_picked_by_number(services, year_of_data):
    _, identity, ids = year_of_data
    path = f"{identity.unit.id}/zalo.jpg"
    file = photo_file(services, path)
    file.parent.mkdir(parents=True, exist_ok=True)
    file.write_bytes(b"\x89PNG\r\n\x1a\n" + bytes(10))
    await services.storage.photos.add(identity.unit.id, identity.person.id, path, 18, services.clock(),
                                      meeting_id=ids[(2026, 8)])
    chat = ZaloChat(services, "b1")
    await chat.type("lich su")
    picked = next(line.split(".")[0] for line in chat.screen.splitlines() if "Xem ảnh" in line)
    await chat.type(picked)
    assert "Các buổi có ảnh minh chứng" in chat.text and "1. Sinh hoạt chi đoàn ngày 10/08/2026" in chat.screen
    [reply] = await chat.type("1")
    assert reply.attachment_kind == "photo" and reply.attachment == file
