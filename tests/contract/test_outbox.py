"""The outbox: a key is queued once; claim gives each row once, one per chat at a time and in
order; sent, retried, failed and blocked rows; rows left "sending" go back to the queue; finished
rows are purged; reminder bundles go one part at a time."""

from __future__ import annotations

import asyncio
from datetime import timedelta
from types import SimpleNamespace

import pytest

from storage.outbox import Blocked, NewMessage, OutboxRow
from tests.contract.helpers import body, join, text_of


@pytest.fixture
async def people(storage, clock, tree):
    a = await join(storage, clock(), "a", tree["B1"], name="Người A")
    b = await join(storage, clock(), "b", tree["B5"])
    t = await join(storage, clock(), "t", tree["B3"], channel="telegram")
    return SimpleNamespace(a=a.person.id, b=b.person.id, t=t.person.id)


def message(key: str, person: int, text: str | None = None) -> NewMessage:
    return NewMessage(key, person, body(text or key))


async def drain(storage, clock, channel="terminal") -> list[str]:
    """Claim and mark sent until nothing is due; the texts in the order they went."""
    sent = []
    while rows := await storage.outbox.claim(channel, clock(), 100):
        for row in rows:
            sent.append(text_of(row.payload))
            await storage.outbox.mark_sent(row.id, f"m{len(sent)}", clock())
    return sent


async def test_a_key_is_queued_once_and_sent_once(storage, clock, people):
    outbox = storage.outbox
    assert await outbox.enqueue([message("k1", people.a), message("k2", people.a), message("k1", people.a)],
                                clock()) == 2
    assert await outbox.enqueue([message("k1", people.a)], clock()) == 0
    assert await outbox.enqueue([message("k1", people.b, "other text")], clock()) == 0       # a key is global
    assert await outbox.enqueue([], clock()) == 0
    assert await outbox.counts() == {"queued": 2}
    assert await drain(storage, clock) == ["k1", "k2"]
    assert await outbox.enqueue([message("k1", people.a)], clock()) == 0                   # sent: still known
    assert await drain(storage, clock) == []
    assert await outbox.sent_to("chat-a") == [("k1", "sent", body("k1")), ("k2", "sent", body("k2"))]


async def test_equal_payloads_keep_their_own_rows(storage, clock, people):
    same = body("Nhắc: nộp báo cáo")
    assert await storage.outbox.enqueue([NewMessage(f"k{i}", people.a, same) for i in range(3)], clock()) == 3
    assert await storage.outbox.sent_to("chat-a") == [(f"k{i}", "queued", same) for i in range(3)]


async def test_claim_returns_the_row_with_the_persons_current_chat(storage, clock, people):
    await storage.outbox.enqueue([message("k1", people.a, "Xin chào")], clock())
    await storage.people.touch(people.a, "chat-a2", "Người A")
    (row,) = await storage.outbox.claim("terminal", clock(), 10)
    assert row == OutboxRow(row.id, "k1", people.a, "terminal", "chat-a2", body("Xin chào"), 0)


async def test_claim_gives_each_row_once_one_per_chat_in_order(storage, clock, people):
    outbox = storage.outbox
    await outbox.enqueue([message(f"{p}{i}", person) for i in range(3) for p, person in
                          (("a", people.a), ("b", people.b))], clock())
    first = await outbox.claim("terminal", clock(), 10)
    assert [text_of(r.payload) for r in first] == ["a0", "b0"]
    assert await outbox.claim("terminal", clock(), 10) == []                     # their heads are in flight
    assert await outbox.counts() == {"queued": 4, "sending": 2}
    await outbox.mark_sent(first[0].id, "m1", clock())
    assert [text_of(r.payload) for r in await outbox.claim("terminal", clock(), 10)] == ["a1"]
    await outbox.mark_sent(first[1].id, "m2", clock())
    assert [text_of(r.payload) for r in await outbox.claim("terminal", clock(), 10)] == ["b1"]


async def test_each_chat_gets_its_messages_in_the_order_queued(storage, clock, people):
    await storage.outbox.enqueue([message("b0", people.b)], clock())
    await storage.outbox.enqueue([message(f"a{i}", people.a) for i in (0, 1)], clock())
    await storage.outbox.enqueue([message("b1", people.b), message("a2", people.a), message("b2", people.b)],
                                 clock())
    sent = await drain(storage, clock)
    assert [t for t in sent if t[0] == "a"] == ["a0", "a1", "a2"]
    assert [t for t in sent if t[0] == "b"] == ["b0", "b1", "b2"]


