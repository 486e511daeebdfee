"""The one engine every form runs on: ask, read, check, go back, edit, save, cancel, resume.

`advance` is the whole conversation logic as a pure function of (form, state, event); the
`FormEngine` around it loads and stores the state so every answer is committed, together with
the form's state, before the bot replies.

Nothing is guessed silently. At the summary a save or edit word acts, the words of a choice
("trực tuyến"), a date ("hôm qua") or a count named by its words ("15 người") change that line
and the person is told, and anything else is asked about ("which line is this for?"): the
free-text note is written only when the person chose it. A line typed at any question fills
every answer it names that is not given yet (`one_line`), never one already given. A check
(`Confirm`) asks before keeping an odd answer (zero attendance, more than the members, a day of
a period already closed) and may flag it. Digits at "keep this number?" are a new number, never
the first button. A report that repeats a saved one (the form's `duplicate`) is asked about at
saving: correct that one, or keep both; a correction whose report closed meanwhile (the form's
`locked`) is not saved.
"""

from __future__ import annotations

import dataclasses
import functools
import re
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

from domain import periods
from domain.forms import one_line, parsers
from domain.forms.model import Confirm, Form, FormContext, Offer, Step
from domain.textnorm import closest, fold, without_politeness, words
from domain.conversation import FORM_ROUTE, Action, Button, Incoming, Reply, rows
from messages_vi import MESSAGES, period_name, t
from messages_vi.formatting import local_today, long_date, number
from storage.forms import FormSession, Stale

# SUMMARY, PICK_EDIT: where a form stands besides its steps; carry_over: a state from another
# version of a form, onto the current one (one function, run on every path that reads a session)
from domain.forms.versions import PICK_EDIT, SUMMARY, carry_over, fits, fresh

_CANCEL_WORDS = {"huy", "huy bo", "huy bao cao", "huy bo bao cao", "huy bieu mau"}
_BACK_WORDS = {"quay lai", "lui", "tro lai", "back"}
_BACK_PHRASES = tuple(sorted(_BACK_WORDS))     # read with one typo too (textnorm.closest)
_SKIP_WORDS = {"bo qua", "skip"}
_SAVE_WORDS = {"luu", "gui", "xong", "ok", "dong y", "luu lai", "gui di"}
_EDIT_WORDS = {"sua", "chinh sua", "sua lai"}
# at "this repeats a saved report": correct that one, or keep both
_CORRECT_WORDS = {"sua", "sua bao cao", "sua bao cao cu", "sua bao cao da gui", "sua cai cu"}
_BOTH_WORDS = {"giu ca hai", "ca hai", "giu ca 2", "ca 2", "giu", "buoi khac", "them", "them buoi khac"}
# at a question that offers last time's answers (the offer's button, typed)
_AS_BEFORE_WORDS = {"nhu lan truoc", "nhu thang truoc", "nhu ky truoc", "nhu quy truoc", "nhu truoc",
                    "giong lan truoc", "giong thang truoc", "giong ky truoc", "nhu cu", "nhu lan roi"}


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
    if (event.kind == "text" and _said(event.value or "") in _CANCEL_WORDS) or (
            event.kind == "action" and event.value == "cancel"):
        return Result(state, "cancel")
    if carried.notice:
        return Result(state, notice=carried.notice, notice_params=carried.params)
    if event.kind == "other":
        return Result(state, notice=f"form.other.{event.value}" if event.value == "edited" else "form.other")
    if event.kind == "text" and _means_back(event.value or ""):
        event = Event("action", "back")
    if event.kind == "action" and event.value == "resume":
        return Result(state, notice="form.reopened", notice_params=reopened(form, state, ctx))
    if event.kind == "action" and event.value == "back":
        return _back(form, state)
    if state["pending"]:
        return _on_pending(form, state, event, ctx)
    if state.get("ask"):
        return _on_ask(form, state, event, ctx)
    if state["at"] == SUMMARY:
        return _on_summary(form, state, event, ctx)
    if state["at"] == PICK_EDIT:
        return _on_pick_edit(form, state, event)
    return _on_step(form, form.step(state["at"]), state, event, ctx)


def _said(text: str) -> str:
    """What a short reply says, folded, without the polite words around it ("huỷ nhé", "ok nha")."""
    return without_politeness(" ".join(words(text)))


def _means_back(text: str) -> bool:
    """ "Quay lại" typed, or one of its kin, also with a small typo ("quay lia", "tro lia"): on
    Zalo it is a choice of every question, and typed words pick a choice despite a typo."""
    key = _said(text)
    return key in _BACK_WORDS or closest(key, _BACK_PHRASES) is not None


def _means_offer(step: Step, state: dict, text: str, ctx: FormContext) -> bool:
    """Whether `text` takes last time's answers: "như lần trước" and its kin, a yes ("đúng", "ok"),
    or the offer's own words as the numbered menu's hint shows them, typed without its punctuation
    ("Như lần trước 12 đoàn viên trực tuyến")."""
    if _said(text) in _AS_BEFORE_WORDS:
        return True
    offer = offered(step, state, ctx)
    if offer is None:
        return False
    agreed = parsers.parse_yes_no(text)
    if agreed.ok and agreed.value:
        return True              # "đúng", "ok": a yes said to the only thing the question proposes
    key = " ".join(words(text))
    return bool(key) and key == " ".join(words(t(offer.label, **offer.params)))


