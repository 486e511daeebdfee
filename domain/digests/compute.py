"""A digest as plain data: compliance per branch by the rules of DOMAIN.md, totals, 1+1,
deadlines and flags, computed once from `storage.digests` rows; the message, the spreadsheet
and the chart all read this one structure.

Rolled up level by level, whatever the depth: the branches are grouped by the unit directly under
the digest's root they sit in (a Tỉnh đoàn's digest: each Đoàn xã/phường; a Đoàn xã's: each Đoàn
cơ sở under it, and its own branches), and every unit of the subtree has its branches' totals.

Compliance: a branch holds a branch meeting every month; a border-commune branch at least one
every quarter, online meetings counted (002). A window (month or quarter) is judged only if the
branch existed all through it (`founded_on`) and it has begun; a window still open with no
meeting yet is "pending", not missed.
"""

from __future__ import annotations

import asyncio
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, replace
from datetime import date, datetime, time, timedelta
from typing import NamedTuple

from domain import collector, periods
from domain.deadlines import schedule
from domain.deadlines.calendar import Calendar
from domain.rules import LEVEL_NAMES, existed_by, meeting_window, oneplusone_periods, owed_from
from domain.three_active import digest as three_active
from storage import Storage
from messages_vi.formatting import LOCAL_TZ
from storage.digests import AuditLine, DigestRows, MeetingNote, MonthCount, OnePlusOne, PhotoCount, TreeUnit
from storage.photos import MeetingPhotos
from storage.reports import LateMeeting
from storage.units import path_ids

STATUSES = ("met", "met_online", "not_met", "pending", "new")
ONEPLUSONE_FIELDS = ("participants", "youth_reached", "new_members", "party_introduced")
HISTORY_DAYS = 365
# calendar items answered by a form the digest already judges in its own section
JUDGED_ELSEWHERE = frozenset({"meeting"})


class Window(NamedTuple):
    key: str               # "2026-06" or "2026-Q2"
    state: str             # met, missed, open


@dataclass(frozen=True)
class Figures:
    """1+1 and recruitment counts of one branch (or a sum of branches)."""

    participants: int = 0
    youth_reached: int = 0
    new_members: int = 0
    party_introduced: int = 0

    def __add__(self, other: "Figures") -> "Figures":
        return Figures(self.participants + other.participants, self.youth_reached + other.youth_reached,
                       self.new_members + other.new_members, self.party_introduced + other.party_introduced)


@dataclass(frozen=True)
class BranchLine:
    unit: TreeUnit
    path: tuple[str, ...]               # the units between the digest's root and the branch, top first
    group_id: int                       # the unit directly under the root it sits in (the root's own: the root)
    status: str                         # one of STATUSES ("" when the period is not judged)
    windows: tuple[Window, ...]
    branch_meetings: int
    online_meetings: int
    committee_meetings: int
    attended: int
    members_then: int                   # the members of the branch at each meeting, summed
    by_month: dict[str, int]            # branch meetings per month of the period
    oneplusone: Figures | None
    oneplusone_period: str              # the report used: "2026-H1", "2026", "2026-H1+2026-H2"
    secretary: str | None
    secretary_unreachable: bool
    # evidence photos: the meetings (of either kind) held in the period, those with a photo, the photos
    meetings_held: int = 0
    meetings_with_photos: int = 0
    photos: int = 0

    @property
    def compliant(self) -> bool:
        return self.status in ("met", "met_online")

    @property
    def windows_met(self) -> int:
        return sum(1 for w in self.windows if w.state == "met")

    @property
    def windows_judged(self) -> int:
        return sum(1 for w in self.windows if w.state != "open")


