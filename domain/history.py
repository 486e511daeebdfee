"""A branch's history of activity (issue 13, item 3): its meetings month by month over the last
12 months, judged against its meeting window, its 1+1 reports per half-year, its new members per
quarter, and its evidence photos. Pure: the records are read by the handler and passed in.

New members per quarter come from the member-count history (each update with the reason "Kết nạp
mới" adds what it added): it is the only record dated finer than a half-year. Where a branch never
recorded one in the last four quarters, its 1+1 reports' new-member counts are shown instead, per
half-year or year as reported; the text says which source it used.

Meetings are judged by the branch's window (domain.rules.meeting_window): a month, or for a
border-commune branch a quarter (002: at least once every 3 months), so a border branch's month
without a meeting is no fault and its quarters are listed. As in the digest, a window is judged
only if the branch existed all through it (its founding day, when known: domain.rules.existed_by).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date

from domain import periods
from domain.periods import Period
from domain.rules import existed_by, meeting_window
from messages_vi import period_name, t
from messages_vi.formatting import local_today, number

MONTHS = 12
QUARTERS = 4
MEETINGS_IN_LINE = 3        # meetings spelled out in a month's line; more are counted
ADMITTED = "admitted"       # the member-count update's reason for new members (domain.forms.definitions)
BRANCH_MEETING = "branch"   # a meeting's kind that answers the meeting rule (the other: committee)


def months(today: date) -> list[Period]:
    """The last MONTHS months, this one included, newest first."""
    found = [periods.month(today)]
    while len(found) < MONTHS:
        found.append(found[-1].previous())
    return found


def quarters(today: date) -> list[Period]:
    """The last QUARTERS quarters, this one included, newest first."""
    found = [periods.quarter(today)]
    while len(found) < QUARTERS:
        found.append(found[-1].previous())
    return found


def meetings_since(today: date, border: bool) -> date:
    """The first day whose meetings the history reads: its oldest month, or the start of that
    month's meeting window (a border branch's quarter is judged whole)."""
    return meeting_window(months(today)[-1].start, border).start


def report_periods(today: date) -> list[str]:
    """The 1+1 periods the history shows: the half-years and years its months touch, newest first."""
    shown = months(today)
    halves = {periods.half_year(m.start).key: periods.half_year(m.start) for m in shown}
    years = {periods.year(m.start).key: periods.year(m.start) for m in shown}
    found = sorted([*halves.values(), *years.values()], key=lambda p: (p.end, p.kind != "year"), reverse=True)
    return [p.key for p in found]


def members_since(today: date) -> date:
    """The first day of the member-count history the history reads."""
    return quarters(today)[-1].start


@dataclass(frozen=True)
class MonthLine:
    month: Period
    meetings: tuple              # storage.reports.Meeting, oldest first
    missed: bool                 # a closed monthly window with no branch meeting


@dataclass(frozen=True)
class WindowLine:
    window: Period
    held: int                    # branch meetings in it
    closed: bool                 # ended before today
    judged: bool = True          # the branch existed all through it


@dataclass(frozen=True)
class History:
    border: bool
    months: tuple[MonthLine, ...]                 # newest first
    windows: tuple[WindowLine, ...]               # the meeting windows of those months, newest first
    reports: tuple[tuple[Period, object], ...]    # (1+1 period, its Recruitment or None), newest first
    new_members: tuple[tuple[str, int], ...]      # (period label, count), newest first
    new_members_source: str                       # "history", "oneplusone" or "none"
    photos: int
    meetings_with_photos: int


def build(today: date, border: bool, meetings: Iterable, reports: Mapping[str, object],
          changes: Iterable, photo_counts: Mapping[int, int], founded_on: date | None = None) -> History:
    """The history from the branch's meetings (since `meetings_since`), its 1+1 reports by period
    (`report_periods`; None where none), its member-count changes (since `members_since`), the
    photo count of each meeting that has any, and its founding day if known."""
    meetings = sorted(meetings, key=lambda m: (m.held_on, m.id))
    shown = months(today)
    windows: dict[str, Period] = {}
    for month in shown:
        window = meeting_window(month.start, border)
        windows.setdefault(window.key, window)
    held = {key: sum(1 for m in meetings if m.kind == BRANCH_MEETING and w.start <= m.held_on <= w.end)
            for key, w in windows.items()}
    window_lines = tuple(WindowLine(w, held[key], w.end < today, existed_by(founded_on, w.start))
                         for key, w in windows.items())
    month_lines = tuple(
        MonthLine(month, tuple(m for m in meetings if month.start <= m.held_on <= month.end),
                  not border and month.end < today and not held[month.key] and existed_by(founded_on, month.start))
        for month in shown)
    report_lines = tuple((periods.parse(key), reports.get(key)) for key in report_periods(today)
                         if reports.get(key) is not None or periods.parse(key).kind == "half")
    source, counts = _new_members(today, changes, reports)
    in_window = [m.id for m in meetings if shown[-1].start <= m.held_on]
    return History(border, month_lines, window_lines, report_lines, counts, source,
                   sum(photo_counts.get(i, 0) for i in in_window), sum(1 for i in in_window if photo_counts.get(i)))


def _new_members(today: date, changes: Iterable, reports: Mapping[str, object]) -> tuple[str, tuple]:
    shown = quarters(today)
    admitted = [c for c in changes if c.reason == ADMITTED and local_today(c.changed_at) >= shown[-1].start]
    if admitted:
        counts = []
        for quarter in shown:
            added = sum(max(0, c.new_count - c.old_count) for c in admitted
                        if quarter.start <= local_today(c.changed_at) <= quarter.end)
            counts.append((label(quarter), added))
        return "history", tuple(counts)
    first = shown[-1].start
    reported = [(periods.parse(key), report) for key, report in reports.items()
                if report is not None and periods.parse(key).end >= first]
    if reported:
        reported.sort(key=lambda pair: (pair[0].end, pair[0].kind != "year"), reverse=True)
        return "oneplusone", tuple((label(p), r.new_members) for p, r in reported)
    return "none", ()


def label(period: Period) -> str:
    """A period as a line starts with it: "Tháng 11/2026", "Quý 4/2026", "6 tháng đầu năm 2026"."""
    name = period_name(period.kind, period.year, period.number)
    return name[:1].upper() + name[1:]


# ---- the text ------------------------------------------------------------------------------

def text(history: History, unit_name: str) -> str:
    """The history as one message (under Zalo's 2,000 characters for a year of monthly meetings)."""
    shown = history.months
    lines = [t("hi.title", unit=unit_name, start=label(shown[-1].month), end=label(shown[0].month))]
    lines.append(t("hi.meetings.border" if history.border else "hi.meetings"))
    for line in shown:
        lines.append(_month_line(line))
    closed = [w for w in history.windows if w.closed and w.judged]
    key = "hi.rule.border" if history.border else "hi.rule"
    if not closed:                      # founded in the last window: nothing to judge yet, not "0/0"
        key += ".none"
    lines.append(t(key, held=number(sum(1 for w in closed if w.held)), closed=number(len(closed))))
    if history.border:
        lines += [t("hi.quarter", quarter=label(w.window), held=number(w.held),
                    mark=_window_mark(w)) for w in history.windows]
    lines.append("")
    lines.append(t("hi.oneplusone"))
    for period, report in history.reports:
        if report is None:
            lines.append(t("hi.oneplusone.none", period=label(period)))
        else:
            lines.append(t("hi.oneplusone.line", period=label(period), participants=number(report.participants),
                           youth=number(report.youth_reached), new=number(report.new_members),
                           party=number(report.party_introduced)))
    lines.append("")
    lines.append(t(f"hi.new_members.{history.new_members_source}"))
    lines += [t("hi.new_members.line", period=period, count=number(count)) for period, count in history.new_members]
    lines.append("")
    if history.photos:
        lines.append(t("hi.photos", photos=number(history.photos), meetings=number(history.meetings_with_photos)))
    else:
        lines.append(t("hi.photos.none"))
    return "\n".join(lines)


def _month_line(line: MonthLine) -> str:
    if not line.meetings:
        return t("hi.month.none", month=label(line.month), mark=t("hi.mark.missed") if line.missed else "")
    parts = [_meeting_words(m) for m in line.meetings[:MEETINGS_IN_LINE]]
    if len(line.meetings) > MEETINGS_IN_LINE:
        parts.append(t("hi.month.more", count=number(len(line.meetings) - MEETINGS_IN_LINE)))
    return t("hi.month", month=label(line.month), count=number(len(line.meetings)), meetings="; ".join(parts),
             mark=t("hi.mark.missed") if line.missed else "")


def _meeting_words(meeting) -> str:
    attended = (t("hi.attended_of", attended=number(meeting.attended), members=number(meeting.members_then))
                if meeting.members_then else t("hi.attended", attended=number(meeting.attended)))
    return t("hi.meeting", kind=t(f"hi.kind.{meeting.kind}"), mode=t(f"meeting.o.{meeting.mode}").lower(),
             attended=attended)


def _window_mark(window: WindowLine) -> str:
    if window.held:
        return t("hi.mark.held")
    if not window.judged:
        return ""
    return t("hi.mark.quarter_missed") if window.closed else t("hi.mark.open")


def photo_meetings(meetings: Sequence, photo_counts: Mapping[int, int]) -> list[tuple[object, int]]:
    """The meetings with photos, newest first, each with its count."""
    found = [(m, photo_counts[m.id]) for m in meetings if photo_counts.get(m.id)]
    return sorted(found, key=lambda pair: (pair[0].held_on, pair[0].id), reverse=True)
