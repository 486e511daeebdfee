"""QA as the officers of the levels above the branches (a Đoàn xã, a Huyện đoàn of an old
database, the Tỉnh đoàn) use the bot on Zalo's numbered menus and on Telegram's buttons: each test
is one thing such a person did that went wrong, named for what they did."""

from __future__ import annotations

import json
from datetime import datetime, timezone

import pytest
from docx import Document
from openpyxl import load_workbook

from bot import app
from bot.channels.terminal import TerminalChat
from domain import units_csv
from domain.digests import weekly
from domain.three_active.plan import read_number
from messages_vi import t
from tests.support import Clock, joined, open_services, seed_tree
from tests.test_level_names import MERGED

# 2026-10-01 09:00 in Vietnam: the "3 chủ động" plans being registered are 2027's
REGISTRATION_SEASON = datetime(2026, 10, 1, 2, 0, tzinfo=timezone.utc)


def on_zalo(services, chat) -> TerminalChat:
    """The same person in a chat that renders and reads menus exactly as Zalo does."""
    terminal = TerminalChat(services)
    terminal.user_id, terminal.name = chat.user_id, chat.name
    return terminal


async def test_typing_1_after_the_province_3_chu_dong_overview_on_zalo_does_not_pick_an_older_menu(services):
    province = await joined(services, "o-p", "P", "officer")
    zalo = on_zalo(services, province)
    await zalo.say("/tonghop")
    await zalo.say("ban tin tuan")                      # the weekly digest's days, as a numbered menu
    out = await zalo.say("/bachudong")
    assert "3 chủ động" in out and "\n1. " in out       # this screen's own menu replaces the days
    await zalo.say("1")
    identity = await services.storage.people.identify("terminal", zalo.user_id)
    pref = await services.storage.digests.pref(identity.person.id)
    assert pref is None or (pref.weekday, pref.enabled) == (0, True)


@pytest.mark.parametrize("typed, kept", [("12/KH-ĐTN", "12/KH-ĐTN"), ("05-KH/ĐTN", "05-KH/ĐTN"),
                                         ("Số 07 / KH-ĐTN", "07/KH-ĐTN"), ("05", "05")])
def test_typing_the_plan_number_the_state_way_with_a_slash_is_taken(typed, kept):
    assert read_number(typed) == kept


async def test_a_doan_xa_officer_types_the_plan_number_with_a_slash_and_it_reaches_the_docx(tmp_path):
    services = await open_services(tmp_path / "t.sqlite3", Clock(REGISTRATION_SEASON))
    try:
        await seed_tree(services)
        g1 = await joined(services, "o-g1", "G1", "officer")
        zalo = on_zalo(services, g1)
        await zalo.say("bachudong")
        for item in ("Rà soát đoàn viên khó khăn", "Sinh hoạt chi đoàn hằng tháng", "Giới thiệu đoàn viên ưu tú"):
            await zalo.say(item)
            await zalo.say("xong")
        await zalo.say("so van ban")
        out = await zalo.say("12/KH-ĐTN")
        assert "Số văn bản: 12/KH-ĐTN" in out
        out = await zalo.say("gui dang ky")
        path = next(line.split(": ", 1)[1] for line in out.splitlines() if line.startswith("📎"))
        assert "Số: 12/KH-ĐTN" in "\n".join(p.text for table in Document(path).tables
                                            for row in table.rows for p in (c for c in row.cells))
    finally:
        await app.close_services(services)


async def test_a_province_officer_with_more_than_twelve_deadlines_outstanding_pages_to_the_rest(services):
    province = await joined(services, "o-p", "P", "officer")
    await province.say("/chuanop")
    first = province.text
    assert "Trang 1/2" in first and province.buttons()[:12] == [str(n) for n in range(1, 13)]
    await province.tap("Trang sau")
    assert "Trang 2/2" in province.text and "\n1. " in province.text      # numbered from 1 again
    later = [line.split(". ", 1)[1] for line in province.text.splitlines()[1:] if line[:1].isdigit()]
    assert later and not any(entry in first for entry in later)         # the ones page 1 could not show
    await province.tap_data(province.button("1").action.encode())
    assert "Dưới Tỉnh đoàn Thử" in province.text                         # the first of page 2 opens
    zalo = on_zalo(services, province)
    out = await zalo.say("/chuanop 2")                                   # typed, as on Zalo
    assert "Trang 2/2" in out and "◀ Trang trước" in out


