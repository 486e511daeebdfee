"""Registering a plan as a conversation: its three parts typed item by item ("xong" moves on),
then a summary to send, correct or number.

The forms engine (domain/forms) keeps one answer per step, so a list of free-text items is a
small conversation of its own here: `advance(state, event)` is the whole logic as a pure
function, and the handler stores the state (storage.three_active) before it replies, so a plan
half typed goes on after a restart. Nothing is guessed: text at the summary that is no command
is answered with what can be done there, never taken as an item.

A draft remembers the sent plan it began from (`base`: None for a new registration). Two officers
of one unit may type a plan at once: one sent by the other meanwhile is never replaced silently
(the handler says so and keeps the draft; sending again replaces it, knowingly).
"""

from __future__ import annotations

import copy
import re
from dataclasses import dataclass, field

from domain.conversation import Action, Button, Reply, rows
from domain.textnorm import fold
from domain.three_active.rules import MAX_ITEMS, PARTS, read_item, split_items
from messages_vi import t
from messages_vi.formatting import number as format_number

SUMMARY, NUMBER = "summary", "number"       # where a plan stands besides its parts 1, 2, 3

CANCEL_WORDS = {"huy", "huy bo", "thoi", "khong gui"}
_DONE_WORDS = {"xong", "xong phan nay", "da xong", "het", "tiep", "tiep theo", "du roi", "sang phan sau"}
_BACK_WORDS = {"quay lai", "lui", "tro lai", "phan truoc"}
_UNDO_WORDS = {"xoa", "bo", "xoa noi dung cuoi", "bo noi dung cuoi", "xoa dong cuoi"}
_SEND_WORDS = {"gui", "gui di", "gui dang ky", "dang ky", "luu", "dong y", "ok", "xong"}
_NUMBER_WORDS = {"so", "so van ban", "ghi so", "so ke hoach"}
SKIP_WORDS = {"de trong", "bo qua", "khong co", "khong", "khong co so"}
_REMOVE = re.compile(r"(?:xoa|bo)(?: noi dung| dong| so)? (\d{1,2})")
_EDIT = re.compile(r"sua(?: lai)?(?: phan)? ([123])")
# a document number as typed: "05", "5", "05-KH/ĐTN" (the Union's way), "05/KH-ĐTN" (the State's), "Số 05"
_DOC_NUMBER = re.compile(r"(?:s[oố]\s*:?\s*)?(\d{1,6}(?:\s*[-/]\s*\S{1,20})?)", re.IGNORECASE)


@dataclass(frozen=True)
class Event:
    """What the person did: typed text, or an action of one of the plan's buttons."""

    kind: str            # text, action
    value: str


@dataclass
class Result:
    state: dict
    outcome: str = "continue"          # continue, send, cancel
    notice: str | None = None          # message key said before the prompt
    params: dict = field(default_factory=dict)


def new_state(unit_id: int, year: int, parts: list[list[str]] | None = None, number: str = "",
              base: str | None = None) -> dict:
    """A plan to type from its first part, or (a correction) the saved one at its summary;
    `base` names the sent plan it began from (its `sent_mark`), None when there was none."""
    return {"kind": "plan", "unit": unit_id, "year": year, "number": number,
            "parts": [list(items) for items in parts] if parts else [[] for _ in PARTS],
            "at": SUMMARY if parts else PARTS[0], "editing": bool(parts), "base": base}


def sent_mark(plan) -> str | None:
    """What tells one sending of a plan from another (storage.three_active.Plan, or None)."""
    return plan.updated_at.isoformat() if plan is not None else None


def overtaken(state: dict, plan) -> bool:
    """Whether the plan stored now was sent after this draft began (by someone else, or from
    another draft); a draft made before drafts remembered their base is never held back."""
    return "base" in state and plan is not None and state["base"] != sent_mark(plan)


def read_number(text: str) -> str | None:
    """A document number as typed ("05", "05-KH/ĐTN"), or None when it is not one."""
    found = _DOC_NUMBER.fullmatch(text.strip())
    return re.sub(r"\s*([-/])\s*", r"\1", found.group(1)) if found else None


def advance(state: dict, event: Event) -> Result:
    """The next state after one event; never raises for anything a person can send."""
    state = copy.deepcopy(state)
    word = fold(event.value).strip(" .!") if event.kind == "text" else ""
    action = event.value if event.kind == "action" else None
    if action == "cancel" or word in CANCEL_WORDS:
        return Result(state, "cancel")
    if state["at"] == SUMMARY:
        return _on_summary(state, action, word)
    if state["at"] == NUMBER:
        return _on_number(state, action, word, event)
    return _on_part(state, state["at"], action, word, event)


def _to_summary(state: dict) -> None:
    state["at"], state["editing"] = SUMMARY, True


def _on_part(state: dict, part: int, action: str | None, word: str, event: Event) -> Result:
    items = state["parts"][part - 1]
    if action == "done" or word in _DONE_WORDS:
        if not items:
            return Result(state, notice="bcd.plan.need_one")
        if state["editing"] or part == PARTS[-1]:
            _to_summary(state)
        else:
            state["at"] = part + 1
        return Result(state)
    if action == "back" or word in _BACK_WORDS:
        if part == PARTS[0]:
            return Result(state, notice="bcd.plan.first_part")
        state["at"] = part - 1
        return Result(state)
    removal = _REMOVE.fullmatch(word)
    if action == "undo" or word in _UNDO_WORDS or removal:
        position = int(removal.group(1)) if removal else len(items)
        if not 1 <= position <= len(items):
            return Result(state, notice="bcd.plan.remove_unknown", params={"number": position})
        removed = items.pop(position - 1)
        return Result(state, notice="bcd.plan.removed", params={"number": position, "text": removed})
    if event.kind != "text":
        return Result(state, notice="button_stale")
    return _add(state, items, event.value)


