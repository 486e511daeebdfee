"""Digests: the rows a digest of a subtree is computed from; each officer's weekly choice; weekly
digests queued once, with the week noted."""

from __future__ import annotations

from datetime import date, timedelta
from types import SimpleNamespace

import pytest

from storage.digests import AuditLine, DigestPref, MeetingNote, MonthCount, OnePlusOne, Officer, Secretary
from storage.outbox import NewMessage
from tests.contract.helpers import assert_tree_order, body, join

START, END = date(2026, 11, 16), date(2026, 11, 22)
FIRST_DAY, HISTORY_FROM = date(2026, 10, 1), date(2025, 11, 16)
COUNTS = {"period": "2026-H2", "participants": 10, "youth_reached": 14, "new_members": 3, "party_introduced": 1}


def meeting(held_on, attended, kind="branch", mode="in_person", over=False):
    return {"held_on": held_on, "kind": kind, "mode": mode, "attended": attended, "over_members": over}


@pytest.fixture
async def district(storage, clock, tree):
    """D1's branches with a week of reports, and reports elsewhere that D1's digest must not see."""
    ids = {code: unit.id for code, unit in tree.items()}
    a = await join(storage, clock(), "a", tree["B1"], name="Sec One")
    await join(storage, clock(), "d", tree["B1"])                                     # a deputy: not listed
    b = await join(storage, clock(), "b", tree["B5"], name="Sec Five")
    await storage.people.set_unreachable(b.person.id, clock())
    await join(storage, clock(), "x", tree["B3"])                                     # in D2
    await join(storage, clock(), "g", tree["G1"])                                     # not a branch
    me = a.person.id
    add = storage.reports.add_meeting
    history = [await add(ids["B1"], me, meeting(day, attended), clock())           # B1's usual, once
               for day, attended in ((date(2026, 6, 1), 12), (date(2026, 8, 1), 8), (date(2026, 10, 5), 10))]
    online = await add(ids["B1"], me, meeting(date(2026, 11, 18), 12, mode="online"), clock())
    await add(ids["B1"], me, meeting(date(2026, 11, 19), 5, kind="committee", mode="hybrid"), clock())
    jump = await add(ids["B1"], me, meeting(date(2026, 11, 21), 20), clock())        # at least twice the usual
    await add(ids["B1"], me, meeting(date(2026, 11, 25), 9), clock())                # after the week
    over = await add(ids["B2"], me, meeting(date(2026, 11, 17), 15), clock())        # 15 of 10 members
    flagged = await add(ids["B5"], me, meeting(date(2026, 11, 20), 10, over=True), clock())
    await add(ids["B5"], me, meeting(date(2026, 9, 10), 7), clock())                 # before the first day
    await add(ids["B4"], me, meeting(date(2026, 11, 18), 50), clock())               # in D2
    clock.advance(minutes=1)
    deleted = await add(ids["B1"], me, meeting(date(2026, 11, 20), 11), clock())
    clock.advance(minutes=1)
    report = await storage.reports.save_recruitment(ids["B1"], me, COUNTS, clock())
    await storage.reports.save_recruitment(ids["B5"], me, {**COUNTS, "period": "2026-H1"}, clock())
    await storage.reports.save_recruitment(ids["B4"], me, COUNTS, clock())
    corrected_elsewhere = await add(ids["B4"], me, meeting(date(2026, 11, 17), 3), clock())
    clock.advance(minutes=1)
    await storage.reports.delete_meeting(deleted, me, clock())
    await storage.reports.update_meeting(corrected_elsewhere, me, {"attended": 4}, clock())
    await storage.reports.update_meeting(history[-1], me, {"attended": 9}, clock())   # Oct 5: outside the week
    clock.advance(minutes=1)
    await storage.reports.save_recruitment(ids["B1"], me, {**COUNTS, "new_members": 4}, clock())
    await storage.deadlines.confirm(ids["B1"], "bc-quy", "2026-Q4", me, clock())
    await storage.deadlines.confirm(ids["B5"], "bc-nam", "2026", None, clock())
    await storage.deadlines.confirm(ids["B4"], "bc-quy", "2026-Q4", None, clock())
    return SimpleNamespace(ids=ids, a=a, b=b, online=online, jump=jump, over=over, flagged=flagged,
                           deleted=deleted, report=report)


