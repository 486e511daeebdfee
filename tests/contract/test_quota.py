"""The monthly message quota: a count per channel, bot and month that concurrent sends never lose;
the officers' warning, queued once a month; once spent, the rows held back (and recorded as not
sent) and the deadline reminders claimed nearest deadline first; what the digest reads."""

from __future__ import annotations

import asyncio
import json
from datetime import timedelta

from storage.outbox import NewMessage
from tests.contract.helpers import body, join, text_of

MONTH = "2026-11"


def reminder(text: str, due: str) -> str:
    """A deadline reminder's payload, as domain.reminders queues it (with its "wording")."""
    return json.dumps({"text": text, "buttons": [],
                       "wording": {"kind": "deadline", "title": text, "due": due, "nudge": False}},
                      ensure_ascii=False)


async def test_concurrent_counts_are_all_counted_per_channel_bot_and_month(storage, clock):
    quota = storage.quota
    results = await asyncio.gather(*(quota.count("zalo", "bot-a", MONTH, clock()) for _ in range(300)))
    assert sorted(results) == list(range(1, 301))                 # each send saw its own count
    await asyncio.gather(*(quota.count("zalo", "bot-b", MONTH, clock()) for _ in range(7)))
    assert await quota.count("zalo", "bot-a", "2026-12", clock()) == 1
    assert await quota.count("terminal", "bot-a", MONTH, clock()) == 1
    assert await quota.sent("zalo", "bot-a", MONTH) == 300
    assert await quota.sent("zalo", "bot-b", MONTH) == 7
    assert await quota.sent("zalo", "bot-c", MONTH) == 0


async def test_the_warning_goes_once_a_month_to_the_root_units_officers(storage, clock, tree):
    province = await join(storage, clock(), "p", tree["P"], role="officer")
    district = await join(storage, clock(), "d", tree["D1"], role="officer")
    notices = []

    def notice(count: int) -> str:
        notices.append(count)
        return body(f"đã gửi {count}")

    for _ in range(5):
        await storage.quota.count("zalo", "bot-a", MONTH, clock(), 3, notice)
    assert notices == [3]
    assert [(key, text_of(payload)) for key, _, payload in await storage.outbox.sent_to("chat-p")] == [
        (f"quota:zalo:bot-a:{MONTH}:{province.person.id}", "đã gửi 3")]
    assert await storage.outbox.sent_to("chat-d") == []           # a district's officer is not warned
    await storage.quota.count("zalo", "bot-a", "2026-12", clock() + timedelta(days=10), 1, notice)
    assert notices == [3, 1] and len(await storage.outbox.sent_to("chat-p")) == 2    # a new month
    assert district.person.id != province.person.id


async def test_with_no_officer_at_the_root_the_nearest_ones_are_warned(storage, clock, tree):
    await join(storage, clock(), "d1", tree["D1"], role="officer")
    await join(storage, clock(), "d2", tree["D2"], role="officer")
    await join(storage, clock(), "g", tree["G1"], role="officer")
    await storage.quota.count("zalo", "bot-a", MONTH, clock(), 1, lambda count: body("gần hết"))
    assert len(await storage.outbox.sent_to("chat-d1")) == len(await storage.outbox.sent_to("chat-d2")) == 1
    assert await storage.outbox.sent_to("chat-g") == []


async def test_spent_other_rows_are_held_back_and_reminders_claimed_nearest_deadline_first(storage, clock, tree):
    people = {}
    for name, unit in (("a", "B1"), ("b", "B5"), ("c", "B3"), ("d", "B4")):
        people[name] = (await join(storage, clock(), name, tree[unit], channel="zalo")).person.id
    t = await join(storage, clock(), "t", tree["B2"], channel="telegram")
    await storage.outbox.enqueue([
        NewMessage("digest", people["a"], body("bản tin")),                          # held back
        NewMessage("r-a", people["a"], reminder("hạn xa của a", "2026-12-20")),      # behind it, still goes
        NewMessage("r-b", people["b"], reminder("hạn xa", "2026-12-31")),
        NewMessage("r-c", people["c"], reminder("hạn gần", "2026-11-25")),
        NewMessage("notice", people["d"], body("thông báo")),                       # held back
        NewMessage("t", t.person.id, body("telegram")),                              # another channel
    ], clock())
    now, until = clock(), clock() + timedelta(days=8)
    assert await storage.quota.set_aside("zalo", "bot-a", MONTH, 3000, now, until) == 2
    assert await storage.quota.set_aside("zalo", "bot-a", MONTH, 3000, now, until) == 0   # done once
    assert await storage.quota.held("zalo", now) == 2
    assert await storage.quota.held("telegram", now) == 0
    rows = await storage.quota.claim("zalo", now, 10)
    assert [text_of(r.payload) for r in rows] == ["hạn gần", "hạn xa của a", "hạn xa"]
    assert await storage.quota.claim("zalo", now, 10) == []                  # claimed: "sending"
    for row in rows:
        await storage.outbox.mark_sent(row.id, "m", now)
    assert [(key, status) for key, status, _ in await storage.outbox.sent_to("chat-a")] == [
        ("digest", "queued"), ("r-a", "sent")]
    assert await storage.outbox.claim("zalo", now, 10) == []                 # held until the next month
    assert [text_of(r.payload) for r in await storage.outbox.claim("zalo", until, 10)] == ["bản tin", "thông báo"]
    unsent = await storage.quota.unsent(tree["P"].id, now - timedelta(days=1), now + timedelta(days=1))
    assert (unsent.count, unsent.quota) == (2, 3000)


