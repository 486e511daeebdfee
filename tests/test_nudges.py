"""Who has not sent a deadline, and nudging them (issue 13, item 3), through the handlers.

A tree of its own, as the Union is since July 2025 with an older district kept (DOMAIN.md): a
Tỉnh đoàn with two Đoàn xã and their branches (one a border-commune branch, 002), and a Huyện
đoàn with a school's Đoàn trường (its class branches) and a branch directly under it.
"""

from __future__ import annotations

import json
from datetime import date, timedelta

import pytest

from bot import app
from bot.channels.numbered import NumberedMenus
from domain import units_csv
from domain.conversation import Incoming
from domain.deadlines.calendar import parse_calendar
from messages_vi import t
from tests.support import Chat, joined, open_services
from tests.test_reminders import local

TREE = """code,name,level,parent_code,border,members
VL,Tỉnh đoàn Vĩnh Long,province,,0,0
TP,Đoàn xã Tân Phú,grassroots,VL,0,0
PM,Đoàn xã Phú Mỹ,grassroots,VL,1,0
HC,Huyện đoàn Cũ,district,VL,0,0
TR,Đoàn trường THPT Cũ,grassroots,HC,0,0
A1,Chi đoàn ấp Một,branch,TP,0,20
A2,Chi đoàn ấp Hai,branch,TP,0,15
A3,Chi đoàn ấp Ba,branch,TP,0,12
C1,Chi đoàn ấp Chợ,branch,PM,0,18
C2,Chi đoàn ấp Biên,branch,PM,1,9
L1,Chi đoàn 10A1,branch,TR,0,40
L2,Chi đoàn 10A2,branch,TR,0,38
BV,Chi đoàn Bệnh viện,branch,HC,0,25
"""

# The Đoàn xã (grassroots) sends its report by 10/12; its branches owe theirs 5 days before
# (lead_days, the default calendar's); a branch straight under the Huyện đoàn owes it on 10/12.
CALENDAR = """
[[item]]
id = "so-ket"
title = "Báo cáo sơ kết"
due = "10/12"
level = "grassroots"
cascade = true

[[item]]
id = "sinh-hoat"
title = "Sinh hoạt chi đoàn"
recurrence = "monthly"
level = "branch"
collects = "meeting"
"""

LATE_FOR_BRANCHES = local(2026, 12, 7, 9)      # branches were due 05/12, the Đoàn xã are due 10/12


@pytest.fixture
async def services(tmp_path, clock):
    services = await open_services(tmp_path / "nudges.sqlite3", clock)
    rows = units_csv.parse(TREE, [])
    await services.storage.units.import_rows(rows, clock())
    services.calendar = parse_calendar(CALENDAR)
    clock.now = LATE_FOR_BRANCHES
    yield services
    await app.close_services(services)


async def unit_id(services, code: str) -> int:
    return (await services.storage.units.by_code(code)).id


async def outbox(services, chat_id: str) -> list[tuple[str, str]]:
    """(key, text) of every message queued for a chat."""
    return [(key, json.loads(payload)["text"]) for key, _, payload in await services.storage.outbox.sent_to(chat_id)]


async def open_list(chat: Chat, services, item: str, key: str, code: str, page: int = 0):
    return await chat.tap_data(f"nh:l:{item}:{key}:{await unit_id(services, code)}:{page}")


# --- the list, by level and depth -----------------------------------------------------------------

async def test_a_commune_officer_sees_the_branches_that_have_not_sent_it(services):
    officer = await joined(services, "tp", "TP", "officer")
    await open_list(officer, services, "so-ket", "2026", "TP")
    text = officer.text
    assert "Báo cáo sơ kết" in text and "Dưới Đoàn xã Tân Phú: 3 đơn vị chưa nộp, 3 đã quá hạn." in text
    for name in ("Chi đoàn ấp Một", "Chi đoàn ấp Hai", "Chi đoàn ấp Ba"):
        assert f"{name} — chưa nộp, hạn 05/12/2026, quá hạn 2 ngày" in text
    assert "Đoàn xã Phú Mỹ" not in text and "Bệnh viện" not in text          # not under this officer
    assert officer.buttons()[:3] == ["1", "2", "3"] and "📣 Nhắc tất cả" in officer.buttons()


