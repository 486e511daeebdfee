"""/tonghop (the digest, with its chart) and /xuat (the spreadsheet, or CSV), for the asker's
own unit and the units under it, whatever their level; and the weekly digest's day, chosen with
a button.

A unit is named after the command by its code or its name ("/tonghop Tân Phú", "/tonghop doan xa
tan phu", domain.unit_names), or opened from a digest: each unit directly under the digest's one
has a button (the furthest behind first when there are many), and all of them are listed, page by
page, behind one more button.

Buttons: tg:<unit>:<period> a digest, tgm:<unit> pick a month, tgu:<unit>:<period>[:<page>] the
units directly under a unit, tx:<unit>:<period> the XLSX, tc:<unit>:<period> the CSV files,
tw[:<weekday>|:off] the weekly digest's day.
"""

from __future__ import annotations

import asyncio
import shutil
import tempfile
import time
from pathlib import Path

from domain import period_words, periods, unit_names
from domain.deadlines.calendar import load_calendar
from domain.digests import chart, compute, text, xlsx
from domain.digests.weekly import SEND_AT
from handlers.context import OFFICERS, Request, Route, Services
from domain.conversation import Action, Button, Reply, rows
from handlers.units import several, unit_in_scope
from messages_vi import t
from messages_vi.formatting import local_today
from storage.units import Unit

# Files sent as attachments: each request writes into a folder of its own under
# <out>/<code>-<period>/ (`out_dir`), so two requests for the same unit and period never share a file.
KEEP_SECONDS = 3600           # a request's folder is removed by a later request after this long
MONTHS_OFFERED = 12
DRILL_SHOWN = 12              # units under a digest's one with a button of their own; the rest behind "all"
PAGE_SIZE = 20                # units per page of that list
# No period starts before this year: nothing was reported then, and a year typed with a digit
# missing or a forged key ("0999", "0001-01") would reach dates the calendar cannot hold.
EARLIEST_YEAR = 2000


async def _target(services: Services, request: Request, arg: str,
                  route: str = "tg") -> tuple[Unit, periods.Period] | list[Reply]:
    """The unit and period named by "[CODE] [PERIOD]" (default: own unit, this month), in scope.
    The period as people type it: "thang 11", "tháng 11/2026", "quy 4", "nam 2026", "2026-11"..."""
    today = local_today(services.clock())
    named, words = period_words.read(arg, today)
    unit, period = request.identity.unit, named or periods.month(today)
    unknown = []
    for word in words:
        found = await services.storage.units.by_code(word.upper()) or await services.storage.units.by_code(word)
        if found is None:
            unknown.append(word)
        else:
            unit = found
    if unknown:
        return await _by_name(services, request, " ".join(unknown), period, route)
    return await _checked(services, request, unit.id, period)


async def _by_name(services: Services, request: Request, typed: str, period: periods.Period, route: str):
    """The unit of the asker's subtree named `typed`; several to pick from (each a button of
    `route`: a digest or a spreadsheet); or what can be typed."""
    mine = request.identity.unit
    scope = [mine, *await services.storage.units.below(mine.id)] if request.identity.is_officer else [mine]
    found = unit_names.find(scope, typed)
    if len(found) == 1:
        return await _checked(services, request, found[0].id, period)
    if not found:
        # the example names a unit the asker has: the first directly under theirs, else their own
        example = next((u for u in scope if u.parent_id == mine.id), mine)
        return [Reply(t("digest.bad_arg", arg=typed, command="/xuat" if route == "tx" else "/tonghop",
                        example=example.name))]
    return [several(typed, found, lambda unit: Action(route, (unit.id, period.key)))]


async def _checked(services, request, unit_id: int, period: periods.Period):
    unit = await unit_in_scope(services, request, unit_id)
    if unit is None:
        return [Reply(t("not_yours"))]
    if period.start > local_today(services.clock()):
        return [Reply(t("digest.future", period=text.period_label(period)))]
    if period.start.year < EARLIEST_YEAR:
        return [Reply(t("digest.too_old", year=EARLIEST_YEAR))]
    return unit, period


async def _from_button(services: Services, request: Request):
    unit_id = request.action.number(0)
    try:
        period = periods.parse(request.action.text(1))
    except ValueError:
        return [Reply(t("button_stale"))]
    if unit_id is None:
        return [Reply(t("button_stale"))]
    return await _checked(services, request, unit_id, period)


async def _build(services: Services, unit: Unit, period: periods.Period) -> compute.Digest:
    return await compute.build(services.storage, unit.id, period, local_today(services.clock()),
                               services.calendar or load_calendar())


def out_dir(services: Services) -> Path:
    """The folder attachments are written under: services.out_dir (DATA_DIR/out: the bot's wiring
    always sets it), else services.folder("out")."""
    return services.out_dir if services.out_dir is not None else services.folder("out")


