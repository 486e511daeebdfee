"""The scheduler's daily housekeeping: finished outbox rows are forgotten after OUTBOX_KEEP, at
most once a local day, and nothing still to send is ever touched."""

from __future__ import annotations

import json
from datetime import timedelta

from bot.scheduler import OUTBOX_KEEP, Scheduler
from domain.deadlines.calendar import parse_calendar
from storage.outbox import NewMessage
from tests.support import joined

EMPTY = parse_calendar("")          # no deadlines: the tick queues no reminder of its own


class NoTransport:
    channel = "terminal"

    async def deliver(self, chat_id, reply):      # the tests mark rows sent through the repository
        raise AssertionError("nothing is sent in this test")


def body(text: str) -> str:
    return json.dumps({"text": text, "buttons": []})


async def keys(services) -> list[str]:
    return await services.storage.db.run(
        lambda c: [r[0] for r in c.execute("SELECT dedup_key FROM outbox ORDER BY id")])


async def sent(services, clock, key: str, person: int) -> None:
    outbox = services.storage.outbox
    await outbox.enqueue([NewMessage(key, person, body(key))], clock())
    for row in await outbox.claim("terminal", clock(), 10):
        await outbox.mark_sent(row.id, "m", clock())


async def person(services, user_id: str, unit: str) -> int:
    await joined(services, user_id, unit)
    return (await services.storage.people.identify("terminal", user_id)).person.id


async def test_the_tick_forgets_finished_outbox_rows_once_a_day(services, clock):
    a = await person(services, "a", "B5")
    scheduler = Scheduler(services, EMPTY, NoTransport())
    await sent(services, clock, "old", a)
    await services.storage.outbox.enqueue([NewMessage("waiting", a, body("waiting"))], clock())

    clock.advance(days=OUTBOX_KEEP.days, hours=-1)           # 08:00, not quite OUTBOX_KEEP later
    assert await scheduler.tick() == 0                      # forgetting queues nothing
    assert await keys(services) == ["old", "waiting"]

    clock.advance(hours=2)                                  # "old" is past OUTBOX_KEEP now,
    await scheduler.tick()
    assert await keys(services) == ["old", "waiting"]       # but the day's purge was done already

    clock.advance(days=1)
    await scheduler.tick()
    assert await keys(services) == ["waiting"]              # a row still to send stays, however old


async def test_rows_are_kept_from_when_they_were_sent_not_queued(services, clock):
    a, b = await person(services, "a", "B5"), await person(services, "b", "B1")
    outbox = services.storage.outbox
    await outbox.enqueue([NewMessage("late", a, body("late")), NewMessage("retried", b, body("retried"))], clock())
    clock.advance(days=10 * OUTBOX_KEEP.days)
    late, retried = await outbox.claim("terminal", clock(), 10)
    await outbox.mark_sent(late.id, "m", clock())
    await outbox.retry(retried.id, clock(), "network")
    await Scheduler(services, EMPTY, NoTransport(), outbox_keep=timedelta(days=1)).tick()
    assert await keys(services) == ["late", "retried"]
