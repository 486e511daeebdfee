"""Deadlines: confirmations; what a reminder tick reads (tree, answers, their versions); the steps
it queued, which make a reminder go once; the keys reminders are known by."""

from __future__ import annotations

import asyncio
from datetime import date, timedelta
from types import SimpleNamespace

import pytest

from storage.deadlines import Step
from storage.units import UnitRow
from tests.contract.helpers import body, join, text_of

ITEM, OCC = "bc-quy", "2026-Q4"
BEFORE_14 = Step("remind", ITEM, OCC, "before-14", 0)
BEFORE_7 = Step("remind", ITEM, OCC, "before-7", 1)
DUE = Step("remind", ITEM, OCC, "due", 2)
LATE = Step("escalate", ITEM, OCC, "late", 0)
MEETING = {"held_on": date(2026, 11, 20), "kind": "branch", "mode": "in_person", "attended": 12}
COUNTS = {"period": "2026-H2", "participants": 1, "youth_reached": 1, "new_members": 0, "party_introduced": 0}


@pytest.fixture
async def staff(storage, clock, tree):
    a = await join(storage, clock(), "a", tree["B1"])
    d = await join(storage, clock(), "d", tree["B1"])                  # deputy of B1
    b = await join(storage, clock(), "b", tree["B5"])
    o = await join(storage, clock(), "o", tree["D1"], role="officer")
    return SimpleNamespace(a=a, d=d, b=b, o=o)


def plain(units) -> set[tuple]:
    return {(u[0], u[1], u[2], bool(u[3]), *u[4:]) for u in units}


def tick(tx, step, sends, recipients, now):
    """What a reminder tick does for one step, in its transaction: queue only the units no batch
    of this occurrence covers at this step or a later one."""
    covered = tx.deadlines.covered(step)
    sends = {payload: [u for u in units if u not in covered] for payload, units in sends.items()}
    sends = {payload: units for payload, units in sends.items() if units}
    return tx.deadlines.queue([(step, sends)], recipients, now) if sends else 0


async def test_confirm_once_and_unconfirm(storage, clock, tree, staff):
    b1 = tree["B1"].id
    deadlines = storage.deadlines
    assert await deadlines.confirm(b1, ITEM, OCC, staff.a.person.id, clock()) is True
    assert await deadlines.confirm(b1, ITEM, OCC, staff.d.person.id, clock()) is False
    assert await deadlines.confirm(b1, ITEM, "2027-Q1", staff.a.person.id, clock()) is True
    assert await deadlines.confirm(tree["B5"].id, ITEM, OCC, None, clock()) is True
    facts = await deadlines.facts([(ITEM, OCC)], date(2026, 1, 1), [])
    assert facts.confirmed == {(ITEM, OCC): {b1, tree["B5"].id}}
    assert await deadlines.unconfirm(b1, ITEM, OCC) is True
    assert await deadlines.unconfirm(b1, ITEM, OCC) is False
    assert (await deadlines.facts([(ITEM, OCC)], date(2026, 1, 1), [])).confirmed == {(ITEM, OCC): {tree["B5"].id}}
    assert await deadlines.confirm(b1, ITEM, OCC, staff.a.person.id, clock()) is True


async def test_tree_reads_units_and_the_roles_held_in_them(storage, clock, tree, staff):
    facts = await storage.deadlines.tree()
    assert plain(facts.units) == {(u.id, u.parent_id, u.level, u.border) for u in tree.values()}
    assert facts.ancestors == []
    assert [tuple(r) for r in facts.roles] == [
        (tree["B1"].id, staff.a.person.id, "secretary"), (tree["B1"].id, staff.d.person.id, "deputy"),
        (tree["B5"].id, staff.b.person.id, "secretary"), (tree["D1"].id, staff.o.person.id, "officer")]
    assert (facts.confirmed, facts.met, facts.reported) == ({}, {}, {})
    named = await storage.deadlines.tree(names=True)
    assert plain(named.units) == {(u.id, u.parent_id, u.level, u.border, u.name) for u in tree.values()}


