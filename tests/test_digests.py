"""Digest numbers: compliance per DOMAIN.md rule at period edges, hand-computed totals, flags."""

from __future__ import annotations

from datetime import date

from domain import periods
from domain.deadlines.calendar import load_calendar
from domain.digests import compute, text
from messages_vi.formatting import local_today
from storage.units import UnitRow
from tests.support import joined

TODAY = date(2026, 11, 23)          # the fixture clock's day in Vietnam


async def meet(services, code, day, attended, kind="branch", mode="in_person", over=False) -> int:
    """Record a meeting as the meeting form does; returns its id."""
    storage, unit = services.storage, await services.storage.units.by_code(code)
    values = {"held_on": day, "kind": kind, "mode": mode, "attended": attended, "over_members": over}
    return await storage.reports.add_meeting(unit.id, None, values, services.clock())


async def oneplusone(services, code, period, participants, youth, new, party) -> int:
    storage, unit = services.storage, await services.storage.units.by_code(code)
    values = {"period": period, "participants": participants, "youth_reached": youth, "new_members": new,
              "party_introduced": party}
    return await storage.reports.save_recruitment(unit.id, None, values, services.clock())


async def digest(services, code, key, confirmed=None):
    unit = await services.storage.units.by_code(code)
    return await compute.build(services.storage, unit.id, periods.parse(key), local_today(services.clock()),
                               load_calendar(), confirmed)


def status(result, code) -> str:
    return next(b.status for b in result.branches if b.unit.code == code)


async def fill_quarter(services) -> None:
    """Q3 2026 across the sample tree: 32 meetings and 6 1+1 reports (see the hand totals below)."""
    for month in range(1, 7):                       # history: B3 usually 20 people, B4 usually 5
        await meet(services, "B3", date(2026, month, 15), 20)
        await meet(services, "B4", date(2026, month, 15), 5)
    await meet(services, "B1", date(2026, 6, 30), 20)             # the day before the quarter
    for month, attended in ((7, 18), (8, 17), (9, 21)):
        await meet(services, "B1", date(2026, month, 5), attended, over=attended > 20)
        await meet(services, "B1", date(2026, month, 6), 5, kind="committee")
    await meet(services, "B2", date(2026, 8, 15), 8, mode="online")
    await meet(services, "B5", date(2026, 7, 10), 12)
    await meet(services, "B5", date(2026, 9, 10), 13)
    dropped = await meet(services, "B5", date(2026, 8, 20), 14)
    await services.storage.reports.delete_meeting(dropped, None, services.clock())
    await meet(services, "B5", date(2026, 10, 1), 15)             # the day after the quarter
    for day, attended in ((date(2026, 7, 1), 25), (date(2026, 8, 1), 26), (date(2026, 9, 1), 27),
                          (date(2026, 9, 20), 20)):
        await meet(services, "B3", day, attended)
    await meet(services, "B3", date(2026, 8, 2), 6, kind="committee")
    for day, attended in ((date(2026, 7, 31), 6), (date(2026, 8, 31), 7), (date(2026, 9, 30), 12)):
        await meet(services, "B4", day, attended)
    await oneplusone(services, "B1", "2026-H2", 15, 20, 3, 1)
    await oneplusone(services, "B2", "2026-H2", 8, 5, 1, 0)
    await oneplusone(services, "B5", "2026", 10, 12, 2, 1)       # only a year report: used for Q3
    await oneplusone(services, "B3", "2026-H1", 20, 30, 4, 2)    # another half: not Q3's
    await oneplusone(services, "B4", "2026-H2", 12, 9, 1, 1)
    await oneplusone(services, "B4", "2026", 12, 20, 3, 2)       # the half-year comes first


async def test_month_boundaries(services):
    await meet(services, "B1", date(2026, 10, 31), 15)
    await meet(services, "B1", date(2026, 11, 1), 16)
    await meet(services, "B5", date(2026, 9, 30), 12)
    october, november, september = [await digest(services, "D1", k) for k in ("2026-10", "2026-11", "2026-09")]
    assert status(october, "B1") == "met" and status(november, "B1") == "met"
    assert status(september, "B5") == "met"
    assert status(october, "B5") == "not_met"
    assert status(november, "B5") == "pending"          # November is not over on the 23rd
    assert [b.branch_meetings for b in october.branches if b.unit.code == "B1"] == [1]


