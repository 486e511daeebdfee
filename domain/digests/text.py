"""The digest as one message: sections separated by blank lines, long lists cut short.

The Telegram channel splits past 4,096 characters at line ends, so sections stay whole where
they can. Rolled up level by level: each unit directly under the digest's root has its line, and
its branches are named under it (domain.rules.names_its_branches) except in the Tỉnh đoàn's
digest, which counts its late units per Đoàn xã and names no single branch (the spreadsheet does,
and each Đoàn xã opens with a button or /tonghop and its name).
"""

from __future__ import annotations

from dataclasses import replace
from datetime import date
from functools import lru_cache
from typing import TYPE_CHECKING

from domain import periods
from domain.digests.compute import BranchLine, DeadlineLine, Digest, Flag, Group, Totals
from domain.rules import names_its_branches
from domain.three_active import digest as three_active
from messages_vi import MESSAGES, period_name, t
from messages_vi.formatting import date_time, number, percent, short_date

if TYPE_CHECKING:
    from storage.quota import Unsent

NAMES_SHOWN = 8          # branch names listed per status and group before "and N others"
FLAGS_SHOWN = 10         # flags listed per kind
TRAIL_SHOWN = 4          # changes listed per corrected report


def period_label(period: periods.Period) -> str:
    """A period in words ("month 6/2026" in Vietnamese), or the days of a week."""
    if period.kind == "week":
        return t("digest.period.week", start=short_date(period.start), end=short_date(period.end))
    return period_name(period.kind, period.year, period.number)


@lru_cache(maxsize=512)
def key_label(key: str) -> str:
    """A period key ("2026-Q2", "2026-H1+2026-H2") as words."""
    return " + ".join(period_label(periods.parse(part)) for part in key.split("+"))


def render(digest: Digest, units_offered: bool = True) -> str:
    """The whole digest: the branch's own summary for a branch, else the officer's; without
    `units_offered` (the pushed weekly digest has no unit to pick), a unit below is only typed."""
    head = [t("digest.title", period=period_label(digest.period), unit=digest.root.name),
            t("digest.as_of", day=short_date(min(digest.today, digest.period.end)))]
    if digest.root.level == "branch":
        body = _branch_sections(digest)
    elif not digest.branches:
        body = [t("digest.branches_none", unit=digest.root.name)]
    else:
        body = _officer_sections(digest, units_offered)
    if digest.three_active is not None:
        body.append(three_active.lines(digest.three_active))
    return "\n\n".join(["\n".join(head), *body])


def render_week(week: Digest, month: Digest, unsent: Unsent | None = None) -> str:
    """The Monday digest: what happened last week, then the month so far (or the whole month, once
    it has ended); with `unsent`, how many messages the monthly quota held back last week, and why."""
    totals = week.totals
    lines = [
        t("weekly.title", unit=week.root.name),
        t("weekly.week", start=short_date(week.period.start), end=short_date(week.period.end)),
        t("weekly.meetings", meetings=number(totals.branch_meetings),
          branches=number(sum(1 for b in week.branches if b.branch_meetings)),
          committee=number(totals.committee_meetings), attended=number(totals.attended)),
        t("weekly.corrections", count=number(len(week.flags_of("corrected")))),
    ]
    if week.deadlines:
        owed = [o for d in week.deadlines for o in d.owed]
        lines.append(t("weekly.late", late=number(sum(o.state == "late" for o in owed)),
                       confirmed=number(sum(o.state == "confirmed" for o in owed))))
    if unsent is not None and unsent.count:
        lines.append(t("weekly.quota_unsent", count=number(unsent.count), limit=number(unsent.quota)))
    heading = (t("weekly.month_closed", period=period_label(month.period)) if month.period.end < month.today
               else t("weekly.month"))
    return "\n".join(lines) + "\n\n" + heading + "\n" + render(month, units_offered=False)


# --- an officer's digest ------------------------------------------------------------------------

def _officer_sections(digest: Digest, units_offered: bool = True) -> list[str]:
    sections = []
    if digest.judged:
        sections.append(_compliance(digest))
    sections.append("\n".join(_activity(digest.totals)))
    sections.append(_oneplusone(digest))
    sections.append(_deadlines(digest))
    sections.append(_flags(digest))
    if not names_its_branches(digest.root):
        sections.append(t("digest.province_hint"))
    below = [g for g in digest.groups if g.id != digest.root.id]
    if below:
        sections.append(t("digest.open_hint" if units_offered else "digest.open_hint.typed", example=below[0].name))
    return sections


def _rate_line(key: str, totals: Totals, **extra) -> str:
    return t(key, compliant=number(totals.compliant), judged=number(totals.judged),
             rate=percent(totals.compliant, totals.judged), **extra)


