"""The two templates at the end of seed 004, filled in as Word files (python-docx): the plan a
grassroots unit registers ("KẾ HOẠCH Đăng ký xây dựng Đoàn cơ sở “3 chủ động”") and the decision
of the level above ("QUYẾT ĐỊNH V/v công nhận Đoàn cơ sở “3 chủ động”") with its attached list.

Laid out as the Union's documents are: the header block (the unit above and the issuing
committee on the left, "ĐOÀN TNCS HỒ CHÍ MINH" on the right), the number and the place and
date, the headings, the body, the signature block and "Nơi nhận"; A4, Times New Roman.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from docx import Document
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_BREAK
from docx.shared import Cm, Mm, Pt

from domain.textnorm import fold
from domain.three_active.rules import PARTS
from messages_vi import t

FONT = "Times New Roman"
BODY_SIZE, HEADER_SIZE, RECIPIENTS_SIZE = Pt(14), Pt(13), Pt(11)
PLAN_KIND, DECISION_KIND = "KH", "QĐ"        # the kind of document in its number ("05-KH/ĐTN")

# A unit's name starts with its level: the words of the levels that name a place ("Đoàn xã Tân
# Phú" is in Tân Phú), folded, and the abbreviation a document of such a unit is numbered with.
_PLACE_LEVELS = ("tinh doan", "thanh doan", "huyen doan", "quan doan", "thi doan", "doan xa", "doan phuong",
                 "doan thi tran", "doan dac khu")
_SYMBOLS = {"tinh doan": "TĐTN", "thanh doan": "TĐTN", "thi doan": "TĐTN", "huyen doan": "HĐTN",
            "quan doan": "QĐTN"}
_DEFAULT_SYMBOL = "ĐTN"       # a grassroots unit's committee: "Số: 05-KH/ĐTN"


@dataclass(frozen=True)
class Letterhead:
    """Who issues a document, as its header and signature say it."""

    issuer: str                # the issuing unit's name: "Đoàn xã Tân Phú"
    above: str                 # the unit above it ("" when none)
    place: str                 # written before the date ("" when no unit on its path names a place)
    symbol: str                # after the kind in the number: "ĐTN", "TĐTN"


@dataclass(frozen=True)
class Recognised:
    """A unit on the decision's attached list."""

    name: str
    above: str
    achieved: int
    items: int


def letterhead(path: Sequence[str]) -> Letterhead:
    """The letterhead of the last unit of `path` (names from the root down to the issuer)."""
    issuer = path[-1]
    place = next((p for p in map(_place, reversed(path)) if p), "")
    level = _level_words(issuer)
    return Letterhead(issuer, path[-2] if len(path) > 1 else "", place, _SYMBOLS.get(level, _DEFAULT_SYMBOL))


def _level_words(name: str) -> str:
    """The level a name starts with ("doan xa"), folded; "" when it starts with none."""
    folded = " ".join(fold(name).split())
    return next((level for level in sorted(_PLACE_LEVELS, key=len, reverse=True)
                 if folded == level or folded.startswith(level + " ")), "")


def _place(name: str) -> str:
    """Where a unit is: its name without the level words ("Tân Phú"); a ward named by a number
    keeps its level ("Phường 3"); "" for a unit whose name names no place."""
    level = _level_words(name)
    if not level:
        return ""
    words = name.split()
    rest = " ".join(words[len(level.split()):])
    if rest[:1].isdigit():
        return " ".join([words[len(level.split()) - 1].capitalize(), rest])
    return rest


def document_number(number: str, kind: str, symbol: str) -> str:
    """ "05-KH/ĐTN" from "05"; a number typed whole ("05-KH/ĐTN") as it is; blanks when none."""
    if not number:
        return t("bcd.doc.number_blank", kind=kind, symbol=symbol)
    if "-" in number or "/" in number:
        return number
    return t("bcd.doc.number_full", number=number, kind=kind, symbol=symbol)