def _on_step(form: Form, step: Step, state: dict, event: Event, ctx: FormContext) -> Result:
    if event.kind == "action" and event.value == "skip":
        if not step.optional:
            return Result(state, notice="form.cannot_skip")
        return _accept(form, state, step, None, ctx)
    if event.kind == "action" and event.value in ("yes", "no") and step.kind == "yes_no":
        return _checked(form, state, step, event.value == "yes", ctx)
    if (event.kind == "action" and event.value == "previous") or (
            step.offer is not None and event.kind == "text" and _means_offer(step, state, event.value or "", ctx)):
        return _take_offer(form, state, step, ctx)
    if event.kind == "value":
        picked = next((o.value for o in step.options_for(ctx) if str(o.value) == event.value), None)
        if step.kind != "choice" or picked is None:
            return Result(state, notice="form.option_gone" if step.kind == "choice" else "form.button_old")
        return _checked(form, state, step, picked, ctx)
    if event.kind == "option":
        options = step.options_for(ctx)
        choices = options + step.shortcuts_for(ctx)
        if type(event.value) is not int or not 0 <= event.value < len(choices):
            return Result(state, notice="form.button_old")
        if step.kind == "choice" and event.value < len(options):
            return _checked(form, state, step, options[event.value].value, ctx)
        event = Event("text", choices[event.value].value)      # a shortcut stands for a typed answer
    if event.kind == "text":
        if step.optional and _said(event.value or "") in _SKIP_WORDS:
            return _accept(form, state, step, None, ctx)
        text = event.value or ""
        if len(text) <= one_line.MAX_LINE and not state["editing"] and step.kind != "text" \
                and not _BARE_NUMBER.fullmatch(_said(text)):
            # a whole report, or what is left of one, typed at any question: read as one line
            reading = one_line.read(form, text, ctx)
            if _more_than(step, reading, text):
                news = _news(form, step, state, reading, ctx)
                if news is not None and (news.parts or news.notes or news.unknown):
                    return _fill_later(form, step, state, news, ctx)
                if news is None and reading.named and reading.found:
                    # another day or kind than the answers given: a new report, not the rest of this one
                    return Result(state, notice="form.line.while_open", notice_params=reopened(form, state, ctx))
        return _typed(form, step, state, event.value or "", ctx)
    return Result(state, notice="form.button_old")


# --- a whole report in one message, and the answers of last time ------------------------------

def fill(form: Form, state: dict, reading: one_line.Reading, ctx: FormContext) -> Result:
    """A whole report read from one message (domain/forms/one_line.py) put into a form, each part
    read by its step's parser and checked as an answer given step by step. At a later question
    the reading holds only what no answer gives yet (`_news`).

    A part that does not read ("30/11" still to come) is said why, and its question asked. An
    answer a check doubts (25 attending of 20 members, a day of a closed month) is held and asked
    about when its turn comes, as it would have been; the questions still without an answer
    follow in order, then the summary. Every remark (what was not understood, quoted; a count
    the form does not hold; a step named twice) is said above the next question."""
    lines = [t(key, **params) for key, params in reading.notes]
    held: dict[str, dict] = {}
    for step in form.steps:
        part = next((p for p in reading.parts if p.step == step.name), None)
        if part is None:
            continue
        if part.value is not None:
            parsed = parsers.ok(part.value) if fits(step, part.value, ctx) else parsers.fail("choice_unknown")
        else:
            parsed = read(step, part.text, ctx)
        if not parsed.ok:
            lines.append(t("form.line.not_taken", text=_quote(part.text),
                           reason=t(f"parse.{parsed.error}", **shown_params(parsed.params))))
            continue
        stored = parsed.value.isoformat() if isinstance(parsed.value, date) else parsed.value
        if step.on_summary:
            _set(state, step.name, stored)
            continue
        held[step.name] = {"value": stored}
        if step.kind == "date" and parsers.without_year(part.text):
            held[step.name]["assumed"] = parsed.value.year
    # what no check doubts is taken now; a doubted answer waits for its turn in the questions
    trial = {**state["answers"], **{name: entry["value"] for name, entry in held.items()}}
    for name, entry in list(held.items()):
        step = form.step(name)
        if step.confirm is None or step.confirm(_value_of(step, entry["value"]), ctx, trial) is None:
            state["answers"][name] = entry["value"]
            if "assumed" in entry:
                state["assumed"] = {**state.get("assumed", {}), name: entry["assumed"]}
            del held[name]
    for name in held:
        # a new answer doubted replaces the one given (the summary's "25 người"): it is asked about
        # in its turn, as an unanswered question is (a held answer is never beside a given one)
        state["answers"].pop(name, None)
        state["answers"].pop(state["flags"].pop(name, None), None)
    if held:
        state["held"] = {**(state.get("held") or {}), **held}
    if reading.unknown:
        lines.append(t("form.line.unknown", parts=", ".join(f"“{_quote(u)}”" for u in reading.unknown)))
    asked = [s.name for s in form.asked()]
    missing = [name for name in asked if name not in state["answers"]]
    if missing:
        state["refill"], state["at"] = missing, missing[0]
        state["trail"] = [n for n in asked[:asked.index(missing[0])] if n in state["answers"]]
        result = _check_held(form, state, ctx)
    else:
        state["at"] = SUMMARY
        result = Result(state)
    if lines:
        result.notice, result.notice_params = "form.line.read", {"notes": "\n".join(lines)}
    return result