async def test_claims_at_the_same_time_never_share_a_row(storage, clock, people):
    await storage.outbox.enqueue([message(f"{p}{i}", person) for i in range(3) for p, person in
                                  (("a", people.a), ("b", people.b))], clock())
    batches = await asyncio.gather(*(storage.outbox.claim("terminal", clock(), 10) for _ in range(6)))
    claimed = [row.id for rows in batches for row in rows]
    assert len(claimed) == len(set(claimed)) == 2


async def test_claim_takes_the_oldest_up_to_the_limit(storage, clock, people, tree):
    c = (await join(storage, clock(), "c", tree["B2"])).person.id
    await storage.outbox.enqueue([message("first", people.b), message("second", c), message("third", people.a)],
                                 clock())
    assert [text_of(r.payload) for r in await storage.outbox.claim("terminal", clock(), 2)] == ["first", "second"]
    assert [text_of(r.payload) for r in await storage.outbox.claim("terminal", clock(), 2)] == ["third"]


async def test_claim_is_per_channel(storage, clock, people):
    await storage.outbox.enqueue([message("tg", people.t), message("term", people.a)], clock())
    assert [text_of(r.payload) for r in await storage.outbox.claim("telegram", clock(), 10)] == ["tg"]
    assert [text_of(r.payload) for r in await storage.outbox.claim("terminal", clock(), 10)] == ["term"]
    assert await storage.outbox.claim("zalo", clock(), 10) == []


async def test_a_message_is_due_from_the_moment_it_was_queued(storage, clock, people):
    queued_at = clock()
    await storage.outbox.enqueue([message("k1", people.a)], queued_at)
    assert await storage.outbox.claim("terminal", queued_at - timedelta(seconds=1), 10) == []
    assert [r.dedup_key for r in await storage.outbox.claim("terminal", queued_at, 10)] == ["k1"]


async def test_mark_sent_lets_the_chat_go_on_after_its_gap(storage, clock, people):
    outbox = storage.outbox
    await outbox.enqueue([message(f"{p}{i}", person) for i in range(2) for p, person in
                          (("a", people.a), ("b", people.b))], clock())
    a0, b0 = await outbox.claim("terminal", clock(), 10)
    assert await outbox.mark_sent(a0.id, "m-a0", clock(), timedelta(seconds=1)) is None
    await outbox.mark_sent(b0.id, "m-b0", clock())
    assert [text_of(r.payload) for r in await outbox.claim("terminal", clock(), 10)] == ["b1"]     # a waits
    clock.advance(seconds=1)
    assert [text_of(r.payload) for r in await outbox.claim("terminal", clock(), 10)] == ["a1"]
    assert [status for _, status, _ in await outbox.sent_to("chat-a")] == ["sent", "sending"]


async def test_retry_puts_the_row_back_later_and_keeps_the_order(storage, clock, people):
    outbox = storage.outbox
    await outbox.enqueue([message("r0", people.a), message("r1", people.a)], clock())
    (row,) = await outbox.claim("terminal", clock(), 10)
    assert await outbox.retry(row.id, clock() + timedelta(seconds=30), "timeout") is None
    assert await outbox.counts() == {"queued": 2}
    assert await outbox.claim("terminal", clock(), 10) == []                 # r1 may not overtake r0
    clock.advance(seconds=30)
    (row,) = await outbox.claim("terminal", clock(), 10)
    assert (text_of(row.payload), row.attempts) == ("r0", 1)
    await outbox.retry(row.id, clock(), "flood wait", count_attempt=False)
    (row,) = await outbox.claim("terminal", clock(), 10)
    assert (text_of(row.payload), row.attempts) == ("r0", 1)
    await outbox.retry(row.id, clock(), "timeout")
    (row,) = await outbox.claim("terminal", clock(), 10)
    assert row.attempts == 2
    await outbox.mark_sent(row.id, "m", clock())
    (row1,) = await outbox.claim("terminal", clock(), 10)
    assert (text_of(row1.payload), row1.attempts) == ("r1", 0)


async def test_a_late_retry_does_not_bring_back_a_sent_row(storage, clock, people):
    await storage.outbox.enqueue([message("k", people.a)], clock())
    (row,) = await storage.outbox.claim("terminal", clock(), 10)
    await storage.outbox.mark_sent(row.id, "m", clock())
    await storage.outbox.retry(row.id, clock(), "timeout")
    assert await storage.outbox.counts() == {"sent": 1}
    assert await storage.outbox.claim("terminal", clock(), 10) == []


