"""The Union's rules that the bot counts against (DOMAIN.md), each written once and used everywhere:
the levels of the unit tree, the window in which a branch must hold its meeting, the 1+1 report
periods that answer a review, and who may remove a branch's secretary or deputy.

Unit paths ("/1/5/9/") are storage's representation of the tree: their one home is storage/units.py.
"""

from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING

from domain import periods

if TYPE_CHECKING:                    # records only: the rules read no storage
    from storage.people import Identity, Member
    from storage.units import Unit

# The structural levels of the unit tree, from the top down (DESIGN decision 6): what the code counts
# on. Only "branch" holds members and reports; "grassroots" is a Đoàn cơ sở of any kind (a Đoàn
# xã/phường, a school's Đoàn trường, ...); "province" is the Tỉnh đoàn at the top; "district" is a
# level between them that is no Đoàn cơ sở (a Huyện đoàn, where one still exists).
LEVELS: tuple[str, ...] = ("province", "district", "grassroots", "branch")
# The level names a unit may have, what people read ("Đoàn xã", "Tỉnh đoàn": messages_vi
# "level.<name>"), top down, each with its structural level and its rank: a unit sits below a unit
# of a higher rank. Since 2025 a Đoàn xã/phường reports straight to the Tỉnh đoàn and may hold
# Đoàn cơ sở (a school's) as well as branches; a database made before keeps its district and
# grassroots units, which are level names too.
LEVEL_NAMES: dict[str, tuple[str, int]] = {
    "province": ("province", 4),
    "district": ("district", 3),
    "city": ("province", 4),               # a centrally-run city's Thành đoàn, a Tỉnh đoàn's peer
    "affiliated": ("district", 3),         # a Đoàn trực thuộc (Đoàn khối, the police's) of the Tỉnh đoàn
    "commune": ("grassroots", 2),
    "ward": ("grassroots", 2),
    "special_zone": ("grassroots", 2),
    "school": ("grassroots", 1),
    "grassroots": ("grassroots", 1),
    "branch": ("branch", 0),
}
# The roles a branch holds, the only ones an officer may end (handlers.units).
BRANCH_ROLES: tuple[str, ...] = ("secretary", "deputy")


def structural_level(level_name: str) -> str:
    """The structural level (one of LEVELS) of a level name; KeyError for an unknown name."""
    return LEVEL_NAMES[level_name][0]


def may_sit_under(level_name: str, parent_level_name: str) -> bool:
    """Whether a unit of this level name may sit directly under a unit of the other: a branch
    under any unit, a Đoàn trường under a Đoàn xã or a Tỉnh đoàn, never a unit under a branch or
    under a unit of its own rank (two Đoàn xã, one under the other)."""
    return LEVEL_NAMES[level_name][1] < LEVEL_NAMES[parent_level_name][1]


def names_its_branches(unit: Unit) -> bool:
    """Whether a digest of this unit lists branches by name under its direct units: every unit's
    but the Tỉnh đoàn's, whose digest rolls up a hundred Đoàn xã and opens each of them."""
    return unit.level != "province"


def meeting_window(day: date, border: bool) -> periods.Period:
    """The window holding `day` in which a branch must hold a branch meeting: its month (Điều lệ
    Đoàn), or for a border-commune branch its quarter (002: at least once every 3 months)."""
    return periods.quarter(day) if border else periods.month(day)


def meeting_owed_in(day: date, border: bool) -> bool:
    """Whether a branch's meeting window closes in the month of `day`: every month, and for a
    border-commune branch only the last month of each quarter."""
    return meeting_window(day, border).end.month == day.month


def owed_from(collects: str | None, key: str, due: date, border: bool) -> date:
    """The day a unit must have existed on to owe an occurrence of a deadline: for a meeting, the
    first day of its window (a window is judged only if the branch existed all through it); for
    anything else, its due date."""
    if collects == "meeting":
        return meeting_window(periods.parse(key).end, border).start
    return due


def existed_by(founded_on: date | None, day: date) -> bool:
    """Whether a unit existed on `day`: one whose founding day is not known always did."""
    return founded_on is None or founded_on <= day


def oneplusone_periods(due: date) -> tuple[str, ...]:
    """The 1+1 report periods ("2026-H1", "2026") that answer a review due on `due` (1+1 is
    reviewed at six months and at year end, 004): the report of its half-year, and in the second
    half the year's report too."""
    half = periods.half_year(due).key
    return (half, str(due.year)) if due.month > 6 else (half,)


def may_remove(remover: Identity, member: Member, unit: Unit) -> bool:
    """Whether `remover` may end `member`'s role in `unit`: only a branch's secretary or deputy is
    removed, only by an officer of a unit above the branch (any level above), never by themselves."""
    above = remover.unit
    return (remover.is_officer and above is not None and member.person_id != remover.person.id
            and member.role in BRANCH_ROLES and unit.level == "branch"
            and unit.id != above.id and above.contains(unit))
