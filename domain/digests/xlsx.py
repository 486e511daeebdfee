"""The digest as a spreadsheet to forward upward: one sheet per topic, each under its title, unit,
period and day made, the unit tree as columns, real dates and numbers, frozen headers and filters,
printed A4 landscape; or the same tables as CSV files, safe to open in a spreadsheet.

The workbook is written by domain.digests.workbook (XlsxWriter): a province's year is about
450,000 cells, most of the time its spreadsheet takes (benchmarks/digest.py).
"""

from __future__ import annotations

import csv
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path

from domain.digests import workbook
from domain.digests.compute import Digest, Flag, ONEPLUSONE_FIELDS
from domain.digests.text import change_text, key_label, period_label, report_label, value_cell
from domain.rules import LEVEL_NAMES
from domain.three_active import digest as three_active
from messages_vi import t
from messages_vi.formatting import local, long_date, number

WIDTH_SAMPLE = 200            # rows looked at to size a column
MIN_WIDTH, MAX_WIDTH = 8, 60
# OWASP's CSV injection advice: a spreadsheet runs a cell starting with one of these as a formula
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


@dataclass(frozen=True)
class Table:
    """One sheet: a name, its column headers, the format of each column, the rows, and a title."""

    slug: str                              # for CSV file names
    name: str
    headers: tuple[str, ...]
    formats: tuple[str | None, ...]
    rows: list[tuple]
    title: str = ""                        # above the table, when the sheet has a heading


def _columns(*spec: tuple[str, str | None]) -> tuple[tuple[str, ...], tuple[str | None, ...]]:
    return tuple(t(f"xlsx.col.{key}") for key, _ in spec), tuple(fmt for _, fmt in spec)


def _share(part: int, whole: int) -> float | None:
    return part / whole if whole else None


def _yes(flag: bool) -> str:
    return t("xlsx.yes" if flag else "xlsx.no")


def tables(digest: Digest) -> list[Table]:
    """Every sheet of the digest, in order; the meetings one by one with their evidence photos
    last, when any meeting of the period has a photo."""
    sheets = [_branches(digest), _units(digest), _meetings(digest), _oneplusone(digest),
              _deadlines(digest), _audit(digest), _flags(digest)]
    if digest.totals.photos:
        sheets.append(_evidence(digest))
    if digest.three_active is not None:
        sheets.append(Table(**three_active.sheet(digest.three_active)))
    return sheets


# --- the unit tree as columns: one per depth between the digest's unit and its branches ------------

def _tree_headers(digest: Digest) -> tuple[str, ...]:
    """A column per depth under the digest's unit, headed by the levels found there ("Đoàn xã /
    Đoàn phường", then "Đoàn trường")."""
    return tuple(t("level.join").join(t(f"level.{name}") for name in names) for names in digest.place_levels)


class _Places:
    """Each unit's tree cells, as wide as the digest's tree (None where its path is shorter),
    made once per unit: a province's year owes seventy thousand deadline rows to a few thousand
    units."""

    def __init__(self, digest: Digest):
        self.places = digest.places
        self.width = len(digest.place_levels)
        self.made: dict[int, tuple] = {}

    def __call__(self, unit_id: int) -> tuple:
        cells = self.made.get(unit_id)
        if cells is None:
            path = self.places.get(unit_id, ())[:self.width]
            cells = self.made[unit_id] = (*path, *(None,) * (self.width - len(path)))
        return cells


def _tree_table(digest: Digest, spec, rows, slug: str, sheet: str) -> Table:
    """A table whose first columns are the unit tree, then `spec`'s."""
    headers, formats = _columns(*spec)
    tree = _tree_headers(digest)
    return Table(slug, t(f"xlsx.sheet.{sheet}"), tree + headers, (None,) * len(tree) + formats, rows,
                 t(f"xlsx.title.{sheet}"))


BRANCH = (("branch", None), ("code", None))


