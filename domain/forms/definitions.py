"""The bot's forms: the meeting report, the 1+1 count and the member-count change.

Each is one `Form` value; its sentences live in `messages_vi` under the form's name.
"""

from __future__ import annotations

from datetime import date, timedelta

from domain import periods
from domain.forms.model import Answers, Confirm, Duplicate, Form, FormContext, Offer, Option, Step
from domain.periods import half_year, year
from domain.rules import meeting_window
from messages_vi import MESSAGES, period_name, t
from messages_vi.formatting import local_today, number, short_date

# --- which reports may still be corrected ---------------------------------------------------
# (the correction rule: /baocao, corrections and the forms all read it here)

# A report stays open for correction during its period and for a few days after it, since the
# last meeting of a month is often reported on the first days of the next. A report filed after
# that (confirmed as filed late) stays open for as many days after it was filed.
GRACE_DAYS = 10


def is_open(period: periods.Period, today: date) -> bool:
    """Whether a report of this period may still be filed on time, corrected or withdrawn."""
    return today <= period.end + timedelta(days=GRACE_DAYS)


def meeting_open(meeting, border: bool, today: date) -> bool:
    """Whether a saved meeting report may still be corrected or withdrawn on `today`: its window
    (month, or quarter for a border-commune branch) is open, or it was filed late recently."""
    if is_open(meeting_window(meeting.held_on, border), today):
        return True
    return bool(getattr(meeting, "filed_late", False)) and \
        today <= local_today(meeting.created_at) + timedelta(days=GRACE_DAYS)


def recruitment_open(report, today: date) -> bool:
    """Whether a 1+1 report may still be corrected or withdrawn: it counts for the period it names."""
    return is_open(periods.parse(report.period), today)


# --- the meeting report ----------------------------------------------------------------------

def _filed_late(value: date, ctx: FormContext, answers: Answers) -> Confirm | None:
    """A day of a window already closed: asked, and flagged as filed late when confirmed."""
    window = meeting_window(value, ctx.unit.border)
    if is_open(window, ctx.today):
        return None
    return Confirm("meeting.confirm_late",
                   {"day": short_date(value), "period": period_name(window.kind, window.year, window.number)},
                   "filed_late", yes="meeting.button.late_yes", no="meeting.button.late_no")


def _attended(value: int, ctx: FormContext, answers: Answers) -> Confirm | None:
    if value == 0:
        return Confirm("meeting.confirm_zero")
    if value > ctx.unit.members:
        return Confirm("meeting.confirm_over", {"attended": value, "members": ctx.unit.members}, "over_members")
    return None


def meeting_text(meeting) -> str:
    """A saved meeting in a few words: "Sinh hoạt chi đoàn ngày 20/11/2026, trực tiếp, 12 người"."""
    return t("meeting.in_words", kind=t(f"meeting.o.{meeting.kind}"), day=meeting.held_on,
             mode=t(f"meeting.o.{meeting.mode}").lower(), attended=number(meeting.attended))


def _same_meeting(tx, ctx: FormContext, answers: Answers, kept: list[int]) -> Duplicate | None:
    """A saved report of the same day and kind, other than those the person chose to keep."""
    if not isinstance(answers.get("held_on"), str) or not isinstance(answers.get("kind"), str):
        return None                    # a definition without them (an upgrade) has nothing to compare
    day = date.fromisoformat(answers["held_on"])
    for meeting in tx.reports.meetings_on(ctx.unit.id, day, answers["kind"]):
        if meeting.id not in kept:
            return Duplicate(meeting.id, meeting_text(meeting), meeting_open(meeting, ctx.unit.border, ctx.today))
    return None


def _write_meeting(tx, ctx: FormContext, answers: Answers, report_id: int | None) -> int:
    values = {**answers, "over_members": bool(answers.get("over_members")),
              "filed_late": bool(answers.get("filed_late")), "note": answers.get("note") or ""}
    if report_id is not None and tx.reports.get_meeting(report_id) is None:
        report_id = None               # withdrawn while being corrected: saved anew, never lost
    if report_id is None:
        return tx.reports.add_meeting(ctx.unit.id, ctx.person_id, values, ctx.now)
    tx.reports.update_meeting(report_id, ctx.person_id, values, ctx.now)
    return report_id


