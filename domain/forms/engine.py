"""The one engine every form runs on: ask, read, check, go back, edit, save, cancel, resume.

`advance` is the whole conversation logic as a pure function of (form, state, event); the
`FormEngine` around it loads and stores the state so every answer is committed, together with
the form's state, before the bot replies.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

from domain.forms import parsers
from domain.forms.model import Confirm, Form, FormContext, Step
from domain.textnorm import fold
from domain.conversation import Action, Button, Incoming, Reply, rows
from messages_vi import MESSAGES, t
from messages_vi.formatting import local_today, long_date, number
from storage.forms import FormSession, Stale

# SUMMARY, PICK_EDIT: where a form stands besides its steps; carry_over: a state from another
# version of a form, onto the current one (one function, run on every path that reads a session)
from domain.forms.versions import PICK_EDIT, SUMMARY, carry_over, fresh

_CANCEL_WORDS = {"huy", "huy bo", "/huy"}
_BACK_WORDS = {"quay lai", "lui", "tro lai", "back"}
_SKIP_WORDS = {"bo qua", "skip"}
_SAVE_WORDS = {"luu", "gui", "xong", "ok", "dong y"}
_EDIT_WORDS = {"sua", "chinh sua", "sua lai"}


@dataclass(frozen=True)
class Event:
    """What the person did, as the engine reads it: typed text, an option, or an action."""

    kind: str            # text, option, action, other
    value: Any = None


@dataclass
class Result:
    state: dict
    outcome: str = "continue"      # continue, save, cancel
    notice: str | None = None      # message key said before the next question
    notice_params: dict = field(default_factory=dict)


def new_state(form: Form, ctx: FormContext, answers: dict | None = None, report_id: int | None = None,
              flags: dict | None = None) -> dict:
    """A fresh form: at its first step, or at the summary when correcting a saved report.
    It records the version of the form it was made on (`state["version"]`)."""
    return fresh(form, ctx, answers, report_id, flags)


# --- the pure part ---------------------------------------------------------------------------

def advance(form: Form, state: dict, event: Event, ctx: FormContext) -> Result:
    """The next state of a form after one event. Never raises for anything a person can send.

    `state` may have been made on another version of `form`: it is carried onto this one first
    (`carry_over`). When that changed what the person was answering, the event is not read as
    an answer: the person is told what changed and asked again (cancelling still cancels).
    """
    carried = carry_over(form, state, ctx)              # a fresh copy: `state` is never changed
    state = carried.state
    if (event.kind == "text" and fold(event.value or "") in _CANCEL_WORDS) or (
            event.kind == "action" and event.value == "cancel"):
        return Result(state, "cancel")
    if carried.notice:
        return Result(state, notice=carried.notice, notice_params=carried.params)
    if event.kind == "other":
        return Result(state, notice=f"form.other.{event.value}" if event.value == "edited" else "form.other")
    if event.kind == "text" and fold(event.value or "") in _BACK_WORDS:
        event = Event("action", "back")
    if event.kind == "action" and event.value == "resume":
        return Result(state)
    if event.kind == "action" and event.value == "back":
        return _back(form, state)
    if state["pending"]:
        return _on_pending(form, state, event, ctx)
    if state["at"] == SUMMARY:
        return _on_summary(form, state, event, ctx)
    if state["at"] == PICK_EDIT:
        return _on_pick_edit(form, state, event)
    return _on_step(form, form.step(state["at"]), state, event, ctx)


def _on_step(form: Form, step: Step, state: dict, event: Event, ctx: FormContext) -> Result:
    if event.kind == "action" and event.value == "skip":
        if not step.optional:
            return Result(state, notice="form.cannot_skip")
        return _accept(form, state, step, None)
    if event.kind == "option":
        choices = step.options_for(ctx) + step.shortcuts
        if not isinstance(event.value, int) or not 0 <= event.value < len(choices):
            return Result(state, notice="form.button_old")
        option = choices[event.value]
        if step.kind == "choice":
            return _checked(form, state, step, option.value, ctx)
        event = Event("text", option.value)      # a shortcut stands for a typed answer
    if event.kind == "text":
        if step.optional and fold(event.value or "") in _SKIP_WORDS:
            return _accept(form, state, step, None)
        parsed = read(step, event.value or "", ctx)
        if not parsed.ok:
            return Result(state, notice=f"parse.{parsed.error}", notice_params=dict(parsed.params))
        return _checked(form, state, step, parsed.value, ctx)
    return Result(state, notice="form.button_old")


def read(step: Step, text: str, ctx: FormContext) -> parsers.Parsed:
    """Parse a typed answer with the parser of the step's kind and its limits."""
    if step.kind == "count":
        return parsers.parse_count(text, **step.limits)
    if step.kind == "date":
        return parsers.parse_date(text, today=ctx.today, earliest=ctx.earliest)
    if step.kind == "yes_no":
        return parsers.parse_yes_no(text)
    if step.kind == "text":
        return parsers.parse_text(text, **step.limits)
    options = step.options_for(ctx)
    choices = [parsers.Choice(o.value, (*o.words, fold(t(o.label, **o.params)))) for o in options]
    return parsers.parse_choice(text, choices)


