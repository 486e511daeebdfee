"""When things are due and when to remind: pure functions of the calendar, with the clock passed in.

A tick (DESIGN decision 3) asks, for each unit and item: which occurrences fall in the
look-ahead window (``lookahead_window``, ``occurrences_between``), and which reminder step of
each is due now (``due_step``).  The outbox key (unit, item id, occurrence key, step name) makes
a repeated tick harmless.  Nothing here reads the clock, a file or a database.

Cascade: a unit below the item's sender owes its part earlier, by the lead days of each unit
between (``unit_due_date``).  The chain of (structural) levels is the unit's own path, whatever
its depth: a branch directly under a Đoàn xã owes only ``lead_days["branch"]`` before the Đoàn
xã's date, a branch under a Đoàn trường under a Đoàn xã owes ``lead_days["grassroots"]`` more.
An item sent by the units "under_province" is owed on its date by the highest unit of the path
below the Tỉnh đoàn (a Đoàn xã since 2025, a Huyện đoàn in a database made before).

Callers are expected to cache per distinct chain (as a tuple); the helpers below are cached on
small hashable keys, so repeated calls for 100,000 units cost a dictionary look-up each.
"""

from __future__ import annotations

import calendar as _stdcal
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from functools import lru_cache
from zoneinfo import ZoneInfo

from domain.deadlines.calendar import Item, Settings, in_quiet_hours
from domain.rules import LEVELS, meeting_owed_in

__all__ = [
    "LOCAL_TZ",
    "LATE_HORIZON_DAYS",
    "BORDER_NUDGE_DAY",
    "Occurrence",
    "Step",
    "unit_due_date",
    "sender_chain",
    "occurrences_between",
    "due_step",
    "send_time_utc",
    "meeting_nudge",
    "lookahead_window",
]

LOCAL_TZ = ZoneInfo("Asia/Ho_Chi_Minh")
# Late reminders stop this many days after a unit's due date (the window a tick looks back).
LATE_HORIZON_DAYS = 60
# A border-commune branch must meet once a quarter; nudged on this day of the quarter's last month.
BORDER_NUDGE_DAY = 15

_RANK: dict[str, int] = {level: rank for rank, level in enumerate(reversed(LEVELS))}  # branch = 0
# An item's sender as a rank: "under_province" is whatever stands between the Tỉnh đoàn and the
# levels below, as a district did.
_SENDER_RANK: dict[str, int] = {**_RANK, "under_province": _RANK["district"]}

# recurrence -> (months whose last day is a due date, key of the occurrence)
_MONTH_END_RECURRENCES = {
    "monthly": (tuple(range(1, 13)), lambda y, m: f"{y}-{m:02d}"),
    "quarterly": ((3, 6, 9, 12), lambda y, m: f"{y}-Q{m // 3}"),
    "half_year": ((6, 12), lambda y, m: f"{y}-H{m // 6}"),
    "year_end": ((12,), lambda y, m: str(y)),
}


@dataclass(frozen=True, slots=True)
class Occurrence:
    """One occurrence of an item for one unit.

    ``key`` is stable across levels and lead changes: the year of the item's own due date
    ("2026"), or its period ("2026-06", "2026-Q2", "2026-H1"); ``due`` is the unit's date.
    """

    item_id: str
    key: str
    due: date


@dataclass(frozen=True, slots=True)
class Step:
    """A reminder step: "before-7", ..., "due", "late-1", "late-2", ...; send_at is aware UTC."""

    name: str
    send_at: datetime


# ---- cascade -------------------------------------------------------------------------------

def unit_due_date(item: Item, base_due: date, chain: Sequence[str], settings: Settings) -> date | None:
    """The unit's own due date for an item due at ``base_due`` at the item's level.

    ``chain`` lists the structural levels from the unit up to the root, e.g. ("branch",
    "grassroots", "province").  None when the item does not concern the unit: the unit is above
    the item's sender, or below it and the item does not cascade.
    """
    lead = _cascade_lead(item.level, item.cascade, tuple(chain), settings.lead_days)
    return None if lead is None else base_due - timedelta(days=lead)


@lru_cache(maxsize=4096)
def _cascade_lead(item_level: str, cascade: bool, chain: tuple[str, ...],
                  lead_days: Mapping[str, int]) -> int | None:
    ranks = _chain_ranks(chain)
    target = _SENDER_RANK[item_level]
    if ranks[0] > target:
        return None
    if ranks[0] == target:
        return 0
    # A unit whose parent is above the item's level (or that is the root: the item's level is
    # missing from this path) reports straight to where the item goes, so it stands in for that
    # level: a Đoàn xã under the Tỉnh đoàn for a Huyện đoàn. A branch stands in only for an item
    # that cascades: it is no Đoàn cơ sở, and owes none of their own reports.
    if len(ranks) == 1 or ranks[1] > target:
        return 0 if cascade or chain[0] != "branch" else None
    if not cascade:
        return None
    lead = 0
    for level, parent_rank in zip(chain, ranks[1:]):
        if parent_rank > target:
            break
        lead += lead_days.get(level, 0)
    return lead


def sender_chain(sender: str) -> tuple[str, ...]:
    """The longest chain of a unit that sends an item of this sender (calendar.SENDERS): itself
    at the sender's level, under a unit of every level above it."""
    rank = _SENDER_RANK[sender]
    return tuple(level for level in reversed(LEVELS) if _RANK[level] >= rank)


