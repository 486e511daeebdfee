"""What a form is made of: steps, options and checks, as data the engine runs.

A new form is one `Form` value plus its sentences in `messages_vi`; the engine needs no change.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from storage.repository import Transaction
from storage.units import Unit

Answers = Mapping[str, Any]


@dataclass(frozen=True)
class FormContext:
    """What parsers and checks may look at: whose form, for which unit, on which day."""

    unit: Unit
    person_id: int
    now: datetime
    today: date           # local (Asia/Ho_Chi_Minh) date of `now`
    earliest: date         # no date answer may be older


@dataclass(frozen=True)
class Option:
    """One choice: its stored value, the message key of its label, and words that also mean it."""

    value: str
    label: str
    words: tuple[str, ...] = ()        # folded, without diacritics: "truc tuyen"
    params: Mapping[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class Confirm:
    """A soft check: the answer looks wrong, so ask; if the person insists, keep it (and flag it)."""

    message: str
    params: Mapping[str, Any] = field(default_factory=dict)
    flag: str | None = None            # answer key set to True when the person confirms
    yes: str = "form.button.yes_keep"  # message keys of the two answers' buttons
    no: str = "form.button.no_retype"


@dataclass(frozen=True)
class Offer:
    """What the branch answered last time, offered at a step as one tap ("Như lần trước: 18 đoàn
    viên, trực tiếp"): the answers it gives (the step's own and maybe others), and its label."""

    answers: Mapping[str, Any]
    label: str                         # message key
    params: Mapping[str, Any] = field(default_factory=dict)


# (what the form's `recall` read when it opened, the answers so far, ctx) -> the offer, or None
OfferFinder = Callable[[Mapping[str, Any], Answers, FormContext], Offer | None]


@dataclass(frozen=True)
class Step:
    name: str
    question: str                      # message key of the question
    label: str                         # message key of its line on the summary
    kind: str                          # count, date, choice, yes_no, text
    options: tuple[Option, ...] | Callable[[FormContext], tuple[Option, ...]] = ()
    # buttons that stand for a typed answer ("hom nay", "sinh hoat truc tuyen")
    shortcuts: tuple[Option, ...] | Callable[[FormContext], tuple[Option, ...]] = ()
    optional: bool = False
    # Not asked one by one: shown on the summary, pre-filled with `default` when given, changed
    # with Edit (a choice also by its words typed at the summary or beside another answer); a
    # free-text step there is offered with a button of its own, never filled by a guess.
    on_summary: bool = False
    default: Callable[[FormContext], Any] | None = None
    limits: Mapping[str, Any] = field(default_factory=dict)
    confirm: Callable[[Any, FormContext, Answers], Confirm | None] | None = None
    # folded words that name this step's answer in a whole report typed in one line: "5 vào
    # đoàn", "tham gia 12" (domain/forms/one_line.py); a choice is named by its options' words
    names: tuple[str, ...] = ()
    offer: OfferFinder | None = None

    def options_for(self, ctx: FormContext) -> tuple[Option, ...]:
        return self.options(ctx) if callable(self.options) else self.options

    def shortcuts_for(self, ctx: FormContext) -> tuple[Option, ...]:
        return self.shortcuts(ctx) if callable(self.shortcuts) else self.shortcuts


class UnknownStep(KeyError):
    """A step name the form's current definition does not have (a renamed or removed step)."""

    def __init__(self, form: str, step: object):
        super().__init__(f"form {form!r} has no step {step!r}")
        self.form, self.step = form, step


# A form's writer runs inside the transaction that ends the form: (the transaction's
# repositories, ctx, answers, report_id or None) -> the saved report's id.
Writer = Callable[[Transaction, FormContext, Answers, int | None], int]


@dataclass(frozen=True)
class Duplicate:
    """A saved report the one being saved may repeat (same day, same kind): the person is asked
    whether to correct it (when the rules still allow) or to keep both."""

    report_id: int
    report: str                        # the saved report in words, for the question
    correctable: bool
    # whether the new report may also stand beside the saved one: two meetings on one day may,
    # a period has one 1+1 report (saving it again corrects that one, when the rules still allow)
    both: bool = True
    asks: str = "form.duplicate"       # its sentences: the message keys asks + ".open", ".locked"


# Run inside the transaction that would save the form: (repositories, ctx, answers, ids the
# person already chose to keep beside this one) -> the report it repeats, or None.
DuplicateFinder = Callable[[Transaction, FormContext, Answers, list[int]], Duplicate | None]


@dataclass(frozen=True)
class Form:
    name: str
    title: str                         # message key
    steps: tuple[Step, ...]
    write: Writer
    saved: str                         # message key said after saving
    roles: tuple[str, ...] = ("secretary", "deputy")
    # Raise it whenever a step is renamed, removed or added, or an option is removed: a form
    # open on another version is carried onto this one (domain/forms/versions.py).
    version: int = 1
    duplicate: DuplicateFinder | None = None
    # folded phrases that name the form in a whole report typed in one line ("1+1", "hop bch")
    starts: tuple[str, ...] = ()
    # folded phrases naming a count the form does not hold ("vào hội"), with the message key that
    # says so to the person: such a part of a line is explained, never guessed into a field
    unheld: Mapping[str, str] = field(default_factory=dict)
    # run when the form opens, inside its transaction: what the branch reported last time, kept
    # in the form's state for the steps' offers (plain JSON values)
    recall: Callable[[Transaction, FormContext], dict] | None = None
    # run inside the transaction that would save a correction: whether the saved report it
    # changes may no longer be changed (its period closed while the form stood open)
    locked: Callable[[Transaction, FormContext, int], bool] | None = None

    def find(self, name: str) -> Step | None:
        """The step called `name`, or None when this definition has no such step."""
        return next((s for s in self.steps if s.name == name), None)

    def step(self, name: str) -> Step:
        """The step called `name`; UnknownStep (a KeyError) when this definition has none."""
        found = self.find(name)
        if found is None:
            raise UnknownStep(self.name, name)
        return found

    def asked(self) -> list[Step]:
        """The steps asked one by one, in order (not the extras offered on the summary)."""
        return [s for s in self.steps if not s.on_summary]

    def typed_on_summary(self) -> Step | None:
        """The free-text step offered on the summary (its own button), if the form has one."""
        return next((s for s in self.steps if s.on_summary and s.kind == "text"), None)