def _fill_later(form: Form, asked: Step, state: dict, reading: one_line.Reading, ctx: FormContext) -> Result:
    """`fill` with a line typed at the question `asked`. A note it names is written only at the
    first question (the form's own rule: a note is written where the person was asked for it or
    chose it): here it is quoted back, to be added at the summary."""
    first = not state["trail"] and not state.get("refill") and asked is form.asked()[0] \
        and not any(s.name in state["answers"] for s in form.asked())
    notes = [p for p in reading.parts if form.step(p.step).kind == "text"]
    if first or not notes:
        result = fill(form, state, reading, ctx)
    else:
        rest = dataclasses.replace(reading, parts=tuple(p for p in reading.parts if p not in notes))
        result = fill(form, state, rest, ctx)
        label = t(form.step(notes[0].step).label).lower()
        later = t("form.line.note_later", text=_quote(notes[0].text), label=label)
        shown = result.notice_params.get("notes") if result.notice == "form.line.read" else None
        result.notice, result.notice_params = "form.line.read", {"notes": f"{shown}\n{later}" if shown else later}
    return _say_taken(form, state, reading, result, ctx, asked)


def _say_taken(form: Form, state: dict, reading: one_line.Reading, result: Result, ctx: FormContext,
               asked: Step | None = None) -> Result:
    """A line's answers said above the next question when it took more than the answer to the
    question `asked` (if any) and said nothing else: else they would seem lost (the summary
    shows them all)."""
    taken = {p.step: state["answers"][p.step] for p in reading.parts if p.step in state["answers"]}
    if result.notice is None and state["at"] != SUMMARY and set(taken) - {asked.name if asked else None}:
        result.notice, result.notice_params = "form.set", {"items": _items(form, taken, ctx)}
    return result


def _news(form: Form, asked: Step | None, state: dict, reading: one_line.Reading,
          ctx: FormContext) -> one_line.Reading | None:
    """A line typed at the question `asked`, less what it repeats of the other answers given so far:
    what `fill` puts into the form. None when it gives another value to another question already
    answered (a new report, or a change the summary's Edit makes): a given answer is never
    overwritten by a line. The question asked takes its part (also when the person went back to
    it), a choice shown on the summary (the mode) is changed by its words, as everywhere, and an
    answer still waiting for its check (`held`) by a new one."""
    given = state["answers"]
    parts = []
    for part in reading.parts:
        step = form.step(part.step)
        if step.on_summary or step is asked or step.name not in given:
            parts.append(part)
            continue
        parsed = parsers.ok(part.value) if part.value is not None else read(step, part.text, ctx)
        if not parsed.ok:
            return None
        typed = parsed.value.isoformat() if isinstance(parsed.value, date) else parsed.value
        if typed != given[step.name]:
            return None
    return dataclasses.replace(reading, parts=tuple(parts))


def _more_than(step: Step, reading: one_line.Reading, text: str) -> bool:
    """Whether a line read whole says more than an answer to `step` alone (which its parser reads,
    with the words of a choice beside it): another question's answer, a remark, a piece not
    understood, a note after its name ("12 người, nội dung: ..."). A line with pieces not
    understood must name the form ("sinh hoạt ..."): one meant for another form ("1+1 ...") is
    not read into this one."""
    asked = [p for p in reading.parts if not reading.form.step(p.step).on_summary]
    if reading.unknown and not reading.named:
        return False
    if not asked:
        return bool(reading.notes)          # "3 vào hội": the form's own sentence, not "no number here"
    if len(reading.parts) == 1 and not (reading.named or reading.notes) and _BARE_NUMBER.fullmatch(_said(text)):
        return False             # a number alone names nothing it counts: "15" at the day is no count
    noted = any(reading.form.step(p.step).kind == "text" for p in reading.parts)
    return bool(reading.unknown or reading.notes) or noted or len(asked) > 1 or asked[0].step != step.name


_BARE_NUMBER = re.compile(r"\s*[-\u2212+]?\s*\d+\s*")
_DAY_ONLY = re.compile(r"\s*([0-9]{1,2})\s*")


def _check_held(form: Form, state: dict, ctx: FormContext) -> Result:
    """At a question whose answer came in a whole-line report and waits for its check: check it
    now (with the answers as they stand), asking about it if it still looks odd."""
    held = state.get("held") or {}
    entry = held.pop(state["at"], None)
    if not held:
        state.pop("held", None)
    if entry is None:
        return Result(state)
    step = form.step(state["at"])
    return _checked(form, state, step, _value_of(step, entry["value"]), ctx, assumed=entry.get("assumed"))


def _value_of(step: Step, stored: Any) -> Any:
    """A stored answer as its step's parser gave it (a day as a date)."""
    return date.fromisoformat(stored) if step.kind == "date" and isinstance(stored, str) else stored


def offered(step: Step, state: dict, ctx: FormContext) -> Offer | None:
    """What the branch answered last time, offered at `step` ("Như lần trước: ..."), if anything."""
    recalled = state.get("recalled")
    if step.offer is None or not isinstance(recalled, dict) or not recalled:
        return None
    return step.offer(recalled, state["answers"], ctx)


def _take_offer(form: Form, state: dict, step: Step, ctx: FormContext) -> Result:
    """The answers of last time, taken in one tap: the step's own through its check, the others
    (a choice shown on the summary, such as the mode) set beside it."""
    offer = offered(step, state, ctx)
    if offer is None or not fits(step, offer.answers.get(step.name), ctx):
        return Result(state, notice="form.as_before_none")
    for name, value in offer.answers.items():
        other = form.find(name)
        if other is not None and other is not step and other.on_summary and fits(other, value, ctx):
            _set(state, name, value)
    return _checked(form, state, step, offer.answers[step.name], ctx)