def _checked(form: Form, state: dict, step: Step, value: Any, ctx: FormContext) -> Result:
    stored = value.isoformat() if isinstance(value, date) else value
    if step.confirm:
        trial = {**state["answers"], step.name: stored}
        doubt: Confirm | None = step.confirm(value, ctx, trial)
        if doubt:
            state["pending"] = {"step": step.name, "value": stored, "flag": doubt.flag,
                                "message": doubt.message, "params": dict(doubt.params)}
            return Result(state)
    return _accept(form, state, step, stored)


def _accept(form: Form, state: dict, step: Step, value: Any, flag: str | None = None) -> Result:
    state["answers"][step.name] = value
    # a new answer replaces the flag its predecessor may have raised
    previous = state["flags"].pop(step.name, None)
    if previous:
        state["answers"].pop(previous, None)
    if flag:
        state["answers"][flag] = True
        state["flags"][step.name] = flag
    state["pending"] = None
    if state.get("refill"):
        # after a carry-over (or a save with answers missing): the questions still without an
        # answer, in order, then the summary
        if not step.on_summary and not state["editing"]:
            state["trail"].append(step.name)
        rest = [n for n in state["refill"] if n not in state["answers"] and form.find(n) is not None]
        state["editing"] = False
        if rest:
            state["refill"], state["at"] = rest, rest[0]
        else:
            del state["refill"]
            state["at"] = SUMMARY
        return Result(state)
    if state["editing"] or step.on_summary:
        state["at"], state["editing"] = SUMMARY, False
        return Result(state)
    asked = [s.name for s in form.asked()]
    state["trail"].append(step.name)
    position = asked.index(step.name)
    state["at"] = asked[position + 1] if position + 1 < len(asked) else SUMMARY
    return Result(state)


def _on_pending(form: Form, state: dict, event: Event, ctx: FormContext) -> Result:
    pending = state["pending"]
    step = form.step(pending["step"])
    if event.kind == "action" and event.value in ("yes", "no"):
        answer = event.value == "yes"
    elif event.kind == "text":
        parsed = parsers.parse_yes_no(event.value or "")
        if not parsed.ok:
            # a new number instead of yes/no: take it as a fresh answer to the step
            state["pending"] = None
            return _on_step(form, step, state, event, ctx)
        answer = parsed.value
    else:
        return Result(state, notice="form.button_old")
    if answer:
        return _accept(form, state, step, pending["value"], pending["flag"])
    state["pending"] = None
    return Result(state, notice="form.enter_again")


def _on_summary(form: Form, state: dict, event: Event, ctx: FormContext) -> Result:
    action = event.value if event.kind == "action" else None
    word = fold(event.value or "") if event.kind == "text" else ""
    if action == "save" or word in _SAVE_WORDS:
        missing = [s.name for s in form.steps
                   if s.name not in state["answers"] and not (s.on_summary and s.optional)]
        if missing:                      # never hand the writer a report with a hole in it
            state["refill"], state["at"], state["editing"] = missing, missing[0], False
            items = ", ".join(t(form.step(n).label) for n in missing)
            return Result(state, notice="form.missing", notice_params={"items": items})
        return Result(state, "save")
    if action == "edit" or word in _EDIT_WORDS:
        state["at"] = PICK_EDIT
        return Result(state)
    extra = form.typed_on_summary()
    if event.kind == "text" and extra is not None:
        return _on_step(form, extra, state, event, ctx)
    return Result(state, notice="form.summary_hint")


