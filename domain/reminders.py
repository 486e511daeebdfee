"""The reminder tick: derive what is due from the calendar, the units and what was answered, and queue it.

Nothing is scheduled one by one (DESIGN decision 3). Each tick recomputes, for every unit, the
latest reminder step of every occurrence in the look-ahead window (domain.deadlines.schedule), leaves
out the units a step (or a later one) was already queued for, and queues the rest in one
transaction: each step as a row of reminder_batches (unit, item, occurrence, step: the dedup
record) and, for each person, one outbox row carrying all their reminders of the tick, which the
sender delivers one message at a time (storage.outbox). A tick run twice, or after a day of
downtime, queues each reminder once and skips the steps that went by meanwhile. Units are grouped
by their chain of levels (and border flag), so occurrences and steps are computed once per group,
not once per unit.

A busy tick (100,000 branches) is kept well under a second (benchmarks/reminder_tick.py): the
tree is read once and kept while its version in storage does not change, and a tick at the same
moment of the day over unchanged inputs does nothing at all.

Choices worth knowing:
- the monthly-meeting item is not laddered: a branch with no meeting recorded gets one nudge on
  settings.meeting_nudge_day (a border-commune branch: on the 15th of the quarter's last month,
  counting any meeting in the quarter, and its nudge names the quarter: `shown_key`);
- escalation: the first tick at which a unit is at a late step of an item sends the officers of
  its head (the highest unit above it under the Tỉnh đoàn: its Đoàn xã/phường since 2025, its
  Huyện đoàn in a database made before) one message for the item, occurrence and due date,
  listing every unit under that head late on it at that moment. Units under one head owe one
  occurrence on different days (a branch under a Đoàn trường before one directly under the Đoàn
  xã, the Đoàn trường after both): each day's late units come in a message of their own, so none
  goes unnamed because others were late first. A head's own lateness is the Tỉnh đoàn's to
  follow (its digest and /lich), as a district's was;
- a unit with nobody to hear it is not recorded as reminded: a secretary who joins later gets
  the step that is due.
"""

from __future__ import annotations

import bisect
import json
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, replace
from datetime import date, datetime, timedelta
from functools import lru_cache

from domain import collector, periods
from domain.deadlines.calendar import Calendar, Item, in_quiet_hours
from domain.deadlines.schedule import (
    LATE_HORIZON_DAYS, LOCAL_TZ, Occurrence, due_step, lookahead_window, meeting_nudge,
    occurrences_between, send_time_utc, sender_chain, unit_due_date,
)
from domain.rules import meeting_owed_in, meeting_window, oneplusone_periods, owed_from
from domain.conversation import Action, Button, Reply
from messages_vi import period_name, t
from messages_vi.formatting import long_date, number
from storage import Storage
from storage.repository import Transaction
from storage.deadlines import RoleRow, Step, TickFacts, TreeUnit

FORM_COMMANDS = {"meeting": Action.command("sinhhoat"), "oneplusone": Action.command("motcongmot")}
_NAME = "\x00name\x00"                             # stands for a unit's name in a message template


# ---- the tree: chains of levels, heads, who hears ------------------------------------------

@dataclass(frozen=True, slots=True)
class Group:
    """Units sharing a chain of levels (unit first, up to the root) and a border flag."""

    chain: tuple[str, ...]
    border: bool


