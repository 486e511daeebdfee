"""The deadline calendar: the shipped default and the validation of edited files."""

from __future__ import annotations

import re
from datetime import time
from pathlib import Path

import pytest

from domain.deadlines.calendar import (
    CalendarError,
    SENDERS,
    Item,
    Settings,
    load_calendar,
    parse_calendar,
)

# Every dated row of DOMAIN.md's deadline table, (day, month) -> how many items fall on it.
DOMAIN_DATES = {
    (20, 2): 1, (15, 6): 1, (20, 6): 1, (30, 6): 1, (15, 8): 1, (24, 9): 1,
    (15, 10): 2, (25, 10): 1, (29, 10): 1, (5, 11): 1,
}

GOOD_ITEM = """
[[item]]
id = "ren-luyen-6-thang"
title = "Báo cáo 6 tháng"
due = "15/06"
level = "district"
cascade = true
source = "000 mục 2"
"""


def _problems(text: str) -> tuple[str, ...]:
    with pytest.raises(CalendarError) as info:
        parse_calendar(text, source_name="test.toml")
    return info.value.problems


def _one_problem(text: str) -> str:
    problems = _problems(text)
    assert len(problems) == 1, problems
    return problems[0]


# ---- the shipped default -------------------------------------------------------------------

def test_default_loads_with_settings_of_the_brief():
    cal = load_calendar()
    s = cal.settings
    assert dict(s.lead_days) == {"grassroots": 5, "branch": 5}
    assert s.ladder_days_before == (7, 3, 1, 0)
    assert s.late_every_days == 3
    assert (s.send_at, s.quiet_start, s.quiet_end) == (time(8), time(21), time(7))
    assert s.meeting_nudge_day == 20


def test_default_contains_every_domain_date():
    cal = load_calendar()
    non_branch = [it for it in cal.items if it.due and it.level != "branch"]
    for (day, month), count in DOMAIN_DATES.items():
        found = [it for it in non_branch if it.due == (day, month)]
        assert len(found) >= count, f"{day:02d}/{month:02d}"


def test_default_levels_follow_domain():
    cal = load_calendar()
    assert cal.item("3-chu-dong-dang-ky").level == "grassroots"
    assert cal.item("3-chu-dong-bao-cao-dang-ky").level == "under_province"
    assert cal.item("ren-luyen-6-thang").cascade is True


# DOMAIN.md, "Deadlines named in the sources": the seeds' dates and who sends each, read in the
# structure since 2025 ("district → province" is now "the unit under the Tỉnh đoàn → Tỉnh đoàn").
SEED_DEADLINES = {
    "chi-doan-kieu-mau-dang-ky": ((20, 2), "under_province", "003"),
    "ren-luyen-6-thang": ((15, 6), "under_province", "000 mục 2"),
    "mo-hinh-bi-thu-chi-doan": ((20, 6), "under_province", "000 mục 6"),
    "so-ket-bao-cao": ((30, 6), "under_province", "000 mục 9"),
    "so-ket-to-chuc": ((15, 8), "under_province", "000 mục 9"),
    "chi-doan-kieu-mau-ho-so": ((24, 9), "under_province", "000 mục 4"),
    "ren-luyen-nam": ((15, 10), "under_province", "000 mục 2"),
    "3-chu-dong-dang-ky": ((15, 10), "grassroots", "004 bước 1"),
    "3-chu-dong-bao-cao-dang-ky": ((25, 10), "under_province", "004 bước 2"),
    "xep-loai-chat-luong": ((29, 10), "under_province", "000 mục 7"),
    "3-chu-dong-cong-nhan": ((5, 11), "under_province", "000 mục 3"),
    "ket-qua-ke-hoach-nam": ((5, 11), "under_province", "002 mục IV.2"),
}


def test_the_shipped_calendar_keeps_every_seed_date_and_source_in_the_new_structure():
    cal = load_calendar()
    for item_id, (due, sender, source) in SEED_DEADLINES.items():
        item = cal.item(item_id)
        assert (item.due, item.level) == (due, sender), item_id
        assert item.source.startswith(source), item_id
    assert {it.level for it in cal.items} <= set(SENDERS) and "district" not in {it.level for it in cal.items}


