"""The weekly digest: each officer, on their chosen day (Monday by default) at 07:30 in Vietnam,
gets last week's activity and the month the week began in: the month so far, or, when that month
ended during the week (Monday 4/1: the week 28/12 – 3/1), the whole month just closed, which is
what the officer has to follow up (who did not meet in December), not a new month of three days.
Queued in the outbox once per ISO week.

The scheduler calls `queue_weekly_digests` on every tick; the outbox key
`digest:<person>:<ISO week of the chosen day>` makes a repeated tick, or one after a restart (a
Sunday's digest, late, on Monday morning), queue nothing twice,
and the week noted beside the person's choice (in the same transaction) spares the tick from
building a digest it would not queue.
"""

from __future__ import annotations

import json
from datetime import date, datetime, time, timedelta

from domain import periods
from domain.deadlines.calendar import load_calendar
from domain.digests import compute, text
from domain.conversation import Action, Button, Reply, rows
from messages_vi import t
from messages_vi.formatting import LOCAL_TZ
from storage.outbox import NewMessage

SEND_AT = time(7, 30)
# A digest whose moment passed while the bot was down still goes out within this delay.
LATE_GRACE = timedelta(days=1)


def week_key(day) -> str:
    iso = day.isocalendar()
    return f"{iso.year}-W{iso.week:02d}"


def _due_moment(now_local: datetime, weekday: int, send_at: time) -> datetime:
    """The latest moment for a weekday at `send_at` that has come, local time: this ISO week's, or
    last week's while this week's is still ahead (a Sunday's grace runs into Monday's week)."""
    monday = now_local.date() - timedelta(days=now_local.weekday())
    moment = datetime.combine(monday + timedelta(days=weekday), send_at, LOCAL_TZ)
    return moment if moment <= now_local else moment - timedelta(weeks=1)


async def queue_weekly_digests(services, now: datetime, send_at: time = SEND_AT) -> int:
    """Queue the digest of every officer whose day and hour have come (within LATE_GRACE) and who
    has not had that week's; returns how many."""
    local = now.astimezone(LOCAL_TZ)
    bodies: dict[tuple[int, date], str] = {}
    by_week: dict[str, list[NewMessage]] = {}
    for officer in await services.storage.digests.officers():
        moment = _due_moment(local, officer.weekday, send_at)
        week = week_key(moment.date())
        if not officer.enabled or officer.last_week == week or not local < moment + LATE_GRACE:
            continue
        day = moment.date()
        if (officer.unit_id, day) not in bodies:          # officers of one unit share one digest
            bodies[(officer.unit_id, day)] = await _payload(services, officer.unit_id, day)
        by_week.setdefault(week, []).append(NewMessage(
            dedup_key=f"digest:{officer.person_id}:{week}", person_id=officer.person_id,
            payload=bodies[(officer.unit_id, day)]))
    return sum([await services.storage.digests.queue_weekly(messages, week, now) for week, messages in by_week.items()])


async def _payload(services, unit_id: int, day) -> str:
    """The digest of the seven days before `day` and of the month the week began in, as JSON."""
    calendar = services.calendar or load_calendar()
    week = compute.week_before(day)
    month = periods.month(week.start)
    last_week = await compute.build(services.storage, unit_id, week, day, calendar)
    so_far = await compute.build(services.storage, unit_id, month, day, calendar)
    # messages the monthly quota held back in the digest's week (Zalo's free plan), for people of the unit
    unsent = await services.storage.quota.unsent(unit_id, datetime.combine(week.start, time(0), LOCAL_TZ),
                                                 datetime.combine(day, time(0), LOCAL_TZ))
    reply = Reply(text.render_week(last_week, so_far, unsent), rows(
        Button(t("menu.digest"), Action("tg", (unit_id, month.key))),
        Button(t("digest.button.export"), Action("tx", (unit_id, month.key))),
        Button(t("digest.button.weekly"), Action("tw")), width=3))
    return json.dumps(reply.to_dict(), ensure_ascii=False)