class Tree:
    """The units of a TickFacts grouped by chain, and within a group by the head above them (the
    highest unit on their path under the Tỉnh đoàn: the unit late ones are escalated to); who
    hears each unit.

    A unit's chain and head depend only on its level and its parent, so both are computed once
    per parent, not once per unit. Units are TreeUnit rows: (id, parent id, level, border).
    """

    def __init__(self, facts: TickFacts):
        units = self.units = {u[0]: u for u in facts.ancestors}
        self._chains: dict[int | None, tuple[str, ...]] = {None: ()}
        self._heads: dict[int | None, int | None] = {None: None}
        by_kind: dict[tuple[str, int | None, int], list[int]] = defaultdict(list)
        for unit in facts.units:
            units[unit[0]] = unit
            by_kind[unit[2], unit[1], unit[3]].append(unit[0])
        by_head: dict[Group, dict[int | None, list[int]]] = defaultdict(lambda: defaultdict(list))
        made: dict[tuple, Group] = {}              # a handful of groups for 10,000 parents
        for (level, parent, border), ids in by_kind.items():
            key = ((level, *self.chain(parent)), bool(border))
            group = made.get(key) or made.setdefault(key, Group(*key))
            by_head[group][self._head_at_or_above(parent)].extend(ids)
        # group -> head above (None: none) -> unit ids
        self.by_head = {group: dict(heads) for group, heads in by_head.items()}
        self.groups: dict[Group, list[int]] = {
            group: [u for ids in heads.values() for u in ids] for group, heads in self.by_head.items()}
        self.targets = _targets(units, facts.roles)
        # the units of each group with someone to hear them, the only ones a reminder goes to
        self.heard = {group: [u for u in ids if u in self.targets] for group, ids in self.groups.items()}

    def chain(self, unit_id: int | None) -> tuple[str, ...]:
        """The levels from this unit up to the root (empty for none, or a unit outside the facts)."""
        found = self._chains.get(unit_id)
        if found is None:
            unit = self.units.get(unit_id)
            found = () if unit is None else (unit[2], *self.chain(unit[1]))
            self._chains[unit_id] = found
        return found

    def _head_at_or_above(self, unit_id: int | None) -> int | None:
        """The highest unit that is not a Tỉnh đoàn on the path from this unit up, or None."""
        if unit_id not in self._heads:
            unit = self.units.get(unit_id)
            if unit is None:
                self._heads[unit_id] = None
            else:
                above = self._head_at_or_above(unit[1])
                self._heads[unit_id] = above if above is not None or unit[2] == "province" else unit_id
        return self._heads[unit_id]


def _targets(units: dict[int, TreeUnit], roles: list[RoleRow]) -> dict[int, tuple[int, ...]]:
    """Who hears a unit's reminders (person ids): a branch's secretary (its deputies when it has
    none), a higher unit's officers."""
    secretaries: dict[int, tuple[int, ...]] = {}
    others: dict[int, list[int]] = {}               # a branch's deputies, a higher unit's officers
    for unit_id, person_id, role in roles:
        unit = units.get(unit_id)
        if unit is None:
            continue
        if unit[2] == "branch":
            if role == "secretary":                 # one at a time (roles_one_secretary)
                secretaries[unit_id] = secretaries.get(unit_id, ()) + (person_id,)
            elif role == "deputy":
                others.setdefault(unit_id, []).append(person_id)
        elif role == "officer":
            others.setdefault(unit_id, []).append(person_id)
    targets = {unit_id: tuple(people) for unit_id, people in others.items()}
    targets.update(secretaries)
    return targets


# ---- what answers an occurrence ------------------------------------------------------------

def item_chain(item: Item) -> tuple[str, ...]:
    """The chain of a unit at the item's own level, under every level above it."""
    return sender_chain(item.level)


def base_date(item: Item, occurrence: Occurrence, chain: tuple[str, ...], settings) -> date:
    """The item's own due date behind a unit's occurrence (the unit's date plus its lead)."""
    probe = occurrence.due
    return probe + (probe - unit_due_date(item, probe, chain, settings))


def meeting_months(key: str, border: bool) -> tuple[str, ...]:
    """The months ("2026-06") in which a branch meeting answers a monthly occurrence."""
    window = meeting_window(periods.parse(key).end, border)
    return tuple(f"{window.year}-{m:02d}" for m in range(window.start.month, window.end.month + 1))