async def test_tree_reads_the_founding_day_of_the_units_that_have_one(storage, clock, tree, staff):
    assert (await storage.deadlines.tree()).founded == {}
    await storage.units.import_rows(
        [UnitRow("B9", "Chi đoàn mới", "branch", "G1", False, 10, founded_on=date(2026, 12, 1))], clock())
    b9 = (await storage.units.by_code("B9")).id
    assert (await storage.deadlines.tree()).founded == {b9: date(2026, 12, 1)}
    assert (await storage.deadlines.tree(tree["G1"].path)).founded == {b9: date(2026, 12, 1)}
    assert (await storage.deadlines.tree(tree["G2"].path)).founded == {}


async def test_tree_leaves_out_ended_roles_and_people_who_blocked_the_bot(storage, clock, tree, staff):
    await storage.people.remove_role(staff.a.role_id, staff.o.person.id, clock())        # d becomes secretary
    await storage.people.set_unreachable(staff.b.person.id, clock())
    roles = [tuple(r) for r in (await storage.deadlines.tree()).roles]
    assert roles == [(tree["B1"].id, staff.d.person.id, "secretary"), (tree["D1"].id, staff.o.person.id, "officer")]
    await storage.people.touch(staff.b.person.id, "chat-b", "B")                          # wrote again
    assert (tree["B5"].id, staff.b.person.id, "secretary") in [
        tuple(r) for r in (await storage.deadlines.tree()).roles]


async def test_tree_of_a_subtree_has_its_units_roles_and_ancestors(storage, clock, tree, staff):
    facts = await storage.deadlines.tree(tree["G1"].path)
    assert plain(facts.units) == {(u.id, u.parent_id, u.level, u.border)
                                  for u in tree.values() if u.code in ("G1", "B1", "B2")}
    assert plain(facts.ancestors) == {(u.id, u.parent_id, u.level, u.border)
                                      for u in tree.values() if u.code in ("P", "D1")}
    assert [tuple(r) for r in facts.roles] == [(tree["B1"].id, staff.a.person.id, "secretary"),
                                               (tree["B1"].id, staff.d.person.id, "deputy")]
    top = await storage.deadlines.tree(tree["P"].path)
    assert top.ancestors == [] and len(top.units) == len(tree)


async def test_answers_reads_confirmations_meetings_and_one_plus_one(storage, clock, tree, staff):
    b1, b2, b5, b4 = (tree[c].id for c in ("B1", "B2", "B5", "B4"))
    person = staff.a.person.id
    await storage.deadlines.confirm(b1, ITEM, OCC, person, clock())
    await storage.deadlines.confirm(b4, ITEM, OCC, None, clock())
    await storage.deadlines.confirm(b2, "other", OCC, None, clock())
    await storage.reports.add_meeting(b1, person, MEETING, clock())
    await storage.reports.add_meeting(b1, person, {**MEETING, "held_on": date(2026, 10, 3)}, clock())
    await storage.reports.add_meeting(b5, person, {**MEETING, "held_on": date(2026, 9, 30)}, clock())   # too early
    await storage.reports.add_meeting(b2, person, {**MEETING, "kind": "committee"}, clock())             # not a branch meeting
    gone = await storage.reports.add_meeting(b4, person, MEETING, clock())
    await storage.reports.delete_meeting(gone, person, clock())
    await storage.reports.save_recruitment(b1, person, COUNTS, clock())
    await storage.reports.save_recruitment(b5, person, {**COUNTS, "period": "2026-H1"}, clock())
    dropped = await storage.reports.save_recruitment(b2, person, COUNTS, clock())
    await storage.reports.delete_recruitment(dropped, person, clock())
    bare = await storage.deadlines.tree()
    facts = await storage.deadlines.answers(bare, [(ITEM, OCC), (ITEM, "2027-Q1")], date(2026, 10, 1),
                                            ["2026-H2", "2025-H2"])
    assert facts.confirmed == {(ITEM, OCC): {b1, b4}, (ITEM, "2027-Q1"): set()}
    assert facts.met == {"2026-11": {b1}, "2026-10": {b1}}
    assert facts.reported == {"2026-H2": {b1}, "2025-H2": set()}
    assert (facts.units, facts.roles, facts.ancestors) == (bare.units, bare.roles, bare.ancestors)
    # a subtree's answers only
    d2 = await storage.deadlines.tree(tree["D2"].path)
    sub = await storage.deadlines.answers(d2, [(ITEM, OCC)], date(2026, 10, 1), ["2026-H2"], tree["D2"].path)
    assert (sub.confirmed, sub.met, sub.reported) == ({(ITEM, OCC): {b4}}, {}, {"2026-H2": set()})
    # facts is the tree and its answers in one call
    whole = await storage.deadlines.facts([(ITEM, OCC), (ITEM, "2027-Q1")], date(2026, 10, 1),
                                          ["2026-H2", "2025-H2"])
    assert plain(whole.units) == plain(facts.units) and whole.roles == facts.roles
    assert (whole.confirmed, whole.met, whole.reported) == (facts.confirmed, facts.met, facts.reported)
    part = await storage.deadlines.facts([(ITEM, OCC)], date(2026, 10, 1), ["2026-H2"], tree["D2"].path)
    assert plain(part.units) == plain(d2.units) and plain(part.ancestors) == plain(d2.ancestors)
    assert (part.confirmed, part.met, part.reported) == (sub.confirmed, sub.met, sub.reported)


