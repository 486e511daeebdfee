"""Times: storage takes aware datetimes in any zone, compares them as instants and returns them
aware in UTC; a naive datetime is refused with ValueError and writes nothing."""

from __future__ import annotations

from datetime import date, datetime, timedelta, timezone

import pytest

from storage.outbox import NewMessage, stamp
from storage.repository import iso
from storage.deadlines import Step
from storage.units import UnitRow
from tests.contract.helpers import body, join

HANOI = timezone(timedelta(hours=7))
NAIVE = datetime(2026, 11, 23, 9, 0)
MEETING = {"held_on": date(2026, 11, 20), "kind": "branch", "mode": "in_person", "attended": 12}
COUNTS = {"period": "2026-H2", "participants": 1, "youth_reached": 1, "new_members": 0, "party_introduced": 0}


def is_utc(moment: datetime) -> bool:
    return moment.tzinfo is not None and moment.utcoffset() == timedelta(0)


async def test_times_given_in_another_zone_come_back_as_the_same_instant_in_utc(storage, clock, tree):
    local = clock().astimezone(HANOI)
    person = await join(storage, local, "s1", tree["B1"])
    b1 = tree["B1"].id
    session = await storage.forms.start(person.person.id, b1, "meeting", {}, local)
    meeting_id = await storage.reports.add_meeting(b1, person.person.id, MEETING, local)
    report_id = await storage.reports.save_recruitment(b1, person.person.id, COUNTS, local)
    await storage.units.set_members(b1, 21, "admitted", "", None, local)
    await storage.outbox.enqueue([NewMessage("k", person.person.id, body("k"))], local)
    await storage.menus.remember("zalo", "c", [("a", "b")], False, local)
    found = [
        session.started_at, session.updated_at,
        (await storage.people.members_of(b1))[0].granted_at,
        (await storage.reports.get_meeting(meeting_id)).created_at,
        (await storage.reports.get_meeting(meeting_id)).updated_at,
        (await storage.reports.get_recruitment(report_id)).created_at,
        (await storage.reports.audit_trail(b1, "meeting", meeting_id))[0].at,
        await storage.reports.last_report_at(b1),
        (await storage.units.member_history(b1, local))[0].changed_at,
        (await storage.menus.last("zalo", "c")).shown_at,
    ]
    assert all(is_utc(moment) for moment in found), found
    assert all(moment == local for moment in found), found
    assert all(is_utc(u.created_at) for u in await storage.units.all())


async def test_instants_compare_across_zones(storage, clock, tree):
    await storage.forms.claim("k", clock())                                          # stored from UTC
    assert await storage.forms.forget_processed((clock() + timedelta(seconds=1)).astimezone(HANOI)) == 1
    person = await join(storage, clock(), "s1", tree["B1"])
    await storage.forms.start(person.person.id, tree["B1"].id, "f", {}, clock().astimezone(HANOI))
    minus_five = timezone(timedelta(hours=-5))
    assert await storage.forms.drop_untouched(clock().astimezone(minus_five)) == []
    assert len(await storage.forms.drop_untouched((clock() + timedelta(seconds=1)).astimezone(minus_five))) == 1


async def test_microseconds_do_not_break_ordering(storage, clock, tree):
    person = await join(storage, clock(), "s1", tree["B1"])
    fine = clock() + timedelta(microseconds=250_000)
    session = await storage.forms.start(person.person.id, tree["B1"].id, "f", {}, fine)
    assert is_utc(session.started_at) and abs(session.started_at - fine) < timedelta(seconds=1)
    assert await storage.forms.drop_untouched(fine - timedelta(seconds=1)) == []
    assert len(await storage.forms.drop_untouched(fine + timedelta(seconds=1))) == 1