async def test_border_branch_meets_online_once_a_quarter(services):
    await meet(services, "B2", date(2026, 8, 15), 8, mode="online")
    await meet(services, "B1", date(2026, 7, 5), 15)
    await meet(services, "B1", date(2026, 8, 5), 15)
    q3 = await digest(services, "D1", "2026-Q3")
    assert status(q3, "B2") == "met_online"
    assert status(q3, "B1") == "not_met"
    assert [w.key for b in q3.branches if b.unit.code == "B1" for w in b.windows if w.state == "missed"] == ["2026-09"]
    assert status(await digest(services, "D1", "2026-07"), "B2") == "pending"   # its quarter was still open
    assert status(await digest(services, "D1", "2026-09"), "B2") == "met_online"
    assert status(await digest(services, "D1", "2026-Q4"), "B2") == "pending"
    year = await digest(services, "D1", "2026")
    assert status(year, "B2") == "not_met"
    assert [w.state for b in year.branches if b.unit.code == "B2" for w in b.windows] == [
        "missed", "missed", "met", "open"]


async def test_branch_created_mid_period_is_judged_only_from_then(services):
    await services.storage.units.import_rows(
        [UnitRow("B5", "Chi đoàn khu phố Năm", "branch", "G2", False, 15, date(2026, 8, 10))], services.clock())
    await meet(services, "B5", date(2026, 9, 5), 12)
    q3 = await digest(services, "D1", "2026-Q3")
    b5 = next(b for b in q3.branches if b.unit.code == "B5")
    assert b5.status == "met" and [w.key for w in b5.windows] == ["2026-09"]
    await services.storage.units.import_rows(
        [UnitRow("B5", "Chi đoàn khu phố Năm", "branch", "G2", False, 15, date(2026, 11, 10))], services.clock())
    november = await digest(services, "D1", "2026-11")
    assert status(november, "B5") == "new"
    assert november.totals.judged == 2


async def test_totals_match_hand_computed_values(services):
    await fill_quarter(services)
    d1 = await digest(services, "D1", "2026-Q3")
    totals = d1.totals
    assert (totals.compliant, totals.judged) == (2, 3)
    assert {b.unit.code: b.status for b in d1.branches} == {"B1": "met", "B2": "met_online", "B5": "not_met"}
    assert (totals.branch_meetings, totals.online_meetings, totals.committee_meetings) == (6, 1, 3)
    assert (totals.attended, totals.members_then) == (89, 100)
    assert totals.oneplusone == compute.Figures(33, 37, 6, 2) and totals.oneplusone_reported == 3
    by_group = {g.name: g.totals for g in d1.groups}
    assert by_group["Đoàn xã Biên Giới"].oneplusone == compute.Figures(23, 25, 4, 1)
    assert by_group["Đoàn phường Giữa"].attended == 25

    province = await digest(services, "P", "2026-Q3")
    totals = province.totals
    assert (totals.compliant, totals.judged) == (4, 5)
    assert (totals.branch_meetings, totals.committee_meetings) == (13, 4)
    assert (totals.attended, totals.members_then) == (212, 256)
    assert totals.oneplusone == compute.Figures(45, 46, 7, 3) and totals.oneplusone_reported == 4
    # rolled up by the units directly under the province, whatever they are (here districts)
    assert [g.name for g in province.groups] == ["Huyện đoàn Một", "Huyện đoàn Hai"]
    assert [g.leaf for g in province.groups] == [False, False]
    # and every unit above a branch has its subtree's totals: the province, each district, each grassroots unit
    assert [(g.name, g.totals.branches) for g in province.units] == [
        ("Tỉnh đoàn Thử", 5), ("Huyện đoàn Một", 3), ("Đoàn xã Biên Giới", 2), ("Đoàn phường Giữa", 1),
        ("Huyện đoàn Hai", 2), ("Đoàn xã Ba", 1)]
    assert province.place_levels == (("district",), ("grassroots",))
    b3 = next(b for b in province.branches if b.unit.code == "B3")          # directly under its district
    assert b3.path == ("Huyện đoàn Hai",) and province.places[b3.unit.id] == ("Huyện đoàn Hai",)

    over = province.flags_of("over_members")
    assert [(f.branch, f.day, f.attended, f.members) for f in over] == [("Chi đoàn ấp Một", date(2026, 9, 5), 21, 20)]
    jumps = province.flags_of("jump")
    assert [(f.branch, f.day, f.attended, f.average) for f in jumps] == [("Chi đoàn ấp Bốn", date(2026, 9, 30), 12, 5)]
    corrected = province.flags_of("corrected")
    assert [(f.branch, f.report, [a.action for a in f.trail]) for f in corrected] == [
        ("Chi đoàn khu phố Năm", "2026-08-20", ["create", "delete"])]