async def gather(storage, tree, keys=("2026-H2",)):
    return await storage.digests.gather(tree["D1"].id, FIRST_DAY, START, END, HISTORY_FROM, list(keys))


async def test_gather_reads_the_chain_and_the_units_of_the_subtree(storage, tree, district):
    rows = await gather(storage, tree)
    assert rows.chain == [tree["P"], tree["D1"]]
    assert {u.code for u in rows.units} == {"D1", "G1", "G2", "B1", "B2", "B5"}
    assert rows.units[0] == tree["D1"]
    assert_tree_order(rows.units)
    assert await storage.digests.gather(max(u.id for u in tree.values()) + 1000, FIRST_DAY, START, END,
                                        HISTORY_FROM, []) is None


async def test_gather_lists_the_branch_secretaries(storage, tree, district):
    rows = await gather(storage, tree)
    assert sorted(rows.secretaries, key=lambda s: s.unit_id) == sorted([
        Secretary(tree["B1"].id, "Sec One", False), Secretary(tree["B5"].id, "Sec Five", True)],
        key=lambda s: s.unit_id)


async def test_gather_counts_meetings_by_branch_month_and_kind(storage, tree, district):
    ids = district.ids
    rows = await gather(storage, tree)
    # (unit, month, branch meetings, online, attended, members then, committee meetings)
    assert sorted(tuple(m) for m in rows.months) == sorted([
        (ids["B1"], "2026-10", 1, 0, 9, 20, 0),
        (ids["B1"], "2026-11", 2, 1, 32, 40, 1),
        (ids["B2"], "2026-11", 1, 0, 15, 10, 0),
        (ids["B5"], "2026-11", 1, 0, 10, 15, 0),
    ])
    assert all(isinstance(m, MonthCount) for m in rows.months)


async def test_gather_notes_meetings_over_the_members_and_jumps_in_attendance(storage, tree, district):
    ids = district.ids
    rows = await gather(storage, tree)
    assert set(rows.over) == {
        MeetingNote(district.over, ids["B2"], date(2026, 11, 17), "branch", 15, 10, None),
        MeetingNote(district.flagged, ids["B5"], date(2026, 11, 20), "branch", 10, 15, None)}
    (jump,) = rows.jumps
    assert (jump.meeting_id, jump.unit_id, jump.held_on, jump.kind, jump.attended, jump.members_then) == (
        district.jump, ids["B1"], date(2026, 11, 21), "branch", 20, 20)
    assert jump.average == pytest.approx((12 + 8 + 9) / 3)


async def test_gather_reads_the_one_plus_one_reports_of_the_periods(storage, tree, district):
    rows = await gather(storage, tree)
    assert rows.oneplusone == [OnePlusOne(district.ids["B1"], "2026-H2", 10, 14, 4, 1, 20)]
    assert (await gather(storage, tree, keys=())).oneplusone == []
    assert {(r.unit_id, r.period) for r in (await gather(storage, tree, ("2026-H1", "2026-H2"))).oneplusone} == {
        (district.ids["B1"], "2026-H2"), (district.ids["B5"], "2026-H1")}


async def test_gather_gives_the_whole_trail_of_reports_of_the_period_changed_since(storage, clock, tree, district):
    rows = await gather(storage, tree)
    b1 = district.ids["B1"]
    assert [(line.subject, line.subject_id, line.action, line.field, line.old_value, line.new_value,
             line.person_name, line.report) for line in rows.audit] == [
        ("meeting", district.deleted, "create", "", None, None, "Sec One", "2026-11-20"),
        ("recruitment", district.report, "create", "", None, None, "Sec One", "2026-H2"),
        ("meeting", district.deleted, "delete", "", None, None, "Sec One", "2026-11-20"),
        ("recruitment", district.report, "update", "new_members", "3", "4", "Sec One", "2026-H2"),
    ]
    assert {line.unit_id for line in rows.audit} == {b1}
    assert [line.at for line in rows.audit] == [clock() - timedelta(minutes=m) for m in (3, 2, 1, 0)]
    assert all(isinstance(line, AuditLine) for line in rows.audit)
    without_periods = await gather(storage, tree, keys=())
    assert {line.subject for line in without_periods.audit} == {"meeting"}


