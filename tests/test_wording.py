"""Vietnamese as a careful writer would have it, read where people read it: no doubled "chi đoàn",
no period in brackets after a title in brackets, the assistant named one way ("trợ lý"), numbers
with the thousands dot, and audit values in words."""

from __future__ import annotations

import json
import re
import string
from datetime import date, datetime, timezone

from openpyxl import load_workbook

from bot import app, demo
from domain import units_csv
from domain.deadlines.calendar import load_calendar
from domain.reminders import Reminders, display_title, escalation_payload
from domain.textnorm import fold
from messages_vi import MESSAGES, role_in
from messages_vi.formatting import LOCAL_TZ
from tests.support import Clock, joined
from tests.test_digests import meet

# Read by whoever runs the program, where "bot" is the Telegram bot the program drives.
OPERATOR = ("cli.", "settings.", "invites.", "import.", "cal.", "startup.", "dl.calendar_error",
            "zalo.token_rejected")


def local(y, mo, d, h=9) -> datetime:
    return datetime(y, mo, d, h, tzinfo=LOCAL_TZ).astimezone(timezone.utc)


def rendered(unit: str = "Chi đoàn ấp Một") -> dict[str, str]:
    """Every message with its placeholders filled as the code fills them: a unit's full name."""
    out = {}
    for key, text in MESSAGES.items():
        try:
            names = {name for _, name, _, _ in string.Formatter().parse(text) if name}
        except ValueError:                       # a message with a brace of its own, never formatted
            out[key] = text
            continue
        values = {name: "X" for name in names}
        values.update({name: unit for name in names & {"unit", "branch", "name"}})
        if "who" in names:
            values["who"] = role_in("secretary", unit)
        out[key] = text.format(**values)
    return out


def test_no_message_says_chi_doan_twice_in_a_row():
    # role.branch_word is given only names without "Chi đoàn" (messages_vi.role_in)
    doubled = [key for key, text in rendered().items() if "chi doan chi doan" in fold(text)
               and key != "role.branch_word"]
    assert doubled == []


def test_a_role_and_its_unit_read_as_one_phrase():
    assert role_in("secretary", "Chi đoàn ấp Tân Đông") == "Bí thư Chi đoàn ấp Tân Đông"
    assert role_in("deputy", "Chi đoàn ấp Tân Đông") == "Phó Bí thư Chi đoàn ấp Tân Đông"
    assert role_in("secretary", "12A1 Trường THPT Tân Biên") == "Bí thư chi đoàn 12A1 Trường THPT Tân Biên"
    assert role_in("officer", "Huyện đoàn Tân Biên") == "cán bộ Huyện đoàn Tân Biên"


def test_the_assistant_names_itself_trợ_lý_only():
    wrong = []
    for key, text in rendered().items():
        if key.startswith(OPERATOR):
            continue
        if re.search(r"\bbot\b", text.replace("python -m bot", "").replace("chidoan-bot", ""), re.IGNORECASE):  # commands are no name
            wrong.append((key, "bot"))
        # "mình" only as "your own" (của mình, chính mình), never the assistant speaking
        if re.search(r"(?<!của )(?<!chính )\bmình\b", text, re.IGNORECASE):
            wrong.append((key, "mình"))
    assert wrong == []


async def test_joining_and_asking_who_i_am_read_well(services):
    rows = units_csv.parse("code,name,level,parent_code,border,members\nB9,12A1 Trường THPT,branch,G2,0,1200\n",
                           await services.storage.units.all())
    await services.storage.units.import_rows(rows, services.clock())
    secretary = await joined(services, "s1", "B1")
    assert secretary.text.startswith("Chào mừng Bí thư Chi đoàn ấp Một (")
    deputy = await joined(services, "s2", "B1")
    assert deputy.text.startswith("Chào mừng bạn đến với Chi đoàn ấp Một (")
    assert "Chi đoàn đã có Bí thư dùng trợ lý" in deputy.text
    await secretary.say("/toi")
    assert secretary.text.startswith("Bạn là Bí thư Chi đoàn ấp Một.\n")
    other = await joined(services, "s9", "B9")
    assert other.text.startswith("Chào mừng Bí thư chi đoàn 12A1 Trường THPT (")
    await other.say("/chidoan")
    assert "Số đoàn viên: 1.200" in other.text
    officer = await joined(services, "o1", "G1", "officer")
    await officer.say("/toi")
    assert officer.text.startswith("Bạn là cán bộ Đoàn xã Biên Giới.\n")
    await officer.say("/chidoan")
    await officer.tap("Chi đoàn ấp Một")
    await officer.tap(f"Gỡ {deputy.name}")
    assert officer.text.startswith(f"Gỡ {deputy.name} khỏi vai trò Phó Bí thư Chi đoàn ấp Một? ")
    for chat in (secretary, officer):
        await chat.say("/khongcolenhnay")
        assert chat.text.startswith("Trợ lý không có lệnh này.")