async def test_fail_ends_a_row_and_the_chat_goes_on(storage, clock, people):
    outbox = storage.outbox
    await outbox.enqueue([message("bad", people.a), message("next", people.a)], clock())
    (row,) = await outbox.claim("terminal", clock(), 10)
    assert await outbox.fail(row.id, "400 Bad Request: message is too long") is None
    assert await outbox.counts() == {"failed": 1, "queued": 1}
    assert [text_of(r.payload) for r in await outbox.claim("terminal", clock(), 10)] == ["next"]
    assert [(key, status) for key, status, _ in await outbox.sent_to("chat-a")] == [
        ("bad", "failed"), ("next", "sending")]


async def test_recover_queues_again_rows_left_sending(storage, clock, people):
    outbox = storage.outbox
    await outbox.enqueue([message("a0", people.a), message("b0", people.b), message("b1", people.b)], clock())
    a0, b0 = await outbox.claim("terminal", clock(), 10)
    await outbox.mark_sent(b0.id, "m", clock())
    (b1,) = await outbox.claim("terminal", clock(), 10)
    assert await outbox.counts() == {"sending": 2, "sent": 1}
    assert await outbox.recover() == 2                                     # the sender stopped mid-call
    assert await outbox.recover() == 0
    assert await outbox.counts() == {"queued": 2, "sent": 1}
    again = await outbox.claim("terminal", clock(), 10)
    assert sorted((r.id, r.payload) for r in again) == sorted([(a0.id, a0.payload), (b1.id, b1.payload)])


async def test_counts_by_status(storage, clock, people):
    assert await storage.outbox.counts() == {}
    await storage.outbox.enqueue([message(f"k{i}", person) for i, person in
                                  enumerate((people.a, people.a, people.b, people.t))], clock())
    first, second = await storage.outbox.claim("terminal", clock(), 10)
    await storage.outbox.mark_sent(first.id, "m", clock())
    await storage.outbox.fail(second.id, "no")
    await storage.outbox.claim("telegram", clock(), 10)
    assert await storage.outbox.counts() == {"queued": 1, "sending": 1, "sent": 1, "failed": 1}


async def test_sent_to_lists_a_chats_messages_oldest_first(storage, clock, people):
    await storage.outbox.enqueue([message("x", people.a, "Tin nhắn một"), message("y", people.b),
                                  message("z", people.a, "Tin nhắn hai")], clock())
    assert await storage.outbox.sent_to("chat-a") == [("x", "queued", body("Tin nhắn một")),
                                                      ("z", "queued", body("Tin nhắn hai"))]
    assert await storage.outbox.sent_to("chat-nobody") == []


async def test_purge_forgets_rows_finished_before_a_moment(storage, clock, people):
    outbox = storage.outbox
    shared = body("shared text")
    await outbox.enqueue([NewMessage("old-sent", people.a, shared), message("old-failed", people.b),
                          message("old-queued", people.t)], clock())
    first, second = await outbox.claim("terminal", clock(), 10)
    await outbox.mark_sent(first.id, "m", clock())
    await outbox.fail(second.id, "no")
    clock.advance(days=10)
    await outbox.enqueue([NewMessage("new-shared", people.a, shared)], clock())
    (new_row,) = await outbox.claim("terminal", clock(), 10)
    await outbox.mark_sent(new_row.id, "m", clock())
    await outbox.enqueue([NewMessage("queued-shared", people.b, shared)], clock())
    assert await outbox.purge(clock() - timedelta(days=1)) == 2
    assert await outbox.purge(clock() - timedelta(days=1)) == 0
    assert await outbox.counts() == {"sent": 1, "queued": 2}               # new-shared, old-queued, queued-shared
    assert await outbox.sent_to("chat-a") == [("new-shared", "sent", shared)]
    (row,) = await outbox.claim("terminal", clock(), 10)
    assert (row.dedup_key, row.payload) == ("queued-shared", shared)        # its text outlived the purge
    assert await outbox.enqueue([message("old-sent", people.a)], clock()) == 1      # a forgotten key is new
    (row,) = await outbox.claim("telegram", clock(), 10)
    assert (row.dedup_key, row.payload) == ("old-queued", body("old-queued"))       # an old queued row keeps its text
    assert await outbox.purge(clock() + timedelta(days=1)) == 1            # new-shared; queued rows stay
    assert await outbox.counts() == {"queued": 1, "sending": 2}