def _chain_ranks(chain: tuple[str, ...]) -> tuple[int, ...]:
    if not chain:
        raise ValueError("chain of levels is empty")
    unknown = [level for level in chain if level not in _RANK]
    if unknown:
        raise ValueError(f"unknown level(s) {unknown!r} in chain {chain!r}; expected {LEVELS!r}")
    ranks = tuple(_RANK[level] for level in chain)
    # a Đoàn trường may sit under a Đoàn xã (both Đoàn cơ sở), never a unit under a branch
    if any(upper < lower or upper == 0 for lower, upper in zip(ranks, ranks[1:])):
        raise ValueError(f"chain {chain!r} must go from the unit up to the root, no level below the last")
    return ranks


# ---- occurrences ---------------------------------------------------------------------------

def occurrences_between(item: Item, chain: Sequence[str], settings: Settings,
                        start: date, end: date) -> list[Occurrence]:
    """Every occurrence of ``item`` whose unit due date is within [start, end], by date."""
    lead = _cascade_lead(item.level, item.cascade, tuple(chain), settings.lead_days)
    if lead is None or start > end:
        return []
    return list(_occurrences(item, lead, start, end))


@lru_cache(maxsize=8192)
def _occurrences(item: Item, lead: int, start: date, end: date) -> tuple[Occurrence, ...]:
    shift = timedelta(days=lead)
    return tuple(Occurrence(item.id, key, base - shift)
                 for key, base in _base_dues(item, start + shift, end + shift))


def _base_dues(item: Item, first: date, last: date) -> Iterator[tuple[str, date]]:
    """(key, the item's own due date) for each due date within [first, last], in order."""
    for year in range(first.year, last.year + 1):
        for key, day in _year_dues(item, year):
            if first <= day <= last:
                yield key, day


def _year_dues(item: Item, year: int) -> Iterator[tuple[str, date]]:
    if item.due is not None:
        yield str(year), _yearly_date(year, *item.due)
        return
    months, key = _MONTH_END_RECURRENCES[item.recurrence]
    for month in months:
        yield key(year, month), _month_end(year, month)


def _yearly_date(year: int, day: int, month: int) -> date:
    # 29/02 falls on 28/02 in a year without it.
    return date(year, month, min(day, _stdcal.monthrange(year, month)[1]))


def _month_end(year: int, month: int) -> date:
    return date(year, month, _stdcal.monthrange(year, month)[1])


# ---- reminder ladder -----------------------------------------------------------------------

def due_step(occurrence_due: date, now: datetime, settings: Settings) -> Step | None:
    """The latest reminder step whose send time has come at ``now``, or None.

    Earlier steps that were missed (downtime) are skipped: only the latest is returned, and the
    outbox key makes returning it again on the next tick harmless.  Nothing is due inside quiet
    hours; the first tick after they end sends what came due meanwhile.
    """
    local = _to_local(now)
    if in_quiet_hours(local.time(), settings.quiet_start, settings.quiet_end):
        return None
    last_day = local.date()
    if local.time() < settings.send_at:
        last_day -= timedelta(days=1)
    return _latest_step(occurrence_due, last_day, settings)


@lru_cache(maxsize=8192)
def _latest_step(due: date, last_day: date, settings: Settings) -> Step | None:
    """The latest step whose day is on or before ``last_day``."""
    best: tuple[str, date] | None = None
    for days_before in settings.ladder_days_before:  # largest first, so days come in order
        day = due - timedelta(days=days_before)
        if day > last_day:
            break
        best = (f"before-{days_before}" if days_before else "due", day)
    every = settings.late_every_days
    if every and (last_day - due).days >= every:
        n = (last_day - due).days // every
        best = (f"late-{n}", due + timedelta(days=n * every))
    return None if best is None else Step(best[0], send_time_utc(best[1], settings))


@lru_cache(maxsize=4096)
def send_time_utc(day: date, settings: Settings) -> datetime:
    """``day`` at settings.send_at, local time, as an aware UTC datetime."""
    return datetime.combine(day, settings.send_at, tzinfo=LOCAL_TZ).astimezone(UTC)


def lookahead_window(now: datetime, settings: Settings) -> tuple[date, date]:
    """The unit due dates a tick at ``now`` must consider, both ends included.

    From LATE_HORIZON_DAYS ago (late reminders stop after that) to the earliest step ahead.
    """
    today = _to_local(now).date()
    ahead = max(settings.ladder_days_before, default=0)
    return today - timedelta(days=LATE_HORIZON_DAYS), today + timedelta(days=ahead)


def _to_local(now: datetime) -> datetime:
    if now.tzinfo is None or now.utcoffset() is None:
        raise ValueError("now must be a timezone-aware datetime")
    return now.astimezone(LOCAL_TZ)


# ---- branch meetings -----------------------------------------------------------------------

def meeting_nudge(month_start: date, border: bool, settings: Settings) -> date | None:
    """The day in this month a branch with no meeting recorded is nudged, or None.

    A branch meets monthly: nudged on settings.meeting_nudge_day.  A border-commune branch must
    meet once every 3 months (002): nudged on the 15th of the quarter's last month, and in no
    other month (None).  Any day of the month may be passed.
    """
    if not meeting_owed_in(month_start, border):
        return None
    return month_start.replace(day=BORDER_NUDGE_DAY if border else settings.meeting_nudge_day)
