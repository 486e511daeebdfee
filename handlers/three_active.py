"""/bachudong: "3 chủ động" (seed 004) in the chat.

A grassroots unit's officer registers next year's plan, part by part (domain/three_active/plan.py;
its state is in storage between messages), and gets it as a Word file. An officer of a unit above
follows who has registered (the calendar's reminders nudge the others), reviews each item as
Đạt / Chưa đạt, decides the recognition, and gets the decision with its attached list as a Word
file. Typed text goes to the conversation the person touched last (`take_text`, which the router
asks before reading typed commands).

Buttons, prefix "ba":
  ba:o                        my unit's plan: start it, go on with it, or see it
  ba:c                        correct my unit's plan (until its first item is reviewed)
  ba:p:<session>:<at>:<code>  a button of the plan being typed (at: its part, "s"ummary, "n"umber)
  ba:f[:<year>]               the units below mine: who registered, the reviews
  ba:l:<year>                 the plans registered for a year, to open one
  ba:v:<plan>                 one plan, with its Word file
  ba:rv:<plan>[:1]            review a plan (with 1: from its first item)
  ba:m:<item>:<1|0>           an item Đạt / Chưa đạt
  ba:h:<plan>                 stop reviewing for now
  ba:rc:<plan>:<1|0>          recognised, or not
  ba:q:<year>                 my unit's recognition decision for a year (its number asked first)
  ba:qn:<session>:<k|x>       the decision without a number / not now
"""

from __future__ import annotations

import asyncio
import re
import tempfile
from pathlib import Path

from domain.conversation import Action, Button, Reply, rows
from domain.deadlines.calendar import load_calendar
from domain.three_active import documents, plan as drafting, review
from domain.three_active.digest import cut
from domain.three_active.rules import (
    PARTS, RECEIVING_LEVELS, REGISTRATION_ITEM, registration_due, registration_occurrence, registration_year,
    review_year,
)
from domain.textnorm import fold
from handlers.context import OFFICERS, Request, Route, Services
from handlers.digests import remove_old_folders, out_dir
from handlers.units import unit_in_scope
from messages_vi import t
from messages_vi.formatting import date_time, local_today, number
from storage.three_active import Locked, Plan, PlanLine, Session
from storage.units import Unit

REVIEW_BUTTONS = 8            # plans awaiting review offered as buttons in the follow-up
LISTED = 24                   # plans offered in a year's list
_YEAR = re.compile(r"20\d\d")


def _home() -> Button:
    return Button(t("menu.home"), Action.command("menu"))


def _follow_button(year: int | None = None) -> Button:
    return Button(t("bcd.button.follow"), Action("ba", ("f", year) if year else ("f",)))


async def _path(services: Services, unit: Unit) -> list[str]:
    """The names from the root down to the unit."""
    return [u.name for u in await services.storage.units.chain(unit.id)]


async def _above(services: Services, unit: Unit) -> str:
    names = await _path(services, unit)
    return names[-2] if len(names) > 1 else t("bcd.doc.above_none")


def _file(services: Services, unit: Unit, name: str) -> Path:
    """A file name in a new folder of this request's own; older requests' folders are removed."""
    parent = out_dir(services) / "3-chu-dong" / re.sub(r"[^A-Za-z0-9_-]", "-", unit.code)
    parent.mkdir(parents=True, exist_ok=True)
    remove_old_folders(parent)
    return Path(tempfile.mkdtemp(dir=parent)) / name


def _parts(plan: Plan) -> list[list[str]]:
    return [[item.text for item in plan.items if item.part == part] for part in PARTS]


# --- /bachudong ------------------------------------------------------------------------------------

async def show(services: Services, request: Request) -> list[Reply]:
    """/bachudong [year]: the units below mine, else my unit's own plan (the one being typed)."""
    if not request.identity.is_officer:            # a branch carries the plan of the unit above it out
        return [Reply(t("bcd.for_branches"), rows(_home()))]
    arg = request.arg.strip()
    if arg and not _YEAR.fullmatch(arg):
        return [Reply(t("bcd.bad_year", text=arg))]
    mine, store = request.identity.unit, services.storage.three_active
    if await store.registering_under(mine.id, RECEIVING_LEVELS):      # its own plan: a button there
        return [await _follow(services, request, int(arg) if arg else None)]
    if await store.registers(mine.id, RECEIVING_LEVELS):
        return await _own(services, request)
    return [Reply(t("bcd.not_for_you", unit=mine.name))]