@dataclass
class Totals:
    branches: int = 0
    members: int = 0
    statuses: dict[str, int] = field(default_factory=lambda: dict.fromkeys(STATUSES, 0))
    branch_meetings: int = 0
    online_meetings: int = 0
    committee_meetings: int = 0
    attended: int = 0
    members_then: int = 0
    oneplusone: Figures = Figures()
    oneplusone_reported: int = 0
    meetings_held: int = 0
    meetings_with_photos: int = 0
    photos: int = 0

    @property
    def compliant(self) -> int:
        return self.statuses["met"] + self.statuses["met_online"]

    @property
    def judged(self) -> int:
        return self.branches - self.statuses["new"]

    def add(self, line: BranchLine) -> None:
        self.branches += 1
        self.members += line.unit.members
        if line.status:
            self.statuses[line.status] += 1
        self.branch_meetings += line.branch_meetings
        self.online_meetings += line.online_meetings
        self.committee_meetings += line.committee_meetings
        self.attended += line.attended
        self.members_then += line.members_then
        if line.oneplusone is not None:
            self.oneplusone += line.oneplusone
            self.oneplusone_reported += 1
        self.meetings_held += line.meetings_held
        self.meetings_with_photos += line.meetings_with_photos
        self.photos += line.photos

    def merge(self, other: "Totals") -> None:
        """Add another set of totals (of other branches) to these."""
        for name in ("branches", "members", "branch_meetings", "online_meetings", "committee_meetings",
                     "attended", "members_then", "oneplusone", "oneplusone_reported", "meetings_held",
                     "meetings_with_photos", "photos"):
            setattr(self, name, getattr(self, name) + getattr(other, name))
        for status, count in other.statuses.items():
            self.statuses[status] += count


@dataclass(frozen=True)
class Group:
    """The branches of one unit, all of those in its subtree: in the digest's groups, a unit
    directly under the root, or the root itself for the branches directly under it."""

    id: int
    name: str
    level: str                          # structural (domain.rules.LEVELS)
    level_name: str                     # as people read it (domain.rules.LEVEL_NAMES)
    totals: Totals
    branches: tuple[BranchLine, ...]
    leaf: bool = True                   # every branch of it sits directly under it


class Owed(NamedTuple):
    """One unit's part of a deadline (a tuple: a province owes tens of thousands in a year)."""

    unit_id: int
    name: str
    level: str              # as people read it (domain.rules.LEVEL_NAMES)
    group: str              # the unit directly under the digest's root it sits in
    due: date
    state: str              # confirmed, late, upcoming


@dataclass(frozen=True)
class DeadlineLine:
    item_id: str
    title: str
    key: str
    due: date               # the latest unit date: the top level's own
    owed: tuple[Owed, ...]

    def with_state(self, state: str) -> list[Owed]:
        return [o for o in self.owed if o.state == state]


@dataclass(frozen=True)
class Flag:
    kind: str               # over_members, jump, corrected, filed_late, unreachable, no_secretary
    unit_id: int
    branch: str
    group: str
    day: date | None = None
    attended: int = 0
    members: int = 0
    average: float | None = None
    subject: str = ""
    report: str = ""
    trail: tuple[AuditLine, ...] = ()
    filed: date | None = None           # filed_late: the day (in Vietnam) the report was sent


@dataclass(frozen=True)
class Digest:
    root: TreeUnit
    chain: tuple[TreeUnit, ...]          # the root's ancestors and the root, top first
    period: periods.Period
    today: date
    judged: bool                         # False for a week: compliance is by month or quarter
    branches: tuple[BranchLine, ...]
    groups: tuple[Group, ...]            # by the unit directly under the root; the root's own branches first
    units: tuple[Group, ...]             # every unit of the subtree but the branches, root first, in tree order
    totals: Totals
    oneplusone_keys: tuple[str, ...]
    deadlines: tuple[DeadlineLine, ...]
    flags: tuple[Flag, ...]
    audit: tuple[AuditLine, ...]
    names: dict[int, str]                # unit id -> name, for every unit in the digest
    # unit id -> the names of the units between the root and it, top first (the tree's columns)
    places: dict[int, tuple[str, ...]]
    # the level names at each depth under the root that holds units above a branch, top first
    place_levels: tuple[tuple[str, ...], ...] = ()
    # every meeting held in the period by the digest's branches, with its evidence photos
    meetings: tuple[MeetingPhotos, ...] = ()
    # "3 chủ động": registrations and recognitions below the root, in the digests of their season
    three_active: three_active.Section | None = None

    def flags_of(self, kind: str) -> list[Flag]:
        return [f for f in self.flags if f.kind == kind]


def week_before(day: date) -> periods.Period:
    """The seven days before a day, as a period of kind "week" (numbered by the last day's ISO week)."""
    last = day - timedelta(days=1)
    iso = last.isocalendar()
    return periods.Period("week", iso.year, iso.week, day - timedelta(days=7), last)


def oneplusone_keys(period: periods.Period) -> tuple[str, ...]:
    """The 1+1 report periods a digest reads: its half-year (or its year) first, then the fallback."""
    year = str(periods.year(period.start).key)
    if period.kind == "year":
        return (year, f"{year}-H1", f"{year}-H2")
    return (periods.half_year(period.start).key, year)


