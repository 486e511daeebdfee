"""The reminder tick: derive what is due from the calendar, the units and what was answered, and queue it.

Nothing is scheduled one by one (DESIGN decision 3). Each tick recomputes, for every unit, the
latest reminder step of every occurrence in the look-ahead window (bot.deadlines.schedule) and
queues one outbox row per recipient under the key (unit, item, occurrence, step, person): a tick
run twice, or after a day of downtime, queues each reminder once and skips the steps that went
by meanwhile. Units are grouped by their chain of levels (and border flag), so occurrences and
steps are computed once per group, not once per unit.

Choices worth knowing:
- the monthly-meeting item is not laddered: a branch with no meeting recorded gets one nudge on
  settings.meeting_nudge_day (a border-commune branch: on the 15th of the quarter's last month,
  counting any meeting in the quarter);
- escalation: the first tick at which a unit below a district is at a late step of an item
  sends that district's officers one message for the item and occurrence, listing every unit
  under the district that is late on it at that moment.
"""

from __future__ import annotations

import json
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from bot import periods
from bot.deadlines.calendar import LEVELS, Calendar, Item, in_quiet_hours
from bot.deadlines.schedule import (
    LOCAL_TZ, Occurrence, due_step, lookahead_window, meeting_nudge, meeting_period, occurrences_between,
    send_time_utc, unit_due_date,
)
from handlers.types import Button, Reply
from messages_vi import period_name, t
from messages_vi.formatting import long_date
from storage import Storage
from storage.deadlines import Recipient, TickFacts, TreeUnit
from storage.outbox import NewMessage

FORM_COMMANDS = {"meeting": "cmd:sinhhoat", "oneplusone": "cmd:motcongmot"}
_ESCALATE_BELOW = LEVELS.index("district")        # levels after "district" in LEVELS escalate to it


# ---- the tree: chains of levels, districts, who hears --------------------------------------

@dataclass(frozen=True, slots=True)
class Group:
    """Units sharing a chain of levels (unit first, up to the root) and a border flag."""

    chain: tuple[str, ...]
    border: bool


class Tree:
    """The units of a TickFacts grouped by chain, each with the district above it and who hears it.

    A unit's chain and district depend only on its level and its parent, so both are computed
    once per parent, not once per unit.
    """

    def __init__(self, facts: TickFacts):
        self.units: dict[int, TreeUnit] = {u.id: u for u in facts.ancestors}
        self.units.update((u.id, u) for u in facts.units)
        self._chains: dict[int | None, tuple[str, ...]] = {None: ()}
        self._districts: dict[int | None, int | None] = {None: None}
        self.groups: dict[Group, list[int]] = defaultdict(list)
        self.district_of: dict[int, int | None] = {}
        by_kind: dict[tuple[str, int | None, int], list[int]] = defaultdict(list)
        for unit in facts.units:
            by_kind[(unit.level, unit.parent_id, unit.border)].append(unit.id)
        for (level, parent, border), ids in by_kind.items():
            self.groups[Group((level, *self.chain(parent)), bool(border))].extend(ids)
            district = self._district_at_or_above(parent)
            self.district_of.update(dict.fromkeys(ids, district))
        self.targets = _targets(self.units, facts.recipients)

    def chain(self, unit_id: int | None) -> tuple[str, ...]:
        """The levels from this unit up to the root (empty for none, or a unit outside the facts)."""
        found = self._chains.get(unit_id)
        if found is None:
            unit = self.units.get(unit_id)
            found = () if unit is None else (unit.level, *self.chain(unit.parent_id))
            self._chains[unit_id] = found
        return found

    def _district_at_or_above(self, unit_id: int | None) -> int | None:
        if unit_id not in self._districts:
            unit = self.units.get(unit_id)
            if unit is None:
                self._districts[unit_id] = None
            elif unit.level == "district":
                self._districts[unit_id] = unit_id
            else:
                self._districts[unit_id] = self._district_at_or_above(unit.parent_id)
        return self._districts[unit_id]


