"""The schedule: cascade, occurrences, the reminder ladder and meeting nudges, on fixed clocks."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest

from domain.deadlines.calendar import Item, load_calendar
from domain.deadlines.schedule import (
    LATE_HORIZON_DAYS,
    Occurrence,
    Step,
    due_step,
    lookahead_window,
    meeting_nudge,
    occurrences_between,
    send_time_utc,
    sender_chain,
    unit_due_date,
)

VN = ZoneInfo("Asia/Ho_Chi_Minh")
SETTINGS = load_calendar().settings  # lead 5/5, ladder 7/3/1/0, late every 3, 08:00, quiet 21-07

DEPTH_4 = ("branch", "grassroots", "district", "province")
DEPTH_3 = ("branch", "district", "province")  # a branch directly under a district


def make_item(*, due=None, recurrence=None, level="district", cascade=True, id="x") -> Item:
    return Item(id=id, title="t", level=level, source="", due=due, recurrence=recurrence,
                cascade=cascade, collects=None)


def local(y, m, d, hh=8, mm=0) -> datetime:
    return datetime(y, m, d, hh, mm, tzinfo=VN)


def dues(item, chain, start, end) -> list[tuple[str, date]]:
    return [(o.key, o.due) for o in occurrences_between(item, chain, SETTINGS, start, end)]


# ---- cascade -------------------------------------------------------------------------------

JUNE_15 = date(2026, 6, 15)


@pytest.mark.parametrize("chain, expected", [
    (DEPTH_4, date(2026, 6, 5)),
    (DEPTH_4[1:], date(2026, 6, 10)),
    (DEPTH_4[2:], JUNE_15),
    (DEPTH_3, date(2026, 6, 10)),     # only lead_days["branch"]
    (("branch", "grassroots", "district"), date(2026, 6, 5)),  # tree without a province root
])
def test_cascade_by_actual_chain(chain, expected):
    assert unit_due_date(make_item(due=(15, 6)), JUNE_15, chain, SETTINGS) == expected


def test_cascade_accepts_a_list_chain():
    assert unit_due_date(make_item(due=(15, 6)), JUNE_15, list(DEPTH_4), SETTINGS) == date(2026, 6, 5)


def test_units_above_the_item_level_are_not_concerned():
    item = make_item(due=(15, 6))
    assert unit_due_date(item, JUNE_15, ("province",), SETTINGS) is None
    grassroots_item = make_item(due=(15, 10), level="grassroots", cascade=False)
    assert unit_due_date(grassroots_item, date(2026, 10, 15), DEPTH_4[2:], SETTINGS) is None
    assert unit_due_date(grassroots_item, date(2026, 10, 15), DEPTH_4[1:], SETTINGS) == date(2026, 10, 15)


def test_non_cascading_item_skips_units_below():
    item = make_item(due=(15, 8), cascade=False)
    assert unit_due_date(item, date(2026, 8, 15), DEPTH_4, SETTINGS) is None
    assert occurrences_between(item, DEPTH_4, SETTINGS, date(2026, 1, 1), date(2026, 12, 31)) == []
    assert unit_due_date(item, date(2026, 8, 15), DEPTH_4[2:], SETTINGS) == date(2026, 8, 15)


def test_missing_item_level_in_chain_stands_in():
    # A grassroots-level cascading item, for a branch that hangs directly under a district:
    # the branch reports straight to the district, on the grassroots date.
    item = make_item(due=(15, 10), level="grassroots")
    assert unit_due_date(item, date(2026, 10, 15), DEPTH_3, SETTINGS) == date(2026, 10, 15)
    assert unit_due_date(item, date(2026, 10, 15), DEPTH_4, SETTINGS) == date(2026, 10, 10)


@pytest.mark.parametrize("chain", [(), ("branch", "ward"), ("district", "branch"), ("branch", "branch")])
def test_bad_chain(chain):
    with pytest.raises(ValueError):
        unit_due_date(make_item(due=(15, 6)), JUNE_15, chain, SETTINGS)


def test_cascade_with_default_calendar_item():
    item = load_calendar().item("ren-luyen-6-thang")
    assert dues(item, DEPTH_4, date(2026, 1, 1), date(2026, 12, 31)) == [("2026", date(2026, 6, 5))]
    assert dues(item, DEPTH_3, date(2026, 1, 1), date(2026, 12, 31)) == [("2026", date(2026, 6, 10))]


# ---- occurrences ---------------------------------------------------------------------------

def test_monthly_due_on_month_ends():
    item = make_item(recurrence="monthly", level="branch", cascade=False)
    got = dues(item, DEPTH_4, date(2026, 1, 1), date(2026, 4, 30))
    assert got == [("2026-01", date(2026, 1, 31)), ("2026-02", date(2026, 2, 28)),
                   ("2026-03", date(2026, 3, 31)), ("2026-04", date(2026, 4, 30))]
    assert dues(item, DEPTH_4, date(2028, 2, 1), date(2028, 2, 29)) == [("2028-02", date(2028, 2, 29))]


def test_window_bounds_are_inclusive():
    item = make_item(recurrence="monthly", level="branch")
    assert dues(item, DEPTH_4, date(2026, 4, 30), date(2026, 4, 30)) == [("2026-04", date(2026, 4, 30))]
    assert dues(item, DEPTH_4, date(2026, 5, 1), date(2026, 5, 30)) == []
    assert dues(item, DEPTH_4, date(2026, 5, 2), date(2026, 5, 1)) == []


def test_monthly_with_cascade_keeps_the_period_key():
    item = make_item(recurrence="monthly", level="district")
    assert dues(item, DEPTH_4, date(2026, 2, 15), date(2026, 2, 20)) == [("2026-02", date(2026, 2, 18))]


def test_quarterly_keys_and_dates():
    item = make_item(recurrence="quarterly", level="branch")
    got = dues(item, DEPTH_4, date(2026, 1, 1), date(2027, 3, 31))
    assert got == [("2026-Q1", date(2026, 3, 31)), ("2026-Q2", date(2026, 6, 30)),
                   ("2026-Q3", date(2026, 9, 30)), ("2026-Q4", date(2026, 12, 31)),
                   ("2027-Q1", date(2027, 3, 31))]


def test_half_year_and_year_end():
    half = make_item(recurrence="half_year", level="branch")
    assert dues(half, DEPTH_4, date(2026, 1, 1), date(2026, 12, 31)) == [
        ("2026-H1", date(2026, 6, 30)), ("2026-H2", date(2026, 12, 31))]
    year_end = make_item(recurrence="year_end", level="branch")
    assert dues(year_end, DEPTH_4, date(2026, 1, 1), date(2027, 12, 31)) == [
        ("2026", date(2026, 12, 31)), ("2027", date(2027, 12, 31))]


def test_year_turn_without_cascade():
    item = make_item(due=(5, 1), level="branch")
    start, end = lookahead_window(local(2026, 12, 28), SETTINGS)
    assert (start, end) == (date(2026, 12, 28) - timedelta(days=LATE_HORIZON_DAYS), date(2027, 1, 4))
    assert dues(item, DEPTH_4, start, end) == []  # 05/01 is 8 days ahead: no step yet
    start, end = lookahead_window(local(2026, 12, 29), SETTINGS)
    occurrences = occurrences_between(item, DEPTH_4, SETTINGS, start, end)
    assert occurrences == [Occurrence("x", "2027", date(2027, 1, 5))]
    step = due_step(occurrences[0].due, local(2026, 12, 29), SETTINGS)
    assert step == Step("before-7", datetime(2026, 12, 29, 1, 0, tzinfo=UTC))


def test_year_turn_with_cascade_lands_in_previous_year():
    # District due 05/01/2027: a branch under a grassroots unit owes it on 26/12/2026,
    # and the occurrence keeps the key of the district's year.
    item = make_item(due=(5, 1))
    assert dues(item, DEPTH_4, date(2026, 12, 20), date(2026, 12, 31)) == [("2027", date(2026, 12, 26))]
    start, end = lookahead_window(local(2026, 12, 28), SETTINGS)
    occurrence = occurrences_between(item, DEPTH_4, SETTINGS, start, end)[-1]
    assert due_step(occurrence.due, local(2026, 12, 28), SETTINGS).name == "due"


def test_yearly_29_february():
    item = make_item(due=(29, 2), level="branch")
    assert dues(item, DEPTH_4, date(2027, 1, 1), date(2028, 12, 31)) == [
        ("2027", date(2027, 2, 28)), ("2028", date(2028, 2, 29))]


def test_occurrences_are_fresh_lists():
    item = make_item(recurrence="monthly", level="branch")
    first = occurrences_between(item, DEPTH_4, SETTINGS, date(2026, 1, 1), date(2026, 3, 31))
    first.clear()
    assert len(occurrences_between(item, DEPTH_4, SETTINGS, date(2026, 1, 1), date(2026, 3, 31))) == 3


# ---- the reminder ladder -------------------------------------------------------------------

DUE = date(2026, 6, 15)


def at_utc(y, m, d) -> datetime:
    return datetime(y, m, d, 1, 0, tzinfo=UTC)  # 08:00 in Asia/Ho_Chi_Minh


@pytest.mark.parametrize("day, name", [
    (date(2026, 6, 8), "before-7"),
    (date(2026, 6, 12), "before-3"),
    (date(2026, 6, 14), "before-1"),
    (date(2026, 6, 15), "due"),
    (date(2026, 6, 18), "late-1"),
    (date(2026, 6, 21), "late-2"),
    (date(2026, 6, 24), "late-3"),
])
def test_each_step_at_exactly_08_local(day, name):
    step = due_step(DUE, local(day.year, day.month, day.day), SETTINGS)
    assert step == Step(name, at_utc(day.year, day.month, day.day))
    assert step.send_at.tzinfo is UTC and step.send_at.hour == 1


def test_before_08_nothing_new():
    assert due_step(DUE, local(2026, 6, 8, 7, 59), SETTINGS) is None
    # the day before due, before 08:00: still yesterday's step, not a new one
    assert due_step(DUE, local(2026, 6, 14, 7, 59), SETTINGS).name == "before-3"
    assert due_step(DUE, local(2026, 6, 14, 8, 0), SETTINGS).name == "before-1"


def test_aware_now_in_any_zone():
    now = datetime(2026, 6, 14, 1, 0, tzinfo=UTC)
    assert due_step(DUE, now, SETTINGS).name == "before-1"


def test_naive_now_is_refused():
    with pytest.raises(ValueError):
        due_step(DUE, datetime(2026, 6, 14, 8, 0), SETTINGS)


def test_after_downtime_only_the_latest_step():
    # down from before 08/06 until 14/06 10:00: only before-1, never before-7 or before-3
    assert due_step(DUE, local(2026, 6, 14, 10, 0), SETTINGS) == Step("before-1", at_utc(2026, 6, 14))
    # down across the due date
    assert due_step(DUE, local(2026, 6, 17, 12, 0), SETTINGS) == Step("due", at_utc(2026, 6, 15))


def test_late_spacing():
    names = {}
    for offset in range(0, 10):
        day = DUE + timedelta(days=offset)
        names[offset] = due_step(DUE, local(day.year, day.month, day.day, 9), SETTINGS).name
    assert names == {0: "due", 1: "due", 2: "due", 3: "late-1", 4: "late-1", 5: "late-1",
                     6: "late-2", 7: "late-2", 8: "late-2", 9: "late-3"}


def test_quiet_hours():
    assert due_step(DUE, local(2026, 6, 14, 22, 0), SETTINGS) is None
    assert due_step(DUE, local(2026, 6, 15, 3, 0), SETTINGS) is None
    assert due_step(DUE, local(2026, 6, 14, 21, 0), SETTINGS) is None
    assert due_step(DUE, local(2026, 6, 14, 20, 59), SETTINGS).name == "before-1"
    assert due_step(DUE, local(2026, 6, 15, 7, 0), SETTINGS).name == "before-1"  # 08:00 not yet


def test_no_step_far_ahead():
    assert due_step(DUE, local(2026, 6, 1, 12), SETTINGS) is None


def test_ladder_without_due_step_and_without_late():
    from dataclasses import replace
    settings = replace(SETTINGS, ladder_days_before=(2,), late_every_days=0)
    assert due_step(DUE, local(2026, 6, 13), settings).name == "before-2"
    assert due_step(DUE, local(2026, 7, 30), settings).name == "before-2"


def test_send_time_utc():
    assert send_time_utc(date(2027, 1, 1), SETTINGS) == datetime(2027, 1, 1, 1, 0, tzinfo=UTC)


def test_lookahead_window_uses_local_date():
    # 18:00 UTC on 31/12 is already 01/01 in Vietnam
    now = datetime(2026, 12, 31, 18, 0, tzinfo=UTC)
    start, end = lookahead_window(now, SETTINGS)
    assert end == date(2027, 1, 8)
    assert start == date(2027, 1, 1) - timedelta(days=LATE_HORIZON_DAYS)


def test_lookahead_covers_last_late_step():
    now = local(2026, 8, 14, 9)
    start, _ = lookahead_window(now, SETTINGS)
    assert due_step(start, now, SETTINGS).name == f"late-{LATE_HORIZON_DAYS // 3}"


# ---- meeting nudges ------------------------------------------------------------------------

def test_meeting_nudge_normal_branch():
    assert meeting_nudge(date(2026, 2, 1), False, SETTINGS) == date(2026, 2, 20)
    assert meeting_nudge(date(2026, 5, 17), False, SETTINGS) == date(2026, 5, 20)


def test_meeting_nudge_border_branch_only_in_quarter_end_months():
    nudges = {m: meeting_nudge(date(2026, m, 1), True, SETTINGS) for m in range(1, 13)}
    assert {m: d for m, d in nudges.items() if d} == {
        3: date(2026, 3, 15), 6: date(2026, 6, 15), 9: date(2026, 9, 15), 12: date(2026, 12, 15)}


def test_settings_time_is_respected():
    from dataclasses import replace
    settings = replace(SETTINGS, send_at=time(9, 30))
    assert due_step(DUE, local(2026, 6, 8, 9, 29), settings) is None
    assert due_step(DUE, local(2026, 6, 8, 9, 30), settings) == Step(
        "before-7", datetime(2026, 6, 8, 2, 30, tzinfo=UTC))


# ---- the structure since 2025: a branch's real path, whatever its depth (DOMAIN.md) ---------------

# (structural levels) a chi đoàn directly under a Đoàn xã under the Tỉnh đoàn
UNDER_COMMUNE = ("branch", "grassroots", "province")
# a chi đoàn under a Đoàn trường under a Đoàn xã under the Tỉnh đoàn: four levels down
UNDER_SCHOOL = ("branch", "grassroots", "grassroots", "province")


def test_a_commune_sends_what_a_district_sent_and_its_branches_5_days_before():
    # 000 item 2: the six-month training report, district → province by 15/06; since 2025 the
    # Đoàn xã/phường sends it, its branches 5 days before (lead_days["branch"])
    item = load_calendar().item("ren-luyen-6-thang")
    assert (item.level, item.cascade) == ("under_province", True)
    assert dues(item, UNDER_COMMUNE, date(2026, 1, 1), date(2026, 12, 31)) == [("2026", date(2026, 6, 10))]
    assert dues(item, UNDER_COMMUNE[1:], date(2026, 1, 1), date(2026, 12, 31)) == [("2026", JUNE_15)]
    assert dues(item, ("province",), date(2026, 1, 1), date(2026, 12, 31)) == []


def test_a_branch_four_levels_down_owes_one_lead_per_unit_above_it():
    item = load_calendar().item("ren-luyen-6-thang")
    assert unit_due_date(item, JUNE_15, UNDER_SCHOOL, SETTINGS) == date(2026, 6, 5)       # branch, school
    assert unit_due_date(item, JUNE_15, UNDER_SCHOOL[1:], SETTINGS) == date(2026, 6, 10)  # the Đoàn trường
    assert unit_due_date(item, JUNE_15, UNDER_SCHOOL[2:], SETTINGS) == JUNE_15            # the Đoàn xã
    # and under a district that still exists, over a Đoàn xã: the district sends it
    old = ("branch", "grassroots", "grassroots", "district", "province")
    assert [unit_due_date(item, JUNE_15, old[i:], SETTINGS) for i in range(5)] == [
        date(2026, 5, 31), date(2026, 6, 5), date(2026, 6, 10), JUNE_15, None]


def test_an_item_the_unit_under_the_province_holds_itself_is_owed_by_the_commune_only():
    # 000 item 9: the interim review meetings are held by 15/08 by the level under the province
    item = load_calendar().item("so-ket-to-chuc")
    assert (item.level, item.cascade) == ("under_province", False)
    assert unit_due_date(item, date(2026, 8, 15), UNDER_COMMUNE[1:], SETTINGS) == date(2026, 8, 15)
    assert unit_due_date(item, date(2026, 8, 15), DEPTH_4[2:], SETTINGS) == date(2026, 8, 15)   # a district
    for chain in (UNDER_COMMUNE, UNDER_SCHOOL, UNDER_SCHOOL[1:], DEPTH_4[1:]):
        assert unit_due_date(item, date(2026, 8, 15), chain, SETTINGS) is None


def test_every_grassroots_unit_registers_its_own_3_active_plan():
    # 004 step 1: each Đoàn cơ sở registers by 15/10, a Đoàn trường under a Đoàn xã as the Đoàn xã
    item = load_calendar().item("3-chu-dong-dang-ky")
    october_15 = date(2026, 10, 15)
    assert unit_due_date(item, october_15, UNDER_SCHOOL[1:], SETTINGS) == october_15
    assert unit_due_date(item, october_15, UNDER_SCHOOL[2:], SETTINGS) == october_15
    assert unit_due_date(item, october_15, UNDER_COMMUNE, SETTINGS) is None          # a branch: not its own
    assert unit_due_date(item, october_15, DEPTH_3, SETTINGS) is None                # a district's branch neither
    assert unit_due_date(item, october_15, ("province",), SETTINGS) is None


def test_the_chain_of_a_sender_at_its_own_level():
    assert sender_chain("under_province") == ("district", "province")
    assert sender_chain("branch") == ("branch", "grassroots", "district", "province")