async def build(
    storage: Storage, root_id: int, period: periods.Period, today: date, calendar: Calendar,
    confirmed: set[tuple[int, str, str]] | None = None,
) -> Digest | None:
    """Read the rows of a digest in one transaction and compute it; None for an unknown unit.

    `confirmed` adds (unit, item, occurrence) confirmations to those stored."""
    with collector.paused():           # a province's year reads and makes some hundred thousand rows
        return await _build(storage, root_id, period, today, calendar, confirmed)


async def _build(storage: Storage, root_id: int, period: periods.Period, today: date, calendar: Calendar,
                 confirmed: set[tuple[int, str, str]] | None) -> Digest | None:
    first_day = periods.quarter(period.start).start if period.kind != "week" else period.start
    keys = oneplusone_keys(period)
    rows = await storage.digests.gather(root_id, first_day, period.start, period.end,
                                        period.start - timedelta(days=HISTORY_DAYS), keys)
    if rows is None:
        return None
    # meetings filed late: held in the period, or sent during it for an earlier one
    late = await storage.reports.late_under(
        root_id, period.start, period.end, datetime.combine(period.start, time(0), LOCAL_TZ),
        datetime.combine(period.end + timedelta(days=1), time(0), LOCAL_TZ))
    # every meeting of the period one by one, for the sheet of evidence photos: only when there are photos
    evidence = await storage.photos.meetings_under(root_id, period.start, period.end) if rows.photos else ()
    # off the event loop: a province's year is half a second of work every other chat would wait for
    digest = await asyncio.to_thread(compute, rows, period, today, calendar, rows.confirmed | (confirmed or set()),
                                     late, evidence)
    return replace(digest, three_active=await three_active.section(storage, root_id, period, digest.names, calendar))


def compute(rows: DigestRows, period: periods.Period, today: date, calendar: Calendar,
            confirmed: set[tuple[int, str, str]], late: Sequence[LateMeeting] = (),
            evidence: Sequence[MeetingPhotos] = ()) -> Digest:
    """The digest of the rows read for `period`, as seen on `today`; `evidence`: the meetings
    held in the period, with their photo counts (storage.photos.meetings_under), when any has one."""
    root = rows.chain[-1]
    units = {u.id: u for u in (*rows.chain, *rows.units)}
    names = {u.id: u.name for u in units.values()}
    places = _places(root, rows.units, units)
    judged = period.kind != "week"
    counts = _month_counts(rows)
    secretaries = {s.unit_id: s for s in rows.secretaries}
    oneplusone = _oneplusone_by_branch(rows.oneplusone, period)
    keys = oneplusone_keys(period)
    months = _months_between(period.start, period.end)
    spans = {border: _spans(period, today, border) for border in (False, True)} if judged else None
    photos = {p.unit_id: p for p in rows.photos}
    ids_of = {u.id: path_ids(u.path) for u in units.values()}
    depth = len(ids_of[root.id])
    group_of = _group_of(rows.units, root, ids_of, depth)
    lines = []
    for unit in rows.units:
        if unit.level != "branch":
            continue
        figures, source = oneplusone.get(unit.id, (None, ""))
        secretary = secretaries.get(unit.id)
        lines.append(_branch_line(
            unit, places[unit.id], group_of[unit.id], counts.get(unit.id, {}),
            months, spans, figures, source, secretary.name if secretary else None,
            bool(secretary and secretary.unreachable), photos.get(unit.id),
        ))
    groups, subtree, totals = _roll_up(lines, rows.units, root, ids_of)
    group_names = {unit_id: names[group_id] for unit_id, group_id in group_of.items()}
    return Digest(
        root=root, chain=tuple(rows.chain), period=period, today=today, judged=judged,
        branches=tuple(lines), groups=groups, units=subtree, totals=totals,
        oneplusone_keys=keys,
        deadlines=_deadlines(rows, units, ids_of, group_names, period, today, calendar, confirmed),
        flags=_flags(rows, lines, group_names, late),
        audit=tuple(rows.audit), names=names, places=places,
        place_levels=_place_levels(rows.units, ids_of, depth),
        meetings=tuple(m for m in evidence if m.unit_id in group_names),
    )


# --- branches ------------------------------------------------------------------------------------