class Answers:
    """The units that answered an occurrence: confirmed it, or sent the form it collects."""

    def __init__(self, calendar: Calendar, facts: TickFacts):
        self.settings = calendar.settings
        self.facts = facts
        self._cache: dict[tuple, frozenset[int] | set[int]] = {}
        # units set up on a known day, earliest first: one set up after the day an occurrence is
        # owed from owes nothing of it, as if it had answered (domain.rules.owed_from)
        founded = sorted(facts.founded.items(), key=lambda pair: pair[1])
        self._founded_days = [day for _, day in founded]
        self._founded_ids = [unit_id for unit_id, _ in founded]

    def reports(self, item: Item, occurrence: Occurrence, group: Group) -> dict[str, tuple[str, ...]]:
        """What else than a confirmation answers the occurrence for the group's units: a branch
        meeting in one of these months, or a 1+1 report of one of these periods."""
        if item.collects == "meeting":
            return {"months": meeting_months(occurrence.key, group.border)}
        if item.collects == "oneplusone":
            return {"periods": oneplusone_periods(base_date(item, occurrence, group.chain, self.settings))}
        return {}

    def units(self, item: Item, occurrence: Occurrence, group: Group) -> set[int] | frozenset[int]:
        """Ids of the units (of any group) that answered this occurrence."""
        reports = self.reports(item, occurrence, group)
        needles = reports.get("months") or reports.get("periods") or ()
        found = self.facts.met if "months" in reports else self.facts.reported if "periods" in reports else {}
        cache_key = (item.id, occurrence.key, needles)
        answered = self._cache.get(cache_key)
        if answered is None:
            confirmed = self.facts.confirmed.get((item.id, occurrence.key), frozenset())
            extra = [found[n] for n in needles if n in found]
            answered = self._cache[cache_key] = confirmed.union(*extra) if extra else confirmed
        if not self._founded_ids:
            return answered
        since = owed_from(item.collects, occurrence.key, occurrence.due, group.border)
        later = bisect.bisect_right(self._founded_days, since)
        if later == len(self._founded_ids):
            return answered
        with_new = self._cache.get((cache_key, since))
        if with_new is None:
            with_new = self._cache[(cache_key, since)] = answered.union(self._founded_ids[later:])
        return with_new


def concerns(item: Item, group: Group, occurrence: Occurrence) -> bool:
    """A border-commune branch owes a meeting only in the quarter's last month."""
    return item.collects != "meeting" or meeting_owed_in(periods.parse(occurrence.key).end, group.border)


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
                report.update(oneplusone_periods(occ.due))
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

def answer_button(item: Item, occurrence_key: str) -> Button:
    """The button that answers a reminder: open the form the item collects, or confirm."""
    if item.collects:
        return Button(t(f"dl.button.{item.collects}"), FORM_COMMANDS[item.collects])
    return Button(t("dl.button.confirm"), Action("dl", ("c", item.id, occurrence_key)))


def display_title(item: Item, occurrence_key: str) -> str:
    """The item's title, with its period for a recurring item (messages_vi "dl.title_with_period")."""
    if item.recurrence is None:
        return item.title
    return t("dl.title_with_period", title=item.title, period=occurrence_label(occurrence_key))


def shown_key(item: Item, occurrence_key: str, border: bool) -> str:
    """The period a unit's reminder names: a border-commune branch's meeting is owed once in the
    quarter (any month of it answers), so its reminder names the quarter, not the last month."""
    if item.collects == "meeting" and border:
        return meeting_window(periods.parse(occurrence_key).end, True).key
    return occurrence_key


def reminder_payload(item: Item, occurrence: Occurrence, step: str, today: date, border: bool = False,
                     reports: dict[str, tuple[str, ...]] | None = None) -> str:
    """A reminder as the outbox keeps it. Its text says how many days are left as of `today`, and
    its "wording" lets the sender say it again as of the day it goes out (`reword`): a reminder
    queued on the eve and held back by the quiet hours says "hôm nay là hạn", not "còn 1 ngày".
    Its "answer" says what answers it (the occurrence, and `reports`: Answers.reports), for the
    sender to drop it if its unit answered meanwhile (`still_owed`)."""
    wording = {"kind": "deadline", "title": display_title(item, shown_key(item, occurrence.key, border)),
               "due": occurrence.due.isoformat(), "nudge": step == "nudge",
               "answer": {"item": item.id, "occurrence": occurrence.key, **{k: list(v) for k, v in (reports or {}).items()}}}
    text = deadline_text(wording["title"], occurrence.due, wording["nudge"], today)
    return _payload(Reply(text, ((answer_button(item, occurrence.key),),)), wording)