def _compliance(digest: Digest) -> str:
    totals = digest.totals
    if not totals.judged:
        return t("digest.compliance.none")
    lines = [_rate_line("digest.compliance", totals)]
    if any(b.unit.border for b in digest.branches):
        lines.append(t("digest.compliance.rule_border"))
    named = names_its_branches(digest.root)
    alone = len(digest.groups) == 1
    for group in digest.groups:
        own = group.id == digest.root.id and not alone
        lines.append(_rate_line("digest.group.own" if own else "digest.group", group.totals, group=group.name))
        if named and group.leaf:
            lines += _status_names(group)
    return "\n".join(lines)


def _status_names(group: Group) -> list[str]:
    lines = []
    for status in ("met", "met_online", "not_met", "pending", "new"):
        branches = [b for b in group.branches if b.status == status]
        if branches:
            names = [_missed(b) if status == "not_met" else b.unit.name for b in branches]
            lines.append(t("digest.names", status=t(f"digest.status.{status}"), names=_cut(names, "digest.more")))
    return lines


def _missed(branch: BranchLine) -> str:
    missed = [key_label(w.key) for w in branch.windows if w.state == "missed"]
    return t("digest.missed", name=branch.unit.name, windows=", ".join(missed))


def _cut(names: list[str], more_key: str, shown: int = NAMES_SHOWN) -> str:
    if len(names) <= shown:
        return ", ".join(names)
    return t(more_key, names=", ".join(names[:shown]), count=number(len(names) - shown))


def _activity(totals: Totals) -> list[str]:
    lines = [t("digest.meetings", meetings=number(totals.branch_meetings), online=number(totals.online_meetings)),
             t("digest.committee", count=number(totals.committee_meetings))]
    if totals.members_then:
        lines.append(t("digest.attendance", attended=number(totals.attended), members=number(totals.members_then),
                       rate=percent(totals.attended, totals.members_then)))
    else:
        lines.append(t("digest.attendance.none"))
    if totals.meetings_held:
        lines.append(t("digest.evidence", with_photos=number(totals.meetings_with_photos),
                       meetings=number(totals.meetings_held), photos=number(totals.photos)))
    return lines


def _figures(key: str, figures, **extra) -> str:
    return t(key, participants=number(figures.participants), youth=number(figures.youth_reached),
             new=number(figures.new_members), party=number(figures.party_introduced), **extra)


def _oneplusone(digest: Digest) -> str:
    totals = digest.totals
    label = key_label(digest.oneplusone_keys[0])
    if not totals.oneplusone_reported:
        return t("digest.oneplusone.none", period=label)
    if digest.root.level == "branch":
        head = t("digest.oneplusone.mine", period=label)
    else:
        head = t("digest.oneplusone", period=label, reported=number(totals.oneplusone_reported),
                 branches=number(totals.branches))
    lines = [head,
             _figures("digest.oneplusone.figures", totals.oneplusone)]
    if len(digest.groups) > 1:
        lines.append(t("digest.oneplusone.group_head"))
        # the root's own line holds only the branches directly under it, as in the meetings' section
        lines += [_figures("digest.oneplusone.group_own" if g.id == digest.root.id else "digest.oneplusone.group",
                           g.totals.oneplusone, group=g.name) for g in digest.groups]
    return "\n".join(lines)


def _deadlines(digest: Digest) -> str:
    if not digest.deadlines:
        return t("digest.deadlines.none")
    lines = [t("digest.deadlines")]
    named = names_its_branches(digest.root)
    for deadline in digest.deadlines:
        lines += _deadline(deadline, named)
    return "\n".join(lines)


def _deadline(deadline: DeadlineLine, named: bool = True) -> list[str]:
    confirmed, late = deadline.with_state("confirmed"), deadline.with_state("late")
    upcoming = deadline.with_state("upcoming")
    lines = [t("digest.deadline", due=short_date(deadline.due), title=deadline.title,
               confirmed=number(len(confirmed)), count=number(len(deadline.owed)))]
    if late and named:
        lines.append(t("digest.deadline.late", names=_cut([o.name for o in late], "digest.deadline.more")))
    elif late:
        # rolled up: how many are late under each unit directly under the root, most first
        per_group: dict[str, int] = {}
        for owed in late:
            per_group[owed.group] = per_group.get(owed.group, 0) + 1
        counted = [t("digest.deadline.group_count", group=group, count=number(count))
                   for group, count in sorted(per_group.items(), key=lambda item: -item[1])]
        lines.append(t("digest.deadline.late_count", count=number(len(late)),
                       groups=_cut(counted, "digest.deadline.more_groups")))
    if upcoming:
        lines.append(t("digest.deadline.upcoming", count=number(len(upcoming))))
    return lines