# --- my unit's plan --------------------------------------------------------------------------------

async def _own(services: Services, request: Request) -> list[Reply]:
    """My unit's plan for the registration year: typed anew, gone on with, or shown."""
    mine, person, store = request.identity.unit, request.identity.person.id, services.storage.three_active
    if not await store.registers(mine.id, RECEIVING_LEVELS):
        return [Reply(t("bcd.plan.not_registering", unit=mine.name))]
    draft = await store.session(person, "plan")
    if draft is not None:
        return [await _render_draft(services, request, draft, resumed=True)]
    today = local_today(services.clock())
    year = registration_year(today)
    saved = await store.plan(mine.id, year)
    # the plan being carried out this year, once the level above reviews it: how it stands
    current = await store.plan(mine.id, review_year(today)) if year != review_year(today) else None
    replies = [Reply(t("bcd.plan.this_year", year=current.year, status=_status(current)))] \
        if current is not None and not current.correctable else []
    if saved is None:
        draft = await store.begin(person, drafting.new_state(mine.id, year), services.clock())
        return replies + [await _render_draft(services, request, draft)]
    return replies + await _plan_view(services, request, saved, mine)


async def fix(services: Services, request: Request) -> list[Reply]:
    """Correct my unit's plan: the saved one opens at its summary."""
    mine, store = request.identity.unit, services.storage.three_active
    saved = await store.plan(mine.id, registration_year(local_today(services.clock())))
    if saved is None:
        return await _own(services, request)
    if not saved.correctable:
        return [Reply(t("bcd.plan.locked", year=saved.year, unit=mine.name), rows(_home()))]
    state = drafting.new_state(mine.id, saved.year, _parts(saved), saved.number, drafting.sent_mark(saved))
    draft = await store.begin(request.identity.person.id, state, services.clock())
    return [await _render_draft(services, request, draft)]


async def _render_draft(services: Services, request: Request, draft: Session, notice: str | None = None,
                        params: dict | None = None, resumed: bool = False) -> Reply:
    if resumed:
        notice, params = "bcd.plan.resumed", {"year": draft.state["year"], "when": date_time(draft.updated_at)}
    unit = request.identity.unit
    return drafting.render(draft.state, draft.id, unit.name, await _above(services, unit), notice, params)


async def plan_button(services: Services, request: Request) -> list[Reply]:
    """ba:p:<session>:<at>:<code>: a button of the plan being typed."""
    session_id, at = request.action.number(1), request.action.text(2)
    event = drafting.event_of(request.action.text(3))
    if session_id is None or event is None:
        return [Reply(t("button_stale"))]
    return await _step(services, request, event, (session_id, at))


async def _step(services: Services, request: Request, event: drafting.Event,
                pressed: tuple[int, str] | None = None) -> list[Reply]:
    """One thing done to the plan being typed, stored (and the plan sent, when it is) before the reply."""
    identity = request.identity
    outcome, value, result = await services.storage.atomic(_apply, identity, event, pressed, services.clock())
    unit = identity.unit
    if outcome == "gone":
        return [Reply(t("bcd.plan.gone"), rows(_home()))]
    if outcome == "moved":
        return [await _render_draft(services, request, value, "button_stale")]
    if outcome == "cancel":
        return [Reply(t("bcd.plan.cancelled"), rows(_home()))]
    if outcome == "locked":
        return [Reply(t("bcd.plan.locked", year=result.state["year"], unit=unit.name), rows(_home()))]
    if outcome in ("sent", "corrected"):
        return [await _sent(services, request, value, outcome)]
    if outcome == "overtaken":
        plan = await services.storage.three_active.plan(unit.id, value.state["year"])
        sender = await services.storage.people.get(plan.person_id)
        return [await _render_draft(services, request, value, "bcd.plan.overtaken", {
            "year": value.state["year"], "unit": unit.name, "when": date_time(plan.updated_at),
            "who": sender.display_name if sender else t("bcd.someone"), "sent": drafting.parts_text(_parts(plan))})]
    return [await _render_draft(services, request, value, result.notice, result.params)]


