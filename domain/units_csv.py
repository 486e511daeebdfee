"""Reading the officer's unit list (CSV, as Excel saves it: UTF-8 with or without a BOM, or its
"Unicode Text", UTF-16; cells separated by `,`, `;` or tabs) into checked rows.

Columns: code,name,level,parent_code,border,members and optionally founded (dd/mm/yyyy), or
their Vietnamese names (ma_don_vi, ten_don_vi, cap, ma_cap_tren, bien_gioi, so_doan_vien,
ngay_thanh_lap), with or without diacritics; levels and the border flag in either language too.
A level is a level name of domain.rules (province, commune, ward, school, grassroots, branch, a
district where one still exists...) or its Vietnamese word ("tinh", "xa", "phuong", "doan truong",
"chi doan"). A file with any bad row is refused whole, with every bad row's line number and reason.
"""

from __future__ import annotations

import codecs
import csv
import io
import re
from dataclasses import dataclass, replace
from datetime import date, datetime
from pathlib import Path

from domain.rules import LEVEL_NAMES, LEVELS, may_sit_under, structural_level
from domain.textnorm import fold
from messages_vi import t
from storage.units import Unit, UnitRow

REQUIRED = ("code", "name", "level", "parent_code", "border", "members")
OPTIONAL = ("founded",)
DELIMITERS = (",", ";", "\t")          # on a tie, the first
CODE = re.compile(r"^[A-Za-z0-9_-]{1,64}$")
MISFITS_SHOWN = 5          # codes named when a changed level leaves stored units under it misplaced

# Headers, levels and yes/no as people write them, folded (see `_folded`): "Mã đơn vị",
# "ma_don_vi" and "MA DON VI" are one header.
COLUMN_NAMES = {
    "code": ("code", "ma", "ma don vi"),
    "name": ("name", "ten", "ten don vi"),
    "level": ("level", "cap"),
    "parent_code": ("parent code", "ma cap tren", "cap tren"),
    "border": ("border", "bien gioi"),
    "members": ("members", "so doan vien", "doan vien"),
    "founded": ("founded", "ngay thanh lap"),
}
# Onto the level names of domain.rules. The Đoàn xã/phường is a Đoàn cơ sở that, since 2025,
# reports straight to the Tỉnh đoàn (DOMAIN.md, "Who is who"); a thị trấn's was one before 2025.
# A Đoàn trực thuộc (Đoàn khối, the police's, the army's) sits between the Tỉnh đoàn and the Đoàn
# cơ sở, as a Huyện đoàn did; a Đoàn cơ sở trực thuộc is a Đoàn cơ sở directly under the Tỉnh đoàn.
LEVEL_WORDS = {
    "province": ("province", "tinh", "tinh doan"),
    "city": ("city", "thanh doan"),
    "district": ("district", "huyen", "huyen doan", "quan doan", "thi doan"),
    "affiliated": ("affiliated", "doan khoi", "doan truc thuoc", "truc thuoc", "doan cap tren co so"),
    "commune": ("commune", "xa", "doan xa"),
    "ward": ("ward", "phuong", "doan phuong"),
    "special_zone": ("special zone", "dac khu", "doan dac khu"),
    "school": ("school", "truong", "doan truong"),
    "grassroots": ("grassroots", "co so", "doan co so", "thi tran", "doan thi tran", "doan co so truc thuoc",
                   "co so truc thuoc"),
    "branch": ("branch", "chi doan"),
}
# A Thành đoàn is a centrally-run city's, a Tỉnh đoàn's peer; before 2025 a city inside a province
# had one too, under its Tỉnh đoàn, at a Huyện đoàn's level: read so where its parent is a Tỉnh đoàn.
CITY_WORDS = ("thanh doan",)
YES = ("1", "co", "x", "yes", "true")
NO = ("", "0", "khong", "no", "false")
_COLUMN_OF = {alias: column for column, aliases in COLUMN_NAMES.items() for alias in aliases}
_LEVEL_OF = {alias: level for level, aliases in LEVEL_WORDS.items() if level in LEVEL_NAMES for alias in aliases}


def _folded(text: str) -> str:
    """Lower case, no diacritics, `_` and `-` read as spaces, spaces squeezed."""
    return fold(text.replace("_", " ").replace("-", " "))


@dataclass(frozen=True)
class Problem:
    line: int          # 1 is the header
    reasons: tuple[str, ...]

    def __str__(self) -> str:
        return t("import.problem", line=self.line, reasons="; ".join(self.reasons))


class UnitFileError(ValueError):
    """The file was refused; `problems` says where and why, in Vietnamese."""

    def __init__(self, problems: list[Problem]):
        self.problems = problems
        super().__init__("\n".join(str(p) for p in problems))


def _problem(line: int, *reasons: str) -> Problem:
    return Problem(line, tuple(reasons))