def _typed(form: Form, step: Step, state: dict, text: str, ctx: FormContext) -> Result:
    """A typed answer to `step`. Words of a choice shown on the summary, typed beside it ("sinh
    hoạt trực tuyến", "12 người, online"), set that choice too, and the person is told."""
    parsed, extras, answer = read(step, text, ctx), {}, text
    if step.kind != "text":                           # a note is taken as written, never mined
        others = [s for s in form.steps if s.on_summary and s is not step]
        found, rest = _choice_words(form, others, text, ctx)
        if found and rest:
            alone = read(step, rest, ctx)
            if alone.ok:
                parsed, extras, answer = alone, found, rest
    if not parsed.ok:
        answered = any(s.name in state["answers"] for s in form.asked())
        if step.kind != "text" and answered and len(text) <= one_line.MAX_LINE:
            reading = one_line.read(form, text, ctx)
            if reading.named and reading.found:
                # a whole new report, typed by someone who forgot this form was open (a border
                # branch finishes tomorrow what it began today): say so, not "no number here"
                return Result(state, notice="form.line.while_open", notice_params=reopened(form, state, ctx))
        return Result(state, notice=f"parse.{parsed.error}", notice_params=shown_params(parsed.params))
    for name, value in extras.items():
        _set(state, name, value)
    assumed = parsed.value.year if step.kind == "date" and parsers.without_year(answer) else None
    result = _checked(form, state, step, parsed.value, ctx, assumed=assumed)
    if extras and result.notice is None:
        result.notice, result.notice_params = "form.set", {"items": _items(form, extras, ctx)}
    return result


@functools.lru_cache(maxsize=1024)
def _whole_words(phrase: str) -> re.Pattern:
    """A folded phrase as a pattern matching it as whole words (the same few phrases every answer)."""
    return re.compile(r"(?<![^\W_])" + r"\s+".join(map(re.escape, phrase.split())) + r"(?![^\W_])")


def _choice_words(form: Form, steps: list[Step], text: str, ctx: FormContext) -> tuple[dict, str]:
    """The choices of `steps` whose words appear whole in `text` ({step: value}), and the text
    left once they are taken out; nothing when a word is ambiguous or two values of one step are
    named. Steps with a check of their own are left to be answered on their own."""
    meanings: dict[str, set[tuple[str, Any]]] = {}
    for step in steps:
        if step.kind != "choice" or step.confirm is not None:
            continue
        for option in step.options_for(ctx):
            for phrase in (*option.words, t(option.label, **option.params)):
                key = " ".join(words(phrase))
                if key:
                    meanings.setdefault(key, set()).add((step.name, option.value))
    folded, found = fold(text), {}
    for phrase in sorted(meanings, key=len, reverse=True):      # "ca hai" before "hai"
        pattern = _whole_words(phrase)
        if not pattern.search(folded):
            continue
        if len(meanings[phrase]) > 1:
            return {}, text
        [(name, value)] = meanings[phrase]
        if found.setdefault(name, value) != value:
            return {}, text
        folded = pattern.sub(" ", folded)
    return found, " ".join(folded.split()).strip(" ,;.-+&")


def _set(state: dict, name: str, value: Any) -> None:
    """An answer given beside another one (a choice with no check and no flag)."""
    state["answers"][name] = value
    previous = state["flags"].pop(name, None)
    if previous:
        state["answers"].pop(previous, None)


def _items(form: Form, values: dict, ctx: FormContext) -> str:
    """Answers as the notice says them: "ngày: Thứ Hai, 23 tháng 11, 2026; hình thức: Trực tuyến"."""
    return "; ".join(t("form.set_item", label=t(s.label).lower(), value=show(s, values[s.name], ctx))
                     for s in form.steps if s.name in values)             # in the summary's order


def shown_params(params) -> dict:
    """A message's values as a person reads them: whole numbers with the thousands dot (10.000)."""
    return {k: number(v) if type(v) is int else v for k, v in dict(params).items()}


def read(step: Step, text: str, ctx: FormContext) -> parsers.Parsed:
    """Parse a typed answer with the parser of the step's kind and its limits."""
    if step.kind == "count":
        return parsers.parse_count(parsers.of_members(text, ctx.unit.members), **step.limits)
    if step.kind == "date":
        parsed = parsers.parse_date(text, today=ctx.today, earliest=ctx.earliest)
        if parsed.error == "date_unreadable":
            # a shortcut's words with a small typo ("hom qau"), as a choice is read
            key = " ".join(words(text))
            shortcuts = [o.value for o in step.shortcuts_for(ctx)]
            meant = closest(key, shortcuts)
            if meant is not None:
                parsed = parsers.parse_date(shortcuts[meant], today=ctx.today, earliest=ctx.earliest)
            elif (day := _DAY_ONLY.fullmatch(_said(text))) and 1 <= int(day.group(1)) <= 31:
                # "15" answering the day: of which month? (never taken as 15 people)
                return parsers.fail("date_day_only", day=int(day.group(1)), month=ctx.today.month)
        if parsed.error == "date_too_old" and ctx.earliest == ctx.unit.founded_on:
            # not "too long ago": the branch did not exist yet (FormEngine.context)
            return parsers.fail("date_before_founded", founded=ctx.earliest)
        return parsed
    if step.kind == "yes_no":
        return parsers.parse_yes_no(text)
    if step.kind == "text":
        return parsers.parse_text(text, **step.limits)
    options = step.options_for(ctx)
    choices = [parsers.Choice(o.value, (*o.words, fold(t(o.label, **o.params)))) for o in options]
    return parsers.parse_choice(text, choices)


