"""An open form's state: how a fresh one is made, and how one made on another definition of the
form is carried onto the current one.

A person may leave a form open for days while the bot is upgraded: the step they were at may
have been renamed or removed, a step added, an option they picked taken away. `carry_over` is
the one place that reads a stored state against the form's current definition. It keeps the
answers that still fit, drops the others, puts the person at the first question that still needs
an answer (or the summary), and says what they must be told. The engine runs it on every path
that reads an open form, so nothing past it ever sees a state its definition cannot run.

A state records the `Form.version` it was made on (`state["version"]`; none before versions
existed). On the same version only what cannot run is mended (a position or a pending check
the definition does not have, an answer that no longer fits); on another version the person is
also sent back to the questions they had passed that now lack an answer (a step added or
renamed behind them).
"""

from __future__ import annotations

import copy
import logging
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from domain.forms import parsers
from domain.forms.model import Form, FormContext, Step
from messages_vi import MESSAGES, t

log = logging.getLogger(__name__)

# Where a form stands besides its steps: on its summary, or choosing which answer to change.
SUMMARY = "summary"
PICK_EDIT = "pick_edit"


def fresh(form: Form, ctx: FormContext, answers: dict | None = None, report_id: int | None = None,
          flags: dict | None = None) -> dict:
    """A fresh form: at its first step, or at the summary when correcting a saved report."""
    first = form.asked()[0].name
    defaults = {s.name: s.default(ctx) for s in form.steps if s.on_summary and s.default}
    return {
        "answers": {**defaults, **(answers or {})},
        "at": SUMMARY if answers else first,
        "trail": [],
        "editing": False,
        "pending": None,
        "flags": dict(flags or {}),  # step name -> the flag its confirmed answer raised
        "report_id": report_id,
        "version": form.version,
    }


@dataclass
class Carried:
    """A state that fits the current definition, and what to tell the person about the change.

    With a notice, the person's last message was meant for a question that changed: the caller
    says the notice and asks again instead of reading the message as an answer.
    """

    state: dict
    notice: str | None = None
    params: dict = field(default_factory=dict)


def carry_over(form: Form, state: Any, ctx: FormContext) -> Carried:
    """`state` (as stored, from any version of `form`) carried onto `form` as defined now.

    Never raises for a stored state: one that cannot be read at all starts the form again.
    """
    try:
        return _carry(form, state, ctx)
    except (LookupError, TypeError, ValueError, AttributeError):
        log.exception("form %s: a stored state could not be read; the form starts again", form.name)
        return Carried(fresh(form, ctx), "form.updated.restart", {"title": t(form.title)})


def _carry(form: Form, state: Any, ctx: FormContext) -> Carried:
    # Read only: what is carried is built anew (answers are plain JSON values, checked by `fits`).
    old = state if isinstance(state, dict) else {}
    same_version = old.get("version") == form.version
    newer = isinstance(old.get("version"), int) and not same_version
    old_answers = _mapping(old.get("answers"))
    old_flags = _mapping(old.get("flags"))
    at = old.get("at")
    editing = old.get("editing") is True
    asked = [s.name for s in form.asked()]

    # 1. The answers that still fit; a step new on the summary gets its default, as when fresh.
    answers: dict[str, Any] = {}
    flags: dict[str, str] = {}
    dropped: list[str] = []
    for step in form.steps:
        if step.name not in old_answers:
            if step.on_summary and step.default is not None:
                answers[step.name] = step.default(ctx)
            continue
        value, flag = old_answers[step.name], old_flags.get(step.name)
        # Options computed from the day (the 1+1 periods) move with the calendar, not with the
        # definition: they are checked only against a definition declared newer than the state's
        # (not for a state from before versions: an open correction of an older period stays).
        if fits(step, value, ctx, check_options=not callable(step.options) or newer) \
                and _flag_fits(form, step, flag, old_answers):
            answers[step.name] = value
            if flag is not None:
                answers[flag], flags[step.name] = True, flag
        else:
            dropped.append(step.name)

    # 2. Where the person stands, and whether that still holds.
    step_at = form.find(at) if isinstance(at, str) else None
    finished = at in (SUMMARY, PICK_EDIT) or editing          # every step was answered once
    valid_at = (at in (SUMMARY, PICK_EDIT) and not editing) or step_at is not None
    missing = [n for n in asked if n not in answers]
    if finished:
        passed = missing
    elif step_at is not None and step_at.name in asked:
        passed = [n for n in missing if asked.index(n) < asked.index(step_at.name)]
    elif step_at is not None:                                 # an extra, asked after the steps
        passed = missing
    else:
        passed = []
    added_behind = [] if same_version else [n for n in passed if n not in dropped]
    to_fill = missing + [n for n in dropped if n not in asked]
    move = not valid_at or bool(dropped) or bool(added_behind)

    progressed = finished or bool(old.get("trail")) or any(n in old_answers for n in asked)
    report_id = old.get("report_id") if isinstance(old.get("report_id"), int) else None
    if move and progressed and not any(n in answers for n in asked):
        # nothing the person answered fits any more: the form starts again
        return Carried(fresh(form, ctx, report_id=report_id), "form.updated.restart", {"title": t(form.title)})

    trail = [n for n in _sequence(old.get("trail")) if n in asked]
    pending = None if move else _pending_that_fits(form, old.get("pending"), ctx)
    refill = [n for n in _sequence(old.get("refill")) if form.find(n) is not None and n not in answers]
    if move:
        new_at = to_fill[0] if to_fill else SUMMARY
        editing = False
        if new_at in asked:
            trail = [n for n in trail if asked.index(n) < asked.index(new_at)]
        refill = to_fill
    else:
        new_at = at
    carried = {
        "answers": answers,
        "at": new_at,
        "trail": trail,
        "editing": editing,
        "pending": pending,
        "flags": flags,
        "report_id": report_id,
        "version": form.version,
    }
    if refill:
        # the questions still to answer after a carry, in order; `_accept` follows them
        carried["refill"] = refill
    # the year taken for a date typed without one, while that answer stands
    years = {n: y for n, y in _mapping(old.get("assumed")).items()
             if n in answers and type(y) is int and form.step(n).kind == "date"}
    if years:
        carried["assumed"] = years
    # saved reports the person chose to keep beside this one (same day and kind)
    kept = [i for i in old.get("both", []) if type(i) is int] if isinstance(old.get("both"), list) else []
    if kept:
        carried["both"] = kept
    # what the branch reported last time, read when the form opened (never changed after)
    if isinstance(old.get("recalled"), dict) and old["recalled"]:
        carried["recalled"] = old["recalled"]
    # answers of a whole-line report waiting for their check, while still unanswered and fitting
    held = {}
    for name, entry in _mapping(old.get("held")).items():
        step = form.find(name) if isinstance(name, str) else None
        if step is not None and name not in answers and isinstance(entry, dict) and not step.on_summary \
                and entry.get("value") is not None and fits(step, entry.get("value"), ctx):
            held[name] = {"value": entry["value"]}
            if type(entry.get("assumed")) is int and step.kind == "date":
                held[name]["assumed"] = entry["assumed"]
    if held:
        carried["held"] = held
    # a question asked at the summary, if it can still be asked
    ask = None if move or new_at != SUMMARY or pending else _ask_that_fits(form, old.get("ask"))
    if ask is not None:
        carried["ask"] = ask

    # 3. What the person is told.
    again = [n for n in to_fill if n in dropped or n in added_behind]
    if again:
        items = ", ".join(t(form.step(n).label) for n in again)
        return Carried(carried, "form.updated.redo", {"title": t(form.title), "items": items})
    if move or (old.get("pending") and pending is None) or (old.get("ask") and ask is None):
        return Carried(carried, "form.updated", {"title": t(form.title)})
    return Carried(carried)