def _on_pick_edit(form: Form, state: dict, event: Event) -> Result:
    if event.kind == "action" and event.value == "summary":
        state["at"] = SUMMARY
        return Result(state)
    index = None
    if event.kind == "action" and isinstance(event.value, str) and event.value.startswith("goto"):
        digits = event.value[4:]
        index = int(digits) if _PICK_NUMBER.fullmatch(digits) else None
    elif event.kind == "text" and isinstance(event.value, str):
        index = _picked(form, event.value)
    if index is None or not 0 <= index < len(form.steps):
        return Result(state, notice="form.pick_edit_hint")
    state["at"], state["editing"] = form.steps[index].name, True
    return Result(state)


# A number on the edit picker: ASCII digits only ('①', '²' and '٣' are digits to str.isdigit but
# not to int), and short, so a 5,000-digit paste is refused before int() sees it.
_PICK_NUMBER = re.compile(r"[0-9]{1,4}")


def _picked(form: Form, text: str) -> int | None:
    """The step a person typed at the edit picker: its number ("2", "2.") or its label, with or
    without tone marks ("so tham du"), or a unique part of it ("tham du"); None otherwise."""
    typed = text.strip().rstrip(".").strip()
    if _PICK_NUMBER.fullmatch(typed):
        return int(typed) - 1
    folded = fold(typed)
    if len(folded) < 2:
        return None
    labels = [fold(t(s.label)) for s in form.steps]
    exact = [i for i, label in enumerate(labels) if label == folded]
    partial = [i for i, label in enumerate(labels) if len(folded) >= 3 and folded in label]
    if len(exact) == 1:
        return exact[0]
    return partial[0] if not exact and len(partial) == 1 else None


def _back(form: Form, state: dict) -> Result:
    if state["pending"]:
        state["pending"] = None
        return Result(state)
    if state["at"] == PICK_EDIT or state["editing"]:
        state["at"], state["editing"] = SUMMARY, False
        return Result(state)
    if not state["trail"]:
        return Result(state, notice="form.cannot_go_back")
    state["at"] = state["trail"].pop()
    return Result(state)


# --- what the person sees --------------------------------------------------------------------

def render(form: Form, session_id: int, version: int, state: dict, ctx: FormContext,
           notice: str | None = None, notice_params: dict | None = None) -> Reply:
    """The message that asks for what the form needs next, with its buttons."""

    def tap(label: str, code: str) -> Button:
        return Button(label, Action("f", (session_id, version, code)))

    lines = [t(notice, **(notice_params or {}))] if notice else []
    cancel = tap(t("form.button.cancel"), "x")
    back = tap(t("form.button.back"), "b")
    if state["pending"]:
        pending = state["pending"]
        lines.append(t(pending["message"], **pending["params"]))
        buttons = rows(tap(t("form.button.yes_keep"), "y"), tap(t("form.button.no_retype"), "n")) + rows(cancel)
    elif state["at"] == SUMMARY:
        lines.append(summary_text(form, state, ctx))
        buttons = rows(tap(t("form.button.save"), "s"), tap(t("form.button.edit"), "e"), cancel, width=3)
    elif state["at"] == PICK_EDIT:
        lines.append(t("form.pick_edit"))
        choices = [tap(f"{i + 1}. {t(s.label)}", f"g{i}") for i, s in enumerate(form.steps)]
        buttons = rows(*choices, tap(t("form.button.to_summary"), "m"))
    else:
        step = form.step(state["at"])
        lines.append(t(step.question, members=ctx.unit.members, unit=ctx.unit.name))
        options = [tap(t(o.label, **o.params), f"o{i}")
                   for i, o in enumerate(step.options_for(ctx) + step.shortcuts)]
        extras = [back] if state["trail"] or state["editing"] else []
        if step.optional:
            extras.append(tap(t("form.button.skip"), "k"))
        buttons = rows(*options, width=3 if len(options) > 2 else 2) + rows(*extras, cancel, width=3)
        return Reply("\n\n".join(lines), buttons, number_answer=step.kind == "count")
    return Reply("\n\n".join(lines), buttons)


