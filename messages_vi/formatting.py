"""Dates, times and numbers the Vietnamese way (babel, `vi`); pure functions, time passed in."""

from __future__ import annotations

from datetime import date, datetime
from functools import lru_cache
from zoneinfo import ZoneInfo

from babel.dates import format_date, format_datetime
from babel.numbers import format_decimal

LOCAL_TZ = ZoneInfo("Asia/Ho_Chi_Minh")
LOCALE = "vi_VN"


def local(moment: datetime) -> datetime:
    """A stored (UTC) moment as people in Vietnam read it."""
    return moment.astimezone(LOCAL_TZ)


def local_today(now: datetime) -> date:
    """Today's date in Vietnam at a given moment."""
    return local(now).date()


@lru_cache(maxsize=4096)          # babel's formatting is slow and the same days recur
def long_date(day: date) -> str:
    """Thứ Hai, 15 tháng 6, 2026"""
    return format_date(day, format="full", locale=LOCALE)


def short_date(day: date) -> str:
    """15/06/2026"""
    return day.strftime("%d/%m/%Y")


def date_time(moment: datetime) -> str:
    """08:30 15/06/2026, local time."""
    return format_datetime(local(moment), "HH:mm dd/MM/yyyy", locale=LOCALE)


@lru_cache(maxsize=4096)
def number(value: int | float) -> str:
    """1.234.567"""
    return format_decimal(value, locale=LOCALE)


def percent(part: int, whole: int) -> str:
    """A share as a whole percentage, "0%" when there is nothing to share."""
    return f"{round(100 * part / whole) if whole else 0}%"