def _meeting_locked(tx, ctx: FormContext, report_id: int) -> bool:
    """Whether the saved meeting a correction changes has closed (one withdrawn is saved anew)."""
    meeting = tx.reports.get_meeting(report_id)
    return meeting is not None and not meeting_open(meeting, ctx.unit.border, ctx.today)


def _kind_shortcuts(ctx: FormContext) -> tuple[Option, ...]:
    # the other mode than the branch's usual one, in the same tap as the kind: a monthly report
    # of an online meeting is then as short as one in person
    if ctx.unit.border:
        return (Option("sinh hoat truc tiep", "meeting.o.branch_in_person"),
                Option("hop bch truc tiep", "meeting.o.committee_in_person"))
    return (Option("sinh hoat truc tuyen", "meeting.o.branch_online"),
            Option("hop bch truc tuyen", "meeting.o.committee_online"))


def _last_meetings(tx, ctx: FormContext) -> dict:
    """The branch's last meeting of each kind: its attendance and mode, offered when it reports
    the next one of that kind."""
    recalled = {}
    for kind in ("branch", "committee"):
        meeting = tx.reports.last_meeting(ctx.unit.id, kind)
        if meeting is not None:
            recalled[kind] = {"attended": meeting.attended, "mode": meeting.mode}
    return recalled


def _as_before(recalled, answers: Answers, ctx: FormContext) -> Offer | None:
    """ "Như lần trước: 18 đoàn viên, trực tiếp": the last meeting of the kind being reported."""
    last = recalled.get(answers.get("kind")) if isinstance(answers.get("kind"), str) else None
    if not isinstance(last, dict) or type(last.get("attended")) is not int or not isinstance(last.get("mode"), str):
        return None
    mode = f"meeting.o.{last['mode']}"
    return Offer({"attended": last["attended"], "mode": last["mode"]}, "meeting.o.as_before",
                 {"attended": number(last["attended"]), "mode": t(mode).lower() if mode in MESSAGES else last["mode"]})


MEETING = Form(
    name="meeting",
    version=1,
    title="meeting.title",
    saved="meeting.saved",
    steps=(
        Step("held_on", "meeting.q.held_on", "meeting.l.held_on", "date",
             shortcuts=(Option("hom nay", "meeting.o.today"), Option("hom qua", "meeting.o.yesterday")),
             confirm=_filed_late),
        Step("kind", "meeting.q.kind", "meeting.l.kind", "choice", options=(
            Option("branch", "meeting.o.branch", ("sinh hoat", "sinh hoat chi doan", "chi doan", "sh", "shcd",
                                                  "sinhhoat", "bao cao sinh hoat", "buoi sinh hoat")),
            Option("committee", "meeting.o.committee", ("hop bch", "bch", "ban chap hanh", "hop ban chap hanh")),
        ), shortcuts=_kind_shortcuts),
        # Border-commune branches meet online as a rule (DOMAIN.md, 002); others in person.
        # Shown on the summary, so a monthly report is start, date, kind, count, save; the other
        # mode is one of the kind's buttons ("Sinh hoạt trực tuyến"), or typed beside any answer.
        Step("mode", "meeting.q.mode", "meeting.l.mode", "choice", on_summary=True,
             default=lambda ctx: "online" if ctx.unit.border else "in_person", options=(
            Option("in_person", "meeting.o.in_person", ("truc tiep", "tt", "gap mat", "offline")),
            Option("online", "meeting.o.online", ("truc tuyen", "online", "zalo", "zoom", "qua mang", "tu xa",
                                                  "qua zalo", "qua zoom", "qua facebook", "qua messenger",
                                                  "google meet", "mang xa hoi")),
            Option("hybrid", "meeting.o.hybrid", ("ket hop", "ca hai", "hybrid")),
        )),
        Step("attended", "meeting.q.attended", "meeting.l.attended", "count",
             limits={"maximum": 10_000}, confirm=_attended, offer=_as_before,
             names=("nguoi", "ng", "doan vien", "dv", "dvtn", "ban", "tham du", "co mat", "tham gia", "nguoi du",
                    "nguoi tham du", "doan vien tham du", "dv tham du", "nguoi tham gia", "doan vien tham gia",
                    "dong chi", "dong chi du", "dong chi tham du")),
        Step("note", "meeting.q.note", "meeting.l.note", "text", optional=True, on_summary=True,
             limits={"max_length": 500}, names=("ghi chu", "noi dung sinh hoat", "chu de")),
    ),
    write=_write_meeting,
    duplicate=_same_meeting,
    starts=("sinh hoat", "sinh hoat chi doan", "bao cao sinh hoat", "buoi sinh hoat", "sh", "shcd", "sinhhoat",
            "hop bch", "bch", "hop ban chap hanh"),
    recall=_last_meetings,
    locked=_meeting_locked,
)