async def test_a_province_officer_sees_the_units_directly_under_with_whats_late_below(services):
    officer = await joined(services, "vl", "VL", "officer")
    await open_list(officer, services, "so-ket", "2026", "VL")
    text = officer.text
    # every unit that owes it and has not sent it, at any depth: 3 Đoàn xã/trường and 8 branches
    assert "Dưới Tỉnh đoàn Vĩnh Long: 11 đơn vị chưa nộp, 7 đã quá hạn." in text
    assert ("Đoàn xã Tân Phú — chưa nộp, hạn 10/12/2026; 3 đơn vị trực thuộc chưa nộp: "
            "Chi đoàn ấp Ba, Chi đoàn ấp Hai, Chi đoàn ấp Một") in text
    # the Huyện đoàn owes nothing itself: what is late under it, its school union and its branch
    assert "Huyện đoàn Cũ — 4 đơn vị trực thuộc chưa nộp: Chi đoàn 10A1, Chi đoàn 10A2, " in text
    assert "Chi đoàn ấp Một —" not in text                     # a branch is under its Đoàn xã's line
    assert "🔎 Xem Huyện đoàn Cũ" in officer.buttons()


async def test_a_district_officer_four_levels_deep(services):
    officer = await joined(services, "hc", "HC", "officer")
    await open_list(officer, services, "so-ket", "2026", "HC")
    text = officer.text
    # the branch straight under the district owes it on the district's own date (no lead)
    assert "Chi đoàn Bệnh viện — chưa nộp, hạn 10/12/2026" in text
    assert "Đoàn trường THPT Cũ — chưa nộp, hạn 10/12/2026; 2 đơn vị trực thuộc chưa nộp" in text


async def test_what_was_answered_is_not_listed_nor_what_a_unit_between_sent(services):
    a1 = await joined(services, "a1", "A1")
    pm = await joined(services, "pm", "PM", "officer")
    province = await joined(services, "vl", "VL", "officer")
    await a1.tap_data("dl:c:so-ket:2026")
    await pm.tap_data("dl:c:so-ket:2026")                   # Phú Mỹ sent its report upward
    await open_list(province, services, "so-ket", "2026", "VL")
    assert "Dưới Tỉnh đoàn Vĩnh Long: 7 đơn vị chưa nộp" in province.text
    assert "Phú Mỹ" not in province.text and "Chi đoàn ấp Một" not in province.text
    # Phú Mỹ's own officer still sees its branches: nobody sent their part to it
    await open_list(pm, services, "so-ket", "2026", "PM")
    assert "Chi đoàn ấp Chợ — chưa nộp" in pm.text and "Chi đoàn ấp Biên — chưa nộp" in pm.text


async def test_a_border_branch_owes_a_meeting_only_in_the_quarters_last_month(services):
    """002: a border-commune branch meets at least once every 3 months."""
    officer = await joined(services, "pm", "PM", "officer")
    await open_list(officer, services, "sinh-hoat", "2026-11", "PM")
    assert "Chi đoàn ấp Chợ" in officer.text and "Chi đoàn ấp Biên" not in officer.text
    assert "1 chi đoàn xã biên giới không tính tháng này" in officer.text
    await open_list(officer, services, "sinh-hoat", "2026-12", "PM")
    assert "Chi đoàn ấp Chợ" in officer.text and "Chi đoàn ấp Biên" in officer.text
    assert "biên giới không tính" not in officer.text


