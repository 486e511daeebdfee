"""Who under an officer has not sent a deadline, and nudging them (issue 13, item 3).

An officer looks at one occurrence of a calendar item ("Sinh hoạt chi đoàn — tháng 11/2026")
from a unit of their subtree, their own at first: the *view*. Each unit directly under the view
with something outstanding in its own subtree is one entry: it owes the occurrence and has not
answered it (confirmed, or sent the form the item collects), or units under it have not. A
branch's entry is the branch; an Đoàn xã's entry says how many units under it have not, with
their names.

Why the units directly under the view, whatever the depth: the Union reports level by level. A
Tỉnh đoàn receives its Đoàn xã's report, not its branches', so its officer nudges the Đoàn xã's
officers, who chase their own branches; a province's "nudge all" is then a hundred messages, not
five thousand (Zalo's free plan allows 3,000 a month), and no branch hears the same thing from
two levels. The branches of one Đoàn xã are one tap away (the officer opens it, and nudges there),
and an Đoàn xã with nobody on the bot is said so, to be opened. For the same reason a unit under
one that already answered the occurrence is not counted: the unit between sent what the level
above waits for.

A nudge goes to who holds a role in the nudged unit (roles of people who blocked the bot are left
out by storage): a branch's secretary and deputies, any other unit's officers. At most once a
Vietnam day per unit and occurrence, whoever asks: storage.nudges records it, in the transaction
that queues the messages (the outbox sends them outside quiet hours).
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from domain import periods
from domain.conversation import Action, Button, Reply
from domain.deadlines.calendar import Calendar, Item
from domain.deadlines.schedule import LATE_HORIZON_DAYS, LOCAL_TZ, Occurrence, occurrences_between
from domain.reminders import Answers, Group, Tree, answer_button, concerns, display_title, wanted
from domain.rules import BRANCH_ROLES, meeting_owed_in
from domain.textnorm import fold
from messages_vi import t
from messages_vi.formatting import long_date, number
from storage import Storage
from storage.deadlines import TickFacts
from storage.outbox import NewMessage

_BRANCH = "branch"
_REF_LENGTH = 24              # an item id longer than this is shortened in a button (64 bytes in all)
NAMES_IN_NUDGE = 10           # names of the late units a nudge to an officer lists, at most


# ---- the item in a button ------------------------------------------------------------------

def item_ref(item_id: str) -> str:
    """The item as a button carries it: its id, or for a long id its head and a digest (ids have
    no "."), so that every button stays under Telegram's 64 bytes."""
    if len(item_id) <= _REF_LENGTH:
        return item_id
    return f"{item_id[:16]}.{hashlib.sha1(item_id.encode()).hexdigest()[:7]}"


def find_item(calendar: Calendar, ref: str) -> Item | None:
    """The item a button names, or None."""
    return next((item for item in calendar.items if item_ref(item.id) == ref), None)


def begun(occurrence: Occurrence, today: date) -> bool:
    """Whether an occurrence of a period ("2026-12", "2027-Q1", "2027-H1") has begun: before it,
    nobody can send it yet (a meeting report takes no date after today), so nobody is asked for
    it. A year ("2027") only names a dated item's year: such an item can be sent ahead. One whose
    unit due date has come counts as begun whatever its key (a calendar of the province's own
    may ask for a month's plan before the month)."""
    period = periods.parse(occurrence.key)
    return period.kind == "year" or period.start <= today or occurrence.due <= today


def window(today: date, days_ahead: int) -> tuple[date, date]:
    """The unit due dates an officer can look at: as far back as late reminders go, `days_ahead` on."""
    return today - timedelta(days=LATE_HORIZON_DAYS), today + timedelta(days=days_ahead)


# ---- what is outstanding -------------------------------------------------------------------

@dataclass(frozen=True)
class Owing:
    """A unit that owes the occurrence and has not answered it, with its own due date."""

    unit_id: int
    name: str
    due: date


@dataclass(frozen=True)
class Entry:
    """A unit directly under the view with something outstanding in its subtree."""

    unit_id: int
    name: str
    own: date | None                 # its own due date, when it owes the occurrence and has not answered
    below: tuple[Owing, ...]         # the units under it that have not, nearest date first
    recipients: tuple[int, ...]      # who hears a nudge (person ids)

    @property
    def count(self) -> int:
        return (self.own is not None) + len(self.below)

    @property
    def due(self) -> date:
        """The earliest date of what is outstanding."""
        return min([*([self.own] if self.own else []), *(o.due for o in self.below)])

    def late(self, today: date) -> int:
        """How many of its outstanding units are past their date."""
        return (self.own is not None and self.own < today) + sum(1 for o in self.below if o.due < today)