def _targets(units: dict[int, TreeUnit], recipients: dict[int, list[Recipient]]) -> dict[int, tuple[int, ...]]:
    """Who hears a unit's reminders (person ids): a branch's secretary (its deputies when it has
    none), a higher unit's officers."""
    targets = {}
    for unit_id, people in recipients.items():
        unit = units.get(unit_id)
        if unit is None:
            continue
        if unit.level == "branch":
            chosen = tuple(p.person_id for p in people if p.role == "secretary") or \
                tuple(p.person_id for p in people if p.role == "deputy")
        else:
            chosen = tuple(p.person_id for p in people if p.role == "officer")
        if chosen:
            targets[unit_id] = chosen
    return targets


# ---- what answers an occurrence ------------------------------------------------------------

def item_chain(item: Item) -> tuple[str, ...]:
    """The chain of a unit at the item's own level, under every level above it."""
    return tuple(reversed(LEVELS[:LEVELS.index(item.level) + 1]))


def base_date(item: Item, occurrence: Occurrence, chain: tuple[str, ...], settings) -> date:
    """The item's own due date behind a unit's occurrence (the unit's date plus its lead)."""
    probe = occurrence.due
    return probe + (probe - unit_due_date(item, probe, chain, settings))


def meeting_months(key: str, border: bool) -> tuple[str, ...]:
    """The months ("2026-06") in which a branch meeting answers a monthly occurrence."""
    first, last = meeting_period(date(int(key[:4]), int(key[5:7]), 1), border)
    return tuple(f"{first.year}-{m:02d}" for m in range(first.month, last.month + 1))


def report_periods(base: date) -> tuple[str, ...]:
    """The 1+1 periods that answer an item due on `base`: its half-year, and in the second half the year."""
    half = periods.half_year(base).key
    return (half, str(base.year)) if base.month > 6 else (half,)


class Answers:
    """The units that answered an occurrence: confirmed it, or sent the form it collects."""

    def __init__(self, calendar: Calendar, facts: TickFacts):
        self.settings = calendar.settings
        self.facts = facts
        self._cache: dict[tuple, frozenset[int] | set[int]] = {}

    def units(self, item: Item, occurrence: Occurrence, group: Group) -> set[int] | frozenset[int]:
        """Ids of the units (of any group) that answered this occurrence."""
        if item.collects == "meeting":
            needles, found = meeting_months(occurrence.key, group.border), self.facts.met
        elif item.collects == "oneplusone":
            needles = report_periods(base_date(item, occurrence, group.chain, self.settings))
            found = self.facts.reported
        else:
            needles, found = (), {}
        cache_key = (item.id, occurrence.key, needles)
        answered = self._cache.get(cache_key)
        if answered is None:
            confirmed = self.facts.confirmed.get((item.id, occurrence.key), frozenset())
            extra = [found[n] for n in needles if n in found]
            answered = self._cache[cache_key] = confirmed.union(*extra) if extra else confirmed
        return answered


def concerns(item: Item, group: Group, occurrence: Occurrence) -> bool:
    """A border-commune branch owes a meeting only in the quarter's last month."""
    return not (item.collects == "meeting" and group.border and int(occurrence.key[5:7]) % 3)


# ---- the window and the facts to read ------------------------------------------------------

def window(calendar: Calendar, now: datetime, days_ahead: int = 0) -> tuple[date, date]:
    """Unit due dates to consider: the late horizon back, the earliest ladder step (or more) ahead,
    and at least to the end of this month (for the meeting nudge)."""
    start, end = lookahead_window(now, calendar.settings)
    today = now.astimezone(LOCAL_TZ).date()
    month_end = periods.month(today).end
    return start, max(end, month_end, today + timedelta(days=days_ahead))