async def test_gather_reads_what_the_subtree_confirmed(storage, tree, district):
    rows = await gather(storage, tree)
    assert rows.confirmed == {(district.ids["B1"], "bc-quy", "2026-Q4"), (district.ids["B5"], "bc-nam", "2026")}


async def test_pref_is_monday_on_until_changed(storage, clock, tree):
    officer = (await join(storage, clock(), "o", tree["D1"], role="officer")).person.id
    assert await storage.digests.pref(officer) == DigestPref(0, True)
    assert await storage.digests.set_pref(officer, 4, False, clock()) is None
    assert await storage.digests.pref(officer) == DigestPref(4, False)
    await storage.digests.set_pref(officer, 2, True, clock())
    assert await storage.digests.pref(officer) == DigestPref(2, True)


async def test_officers_are_those_holding_the_role_who_still_take_messages(storage, clock, tree):
    o = (await join(storage, clock(), "o", tree["D1"], role="officer")).person.id
    top = (await join(storage, clock(), "top", tree["P"], role="officer")).person.id
    blocked = (await join(storage, clock(), "blk", tree["D2"], role="officer")).person.id
    await storage.people.set_unreachable(blocked, clock())
    left = await join(storage, clock(), "left", tree["D2"], role="officer")
    await storage.people.remove_role(left.role_id, o, clock())
    await join(storage, clock(), "s", tree["B1"])                                        # not an officer
    await storage.digests.set_pref(top, 5, False, clock())
    assert await storage.digests.officers() == [
        Officer(o, tree["D1"].id, 0, True, None), Officer(top, tree["P"].id, 5, False, None)]


async def test_queue_weekly_queues_once_and_notes_the_week(storage, clock, tree):
    o = (await join(storage, clock(), "o", tree["D1"], role="officer")).person.id
    top = (await join(storage, clock(), "top", tree["P"], role="officer")).person.id
    await storage.digests.set_pref(top, 3, False, clock())
    messages = [NewMessage(f"digest:{o}:2026-W48", o, body("Tuần 48")),
                NewMessage(f"digest:{top}:2026-W48", top, body("Tuần 48"))]
    assert await storage.digests.queue_weekly(messages, "2026-W48", clock()) == 2
    assert await storage.digests.queue_weekly(messages[:1], "2026-W48", clock()) == 0
    assert await storage.outbox.sent_to("chat-o") == [(f"digest:{o}:2026-W48", "queued", body("Tuần 48"))]
    assert await storage.digests.officers() == [
        Officer(o, tree["D1"].id, 0, True, "2026-W48"), Officer(top, tree["P"].id, 3, False, "2026-W48")]
    await storage.digests.set_pref(o, 1, True, clock())                                  # keeps the week
    assert (await storage.digests.officers())[0] == Officer(o, tree["D1"].id, 1, True, "2026-W48")
    assert await storage.digests.pref(top) == DigestPref(3, False)                      # the week kept the choice


async def test_gather_counts_the_evidence_photos_of_each_branch_in_the_period(storage, clock, tree, district):
    ids, me = district.ids, district.a.person.id
    assert (await gather(storage, tree)).photos == []
    for n in range(2):
        await storage.photos.add(ids["B1"], me, f"1/o{n}.jpg", 10, clock(), meeting_id=district.online)
    await storage.photos.add(ids["B1"], me, "1/j.jpg", 10, clock(), meeting_id=district.jump)
    await storage.photos.add(ids["B2"], me, "2/o.jpg", 10, clock(), meeting_id=district.over)
    b4 = (await storage.reports.meetings(ids["B4"], START))[0].id
    await storage.photos.add(ids["B4"], me, "4/x.jpg", 10, clock(), meeting_id=b4)          # in D2: not D1's
    rows = await gather(storage, tree)
    assert sorted(tuple(p) for p in rows.photos) == [(ids["B1"], 2, 3), (ids["B2"], 1, 1)]