@dataclass(frozen=True)
class Outstanding:
    """One occurrence under one view: the entries, nearest date first."""

    item: Item
    key: str
    view_id: int
    view_name: str
    entries: tuple[Entry, ...]
    # border-commune branches under the view that owe no meeting this month (002: once a quarter)
    border_exempt: int = 0

    @property
    def title(self) -> str:
        return display_title(self.item, self.key)

    @property
    def count(self) -> int:
        return sum(e.count for e in self.entries)

    def late(self, today: date) -> int:
        return sum(e.late(today) for e in self.entries)

    def entry(self, unit_id: int) -> Entry | None:
        return next((e for e in self.entries if e.unit_id == unit_id), None)


@dataclass(frozen=True)
class Count:
    """How much of an occurrence is outstanding under a view: units, units late, the earliest date."""

    owing: int
    late: int
    due: date


async def read(storage: Storage, calendar: Calendar, first: date, last: date, root_path: str,
               only: tuple[str, str] | None = None) -> TickFacts:
    """The subtree at `root_path` with names, who holds a role in it, and its answers to the
    occurrences due in [first, last] (only the pair `only`, when given)."""
    pairs, report = wanted(calendar, first, last)
    if only is not None:
        pairs = {only} & pairs
    since = periods.quarter(first).start

    def read_in(tx):
        tree = tx.deadlines.tree(root_path, names=True)
        return tx.deadlines.answers(tree, sorted(pairs), since, sorted(report), root_path)

    return await storage.atomic(read_in)


class Subtree:
    """A view's subtree (TickFacts read at the view, `read`) and what each occurrence due in
    [first, last] has outstanding under the view; an occurrence that has not `begun` by `today`
    (December's meeting, in November) is left out."""

    def __init__(self, calendar: Calendar, facts: TickFacts, view_id: int, first: date, last: date, today: date):
        self.calendar = calendar
        self.view_id = view_id
        self.first, self.last, self.today = first, last, today
        self.tree = Tree(facts)
        self.answers = Answers(calendar, facts)
        self.people = _people(self.tree, facts.roles)
        self._occurrences: dict[tuple[str, Group], dict[str, Occurrence]] = {}

    def _of_group(self, item: Item, group: Group) -> dict[str, Occurrence]:
        """The item's occurrences a unit of the group owes in the window, by key."""
        found = self._occurrences.get((item.id, group))
        if found is None:
            found = self._occurrences[(item.id, group)] = {
                occ.key: occ for occ in occurrences_between(item, group.chain, self.calendar.settings,
                                                            self.first, self.last)
                if concerns(item, group, occ) and begun(occ, self.today)}
        return found

    def keys(self, item: Item) -> list[str]:
        """The occurrences of the item that some unit under the view owes in the window."""
        found: set[str] = set()
        for group, ids in self.tree.groups.items():
            if any(u != self.view_id for u in ids):
                found.update(self._of_group(item, group))
        return sorted(found)

    def _owing(self, item: Item, key: str) -> tuple[dict[int, date], set[int]] | None:
        """(units under the view that owe the occurrence and have not answered -> their date, the
        units between that answered it and have units under them); None when no unit owes it."""
        owing: dict[int, date] = {}
        settled: set[int] = set()
        owed = False
        for group, ids in self.tree.groups.items():
            occ = self._of_group(item, group).get(key)
            if occ is None:
                continue
            answered = self.answers.units(item, occ, group)
            for unit_id in ids:
                if unit_id == self.view_id:
                    continue
                owed = True
                if unit_id not in answered:
                    owing[unit_id] = occ.due
                elif group.chain[0] != _BRANCH:
                    settled.add(unit_id)
        return (owing, settled) if owed else None

    def _under_view(self, settled: set[int]):
        """unit id -> the unit directly under the view that holds it, or None when a unit between
        answered the occurrence (or the unit is not under the view)."""
        units, memo = self.tree.units, {}

        def top(unit_id: int) -> int | None:
            if unit_id in memo:
                return memo[unit_id]
            parent = units[unit_id][1]
            if parent == self.view_id:
                found = unit_id
            elif parent not in units or parent in settled:
                found = None
            else:
                found = top(parent)
            memo[unit_id] = found
            return found

        return top

    def outstanding(self, item: Item, key: str, view_name: str) -> Outstanding | None:
        """What the occurrence has outstanding under the view; None when no unit under it owes it
        in the window."""
        found = self._owing(item, key)
        if found is None:
            return None
        owing, settled = found
        top = self._under_view(settled)
        own: dict[int, date] = {}
        below: dict[int, list[Owing]] = {}
        units = self.tree.units
        for unit_id, due in owing.items():
            head = top(unit_id)
            if head is None:
                continue
            if head == unit_id:
                own[unit_id] = due
            else:
                below.setdefault(head, []).append(Owing(unit_id, units[unit_id][4], due))
        # by date, then by name as people read it ("ấp" before "số"), not by code point
        entries = [Entry(head, units[head][4], own.get(head),
                         tuple(sorted(below.get(head, ()), key=lambda o: (o.due, fold(o.name)))),
                         tuple(self.people.get(head, ())))
                   for head in own.keys() | below.keys()]
        entries.sort(key=lambda e: (e.due, fold(e.name)))
        return Outstanding(item, key, self.view_id, view_name, tuple(entries), self._border_exempt(item, key))

    def _border_exempt(self, item: Item, key: str) -> int:
        """How many border-commune branches under the view owe no meeting in this month."""
        if item.collects != "meeting" or periods.parse(key).kind != "month":
            return 0
        if meeting_owed_in(periods.parse(key).end, border=True):
            return 0
        return sum(len([u for u in ids if u != self.view_id]) for group, ids in self.tree.groups.items()
                   if group.border and group.chain[0] == _BRANCH)

    def counts(self, today: date) -> dict[tuple[str, str], Count]:
        """(item id, occurrence key) -> what is outstanding under the view, for every occurrence
        due in the window with something outstanding."""
        found: dict[tuple[str, str], Count] = {}
        for item in self.calendar.items:
            for key in self.keys(item):
                owing = self._owing(item, key)
                if owing is None or not owing[0]:
                    continue
                dues, settled = owing
                if settled:
                    top = self._under_view(settled)
                    dues = {u: due for u, due in dues.items() if top(u) is not None}
                if dues:
                    found[(item.id, key)] = Count(len(dues), sum(1 for d in dues.values() if d < today),
                                                  min(dues.values()))
        return found