def test_a_calendar_written_before_2025_says_district_for_the_unit_under_the_province():
    cal = parse_calendar(GOOD_ITEM)
    assert cal.item("ren-luyen-6-thang").level == "under_province"


def test_default_recurring_items():
    cal = load_calendar()
    meeting = cal.item("sinh-hoat-thang")
    assert (meeting.recurrence, meeting.level, meeting.collects) == ("monthly", "branch", "meeting")
    assert cal.item("doan-vien-moi-quy").recurrence == "quarterly"
    one_plus_one = [it for it in cal.items if it.collects == "oneplusone"]
    assert sorted(it.due for it in one_plus_one) == [(15, 6), (15, 11)]


def test_default_items_are_sourced_and_titled_in_vietnamese():
    cal = load_calendar()
    ids = [it.id for it in cal.items]
    assert len(ids) == len(set(ids))
    for it in cal.items:
        assert it.source, it.id
        assert re.search(r"[^\x00-\x7f]", it.title), it.id  # diacritics present


def test_load_from_path_and_default_is_cached(tmp_path: Path):
    path = tmp_path / "cal.toml"
    path.write_text(GOOD_ITEM, encoding="utf-8")
    cal = load_calendar(path)
    assert cal.item("ren-luyen-6-thang").due == (15, 6)
    assert load_calendar() is load_calendar(None)


def test_missing_settings_take_defaults():
    cal = parse_calendar(GOOD_ITEM)
    assert cal.settings == load_calendar().settings


def test_item_lookup_unknown_id():
    with pytest.raises(KeyError):
        load_calendar().item("no-such-item")


def test_29_february_is_accepted():
    cal = parse_calendar(GOOD_ITEM.replace('"15/06"', '"29/02"'))
    assert cal.items[0].due == (29, 2)


def test_settings_built_by_hand_are_hashable():
    s = Settings(lead_days={"branch": 2}, ladder_days_before=(0, 3), late_every_days=2,
                 send_at=time(8), quiet_start=time(21), quiet_end=time(7), meeting_nudge_day=20)
    hash(s)
    assert s.ladder_days_before == (3, 0)


def test_items_are_hashable():
    assert isinstance(hash(load_calendar().items[0]), int)
    assert isinstance(load_calendar().items[0], Item)


# ---- bad files: every problem in Vietnamese, with the file and the line -------------------------
# GOOD_ITEM's lines, counted from the blank line it starts with: [[item]] 2, id 3, title 4, due 5,
# level 6, cascade 7, source 8.

def test_bad_toml_names_the_line_in_vietnamese(tmp_path: Path):
    path = tmp_path / "broken.toml"
    path.write_text('[settings]\nsend_at = "08:00"\n\n[[item]]\nid = "x\n', encoding="utf-8")
    with pytest.raises(CalendarError) as info:
        load_calendar(path)
    [problem] = info.value.problems
    assert problem.startswith(f"{path}, dòng 5, cột ")
    assert "sai cú pháp TOML" in problem and "ngoặc kép" in problem


@pytest.mark.parametrize("text, line, words", [
    ("[settings]\nsend_at = 08:00 sáng\n", 2, "thừa chữ"),
    ('[settings]\nsend_at "08:00"\n', 2, "thiếu dấu ="),
    ("[[item]]\nid = ren-luyen\n", 2, "ngoặc kép"),
    ('[settings]\nsend_at = "08:00"\nsend_at = "09:00"\n', 3, "đã được ghi ở trên"),
    ("[settings]\n[settings]\n", 2, "đã được khai báo"),
    ("[[item]\n", 1, "]]"),
    ("[settings]\nladder_days_before = [7, 3\nlate_every_days = 3\n", 3, "chưa có dấu ]"),
    ('[settings]\nlead_days = { branch = 5\n', 2, "chưa có dấu }"),
])
def test_toml_syntax_errors_in_vietnamese_with_the_line(text: str, line: int, words: str):
    problem = _one_problem(text)
    assert problem.startswith(f"test.toml, dòng {line}") and "sai cú pháp TOML" in problem, problem
    assert words in problem, problem
    assert not any(english in problem for english in ("Invalid", "Expected", "Cannot", "Unclosed", "at line"))