def _branches(digest: Digest) -> Table:
    place = _Places(digest)
    rows = [(*place(b.unit.id), b.unit.name, b.unit.code, _yes(b.unit.border), b.unit.members,
             t(f"xlsx.status.{b.status}") if b.status else None, b.windows_met, b.windows_judged,
             ", ".join(key_label(w.key) for w in b.windows if w.state == "missed") or None,
             b.secretary, _yes(b.secretary_unreachable) if b.secretary else None)
            for b in digest.branches]
    return _tree_table(digest, (*BRANCH, ("border", None), ("members", None), ("status", None),
                                ("windows_met", None), ("windows_judged", None), ("missed", None),
                                ("secretary", None), ("unreachable", None)), rows, "chi-doan", "branches")


def _units(digest: Digest) -> Table:
    """Every unit above a branch, the digest's own first, with the totals of its branches: the
    digest rolled up level by level."""
    place = _Places(digest)
    rows = []
    for group in digest.units:
        s = group.totals
        rows.append((*place(group.id), group.name, t(f"level.{group.level_name}"), s.branches, s.compliant,
                     s.judged, _share(s.compliant, s.judged), s.statuses["not_met"], s.statuses["pending"],
                     s.branch_meetings, s.committee_meetings, s.attended, _share(s.attended, s.members_then),
                     *(getattr(s.oneplusone, f) for f in ONEPLUSONE_FIELDS)))
    return _tree_table(digest, (("unit", None), ("level", None), ("branches", None), ("compliant", None),
                                ("judged", None), ("rate", "percent"), ("not_met", None), ("pending", None),
                                ("branch_meetings", None), ("committee_meetings", None), ("attended", None),
                                ("attendance_rate", "percent"), *((f, None) for f in ONEPLUSONE_FIELDS)),
                       rows, "theo-don-vi", "units")


def _meetings(digest: Digest) -> Table:
    months = list(digest.branches[0].by_month) if digest.branches else []
    place = _Places(digest)
    spec = [*BRANCH, ("branch_meetings", None), ("online_meetings", None), ("committee_meetings", None),
            ("attended", None), ("members_then", None), ("attendance_rate", "percent"),
            ("meetings_with_photos", None), ("photos", None)]
    rows = []
    for b in digest.branches:
        per_month = tuple(b.by_month[m] for m in months) if len(months) > 1 else ()
        rows.append((*place(b.unit.id), b.unit.name, b.unit.code, b.branch_meetings, b.online_meetings,
                     b.committee_meetings, b.attended, b.members_then, _share(b.attended, b.members_then),
                     b.meetings_with_photos, b.photos, *per_month))
    table = _tree_table(digest, spec, rows, "sinh-hoat", "meetings")
    if len(months) < 2:
        return table
    return Table(table.slug, table.name,
                 table.headers + tuple(t("xlsx.col.month", month=int(m[5:]), year=m[:4]) for m in months),
                 table.formats + (None,) * len(months), rows, table.title)


def _evidence(digest: Digest) -> Table:
    """Every meeting held in the period, one a row, with its number of evidence photos."""
    branches = {b.unit.id: b for b in digest.branches}
    place = _Places(digest)
    words = {key: t(f"meeting.o.{key}") for key in ("branch", "committee", "in_person", "online", "hybrid")}
    rows = [(*place(m.unit_id), branches[m.unit_id].unit.name, branches[m.unit_id].unit.code, m.held_on,
             words.get(m.kind, m.kind), words.get(m.mode, m.mode), m.attended, m.photos)
            for m in digest.meetings if m.unit_id in branches]
    return _tree_table(digest, (*BRANCH, ("report_day", "date"), ("kind", None), ("mode", None),
                                ("attended", None), ("photos", None)), rows, "anh-minh-chung", "evidence")


