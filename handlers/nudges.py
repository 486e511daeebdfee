"""/chuanop and its buttons: for a deadline, who under an officer has not sent it, and nudging
them all or one of them (domain.nudges says whom, and why the units directly under the view).

Buttons: nh:l:<item>:<occurrence>:<unit>:<page> the list under a unit of the officer's subtree,
nh:a:<item>:<occurrence>:<unit> nudge everyone listed under it, nh:o:<item>:<occurrence>:<unit>:<page>
nudge that one unit (the page of its parent's list to show again). On Zalo the entries are
numbered and picked by their number; "nhắc tất cả" is typed as words.
"""

from __future__ import annotations

from datetime import date

from domain import nudges, periods
from domain.conversation import Action, Button, Reply, rows
from domain.deadlines.calendar import Calendar, in_quiet_hours
from domain.nudges import Entry, Outstanding
from domain.reminders import display_title
from handlers import paging
from handlers.context import OFFICERS, Request, Route, Services
from handlers.deadlines import DAYS_AHEAD, calendar_of
from handlers.units import unit_in_scope
from messages_vi import t
from messages_vi.formatting import LOCAL_TZ, local_today, number, short_date
from storage.units import Unit

PAGE_SIZE = 8              # entries a page: numbered lines and their buttons fit a phone's screen
ITEMS_SHOWN = 12           # occurrences /chuanop lists
NAMES_IN_LINE = 4          # names of the late units under an entry, in its line


# --- /chuanop: the occurrences with something outstanding under me --------------------------------

async def show_items(services: Services, request: Request) -> list[Reply]:
    """/chuanop [page]: the deadlines that units under me have not sent, nearest date first, to
    open one, a page at a time. A branch has no unit under it: its secretary is shown the way to
    its own deadlines."""
    unit = request.identity.unit
    if not request.identity.is_officer:
        return [Reply(t("ot.items.branch"), rows(Button(t("menu.deadlines"), Action.command("lich"))))]
    calendar = calendar_of(services)
    today = local_today(services.clock())
    first, last = nudges.window(today, DAYS_AHEAD)
    facts = await nudges.read(services.storage, calendar, first, last, unit.path)
    counts = nudges.Subtree(calendar, facts, unit.id, first, last, today).counts(today)
    if not counts:
        return [Reply(t("ot.items.none", unit=unit.name), rows(Button(t("menu.home"), Action.command("menu"))))]
    found = sorted(counts.items(), key=lambda pair: (pair[1].due, pair[0]))
    total = paging.pages(len(found), ITEMS_SHOWN)
    page = paging.typed_page(request.arg, total)
    lines = [t("ot.items.title", unit=unit.name, today=short_date(today))]
    buttons = []
    # numbered from 1 on every page: on Zalo the number typed is the menu's
    for index, ((item_id, key), count) in enumerate(found[page * ITEMS_SHOWN:(page + 1) * ITEMS_SHOWN], start=1):
        item = calendar.item(item_id)
        late = t("ot.items.late", count=number(count.late)) if count.late else ""
        lines.append(t("ot.items.line", number=index, title=display_title(item, key), count=number(count.owing),
                       late=late, date=short_date(count.due)))
        buttons.append(Button(str(index), nudges.list_action(item, key, unit.id)))
    where, nav = paging.navigation("chuanop", page, total)
    if where:
        lines.append(where)
    lines.append(t("ot.items.hint"))
    return [Reply("\n".join(lines), rows(*buttons, width=5) + rows(*nav))]


# --- the list under a unit, and nudging ---------------------------------------------------------------

