"""The reminder tick: the latest step once per occurrence, quiet hours, answers stop the ladder, escalation."""

from __future__ import annotations

import json
from datetime import date, datetime, time, timedelta, timezone

from domain.deadlines.calendar import in_quiet_hours, parse_calendar
from domain.reminders import Reminders
from domain.sender import Limits, Sender
from messages_vi import t
from messages_vi.formatting import LOCAL_TZ, long_date
from tests.support import joined

# Level district, cascading: a branch under a grassroots unit owes it 10 days earlier (30/11),
# a branch straight under a district 5 days earlier (05/12).
CALENDAR = """
[[item]]
id = "bao-cao"
title = "Báo cáo thử"
due = "10/12"
level = "district"
cascade = true

[[item]]
id = "sinh-hoat"
title = "Sinh hoạt chi đoàn"
recurrence = "monthly"
level = "branch"
collects = "meeting"

[[item]]
id = "mot-cong-mot"
title = "1+1 cuối năm"
due = "15/11"
level = "branch"
collects = "oneplusone"

[[item]]
id = "dau-nam"
title = "Việc đầu năm"
due = "02/01"
level = "branch"
"""


def local(y, mo, d, h, mi=0) -> datetime:
    """A Vietnam wall-clock time as aware UTC."""
    return datetime(y, mo, d, h, mi, tzinfo=LOCAL_TZ).astimezone(timezone.utc)


async def people(services):
    return {
        "b1": await joined(services, "b1", "B1"),
        "b2": await joined(services, "b2", "B2"),
        "b5": await joined(services, "b5", "B5"),
        "b3": await joined(services, "b3", "B3"),
        "b4": await joined(services, "b4", "B4"),
        "d1": await joined(services, "d1", "D1", "officer"),
        "d2": await joined(services, "d2", "D2", "officer"),
    }


async def keys(services, chat_id: str) -> list[str]:
    return [row[0] for row in await services.storage.outbox.sent_to(chat_id)]


async def texts(services, chat_id: str) -> list[str]:
    return [json.loads(row[2])["text"] for row in await services.storage.outbox.sent_to(chat_id)]


def reminders(services, text: str = CALENDAR) -> Reminders:
    return Reminders(services.storage, parse_calendar(text))


async def test_a_tick_queues_the_latest_step_once(services, clock):
    await people(services)
    ticker = reminders(services)
    clock.now = local(2026, 11, 23, 9)
    first = await ticker.tick(clock.now)
    assert first > 0
    assert await ticker.tick(clock.now) == 0
    assert await Reminders(services.storage, ticker.calendar).tick(clock.now) == 0   # a restarted bot too
    b1_unit = await services.storage.units.by_code("B1")
    person = (await services.storage.people.identify("terminal", "b1")).person
    assert [k for k in await keys(services, "b1") if ":bao-cao:" in k] == [
        f"r:{b1_unit.id}:bao-cao:2026:before-7:{person.id}"]
    assert not [k for k in await keys(services, "b3") if ":bao-cao:" in k]        # its date is 05/12
    assert "còn 7 ngày" in (await texts(services, "b1"))[0]


async def test_after_days_of_downtime_only_the_latest_step_is_queued(services, clock):
    await people(services)
    ticker = reminders(services)
    await ticker.tick(local(2026, 11, 23, 9))
    await ticker.tick(local(2026, 11, 29, 10))        # down from the 23rd to the 29th
    steps = [k.split(":")[4] for k in await keys(services, "b1") if ":bao-cao:" in k]
    assert steps == ["before-7", "before-1"]          # "before-3" (27/11) went by: skipped
    assert await ticker.tick(local(2026, 11, 29, 10)) == 0


async def test_nothing_is_queued_in_quiet_hours_and_it_comes_after(services, clock):
    await people(services)
    ticker = reminders(services)
    assert await ticker.tick(local(2026, 11, 22, 22)) == 0        # 22:00
    assert await ticker.tick(local(2026, 11, 23, 6, 59)) == 0     # 06:59
    await ticker.tick(local(2026, 11, 23, 7, 30))                 # after quiet hours, before 08:00
    assert not [k for k in await keys(services, "b1") if ":bao-cao:" in k]   # the 23rd's step is at 08:00
    await ticker.tick(local(2026, 11, 23, 8))
    assert [k.split(":")[4] for k in await keys(services, "b1") if ":bao-cao:" in k] == ["before-7"]