def _flags(digest: Digest) -> str:
    if not digest.flags:
        return t("digest.flags.none")
    lines = [t("digest.flags")]
    for kind in ("over_members", "jump", "corrected", "filed_late", "unreachable", "no_secretary"):
        flags = digest.flags_of(kind)
        for flag in flags[:FLAGS_SHOWN]:
            # above a Đoàn xã, a branch's name alone ("Chi đoàn 12A1") is ambiguous: its group says which
            named = flag.branch if flag.group in ("", digest.root.name) else t("digest.flag.where", branch=flag.branch,
                                                                                 group=flag.group)
            lines += flag_lines(flag, named)
        if len(flags) > FLAGS_SHOWN:
            lines.append(t("digest.flag.more", count=number(len(flags) - FLAGS_SHOWN)))
    return "\n".join(lines)


def report_label(flag: Flag) -> str:
    if flag.subject == "meeting":
        return t("digest.report.meeting", day=short_date(date.fromisoformat(flag.report)))
    return t("digest.report.recruitment", period=key_label(flag.report))


def change_text(line) -> str:
    """One audit line as words: the field and its old and new value, or what was done."""
    if line.action == "update":
        return t("digest.flag.change", field=t(f"field.{line.field}"), old=value_text(line.field, line.old_value),
                 new=value_text(line.field, line.new_value))
    return t("digest.flag.deleted" if line.action == "delete" else "digest.flag.created")


def value_cell(field: str, stored: str | None) -> str | int:
    """A report field's value as kept in the audit ("in_person", "2026-11-03", "1000", "1"), as
    people read it: "Trực tiếp", "03/11/2026", a number; the spreadsheet's cell keeps a number."""
    if stored is None or stored == "":
        return t("digest.value.empty")
    if field == "held_on":
        try:
            return short_date(date.fromisoformat(stored))
        except ValueError:
            return stored
    if field in ("kind", "mode") and f"meeting.o.{stored}" in MESSAGES:
        return t(f"meeting.o.{stored}")
    if field == "over_members" and stored in ("0", "1"):
        return t("form.yes" if stored == "1" else "form.no")
    if stored.isdigit():
        return int(stored)
    return stored


def value_text(field: str, stored: str | None) -> str:
    """value_cell in a sentence: numbers with the thousands dot (1.000)."""
    value = value_cell(field, stored)
    return number(value) if isinstance(value, int) else value


def flag_lines(flag: Flag, branch: str | None = None) -> list[str]:
    """The lines of one flag; `branch`: how the branch is named (by default its name)."""
    flag = flag if branch is None else replace(flag, branch=branch)
    if flag.kind == "filed_late":
        return [t("digest.flag.filed_late", branch=flag.branch, report=report_label(flag), filed=short_date(flag.filed))]
    if flag.kind in ("over_members", "jump"):
        return [t(f"digest.flag.{flag.kind}", branch=flag.branch, day=short_date(flag.day),
                  attended=number(flag.attended), members=number(flag.members),
                  average=number(round(flag.average or 0)))]
    if flag.kind == "corrected":
        changes = [c for c in flag.trail if c.action != "create"][-TRAIL_SHOWN:]
        return [t("digest.flag.corrected", branch=flag.branch, report=report_label(flag))] + [
            t("digest.flag.trail", when=date_time(c.at), who=c.person_name or t("digest.someone"),
              change=change_text(c)) for c in changes]
    return [t(f"digest.flag.{flag.kind}", branch=flag.branch)]


# --- a branch's own summary -------------------------------------------------------------------------

def _branch_sections(digest: Digest) -> list[str]:
    if not digest.branches:
        return []
    branch = digest.branches[0]
    sections = []
    if digest.judged:
        sections.append(_own_compliance(branch))
    sections.append("\n".join(_activity(digest.totals)))
    sections.append(_oneplusone(digest))
    if digest.deadlines:
        lines = [t("digest.deadlines")]
        for deadline in digest.deadlines:
            for owed in deadline.owed:
                lines.append(t(f"digest.deadline.mine.{owed.state}", due=short_date(owed.due), title=deadline.title))
        sections.append("\n".join(lines))
    corrected = [line for flag in digest.flags for line in flag_lines(flag) if flag.kind in ("corrected", "filed_late", "over_members", "jump")]
    if corrected:
        sections.append("\n".join([t("digest.flags"), *corrected]))
    return sections


def _own_compliance(branch: BranchLine) -> str:
    if branch.status == "new":
        return t("digest.branch.new")
    word = t("digest.unit_word.quarter" if branch.unit.border else "digest.unit_word.month")
    if branch.status in ("met", "met_online"):
        return t(f"digest.branch.{branch.status}", met=branch.windows_met, judged=branch.windows_judged, unit_word=word)
    state = "missed" if branch.status == "not_met" else "open"
    windows = ", ".join(key_label(w.key) for w in branch.windows if w.state == state)
    return t(f"digest.branch.{branch.status}", windows=windows)