def summary_text(form: Form, state: dict, ctx: FormContext) -> str:
    """The form's answers, one line each, under its title."""
    lines = [t("form.summary_title", title=t(form.title), unit=ctx.unit.name)]
    for step in form.steps:
        value = state["answers"].get(step.name)
        lines.append(t("form.summary_line", label=t(step.label), value=show(step, value, ctx)))
    for flag in state["flags"].values():
        lines.append(t(f"{form.name}.flag.{flag}"))
    extra = form.typed_on_summary()
    lines.append(t("form.summary_footer"))
    if extra is not None:
        lines.append(t("form.summary_extra", label=t(extra.label).lower()))
    return "\n".join(lines)


def show(step: Step, value: Any, ctx: FormContext) -> str:
    """One answer as the summary prints it."""
    if value is None:
        return t("form.no_answer")
    if step.kind == "date":
        return long_date(date.fromisoformat(value))
    if step.kind == "count":
        return number(value)
    if step.kind == "yes_no":
        return t("form.yes" if value else "form.no")
    if step.kind == "choice":
        option = next((o for o in step.options_for(ctx) if o.value == value), None)
        return t(option.label, **option.params) if option else str(value)
    return str(value)


def event_from(incoming: Incoming, session: FormSession) -> Event | None:
    """Read an Incoming as an event of this session; None when it is a button of another one."""
    if incoming.button is not None:
        action = incoming.button
        if action.route != "f" or len(action.args) != 3:
            return None
        if action.number(0) != session.id or action.number(1) != session.version:
            return None
        code = action.text(2)
        if code[:1] == "o" and code[1:].isdigit():
            return Event("option", int(code[1:]))
        if code[:1] == "g" and code[1:].isdigit():
            return Event("action", f"goto{code[1:]}")
        actions = {"s": "save", "e": "edit", "x": "cancel", "b": "back", "k": "skip", "y": "yes",
                   "n": "no", "m": "summary", "r": "resume"}
        return Event("action", actions[code]) if code in actions else None
    if incoming.text is not None:
        return Event("text", incoming.text)
    return Event("other", incoming.other or "unknown")


@dataclass
class Turn:
    """One answer taken: where the form now stands, or how it ended."""

    form: Form
    ctx: FormContext
    session_id: int
    version: int
    state: dict
    outcome: str = "continue"         # continue, save, cancel
    notice: str | None = None
    notice_params: dict = field(default_factory=dict)


# --- the part that talks to storage ----------------------------------------------------------