def read_file(path: str | Path, existing: list[Unit]) -> list[UnitRow]:
    """Read and check a unit file against the units already stored."""
    try:
        text = spreadsheet_text(Path(path).read_bytes())
    except UnicodeDecodeError as error:
        raise UnitFileError([_problem(1, t("import.not_utf8", byte=error.start))])
    return parse(text, existing)


def spreadsheet_text(raw: bytes) -> str:
    """A file saved from a spreadsheet, as text: Excel's "CSV UTF-8" starts with a BOM, its
    "Unicode Text" is UTF-16 with one; UnicodeDecodeError for anything else but plain UTF-8."""
    if raw.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return raw.decode("utf-16")
    return raw.decode("utf-8-sig")


def delimiter_of(header: str) -> str:
    """The cells' separator, read from the header line: `,`, or `;` from Excel in some locales, or
    tabs from its "Text (Tab delimited)", "Unicode Text" and Google Sheets' .tsv."""
    return max(DELIMITERS, key=header.count)


def parse(text: str, existing: list[Unit]) -> list[UnitRow]:
    """Check every row; return them in an order where parents come first."""
    lines = text.splitlines()
    if not lines or not lines[0].strip():
        raise UnitFileError([_problem(1, t("import.empty"))])
    reader = csv.reader(io.StringIO(text), delimiter=delimiter_of(lines[0]))
    written = [h.strip() for h in next(reader)]
    header = [_COLUMN_OF.get(_folded(h), h) for h in written]
    shown = dict(zip(header, written))          # problems name a column as the file does
    missing = [c for c in REQUIRED if c not in header]
    # Excel adds columns without a header after the data (cells once touched): ignored while blank
    unknown = [w for h, w in zip(header, written) if h and h not in REQUIRED + OPTIONAL]
    twice = sorted({h for h in header if h in COLUMN_NAMES and header.count(h) > 1})
    if missing or unknown or twice:
        reasons = []
        if missing:
            reasons.append(t("import.missing_columns", columns=", ".join(missing)))
        if unknown:
            reasons.append(t("import.unknown_columns", columns=", ".join(unknown)))
        for column in twice:
            reasons.append(t("import.column_twice", column=column,
                             written=", ".join(w for h, w in zip(header, written) if h == column)))
        reasons.append(t("import.expected_columns", columns=",".join(REQUIRED)))
        raise UnitFileError([_problem(1, *reasons)])

    reasons_by_line: dict[int, list[str]] = {}
    rows: list[tuple[int, UnitRow]] = []
    seen: dict[str, int] = {}
    cities: set[int] = set()          # the lines whose level is written "Thành đoàn"
    # a code that differs from another only in capitals is a mistyped copy, not a new unit
    known = {u.code.casefold(): u.code for u in existing}
    stored = {u.code for u in existing}
    for record in reader:
        line = reader.line_num
        if not any(cell.strip() for cell in record):
            continue
        if any(cell.strip() for cell in record[len(header):]) or any(header[len(record):]):
            reasons_by_line[line] = [t("import.cells", found=len(record), expected=len(header))]
            continue
        record = (record + [""] * len(header))[:len(header)]     # the missing and extra cells are blank
        values = {name: cell.strip() for name, cell in zip(header, record) if name}
        row, reasons = _row(values, shown)
        if _folded(values["level"]) in CITY_WORDS:
            cities.add(line)
        unnamed = [cell.strip() for name, cell in zip(header, record) if not name and cell.strip()]
        if unnamed:
            reasons.append(t("import.unnamed_cells", values=", ".join(unnamed)))
        if row.code in seen:
            reasons.append(t("import.duplicate", code=row.code, line=seen[row.code]))
        elif row.code not in stored and known.get(row.code.casefold(), row.code) != row.code:
            reasons.append(t("import.code_case", code=row.code, other=known[row.code.casefold()]))
        seen.setdefault(row.code, line)
        known.setdefault(row.code.casefold(), row.code)
        if reasons:
            reasons_by_line[line] = reasons
        rows.append((line, row))
    if not rows and not reasons_by_line:
        raise UnitFileError([_problem(2, t("import.no_rows"))])
    rows = _cities_placed(rows, cities, existing)
    for line, reason in _check_tree(rows, existing, shown["parent_code"]):
        reasons_by_line.setdefault(line, []).append(reason)
    if reasons_by_line:
        raise UnitFileError([_problem(line, *reasons) for line, reasons in sorted(reasons_by_line.items())])
    return _parents_first([row for _, row in rows])