async def test_confirming_stops_the_ladder(services, clock):
    chats = await people(services)
    ticker = reminders(services)
    await ticker.tick(local(2026, 11, 23, 9))
    b1 = await services.storage.units.by_code("B1")
    person = (await services.storage.people.identify("terminal", "b1")).person
    await services.storage.deadlines.confirm(b1.id, "bao-cao", "2026", person.id, clock.now)
    await ticker.tick(local(2026, 11, 29, 9))
    await ticker.tick(local(2026, 12, 6, 9))
    assert [k.split(":")[4] for k in await keys(services, "b1") if ":bao-cao:" in k] == ["before-7"]
    assert [k.split(":")[4] for k in await keys(services, "b5") if ":bao-cao:" in k] == ["before-7", "before-1", "late-2"]
    assert chats


async def test_escalation_is_one_message_per_item_district_and_due_date(services, clock):
    await people(services)
    ticker = reminders(services)
    await ticker.tick(local(2026, 12, 3, 9))         # late-1 for the branches due 30/11
    d1 = [(k, t) for k, t in zip(await keys(services, "d1"), await texts(services, "d1")) if ":bao-cao:" in k]
    assert [k.split(":")[4] for k, _ in d1 if k.startswith("r:")] == ["before-7"]   # its own date, 10/12
    escalations = [t for k, t in d1 if k.startswith("e:")]
    assert len(escalations) == 1
    text = escalations[0]
    assert "Chi đoàn ấp Một" in text and "Chi đoàn ấp Hai" in text and "Chi đoàn khu phố Năm" in text
    assert "Chi đoàn ấp Bốn" not in text              # in the other district
    d2 = [t for k, t in zip(await keys(services, "d2"), await texts(services, "d2")) if k.startswith("e:")
          and ":bao-cao:" in k]
    assert len(d2) == 1 and "Chi đoàn ấp Bốn" in d2[0] and "Bệnh viện" not in d2[0]   # B3 due 05/12
    await ticker.tick(local(2026, 12, 9, 9))          # late for the units due 05/12 too: named once, alone
    d1 = [t for k, t in zip(await keys(services, "d1"), await texts(services, "d1")) if k.startswith("e:")
          and ":bao-cao:" in k]
    d2 = [t for k, t in zip(await keys(services, "d2"), await texts(services, "d2")) if k.startswith("e:")
          and ":bao-cao:" in k]
    assert len(d1) == 2 and "đã quá hạn 30/11/2026" in d1[0] and "đã quá hạn 05/12/2026" in d1[1]
    assert "Đoàn xã Biên Giới" in d1[1] and "Đoàn phường Giữa" in d1[1] and "Chi đoàn ấp Một" not in d1[1]
    assert len(d2) == 2 and "Chi đoàn Bệnh viện" in d2[1] and "Chi đoàn ấp Bốn" not in d2[1]
    await ticker.tick(local(2026, 12, 15, 9))
    assert len([k for k in await keys(services, "d1") if k.startswith("e:") and ":bao-cao:" in k]) == 2


async def test_a_database_that_escalated_before_due_dates_counted_tells_nobody_again(tmp_path, clock):
    """Migration 0019: an escalation queued when a head was told once per occurrence still covers
    every due date of it; only occurrences escalated after the upgrade are told day by day."""
    import sqlite3

    from bot import app
    from tests.support import open_services, seed_tree

    path = tmp_path / "before.sqlite3"
    services = await open_services(path, clock)
    try:
        await seed_tree(services)
        await people(services)
        await reminders(services).tick(local(2026, 12, 3, 9))
    finally:
        await app.close_services(services)
    conn = sqlite3.connect(path, isolation_level=None)
    conn.executescript("UPDATE reminder_batches SET rank = 0 WHERE kind = 'escalate'; PRAGMA user_version = 18;")
    conn.close()                                     # as the bot before 0019 left it
    services = await open_services(path, clock)
    try:
        await reminders(services).tick(local(2026, 12, 9, 9))
        assert len([k for k in await keys(services, "d1") if k.startswith("e:") and ":bao-cao:" in k]) == 1
    finally:
        await app.close_services(services)