async def test_year_uses_year_reports_or_both_halves(services):
    await oneplusone(services, "B1", "2026-H1", 5, 6, 1, 0)
    await oneplusone(services, "B1", "2026-H2", 7, 8, 2, 1)
    await oneplusone(services, "B5", "2026-H1", 4, 4, 1, 1)
    await oneplusone(services, "B5", "2026", 9, 10, 3, 2)
    year = await digest(services, "D1", "2026")
    sources = {b.unit.code: (b.oneplusone, b.oneplusone_period) for b in year.branches if b.oneplusone}
    assert sources == {"B1": (compute.Figures(12, 14, 3, 1), "2026-H1+2026-H2"),
                       "B5": (compute.Figures(9, 10, 3, 2), "2026")}


async def test_report_corrected_after_a_digest_shows_its_new_value(services):
    meeting = await meet(services, "B1", date(2026, 11, 5), 10)
    before = await digest(services, "D1", "2026-11")
    assert before.totals.attended == 10 and not before.flags_of("corrected")
    storage = services.storage
    services.clock.advance(hours=2)
    await storage.reports.update_meeting(meeting, None, {"attended": 14}, services.clock())
    after = await digest(services, "D1", "2026-11")
    assert after.totals.attended == 14
    [flag] = after.flags_of("corrected")
    assert [(a.action, a.field, a.old_value, a.new_value) for a in flag.trail] == [
        ("create", "", None, None), ("update", "attended", "10", "14")]
    assert [(a.action, a.subject_id) for a in after.audit] == [("create", meeting), ("update", meeting)]
    assert "số tham dự 10 → 14" in text.render(after)


async def test_deadlines_confirmed_late_and_upcoming(services):
    await oneplusone(services, "B1", "2026-H1", 5, 6, 1, 0)               # the form answers the review
    b2, g1 = [await services.storage.units.by_code(code) for code in ("B2", "G1")]
    await services.storage.deadlines.confirm(g1.id, "so-ket-bao-cao", "2026", None, services.clock())
    q2 = await digest(services, "D1", "2026-Q2", confirmed={(b2.id, "mot-cong-mot-6-thang", "2026")})
    review = next(d for d in q2.deadlines if d.item_id == "mot-cong-mot-6-thang")
    assert review.due == date(2026, 6, 15)
    assert {o.name: o.state for o in review.owed} == {
        "Chi đoàn ấp Một": "confirmed", "Chi đoàn ấp Hai": "confirmed", "Chi đoàn khu phố Năm": "late"}
    interim = next(d for d in q2.deadlines if d.item_id == "so-ket-bao-cao")
    assert {o.name for o in interim.with_state("confirmed")} == {"Đoàn xã Biên Giới"}
    assert {o.name: o.due for o in interim.owed if o.level != "branch"} == {
        "Huyện đoàn Một": date(2026, 6, 30), "Đoàn xã Biên Giới": date(2026, 6, 25),
        "Đoàn phường Giữa": date(2026, 6, 25)}
    assert not any(d.item_id == "sinh-hoat-thang" for d in q2.deadlines)     # judged as compliance
    q4 = await digest(services, "D1", "2026-Q4")
    quarterly = [d for d in q4.deadlines if d.key == "2026-Q4"]
    assert quarterly and all(o.state == "upcoming" for d in quarterly for o in d.owed)


