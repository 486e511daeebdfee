"""QA over a moving calendar: what the bot sends on its own (reminders, escalations, weekly digests),
read as the secretaries and officers read it, on the tree since 2025 (Tỉnh đoàn → Đoàn xã →
(Đoàn trường) → chi đoàn) and on the tests' older tree, through the real tick and the real sender."""

from __future__ import annotations

import json
from datetime import date, datetime, timedelta

from bot.scheduler import Scheduler
from domain import units_csv
from domain.conversation import Action
from domain.deadlines.calendar import CalendarError, in_quiet_hours, load_calendar, parse_calendar
from domain.digests import weekly
from domain.reminders import Reminders
from domain.sender import Limits, Sender
from messages_vi import t
from messages_vi.formatting import LOCAL_TZ, long_date
from tests.support import joined
from tests.test_reminders import Delivered, local

# The tree since 2025, under the tests' Tỉnh đoàn (P): a border Đoàn xã with a branch of its own
# (border) and a school's Đoàn trường (its branch 12A1), and a Đoàn phường with a branch of its own.
MODERN = """code,name,level,parent_code,border,members
XA,Đoàn xã Biên Thùy,xa,P,1,0
PH,Đoàn phường Trung Tâm,phuong,P,0,0
TR,Đoàn trường THPT Biên Thùy,truong,XA,0,0
CD-AP,Chi đoàn ấp Biên,chi doan,XA,1,12
CD-12A1,Chi đoàn 12A1,chi doan,TR,0,40
CD-KP,Chi đoàn khu phố 3,chi doan,PH,0,18
"""

MEETING = """
[[item]]
id = "sinh-hoat"
title = "Sinh hoạt chi đoàn"
recurrence = "monthly"
level = "branch"
collects = "meeting"
"""


async def modern_tree(services) -> dict:
    """The tree since 2025 beside the tests' own, with a secretary on each branch and an officer
    on each Đoàn xã/phường and on the Đoàn trường."""
    rows = units_csv.parse(MODERN, await services.storage.units.all())
    await services.storage.units.import_rows(rows, services.clock())
    return {
        "ap": await joined(services, "ap", "CD-AP"),
        "a1": await joined(services, "a1", "CD-12A1"),
        "kp": await joined(services, "kp", "CD-KP"),
        "xa": await joined(services, "xa", "XA", "officer"),
        "ph": await joined(services, "ph", "PH", "officer"),
        "tr": await joined(services, "tr", "TR", "officer"),
    }


async def run(services, clock, calendar_text: str, start: datetime, days: int, every=timedelta(hours=1)):
    """Tick and drain the outbox every `every` from `start` for `days`; what was delivered."""
    calendar = parse_calendar(calendar_text)
    settings = calendar.settings
    ticker = Reminders(services.storage, calendar)
    transport = Delivered(clock)
    sender = Sender(services.storage, transport,
                    Limits(rate=1000, chat_gap=0.0, quiet=(settings.quiet_start, settings.quiet_end)), clock=clock)
    moment = start
    while moment < start + timedelta(days=days):
        clock.now = moment
        await ticker.tick(moment)
        while await sender.drain_once():
            await sender.settle()
        moment += every
    return transport.sent


def to(sent, chat_id: str) -> list[tuple[date, str]]:
    return [(at.astimezone(LOCAL_TZ).date(), text) for chat, text, at in sent if chat == chat_id]


# ---- border-commune branches: a meeting a quarter ----------------------------------------------

async def test_a_border_branch_nudged_in_the_quarters_last_month_reads_the_quarter_not_the_month(services, clock):
    await modern_tree(services)
    sent = await run(services, clock, MEETING, local(2026, 12, 14, 7, 30), 2)
    ap = to(sent, "ap")
    assert [day for day, _ in ap] == [date(2026, 12, 15)]
    text = ap[0][1]
    # any meeting of October, November or December answers it: the secretary reads the quarter
    assert "Sinh hoạt chi đoàn — quý 4/2026" in text and "tháng 12/2026" not in text
    assert long_date(date(2026, 12, 31)) in text
    kp = to(sent, "kp")                                              # not border: its month, on the 20th
    assert kp == []


# ---- 29 February, the turn of the year -----------------------------------------------------------

LEAP = """
[[item]]
id = "ngay-nhuan"
title = "Báo cáo ngày nhuận"
due = "29/02"
level = "under_province"
cascade = true

[[item]]
id = "dau-nam"
title = "Báo cáo đầu năm"
due = "03/01"
level = "under_province"
cascade = true
"""


