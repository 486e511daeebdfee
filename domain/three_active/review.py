"""The level above reviews a registered plan item by item (Đạt / Chưa đạt, 004 step 3), then
decides the recognition: which item comes next, what can be decided, and what the reviewer sees.

The marks are stored as they are given (storage.three_active.mark), so a review stopped half way
goes on where it stopped; a button names its item, so an old one marks exactly that item.
"""

from __future__ import annotations

from domain.conversation import Action, Button, Reply, rows
from domain.textnorm import fold
from messages_vi import t
from messages_vi.formatting import number
from storage.three_active import Item, Plan

ACHIEVED_WORDS = {"dat", "da dat", "hoan thanh", "co"}
NOT_ACHIEVED_WORDS = {"chua dat", "khong dat", "chua", "khong", "chua hoan thanh"}
PAUSE_WORDS = {"dung", "tam dung", "de sau", "huy", "thoi"}


def read_mark(text: str) -> bool | str | None:
    """True (Đạt), False (Chưa đạt), "pause", or None for anything else."""
    word = fold(text).strip(" .!")
    if word in ACHIEVED_WORDS:
        return True
    if word in NOT_ACHIEVED_WORDS:
        return False
    return "pause" if word in PAUSE_WORDS else None


def first_open(plan: Plan) -> Item | None:
    """The first item not reviewed yet; None when every item is."""
    return next((item for item in plan.items if item.achieved is None), None)


def after(plan: Plan, item_id: int) -> Item | None:
    """The item after this one, in the plan's order; None after the last."""
    ids = [item.id for item in plan.items]
    index = ids.index(item_id) + 1 if item_id in ids else len(ids)
    return plan.items[index] if index < len(ids) else None


def may_decide(plan: Plan) -> bool:
    """A recognition is decided once every item was reviewed."""
    return bool(plan.items) and plan.reviewed == len(plan.items)


def item_reply(plan: Plan, item: Item, unit: str) -> Reply:
    """One item to review, with its two answers."""
    index = [i.id for i in plan.items].index(item.id) + 1
    current = t("bcd.review.current", mark=t(f"bcd.mark.{int(item.achieved)}")) if item.achieved is not None else ""
    text = t("bcd.review.item", unit=unit, year=plan.year, index=index, count=len(plan.items), part=item.part,
             part_title=t(f"bcd.part_short.{item.part}"),
             line=t("bcd.item_line", part=item.part, position=item.position, text=item.text), current=current)
    return Reply(text, rows(Button(t("bcd.button.achieved"), Action("ba", ("m", item.id, 1))),
                            Button(t("bcd.button.not_achieved"), Action("ba", ("m", item.id, 0)))) +
                 rows(Button(t("bcd.button.pause"), Action("ba", ("h", plan.id)))))


def tally_reply(plan: Plan, unit: str, notice: str = "") -> Reply:
    """Every item with its mark, and the decision to take (or the one taken, to change)."""
    lines = [t("bcd.review.tally_line", mark=_mark_sign(item), line=t(
        "bcd.item_line", part=item.part, position=item.position, text=item.text)) for item in plan.items]
    if plan.recognised is None:
        left = len(plan.items) - plan.achieved
        question = t("bcd.review.ask_all" if not left else "bcd.review.ask_some", unit=unit, year=plan.year,
                     left=number(left))
    else:
        question = t("bcd.review.decided", decision=t(f"bcd.decision.{int(plan.recognised)}"))
    text = t("bcd.review.tally", unit=unit, year=plan.year, achieved=number(plan.achieved),
             count=number(len(plan.items)), lines="\n".join(lines), question=question)
    recognise = Button(t("bcd.button.recognise"), Action("ba", ("rc", plan.id, 1)))
    refuse = Button(t("bcd.button.not_recognise"), Action("ba", ("rc", plan.id, 0)))
    follow = Button(t("bcd.button.follow"), Action("ba", ("f", plan.year)))
    # A harmless choice comes first: on Zalo the "1" that answered "Đạt" item after item, typed
    # once more, must not decide anything.
    if plan.recognised is None:
        buttons = rows(follow, width=1) + rows(recognise, refuse) + rows(
            Button(t("bcd.button.redo"), Action("ba", ("rv", plan.id, 1))), width=1)
    else:
        document = [Button(t("bcd.button.decision", year=plan.year), Action("ba", ("q", plan.year)))] \
            if plan.recognised else []
        buttons = rows(follow, *document, refuse if plan.recognised else recognise, width=1)
    return Reply(f"{notice}\n\n{text}" if notice else text, buttons)


def _mark_sign(item: Item) -> str:
    return t("bcd.sign.open" if item.achieved is None else f"bcd.sign.{int(item.achieved)}")