def _month_counts(rows: DigestRows) -> dict[int, dict[str, MonthCount]]:
    """unit -> month -> its meetings (storage.digests.MonthCount)."""
    out: dict[int, dict[str, MonthCount]] = {}
    for c in rows.months:
        found = out.get(c.unit_id)
        if found is None:
            out[c.unit_id] = {c.month: c}
        else:
            found[c.month] = c
    return out


def _places(root: TreeUnit, members: list[TreeUnit], units: dict[int, TreeUnit]) -> dict[int, tuple[str, ...]]:
    """Each unit's path under the root: the names of the units between them, top first (computed
    once per parent: a province has some hundred parents for its thousands of branches)."""
    depth = len(path_ids(root.path))
    by_parent: dict[int | None, tuple[str, ...]] = {}
    places = {}
    for unit in members:
        found = by_parent.get(unit.parent_id)
        if found is None:
            between = path_ids(unit.path)[depth:-1]
            found = by_parent[unit.parent_id] = tuple(units[i].name for i in between)
        places[unit.id] = found
    return places


def _place_levels(members: list[TreeUnit], ids_of: dict[int, list[int]], depth: int) -> tuple[tuple[str, ...], ...]:
    """The level names found at each depth under the root among the units above a branch, top
    first, each depth's in LEVEL_NAMES' order: the headers of the spreadsheet's tree columns."""
    found: list[set[str]] = []
    for unit in members:
        if unit.level == "branch":
            continue
        at = len(ids_of[unit.id]) - depth - 1
        if at >= 0:
            found.extend(set() for _ in range(at + 1 - len(found)))
            found[at].add(unit.level_name)
    return tuple(tuple(name for name in LEVEL_NAMES if name in names) for names in found)


def _group_of(members: list[TreeUnit], root: TreeUnit, ids_of: dict[int, list[int]], depth: int) -> dict[int, int]:
    """unit -> the unit directly under the root it sits in (itself, for such a unit; the root for
    the root and its own branches)."""
    out = {}
    for unit in members:
        ids = ids_of[unit.id]
        out[unit.id] = ids[depth] if len(ids) > depth and not (len(ids) == depth + 1 and unit.level == "branch") \
            else root.id
    return out


def _months_between(start: date, end: date) -> list[str]:
    keys, day = [], start.replace(day=1)
    while day <= end:
        keys.append(f"{day.year}-{day.month:02d}")
        day = (day.replace(day=28) + timedelta(days=4)).replace(day=1)
    return keys


@dataclass(frozen=True)
class _Span:
    """A window of the rule (a month, or a border branch's quarter) as the period sees it."""

    key: str
    start: date
    months: tuple[str, ...]        # the months counted: the window up to the period's end
    closed: bool

    def window(self, met: bool) -> Window:
        """The branch's window: one of three records, made once (a province's year has 60,000)."""
        return self._met if met else self._unmet

    def __post_init__(self) -> None:
        object.__setattr__(self, "_met", Window(self.key, "met"))
        object.__setattr__(self, "_unmet", Window(self.key, "missed" if self.closed else "open"))


def _spans(period: periods.Period, today: date, border: bool) -> tuple[_Span, ...]:
    """The rule's windows that overlap the period and have begun, the same for every branch."""
    spans, day = [], period.start
    while day <= period.end:
        window = meeting_window(day, border)
        day = window.end + timedelta(days=1)
        if window.start <= today:
            spans.append(_Span(window.key, window.start,
                               tuple(_months_between(window.start, min(window.end, period.end))),
                               window.end <= period.end and window.end < today))
    return tuple(spans)


def _windows(unit: TreeUnit, spans: tuple[_Span, ...], met_months: set[str],
             online_months: set[str]) -> tuple[tuple[Window, ...], bool]:
    """The branch's windows (those it existed all through) and whether a met one had an online meeting."""
    windows, online, founded = [], False, unit.founded_on
    for span in spans:
        if not existed_by(founded, span.start):
            continue
        met = not met_months.isdisjoint(span.months)
        online = online or (met and not online_months.isdisjoint(span.months))
        windows.append(span.window(met))
    return tuple(windows), online


def _status(unit: TreeUnit, windows: tuple[Window, ...], online_in_windows: bool) -> str:
    if not windows:
        return "new"
    states = {w.state for w in windows}
    if "missed" in states:
        return "not_met"
    if "open" in states:
        return "pending"
    return "met_online" if unit.border and online_in_windows else "met"


_NONE = MonthCount(0, "", 0, 0, 0, 0, 0)