async def test_a_29_february_deadline_over_two_years_and_a_january_one_owed_in_december(services, clock):
    await modern_tree(services)
    sent = await run(services, clock, LEAP, local(2027, 12, 15, 7, 30), 12, every=timedelta(hours=6))
    sent += await run(services, clock, LEAP, local(2028, 2, 10, 7, 30), 21, every=timedelta(hours=6))
    a1 = to(sent, "a1")                                  # 12A1: under the Đoàn trường, 10 days early
    first_of = {}
    for day, text in a1:
        for title in ("Báo cáo ngày nhuận", "Báo cáo đầu năm"):
            if title in text:
                first_of.setdefault(title, (day, text))
    # 03/01/2028 less 10 days: 24/12/2027, reminded from 17/12/2027
    assert first_of["Báo cáo đầu năm"][0] == date(2027, 12, 17)
    assert long_date(date(2027, 12, 24)) in first_of["Báo cáo đầu năm"][1]
    # 29/02/2028 less 10 days: 19/02/2028, reminded from 12/02/2028
    assert first_of["Báo cáo ngày nhuận"][0] == date(2028, 2, 12)
    assert long_date(date(2028, 2, 19)) in first_of["Báo cáo ngày nhuận"][1]
    # a branch directly under the Đoàn xã, and the Đoàn trường itself: 5 days early (24/02/2028)
    for chat in ("ap", "tr"):
        dated = [(day, text) for day, text in to(sent, chat) if "ngày nhuận" in text]
        assert dated[0][0] == date(2028, 2, 17) and long_date(date(2028, 2, 24)) in dated[0][1], chat
    xa = to(sent, "xa")                                  # the Đoàn xã's own date is the 29th itself
    assert (date(2028, 2, 29), t("dl.reminder.due", title="Báo cáo ngày nhuận", date=long_date(date(2028, 2, 29)))) in xa
    for chat in ("ap", "a1", "kp", "xa", "ph", "tr"):
        days = [day for day, text in to(sent, chat) if "ngày nhuận" in text and "đơn vị chưa nộp" not in text]
        assert len(days) == len(set(days)), (chat, days)


# ---- the weekly digest ---------------------------------------------------------------------------

async def test_an_officer_who_chose_wednesday_gets_one_digest_each_wednesday_of_their_own_commune(services, clock):
    people = await modern_tree(services)
    await people["xa"].tap_data(Action("tw", (2,)).encode())
    assert t("weekly.weekday.2") in people["xa"].text
    calendar = parse_calendar(MEETING)
    transport = Delivered(clock)
    settings = calendar.settings
    scheduler = Scheduler(services, calendar, transport, extra_ticks=[weekly.queue_weekly_digests],
                          limits=Limits(rate=1000, chat_gap=0.0, quiet=(settings.quiet_start, settings.quiet_end)))
    clock.now = local(2026, 12, 27, 0, 35)                         # a Sunday; the year turns in the week
    while clock.now < local(2027, 1, 11, 0, 35):
        await scheduler.tick()
        while await scheduler.sender.drain_once():
            await scheduler.sender.settle()
        clock.advance(hours=1)
    digests = {chat: [(at.astimezone(LOCAL_TZ), text) for c, text, at in transport.sent
                      if c == chat and text.startswith("🗞")] for chat in ("xa", "ph")}
    assert [at.date() for at, _ in digests["xa"]] == [date(2026, 12, 30), date(2027, 1, 6)]
    assert [at.date() for at, _ in digests["ph"]] == [date(2026, 12, 28), date(2027, 1, 4)]
    assert all((at.hour, at.minute) == (7, 35) for chat in digests for at, _ in digests[chat])   # the first tick after 07:30
    for at, text in digests["xa"]:
        assert "Đoàn xã Biên Thùy" in text and "khu phố 3" not in text and "Trung Tâm" not in text
    for at, text in digests["ph"]:
        assert "Biên Thùy" not in text and "12A1" not in text


# ---- a province's own calendar file --------------------------------------------------------------

def test_a_calendar_saved_by_windows_notepad_with_a_bom_and_crlf_is_read(tmp_path):
    path = tmp_path / "lich.toml"
    text = '[settings]\r\nsend_at = "08:00"\r\n\r\n[[item]]\r\nid = "a"\r\ntitle = "Báo cáo A"\r\ndue = "15/06"\r\nlevel = "branch"\r\n'
    path.write_bytes(b"\xef\xbb\xbf" + text.encode("utf-8"))
    calendar = load_calendar(path)
    assert [(item.id, item.title, item.due) for item in calendar.items] == [("a", "Báo cáo A", (15, 6))]


def test_the_mistakes_of_a_calendar_file_are_listed_from_the_top_of_the_file_down():
    text = "\n".join([
        "[settings]",
        'send_at = "8h"',                      # line 2
        "lead_days = { branch = 5, xa = 3 }",  # line 3
        "meeting_nudge_day = 31",              # line 4
        "",
        "[[item]]",
        'id = "bao-cao"',
        'title = "Báo cáo"',
        'due = "15/6/2026"',                   # line 9
        'level = "chi doan"',                  # line 10
    ])
    try:
        parse_calendar(text, source_name="lich.toml")
    except CalendarError as error:
        lines = [int(problem.split("dòng ")[1].split(":")[0]) for problem in error.problems]
    else:
        raise AssertionError("the file has mistakes")
    assert lines == [2, 3, 4, 9, 10]


