"""/baocao: a branch's recent reports, and correcting or deleting one within its period."""

from __future__ import annotations

from datetime import datetime, time, timedelta

from handlers.context import BRANCH_STAFF, Request, Route, Services
from handlers.corrections import load, meeting_line, meeting_open, recruitment_line, recruitment_open
from handlers.forms import open_form
from domain.conversation import Action, Button, Reply, rows
from messages_vi import t
from messages_vi.formatting import LOCAL_TZ, date_time, local_today

RECENT_MONTHS = 3


async def list_reports(services: Services, request: Request) -> list[Reply]:
    """The branch's reports of the last months, each a button to open it."""
    unit = request.identity.unit
    today = local_today(services.clock())
    since = (today.replace(day=1) - timedelta(days=31 * (RECENT_MONTHS - 1))).replace(day=1)
    meetings = await services.storage.reports.meetings(unit.id, since)
    since_moment = datetime.combine(today - timedelta(days=366), time(0), LOCAL_TZ)
    counts = await services.storage.reports.recruitments(unit.id, since_moment)
    if not meetings and not counts:
        return [Reply(t("reports.none", unit=unit.name, months=RECENT_MONTHS),
                      rows(Button(t("menu.meeting"), Action.command("sinhhoat")), Button(t("menu.oneplusone"), Action.command("motcongmot"))))]
    lines, buttons = [t("reports.title", unit=unit.name, months=RECENT_MONTHS)], []
    for meeting in meetings:
        index = len(buttons) + 1
        closed = not meeting_open(meeting, unit.border, today)
        lines.append(meeting_line(index, meeting) + (t("reports.closed_mark") if closed else ""))
        buttons.append(Button(str(index), Action("r", ("m", meeting.id))))
    for report in counts:
        index = len(buttons) + 1
        closed = not recruitment_open(report, today)
        lines.append(recruitment_line(index, report) + (t("reports.closed_mark") if closed else ""))
        buttons.append(Button(str(index), Action("r", ("r", report.id))))
    lines.append(t("reports.footer"))
    return [Reply("\n".join(lines), rows(*buttons, width=5) + rows(Button(t("menu.home"), Action.command("menu"))))]


async def report_action(services: Services, request: Request) -> list[Reply]:
    """Buttons r:<m|r>:<id>[:<e|d|dy|h>]: open, correct, delete or trace one report."""
    kind, report_id, action = request.action.text(0), request.action.number(1), request.action.text(2)
    if len(request.action.args) not in (2, 3) or kind not in ("m", "r") or report_id is None:
        return [Reply(t("button_stale"))]
    loaded = await load(services, request, kind, report_id)
    if loaded is None:
        return [Reply(t("reports.gone"))]
    report, text, still_open = loaded
    if action == "h":
        return [Reply(await _history_text(services, request, kind, report_id))]
    if action in ("e", "d", "dy") and not still_open:
        return [Reply(t("reports.closed"))]
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
        who = entry.person_name or "?"
        when = date_time(entry.at)
        if entry.action == "update":
            lines.append(t("reports.history.update", when=when, who=who, field=t(f"field.{entry.field}"),
                           old=entry.old_value, new=entry.new_value))
        else:
            lines.append(t(f"reports.history.{entry.action}", when=when, who=who))
    return "\n".join(lines)


COMMANDS = {"baocao": Route(list_reports, BRANCH_STAFF)}
BUTTONS = {"r": Route(report_action, BRANCH_STAFF)}