def date_words(place: str, day: date) -> str:
    """ "Tân Phú, ngày 05 tháng 10 năm 2026": a day below 10 and the months 1 and 2 with a zero
    before them, as administrative documents write dates."""
    month = f"{day.month:02d}" if day.month <= 2 else str(day.month)
    return t("bcd.doc.place_date", place=place or t("bcd.doc.no_place"), day=f"{day.day:02d}",
             month=month, year=day.year)


def committee(name: str) -> str:
    """The issuing committee in the header: "BCH ĐOÀN XÃ TÂN PHÚ"."""
    key = "bcd.doc.committee" if "doan" in fold(name).split() else "bcd.doc.committee_of"
    return t(key, name=name.upper())


# --- the registration plan -------------------------------------------------------------------------

def write_plan(path: Path, head: Letterhead, year: int, number: str, parts: Sequence[Sequence[str]],
               day: date) -> Path:
    """The unit's registration plan for `year`, dated `day`; returns its path."""
    doc = _document()
    _header(doc, head, document_number(number, PLAN_KIND, head.symbol), day)
    _title(doc, t("bcd.doc.plan.title"), t("bcd.doc.plan.subject", year=year))
    _body(doc, t("bcd.doc.plan.basis", above=head.above or t("bcd.doc.above_none"), unit=head.issuer, year=year))
    _heading(doc, t("bcd.doc.plan.purpose"))
    for line in t("bcd.doc.plan.purpose_lines").splitlines():
        _body(doc, line)
    _heading(doc, t("bcd.doc.plan.content"))
    for part in PARTS:
        _heading(doc, t("bcd.doc.plan.part", part=part, title=t(f"bcd.part.{part}")))
        for position, text in enumerate(parts[part - 1], start=1):
            _body(doc, t("bcd.item_line", part=part, position=position, text=text))
    _heading(doc, t("bcd.doc.plan.organise"))
    _body(doc, t("bcd.doc.plan.organise_line", unit=head.issuer, above=head.above or t("bcd.doc.above_none")))
    recipients = [t("bcd.doc.plan.to_above", above=head.above)] if head.above else []
    _signature(doc, t("bcd.doc.plan.on_behalf"), recipients + t("bcd.doc.plan.recipients").splitlines())
    path.parent.mkdir(parents=True, exist_ok=True)
    doc.save(str(path))
    return path


# --- the recognition decision ----------------------------------------------------------------------

def write_decision(path: Path, head: Letterhead, year: int, number: str, day: date,
                   units: Sequence[Recognised]) -> Path:
    """The decision recognising `units` for `year`, dated `day`, with its attached list."""
    doc = _document()
    numbered = document_number(number, DECISION_KIND, head.symbol)
    _header(doc, head, numbered, day)
    _title(doc, t("bcd.doc.decision.title"), t("bcd.doc.decision.subject", year=year))
    _centered(doc, t("bcd.doc.decision.board", unit=head.issuer.upper()), bold=True)
    for line in t("bcd.doc.decision.basis", year=year).splitlines():
        _body(doc, line, italic=True)
    _centered(doc, t("bcd.doc.decision.decides"), bold=True)
    _body(doc, t("bcd.doc.decision.article1", count=f"{len(units):02d}", year=year))
    _body(doc, t("bcd.doc.decision.article2", unit=head.issuer))
    recipients = [t("bcd.doc.decision.to_above", above=head.above)] if head.above else []
    _signature(doc, t("bcd.doc.decision.on_behalf"), recipients + t("bcd.doc.decision.recipients").splitlines())
    doc.add_paragraph().add_run().add_break(WD_BREAK.PAGE)
    _centered(doc, t("bcd.doc.list.title"), bold=True)
    _centered(doc, t("bcd.doc.list.subject", year=year), bold=True)
    _centered(doc, t("bcd.doc.list.attached", number=numbered, day=day, unit=head.issuer), italic=True)
    table = doc.add_table(rows=1, cols=4)
    table.style = "Table Grid"
    table.alignment = WD_TABLE_ALIGNMENT.CENTER
    for cell, key in zip(table.rows[0].cells, ("number", "unit", "above", "result")):
        _cell_text(cell, t(f"bcd.doc.list.col.{key}"), bold=True)
    for index, unit in enumerate(units, start=1):
        cells = table.add_row().cells
        for cell, text in zip(cells, (str(index), unit.name, unit.above,
                                      t("bcd.doc.list.result", achieved=unit.achieved, items=unit.items))):
            _cell_text(cell, text)
    path.parent.mkdir(parents=True, exist_ok=True)
    doc.save(str(path))
    return path


