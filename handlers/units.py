"""Who am I (/toi), the branch card (/chidoan), browsing the units under an officer, and
removing someone from a unit.

An officer may name the unit after the command, by its code or its name as /tonghop reads it
("/chidoan Phú Lợi", "/chidoan CD-TANPHU-1", domain.unit_names): one found opens, several are
offered to pick, none is said before the units to pick from (words typed are never ignored).
"""

from __future__ import annotations

from collections import Counter
from datetime import datetime, time

from domain import unit_names
from handlers.context import BRANCH_STAFF, OFFICERS, Request, Route, Services
from domain.conversation import Action, Button, Reply, rows
from domain.rules import may_remove
from messages_vi import role_in, t
from messages_vi.formatting import LOCAL_TZ, date_time, local_today, number, short_date
from storage.units import Unit

PAGE_SIZE = 20
FOUND_SHOWN = 10              # units offered when a typed name fits several


async def chain_text(services: Services, unit: Unit) -> str:
    """The names of the units above this one, nearest first, joined by " › "."""
    chain = await services.storage.units.chain(unit.id)
    return " › ".join(u.name for u in reversed(chain[:-1])) or unit.name


async def unit_in_scope(services: Services, request: Request, unit_id: int) -> Unit | None:
    """The unit, if the person asking may see it: their own, or one under an officer's unit."""
    unit = await services.storage.units.get(unit_id)
    mine = request.identity.unit
    if unit is None or mine is None:
        return None
    if request.identity.is_officer:
        return unit if mine.contains(unit) else None
    return unit if unit.id == mine.id else None


# --- /toi -------------------------------------------------------------------------------------

async def show_me(services: Services, request: Request) -> list[Reply]:
    """Who I am: my unit and role, and for an officer the units under me."""
    identity = request.identity
    who = role_in(identity.role, identity.unit.name, identity.unit.level_name)
    if not identity.is_officer:
        text = t("me.branch", who=who, chain=await chain_text(services, identity.unit))
        return [Reply(text, rows(Button(t("menu.card"), Action.command("chidoan")), Button(t("menu.home"), Action.command("menu"))))]
    below = await services.storage.units.below(identity.unit.id)
    lines = []
    for child in (u for u in below if u.parent_id == identity.unit.id):
        if child.level == "branch":
            lines.append(t("me.child_branch", name=child.name))
        else:
            count = sum(1 for u in below if u.level == "branch" and child.contains(u))
            lines.append(t("me.child", name=child.name, branches=number(count)))
    count = sum(1 for u in below if u.level == "branch")
    text = t("me.officer", who=who, count=number(count),
             children="\n".join(lines) or t("me.none_below"))
    return [Reply(text, rows(Button(t("menu.units"), Action.command("chidoan")), Button(t("menu.home"), Action.command("menu"))))]


# --- /chidoan and browsing ----------------------------------------------------------------------

async def show_card(services: Services, request: Request) -> list[Reply]:
    """A secretary's own branch card; for an officer, the units under them to pick from, or the
    one named after the command."""
    if not request.identity.is_officer:
        return [await _card(services, request, request.identity.unit)]
    found = await named_below(services, request)
    if not found:
        return not_found(request, found) + await browse_unit(services, request, request.identity.unit)
    if len(found) == 1:
        return await browse_unit(services, request, found[0])
    return [several(request.arg.strip(), found, lambda unit: Action("u", (unit.id,)))]


async def browse_unit(services: Services, request: Request, unit: Unit) -> list[Reply]:
    """A unit in the officer's scope: its card if it is a branch, else its units to pick from."""
    if unit.level == "branch":
        return [await _card(services, request, unit)]
    return await _browse(services, request, unit, 0)