def _checked(form: Form, state: dict, step: Step, value: Any, ctx: FormContext,
             assumed: int | None = None) -> Result:
    stored = value.isoformat() if isinstance(value, date) else value
    if step.confirm:
        trial = {**state["answers"], step.name: stored}
        doubt: Confirm | None = step.confirm(value, ctx, trial)
        if doubt:
            pending = {"step": step.name, "value": stored, "flag": doubt.flag,
                       "message": doubt.message, "params": dict(doubt.params)}
            defaults = Confirm("")
            if (doubt.yes, doubt.no) != (defaults.yes, defaults.no):
                pending["yes"], pending["no"] = doubt.yes, doubt.no
            if assumed:
                pending["assumed"] = assumed
            state["pending"] = pending
            return Result(state)
    return _accept(form, state, step, stored, ctx, assumed=assumed)


def _accept(form: Form, state: dict, step: Step, value: Any, ctx: FormContext, flag: str | None = None,
            assumed: int | None = None) -> Result:
    state["answers"][step.name] = value
    # a new answer replaces the flag its predecessor may have raised
    previous = state["flags"].pop(step.name, None)
    if previous:
        state["answers"].pop(previous, None)
    if flag:
        state["answers"][flag] = True
        state["flags"][step.name] = flag
    # the year taken for a date typed without one, said on the summary
    years = dict(state.get("assumed") or {})
    years.pop(step.name, None)
    if assumed:
        years[step.name] = assumed
    if years:
        state["assumed"] = years
    else:
        state.pop("assumed", None)
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
            return _check_held(form, state, ctx)
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
        # digits are never yes or no here (parse_yes_no): "1" at "Keep 15?" is the number 1
        answer = _pending_answer(pending, event.value or "")
        if answer is None:
            # a new answer instead of yes/no (a number, a date): take it as a fresh answer
            state["pending"] = None
            return _on_step(form, step, state, event, ctx)
    else:
        return Result(state, notice="form.button_old")
    if answer:
        return _accept(form, state, step, pending["value"], ctx, pending["flag"], pending.get("assumed"))
    state["pending"] = None
    return Result(state, notice="form.enter_again")


# At "keep this number?", besides yes and no: Zalo lists its two choices without numbers (the
# question takes a number), so their words are typed, whole or in part ("giữ số này", "báo cáo bổ
# sung", "nhập lại"), or these.
_KEEP_WORDS = ("giu", "giu nguyen", "van giu", "giu lai")
_RETYPE_WORDS = ("sua", "sua lai", "go lai", "nhap lai")


# At "0 người — đúng chứ?", "không có ai" says zero is right: it is a "yes", though it begins with "không".
_NOBODY_WORDS = {"khong co ai", "khong ai", "khong ai ca", "khong co ai ca", "khong co nguoi nao",
                 "khong ai den", "khong ai tham du", "khong co ai tham du"}


def _pending_answer(pending: dict, text: str) -> bool | None:
    """True to keep the doubted answer, False to give another; None for a new answer instead."""
    if pending.get("value") == 0 and " ".join(words(text)) in _NOBODY_WORDS:
        return True
    parsed = parsers.parse_yes_no(text)
    if parsed.ok:
        return parsed.value
    if any(ch.isdigit() for ch in text):
        return None
    yes = t(pending.get("yes", "form.button.yes_keep"))
    no = t(pending.get("no", "form.button.no_retype"))
    picked = parsers.parse_choice(text, (parsers.Choice("yes", (*_label_phrases(yes), *_KEEP_WORDS)),
                                         parsers.Choice("no", (*_label_phrases(no), *_RETYPE_WORDS))))
    return picked.value == "yes" if picked.ok else None


def _label_phrases(label: str) -> tuple[str, ...]:
    """A button's words, whole and each part between its commas: "Đúng, giữ số này" gives
    "dung giu so nay", "dung" and "giu so nay"."""
    return tuple(" ".join(words(part)) for part in (label, *label.split(",")) if words(part))


def _on_summary(form: Form, state: dict, event: Event, ctx: FormContext) -> Result:
    action = event.value if event.kind == "action" else None
    text = event.value if event.kind == "text" and isinstance(event.value, str) else ""
    word = fold(text)
    if action == "save" or _said(text) in _SAVE_WORDS:
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
    if extra is not None and (action == "add" or word in _add_words(extra)):
        state["at"], state["editing"] = extra.name, True
        return Result(state)
    if event.kind == "text" and word:
        return _typed_at_summary(form, state, text, ctx)
    return Result(state, notice="form.summary_hint")


def _add_words(step: Step) -> set[str]:
    label = " ".join(words(t(step.label)))
    return {label, f"them {label}", f"ghi {label}", f"viet {label}"}


