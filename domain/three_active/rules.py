"""The rules of the "3 chủ động" cycle (seed 004, DOMAIN.md), each written once: who registers,
for which year, by which dates, and what an item of a plan is."""

from __future__ import annotations

import calendar as _stdcal
import re
from datetime import date

from domain import periods
from domain.deadlines.calendar import Calendar
from domain.forms import parsers
from domain.textnorm import words

PARTS = (1, 2, 3)              # the three "chủ động" of a plan (004 section II)

# The calendar items of the cycle (domain/deadlines/default_calendar.toml) and the seeds' dates,
# used when a province's calendar has no such item.
REGISTRATION_ITEM = "3-chu-dong-dang-ky"          # 15/10: the grassroots unit registers (004 step 1)
REPORT_ITEM = "3-chu-dong-bao-cao-dang-ky"        # 25/10: the level above reports them (004 step 2)
DECISION_ITEM = "3-chu-dong-cong-nhan"            # 05/11: decisions and lists go up (000 item 3)
SEED_DUES = {REGISTRATION_ITEM: (15, 10), REPORT_ITEM: (25, 10), DECISION_ITEM: (5, 11)}

# Levels that receive plans and never send one, even with a branch directly under them (a
# district's hospital branch is followed by the district, which registers nothing).
RECEIVING_LEVELS = ("province", "district")

# From this month on, the plan being registered is next year's (registered "by 15/10 of the year
# before", 004 step 1); before it, a late registration of the current year.
SEASON_MONTH = 7

MAX_ITEMS = 20                 # items in one part
MAX_ITEM_LENGTH = 500          # characters of one item
MIN_ITEM_WORDS = 2             # "ok", "abc" are not an item anyone can review

# A list marker typed before an item: "-", "•", "+", or "1.", "1.1.", "2)" followed by a space
# ("1.000 thanh niên" keeps its number).
_MARKER = re.compile(r"^(?:[-–—•*+·]+\s*|\d{1,2}(?:\.\d{1,2})*[.)]\s+)")


def registration_year(today: date) -> int:
    """The year whose plan a unit registers on `today`."""
    return today.year + 1 if today.month >= SEASON_MONTH else today.year


def review_year(today: date) -> int:
    """The year whose plans the level above reviews on `today`: the plans carried out this year."""
    return today.year


def due(calendar: Calendar | None, item_id: str, year: int) -> date:
    """The date of a dated item of the cycle in `year`: the calendar's, else the seed's."""
    day, month = SEED_DUES[item_id]
    if calendar is not None:
        item = next((i for i in calendar.items if i.id == item_id and i.due), None)
        if item is not None:
            day, month = item.due
    return date(year, month, min(day, _stdcal.monthrange(year, month)[1]))     # 29/02 in a common year: 28/02


def registration_due(calendar: Calendar | None, plan_year: int) -> date:
    """By when a plan for `plan_year` is registered: 15/10 of the year before."""
    return due(calendar, REGISTRATION_ITEM, plan_year - 1)


def registration_occurrence(plan_year: int) -> str:
    """The calendar occurrence a registration for `plan_year` answers (its due date's year)."""
    return str(plan_year - 1)


def digest_years(calendar: Calendar | None, period: periods.Period) -> tuple[int, int] | None:
    """(registration year, recognition year) a digest of `period` shows: from the month of the
    registration deadline on, next year's registrations and this year's recognitions; None for
    a period ending before it."""
    year = period.end.year
    if period.end < registration_due(calendar, year + 1).replace(day=1):
        return None
    return year + 1, year


def split_items(text: str) -> list[str]:
    """The items typed in one message: one per line, without the list marks people type."""
    found = []
    for line in text.splitlines():
        item = _MARKER.sub("", line.strip()).strip()
        if item:
            found.append(item)
    return found


def read_item(text: str) -> parsers.Parsed:
    """One item as kept: its text (NFC), or why it is refused (too long, too short)."""
    parsed = parsers.parse_text(text, max_length=MAX_ITEM_LENGTH)
    if parsed.ok and len(words(parsed.value)) < MIN_ITEM_WORDS:
        return parsers.fail("item_too_short", text=parsed.value)
    return parsed