def deadline_text(title: str, due: date, nudge: bool, today: date) -> str:
    """A reminder's words on `today`: days left, due today, or days late (a meeting nudge, while
    days are left, in its own words)."""
    days = (due - today).days
    if nudge and days > 0:
        return t("dl.reminder.nudge", title=title, date=long_date(due), days=days)
    if days > 0:
        return t("dl.reminder.before", title=title, date=long_date(due), days=days)
    if days == 0:
        return t("dl.reminder.due", title=title, date=long_date(due))
    return t("dl.reminder.late", title=title, date=long_date(due), days=-days)


def reword(payload: dict, now: datetime) -> dict:
    """A queued payload (Reply.to_dict() and maybe a "wording") with the words that depend on the
    day written for `now`, in Vietnam's time: the sender calls it just before sending. A payload
    without a wording, or with one of a kind this code does not know, is left as it is."""
    wording = payload.get("wording")
    if not isinstance(wording, dict) or wording.get("kind") != "deadline":
        return payload
    today = now.astimezone(LOCAL_TZ).date()
    text = deadline_text(wording["title"], date.fromisoformat(wording["due"]), bool(wording.get("nudge")), today)
    return {**payload, "text": text}


async def still_owed(storage: Storage, payload: dict, unit_id: int | None) -> bool:
    """Whether a queued reminder is still owed by its unit as it is about to go: not when the unit
    answered it meanwhile (its secretary was filling the very form when it came due, or pressed
    "Đã nộp" while it waited its turn). Anything but a reminder that says what answers it is owed."""
    wording = payload.get("wording")
    answer = wording.get("answer") if isinstance(wording, dict) and wording.get("kind") == "deadline" else None
    if unit_id is None or not isinstance(answer, dict):
        return True
    return not await storage.deadlines.answered(unit_id, str(answer.get("item")), str(answer.get("occurrence")),
                                                tuple(answer.get("months") or ()), tuple(answer.get("periods") or ()))


def escalation_payload(item: Item, occurrence_key: str, names: list[str], due: date) -> str:
    # the line formatted once, then joined around the names: 100,000 names on a busy day
    head, _, tail = t("dl.escalation.line", name=_NAME).partition(_NAME)
    lines = head + (tail + "\n" + head).join(sorted(names)) + tail
    return _payload(Reply(t("dl.escalation", title=item.title, period=occurrence_label(occurrence_key), due=due,
                            count=number(len(names)), units=lines)))


@lru_cache(maxsize=256)
def occurrence_label(key: str) -> str:
    """An occurrence key ("2026-06", "2026-Q2", "2026-H1", "2026") as people read the period."""
    period = periods.parse(key)
    return period_name(period.kind, period.year, period.number)


def _payload(reply: Reply, wording: dict | None = None) -> str:
    data = reply.to_dict()
    if wording is not None:
        data["wording"] = wording
    return json.dumps(data, ensure_ascii=False)


# ---- the tick ------------------------------------------------------------------------------

@dataclass
class Plan:
    # (item id, occurrence key, step) -> payload -> units due that step (unanswered, with someone to hear)
    steps: dict[tuple[str, str, str], dict[str, list[int]]]
    # (item id, occurrence key, due date) -> head -> the units under it late on that occurrence, due that day
    late: dict[tuple[str, str, date], dict[int, list[int]]]


