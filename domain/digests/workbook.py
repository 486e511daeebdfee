"""An XLSX workbook of plain tables, written with XlsxWriter in its constant-memory mode.

What a sheet holds, and nothing more: a title block above its table, a bold header row frozen,
repeated on each printed page and filtered, column widths, texts (never a formula or a link,
whatever they start with), numbers, booleans, percentages, dates and date-times; printed A4
landscape, one page wide. Rows stream to the file as they come, so a province's year (close to a
million cells) never sits in memory twice.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import xlsxwriter

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
        "constant_memory": True,
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
        for sheet in sheets:
            page = book.add_worksheet(sheet.name[:31])
            top = len(sheet.title) + 1 if sheet.title else 0       # the header row, under the block and a gap
            for index, text in enumerate(sheet.title):
                page.write_string(index, 0, text[:MAX_TEXT], title if index == 0 else None)
            page.write_row(top, 0, [text[:MAX_TEXT] for text in sheet.headers], header)
            for column, (width, fmt) in enumerate(zip(sheet.widths, [*sheet.formats, *[None] * len(sheet.widths)])):
                # a column's format applies to its cells written without one (percentages, dates)
                page.set_column(column, column, width, styles.get(fmt or ""))
            # a date-time takes the workbook's date format when written in a row: styled per cell
            moments = [column for column, fmt in enumerate(sheet.formats) if fmt == "datetime"]
            last = top
            for last, row in enumerate(sheet.rows, start=top + 1):
                page.write_row(last, 0, [_cell(value) for value in row])
                for column in moments:
                    if column < len(row) and isinstance(row[column], date):
                        page.write_datetime(last, column, row[column], styles["datetime"])
            _print_setup(page, top, last, len(sheet.headers))
        book.close()
    except BaseException:
        partial.unlink(missing_ok=True)
        raise
    partial.replace(path)
    return path


def _cell(value):
    """What a sheet cell takes: text cut to Excel's limit, no NaN or infinity, no empty text."""
    if isinstance(value, str):
        return value[:MAX_TEXT] or None
    if isinstance(value, float) and not math.isfinite(value):
        return None
    return value


def _print_setup(page, top: int, last: int, columns: int) -> None:
    """Header frozen and filtered; printed A4 landscape, one page wide, the header on every page."""
    page.freeze_panes(top + 1, 0)
    page.autofilter(top, 0, last, max(columns - 1, 0))
    page.set_landscape()
    page.set_paper(A4)
    page.fit_to_pages(1, 0)
    page.repeat_rows(top)