async def test_the_meeting_nudge_and_a_recorded_meeting(services, clock):
    await people(services)
    ticker = reminders(services)
    await ticker.tick(local(2026, 11, 19, 9))
    assert not [k for k in await keys(services, "b1") if ":sinh-hoat:" in k]
    b5 = await services.storage.units.by_code("B5")

    await services.storage.reports.add_meeting(b5.id, None, {
        "held_on": date(2026, 11, 5), "kind": "branch", "mode": "in_person", "attended": 10}, clock.now)
    await ticker.tick(local(2026, 11, 20, 8))
    assert [k.split(":")[3:5] for k in await keys(services, "b1") if ":sinh-hoat:" in k] == [["2026-11", "nudge"]]
    assert not [k for k in await keys(services, "b5") if ":sinh-hoat:" in k]
    assert not [k for k in await keys(services, "b2") if ":sinh-hoat:" in k]     # border: quarterly
    await ticker.tick(local(2026, 12, 15, 8))
    assert [k.split(":")[3:5] for k in await keys(services, "b2") if ":sinh-hoat:" in k] == [["2026-12", "nudge"]]


async def test_a_border_branch_meeting_anywhere_in_the_quarter_counts(services, clock):
    await people(services)
    b2 = await services.storage.units.by_code("B2")

    await services.storage.reports.add_meeting(b2.id, None, {
        "held_on": date(2026, 10, 20), "kind": "branch", "mode": "online", "attended": 5}, clock.now)
    await reminders(services).tick(local(2026, 12, 15, 8))
    assert not [k for k in await keys(services, "b2") if ":sinh-hoat:" in k]


async def test_a_one_plus_one_report_answers_the_item(services, clock):
    await people(services)
    b1 = await services.storage.units.by_code("B1")

    await services.storage.reports.save_recruitment(b1.id, None, {
        "period": "2026-H2", "participants": 5, "youth_reached": 7, "new_members": 1, "party_introduced": 0,
    }, clock.now)
    await reminders(services).tick(local(2026, 11, 23, 9))
    assert not [k for k in await keys(services, "b1") if ":mot-cong-mot:" in k]
    b5 = [k for k in await keys(services, "b5") if ":mot-cong-mot:" in k]
    assert [k.split(":")[4] for k in b5] == ["late-2"]                    # 15/11 + 6 days
    text = [t for t in await texts(services, "b5") if "1+1" in t][0]
    assert "quá hạn 8 ngày" in text


async def test_the_year_turn(services, clock):
    await people(services)
    await reminders(services).tick(local(2026, 12, 26, 9))
    assert [k.split(":")[3:5] for k in await keys(services, "b1") if ":dau-nam:" in k] == [["2027", "before-7"]]


async def test_the_reminder_carries_the_button_that_answers_it(services, clock):
    await people(services)
    await reminders(services).tick(local(2026, 11, 23, 9))
    rows = {k.split(":")[2]: json.loads(p) for k, _, p in await services.storage.outbox.sent_to("b5")}
    assert rows["bao-cao"]["buttons"] == [[["✅ Đã nộp", "dl:c:bao-cao:2026"]]]
    assert rows["mot-cong-mot"]["buttons"] == [[["📝 Báo cáo 1+1", "cmd:motcongmot"]]]


async def test_the_default_calendar_ticks(services, clock):
    from domain.deadlines.calendar import load_calendar

    await people(services)
    ticker = Reminders(services.storage, load_calendar(None))
    assert await ticker.tick(local(2026, 6, 5, 9)) > 0
    assert await ticker.tick(local(2026, 6, 5, 9)) == 0