async def test_a_meeting_reported_answers_the_month(services, clock):
    a1 = await joined(services, "a1", "A1")
    officer = await joined(services, "tp", "TP", "officer")
    await a1.say("/sinhhoat")
    await a1.say("20/11")
    await a1.tap("Sinh hoạt chi đoàn")
    await a1.say("15")
    await a1.tap("Lưu")
    await open_list(officer, services, "sinh-hoat", "2026-11", "TP")
    assert "Chi đoàn ấp Một" not in officer.text and "Chi đoàn ấp Hai" in officer.text


async def test_a_long_list_is_paged_and_numbered_from_one_on_every_page(services, clock):
    rows = "code,name,level,parent_code,border,members\n" + "".join(
        f"N{n:02d},Chi đoàn số {n:02d},branch,TP,0,10\n" for n in range(1, 10))
    await services.storage.units.import_rows(units_csv.parse(rows, await services.storage.units.all()), clock())
    n10 = await joined(services, "n10", "N09")
    officer = await joined(services, "tp", "TP", "officer")
    await open_list(officer, services, "so-ket", "2026", "TP")
    assert "Trang 1/2" in officer.text and officer.buttons()[:8] == [str(n) for n in range(1, 9)]
    await officer.tap("Trang sau")
    assert "Trang 2/2" in officer.text
    # by name as people read it: "ấp" before "số", whatever the code points
    assert "1. Chi đoàn số 06" in officer.text and "4. Chi đoàn số 09" in officer.text
    await officer.tap_data(officer.button("4").action.encode())
    assert "Đã nhắc Chi đoàn số 09 (1 người)" in officer.text and "Trang 2/2" in officer.text
    assert len(await outbox(services, n10.user_id)) == 1


# --- nudging ---------------------------------------------------------------------------------------

async def test_nudge_one_branch_then_again_the_same_day(services):
    a1 = await joined(services, "a1", "A1")
    a1_deputy = await joined(services, "a1d", "A1")
    a2 = await joined(services, "a2", "A2")
    officer = await joined(services, "tp", "TP", "officer")
    await open_list(officer, services, "so-ket", "2026", "TP")
    assert "1. Chi đoàn ấp Ba" in officer.text                 # by date, then name
    await officer.tap_data(officer.button("3").action.encode())    # Chi đoàn ấp Một
    assert "📣 Đã nhắc Chi đoàn ấp Một (2 người) về «Báo cáo sơ kết»." in officer.text
    assert "Chi đoàn ấp Một — chưa nộp, hạn 05/12/2026, quá hạn 2 ngày · 📣 đã nhắc hôm nay" in officer.text
    for chat in (a1, a1_deputy):
        [(key, text)] = await outbox(services, chat.user_id)
        assert key.startswith("nudge:")
        assert text == ("📣 Đoàn xã Tân Phú nhắc:\nChi đoàn ấp Một chưa nộp «Báo cáo sơ kết». "
                        "Hạn của đơn vị: Thứ Bảy, 5 tháng 12, 2026.")
    [(_, _, payload)] = await services.storage.outbox.sent_to(a1.user_id)
    assert json.loads(payload)["buttons"] == [[["✅ Đã nộp", "dl:c:so-ket:2026"]]]
    assert await outbox(services, a2.user_id) == []

    await officer.tap_data(officer.button("3").action.encode())
    assert "đã được nhắc «Báo cáo sơ kết» hôm nay rồi" in officer.text
    assert len(await outbox(services, a1.user_id)) == 1 and len(await outbox(services, a1_deputy.user_id)) == 1