def wanted(calendar: Calendar, start: date, end: date) -> tuple[set[tuple[str, str]], set[str]]:
    """Every (item, occurrence key) a unit of any chain may have in [start, end], and the 1+1
    periods that may answer them: a superset, so facts are read in one trip before the tree is known."""
    longest = timedelta(days=sum(calendar.settings.lead_days.values()))
    pairs: set[tuple[str, str]] = set()
    report: set[str] = set()
    for item in calendar.items:
        for occ in occurrences_between(item, item_chain(item), calendar.settings, start, end + longest):
            pairs.add((item.id, occ.key))
            if item.collects == "oneplusone":
                report.update(report_periods(occ.due))
    return pairs, report


async def read_facts(storage: Storage, calendar: Calendar, now: datetime, days_ahead: int = 0,
                     root_path: str | None = None) -> tuple[TickFacts, date, date]:
    """The facts for the window at `now`, of the whole tree or of a subtree."""
    start, end = window(calendar, now, days_ahead)
    pairs, report = wanted(calendar, start, end)
    since = periods.quarter(start).start
    facts = await storage.deadlines.facts(sorted(pairs), since, sorted(report), root_path)
    return facts, start, end


# ---- the messages --------------------------------------------------------------------------

def item_ref(item: Item) -> str:
    """The item as button data carries it (ids are short; calendar ids never change)."""
    return item.id


def answer_button(item: Item, occurrence_key: str) -> Button:
    """The button that answers a reminder: open the form the item collects, or confirm."""
    if item.collects:
        return Button(t(f"dl.button.{item.collects}"), FORM_COMMANDS[item.collects])
    return Button(t("dl.button.confirm"), f"dl:c:{item_ref(item)}:{occurrence_key}")


def display_title(item: Item, occurrence_key: str) -> str:
    """The item's title, with its period for a recurring item (messages_vi "dl.title_with_period")."""
    if item.recurrence is None:
        return item.title
    return t("dl.title_with_period", title=item.title, period=occurrence_label(occurrence_key))


def reminder_payload(item: Item, occurrence: Occurrence, step: str, today: date) -> str:
    days = (occurrence.due - today).days
    title = display_title(item, occurrence.key)
    if step == "nudge":
        text = t("dl.reminder.nudge", title=title, date=long_date(occurrence.due), days=days)
    elif days > 0:
        text = t("dl.reminder.before", title=title, date=long_date(occurrence.due), days=days)
    elif days == 0:
        text = t("dl.reminder.due", title=title, date=long_date(occurrence.due))
    else:
        text = t("dl.reminder.late", title=title, date=long_date(occurrence.due), days=-days)
    return _payload(Reply(text, ((answer_button(item, occurrence.key),),)))


def escalation_payload(item: Item, occurrence_key: str, names: list[str]) -> str:
    lines = "\n".join(t("dl.escalation.line", name=name) for name in sorted(names))
    return _payload(Reply(t("dl.escalation", title=item.title, period=occurrence_label(occurrence_key),
                            count=len(names), units=lines)))


def occurrence_label(key: str) -> str:
    """An occurrence key ("2026-06", "2026-Q2", "2026-H1", "2026") as people read the period."""
    period = periods.parse(key)
    return period_name(period.kind, period.year, period.number)


def _payload(reply: Reply) -> str:
    return json.dumps(reply.to_dict(), ensure_ascii=False)


# ---- the tick ------------------------------------------------------------------------------

@dataclass
class Plan:
    messages: list[NewMessage | tuple[str, int, str]]
    # (district id, item id, occurrence key) -> the units under it late on that occurrence
    late: dict[tuple[int, str, str], list[int]]