async def test_answered_reads_one_units_confirmation_meeting_or_report(storage, clock, tree, staff):
    b1, b5 = tree["B1"].id, tree["B5"].id
    deadlines = storage.deadlines
    assert not await deadlines.answered(b1, ITEM, OCC, ("2026-11",), ("2026-H2",))
    await deadlines.confirm(b1, ITEM, OCC, staff.a.person.id, clock())
    assert await deadlines.answered(b1, ITEM, OCC) and not await deadlines.answered(b5, ITEM, OCC)
    await storage.reports.add_meeting(b5, staff.b.person.id, MEETING, clock())           # 20/11/2026
    assert await deadlines.answered(b5, "sinh-hoat", "2026-11", ("2026-11",))
    assert not await deadlines.answered(b5, "sinh-hoat", "2026-10", ("2026-10",))
    await storage.reports.save_recruitment(b5, staff.b.person.id, COUNTS, clock())       # 2026-H2
    assert await deadlines.answered(b5, "mot-cong-mot", "2026", (), ("2026-H2", "2026"))
    assert not await deadlines.answered(b5, "mot-cong-mot", "2026", (), ("2026-H1",))


async def test_versions_change_with_what_a_tick_reads(storage, clock, tree, staff):
    deadlines = storage.deadlines
    person = staff.a.person.id
    seen = await deadlines.versions()
    assert all(isinstance(v, int) for v in seen)
    assert await deadlines.versions() == seen                      # reading changes nothing

    async def changed(what: str, action):
        nonlocal seen
        result = await action
        now = await deadlines.versions()
        assert (now[0] != seen[0], now[1] != seen[1]) == (what == "tree", what == "answers"), action
        seen = now
        return result

    b1 = tree["B1"].id
    await changed("answers", deadlines.confirm(b1, ITEM, OCC, person, clock()))
    await changed("answers", deadlines.unconfirm(b1, ITEM, OCC))
    meeting = await changed("answers", storage.reports.add_meeting(b1, person, MEETING, clock()))
    await changed("answers", storage.reports.update_meeting(meeting, person, {"held_on": date(2026, 11, 1)},
                                                            clock()))
    await changed("answers", storage.reports.delete_meeting(meeting, person, clock()))
    report = await changed("answers", storage.reports.save_recruitment(b1, person, COUNTS, clock()))
    await changed("answers", storage.reports.delete_recruitment(report, person, clock()))
    await changed("tree", join(storage, clock(), "n", tree["B2"]))
    await changed("tree", storage.people.remove_role(staff.d.role_id, person, clock()))
    await changed("tree", storage.people.set_unreachable(staff.b.person.id, clock()))
    await changed("tree", storage.people.touch(staff.b.person.id, "chat-b", "B"))
    await changed("tree", storage.units.import_rows([UnitRow("B9", "Branch Nine", "branch", "G2", False, 5)],
                                                    clock()))
    await changed("tree", storage.units.import_rows([UnitRow("B9", "Branch Nine", "branch", "G1", False, 5)],
                                                    clock()))
    await changed("tree", storage.units.import_rows([UnitRow("B9", "Branch 9", "branch", "G1", True, 5)],
                                                    clock()))