async def action(services: Services, request: Request) -> list[Reply]:
    """Buttons nh:l (the list), nh:a (nudge all listed), nh:o (nudge one unit)."""
    verb, ref, key = (request.action.text(i) for i in range(3))
    target_id, page = request.action.number(3), request.action.number(4) or 0
    calendar = calendar_of(services)
    item = nudges.find_item(calendar, ref)
    if verb not in ("l", "a", "o") or target_id is None or item is None or not periods.is_key(key):
        return [Reply(t("ot.unknown"))]
    target = await unit_in_scope(services, request, target_id)
    if target is None:
        return [Reply(t("not_yours"))]
    if verb == "o" and target.id == request.identity.unit.id:
        return [Reply(t("ot.not_self", unit=target.name))]
    if verb == "l":
        return [await _listing(services, request, calendar, item, key, target, max(0, page))]
    if verb == "a":
        return await _nudge_all(services, request, calendar, item, key, target)
    return await _nudge_one(services, request, calendar, item, key, target, max(0, page))


async def _outstanding(services: Services, calendar: Calendar, item, key: str, view: Unit) -> Outstanding | None:
    today = local_today(services.clock())
    first, last = nudges.window(today, DAYS_AHEAD)
    facts = await nudges.read(services.storage, calendar, first, last, view.path, only=(item.id, key))
    return nudges.Subtree(calendar, facts, view.id, first, last, today).outstanding(item, key, view.name)


async def _listing(services: Services, request: Request, calendar: Calendar, item, key: str, view: Unit,
                   page: int, notice: str = "") -> Reply:
    found = await _outstanding(services, calendar, item, key, view)
    if found is None:
        text, buttons = t("ot.unknown_under", title=display_title(item, key), unit=view.name), ()
    else:
        text, buttons = await _list_text(services, request, found, view, page)
    return Reply(f"{notice}\n\n{text}" if notice else text, buttons)