async def test_the_scheduler_drops_idle_forms_tells_their_owners_and_runs_extra_ticks(services, clock):
    from bot.scheduler import Scheduler
    from bot.channels.terminal import TerminalChat, TerminalTransport

    chat = await joined(services, "b1", "B1")
    await chat.say("/sinhhoat")
    calls = []

    async def digest(services_, now):
        calls.append(now)
        return 0

    clock.advance(days=8)
    scheduler = Scheduler(services, parse_calendar(CALENDAR), TerminalTransport(TerminalChat(services)),
                          extra_ticks=[digest])
    await scheduler.tick()
    assert calls == [clock.now]
    expired = [t for t in await texts(services, "b1") if "quá 7 ngày" in t]
    assert len(expired) == 1
    await scheduler.tick()
    assert len([t for t in await texts(services, "b1") if "quá 7 ngày" in t]) == 1


async def test_a_tick_in_the_same_minute_sees_what_changed_since(services, clock):
    await joined(services, "b1", "B1")
    ticker = reminders(services)
    b1 = await services.storage.units.by_code("B1")
    await services.storage.deadlines.confirm(b1.id, "bao-cao", "2026", None, clock.now)
    now = local(2026, 11, 23, 9)
    await ticker.tick(now)
    assert not [k for k in await keys(services, "b1") if ":bao-cao:" in k]
    await joined(services, "b5", "B5")                                  # the tree changed
    await services.storage.deadlines.unconfirm(b1.id, "bao-cao", "2026")  # and the answers
    assert await ticker.tick(now) > 0
    assert [k.split(":")[4] for k in await keys(services, "b1") if ":bao-cao:" in k] == ["before-7"]
    assert [k.split(":")[4] for k in await keys(services, "b5") if ":bao-cao:" in k] == ["before-7"]
    assert await ticker.tick(now) == 0


async def test_one_tick_queues_one_row_per_person_sent_as_separate_messages(services, clock):
    await people(services)
    await reminders(services).tick(local(2026, 11, 23, 9))
    parts = await services.storage.outbox.sent_to("b5")
    assert len(parts) >= 2 and len({json.loads(p)["text"] for _, _, p in parts}) == len(parts)
    rows = await services.storage.db.run(lambda c: c.execute(
        "SELECT COUNT(*) FROM outbox o JOIN people p ON p.id = o.person_id WHERE p.chat_id = 'b5'").fetchone()[0])
    assert rows == 1


# --- three properties on the real tick and the real sender, over weeks ---------------------------------
# Reminders repeat until answered, at most once a day (per person and item), never in the quiet hours;
# also when the bot was down or its sender fell behind near the quiet hours.

class Delivered:
    """A transport that notes what it delivered and when (the clock of the test)."""

    channel = "terminal"

    def __init__(self, clock):
        self.clock = clock
        self.sent: list[tuple[str, str, datetime]] = []

    async def deliver(self, chat_id: str, reply) -> str:
        self.sent.append((chat_id, reply.text, self.clock()))
        return str(len(self.sent))


TITLES = ("Báo cáo thử", "Sinh hoạt chi đoàn", "1+1 cuối năm", "Việc đầu năm")
DUE = date(2026, 11, 30)                                # B1's and B5's part of "Báo cáo thử"


async def run_days(services, clock, start: datetime, days: int, down=(), lagging=(), confirm_at=None):
    """Tick every 30 minutes (at :25 and :55) from `start` for `days`, the sender draining after each
    tick; no tick and no sending while `down` (intervals), no sending at the `lagging` moments
    (a sender behind by a few minutes). B1 confirms "Báo cáo thử" at `confirm_at`."""
    calendar = parse_calendar(CALENDAR)
    settings = calendar.settings
    ticker = Reminders(services.storage, calendar)
    transport = Delivered(clock)
    sender = Sender(services.storage, transport, Limits(rate=1000, chat_gap=0.0,
                                                        quiet=(settings.quiet_start, settings.quiet_end)), clock=clock)
    b1 = await services.storage.units.by_code("B1")
    moment = start
    while moment < start + timedelta(days=days):
        clock.now = moment
        if confirm_at is not None and confirm_at <= moment < confirm_at + timedelta(minutes=30):
            await services.storage.deadlines.confirm(b1.id, "bao-cao", "2026", None, moment)
        if not any(a <= moment < b for a, b in down):
            await ticker.tick(moment)
            if moment not in lagging:
                while await sender.drain_once():
                    await sender.settle()
        moment += timedelta(minutes=30)
    return transport.sent