async def test_queue_notes_the_step_and_queues_a_bundle_a_person(storage, clock, tree, staff):
    b1, b5 = tree["B1"].id, tree["B5"].id
    a, d, b = staff.a.person.id, staff.d.person.id, staff.b.person.id
    recipients = {b1: [a, d], b5: [b]}
    queued = await storage.deadlines.queue([(BEFORE_7, {body("Còn 7 ngày"): [b1, b5]})], recipients, clock())
    assert queued == 3
    assert await storage.deadlines.covered(BEFORE_7) == {b1, b5}
    assert await storage.deadlines.covered(BEFORE_14) == {b1, b5}             # a later step covers earlier ones
    assert await storage.deadlines.covered(DUE) == set()
    assert await storage.deadlines.covered(LATE) == set()                     # another kind
    assert await storage.deadlines.covered(Step("remind", ITEM, "2027-Q1", "before-7", 1)) == set()
    assert await storage.deadlines.covered(Step("remind", "other", OCC, "before-7", 1)) == set()
    assert await storage.outbox.sent_to("chat-a") == [
        (f"r:{b1}:{ITEM}:{OCC}:before-7:{a}", "queued", body("Còn 7 ngày"))]
    assert await storage.outbox.sent_to("chat-d") == [
        (f"r:{b1}:{ITEM}:{OCC}:before-7:{d}", "queued", body("Còn 7 ngày"))]
    assert await storage.outbox.sent_to("chat-b") == [
        (f"r:{b5}:{ITEM}:{OCC}:before-7:{b}", "queued", body("Còn 7 ngày"))]
    assert await storage.deadlines.queue([], recipients, clock()) == 0


async def test_an_escalation_is_keyed_by_district(storage, clock, tree, staff):
    d1, o = tree["D1"].id, staff.o.person.id
    assert await storage.deadlines.queue([(LATE, {body("Trễ: Branch One"): [d1]})], {d1: [o]}, clock()) == 1
    assert await storage.outbox.sent_to("chat-o") == [(f"e:{d1}:{ITEM}:{OCC}:{o}", "queued", body("Trễ: Branch One"))]
    assert await storage.deadlines.covered(LATE) == {d1}


async def test_steps_queued_together_reach_a_person_one_part_at_a_time(storage, clock, tree, staff):
    b1, a = tree["B1"].id, staff.a.person.id
    other = Step("remind", "hop-chi-doan", "2026-11", "due", 2)
    assert await storage.deadlines.queue([(BEFORE_7, {body("first"): [b1]}), (other, {body("second"): [b1]})],
                                         {b1: [a]}, clock()) == 2
    assert await storage.outbox.sent_to("chat-a") == [
        (f"r:{b1}:{ITEM}:{OCC}:before-7:{a}", "queued", body("first")),
        (f"r:{b1}:hop-chi-doan:2026-11:due:{a}", "queued", body("second"))]
    (row,) = [r for r in await storage.outbox.claim("terminal", clock(), 10) if r.person_id == a]
    assert text_of(row.payload) == "first"
    assert [s for _, s, _ in await storage.outbox.sent_to("chat-a")] == ["sending", "queued"]
    await storage.outbox.mark_sent(row.id, "m1", clock(), timedelta(seconds=1))
    assert [s for _, s, _ in await storage.outbox.sent_to("chat-a")] == ["sent", "queued"]
    assert [r for r in await storage.outbox.claim("terminal", clock(), 10) if r.person_id == a] == []
    clock.advance(seconds=1)
    (row,) = [r for r in await storage.outbox.claim("terminal", clock(), 10) if r.person_id == a]
    assert text_of(row.payload) == "second"
    await storage.outbox.mark_sent(row.id, "m2", clock())
    assert [s for _, s, _ in await storage.outbox.sent_to("chat-a")] == ["sent", "sent"]