async def test_nudge_all_once_a_vietnam_day(services, clock):
    a1, a2 = await joined(services, "a1", "A1"), await joined(services, "a2", "A2")
    officer = await joined(services, "tp", "TP", "officer")
    # 06:00 on 08/12 in Vietnam is still 07/12 in UTC: the day that counts is Vietnam's
    clock.now = local(2026, 12, 8, 6)
    await open_list(officer, services, "so-ket", "2026", "TP")
    await officer.tap("Nhắc tất cả")
    text = officer.text
    assert "📣 «Báo cáo sơ kết»: đã nhắc 2 đơn vị (2 người)." in text
    assert "Bỏ qua 1 đơn vị chưa có ai dùng trợ lý để nhắc: Chi đoàn ấp Ba." in text
    assert "Đang giờ nghỉ (21:00–07:00): tin nhắc sẽ được gửi từ 07:00." in text
    assert "Chi đoàn ấp Ba — chưa nộp, hạn 05/12/2026, quá hạn 3 ngày · chưa có ai dùng trợ lý" in text

    clock.now = local(2026, 12, 8, 9)                         # 08/12 in UTC too, the same Vietnam day
    await officer.tap("Nhắc tất cả")
    assert "📣 «Báo cáo sơ kết»: không gửi tin nhắc nào." in officer.text
    assert "Bỏ qua 2 đơn vị đã được nhắc hôm nay." in officer.text
    assert [len(await outbox(services, c.user_id)) for c in (a1, a2)] == [1, 1]

    clock.now = local(2026, 12, 9, 8)                         # the next day
    await officer.tap("Nhắc tất cả")
    assert "đã nhắc 2 đơn vị (2 người)" in officer.text
    assert [len(await outbox(services, c.user_id)) for c in (a1, a2)] == [2, 2]


async def test_the_province_nudges_the_commune_officers_and_can_reach_the_branches(services):
    a1 = await joined(services, "a1", "A1")
    bv = await joined(services, "bv", "BV")
    tp = await joined(services, "tp", "TP", "officer")
    pm = await joined(services, "pm", "PM", "officer")
    province = await joined(services, "vl", "VL", "officer")
    await open_list(province, services, "so-ket", "2026", "VL")
    await province.tap("Nhắc tất cả")
    assert "đã nhắc 2 đơn vị (2 người)" in province.text
    assert "Bỏ qua 1 đơn vị chưa có ai dùng trợ lý để nhắc: Huyện đoàn Cũ." in province.text
    assert "chọn «Xem …» để nhắc từng đơn vị trực thuộc" in province.text
    [(_, text)] = await outbox(services, tp.user_id)
    assert text.startswith("📣 Tỉnh đoàn Vĩnh Long nhắc:\nĐoàn xã Tân Phú chưa nộp «Báo cáo sơ kết». "
                           "Hạn của đơn vị: Thứ Năm, 10 tháng 12, 2026.\n3 đơn vị trực thuộc Đoàn xã Tân Phú")
    assert "Chi đoàn ấp Một" in text and "Nhờ đồng chí đôn đốc." in text
    assert len(await outbox(services, pm.user_id)) == 1
    assert await outbox(services, a1.user_id) == []            # the branches hear their Đoàn xã, not the province

    # the Huyện đoàn has no officer on the bot: the province opens it and nudges its branch
    await province.tap("Xem Huyện đoàn Cũ")
    assert "Dưới Huyện đoàn Cũ: 4 đơn vị chưa nộp" in province.text
    assert "⬆️ Tỉnh đoàn Vĩnh Long" in province.buttons()
    number = next(line.split(".")[0] for line in province.text.splitlines() if "Chi đoàn Bệnh viện" in line)
    await province.tap_data(province.button(number).action.encode())
    assert "📣 Đã nhắc Chi đoàn Bệnh viện (1 người)" in province.text
    [(_, text)] = await outbox(services, bv.user_id)
    assert text.startswith("📣 Tỉnh đoàn Vĩnh Long nhắc:\nChi đoàn Bệnh viện chưa nộp")

    # the Đoàn xã's officer opens the branches from the nudge, and the branch nudged by the
    # province today is not nudged again
    [(_, _, payload)] = await services.storage.outbox.sent_to(tp.user_id)
    [[[label, data]]] = json.loads(payload)["buttons"][-1:]
    await tp.tap_data(data)
    assert "Dưới Đoàn xã Tân Phú: 3 đơn vị chưa nộp" in tp.text