def _branch_line(unit, path, group_id, counts: dict[str, MonthCount], months, spans, figures, source,
                 secretary, unreachable, evidence: PhotoCount | None = None) -> BranchLine:
    per_month = [counts.get(m, _NONE) for m in months]
    judged = spans is not None
    if judged:
        met = {month for month, c in counts.items() if c.meetings}
        online_months = {month for month, c in counts.items() if c.online}
        windows, online = _windows(unit, spans[unit.border], met, online_months)
    else:
        windows, online = (), False
    meetings, online_meetings, attended, members_then, committee = (
        [sum(column) for column in list(zip(*per_month))[2:]] if per_month else (0, 0, 0, 0, 0))
    return BranchLine(
        unit=unit, path=path, group_id=group_id,
        status=_status(unit, windows, online) if judged else "", windows=windows,
        branch_meetings=meetings, online_meetings=online_meetings, committee_meetings=committee,
        attended=attended, members_then=members_then,
        by_month={m: c.meetings for m, c in zip(months, per_month)},
        oneplusone=figures, oneplusone_period=source, secretary=secretary, secretary_unreachable=unreachable,
        meetings_held=meetings + committee, meetings_with_photos=evidence.meetings if evidence else 0,
        photos=evidence.photos if evidence else 0,
    )


def _oneplusone_by_branch(reports: Iterable[OnePlusOne], period: periods.Period) -> dict[int, tuple[Figures, str]]:
    """Each branch's 1+1 figures for the period: the first key that it reported, or the halves summed."""
    keys = oneplusone_keys(period)
    found: dict[int, dict[str, Figures]] = {}
    for r in reports:
        found.setdefault(r.unit_id, {})[r.period] = Figures(r.participants, r.youth_reached, r.new_members,
                                                            r.party_introduced)
    out = {}
    for unit_id, by_key in found.items():
        if keys[0] in by_key:
            out[unit_id] = (by_key[keys[0]], keys[0])
        elif period.kind == "year":
            halves = [k for k in keys[1:] if k in by_key]
            out[unit_id] = (sum((by_key[k] for k in halves), Figures()), "+".join(halves))
        elif keys[1] in by_key:
            out[unit_id] = (by_key[keys[1]], keys[1])
    return out


def _group(unit: TreeUnit, totals: Totals, branches: list[BranchLine], leaf: bool) -> Group:
    return Group(unit.id, unit.name, unit.level, unit.level_name or unit.level, totals, tuple(branches), leaf)


def _roll_up(lines: list[BranchLine], members: list[TreeUnit], root: TreeUnit,
             ids_of: dict[int, list[int]]) -> tuple[tuple[Group, ...], tuple[Group, ...], Totals]:
    """(the groups: the root's own branches, then each unit directly under it; every unit above a
    branch with its subtree's totals, root first; the root's totals), in tree order.

    Each branch is added once, to its parent; a unit's totals are then merged into its parent's,
    the deepest first: a province's five thousand branches cost five thousand additions and a
    hundred merges, not one addition per branch and level."""
    if root.level == "branch":
        totals = Totals()
        for line in lines:
            totals.add(line)
        return (_group(root, totals, lines, True),), (), totals
    holders = [u for u in members if u.level != "branch"]
    own: dict[int, list[BranchLine]] = {u.id: [] for u in holders}
    for line in lines:
        own[line.unit.parent_id].append(line)
    totals_of: dict[int, Totals] = {}
    lines_of: dict[int, list[BranchLine]] = {}
    leaf: dict[int, bool] = {}
    for unit in holders:
        totals = totals_of[unit.id] = Totals()
        for line in own[unit.id]:
            totals.add(line)
        lines_of[unit.id] = list(own[unit.id])
        leaf[unit.id] = True
    root_own = Totals()
    root_own.merge(totals_of[root.id])
    for unit in sorted(holders, key=lambda u: -len(ids_of[u.id])):
        if unit.id == root.id or not lines_of[unit.id]:
            continue
        totals_of[unit.parent_id].merge(totals_of[unit.id])
        lines_of[unit.parent_id].extend(lines_of[unit.id])
        leaf[unit.parent_id] = False
    # in tree order, siblings as they were created (path strings would put "/1/10/" before "/1/2/")
    ordered = sorted((u for u in holders if lines_of[u.id]), key=lambda u: ids_of[u.id])
    subtree = tuple(_group(u, totals_of[u.id], lines_of[u.id], leaf[u.id]) for u in ordered)
    groups = [_group(root, root_own, own[root.id], True)] if own[root.id] else []
    groups += [g for u, g in zip(ordered, subtree) if u.parent_id == root.id]
    return tuple(groups), subtree, totals_of[root.id]


