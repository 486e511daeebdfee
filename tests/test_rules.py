"""The Union's rules, each in one place (domain.rules): meeting windows, border quarters, 1+1
half-years, unit levels; and the unit paths they read (storage.units)."""

from __future__ import annotations

from datetime import date

from domain import rules
from domain.deadlines import calendar
from domain.digests import xlsx
from domain import units_csv
from storage.units import ancestor_ids, child_path, path_ids, subtree_span, within


def test_a_branch_meets_in_its_month_a_border_branch_in_its_quarter():
    month = rules.meeting_window(date(2026, 2, 11), border=False)
    assert (month.key, month.start, month.end) == ("2026-02", date(2026, 2, 1), date(2026, 2, 28))
    quarter = rules.meeting_window(date(2026, 11, 1), border=True)
    assert (quarter.key, quarter.start, quarter.end) == ("2026-Q4", date(2026, 10, 1), date(2026, 12, 31))


def test_a_border_branch_owes_its_meeting_only_in_the_quarters_last_month():
    assert all(rules.meeting_owed_in(date(2026, m, 5), border=False) for m in range(1, 13))
    assert [m for m in range(1, 13) if rules.meeting_owed_in(date(2026, m, 5), border=True)] == [3, 6, 9, 12]


def test_a_1_plus_1_review_is_answered_by_its_half_year_and_at_year_end_by_the_year():
    assert rules.oneplusone_periods(date(2026, 6, 15)) == ("2026-H1",)
    assert rules.oneplusone_periods(date(2026, 11, 15)) == ("2026-H2", "2026")


def test_the_levels_have_one_home():
    assert calendar.LEVELS is rules.LEVELS and units_csv.LEVELS is rules.LEVELS
    assert xlsx.LEVEL_NAMES is rules.LEVEL_NAMES and units_csv.LEVEL_NAMES is rules.LEVEL_NAMES
    assert rules.LEVELS == ("province", "district", "grassroots", "branch")


def test_unit_paths():
    root = child_path("", 1)
    branch = child_path(child_path(root, 5), 9)
    assert (root, branch) == ("/1/", "/1/5/9/")
    assert path_ids(branch) == [1, 5, 9] and ancestor_ids(branch) == [1, 5] and ancestor_ids(root) == []
    low, high = subtree_span("/1/5/")
    assert all(low <= p < high for p in ("/1/5/", "/1/5/9/", "/1/5/10/"))
    assert not any(low <= p < high for p in ("/1/", "/1/50/", "/1/6/"))
    assert within(branch, "/1/5/") and within(branch, branch) and not within("/1/50/", "/1/5/")


def test_each_level_name_has_a_structural_level_and_only_branch_holds_members():
    # DOMAIN.md "Who is who": a Đoàn xã/phường is a Đoàn cơ sở (grassroots) that since 1 July 2025
    # reports straight to the Tỉnh đoàn; a district is one more level name where one still exists
    assert {name: rules.structural_level(name) for name in rules.LEVEL_NAMES} == {
        "province": "province", "city": "province", "district": "district", "affiliated": "district",
        "commune": "grassroots", "ward": "grassroots",
        "special_zone": "grassroots", "school": "grassroots", "grassroots": "grassroots", "branch": "branch"}
    assert set(rules.structural_level(name) for name in rules.LEVEL_NAMES) == set(rules.LEVELS)


def test_a_unit_sits_under_a_higher_level_whatever_the_depth():
    may = rules.may_sit_under
    assert may("commune", "province") and may("branch", "commune") and may("school", "commune")
    assert may("branch", "school") and may("school", "province") and may("commune", "district")
    assert may("grassroots", "district") and may("branch", "province")
    assert not may("commune", "commune") and not may("school", "school") and not may("commune", "school")
    assert not any(may(name, "branch") for name in rules.LEVEL_NAMES)


def test_only_the_tinh_doan_digest_rolls_up_without_naming_branches():
    from storage.units import Unit
    unit = Unit(1, "P", "Tỉnh đoàn", "province", None, "/1/", False, 0, None, None, "province")
    assert not rules.names_its_branches(unit)
    for level in ("district", "grassroots", "branch"):
        assert rules.names_its_branches(Unit(2, "X", "X", level, 1, "/1/2/", False, 0, None, None))
