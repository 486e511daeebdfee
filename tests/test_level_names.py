"""The Union as it is since 1 July 2025 (DOMAIN.md, "Who is who"; issue 13 item 1): Tỉnh đoàn →
Đoàn xã/phường → (Đoàn cơ sở) → chi đoàn. Officers at any level see their subtree rolled up level
by level, open the units under them by button or by name, hear of the late units under their
Đoàn xã; every sentence says the unit's own level; a database made with districts keeps working."""

from __future__ import annotations

import json
import re
import sqlite3
from datetime import date, datetime, timezone

from openpyxl import load_workbook

from bot import app
from domain import periods, units_csv
from domain.deadlines.calendar import load_calendar, parse_calendar
from domain.deadlines.schedule import unit_due_date
from domain.digests import chart, compute, text, xlsx
from domain.reminders import Reminders
from messages_vi import MESSAGES
from messages_vi.formatting import LOCAL_TZ
from storage.schema import migrations
from tests.support import Clock, joined, open_services
from tests.test_digests import meet

# Tân Phú holds two branches of its own and a school's Đoàn trường with one; Phước Hậu one branch.
MERGED = """code,name,level,parent_code,border,members
VL,Tỉnh đoàn Vĩnh Long,tinh,,0,0
TP,Đoàn xã Tân Phú,xa,VL,1,0
PH,Đoàn phường Phước Hậu,phuong,VL,0,0
TR,Đoàn trường THPT Tân Phú,doan truong,TP,0,0
C1,Chi đoàn ấp Phú Lợi,chi doan,TP,1,14
C2,Chi đoàn ấp Phú Hòa,chi doan,TP,0,11
C3,Chi đoàn 12A1,chi doan,TR,0,38
C4,Chi đoàn khu phố 1,chi doan,PH,0,21
"""
NOW = datetime(2026, 11, 23, 2, 0, tzinfo=timezone.utc)          # 09:00 in Vietnam


async def merged(tmp_path, extra: str = ""):
    services = await open_services(tmp_path / "merged.sqlite3", Clock(NOW))
    await services.storage.units.import_rows(units_csv.parse(MERGED + extra, []), NOW)
    return services


async def digest_of(services, code: str, key: str) -> compute.Digest:
    unit = await services.storage.units.by_code(code)
    return await compute.build(services.storage, unit.id, periods.parse(key), date(2026, 11, 23), load_calendar())


async def test_the_tinh_doan_digest_rolls_up_each_doan_xa_and_names_no_branch(tmp_path):
    services = await merged(tmp_path)
    try:
        for code in ("C1", "C3", "C4"):
            await meet(services, code, date(2026, 10, 5), 10)
        province = await digest_of(services, "VL", "2026-10")
        assert [(g.name, g.totals.branches, g.totals.compliant) for g in province.groups] == [
            ("Đoàn xã Tân Phú", 3, 2), ("Đoàn phường Phước Hậu", 1, 1)]
        assert province.place_levels == (("commune", "ward"), ("school",))
        message = text.render(province)
        assert message.startswith("📊 Tổng hợp tháng 10/2026 — Tỉnh đoàn Vĩnh Long")
        assert "• Đoàn xã Tân Phú: 2/3 đạt (67%)" in message and "• Đoàn phường Phước Hậu: 1/1 đạt" in message
        assert "Chi đoàn ấp Phú Hòa" not in message.split("⏰")[0]
        assert "/tonghop Đoàn xã Tân Phú" in message
        book = load_workbook(xlsx.write_xlsx(province, tmp_path / "vl.xlsx"))
        header = [c.value for c in book["Chi đoàn"][6]][:4]
        assert header == ["Đoàn xã / Đoàn phường", "Đoàn trường", "Chi đoàn", "Mã"]
        units = [(r[0].value, r[1].value, r[2].value, r[3].value, r[4].value)
                 for r in book["Theo đơn vị"].iter_rows(min_row=7)]
        assert units == [(None, None, "Tỉnh đoàn Vĩnh Long", "Tỉnh đoàn", 4),
                         (None, None, "Đoàn xã Tân Phú", "Đoàn xã", 3),
                         ("Đoàn xã Tân Phú", None, "Đoàn trường THPT Tân Phú", "Đoàn trường", 1),
                         (None, None, "Đoàn phường Phước Hậu", "Đoàn phường", 1)]
    finally:
        await app.close_services(services)


