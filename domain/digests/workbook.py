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
from datetime import date, datetime
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
            formats = [styles.get(fmt or "") for fmt in sheet.formats]
            formats += [None] * max(0, len(sheet.headers) - len(formats))
            for column, width in enumerate(sheet.widths):
                page.set_column(column, column, width)
            last = top
            for last, row in enumerate(sheet.rows, start=top + 1):
                _write_row(page, last, row, formats, styles)
            _print_setup(page, top, last, len(sheet.headers))
        book.close()
    except BaseException:
        partial.unlink(missing_ok=True)
        raise
    partial.replace(path)
    return path


def _write_row(page, line: int, row: Sequence, formats: Sequence, styles: dict) -> None:
    for column, value in enumerate(row):
        fmt = formats[column] if column < len(formats) else None
        if isinstance(value, str):
            if value:
                page.write_string(line, column, value[:MAX_TEXT], fmt)
        elif value is None:
            continue
        elif isinstance(value, bool):
            page.write_boolean(line, column, value, fmt)
        elif isinstance(value, (int, float)):
            if math.isfinite(value):
                page.write_number(line, column, value, fmt)
        elif isinstance(value, date):
            shown = fmt or styles["datetime" if isinstance(value, datetime) else "date"]
            page.write_datetime(line, column, value, shown)
        else:
            page.write_string(line, column, str(value)[:MAX_TEXT], fmt)


def _print_setup(page, top: int, last: int, columns: int) -> None:
    """Header frozen and filtered; printed A4 landscape, one page wide, the header on every page."""
    page.freeze_panes(top + 1, 0)
    page.autofilter(top, 0, last, max(columns - 1, 0))
    page.set_landscape()
    page.set_paper(A4)
    page.fit_to_pages(1, 0)
    page.repeat_rows(top)