async def test_a_branch_nudged_today_by_the_commune_is_not_nudged_by_the_province(services):
    await joined(services, "bv", "BV")
    hc = await joined(services, "hc", "HC", "officer")
    province = await joined(services, "vl", "VL", "officer")
    await open_list(hc, services, "so-ket", "2026", "HC")
    number = next(line.split(".")[0] for line in hc.text.splitlines() if "Chi đoàn Bệnh viện" in line)
    await hc.tap_data(hc.button(number).action.encode())
    await open_list(province, services, "so-ket", "2026", "HC")
    await province.tap_data(province.button(number).action.encode())
    assert "Chi đoàn Bệnh viện đã được nhắc «Báo cáo sơ kết» hôm nay rồi" in province.text
    assert len(await outbox(services, "bv")) == 1


async def test_a_unit_that_sent_it_meanwhile_is_not_nudged(services):
    a1 = await joined(services, "a1", "A1")
    officer = await joined(services, "tp", "TP", "officer")
    await open_list(officer, services, "so-ket", "2026", "TP")
    button = officer.button("3").action.encode()             # Chi đoàn ấp Một
    await a1.tap_data("dl:c:so-ket:2026")
    await officer.tap_data(button)
    assert "Chi đoàn ấp Một không còn gì chưa nộp ở «Báo cáo sơ kết», nên không cần nhắc." in officer.text
    assert await outbox(services, a1.user_id) == []


# --- who may ---------------------------------------------------------------------------------------

async def test_crafted_buttons_for_another_subtree_are_refused(services):
    c1 = await joined(services, "c1", "C1")
    officer = await joined(services, "tp", "TP", "officer")
    secretary = await joined(services, "a1", "A1")
    c1_id, pm_id, tp_id = [await unit_id(services, code) for code in ("C1", "PM", "TP")]
    for data in (f"nh:o:so-ket:2026:{c1_id}:0", f"nh:a:so-ket:2026:{pm_id}", f"nh:l:so-ket:2026:{pm_id}:0",
                 f"nh:a:so-ket:2026:{await unit_id(services, 'VL')}"):
        await officer.tap_data(data)
        assert officer.text == t("not_yours"), data
    await officer.tap_data(f"nh:o:so-ket:2026:{tp_id}:0")                 # their own unit
    assert officer.text == t("ot.not_self", unit="Đoàn xã Tân Phú")
    await secretary.tap_data(f"nh:a:so-ket:2026:{tp_id}")
    assert secretary.text == t("not_allowed")
    for data in (f"nh:l:khong-co:2026:{tp_id}:0", f"nh:x:so-ket:2026:{tp_id}", "nh:l:so-ket:2026:abc:0",
                 f"nh:o:so-ket:x:{tp_id}:0", f"nh:a:so-ket:2026-13:{tp_id}", f"nh:l:so-ket:0000:{tp_id}:0"):
        await officer.tap_data(data)
        assert "không còn trong lịch hạn" in officer.text, data
    await officer.tap_data(f"nh:a:so-ket:1999:{tp_id}")
    assert "không phải việc của đơn vị nào dưới Đoàn xã Tân Phú" in officer.text
    assert await outbox(services, c1.user_id) == [] and await outbox(services, secretary.user_id) == []
    assert await services.storage.nudges.of_day("so-ket", "2026", LATE_FOR_BRANCHES.date()) == {}


async def test_a_secretary_cannot_open_the_list(services):
    secretary = await joined(services, "a1", "A1")
    await secretary.say("nhac")                              # /chuanop: a branch has nobody under it
    assert secretary.text == t("ot.items.branch") and secretary.buttons() == [t("menu.deadlines")]
    await secretary.tap_data(f"nh:l:so-ket:2026:{await unit_id(services, 'A1')}:0")
    assert secretary.text == t("not_allowed")