def _file(services: Services, unit: Unit, period: periods.Period, suffix: str) -> Path:
    """A file name in a new folder of this request's own; older requests' folders are removed."""
    parent = out_dir(services) / f"{unit.code}-{period.key}"
    parent.mkdir(parents=True, exist_ok=True)
    remove_old_folders(parent)
    return Path(tempfile.mkdtemp(dir=parent)) / f"tonghop-{unit.code}-{period.key}{suffix}"


def remove_old_folders(parent: Path) -> None:
    # the file system's clock, not services.clock: folder times are the file system's
    cutoff = time.time() - KEEP_SECONDS
    for folder in parent.iterdir():
        try:
            if folder.stat().st_mtime < cutoff:
                shutil.rmtree(folder, ignore_errors=True)
        except FileNotFoundError:       # removed meanwhile by another request
            pass


# --- /tonghop ------------------------------------------------------------------------------------

async def show_digest(services: Services, request: Request) -> list[Reply]:
    """The digest of the asker's unit (or the one named) for this month (or the period named)."""
    target = await _target(services, request, request.arg)
    return target if isinstance(target, list) else await _digest(services, request, *target)


async def digest_button(services: Services, request: Request) -> list[Reply]:
    """Button tg:<unit>:<period>."""
    target = await _from_button(services, request)
    return target if isinstance(target, list) else await _digest(services, request, *target)


async def _digest(services: Services, request: Request, unit: Unit, period: periods.Period) -> list[Reply]:
    digest = await _build(services, unit, period)
    replies = [Reply(text.render(digest), _digest_buttons(services, request, digest))]
    if unit.level != "branch" and digest.branches:
        path = await asyncio.to_thread(lambda: chart.render(digest, _file(services, unit, period, ".png")))
        caption = t("digest.chart_caption", unit=unit.name, period=text.period_label(period))
        replies.append(Reply(caption, attachment=path, attachment_kind="photo"))
    return replies


def _digest_buttons(services: Services, request: Request, digest: compute.Digest):
    today = local_today(services.clock())
    unit_id, month = digest.root.id, periods.month(today)
    choices = [("digest.button.month", month), ("digest.button.last_month", month.previous()),
               ("digest.button.quarter", periods.quarter(today)), ("digest.button.half", periods.half_year(today)),
               ("digest.button.year", periods.year(today))]
    buttons = [Button(t(label), Action("tg", (unit_id, p.key))) for label, p in choices if p != digest.period]
    buttons.append(Button(t("digest.button.pick_month"), Action("tgm", (unit_id,))))
    drill = [Button(g.name, Action("tg", (g.id, digest.period.key))) for g in drilled(digest)]
    below = [g for g in digest.groups if g.id != unit_id]
    if len(below) > len(drill):
        drill.append(Button(t("digest.button.all_below", count=len(below)), Action("tgu", (unit_id, digest.period.key))))
    mine = request.identity.unit
    if digest.root.id != mine.id and digest.root.parent_id and digest.chain[-2:-1]:
        parent = digest.chain[-2]
        drill.append(Button(t("digest.button.up", name=parent.name), Action("tg", (parent.id, digest.period.key))))
    actions = [Button(t("digest.button.export"), Action("tx", (unit_id, digest.period.key)))]
    if request.identity.is_officer:
        actions.append(Button(t("digest.button.weekly"), Action("tw")))
    return rows(*buttons, width=3) + rows(*drill) + rows(*actions)


def drilled(digest: compute.Digest) -> list[compute.Group]:
    """The units directly under the digest's one that get a button: all of them up to DRILL_SHOWN,
    else the DRILL_SHOWN furthest behind (lowest share of branches meeting the rule), in the
    digest's order."""
    below = [g for g in digest.groups if g.id != digest.root.id]
    if len(below) <= DRILL_SHOWN:
        return below
    behind = sorted(below, key=lambda g: (g.totals.compliant / g.totals.judged if g.totals.judged else 1.0,
                                          -g.totals.judged))
    kept = {g.id for g in behind[:DRILL_SHOWN]}
    return [g for g in below if g.id in kept]


