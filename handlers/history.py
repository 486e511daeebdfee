"""A branch's history of activity ("Lịch sử hoạt động", from its card, or /lichsu), and its
evidence photos (domain.history builds and words it).

Buttons: hi:<unit> the history, hi:p:<unit> its meetings with photos, hi:m:<meeting> that
meeting's photos, sent as photos (a channel without photos says how to get them).
"""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime, time

from domain import history
from domain.conversation import Action, Button, Reply, rows
from domain.forms.definitions import meeting_text
from handlers import units
from handlers.context import BRANCH_STAFF, OFFICERS, Request, Route, Services
from handlers.photos import photo_file
from handlers.units import unit_in_scope
from messages_vi import t
from messages_vi.formatting import LOCAL_TZ, local_today, number
from storage.units import Unit

PHOTO_MEETINGS = 20            # meetings with photos listed to pick from


async def show_mine(services: Services, request: Request) -> list[Reply]:
    """/lichsu [unit]: a secretary's branch history; an officer's branch named after the command,
    else picked first."""
    if not request.identity.is_officer:
        return [await _history(services, request.identity.unit)]
    found = await units.named_below(services, request)
    if found and len(found) == 1 and found[0].level == "branch":
        return [await _history(services, found[0])]
    if found and len(found) > 1:
        return [units.several(request.arg.strip(), found,
                              lambda unit: Action("hi" if unit.level == "branch" else "u", (unit.id,)))]
    start = found[0] if found else request.identity.unit
    return units.not_found(request, found) + [Reply(t("hi.pick"))] + await units.browse_unit(services, request, start)


async def action(services: Services, request: Request) -> list[Reply]:
    """Buttons hi:<unit>, hi:p:<unit> and hi:m:<meeting>."""
    verb = request.action.text(0)
    if verb == "m":
        return await _photos_of(services, request, request.action.number(1))
    unit_id = request.action.number(1) if verb == "p" else request.action.number(0)
    unit = await unit_in_scope(services, request, unit_id) if unit_id is not None else None
    if unit is None:
        return [Reply(t("not_yours"))]
    if unit.level != "branch":
        return [Reply(t("hi.branch_only", unit=unit.name))]
    if verb == "p":
        return [await _photo_list(services, unit)]
    return [await _history(services, unit)]


async def _read(services: Services, unit: Unit):
    today = local_today(services.clock())
    storage = services.storage
    meetings = await storage.reports.meetings(unit.id, history.meetings_since(today, unit.border))
    counts = await storage.photos.counts([m.id for m in meetings]) if meetings else {}
    return today, meetings, counts


async def _history(services: Services, unit: Unit) -> Reply:
    today, meetings, counts = await _read(services, unit)
    storage = services.storage
    reports = {key: await storage.reports.recruitment_for(unit.id, key) for key in history.report_periods(today)}
    since = datetime.combine(history.members_since(today), time(0), LOCAL_TZ)
    changes = await storage.units.member_history(unit.id, since)
    found = history.build(today, unit.border, meetings, reports, changes, counts, unit.founded_on)
    buttons = []
    if found.photos:
        buttons.append(Button(t("hi.button.photos", count=number(found.photos)), Action("hi", ("p", unit.id))))
    buttons.append(Button(t("hi.button.card"), Action("u", (unit.id,))))
    return Reply(history.text(found, unit.name), rows(*buttons, width=1))


async def _photo_list(services: Services, unit: Unit) -> Reply:
    _, meetings, counts = await _read(services, unit)
    found = history.photo_meetings(meetings, counts)[:PHOTO_MEETINGS]
    if not found:
        return Reply(t("hi.photos.none"), rows(Button(t("hi.button.back"), Action("hi", (unit.id,)))))
    lines = [t("hi.photos.title", unit=unit.name)]
    lines += [t("hi.photos.line", number=i, meeting=meeting_text(m), count=number(c))
              for i, (m, c) in enumerate(found, start=1)]
    buttons = rows(*(Button(str(i), Action("hi", ("m", m.id))) for i, (m, _) in enumerate(found, start=1)), width=5)
    return Reply("\n".join(lines), buttons + rows(Button(t("hi.button.back"), Action("hi", (unit.id,)))))


async def _photos_of(services: Services, request: Request, meeting_id: int | None) -> list[Reply]:
    meeting = await services.storage.reports.get_meeting(meeting_id) if meeting_id is not None else None
    unit = await unit_in_scope(services, request, meeting.unit_id) if meeting is not None else None
    if unit is None:
        return [Reply(t("not_yours"))]
    stored = await services.storage.photos.of_meeting(meeting.id)
    files = [photo_file(services, p.path) for p in stored]
    present = [f for f in files if f.is_file()]
    back = rows(Button(t("hi.button.photo_list"), Action("hi", ("p", unit.id))),
                Button(t("hi.button.back"), Action("hi", (unit.id,))))
    if not present:
        return [Reply(t("hi.photos.gone", meeting=meeting_text(meeting)), back)]
    replies = [Reply(t("hi.photo.caption", meeting=meeting_text(meeting), number=i, count=len(present)),
                     attachment=f, attachment_kind="photo") for i, f in enumerate(present, start=1)]
    if len(present) < len(files):
        replies.append(Reply(t("hi.photos.some_gone", count=number(len(files) - len(present)))))
    replies[-1] = replace(replies[-1], buttons=back)
    return replies


COMMANDS = {"lichsu": Route(show_mine)}
BUTTONS = {"hi": Route(action, OFFICERS + BRANCH_STAFF)}