def test_unreadable_file(tmp_path: Path):
    with pytest.raises(CalendarError) as info:
        load_calendar(tmp_path / "missing.toml")
    assert info.value.problems == (f"{tmp_path / 'missing.toml'}: không có tệp lịch này",)


def test_a_file_not_in_utf8_names_the_line(tmp_path: Path):
    path = tmp_path / "lich.toml"
    path.write_bytes(GOOD_ITEM.replace("Báo cáo", "B\xe1o c\xe1o").encode("utf-8").replace(
        "B\xe1o c\xe1o".encode("utf-8"), "B\xe1o c\xe1o".encode("cp1258")))
    with pytest.raises(CalendarError) as info:
        load_calendar(path)
    [problem] = info.value.problems
    assert problem.startswith(f"{path}, dòng 4: ") and "UTF-8" in problem


def test_duplicate_id():
    problem = _one_problem(GOOD_ITEM + GOOD_ITEM)
    assert problem == 'test.toml, dòng 11: [[item]] thứ 2 (id "ren-luyen-6-thang"): id trùng với [[item]] thứ 1'


def test_both_due_and_recurrence():
    problem = _one_problem(GOOD_ITEM.replace('due = "15/06"', 'due = "15/06"\nrecurrence = "monthly"'))
    assert problem.startswith('test.toml, dòng 6: [[item]] thứ 1 (id "ren-luyen-6-thang"): ')
    assert "không ghi cả hai" in problem


def test_neither_due_nor_recurrence_points_at_the_item():
    problem = _one_problem(GOOD_ITEM.replace('due = "15/06"\n', ""))
    assert problem.startswith("test.toml, dòng 2: ") and "chưa có cái nào" in problem


@pytest.mark.parametrize("due", ["31/02", "30/02", "00/05", "32/01", "15/13", "15-06", "1506"])
def test_impossible_or_malformed_due(due: str):
    problem = _one_problem(GOOD_ITEM.replace('"15/06"', f'"{due}"'))
    assert problem.startswith('test.toml, dòng 5: [[item]] thứ 1 (id "ren-luyen-6-thang"): due ')
    assert f'"{due}"' in problem


def test_a_date_written_as_a_toml_date_is_a_wrong_type():
    problem = _one_problem(GOOD_ITEM.replace('"15/06"', "2026-06-15"))
    assert problem.startswith("test.toml, dòng 5: ") and "dd/mm" in problem and "2026-06-15" in problem


def test_unknown_level():
    problem = _one_problem(GOOD_ITEM.replace('"district"', '"commune"'))
    assert problem == ('test.toml, dòng 6: [[item]] thứ 1 (id "ren-luyen-6-thang"): level phải là một trong '
                       'province, under_province, grassroots, branch, đang là "commune"')


def test_unknown_item_key():
    problem = _one_problem(GOOD_ITEM + 'deadline = "20/06"\n')
    assert problem == 'test.toml, dòng 9: [[item]] thứ 1 (id "ren-luyen-6-thang"): khóa lạ «deadline»'


def test_unknown_settings_and_top_level_keys():
    problems = _problems('[settings]\nsend_time = "08:00"\n[extra]\na = 1\n' + GOOD_ITEM)
    assert "test.toml, dòng 2: [settings]: khóa lạ «send_time»" in problems
    assert any(p.startswith("test.toml, dòng 3: khóa lạ «extra»") for p in problems)


@pytest.mark.parametrize("value", ['"8h"', '"24:00"', '"08:60"', '"08"', "8"])
def test_bad_time(value: str):
    problem = _one_problem(f"[settings]\nquiet_end = {value}\n" + GOOD_ITEM)
    assert problem.startswith("test.toml, dòng 2: [settings]: quiet_end phải là giờ dạng")


def test_toml_local_time_is_accepted():
    cal = parse_calendar("[settings]\nsend_at = 09:30:00\n" + GOOD_ITEM)
    assert cal.settings.send_at == time(9, 30)


def test_send_at_inside_quiet_hours():
    problem = _one_problem('[settings]\nlate_every_days = 3\nsend_at = "22:00"\n' + GOOD_ITEM)
    assert problem.startswith("test.toml, dòng 3: [settings]: send_at 22:00") and "giờ yên lặng" in problem