async def test_a_doan_xa_digest_shows_its_own_branches_then_its_doan_truong_with_theirs(tmp_path):
    services = await merged(tmp_path)
    try:
        await meet(services, "C1", date(2026, 10, 5), 10)
        message = text.render(await digest_of(services, "TP", "2026-10"))
        own = message.index("• Chi đoàn trực thuộc Đoàn xã Tân Phú: 1/2 đạt (50%)")
        school = message.index("• Đoàn trường THPT Tân Phú: 0/1 đạt (0%)")
        assert own < message.index("Chi đoàn ấp Phú Hòa (tháng 10/2026)") < school
        assert school < message.index("Chi đoàn 12A1 (tháng 10/2026)")
    finally:
        await app.close_services(services)


async def test_a_doan_xa_officer_sees_its_subtree_and_nothing_else(tmp_path):
    services = await merged(tmp_path)
    try:
        officer = await joined(services, "o-tp", "TP", "officer")
        await officer.say("/toi")
        assert "Bạn là cán bộ Đoàn xã Tân Phú" in officer.text
        await officer.say("/tonghop")
        assert officer.replies[0].text.startswith("📊 Tổng hợp tháng 11/2026 — Đoàn xã Tân Phú")
        await officer.tap("Đoàn trường THPT Tân Phú")
        assert officer.replies[0].text.startswith("📊 Tổng hợp tháng 11/2026 — Đoàn trường THPT Tân Phú")
        for typed in ("/tonghop PH", "/xuat VL"):
            await officer.say(typed)
            assert officer.text == "Bạn chỉ xem được đơn vị của mình và các đơn vị trực thuộc.", typed
        await officer.say("/tonghop phuoc hau")                  # a name outside its subtree is not found
        assert officer.text.startswith("Trợ lý chưa hiểu “phuoc hau”.") and "Phước Hậu" not in officer.text
        ph = await services.storage.units.by_code("PH")
        await officer.tap_data(f"tg:{ph.id}:2026-11")
        assert officer.text == "Bạn chỉ xem được đơn vị của mình và các đơn vị trực thuộc."
    finally:
        await app.close_services(services)


async def test_the_tinh_doan_officer_opens_a_doan_xa_by_button_by_name_or_by_picking(tmp_path):
    services = await merged(tmp_path)
    try:
        officer = await joined(services, "o-vl", "VL", "officer")
        await officer.say("/toi")
        assert "Bạn là cán bộ Tỉnh đoàn Vĩnh Long" in officer.text and "Đoàn xã Tân Phú: 3 chi đoàn" in officer.text
        await officer.say("/tonghop")
        assert {"Đoàn xã Tân Phú", "Đoàn phường Phước Hậu"} <= set(officer.buttons())
        await officer.tap("Đoàn phường Phước Hậu")
        assert officer.replies[0].text.startswith("📊 Tổng hợp tháng 11/2026 — Đoàn phường Phước Hậu")
        await officer.tap("Tỉnh đoàn Vĩnh Long")                              # back up
        assert officer.replies[0].text.startswith("📊 Tổng hợp tháng 11/2026 — Tỉnh đoàn Vĩnh Long")
        await officer.say("/tonghop tan phu thang 10")          # its name without its level, no diacritics
        assert officer.replies[0].text.startswith("📊 Tổng hợp tháng 10/2026 — Đoàn xã Tân Phú")
        await officer.say("/tonghop phu")                       # four names hold "phú": pick one
        assert officer.text == "Có 4 đơn vị hợp với “phu”. Bạn chọn đơn vị cần xem:"
        assert officer.buttons() == ["Đoàn xã Tân Phú", "Đoàn trường THPT Tân Phú", "Chi đoàn ấp Phú Lợi",
                                     "Chi đoàn ấp Phú Hòa"]
        await officer.tap("Chi đoàn ấp Phú Hòa")
        assert officer.replies[0].text.startswith("📊 Tổng hợp tháng 11/2026 — Chi đoàn ấp Phú Hòa")
        await officer.say("/xuat phuoc hau")
        assert officer.replies[0].attachment.name == "tonghop-PH-2026-11.xlsx"
    finally:
        await app.close_services(services)