def _oneplusone(digest: Digest) -> Table:
    place = _Places(digest)
    rows = []
    for b in digest.branches:
        figures = tuple(getattr(b.oneplusone, f) for f in ONEPLUSONE_FIELDS) if b.oneplusone else (None,) * 4
        rows.append((*place(b.unit.id), b.unit.name, b.unit.code, b.unit.members,
                     key_label(b.oneplusone_period) if b.oneplusone else None, *figures))
    return _tree_table(digest, (*BRANCH, ("members", None), ("oneplusone_period", None),
                                *((f, None) for f in ONEPLUSONE_FIELDS)), rows, "1-cong-1", "oneplusone")


def _deadlines(digest: Digest) -> Table:
    """One row per unit that owes something in the period, one column per deadline: the unit's
    state and its own date ("trễ hạn · 10/10/2026"). A row per unit and deadline would be seventy
    thousand rows for a province's year; a row per unit is a few thousand, filtered by column."""
    place = _Places(digest)
    levels = {name: t(f"level.{name}") for name in LEVEL_NAMES}
    states = {state: t(f"xlsx.state.{state}") for state in ("confirmed", "late", "upcoming")}
    words: dict[tuple[str, date], str] = {}       # the few distinct cell texts, each made once
    heads: dict[int, tuple] = {}
    cells: dict[int, list] = {}
    count = len(digest.deadlines)
    for index, deadline in enumerate(digest.deadlines):
        for owed in deadline.owed:
            row = cells.get(owed.unit_id)
            if row is None:
                heads[owed.unit_id] = (*place(owed.unit_id), owed.name, levels[owed.level])
                row = cells[owed.unit_id] = [None] * count
            text = words.get((owed.state, owed.due))
            if text is None:
                text = words[(owed.state, owed.due)] = t("xlsx.deadline.cell", state=states[owed.state], due=owed.due)
            row[index] = text
    rows = [heads[unit_id] + tuple(row) for unit_id, row in cells.items()]
    tree = _tree_headers(digest)
    unit_headers, unit_formats = _columns(("unit", None), ("level", None))
    columns = tuple(t("xlsx.deadline.header", title=d.title, period=key_label(d.key)) for d in digest.deadlines)
    return Table("han-bao-cao", t("xlsx.sheet.deadlines"), tree + unit_headers + columns,
                 (None,) * len(tree) + unit_formats + (None,) * count, rows, t("xlsx.title.deadlines"))


def _naive_local(moment: datetime) -> datetime:
    # Excel has no time zones: write the time people in Vietnam read.
    return local(moment).replace(tzinfo=None)


def _audit(digest: Digest) -> Table:
    place = _Places(digest)
    rows = []
    for line in digest.audit:
        meeting = line.subject == "meeting"
        rows.append((*place(line.unit_id), digest.names.get(line.unit_id),
                     t(f"xlsx.subject.{line.subject}"), date.fromisoformat(line.report) if meeting else None,
                     None if meeting else key_label(line.report), t(f"xlsx.action.{line.action}"),
                     t(f"field.{line.field}") if line.field else None,
                     *((value_cell(line.field, line.old_value), value_cell(line.field, line.new_value))
                       if line.action == "update" else (None, None)),
                     line.person_name or t("digest.someone"), _naive_local(line.at)))
    return _tree_table(digest, (("branch", None), ("report", None), ("report_day", "date"), ("occurrence", None),
                                ("action", None), ("field", None), ("old", None), ("new", None), ("who", None),
                                ("at", "datetime")), rows, "lich-su-sua", "audit")


def _flag_detail(flag: Flag) -> str:
    if flag.kind == "filed_late":
        return t("xlsx.detail.filed_late", report=report_label(flag), filed=flag.filed)
    if flag.kind == "corrected":
        return "; ".join(change_text(a) for a in flag.trail if a.action != "create") + f" ({report_label(flag)})"
    if flag.kind in ("over_members", "jump"):
        return t(f"xlsx.detail.{flag.kind}", attended=number(flag.attended), members=number(flag.members),
                 average=number(round(flag.average or 0)))
    return ""


