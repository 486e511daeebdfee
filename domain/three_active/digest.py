"""What the digest of a level above shows of "3 chủ động": next year's registrations (reported
upward by 25/10, 004 step 2) and this year's recognitions (lists by 05/11, 000 item 3), in the
digests of their season (rules.digest_years). The digest's message and spreadsheet call
`lines` and `sheet` on the `Section` that compute.build reads here.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date

from domain import periods
from domain.deadlines.calendar import Calendar
from domain.three_active.rules import (
    DECISION_ITEM, RECEIVING_LEVELS, REPORT_ITEM, digest_years, due,
)
from messages_vi import t
from messages_vi.formatting import local_today, number
from storage import Storage
from storage.three_active import PlanLine

NAMES_SHOWN = 8               # unit names listed per line before "and N others"


@dataclass(frozen=True)
class Registering:
    """A unit that registers a plan, with its plans of the two years the section shows."""

    unit_id: int
    name: str
    above: str
    registration: PlanLine | None       # its plan for the registration year
    reviewed: PlanLine | None           # its plan for the recognition year


@dataclass(frozen=True)
class Section:
    registration_year: int
    report_due: date                    # the level above reports the registrations by then
    recognition_year: int
    decision_due: date                  # decisions and lists go up by then
    units: tuple[Registering, ...]
    top: bool = False                   # the digest's unit has none above: it receives the reports

    def registered(self) -> list[Registering]:
        return [u for u in self.units if u.registration is not None]

    def missing(self) -> list[Registering]:
        return [u for u in self.units if u.registration is None]

    def plans(self) -> list[Registering]:
        """The units with a plan for the recognition year."""
        return [u for u in self.units if u.reviewed is not None]


async def section(storage: Storage, root_id: int, period: periods.Period, names: Mapping[int, str],
                  calendar: Calendar | None) -> Section | None:
    """The section of a digest of the unit `root_id` for `period`; None out of season, while no
    unit anywhere registered a plan for its years, or for a unit with no unit below it that
    registers. `names`: unit id -> name, for the units above."""
    years = digest_years(calendar, period)
    if years is None or not await storage.three_active.in_use(years):
        return None                  # out of season, or a province that does not run the cycle here
    registering = await storage.three_active.registering_under(root_id, RECEIVING_LEVELS)
    plans = await storage.three_active.plans_under(root_id, years)
    if not registering and not plans:
        return None
    next_year, year = years
    by_unit: dict[tuple[int, int], PlanLine] = {(p.unit_id, p.year): p for p in plans}
    units = {u.id: (u.name, names.get(u.parent_id, "")) for u in registering}
    for plan in plans:               # a unit that has no branch now keeps its plan in the list
        units.setdefault(plan.unit_id, (plan.unit_name, plan.above))
    root = await storage.units.get(root_id)
    return Section(next_year, due(calendar, REPORT_ITEM, year), year, due(calendar, DECISION_ITEM, year), tuple(
        Registering(unit_id, name, above, by_unit.get((unit_id, next_year)), by_unit.get((unit_id, year)))
        for unit_id, (name, above) in units.items()), top=root is not None and root.parent_id is None)


def cut(names: list[str], shown: int = NAMES_SHOWN) -> str:
    """Names joined, the ones past `shown` counted: "A, B và 3 đơn vị khác"."""
    if len(names) <= shown:
        return ", ".join(names) or t("bcd.names_none")
    return t("bcd.names_more", names=", ".join(names[:shown]), count=number(len(names) - shown))


def lines(section: Section) -> str:
    """The section as the digest's message shows it."""
    registered, missing, plans = section.registered(), section.missing(), section.plans()
    out = [t("bcd.digest.title"),
           t("bcd.digest.registration_top" if section.top else "bcd.digest.registration",
             year=section.registration_year, due=section.report_due,
             count=number(len(registered)), total=number(len(section.units)))]
    if missing:
        out.append(t("bcd.digest.missing", names=cut([u.name for u in missing])))
    if not plans:
        out.append(t("bcd.digest.no_plans", year=section.recognition_year))
        return "\n".join(out)
    recognised = [u.name for u in plans if u.reviewed.recognised]
    out.append(t("bcd.digest.recognition", year=section.recognition_year, due=section.decision_due,
                 count=number(len(recognised)), total=number(len(plans))))
    if recognised:
        out.append(t("bcd.digest.recognised", names=cut(recognised)))
    refused = [u.name for u in plans if u.reviewed.recognised is False]
    if refused:
        out.append(t("bcd.digest.not_recognised", names=cut(refused)))
    pending = [u.name for u in plans if u.reviewed.recognised is None]
    if pending:
        out.append(t("bcd.digest.pending", names=cut(pending)))
    return "\n".join(out)


def sheet(section: Section) -> dict:
    """The section as one sheet of the digest's spreadsheet: the fields of its `Table`."""
    year, next_year = section.recognition_year, section.registration_year
    keys = ("unit", "above", "registered_on", "items", "result", "achieved")
    headers = tuple(t(f"bcd.xlsx.col.{key}", year=year, next_year=next_year) for key in keys)
    rows = []
    for unit in section.units:
        registration, reviewed = unit.registration, unit.reviewed
        rows.append((unit.name, unit.above or None,
                     local_today(registration.submitted_at) if registration else t("bcd.xlsx.missing"),
                     registration.items if registration else None,
                     _result(reviewed), f"{reviewed.achieved}/{reviewed.items}" if reviewed else None))
    return {"slug": "3-chu-dong", "name": t("bcd.xlsx.sheet"), "headers": headers,
            "formats": (None, None, "date", None, None, None),
            "rows": rows, "title": t("bcd.xlsx.title", year=year, next_year=next_year)}


def _result(plan: PlanLine | None) -> str:
    if plan is None:
        return t("bcd.xlsx.result.none")
    if plan.recognised is None:
        return t("bcd.xlsx.result.pending")
    return t(f"bcd.xlsx.result.{int(plan.recognised)}")