# --- 1+1 and recruitment ---------------------------------------------------------------------

def _periods(ctx: FormContext) -> tuple[Option, ...]:
    # the current half-year and year, and the half-year just ended for a late report
    half, whole = half_year(ctx.today), year(ctx.today)
    last = half.previous()
    # "6 tháng đầu năm" typed whole is that half, not the current one that "6 tháng" alone means
    return (
        Option(half.key, f"oneplusone.o.h{half.number}",
               ("6 thang", "sau thang", "nua nam", "ky nay", *_HALF_WORDS[half.number]), {"year": half.year}),
        Option(whole.key, "oneplusone.o.year", ("ca nam", "tong ket nam", "nam nay", "ca nam nay"),
               {"year": whole.year}),
        Option(last.key, f"oneplusone.o.h{last.number}", ("ky truoc", *_HALF_WORDS[last.number]),
               {"year": last.year}),
    )


_HALF_WORDS = {1: ("6 thang dau nam", "6 thang dau", "nua dau nam"),
               2: ("6 thang cuoi nam", "6 thang cuoi", "nua cuoi nam")}


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


def _last_recruitment(tx, ctx: FormContext) -> dict:
    """The branch's last 1+1 report: its period and how many members took part."""
    report = tx.reports.last_recruitment(ctx.unit.id)
    return {} if report is None else {"period": report.period, "participants": report.participants}


def _participants_before(recalled, answers: Answers, ctx: FormContext) -> Offer | None:
    """ "Như 6 tháng đầu năm 2026: 15 đoàn viên": who took part is much the same from one period to
    the next; what they achieved (youth reached, members admitted, introduced to the Party) is
    counted anew each period, so it is never offered."""
    period, count = recalled.get("period"), recalled.get("participants")
    if not isinstance(period, str) or type(count) is not int:
        return None
    try:
        shown = periods.parse(period)
    except ValueError:
        return None
    return Offer({"participants": count}, "oneplusone.o.as_before",
                 {"period": period_name(shown.kind, shown.year, shown.number), "participants": number(count)})


def recruitment_text(report) -> str:
    """A saved 1+1 report in a few words: "1+1 6 tháng đầu năm 2026: 12 tham gia, 30 thanh niên, ..."."""
    shown = periods.parse(report.period)
    return t("oneplusone.in_words", period=period_name(shown.kind, shown.year, shown.number),
             participants=number(report.participants), youth=number(report.youth_reached),
             new=number(report.new_members), party=number(report.party_introduced))


def _same_period(tx, ctx: FormContext, answers: Answers, kept: list[int]) -> Duplicate | None:
    """The branch's saved report of the same period (other than the one being corrected, in
    `kept`), once that period is closed. A period has one report, so saving corrects the saved one
    (`save_recruitment`): while its period is open that is the correction rule's to allow; after,
    the saved report stands and the new one is refused."""
    if not isinstance(answers.get("period"), str):
        return None
    report = tx.reports.recruitment_for(ctx.unit.id, answers["period"])
    if report is None or report.id in kept or recruitment_open(report, ctx.today):
        return None
    return Duplicate(report.id, recruitment_text(report), False, both=False, asks="oneplusone.duplicate")