class FormEngine:
    """Runs forms for people: every step committed with the form's state before replying."""

    def __init__(self, storage, forms: dict[str, Form], clock, *, max_age_days: int = 365):
        self.storage = storage
        self.forms = forms
        self.clock = clock
        self.max_age_days = max_age_days

    def context(self, identity, now=None) -> FormContext:
        now = now or self.clock()
        today = local_today(now)
        earliest = today - timedelta(days=self.max_age_days)
        if identity.unit.founded_on and identity.unit.founded_on > earliest:
            earliest = identity.unit.founded_on       # nothing happened before the branch existed
        return FormContext(identity.unit, identity.person.id, now, today, earliest)

    async def begin(self, identity, form_name: str, incoming: Incoming, *, answers: dict | None = None,
                    report_id: int | None = None, flags: dict | None = None,
                    replace: bool = False) -> list[Reply]:
        """Open a form (or a correction of a saved report) and ask its first question."""
        form = self.forms.get(form_name)
        if form is None:                               # a form this bot no longer has
            return [gone_reply(t("form.unavailable"))]
        ctx = self.context(identity)
        state = new_state(form, ctx, answers, report_id, flags)
        session = await self.storage.forms.start(
            identity.person.id, identity.unit.id, form.name, state, ctx.now, replace=replace,
        )
        return [render(form, session.id, session.version, state, ctx)]

    def step_inside(self, tx, identity, session: FormSession, incoming: Incoming) -> "Turn":
        """Take one thing the person did while their form is open, inside the caller's
        transaction (`Storage.atomic`): the new state, or the report, is written there.

        A form removed from the bot while this one was open ends here, in the same transaction,
        and the person is told (outcome "removed"); one made on an older definition of its form
        is carried onto the current one (see `advance`)."""
        form = self.forms.get(session.form)
        ctx = self.context(identity)
        if form is None:
            tx.forms.finish(session.id, session.version)
            return Turn(None, ctx, session.id, session.version, session.state, outcome="removed",
                        notice="form.removed", notice_params={"title": self.title_of(session)})
        event = event_from(incoming, session)
        if event is None:
            carried = carry_over(form, session.state, ctx)
            version = session.version
            if carried.state != session.state:
                version = tx.forms.save(session.id, session.version, carried.state, ctx.now)
            return Turn(form, ctx, session.id, version, carried.state, notice=carried.notice or "form.button_old",
                        notice_params=carried.params)
        result = advance(form, session.state, event, ctx)
        if result.outcome == "continue":
            version = session.version
            if result.state != session.state:      # an error or a hint changes nothing to store
                version = tx.forms.save(session.id, session.version, result.state, ctx.now)
            return Turn(form, ctx, session.id, version, result.state, notice=result.notice,
                        notice_params=result.notice_params)
        tx.forms.finish(session.id, session.version)
        if result.outcome == "save":
            form.write(tx, ctx, result.state["answers"], result.state["report_id"])
        return Turn(form, ctx, session.id, session.version, result.state, outcome=result.outcome)

    def replies(self, turn: "Turn") -> list[Reply]:
        """What the person is told after a turn was committed."""
        if turn.outcome == "removed":
            return [gone_reply(t(turn.notice, **turn.notice_params))]
        if turn.outcome == "cancel":
            return [Reply(t("form.cancelled", title=t(turn.form.title)))]
        if turn.outcome == "save":
            return [Reply(t(turn.form.saved, title=t(turn.form.title), unit=turn.ctx.unit.name),
                          rows(Button(t("menu.reports"), Action.command("baocao")), Button(t("menu.home"), Action.command("menu"))))]
        return [render(turn.form, turn.session_id, turn.version, turn.state, turn.ctx, turn.notice,
                       turn.notice_params)]

    async def cancel(self, identity, session: FormSession, incoming: Incoming) -> list[Reply]:
        """Drop the open form at the person's word (/huy), also one the bot no longer has."""
        form = self.forms.get(session.form)
        try:
            await self.storage.forms.finish(session.id, session.version)
        except Stale:
            return []
        if form is None:
            return [gone_reply(t("form.removed", title=self.title_of(session)))]
        return [Reply(t("form.cancelled", title=t(form.title)))]

    def current(self, identity, session: FormSession, notice: str | None = None, **params) -> Reply:
        """The open form's current question again, after an optional notice. A state made on
        another version of the form is shown carried over, with what changed when no notice is
        given (`resume` also stores it)."""
        form = self.forms.get(session.form)
        if form is None:
            return gone_reply(t("form.unavailable"))
        ctx = self.context(identity)
        carried = carry_over(form, session.state, ctx)
        if notice is None and carried.notice:
            notice, params = carried.notice, carried.params
        return render(form, session.id, session.version, carried.state, ctx, notice, params)

    async def resume(self, identity, session: FormSession) -> list[Reply]:
        """The open form's current question again (its command typed while it is open). A state
        made on another version of the form is carried over and stored first, so the buttons
        shown are those of the state the next answer is read against."""
        form = self.forms.get(session.form)
        if form is None:
            return await self.cancel(identity, session, None)
        ctx = self.context(identity)
        carried = carry_over(form, session.state, ctx)
        version = session.version
        if carried.state != session.state:
            try:
                version = await self.storage.forms.save(session.id, session.version, carried.state, ctx.now)
            except Stale:
                return []
        return [render(form, session.id, version, carried.state, ctx, carried.notice, carried.params)]

    def title_of(self, session: FormSession) -> str:
        """The title of a session's form, also of one this bot no longer has."""
        form = self.forms.get(session.form)
        if form is not None:
            return t(form.title)
        return form_title(session.form) or t("form.old_title")


def form_title(name: str) -> str | None:
    """A form's title by its name, from its sentences; None when none names it any more."""
    key = f"{name}.title"
    return t(key) if key in MESSAGES else None


def gone_reply(text: str) -> Reply:
    """`text` about a form the bot no longer has, with the way to what the person can do now."""
    return Reply(text, rows(Button(t("menu.home"), Action.command("menu"))))