def _apply(tx, identity, event: drafting.Event, pressed: tuple[int, str] | None, now) -> tuple:
    """In one transaction, the plan being typed after `event` (for a button, `pressed`: its
    conversation and where the plan stood when it was shown): (outcome, draft or plan, result)."""
    draft = tx.three_active.session(identity.person.id, "plan")
    if draft is not None and draft.state["unit"] != identity.unit.id:
        tx.three_active.end(draft.id)                  # made in a unit the person no longer holds
        draft = None
    if draft is None or (pressed and draft.id != pressed[0]):
        return "gone", None, None
    if pressed and drafting.position_code(draft.state["at"]) != pressed[1]:
        return "moved", draft, None
    result = drafting.advance(draft.state, event)
    if result.outcome == "send":
        stored = tx.three_active.plan(draft.state["unit"], draft.state["year"])
        if drafting.overtaken(draft.state, stored):
            # kept, now based on what was sent meanwhile: sending again replaces it, knowingly
            draft = tx.three_active.save(draft.id, draft.version, {**draft.state, "base": drafting.sent_mark(stored)}, now)
            return "overtaken", draft, result
    if result.outcome == "continue":
        if result.state != draft.state:
            draft = tx.three_active.save(draft.id, draft.version, result.state, now)
        return "continue", draft, result
    tx.three_active.end(draft.id)
    if result.outcome == "cancel":
        return "cancel", None, result
    return (*_submit(tx, result.state, identity.person.id, now), result)


def _submit(tx, state: dict, person_id: int, now) -> tuple[str, Plan | None]:
    """The plan registered (or corrected), and the calendar's 15/10 item confirmed for its unit,
    which stops its reminders; "locked" when the level above began reviewing it meanwhile."""
    corrected = tx.three_active.plan(state["unit"], state["year"]) is not None
    try:
        saved = tx.three_active.submit(state["unit"], state["year"], person_id, state["number"], state["parts"], now)
    except Locked:
        return "locked", None
    tx.deadlines.confirm(state["unit"], REGISTRATION_ITEM, registration_occurrence(state["year"]), person_id, now)
    return "corrected" if corrected else "sent", saved


async def _sent(services: Services, request: Request, saved: Plan, outcome: str) -> Reply:
    unit = request.identity.unit
    path = await _plan_file(services, saved, unit)
    text = t(f"bcd.plan.{outcome}", year=saved.year, unit=unit.name, above=await _above(services, unit))
    return Reply(text, rows(_home(), Button(t("bcd.button.fix"), Action("ba", ("c",)))), attachment=path)


async def _plan_file(services: Services, saved: Plan, unit: Unit) -> Path:
    head = documents.letterhead(await _path(services, unit))
    target = _file(services, unit, f"ke-hoach-3-chu-dong-{saved.year}-{unit.code}.docx")
    day = local_today(saved.updated_at)
    return await asyncio.to_thread(documents.write_plan, target, head, saved.year, saved.number, _parts(saved), day)


def _status(saved: Plan) -> str:
    if saved.recognised is not None:
        return t(f"bcd.plan.status.{int(saved.recognised)}", achieved=saved.achieved, items=len(saved.items))
    if saved.reviewed:
        return t("bcd.plan.status.reviewing", reviewed=saved.reviewed, items=len(saved.items))
    return t("bcd.plan.status.waiting")