async def test_a_hundred_doan_xa_get_buttons_for_those_furthest_behind_and_a_list_of_all(tmp_path):
    extra = "".join(f"X{n},Đoàn xã Số {n},xa,VL,0,0\nB{n},Chi đoàn ấp {n},chi doan,X{n},0,10\n" for n in range(30))
    services = await merged(tmp_path, extra)
    try:
        for n in range(12, 30):                                  # these met in October: the others are behind
            await meet(services, f"B{n}", date(2026, 10, 5), 8)
        officer = await joined(services, "o-vl", "VL", "officer")
        await officer.say("/tonghop thang 10")
        # the twelve furthest behind have a button: Tân Phú, Phước Hậu, and ten that did not meet
        opened = [b for b in officer.buttons() if b.startswith(("Đoàn xã", "Đoàn phường"))]
        assert opened == ["Đoàn xã Tân Phú", "Đoàn phường Phước Hậu", *(f"Đoàn xã Số {n}" for n in range(10))]
        await officer.tap("Tất cả 32 đơn vị trực thuộc")
        assert officer.replies[0].text.startswith("Các đơn vị trực thuộc Tỉnh đoàn Vĩnh Long")
        assert "Trang 1/2" in officer.text and len(officer.buttons()) == 21          # 20 and "next"
        await officer.tap("Trang sau")
        assert "Trang 2/2" in officer.text and len(officer.buttons()) == 13           # 12 and "previous"
        await officer.tap("Đoàn xã Số 9")
        assert officer.replies[0].text.startswith("📊 Tổng hợp tháng 10/2026 — Đoàn xã Số 9")
        secretary = await joined(services, "s-b1", "B1")
        await secretary.tap_data(f"tgu:{(await services.storage.units.by_code('VL')).id}:2026-10")
        assert secretary.text == "Mục này không dành cho vai trò của bạn."
    finally:
        await app.close_services(services)


# Sent by the unit under the Tỉnh đoàn by 10/12, cascading: a branch of a Đoàn xã owes it 5 days
# before (05/12), a branch of its Đoàn trường 10 days before (30/11).
CALENDAR = """
[[item]]
id = "bao-cao"
title = "Báo cáo thử"
due = "10/12"
level = "under_province"
cascade = true
"""


async def test_late_branches_are_told_to_their_doan_xa_whatever_their_depth(tmp_path):
    services = await merged(tmp_path)
    try:
        chats = {code: await joined(services, f"o-{code}", code, "officer") for code in ("VL", "TP", "TR", "PH")}
        await joined(services, "s-c3", "C3")
        moment = datetime(2026, 12, 3, 9, tzinfo=LOCAL_TZ).astimezone(timezone.utc)     # C3 is 3 days late
        await Reminders(services.storage, parse_calendar(CALENDAR)).tick(moment)
        told = {code: [json.loads(p)["text"] for k, _, p in await services.storage.outbox.sent_to(chat.user_id)
                       if k.startswith("e:")] for code, chat in chats.items()}
        assert len(told["TP"]) == 1 and "• Chi đoàn 12A1" in told["TP"][0]
        assert told["VL"] == told["TR"] == told["PH"] == []
    finally:
        await app.close_services(services)


