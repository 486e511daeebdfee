"""Reporting periods: months, quarters, half-years and years, with their keys ("2026-06",
"2026-Q2", "2026-H1", "2026") and first and last days."""

from __future__ import annotations

import calendar
import re
from dataclasses import dataclass
from datetime import date, timedelta


@dataclass(frozen=True)
class Period:
    kind: str          # month, quarter, half, year
    year: int
    number: int        # the month, quarter or half; 1 for a year
    start: date
    end: date          # the last day, inclusive

    @property
    def key(self) -> str:
        if self.kind == "month":
            return f"{self.year}-{self.number:02d}"
        if self.kind == "quarter":
            return f"{self.year}-Q{self.number}"
        if self.kind == "half":
            return f"{self.year}-H{self.number}"
        return str(self.year)

    def previous(self) -> "Period":
        return parse(self.key, before=self.start - timedelta(days=1))


def _span(kind: str, year: int, number: int, first_month: int, months: int) -> Period:
    last_month = first_month + months - 1
    end = date(year, last_month, calendar.monthrange(year, last_month)[1])
    return Period(kind, year, number, date(year, first_month, 1), end)


def month(day: date) -> Period:
    return _span("month", day.year, day.month, day.month, 1)


def quarter(day: date) -> Period:
    q = (day.month - 1) // 3 + 1
    return _span("quarter", day.year, q, 3 * q - 2, 3)


def half_year(day: date) -> Period:
    h = 1 if day.month <= 6 else 2
    return _span("half", day.year, h, 6 * h - 5, 6)


def year(day: date) -> Period:
    return _span("year", day.year, 1, 1, 12)


_KEY = re.compile(r"^(\d{4})(?:-(\d{2})|-Q([1-4])|-H([12]))?$")


def is_key(key: str) -> bool:
    """Whether `key` names a period (a key carried by a button may be forged)."""
    try:
        parse(key)
    except ValueError:
        return False
    return True


def parse(key: str, *, before: date | None = None) -> Period:
    """The period a key names; with `before`, the period of the same kind holding that day."""
    match = _KEY.match(key.strip().upper())
    if not match:
        raise ValueError(f"not a period: {key!r} (use 2026-06, 2026-Q2, 2026-H1 or 2026)")
    y, m, q, h = match.groups()
    kind = "month" if m else "quarter" if q else "half" if h else "year"
    if before is not None:
        return {"month": month, "quarter": quarter, "half": half_year, "year": year}[kind](before)
    if m:
        if not 1 <= int(m) <= 12:
            raise ValueError(f"not a month: {key!r}")
        return month(date(int(y), int(m), 1))
    if q:
        return quarter(date(int(y), 3 * int(q), 1))
    if h:
        return half_year(date(int(y), 6 * int(h), 1))
    return year(date(int(y), 1, 1))