def _flag_day(flag: Flag) -> date | None:
    """The meeting's day, or the day (in Vietnam) of a report's latest correction."""
    if flag.day is not None or flag.kind != "corrected":
        return flag.day
    changes = [a.at for a in flag.trail if a.action != "create"]
    return local(max(changes)).date() if changes else None


def _flags(digest: Digest) -> Table:
    place = _Places(digest)
    rows = [(*place(flag.unit_id), flag.branch, t(f"xlsx.flag.{flag.kind}"), _flag_day(flag),
             _flag_detail(flag) or None) for flag in digest.flags]
    return _tree_table(digest, (("branch", None), ("flag", None), ("day", "date"), ("detail", None)), rows,
                       "can-chu-y", "flags")


# --- writers ---------------------------------------------------------------------------------------

def _widths(table: Table) -> list[float]:
    sample = table.rows[:WIDTH_SAMPLE]
    return [max(_width([header]) if len(header) < 24 else 16, _width(r[index] for r in sample))
            for index, header in enumerate(table.headers)]


def _width(values: Iterable) -> float:
    longest = max((len(v if isinstance(v, str) else "00/00/0000 00:00" if isinstance(v, datetime)
                       else "00/00/0000" if isinstance(v, date) else str(v))
                   for v in values if v is not None), default=0)
    return float(min(MAX_WIDTH, max(MIN_WIDTH, longest + 2)))


def heading(digest: Digest) -> list[str]:
    """The lines under each sheet's title: the unit, the period and the day the file was made."""
    root, period = digest.root, digest.period
    return [t("xlsx.heading.unit", unit=root.name, code=root.code),
            t("xlsx.heading.period", period=period_label(period), start=period.start, end=period.end),
            t("xlsx.heading.made", day=long_date(digest.today))]


def write_xlsx(digest: Digest, path: Path) -> Path:
    """Write the workbook; returns its path."""
    path.parent.mkdir(parents=True, exist_ok=True)
    return write_tables(tables(digest), path, heading(digest))


def write_tables(sheets: Iterable[Table], path: Path, lines: Sequence[str] = ()) -> Path:
    """Tables as an XLSX workbook: with `lines`, each sheet's title and those lines above the table;
    a bold frozen header repeated on each printed page, a filter, sized columns, real dates and
    numbers, A4 landscape as wide as the page (domain.digests.workbook)."""
    return workbook.write((workbook.Sheet(table.name, [table.title or table.name, *lines] if lines else (),
                                          table.headers, _widths(table), table.formats, table.rows)
                           for table in sheets), path)


def _csv_text(value: str) -> str:
    """Text a spreadsheet shows as text: a leading quote before what it would take for a formula."""
    return "'" + value if value.startswith(FORMULA_START) else value


def _csv_value(value, fmt: str | None):
    if isinstance(value, str):
        return _csv_text(value)
    if isinstance(value, datetime):
        return value.strftime("%Y-%m-%d %H:%M")
    if isinstance(value, date):
        return value.isoformat()
    if fmt == "percent" and value is not None:
        return round(value, 4)
    return "" if value is None else value


def write_csv(digest: Digest, stem: Path, pick: Callable[[Table], bool] = lambda table: True) -> list[Path]:
    """One CSV per sheet, `<stem>-<sheet>.csv`, UTF-8 with a BOM so Excel reads the accents."""
    stem.parent.mkdir(parents=True, exist_ok=True)
    return [write_csv_table(table, stem.with_name(f"{stem.name}-{table.slug}.csv"))
            for table in filter(pick, tables(digest))]


def write_csv_table(table: Table, path: Path) -> Path:
    """One table as CSV; text that a spreadsheet would run as a formula starts with a quote."""
    with path.open("w", encoding="utf-8-sig", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow([_csv_text(header) for header in table.headers])
        writer.writerows([_csv_value(v, f) for v, f in zip(row, table.formats)] for row in table.rows)
    return path
