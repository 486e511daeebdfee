"""Photos: evidence photos of meetings, waiting on an open meeting form or kept with a meeting;
the limit per meeting; the meeting a person saved last; and the meetings of a subtree with their
photo counts, for the digest."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from tests.contract.helpers import join

MEETING = {"held_on": date(2026, 11, 20), "kind": "branch", "mode": "in_person", "attended": 12}


async def _meeting(storage, unit, person, now, **values) -> int:
    return await storage.reports.add_meeting(unit.id, person.person.id, {**MEETING, **values}, now)


async def test_a_photo_of_a_saved_meeting_is_kept_with_its_path_size_and_time(storage, clock, tree):
    lan = await join(storage, clock(), "s1", tree["B1"])
    meeting = await _meeting(storage, tree["B1"], lan, clock())
    added = await storage.photos.add(tree["B1"].id, lan.person.id, "1/a.jpg", 2048, clock(), meeting_id=meeting)
    assert (added.status, added.count) == ("added", 1)
    [photo] = await storage.photos.of_meeting(meeting)
    assert (photo.unit_id, photo.person_id, photo.meeting_id, photo.session_id) == (
        tree["B1"].id, lan.person.id, meeting, None)
    assert (photo.path, photo.size, photo.received_at) == ("1/a.jpg", 2048, clock())
    assert await storage.photos.counts([meeting, meeting + 1]) == {meeting: 1}
    assert await storage.photos.counts([]) == {}


async def test_the_limit_per_meeting_holds_and_a_deleted_meeting_takes_none(storage, clock, tree):
    lan = await join(storage, clock(), "s1", tree["B1"])
    meeting = await _meeting(storage, tree["B1"], lan, clock())
    for n in range(3):
        assert (await storage.photos.add(tree["B1"].id, lan.person.id, f"1/{n}.jpg", 10, clock(),
                                         meeting_id=meeting, limit=3)).count == n + 1
    full = await storage.photos.add(tree["B1"].id, lan.person.id, "1/x.jpg", 10, clock(), meeting_id=meeting, limit=3)
    assert (full.status, full.count) == ("full", 3)
    assert [p.path for p in await storage.photos.of_meeting(meeting)] == ["1/0.jpg", "1/1.jpg", "1/2.jpg"]
    await storage.reports.delete_meeting(meeting, lan.person.id, clock())
    gone = await storage.photos.add(tree["B1"].id, lan.person.id, "1/y.jpg", 10, clock(), meeting_id=meeting)
    assert gone.status == "gone"
    with pytest.raises(ValueError):
        await storage.photos.add(tree["B1"].id, lan.person.id, "1/z.jpg", 10, clock())


async def test_photos_wait_on_the_open_form_and_go_to_the_meeting_it_saves(storage, clock, tree):
    lan = await join(storage, clock(), "s1", tree["B1"])
    nam = await join(storage, clock(), "s2", tree["B5"])
    session = await storage.forms.start(lan.person.id, tree["B1"].id, "meeting", {}, clock())
    for n in range(2):
        added = await storage.photos.add(tree["B1"].id, lan.person.id, f"1/w{n}.jpg", 5, clock(), session_id=session.id)
        assert (added.status, added.count) == ("added", n + 1)
    # someone else's form, or a form no longer open, takes nothing
    assert (await storage.photos.add(tree["B5"].id, nam.person.id, "5/n.jpg", 5, clock(),
                                     session_id=session.id)).status == "gone"
    assert [p.path for p in await storage.photos.waiting(session.id)] == ["1/w0.jpg", "1/w1.jpg"]

    def save(tx):
        tx.forms.finish(session.id, session.version)
        written = tx.reports.add_meeting(tree["B1"].id, lan.person.id, MEETING, clock())
        assert tx.photos.last_meeting_by(lan.person.id) == written
        return written, tx.photos.link(session.id, written, lan.person.id, clock())

    meeting, moved = await storage.atomic(save)
    assert moved == 2 and await storage.photos.waiting(session.id) == []
    assert [(p.path, p.meeting_id, p.session_id) for p in await storage.photos.of_meeting(meeting)] == [
        ("1/w0.jpg", meeting, None), ("1/w1.jpg", meeting, None)]
    assert (await storage.photos.add(tree["B1"].id, lan.person.id, "1/late.jpg", 5, clock(),
                                     session_id=session.id)).status == "gone"


async def test_a_correction_counts_the_photos_of_the_meeting_it_corrects(storage, clock, tree):
    lan = await join(storage, clock(), "s1", tree["B1"])
    meeting = await _meeting(storage, tree["B1"], lan, clock())
    await storage.photos.add(tree["B1"].id, lan.person.id, "1/a.jpg", 5, clock(), meeting_id=meeting)
    session = await storage.forms.start(lan.person.id, tree["B1"].id, "meeting", {}, clock())
    added = await storage.photos.add(tree["B1"].id, lan.person.id, "1/b.jpg", 5, clock(), session_id=session.id,
                                     corrects=meeting, limit=2)
    assert (added.status, added.count) == ("added", 2)
    full = await storage.photos.add(tree["B1"].id, lan.person.id, "1/c.jpg", 5, clock(), session_id=session.id,
                                    corrects=meeting, limit=2)
    assert full.status == "full"


async def test_the_meeting_saved_last_is_recent_for_a_while(storage, clock, tree):
    lan = await join(storage, clock(), "s1", tree["B1"])
    assert await storage.photos.recent_meeting(lan.person.id, clock() - timedelta(minutes=30)) is None
    assert await storage.photos.last_meeting_by(lan.person.id) is None
    first = await _meeting(storage, tree["B1"], lan, clock())
    second = await _meeting(storage, tree["B1"], lan, clock(), held_on=date(2026, 11, 21))
    assert await storage.photos.last_meeting_by(lan.person.id) == second
    await storage.photos.link(999, first, lan.person.id, clock())         # saved, nothing waiting
    assert await storage.photos.recent_meeting(lan.person.id, clock() - timedelta(minutes=30)) == first
    clock.advance(minutes=10)
    assert await storage.photos.link(1000, second, lan.person.id, clock()) == 0
    assert await storage.photos.recent_meeting(lan.person.id, clock() - timedelta(minutes=30)) == second
    clock.advance(minutes=31)
    assert await storage.photos.recent_meeting(lan.person.id, clock() - timedelta(minutes=30)) is None
    await storage.photos.link(1001, second, lan.person.id, clock())
    await storage.reports.delete_meeting(second, lan.person.id, clock())
    assert await storage.photos.recent_meeting(lan.person.id, clock() - timedelta(minutes=30)) is None
    assert await storage.photos.last_meeting_by(lan.person.id) == first


async def test_photos_of_forms_that_ended_unsaved_are_discarded_with_their_paths(storage, clock, tree):
    lan = await join(storage, clock(), "s1", tree["B1"])
    nam = await join(storage, clock(), "s2", tree["B5"])
    old = await storage.forms.start(lan.person.id, tree["B1"].id, "meeting", {}, clock())
    await storage.photos.add(tree["B1"].id, lan.person.id, "1/old.jpg", 5, clock(), session_id=old.id)
    new = await storage.forms.start(lan.person.id, tree["B1"].id, "meeting", {}, clock(), replace=True)
    await storage.photos.add(tree["B1"].id, lan.person.id, "1/new.jpg", 5, clock(), session_id=new.id)
    theirs = await storage.forms.start(nam.person.id, tree["B5"].id, "meeting", {}, clock())
    await storage.photos.add(tree["B5"].id, nam.person.id, "5/theirs.jpg", 5, clock(), session_id=theirs.id)
    meeting = await _meeting(storage, tree["B1"], lan, clock())
    await storage.photos.add(tree["B1"].id, lan.person.id, "1/kept.jpg", 5, clock(), meeting_id=meeting)

    assert await storage.photos.discard_waiting(lan.person.id, new.id) == ["1/old.jpg"]
    assert [p.path for p in await storage.photos.waiting(new.id)] == ["1/new.jpg"]
    assert await storage.photos.discard_waiting(lan.person.id) == ["1/new.jpg"]
    assert await storage.photos.discard_waiting(lan.person.id) == []
    assert [p.path for p in await storage.photos.waiting(theirs.id)] == ["5/theirs.jpg"]     # another person's
    assert [p.path for p in await storage.photos.of_meeting(meeting)] == ["1/kept.jpg"]       # kept ones stay


async def test_meetings_under_a_unit_with_their_photo_counts(storage, clock, tree):
    lan = await join(storage, clock(), "s1", tree["B1"])
    nam = await join(storage, clock(), "s2", tree["B3"])
    b1 = await _meeting(storage, tree["B1"], lan, clock(), held_on=date(2026, 11, 2))
    b1_committee = await _meeting(storage, tree["B1"], lan, clock(), held_on=date(2026, 11, 9), kind="committee",
                                  mode="online", attended=5)
    await _meeting(storage, tree["B1"], lan, clock(), held_on=date(2026, 10, 30))          # before the period
    b3 = await _meeting(storage, tree["B3"], nam, clock(), held_on=date(2026, 11, 3))
    for n in range(2):
        await storage.photos.add(tree["B1"].id, lan.person.id, f"1/{n}.jpg", 5, clock(), meeting_id=b1)
    await storage.photos.add(tree["B3"].id, nam.person.id, "3/0.jpg", 5, clock(), meeting_id=b3)

    found = await storage.photos.meetings_under(tree["D1"].id, date(2026, 11, 1), date(2026, 11, 30))
    assert [(m.meeting_id, m.unit_id, m.held_on, m.kind, m.mode, m.attended, m.photos) for m in found] == [
        (b1, tree["B1"].id, date(2026, 11, 2), "branch", "in_person", 12, 2),
        (b1_committee, tree["B1"].id, date(2026, 11, 9), "committee", "online", 5, 0)]
    province = await storage.photos.meetings_under(tree["P"].id, date(2026, 11, 1), date(2026, 11, 30))
    assert [(m.meeting_id, m.photos) for m in province] == [(b1, 2), (b1_committee, 0), (b3, 1)]
    await storage.reports.delete_meeting(b1, lan.person.id, clock())
    assert [m.meeting_id for m in await storage.photos.meetings_under(tree["B1"].id, date(2026, 11, 1),
                                                                     date(2026, 11, 30))] == [b1_committee]
    assert await storage.photos.meetings_under(999_999, date(2026, 11, 1), date(2026, 11, 30)) == []