async def test_a_branch_set_up_after_a_due_date_is_not_listed_for_it(services):
    from storage.units import UnitRow

    await services.storage.units.import_rows(
        [UnitRow("B9", "Chi đoàn ấp Chín", "branch", "G1", False, 12, founded_on=date(2026, 7, 1))],
        services.clock())
    year = await digest(services, "D1", "2026")
    owing = {d.item_id: {o.name for o in d.owed} for d in year.deadlines}
    assert "Chi đoàn ấp Chín" not in owing["mot-cong-mot-6-thang"]         # due 15/06: before it was set up
    assert "Chi đoàn ấp Chín" in owing["mot-cong-mot-cuoi-nam"]            # due 15/11
    before = {o.name for d in year.deadlines for o in d.owed if o.due < date(2026, 7, 1)}
    assert "Chi đoàn ấp Một" in before and "Chi đoàn ấp Chín" not in before


async def test_secretary_flags_unreachable_and_missing(services):
    await joined(services, "s-b1", "B1")
    chat = await joined(services, "s-b2", "B2")
    identity = await services.storage.people.identify(chat.channel, chat.user_id)
    await services.storage.people.set_unreachable(identity.person.id, services.clock())
    result = await digest(services, "D1", "2026-11")
    assert [f.branch for f in result.flags_of("unreachable")] == ["Chi đoàn ấp Hai"]
    assert [f.branch for f in result.flags_of("no_secretary")] == ["Chi đoàn khu phố Năm"]
    secretaries = {b.unit.code: b.secretary for b in result.branches}
    assert secretaries == {"B1": "Người s-b1", "B2": "Người s-b2", "B5": None}


async def test_week_counts_without_judging(services):
    await meet(services, "B1", date(2026, 11, 17), 12)
    await meet(services, "B5", date(2026, 11, 22), 9)
    await meet(services, "B5", date(2026, 11, 23), 9)                  # this week, not last
    unit = await services.storage.units.by_code("D1")
    week = compute.week_before(date(2026, 11, 23))
    result = await compute.build(services.storage, unit.id, week, TODAY, load_calendar())
    assert not result.judged and {b.status for b in result.branches} == {""}
    assert (result.totals.branch_meetings, result.totals.attended) == (2, 21)


async def test_message_lists_branches_by_grassroots_unit(services):
    await fill_quarter(services)
    message = text.render(await digest(services, "D1", "2026-Q3"))
    assert "2/3 chi đoàn đạt (67%; mục tiêu 100%)" in message
    assert "• Đoàn xã Biên Giới: 2/2 đạt (100%)" in message
    assert "Chi đoàn khu phố Năm (tháng 8/2026)" in message
    assert "89 lượt trên 100 đoàn viên (89%)" in message
    assert "33 đoàn viên tham gia · 37 thanh niên được vận động · 6 kết nạp mới · 2 giới thiệu cho Đảng" in message
    province = text.render(await digest(services, "P", "2026-Q3"))
    assert "Chi đoàn ấp Một" not in province.split("⏰")[0]          # a province's digest names no branch


async def test_a_digest_is_computed_off_the_event_loop(services, monkeypatch):
    """A province's year is half a second of computing: on the event loop, every other chat would
    wait for it (benchmarks/digest.py prints how long the loop is held)."""
    import asyncio
    threads = []
    real = compute.compute

    def watched(*args, **kwargs):
        try:
            asyncio.get_running_loop()
            threads.append("loop")
        except RuntimeError:
            threads.append("worker")
        return real(*args, **kwargs)

    monkeypatch.setattr(compute, "compute", watched)
    await meet(services, "B1", date(2026, 11, 5), 18)
    result = await digest(services, "D1", "2026-11")
    assert threads == ["worker"]
    assert result.totals.branch_meetings == 1


async def test_a_flag_in_a_province_digest_names_the_branchs_commune(services):
    """Above a Đoàn xã, "Chi đoàn 12A1" alone could be any of a province's: the flag says whose."""
    await meet(services, "B1", date(2026, 11, 5), 60)              # more than its members
    root = (await services.storage.units.all())[0]
    result = await digest(services, root.code, "2026-11")
    flagged = next(f for f in result.flags if f.kind == "over_members")
    said = text.render(result)
    assert f"{flagged.branch} ({flagged.group})" in said
    own = await digest(services, "G1", "2026-11")                  # its own Đoàn xã's digest
    assert flagged.branch in text.render(own) and f"{flagged.branch} (" not in text.render(own)