async def officers(storage, clock, tree):
    o1 = (await join(storage, clock(), "o1", tree["D1"], role="officer")).person.id
    o2 = (await join(storage, clock(), "o2", tree["D1"], role="officer")).person.id
    gone = (await join(storage, clock(), "o3", tree["D1"], role="officer")).person.id
    await storage.people.set_unreachable(gone, clock())
    near = (await join(storage, clock(), "og", tree["G1"], role="officer")).person.id
    top = (await join(storage, clock(), "op", tree["P"], role="officer")).person.id
    return SimpleNamespace(o1=o1, o2=o2, gone=gone, near=near, top=top)


def notice(name: str, unit: str) -> str:
    return body(f"{name} ({unit}) đã chặn bot")


async def test_blocked_ends_the_queue_marks_the_person_and_tells_the_district_once(storage, clock, people, tree):
    staff = await officers(storage, clock, tree)
    outbox = storage.outbox
    await outbox.enqueue([message("a0", people.a), message("a1", people.a), message("b0", people.b)], clock())
    a0, _ = await outbox.claim("terminal", clock(), 10)
    result = await outbox.blocked(a0.id, clock(), notice)
    assert result == Blocked(True, "Người A", "Branch One", (staff.o1, staff.o2))
    assert [(key, status) for key, status, _ in await outbox.sent_to("chat-a")] == [
        ("a0", "failed"), ("a1", "dropped")]
    assert (await storage.people.get(people.a)).unreachable is True
    assert (await outbox.sent_to("chat-b"))[0][1] == "sending"             # others untouched
    told = {chat: await outbox.sent_to(chat) for chat in ("chat-o1", "chat-o2", "chat-o3", "chat-og", "chat-op")}
    assert {chat: [(status, payload) for _, status, payload in rows] for chat, rows in told.items()} == {
        "chat-o1": [("queued", notice("Người A", "Branch One"))],
        "chat-o2": [("queued", notice("Người A", "Branch One"))],
        "chat-o3": [], "chat-og": [], "chat-op": []}
    # blocked again before they wrote back: no second notice
    clock.advance(minutes=5)
    await outbox.enqueue([message("a2", people.a)], clock())
    (a2,) = [r for r in await outbox.claim("terminal", clock(), 10) if r.person_id == people.a]
    again = await outbox.blocked(a2.id, clock(), notice)
    assert again == Blocked(False, "Người A", "Branch One", (staff.o1, staff.o2))
    assert len(await outbox.sent_to("chat-o1")) == 1
    # they wrote again, then blocked the bot again: the district hears of it again
    await storage.people.touch(people.a, "chat-a", "Người A")
    clock.advance(days=1)
    await outbox.enqueue([message("a3", people.a)], clock())
    (a3,) = [r for r in await outbox.claim("terminal", clock(), 10) if r.person_id == people.a]
    assert (await outbox.blocked(a3.id, clock(), notice)).changed is True
    assert len(await outbox.sent_to("chat-o1")) == 2


async def test_a_district_officer_who_blocks_is_reported_to_the_level_above(storage, clock, people, tree):
    staff = await officers(storage, clock, tree)
    await storage.outbox.enqueue([message("o", staff.o1)], clock())
    (row,) = [r for r in await storage.outbox.claim("terminal", clock(), 10) if r.person_id == staff.o1]
    result = await storage.outbox.blocked(row.id, clock(), notice)
    assert (result.changed, result.unit_name, result.officers) == (True, "District One", (staff.top,))
    assert [s for _, s, _ in await storage.outbox.sent_to("chat-op")] == ["queued"]


async def test_blocked_without_a_notice_or_a_role_tells_no_one(storage, clock, people, tree):
    staff = await officers(storage, clock, tree)
    await storage.outbox.enqueue([message("a", people.a)], clock())
    (row,) = await storage.outbox.claim("terminal", clock(), 10)
    result = await storage.outbox.blocked(row.id, clock())
    assert result == Blocked(True, "Người A", "Branch One", (staff.o1, staff.o2))
    assert await storage.outbox.sent_to("chat-o1") == []
    b = await storage.people.identify("terminal", "b")
    await storage.people.remove_role(b.role_id, b.person.id, clock())
    await storage.outbox.enqueue([message("b", people.b)], clock())
    (row,) = [r for r in await storage.outbox.claim("terminal", clock(), 10) if r.person_id == people.b]
    assert await storage.outbox.blocked(row.id, clock(), notice) == Blocked(True, "Person b", "", ())