# ---- the shipped calendar over weeks -------------------------------------------------------------

async def test_june_on_the_shipped_calendar_reminds_each_level_in_time_and_stops_once_confirmed(services, clock):
    people = await modern_tree(services)
    calendar = load_calendar()
    settings = calendar.settings
    ticker = Reminders(services.storage, calendar)
    transport = Delivered(clock)
    sender = Sender(services.storage, transport,
                    Limits(rate=1000, chat_gap=0.0, quiet=(settings.quiet_start, settings.quiet_end)), clock=clock)
    title = calendar.item("ren-luyen-6-thang").title
    clock.now = local(2026, 5, 25, 7, 40)
    while clock.now < local(2026, 7, 4, 7, 40):               # ticks at 07:40, 11:40, ... 03:40
        if clock.now == local(2026, 6, 9, 11, 40):            # the secretary of ấp Biên presses "Đã nộp"
            await people["ap"].tap_data(Action("dl", ("c", "ren-luyen-6-thang", "2026")).encode())
            assert "Đã ghi nhận" in people["ap"].text
        await ticker.tick(clock.now)
        while await sender.drain_once():
            await sender.settle()
        clock.advance(hours=4)

    for chat, text, at in transport.sent:
        assert not in_quiet_hours(at.astimezone(LOCAL_TZ).time(), settings.quiet_start, settings.quiet_end)
    titles = sorted((item.title for item in calendar.items), key=len, reverse=True)
    seen: dict[tuple, int] = {}
    for chat, text, at in transport.sent:                     # one a day per person, item and kind
        head = text.split("\n")[0]
        kind = "escalation" if "đơn vị chưa nộp" in head else "own"
        period = head.split(" — ")[1].split(":")[0] if " — " in head else ""
        key = (chat, at.astimezone(LOCAL_TZ).date(), kind, next(name for name in titles if name in head), period)
        seen[key] = seen.get(key, 0) + 1
    assert all(count == 1 for count in seen.values()), [k for k, c in seen.items() if c > 1]

    def first(chat: str) -> date:
        return min(day for day, text in to(transport.sent, chat) if title in text and "đơn vị chưa nộp" not in text)

    # the Tỉnh đoàn's date is 15/06: the Đoàn xã/phường on it, the Đoàn trường and the branches
    # directly under a Đoàn xã/phường 5 days before, the branch under the Đoàn trường 10 days before
    assert first("a1") == date(2026, 5, 29)
    assert first("ap") == first("kp") == first("tr") == date(2026, 6, 3)
    assert first("xa") == first("ph") == date(2026, 6, 8)
    assert max(day for day, text in to(transport.sent, "ap") if title in text) <= date(2026, 6, 9)
    assert max(day for day, text in to(transport.sent, "kp") if title in text) >= date(2026, 7, 1)    # still late: 13/06, 16/06, ... 01/07
    escalations = [text for day, text in to(transport.sent, "xa") if title in text and "đơn vị chưa nộp" in text]
    assert escalations and all("khu phố 3" not in text for text in escalations)
    assert sum(text.count("Chi đoàn 12A1") for text in escalations) == 1


async def test_a_sunday_digest_missed_while_the_bot_was_down_goes_out_on_monday_morning(services, clock):
    people = await modern_tree(services)
    await people["xa"].tap_data(Action("tw", (6,)).encode())       # Sunday
    identity = await services.storage.people.identify("terminal", "xa")
    clock.now = local(2026, 12, 12, 22)                              # Saturday night: not yet
    assert await weekly.queue_weekly_digests(services, clock.now) == 0
    # down from Saturday night to Monday 07:00, within a day of Sunday 07:30
    clock.now = local(2026, 12, 14, 7)
    assert await weekly.queue_weekly_digests(services, clock.now) == 1
    [(key, _, payload)] = await services.storage.outbox.sent_to("xa")
    assert key == f"digest:{identity.person.id}:2026-W50"          # the week of that Sunday (13/12)
    assert "Tuần qua (06/12/2026 – 12/12/2026)" in json.loads(payload)["text"]
    clock.now = local(2026, 12, 14, 9)                              # once
    assert await weekly.queue_weekly_digests(services, clock.now) == 2          # ph's and tr's Monday only
    clock.now = local(2026, 12, 20, 8)                              # the next Sunday, as usual
    assert await weekly.queue_weekly_digests(services, clock.now) == 1
    assert len(await services.storage.outbox.sent_to("xa")) == 2
    assert [k for k, _, _ in await services.storage.outbox.sent_to("xa")][-1] == f"digest:{identity.person.id}:2026-W51"