def test_the_helpers_refuse_naive_datetimes_and_store_utc():
    assert iso(datetime(2026, 11, 23, 9, 0, tzinfo=HANOI)) == iso(datetime(2026, 11, 23, 2, 0, tzinfo=timezone.utc))
    assert stamp(datetime(1970, 1, 1, 0, 0, 1, tzinfo=timezone.utc)) == 1000
    assert stamp(datetime(1970, 1, 1, 7, 0, 1, tzinfo=HANOI)) == 1000
    with pytest.raises(ValueError):
        iso(NAIVE)
    with pytest.raises(ValueError):
        stamp(NAIVE)


async def _setup(storage, clock, tree):
    """A person with a role, an open form, a meeting, a 1+1 report and a message being sent."""
    person = await join(storage, clock(), "s1", tree["B1"])
    pid, b1 = person.person.id, tree["B1"].id
    await storage.invites.create("spare", "spar", b1, "secretary", clock(), clock() + timedelta(days=1))
    session = await storage.forms.start(pid, b1, "meeting", {"step": 1}, clock())
    meeting = await storage.reports.add_meeting(b1, pid, MEETING, clock())
    report = await storage.reports.save_recruitment(b1, pid, COUNTS, clock())
    await storage.outbox.enqueue([NewMessage("k", pid, body("k"))], clock())
    (row,) = await storage.outbox.claim("terminal", clock(), 10)
    return dict(pid=pid, b1=b1, role=person.role_id, session=session, meeting=meeting, report=report, row=row.id)


async def _snapshot(storage, c):
    """What the public API shows of everything the calls below could write."""
    return (
        await storage.units.all(), await storage.units.member_history(c["b1"], datetime(2000, 1, 1, tzinfo=HANOI)),
        await storage.people.on_channel("terminal"), await storage.people.members_of(c["b1"]),
        await storage.forms.conversation("terminal", "s1"),
        await storage.reports.meetings(c["b1"], date(2000, 1, 1)),
        await storage.reports.recruitment_for(c["b1"], "2026-H2"),
        await storage.reports.audit_trail(c["b1"], "meeting", c["meeting"]),
        await storage.outbox.counts(), await storage.outbox.sent_to("chat-s1"),
        await storage.deadlines.versions(), await storage.digests.pref(c["pid"]),
        await storage.menus.last("terminal", "chat-s1"),
    )