def plan(calendar: Calendar, tree: Tree, answers: Answers, now: datetime) -> Plan:
    """The steps due at `now` for every unit, before leaving out those queued already. Pure.

    Works a group of units at a time, on lists and sets of ids: it runs for every unit on a busy
    day, and when nobody in a group answered it copies no list at all.
    """
    settings = calendar.settings
    today = now.astimezone(LOCAL_TZ).date()
    start, end = window(calendar, now)
    steps: dict[tuple[str, str, str], dict[str, list[int]]] = defaultdict(dict)
    late: dict[tuple[str, str, date], dict[int, list[int]]] = defaultdict(lambda: defaultdict(list))
    for group, by_head in tree.by_head.items():
        for item in calendar.items:
            for occ, step in _steps(item, group, settings, now, today, start, end):
                escalate = step.startswith("late-")
                remind = item.collects != "meeting" or step == "nudge"
                if not (remind or escalate):
                    continue
                answered = answers.units(item, occ, group)
                if escalate:
                    found = late[(item.id, occ.key, occ.due)]
                    for head, ids in by_head.items():
                        pending = [u for u in ids if u not in answered] if answered else ids
                        if head is not None and pending:
                            found[head].extend(pending)
                heard = tree.heard[group] if remind else []
                if answered:
                    heard = [u for u in heard if u not in answered]
                if heard:
                    payload = reminder_payload(item, occ, step, today, group.border,
                                               answers.reports(item, occ, group))
                    steps[(item.id, occ.key, step)].setdefault(payload, []).extend(heard)
    return Plan(dict(steps), {key: dict(found) for key, found in late.items()})


def step_rank(step: str) -> int:
    """Steps of one occurrence in ladder order: "before-7" < "before-3" < "due" < "late-1" < "late-2".
    A meeting occurrence has one step only, "nudge"."""
    if step.startswith("before-"):
        return -int(step[7:])
    if step.startswith("late-"):
        return int(step[5:])
    return 0


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


def moment(now: datetime, settings) -> tuple[date, bool, bool]:
    """What of `now` a tick's result depends on: the local day, whether the day's send time has
    passed, and whether it is quiet hours. Two ticks at the same moment over the same facts
    derive the same steps."""
    local = now.astimezone(LOCAL_TZ)
    quiet = in_quiet_hours(local.time(), settings.quiet_start, settings.quiet_end)
    return local.date(), local.time() >= settings.send_at, quiet


# Steps queued longer ago than this are forgotten: every occurrence a tick looks at is younger.
KEEP_BATCHES = timedelta(days=2 * LATE_HORIZON_DAYS)
# What a tick queues must go out the same day: a reminder held by the quiet hours until the next
# morning would arrive beside that morning's own ("còn 1 ngày" said at 07:00 as "hôm nay là hạn",
# then the 08:00 "hôm nay là hạn"). The sender has this long before the quiet hours begin.
SAME_DAY_MARGIN = timedelta(hours=1)


def queues_now(now: datetime, settings) -> bool:
    """Whether a tick at `now` may queue reminders: from the day's send time until SAME_DAY_MARGIN
    before the quiet hours (or until them, for a send time later than that). Earlier in the
    morning, or later in the evening, what came due waits for the next send time, where a later
    step of the ladder takes its place: at most one reminder a day per item."""
    local = now.astimezone(LOCAL_TZ)
    quiet = (settings.quiet_start, settings.quiet_end)
    if local.time() < settings.send_at or in_quiet_hours(local.time(), *quiet):
        return False
    sent_at = datetime.combine(local.date(), settings.send_at, tzinfo=LOCAL_TZ)
    return not in_quiet_hours((local + SAME_DAY_MARGIN).time(), *quiet) \
        or in_quiet_hours((sent_at + SAME_DAY_MARGIN).time(), *quiet)