def _row(values: dict[str, str], shown: dict[str, str]) -> tuple[UnitRow, list[str]]:
    """The row as read, and what is wrong with it (the row is only used when nothing is)."""
    reasons = []
    code, name = values["code"], " ".join(values["name"].split())    # a cell's line breaks: one line
    level_name = _LEVEL_OF.get(_folded(values["level"]), values["level"])
    level = structural_level(level_name) if level_name in LEVEL_NAMES else level_name
    if not CODE.match(code):
        reasons.append(t("import.bad_code", code=code))
    if not name:
        reasons.append(t("import.no_name"))
    if level_name not in LEVEL_NAMES:
        reasons.append(t("import.bad_level_named", column=shown["level"], level=values["level"],
                         levels=", ".join(t("import.level_choice", name=t(f"level.{known}").lower(), level=known)
                                          for known in LEVEL_NAMES)))
    border = _folded(values["border"])
    if border not in YES + NO:
        reasons.append(t("import.bad_border_named", column=shown["border"], border=values["border"]))
    members_text = values["members"] or "0"
    members = int(members_text) if re.fullmatch(r"[0-9]{1,7}", members_text) else None
    if members is None:
        reasons.append(t("import.bad_members_named", column=shown["members"], members=members_text))
    elif members and level in LEVELS and level != "branch":
        reasons.append(t("import.members_not_branch"))
    founded = None
    if values.get("founded"):
        founded = _date(values["founded"])
        if founded is None:
            reasons.append(t("import.bad_founded_named", column=shown["founded"], founded=values["founded"]))
    return UnitRow(code, name, level, values["parent_code"] or None, border in YES, members or 0, founded,
                   level_name), reasons


def _date(text: str) -> date | None:
    for shape in ("%d/%m/%Y", "%Y-%m-%d"):
        try:
            return datetime.strptime(text, shape).date()
        except ValueError:
            pass
    return None


def _cities_placed(rows: list[tuple[int, UnitRow]], cities: set[int], existing: list[Unit]) -> list[tuple[int, UnitRow]]:
    """A Thành đoàn under a Tỉnh đoàn is a city's of before 2025, at a Huyện đoàn's level; any
    other is a centrally-run city's, at a Tỉnh đoàn's (CITY_WORDS)."""
    level_of = {u.code: u.level for u in existing}
    level_of.update({row.code: row.level for _, row in rows})
    return [(line, replace(row, level="district", level_name="district")
             if line in cities and level_of.get(row.parent_code or "") == "province" else row)
            for line, row in rows]


def _check_tree(rows: list[tuple[int, UnitRow]], existing: list[Unit], parent_column: str) -> list[tuple[int, str]]:
    """Parents exist and sit at a higher level (domain.rules.may_sit_under), also above the stored
    units left under a row whose level changes; one root in all. With every link going down a
    level, the tree has no cycle."""
    level_of = {u.code: u.level_name or u.level for u in existing}
    level_of.update({row.code: row.level_name for _, row in rows})
    roots = {u.code for u in existing if u.parent_id is None}
    problems = _stored_children_misfit(rows, existing)
    for line, row in rows:
        if row.parent_code is None:
            others = roots - {row.code}
            if others:
                problems.append((line, t("import.second_root_named", column=parent_column, root=min(others))))
            roots.add(row.code)
            continue
        parent_level = level_of.get(row.parent_code)
        if parent_level is None:
            problems.append((line, t("import.no_parent_named", column=parent_column, parent=row.parent_code)))
        elif (parent_level in LEVEL_NAMES and row.level_name in LEVEL_NAMES
              and not may_sit_under(row.level_name, parent_level)):
            problems.append((line, t("import.bad_parent_level_named", level=t(f"level.{row.level_name}").lower(),
                                     parent_level=t(f"level.{parent_level}").lower(), parent=row.parent_code)))
    return problems


def _stored_children_misfit(rows: list[tuple[int, UnitRow]], existing: list[Unit]) -> list[tuple[int, str]]:
    """Rows whose new level no longer fits the stored units under them that the file does not
    move: a Đoàn xã turned into a branch would hold branches, or sit under its own Đoàn trường."""
    in_file = {row.code for _, row in rows}
    code_of = {u.id: u.code for u in existing}
    children: dict[str, list[Unit]] = {}
    for unit in existing:
        if unit.code not in in_file and unit.parent_id in code_of:
            children.setdefault(code_of[unit.parent_id], []).append(unit)
    problems = []
    for line, row in rows:
        if row.level_name not in LEVEL_NAMES:
            continue
        misfits = [u for u in children.get(row.code, [])
                   if (u.level_name or u.level) in LEVEL_NAMES and not may_sit_under(u.level_name or u.level,
                                                                                       row.level_name)]
        if misfits:
            shown = ", ".join(u.code for u in misfits[:MISFITS_SHOWN]) + ("…" if len(misfits) > MISFITS_SHOWN else "")
            problems.append((line, t("import.children_misfit", level=t(f"level.{row.level_name}").lower(),
                                     code=row.code, count=len(misfits), children=shown)))
    return problems


def _parents_first(rows: list[UnitRow]) -> list[UnitRow]:
    return sorted(rows, key=lambda row: -LEVEL_NAMES[row.level_name][1])