async def _plan_view(services: Services, request: Request, saved: Plan, unit: Unit) -> list[Reply]:
    """A saved plan in full, its Word file attached; its unit may correct it, the level above review it."""
    own = unit.id == request.identity.unit.id
    registering = saved.year == registration_year(local_today(services.clock()))
    text = t("bcd.plan.view", year=saved.year, unit=unit.name, number=drafting.number_line(saved.number),
             sent=local_today(saved.submitted_at), status=_status(saved), parts=drafting.parts_text(_parts(saved)))
    buttons = []
    if own and registering and saved.correctable:
        buttons.append(Button(t("bcd.button.fix"), Action("ba", ("c",))))
    if not own:
        buttons += [Button(t("bcd.button.review", unit=unit.name), Action("ba", ("rv", saved.id))),
                    _follow_button(saved.year)]
    path = await _plan_file(services, saved, unit)
    return [Reply(text, rows(*buttons, _home(), width=1)),
            Reply(t("bcd.plan.caption", year=saved.year, unit=unit.name), attachment=path)]


async def view(services: Services, request: Request) -> list[Reply]:
    """ba:v:<plan>: one plan of my unit or of a unit below it."""
    saved = await services.storage.three_active.plan_by_id(request.action.number(1) or 0)
    if saved is None:
        return [Reply(t("button_stale"))]
    unit = await unit_in_scope(services, request, saved.unit_id)
    if unit is None:
        return [Reply(t("not_yours"))]
    return await _plan_view(services, request, saved, unit)


# --- the units below mine ---------------------------------------------------------------------------

async def follow(services: Services, request: Request) -> list[Reply]:
    """ba:f[:<year>]: who registered, and the reviews."""
    year = request.action.number(1)
    if year and not _YEAR.fullmatch(str(year)):          # a year no button offers: forged or garbled
        return [Reply(t("button_stale"))]
    return [await _follow(services, request, year)]


async def _follow(services: Services, request: Request, year: int | None) -> Reply:
    """Who registered for the registration year, how the plans of the review year stand (a year
    asked for: both of that year), and the buttons to go on."""
    mine, store = request.identity.unit, services.storage.three_active
    today = local_today(services.clock())
    registration, reviewed = (year, year) if year else (registration_year(today), review_year(today))
    below = await store.registering_under(mine.id, RECEIVING_LEVELS)
    plans = await store.plans_under(mine.id, sorted({registration, reviewed}))
    registered = {p.unit_id for p in plans if p.year == registration}
    this_year = [p for p in plans if p.year == reviewed]
    lines = [t("bcd.follow.title", unit=mine.name), "",
             *await _registration_lines(services, below, registered, registration), "",
             *_review_lines(this_year, reviewed), "", t("bcd.follow.other_year", year=reviewed - 1)]
    buttons = [Button(t("bcd.button.review", unit=p.unit_name), Action("ba", ("rv", p.plan_id)))
               for p in this_year if p.recognised is None][:REVIEW_BUTTONS]
    if any(p.recognised and p.decided_unit == mine.id for p in this_year):
        buttons.append(Button(t("bcd.button.decision", year=reviewed), Action("ba", ("q", reviewed))))
    if registered:
        buttons.append(Button(t("bcd.button.plans", year=registration), Action("ba", ("l", registration))))
    if await store.registers(mine.id, RECEIVING_LEVELS):
        buttons.append(Button(t("bcd.button.own", unit=mine.name), Action("ba", ("o",))))
    # never without a choice: on Zalo a screen with none leaves the previous menu open, and a "1"
    # typed here would pick from it (a weekday of the digest, a nudge)
    return Reply("\n".join(lines), rows(*buttons, _home(), width=1))


async def _registration_lines(services: Services, below: list[Unit], registered: set[int], year: int) -> list[str]:
    done = [u.name for u in below if u.id in registered]
    # a unit with no plan in the bot may have registered on paper and said so ("Đã nộp" in /lich)
    occurrence, confirmed, missing = registration_occurrence(year), [], []
    for unit in (u for u in below if u.id not in registered):
        said = await services.storage.deadlines.answered(unit.id, REGISTRATION_ITEM, occurrence)
        (confirmed if said else missing).append(unit.name)
    due = registration_due(_calendar(services), year)
    lines = [t("bcd.follow.registration", year=year, due=due, count=number(len(done)), total=number(len(below)))]
    if done:
        lines.append(t("bcd.follow.registered", names=cut(done)))
    if confirmed:
        lines.append(t("bcd.follow.confirmed_only", names=cut(confirmed)))
    if missing:
        late = due < local_today(services.clock())
        lines += [t("bcd.follow.missing_late" if late else "bcd.follow.missing", names=cut(missing)),
                  t("bcd.follow.nudged")]
    return lines