class Reminders:
    """Runs ticks, each in one transaction: what is due minus what reminder_batches says was queued.

    Between ticks it keeps the tree it read (units, roles) while storage says it did not change,
    and the versions of the inputs of its last tick: a tick at the same moment of the day over the
    same versions returns at once (storage.deadlines.versions, migration 0002).
    """

    def __init__(self, storage: Storage, calendar: Calendar):
        self.storage = storage
        self.calendar = calendar
        self._tree: tuple[tuple[int, date], TickFacts, Tree] | None = None
        self._done: tuple | None = None

    async def tick(self, now: datetime) -> int:
        """Queue what is due at `now`; returns how many messages were queued."""
        added, done = await self.storage.atomic(self._tick_paused, now)
        self._done = done
        return added

    def _tick_paused(self, tx: Transaction, now: datetime) -> tuple[int, tuple]:
        # a busy tick makes a few hundred thousand small objects that live until it ends
        with collector.paused():
            return self._tick(tx, now)

    def _tick(self, tx: Transaction, now: datetime) -> tuple[int, tuple]:
        """One tick, in the transaction `tx`: (messages queued, what the tick depended on)."""
        deadlines = tx.deadlines
        today = now.astimezone(LOCAL_TZ).date()
        done = (moment(now, self.calendar.settings), deadlines.versions())
        if done == self._done:
            return 0, done
        if self._done is None or self._done[0][0] != today:
            deadlines.forget_batches(now - KEEP_BATCHES)
        if not queues_now(now, self.calendar.settings):
            # nothing may be queued yet, but the tree is read now: the first tick that may queue
            # (07:00 on a busy day) then holds the database, and the answers waiting on it, less
            self._tree_of(tx, done[1][0], today)
            return 0, done
        facts, tree = self._read(tx, now, done[1][0], today)
        result = plan(self.calendar, tree, Answers(self.calendar, facts), now)
        steps = self._reminders(tx, result) + self._escalations(tx, result, tree)
        steps = [(step, sends) for step, sends in steps if sends]
        return (deadlines.queue(steps, tree.targets, now) if steps else 0), done

    def _read(self, tx: Transaction, now: datetime, version: int, today: date) -> tuple[TickFacts, Tree]:
        """The facts at `now`: the tree as kept (`_tree_of`), answers always."""
        tree_facts, tree = self._tree_of(tx, version, today)
        start, end = window(self.calendar, now)
        pairs, report = wanted(self.calendar, start, end)
        facts = tx.deadlines.answers(tree_facts, sorted(pairs), periods.quarter(start).start, sorted(report))
        return facts, tree

    def _tree_of(self, tx: Transaction, version: int, today: date) -> tuple[TickFacts, Tree]:
        """The tree as kept if its version is unchanged and it was read today; else read again."""
        if self._tree is None or self._tree[0] != (version, today):
            facts = tx.deadlines.tree(names=True)
            tree = Tree(facts)
            self._tree = ((version, today), replace(facts, roles=[]), tree)    # the roles live on in tree.targets
        return self._tree[1], self._tree[2]

    def _reminders(self, tx: Transaction, result: Plan) -> list[tuple[Step, dict[str, list[int]]]]:
        """The reminder steps of the plan, each for the units it was not queued for (at it or later)."""
        steps = []
        for (item_id, key, name), sends in result.steps.items():
            step = Step("remind", item_id, key, name, step_rank(name))
            covered = tx.deadlines.covered(step)
            if covered:
                sends = {payload: [u for u in units if u not in covered] for payload, units in sends.items()}
            steps.append((step, {payload: units for payload, units in sends.items() if units}))
        return steps

    def _escalations(self, tx: Transaction, result: Plan, tree: Tree) -> list[tuple[Step, dict[str, list[int]]]]:
        """Per item, occurrence and due date, one message for each head not told of that day yet (and
        with officers), listing its late units by name (the tick reads the tree with names: a unit
        row's fifth column). The step's rank is the due date's: a head told of a day is covered
        for it and every earlier one."""
        steps = []
        for (item_id, key, due), by_head in result.late.items():
            step = Step("escalate", item_id, key, "late", due.toordinal())
            covered = tx.deadlines.covered(step)
            item = self.calendar.item(item_id)
            steps.append((step, {
                escalation_payload(item, key, [tree.units[u][4] for u in units], due): [head]
                for head, units in by_head.items() if head in tree.targets and head not in covered
            }))
        return steps