@pytest.mark.parametrize("units", [3, 70], ids=["few-units", "bulk"])
async def test_fan_out_sends_each_person_their_parts_one_at_a_time_in_order(storage, clock, tree, units):
    def many(tx):
        ids = []
        for n in range(units):
            code = f"fan-{n}"
            tx.invites.create(code, code, tree["P"].id, "officer", clock(), clock() + timedelta(days=1))
            tx.invites.redeem(code, "terminal", f"f{n}", f"chat-f{n}", f"F{n}", clock())
            ids.append(tx.people.identify("terminal", f"f{n}").person.id)
        return ids

    persons = await storage.atomic(many)
    unit_ids = [9000 + n for n in range(units)]
    recipients = {unit: [person] for unit, person in zip(unit_ids, persons)}
    half = unit_ids[:2]            # the others get the first part only: with 70, one bundle of 68 units
    steps = [(1, {body("first"): unit_ids}), (2, {body("second"): half})]
    await storage.outbox.enqueue([message("before", persons[0])], clock())
    assert await storage.outbox.fan_out(steps, recipients) == units + len(half)
    rounds = []
    while rows := await storage.outbox.claim("terminal", clock(), 1000):
        rounds.append(sorted((r.person_id, text_of(r.payload)) for r in rows))
        assert len({r.person_id for r in rows}) == len(rows)               # one message per chat at a time
        for row in rows:
            await storage.outbox.mark_sent(row.id, "m", clock())
    sent = [item for batch in rounds for item in batch]
    assert sorted(sent) == sorted([(persons[0], "before")] + [(p, "first") for p in persons] +
                                  [(recipients[u][0], "second") for u in half])
    for person in persons:
        assert [text for p, text in sent if p == person] == (
            (["before"] if person == persons[0] else []) + ["first"] +
            (["second"] if person in [recipients[u][0] for u in half] else []))
    assert await storage.outbox.counts() == {"sent": units + 1}
    assert [(status, payload) for _, status, payload in await storage.outbox.sent_to("chat-f0")] == [
        ("sent", body("before")), ("sent", body("first")), ("sent", body("second"))]


async def test_a_person_in_the_middle_of_a_form_is_not_interrupted(storage, clock, people, tree):
    """With busy_since, what the bot sends on its own waits while a person answers a form; it
    goes once the form ends or is left alone long enough."""
    await storage.outbox.enqueue([message("k-a", people.a), message("k-b", people.b)], clock())
    session = await storage.forms.start(people.a, tree["B1"].id, "meeting", {"at": "held_on"}, clock())
    busy_since = clock() - timedelta(minutes=20)
    rows = await storage.outbox.claim("terminal", clock(), 10, busy_since)
    assert [r.dedup_key for r in rows] == ["k-b"]                       # B is not in a form
    clock.advance(minutes=21)                                            # A left the form alone
    rows = await storage.outbox.claim("terminal", clock(), 10, clock() - timedelta(minutes=20))
    assert [r.dedup_key for r in rows] == ["k-a"]
    await storage.outbox.retry(rows[0].id, clock(), "again")
    await storage.forms.save(session.id, session.version, {"at": "kind"}, clock())   # A answers again
    assert await storage.outbox.claim("terminal", clock(), 10, clock() - timedelta(minutes=20)) == []
    await storage.forms.finish(session.id, session.version + 1)                      # A saved the form
    rows = await storage.outbox.claim("terminal", clock(), 10, clock() - timedelta(minutes=20))
    assert [r.dedup_key for r in rows] == ["k-a"]


async def test_rows_sending_by_a_worker_that_is_gone_go_back_to_the_queue(backend, storage, clock, people):
    """Two workers on one database: while the one that claimed rows lives, they are its calls in
    flight and stay "sending"; once it is gone (its database session ended) they are queued again.
    SQLite has one worker: its rows "sending" are never another's to take."""
    other = await backend.open()
    await storage.outbox.enqueue([message("a0", people.a), message("b0", people.b)], clock())
    assert len(await storage.outbox.claim("terminal", clock(), 10)) == 2
    assert await other.outbox.requeue_orphans() == 0
    assert await storage.outbox.requeue_orphans() == 0
    await storage.close()
    backend.closed_by_test(storage)
    if backend.name == "postgres":
        # the server ends the closed session a moment after the client closed it
        for _ in range(100):
            if requeued := await other.outbox.requeue_orphans():
                break
            await asyncio.sleep(0.02)
        assert requeued == 2
        assert await other.outbox.counts() == {"queued": 2}
        assert len(await other.outbox.claim("terminal", clock(), 10)) == 2
        assert await other.outbox.requeue_orphans() == 0            # now the live worker's own
    else:
        assert await other.outbox.requeue_orphans() == 0
        assert await other.outbox.counts() == {"sending": 2}
