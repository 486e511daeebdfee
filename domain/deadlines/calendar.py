"""The deadline calendar: its model, loading from TOML and validation.

A calendar is data (DESIGN decision 5): a province or district officer edits a TOML file; the
shipped default (``default_calendar.toml``) holds the dates of the seed documents.  Every problem
found in a file is collected and reported together, one line each, naming the file and entry.

A yearly ``due = "29/02"`` is allowed: in a year without 29 February it falls on 28 February.
"""

from __future__ import annotations

import re
import tomllib
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from functools import lru_cache
from datetime import date, time
from importlib import resources
from pathlib import Path
from typing import Any

__all__ = [
    "LEVELS",
    "RECURRENCES",
    "COLLECTS",
    "CalendarError",
    "FrozenMap",
    "Settings",
    "Item",
    "Calendar",
    "DEFAULT_SETTINGS",
    "load_calendar",
    "parse_calendar",
    "in_quiet_hours",
]

# From the top of the tree down; a unit's level must be one of these.
LEVELS: tuple[str, ...] = ("province", "district", "grassroots", "branch")
RECURRENCES: frozenset[str] = frozenset({"monthly", "quarterly", "half_year", "year_end"})
COLLECTS: frozenset[str] = frozenset({"meeting", "oneplusone"})

_ID_RE = re.compile(r"[a-z0-9-]+")
_DUE_RE = re.compile(r"(\d{1,2})/(\d{1,2})")
_TIME_RE = re.compile(r"(\d{1,2}):(\d{2})")
_SETTINGS_KEYS = frozenset({
    "lead_days", "ladder_days_before", "late_every_days", "send_at",
    "quiet_start", "quiet_end", "meeting_nudge_day",
})
_ITEM_KEYS = frozenset({"id", "title", "due", "recurrence", "level", "cascade", "collects", "source"})
_DEFAULT_FILE = "default_calendar.toml"


class CalendarError(ValueError):
    """A calendar file is unusable; ``problems`` holds one line per problem found."""

    def __init__(self, problems: list[str] | tuple[str, ...]) -> None:
        self.problems: tuple[str, ...] = tuple(problems)
        super().__init__("\n".join(self.problems))


class FrozenMap(Mapping[str, int]):
    """A read-only, hashable mapping, so that Settings can key caches."""

    __slots__ = ("_data", "_hash")

    def __init__(self, data: Mapping[str, int] | None = None) -> None:
        self._data = dict(data or {})
        self._hash = hash(frozenset(self._data.items()))

    def __getitem__(self, key: str) -> int:
        return self._data[key]

    def __iter__(self) -> Iterator[str]:
        return iter(self._data)

    def __len__(self) -> int:
        return len(self._data)

    def __hash__(self) -> int:
        return self._hash

    def __eq__(self, other: object) -> bool:
        if isinstance(other, FrozenMap):
            return self._hash == other._hash and self._data == other._data
        if isinstance(other, Mapping):
            return dict(self._data) == dict(other)
        return NotImplemented

    def __repr__(self) -> str:
        return f"FrozenMap({self._data!r})"


@dataclass(frozen=True)
class Settings:
    """How reminders are spaced and timed (local times in Asia/Ho_Chi_Minh).

    ``lead_days`` is keyed by the level that reports up to its parent; a level not listed has
    a lead of 0 days.  ``ladder_days_before`` is kept sorted from the earliest step (largest
    number) to the latest.  ``late_every_days == 0`` means no late reminders.
    """

    lead_days: Mapping[str, int]
    ladder_days_before: tuple[int, ...]
    late_every_days: int
    send_at: time
    quiet_start: time
    quiet_end: time
    meeting_nudge_day: int

    def __post_init__(self) -> None:
        # Normalise so that a Settings built by hand is hashable (schedule.py caches on it).
        if not isinstance(self.lead_days, FrozenMap):
            object.__setattr__(self, "lead_days", FrozenMap(self.lead_days))
        ladder = tuple(sorted(set(self.ladder_days_before), reverse=True))
        object.__setattr__(self, "ladder_days_before", ladder)


DEFAULT_SETTINGS = Settings(
    lead_days=FrozenMap({"grassroots": 5, "branch": 5}),
    ladder_days_before=(7, 3, 1, 0),
    late_every_days=3,
    send_at=time(8, 0),
    quiet_start=time(21, 0),
    quiet_end=time(7, 0),
    meeting_nudge_day=20,
)


@dataclass(frozen=True)
class Item:
    """One thing a unit must send upward.

    ``due`` is (day, month), every year; ``recurrence`` is one of RECURRENCES; exactly one of
    them is set.  ``level`` is the level that sends it to its parent; with ``cascade`` the levels
    below owe their part earlier (see schedule.unit_due_date).
    """

    id: str
    title: str
    level: str
    source: str
    due: tuple[int, int] | None
    recurrence: str | None
    cascade: bool
    collects: str | None


@dataclass(frozen=True)
class Calendar:
    settings: Settings
    items: tuple[Item, ...]
    _by_id: Mapping[str, Item] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "_by_id", {it.id: it for it in self.items})

    def item(self, id: str) -> Item:
        """The item with this id; KeyError if there is none."""
        try:
            return self._by_id[id]
        except KeyError:
            raise KeyError(f"no calendar item with id {id!r}") from None