def _typed_at_summary(form: Form, state: dict, text: str, ctx: FormContext) -> Result:
    """Text typed at the summary, read for what it is: the name of a line opens it; words of a
    choice ("trực tuyến"), a date ("hôm qua") or a count named by its words ("15 người") change
    that line, and the person is told; anything else is asked about (which line is it for?),
    never written into the note unasked."""
    key = " ".join(words(text))
    named = [s for s in form.steps if " ".join(words(t(s.label))) == key]
    if len(named) == 1:
        state["at"], state["editing"] = named[0].name, True
        return Result(state)
    found, rest = _choice_words(form, list(form.steps), text, ctx)
    if found and not rest:
        for name, value in found.items():
            _set(state, name, value)
        return Result(state, notice="form.set", notice_params={"items": _items(form, found, ctx)})
    for step in form.steps:
        if step.kind != "date":
            continue
        typed = rest if found else text                # "hôm qua trực tuyến": the date, and the mode
        probe = read(step, typed, ctx)
        if probe.ok or probe.error not in ("date_unreadable", "date_day_only"):   # "15" there: a count
            if probe.ok:
                for name, value in found.items():
                    _set(state, name, value)
            state["at"], state["editing"] = step.name, True
            result = _typed(form, step, state, typed, ctx)
            if result.state["at"] == SUMMARY and result.notice is None:
                changed = {**(found if probe.ok else {}), step.name: result.state["answers"][step.name]}
                result.notice, result.notice_params = "form.set", {"items": _items(form, changed, ctx)}
            return result
    reading = one_line.read(form, text, ctx) if len(text) <= one_line.MAX_LINE else None
    if reading is not None and reading.parts and not (reading.unknown or reading.notes) \
            and not _BARE_NUMBER.fullmatch(text) and all(form.step(p.step).kind != "text" for p in reading.parts):
        return _line_at_summary(form, state, reading, ctx)
    fitting = [s.name for s in form.steps
               if s.kind not in ("choice", "date") and read(s, text, ctx).ok]
    if not fitting:
        return Result(state, notice="form.summary_unknown", notice_params={"text": _quote(text)})
    state["ask"] = {"kind": "which", "text": text, "steps": fitting}
    return Result(state)


def _line_at_summary(form: Form, state: dict, reading: one_line.Reading, ctx: FormContext) -> Result:
    """A line at the summary whose every piece names its line ("15 người", "hôm kia 15 người"):
    those lines change, all or none, each through its check (a note is written only where the
    person picks its line). One naming the form with another answer to its first question
    ("sinh hoạt 20/11 15 người" over an unsaved summary of the 22nd) is a new report: said so."""
    first = form.asked()[0].name
    opening = dataclasses.replace(reading, parts=tuple(p for p in reading.parts if p.step == first))
    if reading.named and reading.found and _news(form, None, state, opening, ctx) is None:
        return Result(state, notice="form.line.while_open", notice_params=reopened(form, state, ctx))
    refused = []
    for part in reading.parts:
        parsed = parsers.ok(part.value) if part.value is not None else read(form.step(part.step), part.text, ctx)
        if not parsed.ok:
            reason = t(f"parse.{parsed.error}", **shown_params(parsed.params))
            refused.append(t("form.line.not_taken", text=_quote(part.text), reason=reason))
    if refused:
        return Result(state, notice="form.line.read", notice_params={"notes": "\n".join(refused)})
    before = dict(state["answers"])
    result = fill(form, state, reading, ctx)
    changed = {n: v for n, v in state["answers"].items() if form.find(n) is not None and before.get(n) != v}
    if result.notice is None and state["at"] == SUMMARY and changed:
        result.notice, result.notice_params = "form.set", {"items": _items(form, changed, ctx)}
    return result


def _quote(text: str, most: int = 60) -> str:
    text = " ".join(text.split())
    return text if len(text) <= most else text[:most - 1].rstrip() + "…"


