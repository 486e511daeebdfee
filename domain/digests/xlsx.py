"""The digest as a spreadsheet to forward upward: one sheet per topic, each under its title, unit,
period and day made, the unit tree as columns, real dates and numbers, frozen headers and filters,
printed A4 landscape; or the same tables as CSV files, safe to open in a spreadsheet.

The workbook is written with XlsxWriter in its constant-memory mode: rows stream to the file,
so a province's year (close to a million cells) needs no more memory than a district's month.
"""

from __future__ import annotations

import csv
import math
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path

import xlsxwriter

from domain.digests.compute import Digest, Flag, ONEPLUSONE_FIELDS
from domain.digests.text import change_text, key_label, period_label, report_label, value_cell
from domain.rules import LEVELS
from messages_vi import t
from messages_vi.formatting import local, long_date, number

WIDTH_SAMPLE = 200            # rows looked at to size a column
MAX_TEXT = 32767              # Excel's limit for one cell
MIN_WIDTH, MAX_WIDTH = 8, 60
A4 = 9                        # XlsxWriter's paper code
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
    sheets = [_branches(digest), _grassroots(digest), _meetings(digest), _oneplusone(digest),
              _deadlines(digest), _audit(digest), _flags(digest)]
    if digest.totals.photos:
        sheets.append(_evidence(digest))
    return sheets


TREE = (("district", None), ("grassroots", None), ("branch", None), ("code", None))


def _tree(branch) -> tuple:
    return (branch.district, branch.grassroots, branch.unit.name, branch.unit.code)


def _branches(digest: Digest) -> Table:
    headers, formats = _columns(*TREE, ("border", None), ("members", None), ("status", None),
                                ("windows_met", None), ("windows_judged", None), ("missed", None),
                                ("secretary", None), ("unreachable", None))
    rows = [(*_tree(b), _yes(b.unit.border), b.unit.members,
             t(f"xlsx.status.{b.status}") if b.status else None, b.windows_met, b.windows_judged,
             ", ".join(key_label(w.key) for w in b.windows if w.state == "missed") or None,
             b.secretary, _yes(b.secretary_unreachable) if b.secretary else None)
            for b in digest.branches]
    return Table("chi-doan", t("xlsx.sheet.branches"), headers, formats, rows, t("xlsx.title.branches"))


def _grassroots(digest: Digest) -> Table:
    headers, formats = _columns(("district", None), ("unit", None), ("level", None), ("branches", None),
                                ("compliant", None), ("judged", None), ("rate", "percent"), ("not_met", None),
                                ("pending", None), ("branch_meetings", None), ("committee_meetings", None),
                                ("attended", None), ("attendance_rate", "percent"),
                                *((f, None) for f in ONEPLUSONE_FIELDS))
    rows = []
    for group in digest.grassroots:
        s = group.totals
        rows.append((digest.places.get(group.id, ("", ""))[0] or None, group.name, t(f"xlsx.level.{group.level}"),
                     s.branches, s.compliant, s.judged, _share(s.compliant, s.judged), s.statuses["not_met"],
                     s.statuses["pending"], s.branch_meetings, s.committee_meetings, s.attended,
                     _share(s.attended, s.members_then), *(getattr(s.oneplusone, f) for f in ONEPLUSONE_FIELDS)))
    return Table("theo-doan-co-so", t("xlsx.sheet.grassroots"), headers, formats, rows, t("xlsx.title.grassroots"))


def _meetings(digest: Digest) -> Table:
    months = list(digest.branches[0].by_month) if digest.branches else []
    spec = [*TREE, ("branch_meetings", None), ("online_meetings", None), ("committee_meetings", None),
            ("attended", None), ("members_then", None), ("attendance_rate", "percent"),
            ("meetings_with_photos", None), ("photos", None)]
    headers, formats = _columns(*spec)
    if len(months) > 1:
        headers += tuple(t("xlsx.col.month", month=int(m[5:]), year=m[:4]) for m in months)
        formats += (None,) * len(months)
    rows = []
    for b in digest.branches:
        per_month = tuple(b.by_month[m] for m in months) if len(months) > 1 else ()
        rows.append((*_tree(b), b.branch_meetings, b.online_meetings, b.committee_meetings, b.attended,
                     b.members_then, _share(b.attended, b.members_then), b.meetings_with_photos, b.photos,
                     *per_month))
    return Table("sinh-hoat", t("xlsx.sheet.meetings"), headers, formats, rows, t("xlsx.title.meetings"))


def _evidence(digest: Digest) -> Table:
    """Every meeting held in the period, one a row, with its number of evidence photos."""
    headers, formats = _columns(*TREE, ("report_day", "date"), ("kind", None), ("mode", None), ("attended", None),
                                ("photos", None))
    branches = {b.unit.id: b for b in digest.branches}
    words = {key: t(f"meeting.o.{key}") for key in ("branch", "committee", "in_person", "online", "hybrid")}
    rows = [(*_tree(branches[m.unit_id]), m.held_on, words.get(m.kind, m.kind), words.get(m.mode, m.mode),
             m.attended, m.photos)
            for m in digest.meetings if m.unit_id in branches]
    return Table("anh-minh-chung", t("xlsx.sheet.evidence"), headers, formats, rows, t("xlsx.title.evidence"))


def _oneplusone(digest: Digest) -> Table:
    headers, formats = _columns(*TREE, ("members", None), ("oneplusone_period", None),
                                *((f, None) for f in ONEPLUSONE_FIELDS))
    rows = []
    for b in digest.branches:
        figures = tuple(getattr(b.oneplusone, f) for f in ONEPLUSONE_FIELDS) if b.oneplusone else (None,) * 4
        rows.append((*_tree(b), b.unit.members, key_label(b.oneplusone_period) if b.oneplusone else None, *figures))
    return Table("1-cong-1", t("xlsx.sheet.oneplusone"), headers, formats, rows, t("xlsx.title.oneplusone"))