NAIVE_CALLS = {
    "units.import_rows": lambda s, c: s.units.import_rows([UnitRow("X", "X", "branch", "G1", False, 1)], NAIVE),
    "units.set_members": lambda s, c: s.units.set_members(c["b1"], 5, "other", "", None, NAIVE),
    "units.member_history": lambda s, c: s.units.member_history(c["b1"], NAIVE),
    "people.remove_role": lambda s, c: s.people.remove_role(c["role"], c["pid"], NAIVE),
    "people.set_unreachable": lambda s, c: s.people.set_unreachable(c["pid"], NAIVE),
    "invites.create(now)": lambda s, c: s.invites.create("new", "new", c["b1"], "secretary", NAIVE,
                                                         datetime(2030, 1, 1, tzinfo=timezone.utc)),
    "invites.create(expires_at)": lambda s, c: s.invites.create("new", "new", c["b1"], "secretary",
                                                                datetime(2026, 1, 1, tzinfo=timezone.utc), NAIVE),
    "invites.revoke": lambda s, c: s.invites.revoke("spare", NAIVE),
    "invites.redeem": lambda s, c: s.invites.redeem("spare", "terminal", "s2", "c", "S2", NAIVE),
    "forms.claim": lambda s, c: s.forms.claim("u1", NAIVE),
    "forms.start": lambda s, c: s.forms.start(c["pid"], c["b1"], "other", {}, NAIVE, True),
    "forms.save": lambda s, c: s.forms.save(c["session"].id, 0, {"step": 2}, NAIVE),
    "forms.forget_processed": lambda s, c: s.forms.forget_processed(NAIVE),
    "forms.drop_untouched": lambda s, c: s.forms.drop_untouched(NAIVE),
    "reports.add_meeting": lambda s, c: s.reports.add_meeting(c["b1"], c["pid"], MEETING, NAIVE),
    "reports.update_meeting": lambda s, c: s.reports.update_meeting(c["meeting"], c["pid"], {"attended": 3}, NAIVE),
    "reports.delete_meeting": lambda s, c: s.reports.delete_meeting(c["meeting"], c["pid"], NAIVE),
    "reports.save_recruitment": lambda s, c: s.reports.save_recruitment(c["b1"], c["pid"],
                                                                        {**COUNTS, "period": "2027"}, NAIVE),
    "reports.update_recruitment": lambda s, c: s.reports.update_recruitment(c["report"], c["pid"],
                                                                            {"participants": 9}, NAIVE),
    "reports.recruitments": lambda s, c: s.reports.recruitments(c["b1"], NAIVE),
    "reports.delete_recruitment": lambda s, c: s.reports.delete_recruitment(c["report"], c["pid"], NAIVE),
    "outbox.enqueue": lambda s, c: s.outbox.enqueue([NewMessage("k2", c["pid"], body("k2"))], NAIVE),
    "outbox.claim": lambda s, c: s.outbox.claim("terminal", NAIVE, 10),
    "outbox.mark_sent": lambda s, c: s.outbox.mark_sent(c["row"], "m", NAIVE),
    "outbox.retry": lambda s, c: s.outbox.retry(c["row"], NAIVE, "e"),
    "outbox.blocked": lambda s, c: s.outbox.blocked(c["row"], NAIVE),
    "outbox.purge": lambda s, c: s.outbox.purge(NAIVE),
    "deadlines.confirm": lambda s, c: s.deadlines.confirm(c["b1"], "i", "o", c["pid"], NAIVE),
    "deadlines.queue": lambda s, c: s.deadlines.queue([(Step("remind", "i", "o", "due", 0), {body("r"): [c["b1"]]})],
                                                      {c["b1"]: [c["pid"]]}, NAIVE),
    "deadlines.forget_batches": lambda s, c: s.deadlines.forget_batches(NAIVE),
    "digests.set_pref": lambda s, c: s.digests.set_pref(c["pid"], 2, False, NAIVE),
    "digests.queue_weekly": lambda s, c: s.digests.queue_weekly([NewMessage("w", c["pid"], body("w"))], "W", NAIVE),
    "menus.remember": lambda s, c: s.menus.remember("terminal", "chat-s1", [("a", "b")], False, NAIVE),
}


@pytest.mark.parametrize("name", sorted(NAIVE_CALLS))
async def test_a_naive_datetime_is_refused_and_nothing_is_written(storage, clock, tree, name):
    context = await _setup(storage, clock, tree)
    before = await _snapshot(storage, context)
    with pytest.raises(ValueError):
        await NAIVE_CALLS[name](storage, context)
    assert await _snapshot(storage, context) == before
    assert await storage.forms.claim("still-works", clock()) is True


NOTHING_TO_WRITE = {
    "units.import_rows(unchanged rows)": lambda s, c, rows: s.units.import_rows(rows, NAIVE),
    "units.import_rows([])": lambda s, c, rows: s.units.import_rows([], NAIVE),
    "reports.update_meeting(no change)": lambda s, c, rows: s.reports.update_meeting(
        c["meeting"], c["pid"], {"attended": 12}, NAIVE),
    "reports.update_recruitment(no change)": lambda s, c, rows: s.reports.update_recruitment(
        c["report"], c["pid"], {"participants": 1}, NAIVE),
    "deadlines.queue([])": lambda s, c, rows: s.deadlines.queue([], {}, NAIVE),
}


@pytest.mark.parametrize("name", sorted(NOTHING_TO_WRITE))
async def test_a_naive_datetime_is_refused_even_with_nothing_to_write(storage, clock, tree, name):
    context = await _setup(storage, clock, tree)
    rows = [UnitRow(u.code, u.name, u.level, None if u.parent_id is None else
                    next(p.code for p in tree.values() if p.id == u.parent_id), u.border, u.members, u.founded_on)
            for u in tree.values()]
    with pytest.raises(ValueError):
        await NOTHING_TO_WRITE[name](storage, context, rows)