def _on_ask(form: Form, state: dict, event: Event, ctx: FormContext) -> Result:
    """A question asked at the summary: which line a typed text is for, or whether a report
    that repeats a saved one corrects it or stands beside it."""
    ask = state["ask"]
    if event.kind == "action" and event.value == "summary":
        del state["ask"]
        return Result(state)
    if ask["kind"] == "which":
        names = ask["steps"]
        index = None
        if event.kind == "option":
            index = event.value if type(event.value) is int and 0 <= event.value < len(names) else None
            if index is None:
                return Result(state, notice="form.button_old")
        elif event.kind == "text":
            labels = [" ".join(words(t(form.step(n).label))) for n in names]
            key = " ".join(words(event.value or ""))
            index = labels.index(key) if key in labels else None
            if index is None:                          # something else typed: read it afresh
                del state["ask"]
                return _on_summary(form, state, event, ctx)
        else:
            return Result(state, notice="form.button_old")
        step = form.step(names[index])
        del state["ask"]
        state["at"], state["editing"] = step.name, True
        result = _typed(form, step, state, ask["text"], ctx)
        if result.state["at"] == SUMMARY and result.notice is None:
            result.notice = "form.set"
            result.notice_params = {"items": _items(form, {step.name: result.state["answers"][step.name]}, ctx)}
        return result
    # "duplicate": the report being saved repeats a saved one
    choice = None
    if event.kind == "option" and type(event.value) is int:
        choice = {0: "correct", 1: "both"}.get(event.value)
    elif event.kind == "text":
        word = fold(event.value or "").strip(" .!")
        choice = "correct" if word in _CORRECT_WORDS else "both" if word in _BOTH_WORDS else None
        if choice is None:
            return Result(state, notice="form.duplicate_hint")
    if choice == "correct" and ask["correctable"]:
        del state["ask"]
        state["report_id"] = ask["report_id"]          # the form becomes a correction of it
        return Result(state, "save")
    if choice == "both" and ask.get("both", True):
        del state["ask"]
        state["both"] = [*state.get("both", []), ask["report_id"]]
        return Result(state, "save")
    return Result(state, notice="form.duplicate_hint")


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
    if state.get("ask"):
        del state["ask"]
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
    """The message that asks for what the form needs next, with its buttons.

    One rule for digits (bot/channels/numbered.py): where the question takes a number, the reply
    says so (`number_answer`) and a typed number is the answer, never a pick, also at "keep this
    number?"; anywhere else the choices may be numbered and a digit picks one."""

    def tap(label: str, code: str) -> Button:
        return Button(label, Action(FORM_ROUTE, (session_id, version, code)))

    lines = [t(notice, **(notice_params or {}))] if notice else []
    cancel = tap(t("form.button.cancel"), "x")
    back = tap(t("form.button.back"), "b")
    to_summary = tap(t("form.button.to_summary"), "m")
    if state["pending"]:
        pending = state["pending"]
        step = form.step(pending["step"])
        lines.append(t(pending["message"], **shown_params(pending["params"])))
        buttons = rows(tap(t(pending.get("yes", "form.button.yes_keep")), "y"),
                       tap(t(pending.get("no", "form.button.no_retype")), "n")) + rows(cancel)
        return Reply("\n\n".join(lines), buttons, number_answer=step.kind == "count")
    if state.get("ask") and state["ask"]["kind"] == "which":
        ask = state["ask"]
        lines.append(t("form.which", text=_quote(ask["text"])))
        choices = [tap(t(form.step(n).label), f"o{i}") for i, n in enumerate(ask["steps"])]
        buttons = rows(*choices) + rows(to_summary, cancel)
    elif state.get("ask"):
        ask = state["ask"]
        asks = ask.get("asks", "form.duplicate")
        both = tap(t("form.button.keep_both"), "o1") if ask.get("both", True) else None
        if ask["correctable"]:
            lines.append(t(f"{asks}.open", report=ask["report"]))
            choices = rows(tap(t("form.button.correct_old"), "o0"), both, width=1)
        else:
            lines.append(t(f"{asks}.locked", report=ask["report"]))
            choices = rows(both, width=1)
        buttons = choices + rows(to_summary, cancel)
    elif state["at"] == SUMMARY:
        lines.append(summary_text(form, state, ctx))
        extra = form.typed_on_summary()
        add = None
        if extra is not None and state["answers"].get(extra.name) is None:
            add = tap(t("form.button.add", label=t(extra.label).lower()), "a")
        buttons = rows(tap(t("form.button.save"), "s"), tap(t("form.button.edit"), "e")) + rows(add, cancel)
    elif state["at"] == PICK_EDIT:
        lines.append(t("form.pick_edit"))
        choices = [tap(t(s.label), f"g{i}") for i, s in enumerate(form.steps)]
        buttons = rows(*choices, to_summary)
    else:
        step = form.step(state["at"])
        lines.append(t(step.question, members=number(ctx.unit.members), unit=ctx.unit.name))
        offer = offered(step, state, ctx)
        first = rows(tap(t(offer.label, **offer.params), "p"), width=1) if offer is not None else ()
        choices = step.options_for(ctx)
        options = [tap(t(o.label, **o.params), _option_code(step, i, o.value if i < len(choices) else None))
                   for i, o in enumerate(choices + step.shortcuts_for(ctx))]
        if step.kind == "yes_no":
            # its own buttons: in a numbered menu "1" then means "Có", never a hidden default
            options = [tap(t("form.button.yes"), "y"), tap(t("form.button.no"), "n")]
        extras = [back] if state["trail"] or state["editing"] else []
        if step.optional:
            extras.append(tap(t("form.button.skip"), "k"))
        width = 2 if len(options) in (2, 4) else 3
        buttons = first + rows(*options, width=width) + rows(*extras, cancel, width=3)
        return Reply("\n\n".join(lines), buttons, number_answer=step.kind == "count")
    return Reply("\n\n".join(lines), buttons)


# An option's value carried in its button, where the wire takes it ("2026-H1").
_WIRE_VALUE = re.compile(r"[A-Za-z0-9_.\-]{1,24}")


def _option_code(step: Step, index: int, value: Any) -> str:
    """A choice's button: its place in the list, or, where the options are computed from the day
    (the 1+1 periods), its value: "1. 6 tháng đầu năm 2026" shown on 30/6 and picked on 2/7, when
    the first option has become the next half-year, still means the half-year it showed.
    `value`: None for a shortcut (it stands for typed words)."""
    if callable(step.options) and value is not None and _WIRE_VALUE.fullmatch(str(value)):
        return f"v{value}"
    return f"o{index}"


def summary_text(form: Form, state: dict, ctx: FormContext) -> str:
    """The form's answers, one line each, under its title."""
    lines = [t("form.summary_title", title=t(form.title), unit=ctx.unit.name)]
    years = state.get("assumed") or {}
    for step in form.steps:
        value = state["answers"].get(step.name)
        shown = show(step, value, ctx)
        if step.name in years and value is not None:
            shown += t("form.year_assumed", year=years[step.name])
        lines.append(t("form.summary_line", label=t(step.label), value=shown))
    for flag in state["flags"].values():
        lines.append(t(f"{form.name}.flag.{flag}"))
    extra = form.typed_on_summary()
    lines.append(t("form.summary_footer"))
    if extra is not None and state["answers"].get(extra.name) is None:
        label = t(extra.label).lower()
        lines.append(t("form.summary_extra", label=label, button=t("form.button.add", label=label)))
    return "\n".join(lines)


