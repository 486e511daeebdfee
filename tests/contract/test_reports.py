"""Reports: meetings and 1+1 counts, created, corrected field by field, deleted softly, each change
kept in the audit trail with who made it."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from storage.reports import AuditEntry, Meeting
from tests.contract.helpers import join

MEETING = {"held_on": date(2026, 11, 20), "kind": "branch", "mode": "in_person", "attended": 12,
           "note": "Sinh hoạt chủ điểm tháng 11"}
COUNTS = {"period": "2026-H2", "participants": 10, "youth_reached": 14, "new_members": 3, "party_introduced": 1}


@pytest.fixture
async def secretary(storage, clock, tree):
    return await join(storage, clock(), "s1", tree["B1"], name="Phạm Thu")


async def test_add_meeting_records_it_with_the_members_of_the_day(storage, clock, tree, secretary):
    b1 = tree["B1"].id
    meeting_id = await storage.reports.add_meeting(b1, secretary.person.id, MEETING, clock())
    assert isinstance(meeting_id, int)
    assert await storage.reports.get_meeting(meeting_id) == Meeting(
        meeting_id, b1, date(2026, 11, 20), "branch", "in_person", 12, 20, False, "Sinh hoạt chủ điểm tháng 11",
        clock(), clock())
    await storage.units.set_members(b1, 30, "admitted", "", None, clock())
    assert (await storage.reports.get_meeting(meeting_id)).members_then == 20         # as it was then
    over = await storage.reports.add_meeting(b1, secretary.person.id, {
        "held_on": date(2026, 11, 21), "kind": "committee", "mode": "hybrid", "attended": 40,
        "over_members": True}, clock())
    found = await storage.reports.get_meeting(over)
    assert (found.kind, found.mode, found.over_members, found.note, found.members_then) == (
        "committee", "hybrid", True, "", 30)
    assert await storage.reports.audit_trail(b1, "meeting", meeting_id) == [
        AuditEntry("meeting", meeting_id, "create", "", None, None, "Phạm Thu", clock())]


async def test_get_meeting_of_an_unknown_id_is_none(storage):
    assert await storage.reports.get_meeting(12345) is None


async def test_update_meeting_changes_fields_one_audit_line_each(storage, clock, tree, secretary):
    b1 = tree["B1"].id
    meeting_id = await storage.reports.add_meeting(b1, secretary.person.id, MEETING, clock())
    created = clock()
    clock.advance(hours=2)
    changed = await storage.reports.update_meeting(meeting_id, secretary.person.id, {
        **MEETING, "attended": 15, "held_on": date(2026, 11, 19), "mode": "online"}, clock())
    assert changed == 3
    meeting = await storage.reports.get_meeting(meeting_id)
    assert (meeting.attended, meeting.held_on, meeting.mode, meeting.kind) == (15, date(2026, 11, 19), "online",
                                                                              "branch")
    assert (meeting.created_at, meeting.updated_at) == (created, clock())
    trail = await storage.reports.audit_trail(b1, "meeting", meeting_id)
    assert [(e.action, e.field) for e in trail[:1]] == [("create", "")]
    assert sorted((e.action, e.field, e.old_value, e.new_value) for e in trail[1:]) == [
        ("update", "attended", "12", "15"),
        ("update", "held_on", "2026-11-20", "2026-11-19"),
        ("update", "mode", "in_person", "online"),
    ]
    assert {e.at for e in trail[1:]} == {clock()} and {e.person_name for e in trail} == {"Phạm Thu"}
    clock.advance(hours=1)
    assert await storage.reports.update_meeting(meeting_id, secretary.person.id, {"attended": 15}, clock()) == 0
    assert (await storage.reports.get_meeting(meeting_id)).updated_at == clock() - timedelta(hours=1)
    assert len(await storage.reports.audit_trail(b1, "meeting", meeting_id)) == 4
    assert await storage.reports.update_meeting(meeting_id + 1000, secretary.person.id, {"attended": 1},
                                                clock()) == 0


async def test_delete_meeting_hides_it_once_and_keeps_its_trail(storage, clock, tree, secretary):
    b1 = tree["B1"].id
    meeting_id = await storage.reports.add_meeting(b1, secretary.person.id, MEETING, clock())
    clock.advance(days=1)
    assert await storage.reports.delete_meeting(meeting_id, secretary.person.id, clock()) is True
    assert await storage.reports.delete_meeting(meeting_id, secretary.person.id, clock()) is False
    assert await storage.reports.get_meeting(meeting_id) is None
    assert await storage.reports.meetings(b1, date(2026, 1, 1)) == []
    assert await storage.reports.update_meeting(meeting_id, secretary.person.id, {"attended": 1}, clock()) == 0
    assert [e.action for e in await storage.reports.audit_trail(b1, "meeting", meeting_id)] == ["create", "delete"]
    assert await storage.reports.last_report_at(b1) == clock()


async def test_meetings_lists_a_branchs_meetings_since_a_day_newest_first(storage, clock, tree, secretary):
    b1, b2 = tree["B1"].id, tree["B2"].id
    ids = {}
    for day in (date(2026, 9, 1), date(2026, 11, 2), date(2026, 10, 15), date(2026, 11, 2)):
        ids.setdefault(day, []).append(
            await storage.reports.add_meeting(b1, secretary.person.id, {**MEETING, "held_on": day}, clock()))
    await storage.reports.add_meeting(b2, secretary.person.id, MEETING, clock())
    found = await storage.reports.meetings(b1, date(2026, 10, 15))
    assert [(m.held_on, m.id) for m in found] == [
        (date(2026, 11, 2), ids[date(2026, 11, 2)][1]), (date(2026, 11, 2), ids[date(2026, 11, 2)][0]),
        (date(2026, 10, 15), ids[date(2026, 10, 15)][0])]
    assert len(await storage.reports.meetings(b1, date(2026, 1, 1))) == 4
    assert await storage.reports.meetings(b1, date(2026, 11, 3)) == []


async def test_save_recruitment_creates_then_corrects_the_periods_counts(storage, clock, tree, secretary):
    b1 = tree["B1"].id
    first = await storage.reports.save_recruitment(b1, secretary.person.id, COUNTS, clock())
    report = await storage.reports.get_recruitment(first)
    assert (report.unit_id, report.period, report.participants, report.youth_reached, report.new_members,
            report.party_introduced, report.members_then) == (b1, "2026-H2", 10, 14, 3, 1, 20)
    assert report.created_at == clock() == report.updated_at
    clock.advance(days=1)
    again = await storage.reports.save_recruitment(b1, secretary.person.id, {**COUNTS, "new_members": 4}, clock())
    assert again == first
    corrected = await storage.reports.get_recruitment(first)
    assert (corrected.new_members, corrected.participants, corrected.updated_at) == (4, 10, clock())
    trail = await storage.reports.audit_trail(b1, "recruitment", first)
    assert [(e.action, e.field, e.old_value, e.new_value) for e in trail] == [
        ("create", "", None, None), ("update", "new_members", "3", "4")]
    other = await storage.reports.save_recruitment(b1, secretary.person.id, {**COUNTS, "period": "2027-H1"},
                                                   clock())
    assert other != first


async def test_update_recruitment_changes_counts_one_audit_line_each(storage, clock, tree, secretary):
    b1 = tree["B1"].id
    report_id = await storage.reports.save_recruitment(b1, secretary.person.id, COUNTS, clock())
    clock.advance(hours=1)
    assert await storage.reports.update_recruitment(report_id, secretary.person.id, {
        "participants": 11, "youth_reached": 14, "party_introduced": 0}, clock()) == 2
    report = await storage.reports.get_recruitment(report_id)
    assert (report.participants, report.youth_reached, report.party_introduced, report.updated_at) == (
        11, 14, 0, clock())
    assert sorted((e.action, e.field, e.old_value, e.new_value) for e in
                  (await storage.reports.audit_trail(b1, "recruitment", report_id))[1:]) == [
        ("update", "participants", "10", "11"), ("update", "party_introduced", "1", "0")]
    assert await storage.reports.update_recruitment(report_id, secretary.person.id, {"participants": 11},
                                                    clock()) == 0
    assert await storage.reports.update_recruitment(report_id + 1000, secretary.person.id, COUNTS, clock()) == 0


async def test_recruitment_for_finds_a_branchs_report_of_a_period(storage, clock, tree, secretary):
    b1 = tree["B1"].id
    report_id = await storage.reports.save_recruitment(b1, secretary.person.id, COUNTS, clock())
    assert (await storage.reports.recruitment_for(b1, "2026-H2")).id == report_id
    assert await storage.reports.recruitment_for(b1, "2026-H1") is None
    assert await storage.reports.recruitment_for(tree["B2"].id, "2026-H2") is None
    assert await storage.reports.get_recruitment(report_id + 1000) is None


async def test_recruitments_lists_reports_updated_since_a_moment_newest_period_first(storage, clock, tree,
                                                                                     secretary):
    b1 = tree["B1"].id
    start = clock()
    h1 = await storage.reports.save_recruitment(b1, secretary.person.id, {**COUNTS, "period": "2026-H1"}, clock())
    clock.advance(days=10)
    h2 = await storage.reports.save_recruitment(b1, secretary.person.id, COUNTS, clock())
    year = await storage.reports.save_recruitment(b1, secretary.person.id, {**COUNTS, "period": "2025-H2"},
                                                  clock())
    await storage.reports.save_recruitment(tree["B2"].id, secretary.person.id, COUNTS, clock())
    assert [r.id for r in await storage.reports.recruitments(b1, start)] == [h2, h1, year]
    assert [r.id for r in await storage.reports.recruitments(b1, clock())] == [h2, year]
    clock.advance(days=1)
    await storage.reports.update_recruitment(h1, secretary.person.id, {"participants": 1}, clock())
    assert [r.id for r in await storage.reports.recruitments(b1, clock())] == [h1]


async def test_delete_recruitment_hides_it_once_and_frees_its_period(storage, clock, tree, secretary):
    b1 = tree["B1"].id
    report_id = await storage.reports.save_recruitment(b1, secretary.person.id, COUNTS, clock())
    assert await storage.reports.delete_recruitment(report_id, secretary.person.id, clock()) is True
    assert await storage.reports.delete_recruitment(report_id, secretary.person.id, clock()) is False
    assert await storage.reports.get_recruitment(report_id) is None
    assert await storage.reports.recruitment_for(b1, "2026-H2") is None
    assert await storage.reports.recruitments(b1, clock() - timedelta(days=1)) == []
    assert await storage.reports.update_recruitment(report_id, secretary.person.id, {"participants": 1},
                                                    clock()) == 0
    fresh = await storage.reports.save_recruitment(b1, secretary.person.id, COUNTS, clock())
    assert fresh != report_id and (await storage.reports.recruitment_for(b1, "2026-H2")).id == fresh
    assert [e.action for e in await storage.reports.audit_trail(b1, "recruitment", report_id)] == [
        "create", "delete"]


async def test_last_report_at_is_the_latest_change_of_any_report(storage, clock, tree, secretary):
    b1 = tree["B1"].id
    assert await storage.reports.last_report_at(b1) is None
    meeting_id = await storage.reports.add_meeting(b1, secretary.person.id, MEETING, clock())
    assert await storage.reports.last_report_at(b1) == clock()
    clock.advance(days=2)
    await storage.reports.save_recruitment(b1, secretary.person.id, COUNTS, clock())
    assert await storage.reports.last_report_at(b1) == clock()
    clock.advance(days=2)
    await storage.reports.update_meeting(meeting_id, secretary.person.id, {"attended": 13}, clock())
    assert await storage.reports.last_report_at(b1) == clock()
    assert await storage.reports.last_report_at(tree["B2"].id) is None


async def test_audit_trail_is_per_report_oldest_first(storage, clock, tree, secretary):
    b1 = tree["B1"].id
    first = await storage.reports.add_meeting(b1, secretary.person.id, MEETING, clock())
    second = await storage.reports.add_meeting(b1, None, MEETING, clock())
    clock.advance(minutes=5)
    await storage.reports.update_meeting(first, secretary.person.id, {"note": "Sửa"}, clock())
    assert [e.action for e in await storage.reports.audit_trail(b1, "meeting", first)] == ["create", "update"]
    assert await storage.reports.audit_trail(b1, "meeting", second) == [
        AuditEntry("meeting", second, "create", "", None, None, None, clock() - timedelta(minutes=5))]
    assert await storage.reports.audit_trail(b1, "recruitment", first) == []
    assert await storage.reports.audit_trail(tree["B2"].id, "meeting", first) == []


async def test_a_meeting_filed_late_keeps_the_flag_and_changes_it_without_an_audit_line(storage, clock, tree,
                                                                                       secretary):
    b1 = tree["B1"].id
    late = await storage.reports.add_meeting(b1, secretary.person.id, {**MEETING, "held_on": date(2026, 6, 15),
                                                                       "filed_late": True}, clock())
    on_time = await storage.reports.add_meeting(b1, secretary.person.id, MEETING, clock())
    assert (await storage.reports.get_meeting(late)).filed_late is True
    assert (await storage.reports.get_meeting(on_time)).filed_late is False
    clock.advance(hours=1)
    assert await storage.reports.update_meeting(late, secretary.person.id, {
        "held_on": date(2026, 11, 21), "filed_late": False}, clock()) == 2
    assert (await storage.reports.get_meeting(late)).filed_late is False
    trail = await storage.reports.audit_trail(b1, "meeting", late)
    assert [(e.action, e.field) for e in trail] == [("create", ""), ("update", "held_on")]


async def test_meetings_on_finds_a_branchs_meetings_of_one_day_and_kind(storage, clock, tree, secretary):
    b1 = tree["B1"].id
    first = await storage.reports.add_meeting(b1, secretary.person.id, MEETING, clock())
    second = await storage.reports.add_meeting(b1, secretary.person.id, MEETING, clock())
    await storage.reports.add_meeting(b1, secretary.person.id, {**MEETING, "kind": "committee"}, clock())
    await storage.reports.add_meeting(tree["B2"].id, secretary.person.id, MEETING, clock())
    gone = await storage.reports.add_meeting(b1, secretary.person.id, MEETING, clock())
    await storage.reports.delete_meeting(gone, secretary.person.id, clock())
    assert [m.id for m in await storage.reports.meetings_on(b1, date(2026, 11, 20), "branch")] == [first, second]
    assert await storage.reports.meetings_on(b1, date(2026, 11, 19), "branch") == []


async def test_filed_late_and_late_under_list_the_meetings_filed_late(storage, clock, tree, secretary):
    b1, b5 = tree["B1"].id, tree["B5"].id
    start = clock()
    june = await storage.reports.add_meeting(b1, secretary.person.id, {**MEETING, "held_on": date(2026, 6, 15),
                                                                       "filed_late": True}, clock())
    july = await storage.reports.add_meeting(b5, None, {**MEETING, "held_on": date(2026, 7, 2),
                                                        "filed_late": True}, clock())
    await storage.reports.add_meeting(b1, secretary.person.id, MEETING, clock())             # on time
    assert [m.id for m in await storage.reports.filed_late(b1, start)] == [june]
    assert await storage.reports.filed_late(b1, clock() + timedelta(seconds=1)) == []
    far_past = start - timedelta(days=400)
    held_in_june = await storage.reports.late_under(tree["D1"].id, date(2026, 6, 1), date(2026, 6, 30),
                                                     far_past, far_past)
    assert [(m.meeting_id, m.unit_id, m.held_on, m.kind, m.filed_at) for m in held_in_june] == [
        (june, b1, date(2026, 6, 15), "branch", clock())]
    filed_now = await storage.reports.late_under(tree["D1"].id, date(2020, 1, 1), date(2020, 1, 31),
                                                  start, start + timedelta(days=1))
    assert {m.meeting_id for m in filed_now} == {june, july}
    assert await storage.reports.late_under(tree["D2"].id, date(2026, 1, 1), date(2026, 12, 31),
                                            start, start + timedelta(days=1)) == []
    assert await storage.reports.late_under(123456, date(2026, 1, 1), date(2026, 12, 31), start, start) == []


async def test_last_meeting_is_a_branchs_latest_of_one_kind(storage, clock, tree, secretary):
    b1 = tree["B1"].id
    assert await storage.reports.last_meeting(b1, "branch") is None
    older = await storage.reports.add_meeting(b1, secretary.person.id, MEETING, clock())
    newer = await storage.reports.add_meeting(b1, secretary.person.id, {**MEETING, "attended": 18}, clock())
    await storage.reports.add_meeting(b1, secretary.person.id, {                  # reported later, held before
        **MEETING, "held_on": date(2026, 11, 2), "attended": 5}, clock())
    committee = await storage.reports.add_meeting(b1, secretary.person.id, {
        **MEETING, "kind": "committee", "held_on": date(2026, 11, 22), "attended": 4}, clock())
    await storage.reports.add_meeting(tree["B2"].id, secretary.person.id, {
        **MEETING, "held_on": date(2026, 11, 22)}, clock())                        # another branch
    assert (await storage.reports.last_meeting(b1, "branch")).id == newer        # same day: the later report
    assert (await storage.reports.last_meeting(b1, "committee")).id == committee
    await storage.reports.delete_meeting(newer, secretary.person.id, clock())
    assert (await storage.reports.last_meeting(b1, "branch")).id == older         # a withdrawn one is not it


async def test_last_recruitment_is_the_report_sent_last_whatever_its_period(storage, clock, tree, secretary):
    b1 = tree["B1"].id
    assert await storage.reports.last_recruitment(b1) is None
    h2 = await storage.reports.save_recruitment(b1, secretary.person.id, COUNTS, clock())
    clock.advance(days=3)
    h1 = await storage.reports.save_recruitment(b1, secretary.person.id, {**COUNTS, "period": "2026-H1"}, clock())
    await storage.reports.save_recruitment(tree["B2"].id, secretary.person.id, {**COUNTS, "period": "2026"},
                                           clock() + timedelta(days=1))
    assert (await storage.reports.last_recruitment(b1)).id == h1
    await storage.reports.delete_recruitment(h1, secretary.person.id, clock())
    assert (await storage.reports.last_recruitment(b1)).id == h2
