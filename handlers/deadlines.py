"""/lich: the deadlines that concern me, nearest first, and the buttons that answer them.

A secretary sees their branch's items; an officer their own unit's items and, per item, how many
units under them have not sent it (how many of them late), with a button that lists them and
nudges them (handlers.nudges). The confirm button ("done") confirms an occurrence for the asker's
own unit (pressed again from the list, it is undone; a late one leaves the list once confirmed, so
the answer to its confirmation carries the undo, last, where it shifts no item's number); items the
bot collects itself open their form instead.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from domain.deadlines.calendar import Calendar, Item, load_calendar
from domain import nudges
from domain.deadlines.schedule import Occurrence, occurrences_between, unit_due_date
from domain.reminders import (
    FORM_COMMANDS, Answers, Group, Tree, concerns, display_title, occurrence_label, read_facts, shown_key,
)
from handlers import paging
from handlers.context import Request, Route, Services
from domain.conversation import Action, Button, Reply, rows
from messages_vi import t
from messages_vi.formatting import local_today, long_date
from messages_vi.formatting import number as format_number     # `number` names a list position here

DAYS_AHEAD = 60            # how far /lich looks ahead
SHOWN = 8                  # entries in one message, to stay readable on a phone


@dataclass(frozen=True)
class Entry:
    item: Item
    occurrence: Occurrence | None       # None: the item does not concern the asker's unit
    key: str
    due: date
    done: bool
    late_below: int
    owing_below: int = 0                 # units under an officer that have not sent it, late or not


def calendar_of(services: Services) -> Calendar:
    return services.calendar or load_calendar(None)


async def show(services: Services, request: Request) -> list[Reply]:
    """/lich [page]: upcoming deadlines of my unit, nearest first, with days left and answering
    buttons, a screen at a time."""
    return [await _listing(services, request, typed_page=request.arg)]


async def _listing(services: Services, request: Request, notice: str = "", typed_page: str = "",
                   after: tuple[Button, ...] = ()) -> Reply:
    unit = request.identity.unit
    calendar = calendar_of(services)
    now = services.clock()
    today = local_today(now)
    entries = await _entries(services, calendar, request, now, today)
    if not entries:
        text = t("dl.lich.none", unit=unit.name, days=DAYS_AHEAD)
        return Reply(f"{notice}\n\n{text}" if notice else text, rows(*after, width=1))
    total = paging.pages(len(entries), SHOWN)
    page = paging.typed_page(typed_page, total)
    lines = [t("dl.lich.title", unit=unit.name, today=long_date(today))]
    # On Zalo choice N must be an action of item N: each item's first button in the items' order,
    # then the second ones ("Ai chưa nộp" beside "Đã nộp"); numbered from 1 on every page.
    first, second = [], []
    for number, entry in enumerate(entries[page * SHOWN:(page + 1) * SHOWN], start=1):
        # my own meeting, for a border-commune branch, is owed once in the quarter: named so
        shown = entry.key if entry.occurrence is None else shown_key(entry.item, entry.key, unit.border)
        title = display_title(entry.item, shown)
        if entry.occurrence is None:
            lines.append(t("dl.lich.item_below", number=number, title=title, date=long_date(entry.due)))
        else:
            lines.append(t("dl.lich.item", number=number, title=title, date=long_date(entry.due),
                           left=t("dl.lich.done") if entry.done else _left(entry.due, today)))
        if entry.late_below:
            lines.append(t("dl.lich.late_below", count=format_number(entry.late_below)))
        if entry.owing_below > entry.late_below:
            lines.append(t("ot.lich.owing_below", count=format_number(entry.owing_below - entry.late_below)))
        own = [b for b in (_button(entry, number, request),) if b is not None]
        if entry.owing_below:
            own.append(Button(t("ot.lich.button.who", number=number),
                              nudges.list_action(entry.item, entry.key, request.identity.unit.id)))
        first += own[:1]
        second += own[1:]
    where, nav = paging.navigation("lich", page, total)
    if where:
        lines.append(where)
    text = "\n".join(lines)
    return Reply(f"{notice}\n\n{text}" if notice else text,
                 rows(*first, *second, width=1) + rows(*nav) + rows(*after, width=1))


def _left(due: date, today: date) -> str:
    days = (due - today).days
    if days > 0:
        return t("dl.lich.left.days", days=days)
    if days == 0:
        return t("dl.lich.left.today")
    return t("dl.lich.left.late", days=-days)


def _button(entry: Entry, number: int, request: Request) -> Button | None:
    if entry.occurrence is None:
        return None
    if entry.item.collects:
        if request.identity.is_officer:
            return None
        return Button(t("dl.lich.button.form", number=number), FORM_COMMANDS[entry.item.collects])
    action, label = ("u", "dl.lich.button.undo") if entry.done else ("c", "dl.lich.button.confirm")
    return Button(t(label, number=number), Action("dl", (action, entry.item.id, entry.key)))


async def _entries(services: Services, calendar: Calendar, request: Request, now, today: date) -> list[Entry]:
    unit = request.identity.unit
    facts, _, _ = await read_facts(services.storage, calendar, now, DAYS_AHEAD, root_path=unit.path)
    tree = Tree(facts)
    answers = Answers(calendar, facts)
    own = Group(tree.chain(unit.id), unit.border)
    first, last = nudges.window(today, DAYS_AHEAD)
    below = (nudges.Subtree(calendar, facts, unit.id, first, last, today).counts(today)
             if request.identity.is_officer else {})
    entries: dict[tuple[str, str], Entry] = {}
    for item in calendar.items:
        for occ in occurrences_between(item, own.chain, calendar.settings, first, last):
            if not concerns(item, own, occ) or (item.collects == "meeting" and occ.due < today):
                continue                                 # a past month's meeting: the district sees it
            if not nudges.begun(occ, today):
                continue                                 # its period has not begun: nothing to send yet
            done = unit.id in answers.units(item, occ, own)
            if done and occ.due < today:
                continue                                 # answered and past: what is left below comes next
            count = below.get((item.id, occ.key))
            entries[(item.id, occ.key)] = Entry(item, occ, occ.key, occ.due, done,
                                                count.late if count else 0, count.owing if count else 0)
    # what only the units below owe: once late, or from the first reminder step on
    soon = today + timedelta(days=max(calendar.settings.ladder_days_before, default=0))
    for (item_id, key), count in below.items():
        if (item_id, key) not in entries and (count.late or count.due <= soon):
            entries[(item_id, key)] = Entry(calendar.item(item_id), None, key, count.due, False, count.late,
                                            count.owing)
    return sorted(entries.values(), key=lambda e: (e.done, e.due))


async def answer(services: Services, request: Request) -> list[Reply]:
    """Buttons dl:c:<item>:<occurrence> (confirm for my unit) and dl:u:... (undo it)."""
    action, item_id, key = (request.action.text(i) for i in range(3))
    calendar = calendar_of(services)
    unit = request.identity.unit
    try:
        item = calendar.item(item_id)
    except KeyError:
        return [Reply(t("dl.unknown_item"))]
    occurrence = None if action not in ("c", "u") or item.collects else \
        await _occurrence(services, calendar, item, key, unit)
    if occurrence is None:
        return [Reply(t("dl.unknown_item"))]
    period = occurrence_label(key)
    deadlines = services.storage.deadlines
    after: tuple[Button, ...] = ()
    if action == "c":
        done = await deadlines.confirm(unit.id, item.id, key, request.identity.person.id, services.clock())
        notice = t("dl.confirmed" if done else "dl.confirmed_already", unit=unit.name, title=item.title, period=period)
        if occurrence.due < local_today(services.clock()):      # no longer listed: undone from here
            after = (Button(t("dl.button.undo_confirmed"), Action("dl", ("u", item.id, key))),)
    else:
        undone = await deadlines.unconfirm(unit.id, item.id, key)
        notice = t("dl.unconfirmed" if undone else "dl.unconfirmed_none", title=item.title, period=period)
    return [await _listing(services, request, notice, after=after)]


async def _occurrence(services: Services, calendar: Calendar, item: Item, key: str, unit) -> Occurrence | None:
    """The item's occurrence `key` for this unit, if it is one within a year either side."""
    chain = tuple(u.level for u in reversed(await services.storage.units.chain(unit.id)))
    today = local_today(services.clock())
    if unit_due_date(item, today, chain, calendar.settings) is None:
        return None
    window = occurrences_between(item, chain, calendar.settings, today - timedelta(days=400), today + timedelta(days=400))
    return next((occ for occ in window if occ.key == key), None)


COMMANDS = {"lich": Route(show)}
BUTTONS = {"dl": Route(answer)}