async def named_below(services: Services, request: Request) -> list[Unit] | None:
    """The units of the officer's subtree named by the command's argument (its code, else its
    name); None when nothing was typed."""
    typed = request.arg.strip()
    if not typed:
        return None
    mine = request.identity.unit
    coded = await services.storage.units.by_code(typed.upper())
    if coded is not None and mine.contains(coded):
        return [coded]
    return unit_names.find([mine, *await services.storage.units.below(mine.id)], typed)


def not_found(request: Request, found: list[Unit] | None) -> list[Reply]:
    """What is said when a name was typed and no unit fits it (nothing when none was typed, or
    when one fits)."""
    if found is None or found:
        return []
    return [Reply(t("units.not_found", arg=request.arg.strip(), unit=request.identity.unit.name))]


def several(typed: str, found: list[Unit], action) -> Reply:
    """Several units fit a typed name: each offered (the first FOUND_SHOWN), opening with `action(unit)`;
    units of one name told apart by their codes (two "Chi đoàn ấp Một" were two identical choices)."""
    shown = found[:FOUND_SHOWN]
    names = Counter(u.name for u in shown)
    return Reply(t("digest.found_several", arg=typed, count=number(len(found))),
                 rows(*(Button(t("units.twin", name=u.name, code=u.code) if names[u.name] > 1 else u.name, action(u))
                        for u in shown), width=1))


async def browse(services: Services, request: Request) -> list[Reply]:
    """Button u:<unit>[:<page>]: a unit's card if it is a branch, else its units to pick from."""
    unit = await unit_in_scope(services, request, request.action.number(0) or -1)
    if unit is None:
        return [Reply(t("not_yours"))]
    if unit.level == "branch":
        return [await _card(services, request, unit)]
    return await _browse(services, request, unit, max(0, request.action.number(1) or 0))