def _people(tree: Tree, roles: Iterable[tuple[int, int, str]]) -> dict[int, list[int]]:
    """Who hears a nudge of each unit: a branch's secretary and deputies, another unit's officers."""
    people: dict[int, list[int]] = {}
    for unit_id, person_id, role in roles:
        unit = tree.units.get(unit_id)
        if unit is not None and (role in BRANCH_ROLES if unit[2] == _BRANCH else role == "officer"):
            people.setdefault(unit_id, []).append(person_id)
    return people


# ---- the nudge -----------------------------------------------------------------------------

def names_text(names: Sequence[str], most: int) -> str:
    """Names joined by commas, the first `most` of them and how many more."""
    if len(names) <= most:
        return ", ".join(names)
    return t("ot.names_more", names=", ".join(names[:most]), count=number(len(names) - most))


def nudge_reply(outstanding: Outstanding, entry: Entry, asker: str) -> Reply:
    """The message a nudge sends to the people of `entry`'s unit, `asker` (the officer's unit) asking."""
    title = outstanding.title
    lines = [t("ot.nudge.head", asker=asker)]
    if entry.own is not None:
        lines.append(t("ot.nudge.own", unit=entry.name, title=title, date=long_date(entry.own)))
    buttons = [answer_button(outstanding.item, outstanding.key)] if entry.own is not None else []
    if entry.below:
        lines.append(t("ot.nudge.below", unit=entry.name, title=title, count=number(len(entry.below)),
                       date=long_date(min(o.due for o in entry.below)),
                       names=names_text([o.name for o in entry.below], NAMES_IN_NUDGE)))
        buttons.append(Button(t("ot.button.see_below"), list_action(outstanding.item, outstanding.key, entry.unit_id)))
    return Reply("\n".join(lines), tuple((b,) for b in buttons))


def list_action(item: Item, key: str, view_id: int, page: int = 0) -> Action:
    """The choice that opens the list of who has not sent an occurrence under a view."""
    return Action("nh", ("l", item_ref(item.id), key, view_id, page))


@dataclass(frozen=True)
class Nudged:
    """What a nudge of some entries did: nudged (and how many people), already nudged that day,
    nobody to reach."""

    sent: tuple[Entry, ...]
    people: int
    already: tuple[Entry, ...]
    nobody: tuple[Entry, ...]


async def nudge(storage: Storage, outstanding: Outstanding, entries: Sequence[Entry], asker_id: int,
                asker: str, person_id: int, now: datetime) -> Nudged:
    """Nudge the units of `entries`, each at most once this Vietnam day: all in one transaction,
    each nudge recorded with its messages queued in the outbox."""
    day = now.astimezone(LOCAL_TZ).date()
    item, key = outstanding.item, outstanding.key
    payloads = {e.unit_id: json.dumps(nudge_reply(outstanding, e, asker).to_dict(), ensure_ascii=False)
                for e in entries if e.recipients}

    def in_transaction(tx) -> Nudged:
        sent, already, nobody, people = [], [], [], 0
        for entry in entries:
            if not entry.recipients:
                nobody.append(entry)
                continue
            nudge_id = tx.nudges.claim(entry.unit_id, item.id, key, day, asker_id, person_id,
                                       len(entry.recipients), now)
            if nudge_id is None:
                already.append(entry)
                continue
            tx.outbox.enqueue([NewMessage(f"nudge:{nudge_id}:{p}", p, payloads[entry.unit_id])
                               for p in entry.recipients], now)
            sent.append(entry)
            people += len(entry.recipients)
        return Nudged(tuple(sent), people, tuple(already), tuple(nobody))

    return await storage.atomic(in_transaction)