def test_a_period_follows_a_title_without_brackets_after_brackets():
    calendar = load_calendar()
    for item in calendar.items:
        for key in ("2026-11", "2026-Q4", "2026"):
            if item.recurrence is None and key != "2026":
                continue
            shown = [display_title(item, key), json.loads(escalation_payload(item, key, ["Chi đoàn ấp Một"], date(2026, 11, 30)))["text"]]
            for text in shown:
                assert ") (" not in text and ")(" not in text, text
                assert "01 lần" not in text and not text.split("\n")[0].rstrip(":").endswith("chậm nhất"), text
    monthly = next(i for i in calendar.items if i.collects == "meeting")
    assert display_title(monthly, "2026-11") == "Sinh hoạt chi đoàn — tháng 11/2026"


def test_a_count_in_a_message_has_its_thousands_dot():
    item = next(i for i in load_calendar().items if i.id == "sinh-hoat-thang")
    text = json.loads(escalation_payload(item, "2026-11", [f"Chi đoàn {n}" for n in range(1200)], date(2026, 11, 30)))["text"]
    assert text.startswith("⚠️ Sinh hoạt chi đoàn — tháng 11/2026: 1.200 đơn vị chưa nộp, đã quá hạn 30/11/2026:")


async def test_what_the_demo_sends_first_reads_well(tmp_path):
    """The demo's first reminders and escalations (20 November: the meeting nudge; 3 December:
    the first escalations), as the people in it read them."""
    texts = []
    for now in (local(2026, 11, 20), local(2026, 12, 3)):
        services = await app.open_services(tmp_path / f"{now.day}.sqlite3", clock=Clock(now))
        try:
            await demo.ensure(services.storage, now)
            await Reminders(services.storage, load_calendar()).tick(now)
            for person, _, _ in await services.storage.people.on_channel(demo.CHANNEL):
                texts += [json.loads(p)["text"] for _, _, p in await services.storage.outbox.sent_to(person.chat_id)]
        finally:
            await app.close_services(services)
    nudges = [text for text in texts if text.startswith("📅")]
    assert nudges and all(fold(text).count("sinh hoat chi doan") == 1 for text in nudges), nudges
    for text in texts:
        assert ") (" not in text and not re.search(r"\bbot\b", text, re.IGNORECASE), text


async def test_a_corrected_report_reads_in_words_in_the_digest(services):
    meeting = await meet(services, "B1", date(2026, 11, 3), 1000)
    secretary = await joined(services, "s1", "B1", name="Nguyễn Văn A")
    who = secretary.services.storage
    person = (await who.people.identify("terminal", "s1")).person.id
    await who.reports.update_meeting(meeting, person, {"attended": 1200, "mode": "online", "note": "Họp"},
                                     services.clock())
    officer = await joined(services, "o1", "D1", "officer")
    await officer.say("/tonghop")
    assert "số tham dự 1.000 → 1.200" in officer.text
    assert "hình thức Trực tiếp → Trực tuyến" in officer.text
    assert "nội dung (trống) → Họp" in officer.text
    assert ", Nguyễn Văn A: " in officer.text
    [sheet] = await officer.say("/xuat")
    audit = load_workbook(sheet.attachment)["Lịch sử sửa"]
    changes = {(r[6], r[7], r[8], r[9]) for r in audit.iter_rows(min_row=7, values_only=True) if r[5] == "sửa"}
    assert changes == {("số tham dự", 1000, 1200, "Nguyễn Văn A"), ("hình thức", "Trực tiếp", "Trực tuyến", "Nguyễn Văn A"),
                       ("nội dung", "(trống)", "Họp", "Nguyễn Văn A")}