def reopened(form: Form, state: dict, ctx: FormContext) -> dict:
    """What "you have this form open" says: its title and, away from the summary (which shows
    every answer), the answers given so far."""
    so_far = ""
    if state["at"] != SUMMARY:
        given = [t("form.summary_line", label=t(s.label), value=show(s, state["answers"][s.name], ctx))
                 for s in form.steps if s.name in state["answers"] and not s.on_summary]
        if given:
            so_far = "\n" + t("form.so_far") + "\n" + "\n".join(given)
    return {"title": t(form.title), "so_far": so_far}


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
        return t(option.label, **option.params) if option else _no_longer_offered(value)
    return str(value)


def _no_longer_offered(value: Any) -> str:
    """A choice no option offers any more, as a person reads it: a period the calendar moved past
    (a year's 1+1 report corrected in its days of grace) by its name, never its key ("2026")."""
    try:
        period = periods.parse(str(value))
    except ValueError:
        return str(value)
    name = period_name(period.kind, period.year, period.number)
    return name[:1].upper() + name[1:]


def event_from(incoming: Incoming, session: FormSession) -> Event | None:
    """Read an Incoming as an event of this session; None when it is a button of another one."""
    if incoming.button is not None:
        action = incoming.button
        if action.route != FORM_ROUTE or len(action.args) != 3:
            return None
        if action.number(0) != session.id or action.number(1) != session.version:
            return None
        code = action.text(2)
        if code[:1] == "o" and code[1:].isdigit():
            return Event("option", int(code[1:]))
        if code[:1] == "g" and code[1:].isdigit():
            return Event("action", f"goto{code[1:]}")
        if code[:1] == "v" and _WIRE_VALUE.fullmatch(code[1:]):
            return Event("value", code[1:])
        actions = {"s": "save", "e": "edit", "x": "cancel", "b": "back", "k": "skip", "y": "yes",
                   "n": "no", "m": "summary", "r": "resume", "a": "add", "p": "previous"}
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
                    replace: bool = False, reading: one_line.Reading | None = None) -> list[Reply]:
        """Open a form (or a correction of a saved report) and ask its first question; with a
        `reading` (a whole report typed in one message), ask only what it left unanswered.
        A new report's form keeps what the branch reported last time (`Form.recall`), read in
        the transaction that opens it, for the questions that offer it."""
        form = self.forms.get(form_name)
        if form is None:                               # a form this bot no longer has
            return [gone_reply(t("form.unavailable"))]
        ctx = self.context(identity)
        state = new_state(form, ctx, answers, report_id, flags)
        opened = _say_taken(form, state, reading, fill(form, state, reading, ctx), ctx) \
            if reading is not None else Result(state)

        def open_form(tx):
            if form.recall is not None and report_id is None:
                recalled = form.recall(tx, ctx)
                if recalled:
                    opened.state["recalled"] = recalled
            return tx.forms.start(identity.person.id, identity.unit.id, form.name, opened.state, ctx.now,
                                  replace=replace)

        session = await self.storage.atomic(open_form)
        return [render(form, session.id, session.version, opened.state, ctx, opened.notice, opened.notice_params)]

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
        if result.outcome == "continue" and event.kind == "text" and (result.notice or "").startswith("parse."):
            # not an answer here, but a whole report of another form ("1+1 ..." typed while the
            # meeting form waits): say which form is open, not "no number here"
            other = one_line.recognise([f for f in self.forms.values() if f is not form], event.value or "", ctx)
            if other is not None:
                result.notice = "form.line.other_form"
                result.notice_params = {**reopened(form, result.state, ctx), "other": t(other.form.title)}
        correcting = result.state.get("report_id")
        if result.outcome == "save" and correcting is not None and form.locked is not None \
                and form.locked(tx, ctx, correcting):
            # the period closed while the correction stood open: the saved report stays as it was
            tx.forms.finish(session.id, session.version)
            return Turn(form, ctx, session.id, session.version, result.state, outcome="cancel",
                        notice="form.locked")
        if result.outcome == "save" and form.duplicate is not None:
            # a second report of the same day and kind: asked whether it corrects the first; a
            # correction is asked only about a report it may not stand beside (a 1+1 period's)
            correcting = result.state["report_id"]
            kept = [*result.state.get("both", []), *([correcting] if correcting is not None else [])]
            repeated = form.duplicate(tx, ctx, result.state["answers"], kept)
            if repeated is not None and (correcting is None or not repeated.both):
                result.state["ask"] = {"kind": "duplicate", "report_id": repeated.report_id,
                                       "report": repeated.report, "correctable": repeated.correctable}
                if not repeated.both or repeated.asks != "form.duplicate":
                    result.state["ask"].update(both=repeated.both, asks=repeated.asks)
                result.outcome = "continue"
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
        to_reports = rows(Button(t("menu.reports"), Action.command("baocao")), Button(t("menu.home"), Action.command("menu")))
        if turn.outcome == "cancel" and turn.notice is not None:       # ended by the rules, not the person
            return [Reply(t(turn.notice, title=t(turn.form.title)), to_reports)]
        if turn.outcome == "cancel":
            return [Reply(t("form.cancelled", title=t(turn.form.title)))]
        if turn.outcome == "save":
            return [Reply(t(turn.form.saved, title=t(turn.form.title), unit=turn.ctx.unit.name), to_reports)]
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
        """The open form's current question again (its command typed while it is open), saying
        that it was open and what it holds so far. A state
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
        if carried.notice:
            return [render(form, session.id, version, carried.state, ctx, carried.notice, carried.params)]
        # said so: the person asked to start it, and finds it where they left it
        return [render(form, session.id, version, carried.state, ctx, "form.reopened",
                       reopened(form, carried.state, ctx))]

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