# --- deadlines -----------------------------------------------------------------------------------

def _deadlines(rows, units, ids_of, group_names, period, today, calendar, confirmed) -> tuple[DeadlineLine, ...]:
    """Every deadline falling in the period for the units of the digest, who confirmed, who is late."""
    by_chain: dict[tuple[str, ...], list[tuple[int, str, str, str]]] = {}
    for unit in rows.units:
        chain = tuple(units[i].level for i in reversed(ids_of[unit.id]))
        by_chain.setdefault(chain, []).append((unit.id, unit.name, unit.level_name or unit.level,
                                               group_names.get(unit.id, unit.name)))
    answered: dict[tuple[str, str], set[int]] = {}
    for unit_id, item_id, key in confirmed:
        answered.setdefault((item_id, key), set()).add(unit_id)
    reported: dict[str, set[int]] = {}
    for report in rows.oneplusone:
        reported.setdefault(report.period, set()).add(report.unit_id)
    owed: dict[tuple[str, str], list[Owed]] = {}
    for item in calendar.items:
        if item.collects in JUDGED_ELSEWHERE:
            continue
        for chain, members in by_chain.items():
            for occurrence in schedule.occurrences_between(item, chain, calendar.settings, period.start, period.end):
                done = answered.get((item.id, occurrence.key), set())
                if item.collects == "oneplusone":
                    done = done | _reported(occurrence.due, reported)
                due, waiting = occurrence.due, "late" if occurrence.due < today else "upcoming"
                since = owed_from(item.collects, occurrence.key, due, False)     # a unit set up later owes none
                parts = [Owed(unit_id, name, level, group, due, "confirmed" if unit_id in done else waiting)
                         for unit_id, name, level, group in members if existed_by(units[unit_id].founded_on, since)]
                if parts:
                    owed.setdefault((item.id, occurrence.key), []).extend(parts)
    lines = [
        DeadlineLine(item_id, calendar.item(item_id).title, key, max(o.due for o in parts), tuple(parts))
        for (item_id, key), parts in owed.items()
    ]
    return tuple(sorted(lines, key=lambda d: (d.due, d.item_id)))


def _reported(due: date, reported: dict[str, set[int]]) -> set[int]:
    """The units whose 1+1 report answers a review due that day (domain.rules.oneplusone_periods)."""
    return set().union(*(reported.get(key, set()) for key in oneplusone_periods(due)))


# --- flags -----------------------------------------------------------------------------------------

def _flags(rows: DigestRows, lines: list[BranchLine], group_names: dict[int, str],
           late: Sequence[LateMeeting] = ()) -> tuple[Flag, ...]:
    branch = {line.unit.id: line.unit.name for line in lines}

    def note(kind: str, m: MeetingNote) -> Flag:
        return Flag(kind, m.unit_id, branch[m.unit_id], group_names[m.unit_id], m.held_on, m.attended,
                    m.members_then, m.average)

    flags = [note("over_members", m) for m in rows.over]
    flags += [note("jump", m) for m in rows.jumps]
    trails: dict[tuple[str, int], list[AuditLine]] = {}
    for line in rows.audit:
        trails.setdefault((line.subject, line.subject_id), []).append(line)
    for (subject, _), trail in trails.items():
        if any(a.action != "create" for a in trail):
            unit_id = trail[0].unit_id
            flags.append(Flag("corrected", unit_id, branch[unit_id], group_names[unit_id], subject=subject,
                              report=trail[0].report, trail=tuple(trail)))
    flags += [Flag("filed_late", m.unit_id, branch[m.unit_id], group_names[m.unit_id], m.held_on,
                   subject="meeting", report=m.held_on.isoformat(), filed=m.filed_at.astimezone(LOCAL_TZ).date())
              for m in late if m.unit_id in branch]
    for line in lines:
        if line.secretary is None:
            flags.append(Flag("no_secretary", line.unit.id, line.unit.name, group_names[line.unit.id]))
        elif line.secretary_unreachable:
            flags.append(Flag("unreachable", line.unit.id, line.unit.name, group_names[line.unit.id]))
    return tuple(flags)
