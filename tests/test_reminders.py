"""The reminder tick: the latest step once per occurrence, quiet hours, answers stop the ladder, escalation."""

from __future__ import annotations

import json
from datetime import date, datetime, timezone

from domain.deadlines.calendar import parse_calendar
from domain.reminders import Reminders
from messages_vi.formatting import LOCAL_TZ
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


async def test_escalation_is_one_message_per_item_per_district(services, clock):
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
    await ticker.tick(local(2026, 12, 9, 9))
    assert len([k for k in await keys(services, "d1") if k.startswith("e:") and ":bao-cao:" in k]) == 1


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