def by_day(sent, chat_id: str, title: str) -> dict[date, list[str]]:
    days: dict[date, list[str]] = {}
    for chat, text, at in sent:
        if chat == chat_id and title in text:
            days.setdefault(at.astimezone(LOCAL_TZ).date(), []).append(text)
    return days


def assert_the_three_properties(sent) -> None:
    for chat, text, at in sent:
        assert not in_quiet_hours(at.astimezone(LOCAL_TZ).time(), time(21), time(7)), (chat, text, at)
    for chat in ("b1", "b5"):
        for title in TITLES:
            for day, texts_of_day in by_day(sent, chat, title).items():
                assert len(texts_of_day) == 1, (chat, title, day, texts_of_day)


async def test_reminders_repeat_until_answered_once_a_day_never_in_the_quiet_hours(services, clock):
    await people(services)
    sent = await run_days(services, clock, local(2026, 11, 20, 0, 25), 45, confirm_at=local(2026, 12, 4, 10))
    assert_the_three_properties(sent)
    b5 = by_day(sent, "b5", "Báo cáo thử")                      # never answered: every 3 days after its date
    late = sorted(d for d in b5 if d > DUE)
    assert late[0] == date(2026, 12, 3) and all((b - a).days == 3 for a, b in zip(late, late[1:]))
    assert late[-1] >= date(2026, 12, 30)
    assert b5[DUE] == [t("dl.reminder.due", title="Báo cáo thử", date=long_date(DUE))]
    b1 = by_day(sent, "b1", "Báo cáo thử")                      # answered on 04/12: nothing after
    assert max(b1) == date(2026, 12, 3)


async def test_a_bot_down_all_the_eve_sends_the_deadline_days_reminder_once(services, clock):
    await people(services)
    # down from before the eve's 08:00 to 07:25 on the deadline day, the morning's first tick
    sent = await run_days(services, clock, local(2026, 11, 28, 0, 25), 4,
                          down=[(local(2026, 11, 29, 7), local(2026, 11, 30, 7, 25))])
    assert_the_three_properties(sent)
    assert by_day(sent, "b5", "Báo cáo thử")[DUE] == [t("dl.reminder.due", title="Báo cáo thử", date=long_date(DUE))]


async def test_a_bot_up_just_before_the_quiet_hours_adds_no_second_reminder_the_next_morning(services, clock):
    await people(services)
    # up again at 20:55 on the eve, its sender a few minutes behind: nothing can go before 21:00
    sent = await run_days(services, clock, local(2026, 11, 28, 0, 25), 4,
                          down=[(local(2026, 11, 29, 7), local(2026, 11, 29, 20, 55))],
                          lagging={local(2026, 11, 29, 20, 55)})
    assert_the_three_properties(sent)
    assert by_day(sent, "b5", "Báo cáo thử")[DUE] == [t("dl.reminder.due", title="Báo cáo thử", date=long_date(DUE))]


def test_a_tick_queues_from_the_send_time_until_an_hour_before_the_quiet_hours():
    from dataclasses import replace

    from domain.reminders import queues_now

    settings = parse_calendar(CALENDAR).settings                       # 08:00, quiet 21:00–07:00
    assert [queues_now(local(2026, 11, 30, h, m), settings) for h, m in (
        (7, 30), (8, 0), (19, 59), (20, 0), (22, 0))] == [False, True, True, False, False]
    late = replace(settings, send_at=time(20, 30))                     # a send time within the hour: until 21:00
    assert [queues_now(local(2026, 11, 30, h, m), late) for h, m in ((20, 0), (20, 30), (20, 59))] == [
        False, True, True]
    always = replace(settings, quiet_start=time(0), quiet_end=time(0))  # no quiet hours
    assert queues_now(local(2026, 11, 30, 23, 30), always)


