"""The bot's forms: the meeting report, the 1+1 count and the member-count change.

Each is one `Form` value; its sentences live in `messages_vi` under the form's name.
"""

from __future__ import annotations


from domain.forms.model import Answers, Confirm, Form, FormContext, Option, Step
from domain.periods import half_year, year

# --- the meeting report ----------------------------------------------------------------------

def _over_members(value: int, ctx: FormContext, answers: Answers) -> Confirm | None:
    if value > ctx.unit.members:
        return Confirm("meeting.confirm_over", {"attended": value, "members": ctx.unit.members}, "over_members")
    return None


def _write_meeting(tx, ctx: FormContext, answers: Answers, report_id: int | None) -> int:
    values = {**answers, "over_members": bool(answers.get("over_members")), "note": answers.get("note") or ""}
    if report_id is None:
        return tx.reports.add_meeting(ctx.unit.id, ctx.person_id, values, ctx.now)
    tx.reports.update_meeting(report_id, ctx.person_id, values, ctx.now)
    return report_id


MEETING = Form(
    name="meeting",
    version=1,
    title="meeting.title",
    saved="meeting.saved",
    steps=(
        Step("held_on", "meeting.q.held_on", "meeting.l.held_on", "date",
             shortcuts=(Option("hom nay", "meeting.o.today"), Option("hom qua", "meeting.o.yesterday"))),
        Step("kind", "meeting.q.kind", "meeting.l.kind", "choice", options=(
            Option("branch", "meeting.o.branch", ("sinh hoat", "sinh hoat chi doan", "chi doan", "sh", "shcd")),
            Option("committee", "meeting.o.committee", ("hop bch", "bch", "ban chap hanh", "hop ban chap hanh")),
        )),
        # Border-commune branches meet online as a rule (DOMAIN.md, 002); others in person.
        # Shown on the summary, so a monthly report is start, date, kind, count, save.
        Step("mode", "meeting.q.mode", "meeting.l.mode", "choice", on_summary=True,
             default=lambda ctx: "online" if ctx.unit.border else "in_person", options=(
            Option("in_person", "meeting.o.in_person", ("truc tiep", "tt", "gap mat", "offline")),
            Option("online", "meeting.o.online", ("truc tuyen", "online", "zalo", "zoom", "qua mang", "tu xa")),
            Option("hybrid", "meeting.o.hybrid", ("ket hop", "ca hai", "hybrid")),
        )),
        Step("attended", "meeting.q.attended", "meeting.l.attended", "count",
             limits={"maximum": 10_000}, confirm=_over_members),
        Step("note", "meeting.q.note", "meeting.l.note", "text", optional=True, on_summary=True,
             limits={"max_length": 500}),
    ),
    write=_write_meeting,
)


# --- 1+1 and recruitment ---------------------------------------------------------------------

def _periods(ctx: FormContext) -> tuple[Option, ...]:
    # the current half-year and year, and the half-year just ended for a late report
    half, whole = half_year(ctx.today), year(ctx.today)
    last = half.previous()
    return (
        Option(half.key, f"oneplusone.o.h{half.number}", ("6 thang", "sau thang", "nua nam", "ky nay"),
               {"year": half.year}),
        Option(whole.key, "oneplusone.o.year", ("ca nam", "tong ket nam"), {"year": whole.year}),
        Option(last.key, f"oneplusone.o.h{last.number}", ("ky truoc",), {"year": last.year}),
    )


def _participants(value: int, ctx: FormContext, answers: Answers) -> Confirm | None:
    if value > ctx.unit.members:
        return Confirm("oneplusone.confirm_participants", {"value": value, "members": ctx.unit.members},
                       "participants_over")
    return None


def _party(value: int, ctx: FormContext, answers: Answers) -> Confirm | None:
    ceiling = ctx.unit.members + (answers.get("new_members") or 0)
    if value > ceiling:
        return Confirm("oneplusone.confirm_party", {"value": value, "ceiling": ceiling}, "party_over")
    return None


def _write_recruitment(tx, ctx: FormContext, answers: Answers, report_id: int | None) -> int:
    if report_id is None:
        return tx.reports.save_recruitment(ctx.unit.id, ctx.person_id, dict(answers), ctx.now)
    tx.reports.update_recruitment(report_id, ctx.person_id, dict(answers), ctx.now)
    return report_id


ONE_PLUS_ONE = Form(
    name="oneplusone",
    version=1,
    title="oneplusone.title",
    saved="oneplusone.saved",
    steps=(
        Step("period", "oneplusone.q.period", "oneplusone.l.period", "choice", options=_periods),
        Step("participants", "oneplusone.q.participants", "oneplusone.l.participants", "count",
             limits={"maximum": 10_000}, confirm=_participants),
        Step("youth_reached", "oneplusone.q.youth_reached", "oneplusone.l.youth_reached", "count",
             limits={"maximum": 100_000}),
        Step("new_members", "oneplusone.q.new_members", "oneplusone.l.new_members", "count",
             limits={"maximum": 10_000}),
        Step("party_introduced", "oneplusone.q.party_introduced", "oneplusone.l.party_introduced", "count",
             limits={"maximum": 10_000}, confirm=_party),
    ),
    write=_write_recruitment,
)


# --- the branch's member count ---------------------------------------------------------------

MEMBER_REASONS = ("admitted", "moved_in", "moved_away", "grown_out", "struck_off", "other")


def _write_members(tx, ctx: FormContext, answers: Answers, report_id: int | None) -> int:
    tx.units.set_members(ctx.unit.id, answers["members"], answers["reason"],
                                     answers.get("note") or "", ctx.person_id, ctx.now)
    return ctx.unit.id


MEMBERS = Form(
    name="members",
    version=1,
    title="members.title",
    saved="members.saved",
    steps=(
        Step("members", "members.q.members", "members.l.members", "count", limits={"maximum": 10_000}),
        Step("reason", "members.q.reason", "members.l.reason", "choice", options=(
            Option("admitted", "members.o.admitted", ("ket nap", "ket nap moi", "moi ket nap")),
            Option("moved_in", "members.o.moved_in", ("chuyen den", "chuyen ve", "nhan sinh hoat")),
            Option("moved_away", "members.o.moved_away", ("chuyen di", "chuyen sinh hoat", "di lam xa")),
            Option("grown_out", "members.o.grown_out", ("truong thanh", "truong thanh doan", "qua tuoi", "het tuoi")),
            Option("struck_off", "members.o.struck_off", ("xoa ten", "khai tru", "dua ra khoi doan")),
            Option("other", "members.o.other", ("khac", "ly do khac")),
        )),
        Step("note", "members.q.note", "members.l.note", "text", optional=True, on_summary=True,
             limits={"max_length": 300}),
    ),
    write=_write_members,
)

FORMS: dict[str, Form] = {form.name: form for form in (MEETING, ONE_PLUS_ONE, MEMBERS)}


def meeting_answers(meeting) -> tuple[dict, dict]:
    """A saved meeting as form answers (and the flags it carries), to correct it."""
    answers = {"held_on": meeting.held_on.isoformat(), "kind": meeting.kind, "mode": meeting.mode,
               "attended": meeting.attended, "note": meeting.note or None}
    flags = {}
    if meeting.over_members:
        answers["over_members"] = True
        flags["attended"] = "over_members"
    return answers, flags


def recruitment_answers(report) -> tuple[dict, dict]:
    """A saved 1+1 report as form answers, to correct it."""
    answers = {"period": report.period, "participants": report.participants,
               "youth_reached": report.youth_reached, "new_members": report.new_members,
               "party_introduced": report.party_introduced}
    return answers, {}
