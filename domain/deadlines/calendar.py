"""The deadline calendar: its model, loading from TOML and validation.

A calendar is data (DESIGN decision 5): a province's officer edits a TOML file; the shipped
default (``default_calendar.toml``) holds the dates of the seed documents.

An item's ``level`` says who sends it upward (SENDERS): each branch, each Đoàn cơ sở
("grassroots": a Đoàn xã/phường, a school's Đoàn trường...), each unit directly under the Tỉnh
đoàn ("under_province": a Đoàn xã/phường since 2025, a Huyện đoàn before), or the Tỉnh đoàn. A
calendar written before 2025 says "district" for the units directly under the province: it is
read as "under_province".  Every problem
found in a file is collected and reported together, one line each, in Vietnamese: the file, the
line, the entry and what is wrong (messages_vi, keys "cal.*").

A yearly ``due = "29/02"`` is allowed: in a year without 29 February it falls on 28 February.
"""

from __future__ import annotations

import json
import re
import tomllib
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from functools import lru_cache
from datetime import date, time
from importlib import resources
from pathlib import Path
from typing import Any

from domain.rules import LEVELS      # re-exported: the levels a lead time may name
from messages_vi import t

__all__ = [
    "LEVELS",
    "SENDERS",
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

RECURRENCES: frozenset[str] = frozenset({"monthly", "quarterly", "half_year", "year_end"})
# Who sends an item upward, from the top down (the module's docstring; domain.deadlines.schedule).
SENDERS: tuple[str, ...] = ("province", "under_province", "grassroots", "branch")
# What a calendar written before 2025 says for a sender: the Huyện đoàn was the unit under the province.
_OLD_SENDERS = {"district": "under_province"}
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
    them is set.  ``level`` (one of SENDERS) says who sends it to its parent; with ``cascade`` the
    units below owe their part earlier (see schedule.unit_due_date).
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
        raw = path.read_bytes()
    except FileNotFoundError as exc:
        raise CalendarError([t("cal.at_file", file=path, problem=t("cal.missing"))]) from exc
    except OSError as exc:
        problem = t("cal.unreadable", error=exc.strerror or exc)
        raise CalendarError([t("cal.at_file", file=path, problem=problem)]) from exc
    try:
        # "utf-8-sig": Windows Notepad saves UTF-8 with a byte-order mark, which TOML does not allow
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = raw[:exc.start].count(b"\n") + 1
        raise CalendarError([t("cal.at_line", file=path, line=line, problem=t("cal.not_utf8"))]) from exc
    return parse_calendar(text, source_name=str(path))


@lru_cache(maxsize=1)
def _default_calendar() -> Calendar:
    ref = resources.files(__package__).joinpath(_DEFAULT_FILE)
    return parse_calendar(ref.read_text(encoding="utf-8"), source_name=_DEFAULT_FILE)


def parse_calendar(text: str, *, source_name: str = "<calendar>") -> Calendar:
    """Parse and validate calendar TOML; raises CalendarError listing every problem, each in
    Vietnamese with the file and the line it is on."""
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise CalendarError([_syntax_problem(exc, text, source_name)]) from exc

    lines = _Lines(text)
    problems: list[tuple[int, str]] = []                        # (line, problem)
    top = _Reporter(problems, source_name, "", lines.top)
    for key in sorted(set(data) - {"settings", "item"}):
        top(t("cal.unknown_top", name=key), key)

    raw_settings = data.get("settings", {})
    if not isinstance(raw_settings, dict):
        top(t("cal.settings_not_table"), "settings")
        raw_settings = {}
    settings = _parse_settings(raw_settings, _Reporter(problems, source_name, t("cal.in_settings"), lines.setting))

    raw_items = data.get("item", [])
    if not isinstance(raw_items, list):
        top(t("cal.item_not_array"), "item")
        raw_items = []
    items = _parse_items(raw_items, source_name, problems, lines)

    if problems:
        # from the top of the file down, as the person editing it goes through them
        raise CalendarError([problem for _, problem in sorted(problems, key=lambda found: found[0])])
    assert settings is not None
    return Calendar(settings=settings, items=tuple(items))


# ---- where a problem is --------------------------------------------------------------------

# tomllib (Python 3.11) tells where it stopped only in its message: "... (at line 5, column 7)"
_TOML_WHERE = re.compile(r"\s*\((?:at line (\d+), column (\d+)|at end of document)\)$")
# the start of each of tomllib's messages -> what to tell the person editing the file
_TOML_MESSAGES = (
    ("Invalid statement", "cal.toml.statement"),
    ("Expected newline or end of document", "cal.toml.trailing"),
    ("Expected '=' after a key", "cal.toml.equals"),
    ("Invalid initial character for a key", "cal.toml.key"),
    ("Invalid value", "cal.toml.value"),
    ("Unterminated string", "cal.toml.unterminated"),
    ("Illegal character", "cal.toml.illegal_character"),
    ("Cannot declare", "cal.toml.table_twice"),
    ("Cannot overwrite a value", "cal.toml.key_twice"),
    ("Duplicate inline table key", "cal.toml.key_twice"),
    ("Cannot mutate immutable namespace", "cal.toml.namespace"),
    ("Cannot redefine namespace", "cal.toml.namespace"),
    ("Expected ']' at the end of a table", "cal.toml.table_bracket"),
    ("Expected ']]' at the end of an array", "cal.toml.array_bracket"),
    ("Unclosed array", "cal.toml.unclosed_array"),
    ("Unclosed inline table", "cal.toml.unclosed_table"),
    ("Invalid date or datetime", "cal.toml.datetime"),
    ("Unescaped '\\'", "cal.toml.escape"),
    ("Invalid hex value", "cal.toml.escape"),
    ("Escaped character", "cal.toml.escape"),
)


def _syntax_problem(exc: tomllib.TOMLDecodeError, text: str, source_name: str) -> str:
    """A TOML syntax error in Vietnamese, with its line (and column, when tomllib gives one)."""
    message = str(exc)
    where = _TOML_WHERE.search(message)
    english = message[:where.start()] if where else message
    key = next((key for start, key in _TOML_MESSAGES if english.startswith(start)), "cal.toml.other")
    problem = t("cal.toml", what=t(key))
    if where and where.group(1):
        return t("cal.at_column", file=source_name, line=int(where.group(1)), column=int(where.group(2)),
                 problem=problem)
    # "at end of document": something left open (a string, a list) runs to the last line
    last = max((n for n, line in enumerate(text.splitlines(), 1) if line.strip()), default=1)
    return t("cal.at_line", file=source_name, line=last, problem=problem)


_PART = r"""(?:"[^"]*"|'[^']*'|[A-Za-z0-9_-]+)"""
_HEADER = re.compile(r"^(\[\[?)\s*([^\[\]]*?)\s*\]")
_KEY = re.compile(rf"^({_PART}(?:\s*\.\s*{_PART})*)\s*=")
_KEY_PART = re.compile(r""""([^"]*)"|'([^']*)'|([A-Za-z0-9_-]+)""")
_MULTILINE_QUOTES = ('"' * 3, "'" * 3)


def _key_parts(dotted: str) -> list[str]:
    """The parts of a dotted key, unquoted: 'settings."send_at"' -> ["settings", "send_at"]."""
    return [next(g for g in m.groups() if g is not None) for m in _KEY_PART.finditer(dotted)]


class _Lines:
    """The line (from 1) each key of a calendar file stands on. tomllib gives the values and not
    their lines, so the text is read again for the keys at the top, in [settings] and in each
    [[item]] (numbered from 1 in the order of the file, as tomllib lists them)."""

    def __init__(self, text: str) -> None:
        self._keys: dict[tuple[str, int, str], int] = {}        # (table, item number, key) -> line
        table, index, items, closing = "", 0, 0, None
        for number, line in enumerate(text.splitlines(), 1):
            line = line.strip()
            if closing:                                          # inside a multi-line string
                if closing in line:
                    closing = None
                continue
            if not line or line.startswith("#"):
                continue
            header = _HEADER.match(line)
            if header:
                parts = _key_parts(header.group(2)) or [""]
                table, index = "", 0                             # a table nobody asks about
                if header.group(1) == "[[" and parts == ["item"]:
                    items += 1
                    table, index = "item", items
                    self._note("item", index, "", number)            # the entry itself
                elif parts[0] == "item" and len(parts) > 1 and items:
                    self._note("item", items, parts[1], number)      # [item.x]: a key of the last item
                elif parts[0] == "settings":
                    if len(parts) == 1:
                        table = "settings"
                    self._note("settings", 0, parts[1] if len(parts) > 1 else "", number)
                self._note("", 0, parts[0], number)
                continue
            key = _KEY.match(line)
            if key is None:
                continue                                         # a value going on from the line above
            parts = _key_parts(key.group(1))
            self._note(table, index, parts[0], number)
            if table == "" and len(parts) > 1 and parts[0] == "settings":
                self._note("settings", 0, parts[1], number)          # settings.send_at = ...
            rest = line[key.end():]
            closing = next((quotes for quotes in _MULTILINE_QUOTES if rest.count(quotes) == 1), None)

    def _note(self, table: str, index: int, key: str, number: int) -> None:
        self._keys.setdefault((table, index, key), number)

    def top(self, key: str | None) -> int:
        """The line of a key at the top of the file (or of its table), else the first."""
        return self._keys.get(("", 0, key or ""), 1)

    def setting(self, key: str | None) -> int:
        """The line of a key of [settings], else of [settings] itself."""
        return (self._keys.get(("settings", 0, key or "")) or self._keys.get(("settings", 0, ""))
                or self.top("settings"))

    def item(self, index: int, key: str | None) -> int:
        """The line of a key of the index-th [[item]], else of its [[item]] line."""
        return (self._keys.get(("item", index, key or "")) or self._keys.get(("item", index, ""))
                or self.top("item"))


class _Reporter:
    """Collects the problems of one entry (the top of the file, [settings] or an [[item]]), each
    as "file, dòng N: entry: problem", N the line of the key the problem is about."""

    def __init__(self, problems: list[tuple[int, str]], source_name: str, where: str,
                 line_of: Callable[[str | None], int]) -> None:
        self.problems = problems
        self.source_name = source_name
        self.where = where
        self.line_of = line_of
        self.count = 0

    def __call__(self, message: str, key: str | None = None) -> None:
        self.count += 1
        problem = t("cal.in", where=self.where, problem=message) if self.where else message
        line = self.line_of(key)
        self.problems.append((line, t("cal.at_line", file=self.source_name, line=line, problem=problem)))


def _shown(value: Any) -> str:
    """A value as the file writes it: "08:00", true, [7, 3]."""
    return json.dumps(value, ensure_ascii=False, default=str)


# ---- settings ------------------------------------------------------------------------------

def _parse_settings(raw: dict[str, Any], report: _Reporter) -> Settings | None:
    """Settings with defaults for absent keys; None when something was wrong."""
    start = report.count
    for key in sorted(set(raw) - _SETTINGS_KEYS):
        report(t("cal.unknown_key", name=key), key)
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
        report(t("cal.nudge_day", value=_shown(nudge_day)), "meeting_nudge_day")
    if None not in (send_at, quiet_start, quiet_end) and in_quiet_hours(send_at, quiet_start, quiet_end):
        key = next((k for k in ("send_at", "quiet_start", "quiet_end") if k in raw), "send_at")
        report(t("cal.send_in_quiet", send_at=f"{send_at:%H:%M}", start=f"{quiet_start:%H:%M}",
                 end=f"{quiet_end:%H:%M}"), key)
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
        report(t("cal.lead_days_table", value=_shown(raw)), "lead_days")
        return FrozenMap()
    result: dict[str, int] = {}
    for level, days in raw.items():
        if level not in LEVELS:
            report(t("cal.lead_days_level", level=level, levels=", ".join(LEVELS)), "lead_days")
        elif _non_negative_int(days, f"lead_days.{level}", report, key="lead_days") is not None:
            result[level] = days
    return FrozenMap(result)


def _parse_ladder(raw: Any, report: _Reporter) -> tuple[int, ...]:
    if not isinstance(raw, list):
        report(t("cal.ladder_list", value=_shown(raw)), "ladder_days_before")
        return ()
    bad = [step for step in raw if not _is_int(step) or step < 0]
    if bad:
        report(t("cal.ladder_steps", bad=_shown(bad)), "ladder_days_before")
        return ()
    if len(set(raw)) != len(raw):
        report(t("cal.ladder_repeated", value=_shown(raw)), "ladder_days_before")
    return tuple(sorted(raw, reverse=True))


def _non_negative_int(value: Any, name: str, report: _Reporter, key: str | None = None) -> int | None:
    if not _is_int(value) or value < 0:
        report(t("cal.whole_number", name=name, value=_shown(value)), key or name)
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
    report(t("cal.time", name=name, value=_shown(value)), name)
    return None


# ---- items ---------------------------------------------------------------------------------

def _parse_items(raw_items: list[Any], source_name: str, problems: list[tuple[int, str]],
                 lines: _Lines) -> list[Item]:
    items: list[Item] = []
    seen: dict[str, int] = {}
    for index, raw in enumerate(raw_items, start=1):
        item_id = raw.get("id") if isinstance(raw, dict) else None
        label = (t("cal.in_item_id", index=index, id=_shown(item_id)) if isinstance(item_id, str)
                 else t("cal.in_item", index=index))
        report = _Reporter(problems, source_name, label, lambda key, index=index: lines.item(index, key))
        if not isinstance(raw, dict):
            report(t("cal.item_not_table"))
            continue
        if isinstance(item_id, str) and item_id in seen:
            report(t("cal.duplicate_id", first=seen[item_id]), "id")
        elif isinstance(item_id, str):
            seen[item_id] = index
        item = _parse_item(raw, report)
        if item is not None:
            items.append(item)
    return items


def _parse_item(raw: dict[str, Any], report: _Reporter) -> Item | None:
    start = report.count
    for key in sorted(set(raw) - _ITEM_KEYS):
        report(t("cal.unknown_key", name=key), key)
    item_id = raw.get("id")
    if not isinstance(item_id, str) or not _ID_RE.fullmatch(item_id):
        report(t("cal.bad_id", value=_shown(item_id)), "id")
    title = _required_text(raw, "title", report)
    source = raw.get("source", "")
    if not isinstance(source, str):
        report(t("cal.source_text", value=_shown(source)), "source")
    level = raw.get("level")
    level = _OLD_SENDERS.get(level, level) if isinstance(level, str) else level
    if level not in SENDERS:
        report(t("cal.level", levels=", ".join(SENDERS), value=_shown(raw.get("level"))), "level")
    due, recurrence = _parse_when(raw, report)
    cascade = raw.get("cascade", False)
    if not isinstance(cascade, bool):
        report(t("cal.cascade", value=_shown(cascade)), "cascade")
    collects = raw.get("collects")
    if collects is not None and collects not in COLLECTS:
        report(t("cal.collects", values=", ".join(sorted(COLLECTS)), value=_shown(collects)), "collects")
    if report.count > start:
        return None
    return Item(id=item_id, title=title, level=level, source=source, due=due,
                recurrence=recurrence, cascade=cascade, collects=collects)


def _required_text(raw: dict[str, Any], key: str, report: _Reporter) -> str:
    value = raw.get(key)
    if not isinstance(value, str) or not value.strip():
        report(t("cal.required_text", name=key, value=_shown(value)), key)
        return ""
    return value


def _parse_when(raw: dict[str, Any], report: _Reporter) -> tuple[tuple[int, int] | None, str | None]:
    """(due, recurrence), exactly one of them set."""
    has_due, has_rec = "due" in raw, "recurrence" in raw
    if has_due and has_rec:
        report(t("cal.due_and_recurrence"), "recurrence")
        return None, None
    if not has_due and not has_rec:
        report(t("cal.no_due_or_recurrence"))
        return None, None
    if has_rec:
        recurrence = raw["recurrence"]
        if recurrence not in RECURRENCES:
            report(t("cal.recurrence", values=", ".join(sorted(RECURRENCES)), value=_shown(recurrence)),
                   "recurrence")
            return None, None
        return None, recurrence
    return _parse_due(raw["due"], report), None


def _parse_due(value: Any, report: _Reporter) -> tuple[int, int] | None:
    m = _DUE_RE.fullmatch(value) if isinstance(value, str) else None
    if m is None:
        report(t("cal.due_shape", value=_shown(value)), "due")
        return None
    day, month = int(m[1]), int(m[2])
    try:
        date(2000, month, day)  # a leap year, so that 29/02 is accepted
    except ValueError:
        report(t("cal.due_not_real", value=_shown(value)), "due")
        return None
    return day, month
