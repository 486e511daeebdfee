"""Which of a branch's reports may still be corrected, and what a correction starts from.

Both /baocao (handlers.reports) and the forms (handlers.forms, opening a correction) need this;
it lives here so that neither of them imports the other.
"""

from __future__ import annotations

import re

# The rules themselves (a report's period and its days of grace; a report filed late, the days
# after it was filed) live with the forms, which ask about a late date with the same rule.
from domain.forms.definitions import (
    meeting_answers, meeting_open, recruitment_answers, recruitment_open, recruitment_text,
)
from handlers.context import Request, Services
from domain.conversation import Reply
from messages_vi import t
from messages_vi.formatting import local_today, long_date, number

_ID = re.compile(r"[0-9]{1,18}")


def meeting_line(index: int, meeting) -> str:
    line = t("reports.meeting", index=index, date=long_date(meeting.held_on), kind=t(f"meeting.o.{meeting.kind}"),
             mode=t(f"meeting.o.{meeting.mode}").lower(), attended=number(meeting.attended))
    return line + (t("reports.late_mark") if getattr(meeting, "filed_late", False) else "")


def recruitment_line(index: int, report) -> str:
    return t("reports.recruitment", index=index, report=recruitment_text(report))


async def load(services: Services, request: Request, kind: str, report_id: int):
    """The report ("m" a meeting, "r" a 1+1 count) if it belongs to the asker's branch, with its
    text and whether it is open; None otherwise."""
    unit = request.identity.unit
    today = local_today(services.clock())
    if kind == "m":
        report = await services.storage.reports.get_meeting(report_id)
        if report is None or report.unit_id != unit.id:
            return None
        return report, meeting_line(1, report)[3:], meeting_open(report, unit.border, today)
    report = await services.storage.reports.get_recruitment(report_id)
    if report is None or report.unit_id != unit.id:
        return None
    return report, recruitment_line(1, report)[3:], recruitment_open(report, today)


async def correction(services: Services, request: Request, form_name: str, report: str):
    """Answers to prefill a correction with, or the replies that refuse it."""
    kind = "m" if form_name == "meeting" else "r"
    # ASCII digits only, and few: "²".isdigit() is true and int() of 5,000 digits raises
    loaded = await load(services, request, kind, int(report)) if _ID.fullmatch(report) else None
    if loaded is None:
        return [Reply(t("reports.gone"))]
    saved, _, still_open = loaded
    if not still_open:
        return [Reply(t("reports.closed"))]
    answers, flags = meeting_answers(saved) if kind == "m" else recruitment_answers(saved)
    return answers, flags, saved.id