def _review_lines(plans: list[PlanLine], year: int) -> list[str]:
    if not plans:
        return [t("bcd.follow.no_plans", year=year)]
    lines = [t("bcd.follow.review", year=year, decided=number(sum(p.recognised is not None for p in plans)),
               total=number(len(plans)))]
    recognised = [p.unit_name for p in plans if p.recognised]
    refused = [p.unit_name for p in plans if p.recognised is False]
    waiting = [t("bcd.follow.pending_name", unit=p.unit_name, reviewed=p.reviewed, items=p.items)
               for p in plans if p.recognised is None]
    for key, names in (("recognised", recognised), ("not_recognised", refused), ("pending", waiting)):
        if names:
            lines.append(t(f"bcd.follow.{key}", names=cut(names)))
    return lines


def _calendar(services: Services):
    return services.calendar or load_calendar()


async def listing(services: Services, request: Request) -> list[Reply]:
    """ba:l:<year>: the plans registered for a year under my unit, to open one."""
    year = request.action.number(1)
    if year is None:
        return [Reply(t("button_stale"))]
    plans = await services.storage.three_active.plans_under(request.identity.unit.id, [year])
    if not plans:
        return [Reply(t("bcd.list.none", year=year), rows(_follow_button()))]
    buttons = [Button(t("bcd.button.view", unit=p.unit_name), Action("ba", ("v", p.plan_id))) for p in plans[:LISTED]]
    return [Reply(t("bcd.list.title", year=year, count=number(len(plans))), rows(*buttons, width=1))]


# --- reviewing and deciding -------------------------------------------------------------------------

async def _reviewable(services: Services, request: Request, plan_id: int | None) -> tuple[Plan, Unit] | list[Reply]:
    """The plan and its unit, when the asker is an officer of a unit above it."""
    saved = await services.storage.three_active.plan_by_id(plan_id) if plan_id is not None else None
    if saved is None:
        return [Reply(t("button_stale"))]
    unit = await unit_in_scope(services, request, saved.unit_id)
    if unit is None:
        return [Reply(t("not_yours"))]
    if unit.id == request.identity.unit.id:
        return [Reply(t("bcd.review.own"))]
    return saved, unit


async def start_review(services: Services, request: Request) -> list[Reply]:
    """ba:rv:<plan>[:1]: the first item not reviewed yet (or the first of all), or the tally."""
    found = await _reviewable(services, request, request.action.number(1))
    if isinstance(found, list):
        return found
    saved, unit = found
    if saved.recognised is not None:
        return [review.tally_reply(saved, unit.name)]
    item = saved.items[0] if request.action.text(2) == "1" else review.first_open(saved)
    if item is None:
        return [review.tally_reply(saved, unit.name)]
    await services.storage.three_active.begin(request.identity.person.id,
                                              {"kind": "review", "plan": saved.id, "item": item.id}, services.clock())
    return [review.item_reply(saved, item, unit.name)]


async def mark_button(services: Services, request: Request) -> list[Reply]:
    """ba:m:<item>:<1|0>."""
    item_id, value = request.action.number(1), request.action.number(2)
    if item_id is None or value not in (0, 1):
        return [Reply(t("button_stale"))]
    return await _mark(services, request, item_id, bool(value))