async def test_a_district_officer_reads_the_1_plus_1_of_its_own_branches_apart_from_the_unit_below(services):
    hospital = await joined(services, "s-b3", "B3")                      # straight under Huyện đoàn Hai
    hamlet = await joined(services, "s-b4", "B4")                        # under Đoàn xã Ba, under it
    for chat, figures in ((hospital, "12 tham gia, 30 thanh nien, 5 ket nap"),
                          (hamlet, "7 tham gia, 9 thanh nien, 1 ket nap")):
        await chat.say(f"1+1 6 thang cuoi nam: {figures}")
        await chat.say("0")                                              # introduced to the Party
        await chat.say("luu")
        assert "Đã lưu" in chat.text
    district = await joined(services, "o-d2", "D2", "officer")
    await district.say("/tonghop")
    oneplusone = district.text.split("🤝", 1)[1].split("⏰", 1)[0]
    assert "• Chi đoàn trực thuộc Huyện đoàn Hai: 12 · 30 · 5" in oneplusone
    assert "• Đoàn xã Ba: 7 · 9 · 1" in oneplusone


async def test_the_monday_digest_a_district_officer_receives_says_to_choose_only_what_it_offers(services):
    district = await joined(services, "o-d1", "D1", "officer")
    assert await weekly.queue_weekly_digests(services, services.clock()) == 1     # Monday 23/11, 09:00
    [(_, _, payload)] = await services.storage.outbox.sent_to(district.user_id)
    pushed = json.loads(payload)
    offered = [label for row in pushed["buttons"] for label, _ in row]
    assert "Đoàn xã Biên Giới" not in offered                            # no unit is a choice here…
    assert "chọn bên dưới" not in pushed["text"]                           # …so none is said to be
    assert "gõ /tonghop" in pushed["text"]


async def test_a_commune_officer_opens_the_deadlines_sheet_and_reads_each_period_in_words(services):
    officer = await joined(services, "o-g1", "G1", "officer")
    await officer.say("/xuat quy 4")
    [reply] = officer.replies
    sheet = load_workbook(reply.attachment)["Hạn và xác nhận"]
    headers = [c.value for c in next(r for r in sheet.iter_rows() if any(c.value == "Cấp" for c in r)) if c.value]
    periodic = [h for h in headers if h.endswith(")")]
    assert periodic and any("(quý 4/2026)" in h for h in periodic)
    assert not any("Q4)" in h or "(2026)" in h for h in periodic)        # never the key itself


async def test_a_commune_officer_on_zalo_types_an_items_number_in_lich_and_acts_on_that_item(services):
    officer = await joined(services, "o-g1", "G1", "officer")
    zalo = on_zalo(services, officer)
    out = await zalo.say("/lich")
    listing, menu = out.split("\n\n", 1)
    items = dict(line.split(". ", 1) for line in listing.splitlines() if line[:1].isdigit())
    choices = [line.split(". ", 1) for line in menu.splitlines() if line[:1].isdigit()]
    # choice N is an action of item N ("6." never confirms item 5); what is left comes after
    assert [label.split("Mục ", 1)[1].split(":", 1)[0] for _, label in choices[:len(items)]] == list(items)
    out = await zalo.say("6")
    assert f"«{items['6']}»" in out


async def test_an_officer_with_more_deadlines_than_one_screen_pages_through_lich(services):
    officer = await joined(services, "o-g1", "G1", "officer")
    await officer.say("/lich")
    first = officer.text
    assert "Trang 1/2" in first
    await officer.tap("Trang sau")
    assert "Trang 2/2" in officer.text and officer.text.splitlines()[1].startswith("1. ")
    shown = [line for line in officer.text.splitlines() if line[:1].isdigit()]
    assert shown and not any(line.split(". ", 1)[1] in first for line in shown)