def test_no_sentence_says_huyen_but_the_level_itself_and_the_import_help():
    # "trò chuyện" holds the letters of "huyện": whole words only
    saying = {key for key, said in MESSAGES.items() if re.search(r"\bhuyện\b", said, re.IGNORECASE)}
    assert saying == {"level.district", "cli.help.units_import_about"}


# --- a database made before 2025, with districts and without level names ----------------------------

OLD_UNITS = [
    (1, "TN", "Tỉnh đoàn Tây Ninh", "province", None, "/1/"),
    (2, "TB", "Huyện đoàn Tân Biên", "district", 1, "/1/2/"),
    (3, "TL", "Đoàn xã Tân Lập", "grassroots", 2, "/1/2/3/"),
    (4, "A1", "Chi đoàn ấp Tân Đông", "branch", 3, "/1/2/3/4/"),
    (5, "A5", "Chi đoàn Bệnh viện", "branch", 2, "/1/2/5/"),
]


def _old_database(path) -> None:
    """The schema before migration 0012, filled as the bot filled it then."""
    conn = sqlite3.connect(path, isolation_level=None)
    for migration in migrations():
        if migration.number < 12:
            conn.executescript(f"BEGIN;\n{migration.sql}\nPRAGMA user_version = {migration.number};\nCOMMIT;")
    conn.executemany(
        "INSERT INTO units (id, code, name, level, parent_id, path, border, members, created_at)"
        " VALUES (?, ?, ?, ?, ?, ?, 0, ?, '2025-01-01T00:00:00+00:00')",
        [(*unit, 20 if unit[3] == "branch" else 0) for unit in OLD_UNITS])
    conn.close()


async def test_a_database_made_with_districts_keeps_working(tmp_path):
    path = tmp_path / "old.sqlite3"
    _old_database(path)
    services = await open_services(path, Clock(NOW))
    try:
        district = await services.storage.units.by_code("TB")
        assert (district.level, district.level_name) == ("district", "district")      # a district is a level name
        await meet(services, "A1", date(2026, 10, 5), 12)
        province = await digest_of(services, "TN", "2026-10")
        assert [(g.name, g.totals.compliant, g.totals.judged) for g in province.groups] == [("Huyện đoàn Tân Biên", 1, 2)]
        officer = await joined(services, "o-tb", "TB", "officer")
        await officer.say("/toi")
        assert "Bạn là cán bộ Huyện đoàn Tân Biên" in officer.text
        # a district still sends what the unit under the province sends (the calendar's under_province)
        item = load_calendar().item("ren-luyen-6-thang")
        assert unit_due_date(item, date(2026, 6, 15), ("district", "province"), load_calendar().settings) == \
            date(2026, 6, 15)
        # and the new level names import into it: its commune read as one, a Đoàn trường under it
        summary = await services.storage.units.import_rows(units_csv.parse(
            "code,name,level,parent_code,border,members\nTL,Đoàn xã Tân Lập,xa,TB,0,0\n"
            "TR,Đoàn trường THPT Tân Biên,truong,TL,0,0\nC9,Chi đoàn 12A9,chi doan,TR,0,30\n",
            await services.storage.units.all()), NOW)
        assert (summary.created, summary.updated) == (2, 1)
        assert (await services.storage.units.by_code("TL")).level_name == "commune"
        district_digest = await digest_of(services, "TB", "2026-10")
        assert [g.name for g in district_digest.groups] == ["Huyện đoàn Tân Biên", "Đoàn xã Tân Lập"]
    finally:
        await app.close_services(services)


async def test_the_chart_of_a_doan_xa_draws_its_own_branches_beside_its_doan_truong(tmp_path):
    services = await merged(tmp_path)
    try:
        bars = chart.bars(await digest_of(services, "TP", "2026-10"))
        assert [name for name, _ in bars] == ["Chi đoàn trực thuộc Đoàn xã Tân Phú", "Đoàn trường THPT Tân Phú"]
        assert [name for name, _ in chart.bars(await digest_of(services, "PH", "2026-10"))] == ["Đoàn phường Phước Hậu"]
    finally:
        await app.close_services(services)