async def test_the_tree_is_read_before_the_first_tick_that_may_queue(services, monkeypatch):
    """A tick that may not queue yet (quiet hours, before the send time) reads the tree all the same:
    the morning's first busy tick then holds the database the less. Read again only once it changed
    or on a new day."""
    from storage.deadlines import Deadlines

    await people(services)
    reads = []
    real = Deadlines.tree.inside

    def counted(self, conn, *args, **kwargs):
        reads.append(1)
        return real(self, conn, *args, **kwargs)

    monkeypatch.setattr(Deadlines.tree, "inside", counted)
    ticker = reminders(services)
    assert await ticker.tick(local(2026, 11, 23, 6, 30)) == 0        # quiet: nothing queued ...
    assert len(reads) == 1                                            # ... the tree read
    assert await ticker.tick(local(2026, 11, 23, 9)) > 0              # the first that may queue
    assert len(reads) == 1
    await joined(services, "g1", "G1", "officer")                     # the tree changed
    await ticker.tick(local(2026, 11, 23, 9, 1))
    assert len(reads) == 2
    await ticker.tick(local(2026, 11, 24, 0, 30))                     # a new day
    assert len(reads) == 3


async def test_a_branch_set_up_after_a_due_date_owes_nothing_of_it(services, clock):
    """A branch the import says was set up on 01/12 is neither reminded nor named late for the
    report its commune's branches owed on 30/11 (T2's year simulation: a branch set up on 10/12
    was named late for October's and November's meetings); what falls due after, it owes."""
    from storage.units import UnitRow

    await services.storage.units.import_rows(
        [UnitRow("B9", "Chi đoàn ấp Chín", "branch", "G1", False, 12, founded_on=date(2026, 12, 1))], clock.now)
    await people(services)
    await joined(services, "b9", "B9")
    ticker = reminders(services)
    await ticker.tick(local(2026, 12, 3, 9))           # late-1 for the branches due 30/11
    [escalation] = [t for k, t in zip(await keys(services, "d1"), await texts(services, "d1"))
                    if k.startswith("e:") and ":bao-cao:" in k]
    assert "Chi đoàn ấp Một" in escalation and "Chi đoàn ấp Chín" not in escalation
    assert not [k for k in await keys(services, "b9") if ":bao-cao:" in k or ":mot-cong-mot:" in k]
    assert [k for k in await keys(services, "b1") if ":bao-cao:" in k]
    await ticker.tick(local(2027, 1, 2, 9))             # "dau-nam", due 02/01/2027: B9 owes it
    assert [k for k in await keys(services, "b9") if ":dau-nam:" in k]


async def test_a_reminder_answered_while_it_waited_is_not_sent(services, clock):
    """Never after they confirmed: a reminder queued, then answered before it went (the secretary
    was filling the very form it asks for, or pressed "Đã nộp" while it waited its turn), is
    dropped as it is about to go; the person's other reminders still go."""
    chats = await people(services)
    calendar = parse_calendar(CALENDAR)
    clock.now = local(2026, 11, 23, 9)
    await Reminders(services.storage, calendar).tick(clock.now)
    assert [k for k in await keys(services, "b1") if ":bao-cao:" in k]
    b1 = await services.storage.units.by_code("B1")
    await services.storage.deadlines.confirm(b1.id, "bao-cao", "2026", None, clock.now)   # meanwhile
    await chats["b5"].say("/motcongmot")                  # B5 reports the 1+1 the reminder asks for
    for answer in ("ca nam", "12", "20", "2", "1", "luu"):
        await chats["b5"].say(answer)
    assert "Đã lưu" in chats["b5"].text
    transport = Delivered(clock)
    sender = Sender(services.storage, transport, Limits(rate=1000, chat_gap=0.0), clock=clock)
    while await sender.drain_once():
        await sender.settle()
    sent_to = {chat: [text for to, text, _ in transport.sent if to == chat] for chat in ("b1", "b5")}
    assert not [text for text in sent_to["b1"] if "Báo cáo thử" in text]          # confirmed meanwhile
    assert [text for text in sent_to["b1"] if "1+1 cuối năm" in text]             # still owed
    assert not [text for text in sent_to["b5"] if "1+1 cuối năm" in text]         # reported meanwhile
    assert [text for text in sent_to["b5"] if "Báo cáo thử" in text]
    assert sender.stats["answered"] == 2