async def test_the_tinh_doan_digest_in_october_does_not_tell_it_to_report_upward(tmp_path):
    clock = Clock(REGISTRATION_SEASON)
    services = await open_services(tmp_path / "merged.sqlite3", clock)
    try:
        await services.storage.units.import_rows(units_csv.parse(MERGED, []), clock())
        commune = await joined(services, "o-tp", "TP", "officer")
        province = await joined(services, "o-vl", "VL", "officer")
        await commune.say("/bachudong")
        await commune.tap("Kế hoạch của")
        for said in ("Rà soát đoàn viên", "xong", "Sinh hoạt hằng tháng", "xong", "Tham mưu cấp ủy", "xong"):
            await commune.say(said)
        await commune.tap("Gửi")
        await commune.say("/tonghop")
        assert "(báo cáo lên trên trước 25/10/2026): 0/1" in commune.text     # Tân Phú's Đoàn trường
        await province.say("/tonghop")
        assert "Đăng ký năm 2027 (các đơn vị báo cáo về trước 25/10/2026): 1/3" in province.text
        assert "báo cáo lên trên" not in province.text
    finally:
        await app.close_services(services)


async def test_in_november_a_province_officer_is_not_asked_to_chase_decembers_meeting(services):
    district_officer = await joined(services, "o-d2", "D2", "officer")
    province = await joined(services, "o-p", "P", "officer")
    await province.say("/chuanop")
    listed = province.text
    await province.tap("Trang sau")
    listed += province.text
    assert "Sinh hoạt chi đoàn — tháng 11/2026" in listed
    assert "tháng 12/2026" not in listed                                 # its month has not begun
    district = await services.storage.units.by_code("D2")
    await province.tap_data(f"nh:a:sinh-hoat-thang:2026-12:{district.id}")   # an old or forged choice
    assert province.text == t("ot.unknown_under", title="Sinh hoạt chi đoàn — tháng 12/2026", unit="Huyện đoàn Hai")
    assert await services.storage.outbox.sent_to(district_officer.user_id) == []


async def test_in_december_a_secretarys_lich_offers_no_report_for_januarys_meeting(services, clock):
    clock.advance(days=10)                                               # 3 December
    secretary = await joined(services, "s-b5", "B5")
    await secretary.say("/lich")
    assert "Sinh hoạt chi đoàn — tháng 12/2026" in secretary.text
    assert "tháng 1/2027" not in secretary.text                          # its month has not begun
    clock.advance(days=30)                                               # 2 January: now it is due
    await secretary.say("/lich")
    assert "Sinh hoạt chi đoàn — tháng 1/2027" in secretary.text


async def test_the_officer_of_a_new_doan_xa_with_no_branch_yet_opens_the_units_and_is_told_so(tmp_path):
    now = REGISTRATION_SEASON
    services = await open_services(tmp_path / "new.sqlite3", Clock(now))
    try:
        await services.storage.units.import_rows(units_csv.parse(MERGED + "NX,Đoàn xã Mới,xa,VL,0,0\n", []), now)
        officer = await joined(services, "o-nx", "NX", "officer")
        for command in ("/chidoan", "/lichsu"):
            await officer.say(command)
            assert "Dưới Đoàn xã Mới chưa có đơn vị nào." in officer.text and "chọn đơn vị" not in officer.text
            assert officer.buttons() == ["☰ Menu"]                       # a way on, not a dead end
    finally:
        await app.close_services(services)


async def test_typing_1_on_zalo_after_nothing_is_outstanding_does_not_pick_the_previous_menu(tmp_path):
    services = await open_services(tmp_path / "new.sqlite3", Clock(REGISTRATION_SEASON))
    try:
        await services.storage.units.import_rows(
            units_csv.parse(MERGED + "NX,Đoàn xã Mới,xa,VL,0,0\n", []), REGISTRATION_SEASON)
        officer = await joined(services, "o-nx", "NX", "officer")
        zalo = on_zalo(services, officer)
        await zalo.say("/tonghop")
        await zalo.say("ban tin tuan")                  # the weekly digest's days, as a numbered menu
        out = await zalo.say("/chuanop")
        assert "không còn việc nào chưa nộp" in out and "\n1. ☰ Menu" in out
        await zalo.say("1")
        identity = await services.storage.people.identify("terminal", zalo.user_id)
        pref = await services.storage.digests.pref(identity.person.id)
        assert pref is None or (pref.weekday, pref.enabled) == (0, True)
    finally:
        await app.close_services(services)