@pytest.mark.parametrize("settings, word", [
    ("ladder_days_before = [7, -1]", "ladder_days_before"),
    ("ladder_days_before = [7, 3, 3]", "bị lặp"),
    ('ladder_days_before = ["7"]', "ladder_days_before"),
    ("lead_days = { branch = -2 }", "lead_days.branch"),
    ("lead_days = { branch = true }", "lead_days.branch phải là số nguyên từ 0 trở lên, đang là true"),
    ("lead_days = { chi_doan = 2 }", "không có cấp «chi_doan»"),
    ("late_every_days = -3", "late_every_days"),
    ("meeting_nudge_day = 31", "meeting_nudge_day"),
    ('meeting_nudge_day = "20"', 'meeting_nudge_day phải là số nguyên từ 1 đến 28, đang là "20"'),
])
def test_bad_numbers_in_settings(settings: str, word: str):
    problem = _one_problem(f"# lịch của tỉnh\n[settings]\n\n{settings}\n" + GOOD_ITEM)
    assert problem.startswith("test.toml, dòng 4: [settings]: ") and word in problem


def test_a_multi_line_string_does_not_confuse_the_lines():
    text = 'note = """\nlevel = "x"\n"""\n' + GOOD_ITEM.replace('"district"', '"ward"')
    problems = _problems(text)
    assert "test.toml, dòng 1: khóa lạ «note» (tệp chỉ có [settings] và các [[item]])" in problems
    assert any(p.startswith("test.toml, dòng 9: ") and '"ward"' in p for p in problems)


def test_bad_id_and_collects():
    text = GOOD_ITEM.replace('"ren-luyen-6-thang"', '"Ren Luyen"') + 'collects = "votes"\n'
    problems = _problems(text)
    assert [p.split(": ")[0] for p in problems] == ["test.toml, dòng 3", "test.toml, dòng 9"]
    assert all('[[item]] thứ 1 (id "Ren Luyen")' in p for p in problems)


def test_item_written_as_single_table():
    problem = _one_problem('[item]\nid = "x"\n')
    assert problem.startswith("test.toml, dòng 1: ") and "[[item]]" in problem


def test_several_problems_are_reported_together():
    text = (
        '[settings]\nsend_at = "8am"\n'
        + GOOD_ITEM
        + GOOD_ITEM  # duplicate id, entry #2
        + '[[item]]\nid = "bad-date"\ntitle = "x"\ndue = "31/02"\nlevel = "branch"\n'
        + '[[item]]\nid = "bad-level"\ntitle = "x"\nrecurrence = "weekly"\nlevel = "ward"\n'
    )
    problems = _problems(text)
    assert len(problems) == 5, problems
    assert all(p.startswith("test.toml, dòng ") for p in problems)
    assert all("\n" not in p for p in problems)
    joined = "\n".join(problems)
    assert 'dòng 2: [settings]: send_at phải là giờ dạng "HH:MM"' in joined
    assert 'dòng 13: [[item]] thứ 2 (id "ren-luyen-6-thang"): id trùng' in joined
    assert 'dòng 22: [[item]] thứ 3 (id "bad-date"): due "31/02"' in joined
    assert 'dòng 27: [[item]] thứ 4 (id "bad-level"): recurrence' in joined and '"weekly"' in joined
    assert 'dòng 28: [[item]] thứ 4 (id "bad-level"): level' in joined and '"ward"' in joined
    # the exception's message is the problems, one per line
    with pytest.raises(CalendarError) as info:
        parse_calendar(text, source_name="test.toml")
    assert str(info.value).splitlines() == list(problems)


def test_the_start_up_explains_the_problems_in_vietnamese(tmp_path: Path):
    import io

    from bot.scheduler import calendar_or_explain

    path = tmp_path / "lich.toml"
    path.write_text(GOOD_ITEM.replace('"district"', '"commune"'), encoding="utf-8")
    stream = io.StringIO()
    assert calendar_or_explain(path, stream) is None
    first, second = stream.getvalue().splitlines()
    assert "có 1 lỗi" in first
    assert second.startswith(f"  - {path}, dòng 6: ") and '"commune"' in second
