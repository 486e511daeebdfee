"""An XLSX workbook of plain tables, written with XlsxWriter.

What a sheet holds, and nothing more: a title block above its table, a bold header row frozen,
repeated on each printed page and filtered, column widths, texts (never a formula or a link,
whatever they start with), numbers, booleans, percentages, dates and date-times; printed A4
landscape, one page wide.

The cells are held until the book closes (not XlsxWriter's constant-memory mode): a text that
repeats down a column ("trễ hạn · 30/06/2026", a commune's name) is then written once, as a
shared string. A province's year, about 450,000 cells, peaks near 60 MiB (benchmarks/digest.py).
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import xlsxwriter

from domain import collector

MAX_TEXT = 32767              # Excel's limit for one cell
A4 = 9                        # the paper size code of A4


@dataclass(frozen=True)
class Sheet:
    """One sheet to write: its name, the lines of its title block (none: the table starts at the
    top), the table's header, each column's width and format (None, "percent", "date",
    "datetime"), and its rows."""

    name: str
    title: Sequence[str]
    headers: Sequence[str]
    widths: Sequence[float]
    formats: Sequence[str | None]
    rows: Iterable[Sequence]


def write(sheets: Iterable[Sheet], path: Path) -> Path:
    """Write the workbook to `path` (beside it first, then moved into place); returns the path."""
    partial = path.with_name(path.name + ".part")
    book = xlsxwriter.Workbook(str(partial), {
        # text from people is text: never a formula or a link, whatever it starts with
        "strings_to_formulas": False, "strings_to_urls": False,
        # the dates people read are already local: the zone is dropped, not converted
        "remove_timezone": True,
        "default_date_format": "dd/mm/yyyy",
    })
    header = book.add_format({"bold": True, "bg_color": "#DDEBF7", "text_wrap": True, "valign": "top"})
    title = book.add_format({"bold": True, "font_size": 14})
    styles = {"percent": book.add_format({"num_format": "0%"}),
              "date": book.add_format({"num_format": "dd/mm/yyyy"}),
              "datetime": book.add_format({"num_format": "dd/mm/yyyy hh:mm"})}
    try:
        with collector.paused():          # XlsxWriter keeps every cell as an object until the close
            _write_sheets(book, sheets, header, title, styles)
            book.close()
        partial.replace(path)
    except BaseException:
        partial.unlink(missing_ok=True)   # never a half-written or orphaned ".part" beside the exports
        raise
    return path


def _write_sheets(book, sheets: Iterable[Sheet], header, title, styles: dict) -> None:
    """Each sheet: its title block, the header row, column widths and formats, the rows, the print setup."""
    for sheet in sheets:
        page = book.add_worksheet(sheet.name[:31])
        top = len(sheet.title) + 1 if sheet.title else 0       # the header row, under the block and a gap
        for index, text in enumerate(sheet.title):
            page.write_string(index, 0, text[:MAX_TEXT], title if index == 0 else None)
        page.write_row(top, 0, [text[:MAX_TEXT] for text in sheet.headers], header)
        for column, (width, fmt) in enumerate(zip(sheet.widths, [*sheet.formats, *[None] * len(sheet.widths)])):
            # a column's format applies to its cells written without one (percentages, dates)
            page.set_column(column, column, width, styles.get(fmt or ""))
        last = _write_rows(page, sheet, top + 1, styles["datetime"])
        _print_setup(page, top, last, len(sheet.headers))


def _write_rows(page, sheet: Sheet, first: int, moment) -> int:
    """Each cell through the writer of its type (an empty one not at all); returns the last row."""
    text, number, flag, day = page.write_string, page.write_number, page.write_boolean, page.write_datetime
    moments = {column for column, fmt in enumerate(sheet.formats) if fmt == "datetime"}
    last = first - 1
    for last, row in enumerate(sheet.rows, start=first):
        for column, value in enumerate(row):
            kind = value.__class__
            if value is None:
                continue
            if kind is str:
                if value:
                    text(last, column, value[:MAX_TEXT])
            elif kind is int or kind is float:
                if math.isfinite(value):
                    number(last, column, value)
            elif kind is bool:
                flag(last, column, value)
            elif isinstance(value, date):
                # a date-time takes the workbook's date format unless styled by its cell
                day(last, column, value, moment if column in moments else None)
            else:
                page.write(last, column, value)
    return last


def _print_setup(page, top: int, last: int, columns: int) -> None:
    """Header frozen and filtered; printed A4 landscape, one page wide, the header on every page."""
    page.freeze_panes(top + 1, 0)
    page.autofilter(top, 0, last, max(columns - 1, 0))
    page.set_landscape()
    page.set_paper(A4)
    page.fit_to_pages(1, 0)
    page.repeat_rows(top)
