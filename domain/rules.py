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

# The levels of the unit tree, from the top down (DESIGN decision 6): a unit's level is one of these,
# and a unit sits below a unit of a higher level.
LEVELS: tuple[str, ...] = ("province", "district", "grassroots", "branch")
# The roles a branch holds, the only ones an officer may end (handlers.units).
BRANCH_ROLES: tuple[str, ...] = ("secretary", "deputy")


def meeting_window(day: date, border: bool) -> periods.Period:
    """The window holding `day` in which a branch must hold a branch meeting: its month (Điều lệ
    Đoàn), or for a border-commune branch its quarter (002: at least once every 3 months)."""
    return periods.quarter(day) if border else periods.month(day)


def meeting_owed_in(day: date, border: bool) -> bool:
    """Whether a branch's meeting window closes in the month of `day`: every month, and for a
    border-commune branch only the last month of each quarter."""
    return meeting_window(day, border).end.month == day.month


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