def _deadlines(digest: Digest) -> Table:
    headers, formats = _columns(("deadline", None), ("occurrence", None), ("district", None), ("grassroots", None),
                                ("unit", None), ("level", None), ("due", "date"), ("state", None))
    rows = []
    # a province's year owes some seventy thousand of these rows: the words are looked up once
    levels = {level: t(f"xlsx.level.{level}") for level in LEVELS}
    states = {state: t(f"xlsx.state.{state}") for state in ("confirmed", "late", "upcoming")}
    for deadline in digest.deadlines:
        for owed in deadline.owed:
            district, grassroots = digest.places.get(owed.unit_id, ("", ""))
            rows.append((deadline.title, deadline.key, district or None, grassroots or None, owed.name,
                         levels[owed.level], owed.due, states[owed.state]))
    return Table("han-bao-cao", t("xlsx.sheet.deadlines"), headers, formats, rows, t("xlsx.title.deadlines"))


def _naive_local(moment: datetime) -> datetime:
    # Excel has no time zones: write the time people in Vietnam read.
    return local(moment).replace(tzinfo=None)


def _audit(digest: Digest) -> Table:
    headers, formats = _columns(("district", None), ("grassroots", None), ("branch", None), ("report", None),
                                ("report_day", "date"), ("occurrence", None), ("action", None), ("field", None),
                                ("old", None), ("new", None), ("who", None), ("at", "datetime"))
    rows = []
    for line in digest.audit:
        district, grassroots = digest.places.get(line.unit_id, ("", ""))
        meeting = line.subject == "meeting"
        rows.append((district or None, grassroots or None, digest.names.get(line.unit_id),
                     t(f"xlsx.subject.{line.subject}"), date.fromisoformat(line.report) if meeting else None,
                     None if meeting else key_label(line.report), t(f"xlsx.action.{line.action}"),
                     t(f"field.{line.field}") if line.field else None,
                     *((value_cell(line.field, line.old_value), value_cell(line.field, line.new_value))
                       if line.action == "update" else (None, None)),
                     line.person_name or t("digest.someone"), _naive_local(line.at)))
    return Table("lich-su-sua", t("xlsx.sheet.audit"), headers, formats, rows, t("xlsx.title.audit"))


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
    headers, formats = _columns(("district", None), ("grassroots", None), ("branch", None), ("flag", None),
                                ("day", "date"), ("detail", None))
    rows = []
    for flag in digest.flags:
        district, grassroots = digest.places.get(flag.unit_id, ("", ""))
        rows.append((district or None, grassroots or None, flag.branch, t(f"xlsx.flag.{flag.kind}"), _flag_day(flag),
                     _flag_detail(flag) or None))
    return Table("can-chu-y", t("xlsx.sheet.flags"), headers, formats, rows, t("xlsx.title.flags"))


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
    numbers, A4 landscape as wide as the page."""
    book = xlsxwriter.Workbook(str(path), {
        "constant_memory": True,
        # text from people is text: never a formula or a link, whatever it starts with
        "strings_to_formulas": False, "strings_to_urls": False,
        "default_date_format": "dd/mm/yyyy",
    })
    header = book.add_format({"bold": True, "bg_color": "#DDEBF7", "text_wrap": True, "valign": "top"})
    title = book.add_format({"bold": True, "font_size": 14})
    styles = {"percent": book.add_format({"num_format": "0%"}),
              "datetime": book.add_format({"num_format": "dd/mm/yyyy hh:mm"})}
    for table in sheets:
        sheet = book.add_worksheet(table.name[:31])
        top = len(lines) + 2 if lines else 0          # the header row, under the title, lines and a gap
        _print_setup(sheet, top, len(table.rows), len(table.headers))
        for column, (width, fmt) in enumerate(zip(_widths(table), table.formats)):
            # a column's format applies to its cells written without one (percentages)
            sheet.set_column(column, column, width, styles.get(fmt))
        if lines:
            sheet.write_string(0, 0, (table.title or table.name)[:MAX_TEXT], title)
            for index, text in enumerate(lines, start=1):
                sheet.write_string(index, 0, text[:MAX_TEXT])
        sheet.write_row(top, 0, table.headers, header)
        # dates take default_date_format when written, so a date-and-time column is styled per cell
        moments = [column for column, fmt in enumerate(table.formats) if fmt == "datetime"]
        for line, row in enumerate(table.rows, start=top + 1):
            sheet.write_row(line, 0, [_cell(value) for value in row])
            for column in moments:
                if column < len(row) and row[column] is not None:
                    sheet.write_datetime(line, column, row[column], styles["datetime"])
    book.close()
    return path


def _print_setup(sheet, top: int, rows: int, columns: int) -> None:
    """Header frozen and filtered; printed A4 landscape, one page wide, the header on every page."""
    sheet.freeze_panes(top + 1, 0)
    sheet.autofilter(top, 0, top + rows, max(columns - 1, 0))
    sheet.set_landscape()
    sheet.set_paper(A4)
    sheet.fit_to_pages(1, 0)
    sheet.repeat_rows(top)


def _cell(value):
    """What a sheet cell takes: text cut to Excel's limit, no NaN or infinity."""
    if isinstance(value, str):
        return value[:MAX_TEXT]
    if isinstance(value, float) and not math.isfinite(value):
        return None
    return value


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