async def units_below(services: Services, request: Request) -> list[Reply]:
    """Button tgu:<unit>:<period>[:<page>]: the units directly under a unit, a page at a time,
    each opening its digest of that period."""
    target = await _from_button(services, request)
    if isinstance(target, list):
        return target
    unit, period = target
    children = [u for u in await services.storage.units.children(unit.id) if u.level != "branch"]
    pages = max(1, -(-len(children) // PAGE_SIZE))
    page = min(max(0, request.action.number(2) or 0), pages - 1)
    shown = children[page * PAGE_SIZE:(page + 1) * PAGE_SIZE]
    buttons = rows(*(Button(u.name, Action("tg", (u.id, period.key))) for u in shown))
    nav = []
    if page > 0:
        nav.append(Button(t("units.prev"), Action("tgu", (unit.id, period.key, page - 1))))
    if page + 1 < pages:
        nav.append(Button(t("units.next"), Action("tgu", (unit.id, period.key, page + 1))))
    said = t("digest.pick_below", unit=unit.name, period=text.period_label(period))
    if pages > 1:
        said += "\n" + t("units.page", page=page + 1, pages=pages)
    return [Reply(said, buttons + rows(*nav))]


async def pick_month(services: Services, request: Request) -> list[Reply]:
    """Button tgm:<unit>: the months before this one, to pick from."""
    unit_id = request.action.number(0)
    unit = await unit_in_scope(services, request, unit_id) if unit_id is not None else None
    if unit is None:
        return [Reply(t("not_yours"))]
    month = periods.month(local_today(services.clock()))
    offered = []
    for _ in range(MONTHS_OFFERED):
        month = month.previous()
        offered.append(Button(t("digest.button.month_of", month=month.number, year=month.year),
                              Action("tg", (unit.id, month.key))))
    return [Reply(t("digest.pick_month", unit=unit.name), rows(*offered, width=3))]


# --- /xuat ------------------------------------------------------------------------------------------

async def export(services: Services, request: Request) -> list[Reply]:
    """The spreadsheet of the asker's unit (or the one named) for this month (or the period named)."""
    target = await _target(services, request, request.arg, "tx")
    return target if isinstance(target, list) else await _xlsx(services, *target)


async def export_button(services: Services, request: Request) -> list[Reply]:
    """Button tx:<unit>:<period>."""
    target = await _from_button(services, request)
    return target if isinstance(target, list) else await _xlsx(services, *target)


async def _xlsx(services: Services, unit: Unit, period: periods.Period) -> list[Reply]:
    digest = await _build(services, unit, period)
    path = await asyncio.to_thread(lambda: xlsx.write_xlsx(digest, _file(services, unit, period, ".xlsx")))
    caption = t("export.caption", unit=unit.name, period=text.period_label(period))
    return [Reply(caption, rows(Button(t("digest.button.csv"), Action("tc", (unit.id, period.key)))), attachment=path)]


async def csv_button(services: Services, request: Request) -> list[Reply]:
    """Button tc:<unit>:<period>: one CSV file per sheet."""
    target = await _from_button(services, request)
    if isinstance(target, list):
        return target
    unit, period = target
    digest = await _build(services, unit, period)
    paths = await asyncio.to_thread(lambda: xlsx.write_csv(digest, _file(services, unit, period, "")))
    names = [table.name for table in xlsx.tables(digest)]
    return [Reply(t("export.csv_caption", sheet=name, unit=unit.name, period=text.period_label(period)),
                  attachment=path) for name, path in zip(names, paths)]


# --- the weekly digest's day ------------------------------------------------------------------------

async def weekly_settings(services: Services, request: Request) -> list[Reply]:
    """Button tw (show), tw:<0-6> (send on that day), tw:off (stop)."""
    person = request.identity.person.id
    now = services.clock()
    choice = request.action.text(0)
    if choice == "off":
        current = await services.storage.digests.pref(person)
        await services.storage.digests.set_pref(person, current.weekday, False, now)
    elif request.action.number(0) is not None and 0 <= request.action.number(0) < 7:
        await services.storage.digests.set_pref(person, request.action.number(0), True, now)
    elif choice:
        return [Reply(t("button_stale"))]
    pref = await services.storage.digests.pref(person)
    weekday = t(f"weekly.weekday.{pref.weekday}")
    state = t("weekly.state.on", weekday=weekday) if pref.enabled else t("weekly.state.off")
    lines = [t("weekly.settings", state=state, time=SEND_AT.strftime("%H:%M"))]
    if choice:
        lines.insert(0, t("weekly.saved.on", weekday=weekday) if pref.enabled else t("weekly.saved.off"))
    days = [Button(t(f"weekly.weekday.{d}"), Action("tw", (d,))) for d in range(7) if not (pref.enabled and d == pref.weekday)]
    off = [Button(t("weekly.button.off"), Action("tw", ("off",)))] if pref.enabled else []
    return [Reply("\n".join(lines), rows(*days, width=4) + rows(*off))]


COMMANDS = {
    "tonghop": Route(show_digest),
    "xuat": Route(export),
}
BUTTONS = {
    "tg": Route(digest_button),
    "tgm": Route(pick_month),
    "tgu": Route(units_below, OFFICERS),
    "tx": Route(export_button),
    "tc": Route(csv_button),
    "tw": Route(weekly_settings, OFFICERS),
}