def load_calendar(path: str | Path | None = None) -> Calendar:
    """Read and validate a calendar file; ``None`` gives the shipped default."""
    if path is None:
        return _default_calendar()
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise CalendarError([f"{path}: cannot read the calendar file: {exc}"]) from exc
    return parse_calendar(text, source_name=str(path))


@lru_cache(maxsize=1)
def _default_calendar() -> Calendar:
    ref = resources.files(__package__).joinpath(_DEFAULT_FILE)
    return parse_calendar(ref.read_text(encoding="utf-8"), source_name=_DEFAULT_FILE)


def parse_calendar(text: str, *, source_name: str = "<calendar>") -> Calendar:
    """Parse and validate calendar TOML; raises CalendarError listing every problem."""
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        # tomllib's message already ends with "(at line N, column M)".
        raise CalendarError([f"{source_name}: invalid TOML: {exc}"]) from exc

    problems: list[str] = []
    for key in sorted(set(data) - {"settings", "item"}):
        problems.append(f"{source_name}: unknown top-level key {key!r} (expected [settings] and [[item]])")

    raw_settings = data.get("settings", {})
    if not isinstance(raw_settings, dict):
        problems.append(f"{source_name}: [settings] must be a table")
        raw_settings = {}
    settings = _parse_settings(raw_settings, _Reporter(problems, f"{source_name}: [settings]"))

    raw_items = data.get("item", [])
    if not isinstance(raw_items, list):
        problems.append(f"{source_name}: 'item' must be an array of tables, written [[item]]")
        raw_items = []
    items = _parse_items(raw_items, source_name, problems)

    if problems:
        raise CalendarError(problems)
    assert settings is not None
    return Calendar(settings=settings, items=tuple(items))


class _Reporter:
    """Collects problems with a fixed prefix naming the file and the entry."""

    def __init__(self, problems: list[str], where: str) -> None:
        self.problems = problems
        self.where = where
        self.count = 0

    def __call__(self, message: str) -> None:
        self.count += 1
        self.problems.append(f"{self.where}: {message}")


# ---- settings ------------------------------------------------------------------------------

def _parse_settings(raw: dict[str, Any], report: _Reporter) -> Settings | None:
    """Settings with defaults for absent keys; None when something was wrong."""
    start = report.count
    for key in sorted(set(raw) - _SETTINGS_KEYS):
        report(f"unknown key {key!r}")
    d = DEFAULT_SETTINGS
    lead_days = _parse_lead_days(raw.get("lead_days", dict(d.lead_days)), report)
    ladder = _parse_ladder(raw.get("ladder_days_before", list(d.ladder_days_before)), report)
    late_every = _non_negative_int(raw.get("late_every_days", d.late_every_days), "late_every_days", report)
    send_at = _parse_time(raw.get("send_at", d.send_at), "send_at", report)
    quiet_start = _parse_time(raw.get("quiet_start", d.quiet_start), "quiet_start", report)
    quiet_end = _parse_time(raw.get("quiet_end", d.quiet_end), "quiet_end", report)
    nudge_day = raw.get("meeting_nudge_day", d.meeting_nudge_day)
    if not _is_int(nudge_day) or not 1 <= nudge_day <= 28:
        # Capped at 28 so that the day exists in every month.
        report(f"meeting_nudge_day must be a whole number from 1 to 28, got {nudge_day!r}")
    if None not in (send_at, quiet_start, quiet_end) and in_quiet_hours(send_at, quiet_start, quiet_end):
        report(f"send_at {send_at:%H:%M} falls inside quiet hours "
               f"{quiet_start:%H:%M}-{quiet_end:%H:%M}; nothing would be sent at that time")
    if report.count > start:
        return None
    return Settings(lead_days=lead_days, ladder_days_before=ladder, late_every_days=late_every,
                    send_at=send_at, quiet_start=quiet_start, quiet_end=quiet_end,
                    meeting_nudge_day=nudge_day)


def in_quiet_hours(t: time, quiet_start: time, quiet_end: time) -> bool:
    """Whether local time ``t`` is in [quiet_start, quiet_end), which may wrap past midnight.

    Equal start and end mean no quiet hours at all.
    """
    if quiet_start == quiet_end:
        return False
    if quiet_start < quiet_end:
        return quiet_start <= t < quiet_end
    return t >= quiet_start or t < quiet_end


def _parse_lead_days(raw: Any, report: _Reporter) -> FrozenMap:
    if not isinstance(raw, dict):
        report(f"lead_days must be a table such as {{ grassroots = 5, branch = 5 }}, got {raw!r}")
        return FrozenMap()
    result: dict[str, int] = {}
    for level, days in raw.items():
        if level not in LEVELS:
            report(f"lead_days: unknown level {level!r} (expected one of {', '.join(LEVELS)})")
        elif _non_negative_int(days, f"lead_days.{level}", report) is not None:
            result[level] = days
    return FrozenMap(result)


