"""The outbox repository: keys queue once, one row per person at a time in order, retries, recovery."""

from __future__ import annotations

import json
from datetime import timedelta

from storage.outbox import NewMessage
from tests.support import joined


def body(text: str) -> str:
    return json.dumps({"text": text, "buttons": []})


async def person(services, user_id: str, unit: str) -> int:
    await joined(services, user_id, unit)
    return (await services.storage.people.identify("terminal", user_id)).person.id


async def test_a_key_is_queued_once_and_equal_texts_are_stored_once(services, clock):
    a = await person(services, "a", "B1")
    outbox = services.storage.outbox
    rows = [NewMessage(f"k{i}", a, body("same")) for i in range(3)]
    assert await outbox.enqueue(rows + rows, clock()) == 3
    assert await outbox.enqueue(rows, clock()) == 0
    assert await services.storage.db.run(lambda c: c.execute("SELECT COUNT(*) FROM outbox_bodies").fetchone()[0]) == 1


async def test_claim_takes_the_oldest_row_of_each_person_only(services, clock):
    a, b = await person(services, "a", "B1"), await person(services, "b", "B5")
    outbox = services.storage.outbox
    await outbox.enqueue([NewMessage(f"{p}{i}", p, body(f"{p}-{i}")) for p in (a, b) for i in range(3)], clock())
    first = await outbox.claim("terminal", clock(), 10)
    assert [json.loads(r.payload)["text"] for r in first] == [f"{a}-0", f"{b}-0"]
    assert await outbox.claim("terminal", clock(), 10) == []            # their heads are in flight
    assert await outbox.claim("telegram", clock(), 10) == []            # another channel's sender sees none
    await outbox.mark_sent(first[0].id, "m1", clock(), timedelta(seconds=1))
    assert await outbox.claim("terminal", clock(), 10) == []            # a's next waits a second
    clock.advance(seconds=1)
    again = await outbox.claim("terminal", clock(), 10)
    assert [json.loads(r.payload)["text"] for r in again] == [f"{a}-1"]


async def test_retry_waits_and_keeps_the_order(services, clock):
    a = await person(services, "a", "B1")
    outbox = services.storage.outbox
    await outbox.enqueue([NewMessage(f"r{i}", a, body(f"r{i}")) for i in range(2)], clock())
    (row,) = await outbox.claim("terminal", clock(), 10)
    await outbox.retry(row.id, clock() + timedelta(seconds=30), "timeout")
    assert await outbox.claim("terminal", clock(), 10) == []            # r1 may not overtake r0
    clock.advance(seconds=30)
    (row,) = await outbox.claim("terminal", clock(), 10)
    assert json.loads(row.payload)["text"] == "r0" and row.attempts == 1


async def test_rows_left_sending_are_queued_again_at_start(services, clock):
    a = await person(services, "a", "B1")
    outbox = services.storage.outbox
    await outbox.enqueue([NewMessage("x", a, body("x"))], clock())
    await outbox.claim("terminal", clock(), 10)
    assert await outbox.counts() == {"sending": 1}
    assert await outbox.recover() == 1
    assert await outbox.counts() == {"queued": 1}


async def test_a_bundle_goes_one_part_at_a_time_in_order_skipping_a_refused_one(services, clock):
    from domain.deadlines.calendar import parse_calendar
    from domain.reminders import Reminders
    from tests.test_reminders import CALENDAR, local

    a = await person(services, "a", "B5")
    await Reminders(services.storage, parse_calendar(CALENDAR)).tick(local(2026, 11, 23, 9))
    outbox = services.storage.outbox
    parts = await outbox.sent_to("a")
    assert len(parts) >= 3 and {status for _, status, _ in parts} == {"queued"}
    await outbox.enqueue([NewMessage("later", a, body("later"))], clock())
    texts = []
    for number in range(len(parts)):
        (row,) = await outbox.claim("terminal", clock(), 10)
        assert row.person_id == a
        texts.append(row.payload)
        assert await outbox.claim("terminal", clock(), 10) == []        # one message of a chat at a time
        if number == 1:
            await outbox.fail(row.id, "400 Bad Request")                # nothing reached the chat: no wait
            continue
        await outbox.mark_sent(row.id, f"m{number}", clock(), timedelta(seconds=1))
        assert await outbox.claim("terminal", clock(), 10) == []        # the next part waits a second
        clock.advance(seconds=1)
    assert texts == [payload for _, _, payload in parts]
    (row,) = await outbox.claim("terminal", clock(), 10)
    assert json.loads(row.payload)["text"] == "later"                   # queued after the bundle, sent after it
    shown = await outbox.sent_to("a")
    assert [key for key, _, _ in shown[:len(parts)]] == [key for key, _, _ in parts]
    assert [status for _, status, _ in shown] == ["sent"] * len(parts) + ["sending"]
    assert await services.storage.db.run(lambda c: c.execute(
        "SELECT status, message_id FROM outbox WHERE bundle_id IS NOT NULL").fetchone()[:]) == (
        "sent", " ".join(f"m{n}" for n in range(len(parts)) if n != 1))


async def test_purge_forgets_finished_rows_their_bundles_and_bodies(services, clock):
    from domain.deadlines.calendar import parse_calendar
    from domain.reminders import Reminders
    from tests.test_reminders import CALENDAR, local

    a = await person(services, "a", "B5")
    await Reminders(services.storage, parse_calendar(CALENDAR)).tick(local(2026, 11, 23, 9))
    await services.storage.outbox.enqueue([NewMessage("k", a, body("k"))], clock())
    outbox = services.storage.outbox
    while rows := await outbox.claim("terminal", clock(), 10):
        for row in rows:
            await outbox.mark_sent(row.id, "m", clock())
    assert await outbox.purge(clock() + timedelta(days=1)) == 2
    left = await services.storage.db.run(lambda c: [c.execute(f"SELECT COUNT(*) FROM {table}").fetchone()[0]
                                                    for table in ("outbox", "outbox_bundles", "outbox_bodies")])
    assert left == [0, 0, 0]