def _add(state: dict, items: list[str], text: str) -> Result:
    """Each line a new item; the ones refused are said, with why, and the others kept."""
    added, refused = 0, []
    for line in split_items(text):
        parsed = read_item(line)
        if not parsed.ok:
            refused.append(t(f"bcd.refused.{parsed.error}", **{**parsed.params, "text": _short(line)}))
        elif len(items) >= MAX_ITEMS:
            refused.append(t("bcd.refused.too_many", text=_short(line), most=MAX_ITEMS))
        else:
            items.append(parsed.value)
            added += 1
    if not refused:
        return Result(state, notice="bcd.plan.added" if added else "bcd.plan.need_one",
                      params={"count": format_number(added)})
    done = t("bcd.plan.added", count=format_number(added)) + "\n" if added else ""
    return Result(state, notice="bcd.plan.refused", params={"added": done, "refused": "\n".join(refused)})


def _short(text: str, most: int = 60) -> str:
    return text if len(text) <= most else text[:most - 1] + "…"


def _on_summary(state: dict, action: str | None, word: str) -> Result:
    edit = _EDIT.fullmatch(word)
    if action == "send" or word in _SEND_WORDS:
        return Result(state, "send")
    if (action or "").startswith("edit") or edit:
        part = edit.group(1) if edit else action[4:]
        if not part.isdigit() or int(part) not in PARTS:
            return Result(state, notice="button_stale")
        part = int(part)
        state["at"] = part
        return Result(state)
    if action == "number" or word in _NUMBER_WORDS:
        state["at"] = NUMBER
        return Result(state)
    return Result(state, notice="bcd.plan.summary_hint")


def _on_number(state: dict, action: str | None, word: str, event: Event) -> Result:
    if action == "skip" or word in SKIP_WORDS:
        state["number"] = ""
        _to_summary(state)
        return Result(state)
    if event.kind != "text":
        return Result(state, notice="button_stale")
    number = read_number(event.value)
    if number is None:
        return Result(state, notice="bcd.number.bad", params={"text": _short(event.value)})
    state["number"] = number
    _to_summary(state)
    return Result(state)


# --- what the person sees ----------------------------------------------------------------------

def item_lines(part: int, items: list[str]) -> str:
    """A part's items as numbered lines: "1.1. …", "1.2. …"."""
    return "\n".join(t("bcd.item_line", part=part, position=i, text=text) for i, text in enumerate(items, 1))


def parts_text(parts: list[list[str]]) -> str:
    """The three parts under their titles, each with its items."""
    return "\n\n".join(t("bcd.plan.summary_part", part=part, title=t(f"bcd.part.{part}"),
                         items=item_lines(part, parts[part - 1]) or t("bcd.plan.no_items"))
                       for part in PARTS)


def render(state: dict, session_id: int, unit: str, above: str, notice: str | None = None,
           params: dict | None = None) -> Reply:
    """The prompt of where the plan stands, after an optional notice."""
    lines = [t(notice, **(params or {}))] if notice else []
    at = state["at"]

    def tap(label: str, code: str) -> Button:
        return Button(label, Action("ba", ("p", session_id, position_code(at), code)))

    cancel = tap(t("bcd.button.cancel"), "x")
    if at == SUMMARY:
        lines.append(t("bcd.plan.summary", year=state["year"], unit=unit, parts=parts_text(state["parts"]),
                       number=number_line(state["number"]), above=above))
        buttons = rows(tap(t("bcd.button.send"), "s"), width=1) + rows(
            *(tap(t("bcd.button.edit", part=part), f"edit{part}") for part in PARTS), width=3) + rows(
            tap(t("bcd.button.number"), "n"), cancel)
        return Reply("\n\n".join(lines), buttons)
    if at == NUMBER:
        lines.append(t("bcd.plan.ask_number"))
        # digits typed here are the number, never a pick of the menu (bot/channels/numbered.py)
        return Reply("\n\n".join(lines), rows(tap(t("bcd.button.no_number"), "k"), cancel), number_answer=True)
    items = state["parts"][at - 1]
    header = t("bcd.plan.part", year=state["year"], unit=unit, part=at, title=t(f"bcd.part.{at}"))
    if items:
        last = state["editing"] or at == PARTS[-1]
        after = t("bcd.plan.next.summary") if last else t("bcd.plan.next.part", part=at + 1)
        lines.append(t("bcd.plan.part_items", header=header, count=format_number(len(items)),
                       items=item_lines(at, items), next=after))
    else:
        lines.append(t("bcd.plan.part_empty", header=header, example=t(f"bcd.example.{at}")))
    buttons = [tap(t("bcd.button.done"), "d")] if items else []
    if items:
        buttons.append(tap(t("bcd.button.undo"), "u"))
    if at != PARTS[0]:
        buttons.append(tap(t("bcd.button.back"), "b"))
    return Reply("\n\n".join(lines), rows(*buttons, cancel))


def number_line(number: str) -> str:
    return t("bcd.plan.number_line", number=number) if number else t("bcd.plan.number_none")


def event_of(code: str) -> Event | None:
    """The event a button's code stands for; None for a code no plan button has."""
    actions = {"d": "done", "u": "undo", "b": "back", "x": "cancel", "s": "send", "n": "number", "k": "skip"}
    if code in actions:
        return Event("action", actions[code])
    if code in {f"edit{part}" for part in PARTS}:
        return Event("action", code)
    return None


def position_code(at) -> str:
    """How a button names where the plan stood when it was shown: "1"-"3", "s" or "n"."""
    return str(at) if at in PARTS else at[0]