def _parse_ladder(raw: Any, report: _Reporter) -> tuple[int, ...]:
    if not isinstance(raw, list):
        report(f"ladder_days_before must be a list of whole numbers such as [7, 3, 1, 0], got {raw!r}")
        return ()
    bad = [step for step in raw if not _is_int(step) or step < 0]
    if bad:
        report(f"ladder_days_before: steps must be whole numbers >= 0, got {bad!r}")
        return ()
    if len(set(raw)) != len(raw):
        report(f"ladder_days_before: a step is repeated in {raw!r}")
    return tuple(sorted(raw, reverse=True))


def _non_negative_int(value: Any, name: str, report: _Reporter) -> int | None:
    if not _is_int(value) or value < 0:
        report(f"{name} must be a whole number >= 0, got {value!r}")
        return None
    return value


def _is_int(value: Any) -> bool:
    # TOML booleans are Python bools, which are ints; they are not numbers of days.
    return isinstance(value, int) and not isinstance(value, bool)


def _parse_time(value: Any, name: str, report: _Reporter) -> time | None:
    if isinstance(value, time):  # a TOML local time such as 08:00:00, or a default
        return value.replace(second=0, microsecond=0)
    m = _TIME_RE.fullmatch(value) if isinstance(value, str) else None
    if m and int(m[1]) < 24 and int(m[2]) < 60:
        return time(int(m[1]), int(m[2]))
    report(f"{name} must be a time \"HH:MM\" such as \"08:00\", got {value!r}")
    return None


# ---- items ---------------------------------------------------------------------------------

def _parse_items(raw_items: list[Any], source_name: str, problems: list[str]) -> list[Item]:
    items: list[Item] = []
    seen: dict[str, int] = {}
    for index, raw in enumerate(raw_items, start=1):
        item_id = raw.get("id") if isinstance(raw, dict) else None
        label = f"[[item]] #{index}" + (f" (id {item_id!r})" if isinstance(item_id, str) else "")
        report = _Reporter(problems, f"{source_name}: {label}")
        if not isinstance(raw, dict):
            report("must be a table")
            continue
        if isinstance(item_id, str) and item_id in seen:
            report(f"duplicate id, already used by [[item]] #{seen[item_id]}")
        elif isinstance(item_id, str):
            seen[item_id] = index
        item = _parse_item(raw, report)
        if item is not None:
            items.append(item)
    return items


def _parse_item(raw: dict[str, Any], report: _Reporter) -> Item | None:
    start = report.count
    for key in sorted(set(raw) - _ITEM_KEYS):
        report(f"unknown key {key!r}")
    item_id = raw.get("id")
    if not isinstance(item_id, str) or not _ID_RE.fullmatch(item_id):
        report(f"id must be made of a-z, 0-9 and '-', got {item_id!r}")
    title = _required_text(raw, "title", report)
    source = raw.get("source", "")
    if not isinstance(source, str):
        report(f"source must be text, got {source!r}")
    level = raw.get("level")
    if level not in LEVELS:
        report(f"level must be one of {', '.join(LEVELS)}, got {level!r}")
    due, recurrence = _parse_when(raw, report)
    cascade = raw.get("cascade", False)
    if not isinstance(cascade, bool):
        report(f"cascade must be true or false, got {cascade!r}")
    collects = raw.get("collects")
    if collects is not None and collects not in COLLECTS:
        report(f"collects must be one of {', '.join(sorted(COLLECTS))} or absent, got {collects!r}")
    if report.count > start:
        return None
    return Item(id=item_id, title=title, level=level, source=source, due=due,
                recurrence=recurrence, cascade=cascade, collects=collects)


def _required_text(raw: dict[str, Any], key: str, report: _Reporter) -> str:
    value = raw.get(key)
    if not isinstance(value, str) or not value.strip():
        report(f"{key} is required and must be non-empty text, got {value!r}")
        return ""
    return value


def _parse_when(raw: dict[str, Any], report: _Reporter) -> tuple[tuple[int, int] | None, str | None]:
    """(due, recurrence), exactly one of them set."""
    has_due, has_rec = "due" in raw, "recurrence" in raw
    if has_due == has_rec:
        report("needs exactly one of 'due' (dd/mm) and 'recurrence'"
               + (", not both" if has_due else ", found neither"))
        return None, None
    if has_rec:
        recurrence = raw["recurrence"]
        if recurrence not in RECURRENCES:
            report(f"recurrence must be one of {', '.join(sorted(RECURRENCES))}, got {recurrence!r}")
            return None, None
        return None, recurrence
    return _parse_due(raw["due"], report), None


def _parse_due(value: Any, report: _Reporter) -> tuple[int, int] | None:
    m = _DUE_RE.fullmatch(value) if isinstance(value, str) else None
    if m is None:
        report(f"due must be a day and month \"dd/mm\" such as \"15/06\", got {value!r}")
        return None
    day, month = int(m[1]), int(m[2])
    try:
        date(2000, month, day)  # a leap year, so that 29/02 is accepted
    except ValueError:
        report(f"due {value!r} is not a real day of the year")
        return None
    return day, month