# --- layout ----------------------------------------------------------------------------------------

def _document():
    doc = Document()
    section = doc.sections[0]
    section.page_width, section.page_height = Mm(210), Mm(297)
    # the margins of administrative documents (Nghị định 30/2020/NĐ-CP)
    section.top_margin, section.bottom_margin = Mm(20), Mm(20)
    section.left_margin, section.right_margin = Mm(30), Mm(15)
    normal = doc.styles["Normal"]
    normal.font.name, normal.font.size = FONT, BODY_SIZE
    normal.paragraph_format.space_after = Pt(4)
    return doc


def _header(doc, head: Letterhead, number: str, day: date) -> None:
    """Two columns: the unit above and the issuing committee, then the number; the Union's name,
    then the place and date."""
    table = doc.add_table(rows=2, cols=2)
    left, right = table.rows[0].cells
    lines = ([(head.above.upper(), False)] if head.above else []) + [(committee(head.issuer), True),
                                                                      (t("bcd.doc.stars"), False)]
    for index, (text, bold) in enumerate(lines):
        _cell_text(left, text, bold=bold, size=HEADER_SIZE, new=index > 0)
    _cell_text(right, t("bcd.doc.union"), bold=True, underline=True, size=HEADER_SIZE)
    number_cell, date_cell = table.rows[1].cells
    _cell_text(number_cell, t("bcd.doc.number", number=number), size=HEADER_SIZE)
    _cell_text(date_cell, date_words(head.place, day), italic=True, size=HEADER_SIZE)


def _cell_text(cell, text: str, bold: bool = False, italic: bool = False, underline: bool = False,
               size=None, new: bool = False) -> None:
    paragraph = cell.add_paragraph() if new else cell.paragraphs[0]
    paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER
    run = paragraph.add_run(text)
    run.bold, run.italic, run.underline = bold, italic, underline
    if size is not None:
        run.font.size = size


def _title(doc, title: str, subject: str) -> None:
    doc.add_paragraph()
    _centered(doc, title, bold=True)
    _centered(doc, subject, bold=True)
    _centered(doc, t("bcd.doc.rule"))


def _centered(doc, text: str, bold: bool = False, italic: bool = False) -> None:
    paragraph = doc.add_paragraph()
    paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER
    run = paragraph.add_run(text)
    run.bold, run.italic = bold, italic


def _heading(doc, text: str) -> None:
    paragraph = doc.add_paragraph()
    paragraph.paragraph_format.first_line_indent = Cm(1)
    paragraph.add_run(text).bold = True


def _body(doc, text: str, italic: bool = False) -> None:
    paragraph = doc.add_paragraph()
    paragraph.alignment = WD_ALIGN_PARAGRAPH.JUSTIFY
    paragraph.paragraph_format.first_line_indent = Cm(1)
    paragraph.add_run(text).italic = italic


def _signature(doc, on_behalf: str, recipients: Sequence[str]) -> None:
    """"Nơi nhận" on the left, the signature block on the right, side by side."""
    doc.add_paragraph()
    table = doc.add_table(rows=1, cols=2)
    left, right = table.rows[0].cells
    first = left.paragraphs[0]
    heading = first.add_run(t("bcd.doc.recipients"))
    heading.bold, heading.italic, heading.font.size = True, True, Pt(12)
    for line in recipients:
        run = left.add_paragraph().add_run(line)
        run.font.size = RECIPIENTS_SIZE
    _cell_text(right, on_behalf, bold=True)
    _cell_text(right, t("bcd.doc.secretary"), bold=True, new=True)