async def _list_text(services: Services, request: Request, found: Outstanding, view: Unit, page: int):
    today = local_today(services.clock())
    item, key = found.item, found.key
    if not found.entries:
        text = t("ot.list.none", title=found.title, unit=view.name)
        if found.border_exempt:
            text += "\n" + t("ot.list.border", count=number(found.border_exempt))
        return text, await _nav(services, request, found, view, 0, 1)
    nudged = await services.storage.nudges.of_day(item.id, key, today)
    pages = -(-len(found.entries) // PAGE_SIZE)
    page = min(page, pages - 1)
    shown = found.entries[page * PAGE_SIZE:(page + 1) * PAGE_SIZE]
    lines = [t("ot.list.title", title=found.title, unit=view.name, count=number(found.count),
               late=number(found.late(today)))]
    numbers, opens = [], []
    for index, entry in enumerate(shown, start=1):
        lines.append(_line(index, entry, today, entry.unit_id in nudged))
        numbers.append(Button(str(index), Action("nh", ("o", nudges.item_ref(item.id), key, entry.unit_id, page))))
        if entry.below:
            opens.append(Button(t("ot.button.open", name=entry.name), nudges.list_action(item, key, entry.unit_id)))
    if pages > 1:
        lines.append(t("ot.list.page", page=page + 1, pages=pages))
    if found.border_exempt:
        lines.append(t("ot.list.border", count=number(found.border_exempt)))
    lines.append(t("ot.list.hint"))
    everyone = Button(t("ot.button.all"), Action("nh", ("a", nudges.item_ref(item.id), key, view.id)))
    buttons = rows(*numbers, width=5) + rows(everyone, width=1) + rows(*opens, width=1)
    return "\n".join(lines), buttons + await _nav(services, request, found, view, page, pages)


def _line(index: int, entry: Entry, today: date, nudged: bool) -> str:
    parts = []
    if entry.own is not None:
        late = (today - entry.own).days
        parts.append(t("ot.list.own_late", date=short_date(entry.own), days=late) if late > 0
                     else t("ot.list.own", date=short_date(entry.own)))
    if entry.below:
        names = nudges.names_text([o.name for o in entry.below], NAMES_IN_LINE)
        parts.append(t("ot.list.below", count=number(len(entry.below)), names=names))
    marks = t("ot.list.mark.nudged") if nudged else ""
    if not entry.recipients:
        marks += t("ot.list.mark.nobody")
    return t("ot.list.line", number=index, name=entry.name, what="; ".join(parts), marks=marks)


async def _nav(services: Services, request: Request, found: Outstanding, view: Unit, page: int, pages: int):
    item, key = found.item, found.key
    nav = []
    if page > 0:
        nav.append(Button(t("units.prev"), nudges.list_action(item, key, view.id, page - 1)))
    if page + 1 < pages:
        nav.append(Button(t("units.next"), nudges.list_action(item, key, view.id, page + 1)))
    if view.id != request.identity.unit.id and view.parent_id:
        parent = await services.storage.units.get(view.parent_id)
        nav.append(Button(t("card.button.up", name=parent.name), nudges.list_action(item, key, parent.id)))
    nav.append(Button(t("ot.button.items"), Action.command("chuanop")))
    return rows(*nav)


async def _nudge_all(services: Services, request: Request, calendar: Calendar, item, key: str,
                     view: Unit) -> list[Reply]:
    found = await _outstanding(services, calendar, item, key, view)
    if found is None:
        return [Reply(t("ot.unknown_under", title=display_title(item, key), unit=view.name))]
    if not found.entries:
        return [await _listing(services, request, calendar, item, key, view, 0)]
    done = await _nudge(services, request, found, found.entries)
    return [await _listing(services, request, calendar, item, key, view, 0, _said(services, found, done))]


async def _nudge_one(services: Services, request: Request, calendar: Calendar, item, key: str,
                     target: Unit, page: int) -> list[Reply]:
    parent = await unit_in_scope(services, request, target.parent_id or -1)
    if parent is None:
        return [Reply(t("not_yours"))]
    found = await _outstanding(services, calendar, item, key, parent)
    entry = found.entry(target.id) if found else None
    if found is None or entry is None:
        notice = t("ot.nothing_for", unit=target.name, title=display_title(item, key))
        return [await _listing(services, request, calendar, item, key, parent, page, notice)]
    done = await _nudge(services, request, found, [entry])
    return [await _listing(services, request, calendar, item, key, parent, page, _said(services, found, done))]


async def _nudge(services: Services, request: Request, found: Outstanding, entries) -> nudges.Nudged:
    mine = request.identity.unit
    return await nudges.nudge(services.storage, found, entries, mine.id, mine.name,
                              request.identity.person.id, services.clock())


def _said(services: Services, found: Outstanding, done: nudges.Nudged) -> str:
    """What a nudge did, in words: one unit's outcome, or the counts of a nudge of all."""
    if len(done.sent) + len(done.already) + len(done.nobody) == 1:
        if done.sent:
            lines = [t("ot.sent_one", unit=done.sent[0].name, title=found.title, people=number(done.people))]
        elif done.already:
            lines = [t("ot.already_one", unit=done.already[0].name, title=found.title)]
        else:
            entry = done.nobody[0]
            lines = [t("ot.nobody_one_below" if entry.below else "ot.nobody_one", unit=entry.name)]
    else:
        lines = [t("ot.sent_all", count=number(len(done.sent)), people=number(done.people), title=found.title)
                 if done.sent else t("ot.sent_none", title=found.title)]
        if done.already:
            lines.append(t("ot.skipped_already", count=number(len(done.already))))
        if done.nobody:
            lines.append(t("ot.skipped_nobody", count=number(len(done.nobody)),
                           names=nudges.names_text([e.name for e in done.nobody], NAMES_IN_LINE)))
            if any(e.below for e in done.nobody):
                lines.append(t("ot.skipped_nobody_open"))
    if done.sent and _quiet(services):
        settings = calendar_of(services).settings
        lines.append(t("ot.quiet", start=settings.quiet_start.strftime("%H:%M"),
                       end=settings.quiet_end.strftime("%H:%M")))
    return "\n".join(lines)


def _quiet(services: Services) -> bool:
    """Whether the outbox holds messages back now (its quiet hours are the calendar's)."""
    settings = calendar_of(services).settings
    return in_quiet_hours(services.clock().astimezone(LOCAL_TZ).time(), settings.quiet_start, settings.quiet_end)


COMMANDS = {"chuanop": Route(show_items)}
BUTTONS = {"nh": Route(action, OFFICERS)}
