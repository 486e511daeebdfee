"""/baocao: a branch's reports, and correcting or deleting one within the rules
(handlers.corrections): every report of the periods still open, those of the last months, and
every report filed late in the last year, wherever its day falls."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta

from handlers.context import BRANCH_STAFF, Request, Route, Services
from handlers.corrections import load, meeting_line, meeting_open, recruitment_line, recruitment_open
from handlers.forms import open_form
from domain.conversation import Action, Button, Reply, rows
from domain.forms.definitions import GRACE_DAYS
from domain.rules import meeting_window
from messages_vi import t
from messages_vi.formatting import LOCAL_TZ, date_time, local_today, number, short_date

RECENT_MONTHS = 3
LATE_DAYS = 366            # reports filed late are listed for a year after they were filed


async def list_reports(services: Services, request: Request) -> list[Reply]:
    """The branch's reports of the open periods and the last months, and those filed late; each
    a button to open it."""
    unit = request.identity.unit
    today = local_today(services.clock())
    recent = (today.replace(day=1) - timedelta(days=31 * (RECENT_MONTHS - 1))).replace(day=1)
    # the oldest window still open: a border branch's last quarter, during its days of grace
    oldest_open = meeting_window(today - timedelta(days=GRACE_DAYS), unit.border).start
    meetings = await services.storage.reports.meetings(unit.id, min(recent, oldest_open))
    since_moment = datetime.combine(today - timedelta(days=LATE_DAYS), time(0), LOCAL_TZ)
    listed = {m.id for m in meetings}
    late = [m for m in await services.storage.reports.filed_late(unit.id, since_moment) if m.id not in listed]
    meetings = sorted([*meetings, *late], key=lambda m: (m.held_on, m.id), reverse=True)
    counts = await services.storage.reports.recruitments(unit.id, since_moment)
    if not meetings and not counts:
        return [Reply(t("reports.none", unit=unit.name, months=RECENT_MONTHS),
                      rows(Button(t("menu.meeting"), Action.command("sinhhoat")), Button(t("menu.oneplusone"), Action.command("motcongmot"))))]
    lines, buttons = [t("reports.title", unit=unit.name, months=RECENT_MONTHS)], []
    photos = await services.storage.photos.counts([m.id for m in meetings]) if meetings else {}
    for meeting in meetings:
        index = len(buttons) + 1
        closed = not meeting_open(meeting, unit.border, today)
        shown = t("reports.photos_mark", count=number(photos[meeting.id])) if meeting.id in photos else ""
        lines.append(meeting_line(index, meeting) + shown + (t("reports.closed_mark") if closed else ""))
        buttons.append(Button(str(index), Action("r", ("m", meeting.id))))
    for report in counts:
        index = len(buttons) + 1
        closed = not recruitment_open(report, today)
        lines.append(recruitment_line(index, report) + (t("reports.closed_mark") if closed else ""))
        buttons.append(Button(str(index), Action("r", ("r", report.id))))
    lines.append(t("reports.footer", grace=GRACE_DAYS))
    return [Reply("\n".join(lines), rows(*buttons, width=5) + rows(Button(t("menu.home"), Action.command("menu"))))]


def _onward() -> tuple:
    """Where a person goes from a report they can no longer open or change: on Zalo a reply
    without choices leaves them nothing to pick."""
    return rows(Button(t("menu.reports"), Action.command("baocao")), Button(t("menu.home"), Action.command("menu")))


async def report_action(services: Services, request: Request) -> list[Reply]:
    """Buttons r:<m|r>:<id>[:<e|d|dy|h>]: open, correct, delete or trace one report."""
    kind, report_id, action = request.action.text(0), request.action.number(1), request.action.text(2)
    if len(request.action.args) not in (2, 3) or kind not in ("m", "r") or report_id is None:
        return [Reply(t("button_stale"))]
    loaded = await load(services, request, kind, report_id)
    if loaded is None:
        return [Reply(t("reports.gone"), _onward())]
    report, text, still_open = loaded
    if action == "h":
        return [Reply(await _history_text(services, request, kind, report_id))]
    if action in ("e", "d", "dy") and not still_open:
        return [Reply(t("reports.closed"), _onward())]
    if action == "e":
        return await open_form(services, request, f"{'meeting' if kind == 'm' else 'oneplusone'}:{report_id}")
    if action == "d":
        return [Reply(t("reports.confirm_delete", text=text), rows(
            Button(t("reports.button.delete_yes"), Action("r", (kind, report_id, "dy"))), Button(t("reports.button.delete_no"), Action.command("baocao"))))]
    if action == "dy":
        delete = services.storage.reports.delete_meeting if kind == "m" else services.storage.reports.delete_recruitment
        await delete(report_id, request.identity.person.id, services.clock())
        return [Reply(t("reports.deleted"), rows(Button(t("menu.reports"), Action.command("baocao"))))]
    buttons = [Button(t("reports.button.history"), Action("r", (kind, report_id, "h")))]
    if still_open:
        buttons = [Button(t("reports.button.fix"), Action("r", (kind, report_id, "e"))), Button(t("reports.button.delete"), Action("r", (kind, report_id, "d")))] + buttons
    else:
        text += t("reports.closed_mark")
    return [Reply(t("reports.pick", text=text), rows(*buttons, width=3))]


async def _history_text(services: Services, request: Request, kind: str, report_id: int) -> str:
    subject = "meeting" if kind == "m" else "recruitment"
    entries = await services.storage.reports.audit_trail(request.identity.unit.id, subject, report_id)
    lines = [t("reports.history.title")]
    for entry in entries:
        who = entry.person_name or t("reports.history.someone")
        when = date_time(entry.at)
        if entry.action == "update":
            lines.append(t("reports.history.update", when=when, who=who, field=t(f"field.{entry.field}"),
                           old=value_text(entry.field, entry.old_value),
                           new=value_text(entry.field, entry.new_value)))
        else:
            lines.append(t(f"reports.history.{entry.action}", when=when, who=who))
    return "\n".join(lines)


def value_text(field: str, stored: str | None) -> str:
    """A value of the audit trail as a person reads it: "(trống)" for nothing, a day as
    20/11/2026, a kind or mode by its name, a count with the thousands dot."""
    if stored is None or stored == "":
        return t("reports.history.empty")
    try:
        if field == "held_on":
            return short_date(date.fromisoformat(stored))
        if field in ("kind", "mode"):
            key = f"meeting.o.{stored}"
            return t(key) if key in _MEETING_WORDS else stored
        if field == "over_members":
            return t("form.yes" if stored not in ("0", "False") else "form.no")
        if field in ("attended", "participants", "youth_reached", "new_members", "party_introduced"):
            return number(int(stored))
    except ValueError:
        pass
    return stored


_MEETING_WORDS = {f"meeting.o.{v}" for v in ("branch", "committee", "in_person", "online", "hybrid")}


COMMANDS = {"baocao": Route(list_reports, BRANCH_STAFF)}
BUTTONS = {"r": Route(report_action, BRANCH_STAFF)}