def fits(step: Step, value: Any, ctx: FormContext, *, check_options: bool = True) -> bool:
    """Whether a stored answer is one this step, as defined now, could have taken."""
    if value is None:
        return step.optional                                  # skipped
    if step.kind == "count":
        limits = {**parsers.parse_count.__kwdefaults__, **step.limits}    # the parser's bounds
        return type(value) is int and limits["minimum"] <= value <= limits["maximum"]
    if step.kind == "date":
        if not isinstance(value, str):
            return False
        try:
            date.fromisoformat(value)
        except ValueError:
            return False
        return True
    if step.kind == "yes_no":
        return isinstance(value, bool)
    if step.kind == "text":
        if not isinstance(value, str):
            return False
        parsed = parsers.parse_text(value, **step.limits)
        return parsed.ok and parsed.value == value
    # a choice (the engine reads any other kind as one)
    if not isinstance(value, (str, int)) or isinstance(value, bool):
        return False
    return not check_options or any(o.value == value for o in step.options_for(ctx))


def _flag_fits(form: Form, step: Step, flag: Any, old_answers: dict) -> bool:
    """A confirmed answer keeps its flag only if the step still asks and the flag still reads."""
    if flag is None:
        return True
    return (isinstance(flag, str) and step.confirm is not None and old_answers.get(flag) is True
            and f"{form.name}.flag.{flag}" in MESSAGES)


def _pending_that_fits(form: Form, pending: Any, ctx: FormContext) -> dict | None:
    """A question "keep this number?" still waiting, if the definition still asks it."""
    step = form.find(pending.get("step")) if isinstance(pending, dict) and isinstance(pending.get("step"), str) else None
    if step is None:
        return None
    flag, message, params = pending.get("flag"), pending.get("message"), pending.get("params")
    if not (fits(step, pending.get("value"), ctx) and isinstance(message, str) and message in MESSAGES
            and isinstance(params, dict) and step.confirm is not None
            and (flag is None or (isinstance(flag, str) and f"{form.name}.flag.{flag}" in MESSAGES))
            and all(isinstance(pending.get(k, ""), str) and pending.get(k, "form.yes") in MESSAGES
                    for k in ("yes", "no"))):
        return None
    kept = copy.deepcopy(pending)
    if "assumed" in kept and type(kept["assumed"]) is not int:
        del kept["assumed"]                 # only the note on the summary is lost
    return kept


def _ask_that_fits(form: Form, ask: Any) -> dict | None:
    """A question asked at the summary, still waiting: which line a typed text is for (its steps
    still there), or whether a report corrects the saved one it repeats."""
    if not isinstance(ask, dict):
        return None
    if ask.get("kind") == "which":
        steps = ask.get("steps")
        if (isinstance(ask.get("text"), str) and isinstance(steps, list) and steps
                and all(isinstance(n, str) and form.find(n) is not None for n in steps)):
            return {"kind": "which", "text": ask["text"], "steps": list(steps)}
        return None
    if ask.get("kind") == "duplicate":
        if (type(ask.get("report_id")) is int and isinstance(ask.get("report"), str)
                and isinstance(ask.get("correctable"), bool)):
            kept = {"kind": "duplicate", "report_id": ask["report_id"], "report": ask["report"],
                    "correctable": ask["correctable"]}
            if ask.get("both") is False:
                kept["both"] = False
            if isinstance(ask.get("asks"), str) and f"{ask['asks']}.locked" in MESSAGES:
                kept["asks"] = ask["asks"]
            return kept
    return None


def _mapping(value: Any) -> dict:
    return value if isinstance(value, dict) else {}


def _sequence(value: Any) -> list:
    return [v for v in value if isinstance(v, str)] if isinstance(value, list) else []