async def test_a_row_refused_while_sending_is_deferred_and_released_when_the_quota_allows(storage, clock, tree):
    person = (await join(storage, clock(), "a", tree["B1"], channel="zalo")).person.id
    await storage.outbox.enqueue([NewMessage("k1", person, body("một")), NewMessage("k2", person, body("hai"))],
                                 clock())
    [row] = await storage.outbox.claim("zalo", clock(), 10)
    now, until = clock(), clock() + timedelta(days=8)
    await storage.quota.defer(row.id, "zalo", "bot-a", MONTH, 5, now, until)
    await storage.quota.defer(row.id, "zalo", "bot-a", MONTH, 5, now, until)   # not "sending" any more: no-op
    assert await storage.quota.held("zalo", now) == 1
    assert await storage.outbox.claim("zalo", now, 10) == []                 # its person's queue waits
    assert (await storage.quota.unsent(tree["B1"].id, now, now + timedelta(seconds=1))).count == 1
    assert await storage.quota.release("zalo", now) == 1
    assert await storage.quota.held("zalo", now) == 0
    assert [text_of(r.payload) for r in await storage.outbox.claim("zalo", now, 10)] == ["một"]


async def test_unsent_counts_the_units_subtree_within_the_window(storage, clock, tree):
    a = (await join(storage, clock(), "a", tree["B1"], channel="zalo")).person.id
    b = (await join(storage, clock(), "b", tree["B3"], channel="zalo")).person.id
    await storage.outbox.enqueue([NewMessage("ka", a, body("a")), NewMessage("kb", b, body("b"))], clock())
    now = clock()
    assert await storage.quota.set_aside("zalo", "bot-a", MONTH, 3000, now, now + timedelta(days=8)) == 2
    window = (now - timedelta(days=7), now + timedelta(seconds=1))
    codes = ("P", "D1", "G1", "B1", "D2", "G2")
    counts = {code: (await storage.quota.unsent(tree[code].id, *window)).count for code in codes}
    assert counts == {"P": 2, "D1": 1, "G1": 1, "B1": 1, "D2": 1, "G2": 0}
    assert (await storage.quota.unsent(tree["P"].id, now + timedelta(seconds=1), now + timedelta(days=7))).count == 0
    empty = await storage.quota.unsent(tree["G2"].id, *window)
    assert (empty.count, empty.quota) == (0, 0)


async def test_spent_a_bundle_goes_part_by_part_and_a_form_is_not_interrupted(storage, clock, tree):
    a = (await join(storage, clock(), "a", tree["B1"], channel="zalo")).person.id
    b = (await join(storage, clock(), "b", tree["B5"], channel="zalo")).person.id
    # a tick's reminders for a: one bundle row, two parts; b gets the far one only
    steps = [(1, {reminder("hạn gần", "2026-11-24"): [tree["B1"].id]}),
             (2, {reminder("hạn xa", "2026-12-24"): [tree["B1"].id, tree["B5"].id]})]
    assert await storage.outbox.fan_out(steps, {tree["B1"].id: [a], tree["B5"].id: [b]}) == 3
    now = clock()
    assert await storage.quota.set_aside("zalo", "bot-a", MONTH, 3000, now, now + timedelta(days=8)) == 0
    await storage.forms.start(b, tree["B5"].id, "meeting", {}, now)               # b is answering a form
    went = []
    while rows := await storage.quota.claim("zalo", now, 10, now - timedelta(minutes=20)):
        for row in rows:
            went.append((row.person_id, text_of(row.payload)))
            await storage.outbox.mark_sent(row.id, "m", now)
    assert went == [(a, "hạn gần"), (a, "hạn xa")]