def _recruitment_locked(tx, ctx: FormContext, report_id: int) -> bool:
    """Whether the saved 1+1 report a correction changes has closed (one withdrawn is saved anew)."""
    report = tx.reports.get_recruitment(report_id)
    return report is not None and not recruitment_open(report, ctx.today)


def _write_recruitment(tx, ctx: FormContext, answers: Answers, report_id: int | None) -> int:
    saved = tx.reports.get_recruitment(report_id) if report_id is not None else None
    if saved is not None and saved.period == answers["period"]:
        tx.reports.update_recruitment(report_id, ctx.person_id, dict(answers), ctx.now)
        return report_id
    # a new report; one withdrawn while being corrected (saved anew, never lost); or a correction
    # that names another period: its counts move there, as that period's report
    if saved is not None:
        tx.reports.delete_recruitment(saved.id, ctx.person_id, ctx.now)
    return tx.reports.save_recruitment(ctx.unit.id, ctx.person_id, dict(answers), ctx.now)


ONE_PLUS_ONE = Form(
    name="oneplusone",
    version=1,
    title="oneplusone.title",
    saved="oneplusone.saved",
    steps=(
        Step("period", "oneplusone.q.period", "oneplusone.l.period", "choice", options=_periods),
        Step("participants", "oneplusone.q.participants", "oneplusone.l.participants", "count",
             limits={"maximum": 10_000}, confirm=_participants, offer=_participants_before,
             names=("tham gia", "doan vien tham gia", "dv tham gia", "nguoi tham gia", "tham gia 1+1")),
        Step("youth_reached", "oneplusone.q.youth_reached", "oneplusone.l.youth_reached", "count",
             limits={"maximum": 100_000},
             names=("thanh nien", "tn", "van dong", "thanh nien duoc van dong", "duoc van dong", "tap hop",
                    "thanh nien tham gia")),
        Step("new_members", "oneplusone.q.new_members", "oneplusone.l.new_members", "count",
             limits={"maximum": 10_000},
             names=("vao doan", "ket nap", "ket nap doan", "ket nap doan vien", "doan vien moi", "dv moi",
                    "ket nap moi", "ket nap vao doan")),
        Step("party_introduced", "oneplusone.q.party_introduced", "oneplusone.l.party_introduced", "count",
             limits={"maximum": 10_000}, confirm=_party,
             names=("vao dang", "gioi thieu", "gioi thieu dang", "gioi thieu cho dang", "gioi thieu vao dang",
                    "uu tu", "doan vien uu tu", "dv uu tu")),
    ),
    write=_write_recruitment,
    duplicate=_same_period,
    # 1+1 brings a young person "into the Union or the Association, or into their activities"
    # (000 item 5, 002 note 2, 004 item 2.4): the form counts those reached in one number and has no
    # count of its own for the Association, so "3 vào hội" is explained, never added anywhere.
    starts=("1+1", "1 + 1", "1 +1", "1+ 1", "mot cong mot", "bao cao 1+1", "1 cong 1"),
    unheld={"vao hoi": "oneplusone.line.association", "hoi vien": "oneplusone.line.association",
            "vao hoi lhtn": "oneplusone.line.association", "ket nap hoi": "oneplusone.line.association",
            "hoi vien moi": "oneplusone.line.association"},
    recall=_last_recruitment,
    locked=_recruitment_locked,
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
    if getattr(meeting, "filed_late", False):
        answers["filed_late"] = True
        flags["held_on"] = "filed_late"
    return answers, flags


def recruitment_answers(report) -> tuple[dict, dict]:
    """A saved 1+1 report as form answers, to correct it."""
    answers = {"period": report.period, "participants": report.participants,
               "youth_reached": report.youth_reached, "new_members": report.new_members,
               "party_introduced": report.party_introduced}
    return answers, {}