def plan(calendar: Calendar, facts: TickFacts, now: datetime, known: set[str] | frozenset = frozenset()) -> Plan:
    """The reminders due at `now` (keys in `known` left out) and the late units per district. Pure.

    This loop runs for every unit on a busy day: it works on sets of ids and builds plain tuples.
    """
    settings = calendar.settings
    today = now.astimezone(LOCAL_TZ).date()
    start, end = window(calendar, now)
    tree = Tree(facts)
    answers = Answers(calendar, facts)
    targets, district_of = tree.targets, tree.district_of
    messages: list[tuple[str, int, str]] = []
    late: dict[tuple[int, str, str], list[int]] = defaultdict(list)
    for group, unit_ids in tree.groups.items():
        escalates = LEVELS.index(group.chain[0]) > _ESCALATE_BELOW
        for item in calendar.items:
            for occ, step in _steps(item, group, settings, now, today, start, end):
                escalate = escalates and step.startswith("late-")
                remind = item.collects != "meeting" or step == "nudge"
                if not (remind or escalate):
                    continue
                answered = answers.units(item, occ, group)
                pending = [u for u in unit_ids if u not in answered]
                if escalate:
                    for unit_id in pending:
                        district = district_of[unit_id]
                        if district is not None:
                            late[(district, item.id, occ.key)].append(unit_id)
                if not remind:
                    continue
                body = reminder_payload(item, occ, step, today)
                suffix = f":{item.id}:{occ.key}:{step}:"
                for unit_id in pending:
                    for person_id in targets.get(unit_id, ()):
                        key = f"r:{unit_id}{suffix}{person_id}"
                        if key not in known:
                            messages.append((key, person_id, body))
    return Plan(messages, dict(late))


def _steps(item: Item, group: Group, settings, now: datetime, today: date, start: date,
           end: date) -> Iterable[tuple[Occurrence, str]]:
    """(occurrence, step) for each occurrence of the item due for this group at `now`."""
    for occ in occurrences_between(item, group.chain, settings, start, end):
        if not concerns(item, group, occ):
            continue
        step = due_step(occ.due, now, settings)
        if item.collects == "meeting" and occ.key == f"{today.year}-{today.month:02d}" and _nudge_due(group, settings, now, today):
            yield occ, "nudge"
        elif step is not None:
            yield occ, step.name


def _nudge_due(group: Group, settings, now: datetime, today: date) -> bool:
    if group.chain[0] != "branch":
        return False
    day = meeting_nudge(today.replace(day=1), group.border, settings)
    if day is None or send_time_utc(day, settings) > now:
        return False
    return not in_quiet_hours(now.astimezone(LOCAL_TZ).time(), settings.quiet_start, settings.quiet_end)


class Reminders:
    """Runs ticks; remembers today's keys already queued so a busy tick is not redone each minute."""

    def __init__(self, storage: Storage, calendar: Calendar):
        self.storage = storage
        self.calendar = calendar
        self._known: set[str] = set()
        self._known_day: date | None = None

    async def tick(self, now: datetime) -> int:
        """Queue what is due at `now`; returns how many new rows were queued."""
        today = now.astimezone(LOCAL_TZ).date()
        if today != self._known_day:                 # keeps the memory to one day's keys
            self._known, self._known_day = set(), today
        facts, _, _ = await read_facts(self.storage, self.calendar, now)
        result = plan(self.calendar, facts, now, self._known)
        messages = result.messages + await self._escalations(result.late, facts)
        added = await self.storage.outbox.enqueue(messages, now) if messages else 0
        self._known.update(m[0] for m in messages)
        return added

    async def _escalations(self, late: dict[tuple[int, str, str], list[int]],
                           facts: TickFacts) -> list[NewMessage]:
        """One message per district, item and occurrence to the district's officers, listing the late units."""
        pending = []
        for (district, item_id, key), unit_ids in late.items():
            officers = [p.person_id for p in facts.recipients.get(district, []) if p.role == "officer"]
            keys = [f"e:{district}:{item_id}:{key}:{p}" for p in officers]
            if any(k not in self._known for k in keys):
                pending.append((item_id, key, unit_ids, officers, keys))
        if not pending:
            return []
        names = await self.storage.deadlines.names({u for p in pending for u in p[2]})
        messages = []
        for item_id, key, unit_ids, officers, keys in pending:
            body = escalation_payload(self.calendar.item(item_id), key, [names[u] for u in unit_ids])
            messages += [NewMessage(k, p, body) for k, p in zip(keys, officers) if k not in self._known]
        return messages