# --- from /lich, and on Zalo -----------------------------------------------------------------------

async def test_lich_opens_the_list_of_who_has_not_sent_it(services):
    officer = await joined(services, "tp", "TP", "officer")
    await officer.say("/lich")
    assert "Đơn vị cấp dưới chưa nộp, đã quá hạn: 3" in officer.text
    await officer.tap("ai chưa nộp")
    assert "Dưới Đoàn xã Tân Phú" in officer.text and "Chi đoàn ấp Một" in officer.text


class ZaloChat(Chat):
    """A chat as Zalo carries it: every reply's choices become the numbered menu, and a typed line
    picks from it by number or by its words before anything reaches the handlers."""

    def __init__(self, services, user_id: str):
        super().__init__(services, user_id)
        self.menus = NumberedMenus(services.storage, "terminal", services.clock)
        self.screen = ""                      # what the person sees: the texts with their numbered choices

    async def send(self, incoming: Incoming):
        replies = await super().send(incoming)
        self.screen = "\n".join([await self.menus.shown(self.user_id, reply) for reply in replies])
        return replies

    async def type(self, line: str):
        picked = await self.menus.read(self.user_id, line)
        if picked.action is not None:
            return await self.send(Incoming("terminal", self.user_id, self.user_id, self.name, button=picked.action))
        return await self.say(line)


async def test_on_zalo_numbers_and_typed_words_work(services):
    a1, a2 = await joined(services, "a1", "A1"), await joined(services, "a2", "A2")
    await joined(services, "tp", "TP", "officer")
    officer = ZaloChat(services, "tp")
    await officer.type("ai chua nop")                     # /chuanop as words
    assert "Báo cáo sơ kết: 3 đơn vị chưa nộp (3 đã quá hạn)" in officer.text
    number = next(line.split(".")[0] for line in officer.text.splitlines() if "Báo cáo sơ kết" in line)
    await officer.type(number)
    assert "Dưới Đoàn xã Tân Phú: 3 đơn vị chưa nộp" in officer.text
    await officer.type("2")                               # the second line: Chi đoàn ấp Hai
    assert "📣 Đã nhắc Chi đoàn ấp Hai (1 người)" in officer.text
    await officer.type("nhac tat ca")
    assert "đã nhắc 1 đơn vị (1 người)" in officer.text and "Bỏ qua 1 đơn vị đã được nhắc hôm nay." in officer.text
    assert [len(await outbox(services, c.user_id)) for c in (a1, a2)] == [1, 1]


async def test_the_next_day_a_nudge_goes_again(services, clock):
    a1 = await joined(services, "a1", "A1")
    officer = await joined(services, "tp", "TP", "officer")
    await open_list(officer, services, "so-ket", "2026", "TP")
    button = officer.button("3").action.encode()
    await officer.tap_data(button)
    clock.advance(days=1)
    await officer.tap_data(button)
    assert "📣 Đã nhắc Chi đoàn ấp Một (1 người)" in officer.text
    assert len(await outbox(services, a1.user_id)) == 2
    assert clock.now - LATE_FOR_BRANCHES == timedelta(days=1)


def test_an_occurrence_is_asked_for_once_its_period_began_or_its_due_date_came():
    from domain.deadlines.schedule import Occurrence
    from domain.nudges import begun

    today = date(2026, 11, 23)
    assert begun(Occurrence("sinh-hoat", "2026-11", date(2026, 11, 30)), today)
    assert not begun(Occurrence("sinh-hoat", "2026-12", date(2026, 12, 31)), today)     # December's meeting
    assert not begun(Occurrence("x", "2027-Q1", date(2027, 3, 31)), today)
    assert begun(Occurrence("x", "2027", date(2027, 1, 15)), today)                   # a year: sent ahead
    # a province's own calendar asking for December's plan by 20/11: due, so asked for
    assert begun(Occurrence("ke-hoach", "2026-12", date(2026, 11, 20)), today)