async def _mark(services: Services, request: Request, item_id: int, achieved: bool) -> list[Reply]:
    """Record one item's mark, then show the next item (or the tally after the last)."""
    mine, person, now = request.identity.unit, request.identity.person.id, services.clock()

    def write(tx):
        saved = tx.three_active.plan_of_item(item_id)
        unit = tx.units.get(saved.unit_id) if saved is not None else None
        if unit is None:
            return "button_stale", None, None, None
        if not mine.contains(unit):
            return "not_yours", None, None, None
        if unit.id == mine.id:
            return "bcd.review.own", None, None, None
        if saved.recognised is not None:
            return "bcd.review.locked", saved, unit, None
        saved = tx.three_active.mark(item_id, achieved, person, now)
        following = review.after(saved, item_id)
        cursor = tx.three_active.session(person, "review")
        if following is None:
            if cursor is not None:
                tx.three_active.end(cursor.id)
        elif cursor is None:
            tx.three_active.begin(person, {"kind": "review", "plan": saved.id, "item": following.id}, now)
        else:
            tx.three_active.save(cursor.id, cursor.version, {"kind": "review", "plan": saved.id,
                                                            "item": following.id}, now)
        return None, saved, unit, following

    refusal, saved, unit, following = await services.storage.atomic(write)
    if refusal == "bcd.review.locked":
        return [review.tally_reply(saved, unit.name, t(refusal))]
    if refusal:
        return [Reply(t(refusal))]
    if following is None:
        return [review.tally_reply(saved, unit.name)]
    return [review.item_reply(saved, following, unit.name)]


async def pause(services: Services, request: Request) -> list[Reply]:
    """ba:h:<plan>: stop reviewing; the marks given are kept."""
    cursor = await services.storage.three_active.session(request.identity.person.id, "review")
    if cursor is not None:
        await services.storage.three_active.end(cursor.id)
    return [Reply(t("bcd.review.paused"), rows(_follow_button(), _home()))]


async def decide(services: Services, request: Request) -> list[Reply]:
    """ba:rc:<plan>:<1|0>: recognised or not, in the name of my unit."""
    value = request.action.number(2)
    found = await _reviewable(services, request, request.action.number(1))
    if isinstance(found, list):
        return found
    saved, unit = found
    if value not in (0, 1):
        return [Reply(t("button_stale"))]
    if not review.may_decide(saved):
        left = len(saved.items) - saved.reviewed
        return [Reply(t("bcd.review.unfinished", left=number(left))),
                review.item_reply(saved, review.first_open(saved), unit.name)]
    store, person = services.storage.three_active, request.identity.person.id
    saved = await store.decide(saved.id, bool(value), person, request.identity.unit.id, services.clock())
    cursor = await store.session(person, "review")
    if cursor is not None and cursor.state.get("plan") == saved.id:
        await store.end(cursor.id)
    notice = t(f"bcd.review.done.{value}", unit=unit.name, year=saved.year)
    return [review.tally_reply(saved, unit.name, notice)]


def _recognised_by(plans: list[PlanLine], unit: Unit) -> list[PlanLine]:
    return [p for p in plans if p.recognised and p.decided_unit == unit.id]


async def ask_number(services: Services, request: Request) -> list[Reply]:
    """ba:q:<year>: my unit's recognition decision for a year; its number is asked first."""
    year, mine = request.action.number(1), request.identity.unit
    if year is None:
        return [Reply(t("button_stale"))]
    store = services.storage.three_active
    chosen = _recognised_by(await store.plans_under(mine.id, [year]), mine)
    if not chosen:
        return [Reply(t("bcd.decision.none", unit=mine.name, year=year), rows(_follow_button()))]
    asked = await store.begin(request.identity.person.id, {"kind": "decision", "year": year}, services.clock())
    return [_number_question(asked, t("bcd.decision.ask_number", year=year, unit=mine.name,
                                      count=number(len(chosen))))]


def _number_question(asked: Session, text: str) -> Reply:
    return Reply(text, rows(Button(t("bcd.button.no_number"), Action("ba", ("qn", asked.id, "k"))),
                            Button(t("bcd.button.cancel"), Action("ba", ("qn", asked.id, "x")))), number_answer=True)


async def number_button(services: Services, request: Request) -> list[Reply]:
    """ba:qn:<session>:<k|x>: the decision without a number, or not now."""
    store = services.storage.three_active
    asked = await store.session(request.identity.person.id, "decision")
    if asked is None or asked.id != request.action.number(1) or request.action.text(2) not in ("k", "x"):
        return [Reply(t("button_stale"))]
    if request.action.text(2) == "x":
        await store.end(asked.id)
        return [Reply(t("bcd.decision.cancelled"), rows(_follow_button()))]
    return await _decision(services, request, asked, "")