async def _browse(services: Services, request: Request, unit: Unit, page: int) -> list[Reply]:
    children = await services.storage.units.children(unit.id)
    pages = max(1, -(-len(children) // PAGE_SIZE))
    page = min(page, pages - 1)
    shown = children[page * PAGE_SIZE:(page + 1) * PAGE_SIZE]
    buttons = rows(*(Button(u.name, Action("u", (u.id,))) for u in shown))
    nav = []
    if page > 0:
        nav.append(Button(t("units.prev"), Action("u", (unit.id, page - 1))))
    if page + 1 < pages:
        nav.append(Button(t("units.next"), Action("u", (unit.id, page + 1))))
    if unit.id != request.identity.unit.id and unit.parent_id:
        parent = await services.storage.units.get(unit.parent_id)
        nav.append(Button(t("card.button.up", name=parent.name), Action("u", (parent.id,))))
    if not children:                   # a unit just created: nothing to pick, but a way on
        return [Reply(t("units.none", unit=unit.name), rows(*nav, Button(t("menu.home"), Action.command("menu"))))]
    text = t("units.pick", unit=unit.name)
    if pages > 1:
        text += "\n" + t("units.page", page=page + 1, pages=pages)
    return [Reply(text, buttons + rows(*nav))]


async def _card(services: Services, request: Request, unit: Unit) -> Reply:
    people = await services.storage.people.members_of(unit.id)
    last = await services.storage.reports.last_report_at(unit.id)

    def name(member) -> str:
        return t("card.unreachable", name=member.display_name) if member.unreachable else member.display_name

    secretary = next((name(m) for m in people if m.role == "secretary"), t("card.nobody"))
    deputies = ", ".join(name(m) for m in people if m.role == "deputy") or t("card.nobody")
    text = t(
        "card.text", unit=unit.name, chain=await chain_text(services, unit), members=number(unit.members),
        secretary=secretary, deputies=deputies, border=t("card.yes" if unit.border else "card.no"),
        last_report=date_time(last) if last else t("card.never"),
    )
    buttons = [Button(t("card.button.history"), Action("c", ("h", unit.id))),
               Button(t("hi.button.history"), Action("hi", (unit.id,)))]     # handlers.history
    if request.identity.is_officer:
        buttons += [Button(t("card.button.remove", name=m.display_name), Action("c", ("rm", m.role_id)))
                    for m in people if m.role in BRANCH_STAFF]
        if unit.parent_id and unit.id != request.identity.unit.id:
            parent = await services.storage.units.get(unit.parent_id)
            buttons.append(Button(t("card.button.up", name=parent.name), Action("u", (parent.id,))))
    else:
        buttons.insert(0, Button(t("card.button.members"), Action.command("capnhat")))
        buttons.append(Button(t("menu.home"), Action.command("menu")))
    return Reply(text, rows(*buttons))


# --- card buttons: history and removal -------------------------------------------------------------

async def card_action(services: Services, request: Request) -> list[Reply]:
    """Buttons c:h:<unit> (member-count history), c:rm:<role> and c:rmy:<role> (remove someone)."""
    action, target = request.action.text(0), request.action.number(1)
    if action == "h" and target is not None:
        return await _history(services, request, target)
    if action in ("rm", "rmy") and target is not None and request.identity.is_officer:
        return await _remove(services, request, target, confirmed=action == "rmy")
    return [Reply(t("not_allowed"))]


async def _history(services: Services, request: Request, unit_id: int) -> list[Reply]:
    unit = await unit_in_scope(services, request, unit_id)
    if unit is None:
        return [Reply(t("not_yours"))]
    today = local_today(services.clock())
    since = datetime.combine(today.replace(month=1, day=1), time(0), LOCAL_TZ)
    changes = await services.storage.units.member_history(unit.id, since)
    if not changes:
        return [Reply(t("card.history.none", year=today.year, unit=unit.name))]
    lines = [t("card.history.title", unit=unit.name, year=today.year)]
    for change in changes:
        reason = t("card.history.import") if change.reason == "import" else t(f"members.o.{change.reason}")
        lines.append(t("card.history.line", when=short_date(local_today(change.changed_at)),
                       old=number(change.old_count), new=number(change.new_count), reason=reason,
                       note=f": {change.note}" if change.note else "",
                       who=change.person_name or t("card.history.by_import")))
    return [Reply("\n".join(lines))]


async def _remove(services: Services, request: Request, role_id: int, confirmed: bool) -> list[Reply]:
    found = await services.storage.people.role(role_id)
    if found is None:
        return [Reply(t("card.remove_gone"))]
    member, unit_id = found
    unit = await unit_in_scope(services, request, unit_id)
    if unit is None:
        return [Reply(t("not_yours"))]
    # checked here, on the confirmation and on the removal itself: a payload can be forged
    if member.person_id == request.identity.person.id:
        return [Reply(t("card.remove_self"))]
    if not may_remove(request.identity, member, unit):
        return [Reply(t("card.remove_refused", name=member.display_name))]
    if not confirmed:
        text = t("card.confirm_remove", name=member.display_name, who=role_in(member.role, unit.name, unit.level_name))
        return [Reply(text, rows(Button(t("card.button.remove_yes"), Action("c", ("rmy", role_id))),
                                 Button(t("card.button.remove_no"), Action("u", (unit.id,)))))]
    removed = await services.storage.people.remove_role(role_id, request.identity.person.id, services.clock())
    if removed is None:
        return [Reply(t("card.remove_gone"))]
    replies = [Reply(t("card.removed", name=removed.display_name, unit=unit.name))]
    if removed.role == "secretary":
        now_secretary = next((m for m in await services.storage.people.members_of(unit.id)
                              if m.role == "secretary"), None)
        if now_secretary:
            replies.append(Reply(t("card.promoted", name=now_secretary.display_name)))
    return replies + [await _card(services, request, unit)]


COMMANDS = {
    "toi": Route(show_me),
    "chidoan": Route(show_card),
}
BUTTONS = {
    "u": Route(browse, OFFICERS + BRANCH_STAFF),
    "c": Route(card_action),
}
