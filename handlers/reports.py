"""/baocao: a branch's recent reports, and correcting or deleting one within its period."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta

from domain.forms.definitions import meeting_answers, recruitment_answers
from domain import periods
from handlers.context import BRANCH_STAFF, Request, Route, Services
from handlers.forms import open_form
from domain.conversation import Button, Reply, rows
from messages_vi import period_name, t
from messages_vi.formatting import LOCAL_TZ, date_time, local_today, long_date, number

RECENT_MONTHS = 3
# A report stays open for correction during its period and for a few days after it, since
# the last meeting of a month is often reported on the first days of the next.
GRACE_DAYS = 10


def meeting_period(held_on: date, border: bool) -> periods.Period:
    """The period a meeting counts for: its month, or its quarter for a border-commune branch."""
    return periods.quarter(held_on) if border else periods.month(held_on)


def is_open(period: periods.Period, today: date) -> bool:
    return today <= period.end + timedelta(days=GRACE_DAYS)


def _meeting_line(index: int, meeting) -> str:
    return t("reports.meeting", index=index, date=long_date(meeting.held_on), kind=t(f"meeting.o.{meeting.kind}"),
             mode=t(f"meeting.o.{meeting.mode}").lower(), attended=number(meeting.attended))


def _period_text(key: str) -> str:
    period = periods.parse(key)
    return period_name(period.kind, period.year, period.number)


def _recruitment_line(index: int, report) -> str:
    return t("reports.recruitment", index=index, period=_period_text(report.period),
             participants=number(report.participants), youth=number(report.youth_reached),
             new=number(report.new_members), party=number(report.party_introduced))


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
                      rows(Button(t("menu.meeting"), "cmd:sinhhoat"), Button(t("menu.oneplusone"), "cmd:motcongmot")))]
    lines, buttons = [t("reports.title", unit=unit.name, months=RECENT_MONTHS)], []
    for meeting in meetings:
        index = len(buttons) + 1
        closed = not is_open(meeting_period(meeting.held_on, unit.border), today)
        lines.append(_meeting_line(index, meeting) + (t("reports.closed_mark") if closed else ""))
        buttons.append(Button(str(index), f"r:m:{meeting.id}"))
    for report in counts:
        index = len(buttons) + 1
        closed = not is_open(periods.parse(report.period), today)
        lines.append(_recruitment_line(index, report) + (t("reports.closed_mark") if closed else ""))
        buttons.append(Button(str(index), f"r:r:{report.id}"))
    lines.append(t("reports.footer"))
    return [Reply("\n".join(lines), rows(*buttons, width=5) + rows(Button(t("menu.home"), "cmd:menu")))]


async def _load(services: Services, request: Request, kind: str, report_id: int):
    """The report if it belongs to the asker's branch, with its text and whether it is open."""
    unit = request.identity.unit
    today = local_today(services.clock())
    if kind == "m":
        report = await services.storage.reports.get_meeting(report_id)
        if report is None or report.unit_id != unit.id:
            return None
        return report, _meeting_line(1, report)[3:], is_open(meeting_period(report.held_on, unit.border), today)
    report = await services.storage.reports.get_recruitment(report_id)
    if report is None or report.unit_id != unit.id:
        return None
    return report, _recruitment_line(1, report)[3:], is_open(periods.parse(report.period), today)


async def report_action(services: Services, request: Request) -> list[Reply]:
    """Buttons r:<m|r>:<id>[:<e|d|dy|h>]: open, correct, delete or trace one report."""
    parts = request.arg.split(":")
    if len(parts) not in (2, 3) or parts[0] not in ("m", "r") or not parts[1].isdigit():
        return [Reply(t("button_stale"))]
    kind, report_id, action = parts[0], int(parts[1]), parts[2] if len(parts) == 3 else ""
    loaded = await _load(services, request, kind, report_id)
    if loaded is None:
        return [Reply(t("reports.gone"))]
    report, text, still_open = loaded
    prefix = f"r:{kind}:{report_id}"
    if action == "h":
        return [Reply(await _history_text(services, request, kind, report_id))]
    if action in ("e", "d", "dy") and not still_open:
        return [Reply(t("reports.closed"))]
    if action == "e":
        return await open_form(services, request, f"{'meeting' if kind == 'm' else 'oneplusone'}:{report_id}")
    if action == "d":
        return [Reply(t("reports.confirm_delete", text=text), rows(
            Button(t("reports.button.delete_yes"), f"{prefix}:dy"), Button(t("reports.button.delete_no"), "cmd:baocao")))]
    if action == "dy":
        delete = services.storage.reports.delete_meeting if kind == "m" else services.storage.reports.delete_recruitment
        await delete(report_id, request.identity.person.id, services.clock())
        return [Reply(t("reports.deleted"), rows(Button(t("menu.reports"), "cmd:baocao")))]
    buttons = [Button(t("reports.button.history"), f"{prefix}:h")]
    if still_open:
        buttons = [Button(t("reports.button.fix"), f"{prefix}:e"), Button(t("reports.button.delete"), f"{prefix}:d")] + buttons
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


async def correction(services: Services, request: Request, form_name: str, report: str):
    """Answers to prefill a correction with, or the replies that refuse it."""
    kind = "m" if form_name == "meeting" else "r"
    loaded = await _load(services, request, kind, int(report)) if report.isdigit() else None
    if loaded is None:
        return [Reply(t("reports.gone"))]
    saved, _, still_open = loaded
    if not still_open:
        return [Reply(t("reports.closed"))]
    answers, flags = meeting_answers(saved) if kind == "m" else recruitment_answers(saved)
    return answers, flags, saved.id


COMMANDS = {"baocao": Route(list_reports, BRANCH_STAFF)}
BUTTONS = {"r": Route(report_action, BRANCH_STAFF)}