async def _decision(services: Services, request: Request, asked: Session, doc_number: str) -> list[Reply]:
    """The decision with its attached list, as a Word file."""
    mine, store, year = request.identity.unit, services.storage.three_active, asked.state["year"]
    chosen = _recognised_by(await store.plans_under(mine.id, [year]), mine)
    await store.end(asked.id)
    if not chosen:
        return [Reply(t("bcd.decision.none", unit=mine.name, year=year), rows(_follow_button()))]
    head = documents.letterhead(await _path(services, mine))
    units = [documents.Recognised(p.unit_name, p.above, p.achieved, p.items) for p in chosen]
    target = _file(services, mine, f"quyet-dinh-3-chu-dong-{year}-{mine.code}.docx")
    today = local_today(services.clock())
    path = await asyncio.to_thread(documents.write_decision, target, head, year, doc_number, today, units)
    caption = t("bcd.decision.caption", year=year, unit=mine.name, count=number(len(units)))
    return [Reply(caption, rows(_follow_button(year)), attachment=path)]


# --- typed text -------------------------------------------------------------------------------------

async def take_text(services: Services, request: Request, typed: str | None) -> list[Reply] | None:
    """Plain text for the "3 chủ động" conversation the person touched last; None when it is not
    for one (none open, or left for longer than a form is kept) or it names another command."""
    if not request.identity.is_officer or (typed is not None and typed != "huy"):
        return None
    latest = await services.storage.three_active.session(request.identity.person.id)
    if latest is None or services.clock() - latest.updated_at > services.form_max_idle:
        return None
    text = request.incoming.text or ""
    kind = latest.state.get("kind")
    if kind == "plan":
        return await _step(services, request, drafting.Event("text", text))
    if kind == "review":
        return await _typed_mark(services, request, latest, text)
    if kind == "decision":
        return await _typed_number(services, request, latest, text)
    return None


async def _typed_mark(services: Services, request: Request, cursor: Session, text: str) -> list[Reply]:
    mark = review.read_mark(text)
    if mark == "pause":
        return await pause(services, request)
    if mark is None:
        found = await _reviewable(services, request, cursor.state["plan"])
        if isinstance(found, list):
            return found
        saved, unit = found
        item = next((i for i in saved.items if i.id == cursor.state["item"]), None) or review.first_open(saved)
        if item is None or saved.recognised is not None:
            return [review.tally_reply(saved, unit.name)]
        return [Reply(t("bcd.review.hint")), review.item_reply(saved, item, unit.name)]
    return await _mark(services, request, cursor.state["item"], mark)


async def _typed_number(services: Services, request: Request, asked: Session, text: str) -> list[Reply]:
    word = fold(text).strip(" .!")
    if word in drafting.CANCEL_WORDS:
        await services.storage.three_active.end(asked.id)
        return [Reply(t("bcd.decision.cancelled"), rows(_follow_button()))]
    doc_number = "" if word in drafting.SKIP_WORDS else drafting.read_number(text)
    if doc_number is None:
        return [_number_question(asked, t("bcd.number.bad", text=text[:60]))]
    return await _decision(services, request, asked, doc_number)


# --- routes -----------------------------------------------------------------------------------------

async def own_button(services: Services, request: Request) -> list[Reply]:
    """ba:o: my unit's plan."""
    return await _own(services, request)


_BUTTONS = {
    "o": own_button, "c": fix, "p": plan_button, "f": follow, "l": listing, "v": view, "rv": start_review,
    "m": mark_button, "h": pause, "rc": decide, "q": ask_number, "qn": number_button,
}


async def button(services: Services, request: Request) -> list[Reply]:
    """Every "ba:" button, by its first argument."""
    handler = _BUTTONS.get(request.action.text(0))
    return await handler(services, request) if handler else [Reply(t("button_stale"))]


COMMANDS = {"bachudong": Route(show)}
BUTTONS = {"ba": Route(button, OFFICERS)}
TAKES_TEXT = take_text
