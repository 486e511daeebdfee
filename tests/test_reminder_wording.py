"""Words that depend on the day ("còn N ngày", "hôm nay là hạn", "đã quá hạn N ngày") are written
when a reminder is sent, with the local date of that moment, not when it was queued."""

from __future__ import annotations

import json
from datetime import date, datetime, timezone

from domain.deadlines.calendar import parse_calendar
from domain.deadlines.schedule import Occurrence
from domain.reminders import Reminders, deadline_text, escalation_payload, reminder_payload, reword
from domain.sender import Limits, Sender
from messages_vi import t
from messages_vi.formatting import long_date
from tests.support import joined
from tests.test_reminders import CALENDAR, local

DUE = date(2026, 11, 30)                 # B5's part of "Báo cáo thử" (a branch under a grassroots unit)
TITLE = "Báo cáo thử"


class Recorder:
    """A transport that keeps what it was given."""

    channel = "terminal"

    def __init__(self) -> None:
        self.sent: list[tuple[str, str]] = []

    async def deliver(self, chat_id: str, reply) -> str:
        self.sent.append((chat_id, reply.text))
        return str(len(self.sent))


def item(calendar, item_id: str):
    return calendar.item(item_id)


def texts_for(sent: list[tuple[str, str]], title: str) -> list[str]:
    return [text for _, text in sent if title in text]


async def test_a_reminder_held_overnight_says_today_on_the_deadline_day(services, clock):
    calendar = parse_calendar(CALENDAR)
    await joined(services, "b5", "B5")
    clock.now = local(2026, 11, 29, 19, 55)               # the eve, queued in the evening
    assert await Reminders(services.storage, calendar).tick(clock.now) > 0
    queued = [json.loads(payload)["text"] for _, _, payload in await services.storage.outbox.sent_to("b5")]
    assert texts_for([("", q) for q in queued], TITLE) == [
        t("dl.reminder.before", title=TITLE, date=long_date(DUE), days=1)]          # "còn 1 ngày"

    settings = calendar.settings
    transport = Recorder()
    sender = Sender(services.storage, transport, Limits(rate=1000, chat_gap=0.0,
                                                        quiet=(settings.quiet_start, settings.quiet_end)),
                    clock=clock)
    clock.now = local(2026, 11, 29, 21, 0)                # the sender was behind: now quiet, nothing goes out
    assert await sender.drain_once() == 0 and transport.sent == []
    clock.now = local(2026, 11, 30, 7, 0)                 # the morning of the deadline
    await sender.drain(timeout=10)
    assert texts_for(transport.sent, TITLE) == [t("dl.reminder.due", title=TITLE, date=long_date(DUE))]
    assert all("còn 1 ngày" not in text for _, text in transport.sent)
    assert len(transport.sent) == len(queued)             # every queued message, once


async def test_nothing_is_queued_too_near_the_quiet_hours_to_go_out_that_day(services, clock):
    calendar = parse_calendar(CALENDAR)
    await joined(services, "b5", "B5")
    ticker = Reminders(services.storage, calendar)
    assert await ticker.tick(local(2026, 11, 29, 20, 55)) == 0     # an hour or less before 21:00
    assert await ticker.tick(local(2026, 11, 30, 7, 30)) == 0      # quiet hours over, 08:00 not yet
    assert await ticker.tick(local(2026, 11, 30, 8, 0)) > 0
    queued = [json.loads(payload)["text"] for _, _, payload in await services.storage.outbox.sent_to("b5")]
    assert texts_for([("", q) for q in queued], TITLE) == [t("dl.reminder.due", title=TITLE, date=long_date(DUE))]


async def test_a_late_reminder_counts_the_days_late_on_the_day_it_goes(services, clock):
    calendar = parse_calendar(CALENDAR)
    await joined(services, "b5", "B5")
    clock.now = local(2026, 12, 1, 19, 50)                # one day late when queued
    await Reminders(services.storage, calendar).tick(clock.now)
    transport = Recorder()
    sender = Sender(services.storage, transport, Limits(rate=1000, chat_gap=0.0), clock=clock)
    clock.now = local(2026, 12, 3, 9, 0)                  # sent two days later (the bot was down)
    await sender.drain(timeout=10)
    [text] = texts_for(transport.sent, TITLE)
    assert text.startswith(t("dl.reminder.late", title=TITLE, date=long_date(DUE), days=3).split("\n")[0])


def test_the_words_follow_the_day_of_sending():
    calendar = parse_calendar(CALENDAR)
    report = item(calendar, "bao-cao")
    occurrence = Occurrence("bao-cao", "2026", DUE)
    payload = json.loads(reminder_payload(report, occurrence, "before-3", date(2026, 11, 27)))
    assert payload["text"] == t("dl.reminder.before", title=TITLE, date=long_date(DUE), days=3)
    at = lambda y, m, d, h: local(y, m, d, h)                                         # noqa: E731
    assert reword(payload, at(2026, 11, 28, 8))["text"] == t("dl.reminder.before", title=TITLE,
                                                             date=long_date(DUE), days=2)
    assert reword(payload, at(2026, 11, 30, 7))["text"] == t("dl.reminder.due", title=TITLE, date=long_date(DUE))
    assert reword(payload, at(2026, 12, 2, 7))["text"] == t("dl.reminder.late", title=TITLE, date=long_date(DUE),
                                                            days=2)
    # the rest of the payload (the button) is kept
    assert reword(payload, at(2026, 11, 30, 7))["buttons"] == payload["buttons"]


def test_the_day_is_vietnams_not_utcs():
    calendar = parse_calendar(CALENDAR)
    payload = json.loads(reminder_payload(item(calendar, "bao-cao"), Occurrence("bao-cao", "2026", DUE), "before-1",
                                          date(2026, 11, 29)))
    # 23:30 UTC on 29/11 is 06:30 on 30/11 in Vietnam: the deadline day
    moment = datetime(2026, 11, 29, 23, 30, tzinfo=timezone.utc)
    assert reword(payload, moment)["text"] == t("dl.reminder.due", title=TITLE, date=long_date(DUE))


def test_a_meeting_nudge_keeps_its_words_while_days_are_left():
    due = date(2026, 11, 30)
    assert deadline_text("Sinh hoạt", due, True, date(2026, 11, 28)) == t(
        "dl.reminder.nudge", title="Sinh hoạt", date=long_date(due), days=2)
    assert deadline_text("Sinh hoạt", due, True, due) == t("dl.reminder.due", title="Sinh hoạt",
                                                           date=long_date(due))


def test_payloads_without_day_words_are_sent_as_queued():
    calendar = parse_calendar(CALENDAR)
    escalation = json.loads(escalation_payload(item(calendar, "bao-cao"), "2026", ["Chi đoàn ấp Một"], date(2026, 11, 30)))
    assert reword(escalation, local(2027, 1, 1, 9)) == escalation
    plain = {"text": "Xin chào", "buttons": []}
    assert reword(plain, local(2027, 1, 1, 9)) is plain
    unknown = {"text": "Xin chào", "wording": {"kind": "something-newer"}}
    assert reword(unknown, local(2027, 1, 1, 9)) == unknown


def test_units_of_one_step_still_share_one_payload():
    """The wording holds nothing of a unit: one stored body serves every unit of a step."""
    calendar = parse_calendar(CALENDAR)
    report = item(calendar, "bao-cao")
    first = reminder_payload(report, Occurrence("bao-cao", "2026", DUE), "before-1", date(2026, 11, 29))
    again = reminder_payload(report, Occurrence("bao-cao", "2026", DUE), "before-1", date(2026, 11, 29))
    assert first == again