async def test_a_bundle_part_refused_for_good_lets_the_next_part_go(storage, clock, tree, staff):
    b1, a = tree["B1"].id, staff.a.person.id
    await storage.deadlines.queue([(BEFORE_7, {body("first"): [b1]}), (DUE, {body("second"): [b1]})],
                                  {b1: [a]}, clock())
    (row,) = [r for r in await storage.outbox.claim("terminal", clock(), 10) if r.person_id == a]
    await storage.outbox.fail(row.id, "400")
    (row,) = [r for r in await storage.outbox.claim("terminal", clock(), 10) if r.person_id == a]
    assert text_of(row.payload) == "second"


async def test_a_reminder_key_queued_twice_is_sent_once(storage, clock, tree, staff):
    b1, b5 = tree["B1"].id, tree["B5"].id
    a, b = staff.a.person.id, staff.b.person.id
    recipients = {b1: [a], b5: [b]}
    assert await storage.atomic(tick, BEFORE_7, {body("Còn 7 ngày"): [b1]}, recipients, clock()) == 1
    clock.advance(minutes=5)
    assert await storage.atomic(tick, BEFORE_7, {body("Còn 7 ngày"): [b1, b5]}, recipients, clock()) == 1
    assert await storage.atomic(tick, BEFORE_14, {body("Còn 14 ngày"): [b1, b5]}, recipients, clock()) == 0
    assert await storage.atomic(tick, BEFORE_7, {body("Còn 7 ngày"): [b1, b5]}, recipients, clock()) == 0
    keys = [key for chat in ("chat-a", "chat-b") for key, _, _ in await storage.outbox.sent_to(chat)]
    assert keys == [f"r:{b1}:{ITEM}:{OCC}:before-7:{a}", f"r:{b5}:{ITEM}:{OCC}:before-7:{b}"]
    sent = []
    while rows := await storage.outbox.claim("terminal", clock(), 10):
        for row in rows:
            sent.append((row.person_id, text_of(row.payload)))
            await storage.outbox.mark_sent(row.id, "m", clock())
    assert sorted(sent) == sorted([(a, "Còn 7 ngày"), (b, "Còn 7 ngày")])
    # the next step still goes
    assert await storage.atomic(tick, DUE, {body("Hôm nay"): [b1, b5]}, recipients, clock()) == 2


async def test_ticks_at_the_same_time_queue_a_reminder_once(storage, clock, tree, staff):
    b1, a = tree["B1"].id, staff.a.person.id
    results = await asyncio.gather(*(storage.atomic(tick, BEFORE_7, {body("x"): [b1]}, {b1: [a]}, clock())
                                     for _ in range(5)))
    assert sorted(results) == [0, 0, 0, 0, 1]
    assert len(await storage.outbox.sent_to("chat-a")) == 1


async def test_forget_batches_forgets_steps_queued_before_a_moment(storage, clock, tree, staff):
    b1, b5 = tree["B1"].id, tree["B5"].id
    recipients = {b1: [staff.a.person.id], b5: [staff.b.person.id]}
    await storage.deadlines.queue([(BEFORE_7, {body("old"): [b1]})], recipients, clock())
    clock.advance(days=100)
    await storage.deadlines.queue([(DUE, {body("new"): [b5]})], recipients, clock())
    assert await storage.deadlines.forget_batches(clock() - timedelta(days=30)) == 1
    assert await storage.deadlines.forget_batches(clock() - timedelta(days=30)) == 0
    assert await storage.deadlines.covered(BEFORE_7) == {b5}                  # b1's step forgotten; b5 due later
    assert await storage.deadlines.covered(DUE) == {b5}
    assert await storage.deadlines.forget_batches(clock()) == 0                # queued at `before`: kept
