"""Choices as a numbered menu, for messengers without buttons (Zalo, the terminal).

A reply's buttons become lines "1. Hôm nay", "2. Hôm qua" under its text. The person answers
with the number, in digits or words ("2", "số hai"), or with the words of a choice ("hom nay",
diacritics optional, a small typo forgiven: "hom qau"), polite words around it or not ("lưu nhé",
"dạ số 2 ạ"). The menu each chat saw last is kept in storage, so "2" means the same after
a restart; an answer that offers no choice closes it (`NumberedMenus.answered`).

One rule decides what a typed number is: when the question takes a number (a count, the reply's
`number_answer`), digits and number words are the answer and never a pick; its choices are then
shown without numbers and picked by their words only.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from domain.conversation import FORM_ROUTE, Action, Reply
from domain.forms.parsers import number_at, parse_count
from domain.textnorm import closest, fold, visible, without_politeness
from messages_vi import t
from storage import Storage
from storage.menus import OpenMenu

_PICK = re.compile(r"\s*(?:(?:chon|so|muc|cai)\s*)?([0-9]{1,3})\s*[.)]?\s*")   # "2", "chọn 2", "cái 2"
_PICK_WORDS = re.compile(r"(?:(?:chon|so|muc|cai) )?([a-z]+(?: [a-z]+)?)")        # "hai", "số hai", "mười"
_LABEL_NOISE = re.compile(r"^[^\w]+|[^\w]+$")
_COPIED = re.compile(r"(?:([0-9]{1,3})[.)]|•)\s*(.+)")


@dataclass(frozen=True)
class Read:
    """What a typed line means against the open menu: a pick, a number out of range, or text."""

    action: Action | None = None
    out_of_range: int = 0          # the number of choices, when a number picked none of them

    def out_of_range_text(self) -> str:
        """What a number that picked none of the choices is answered with."""
        if self.out_of_range == 1:
            return t("numbered.out_of_range_one")
        return t("numbered.out_of_range", last=self.out_of_range)


def render(reply: Reply) -> str:
    """The reply's text with its choices as numbered lines (or word lines, for a count)."""
    choices = [b for row in reply.buttons for b in row]
    if not choices:
        return reply.text
    if reply.number_answer:
        lines = [t("numbered.word_line", label=b.label) for b in choices]
        hint = t("numbered.words_hint", example=_words(choices[0].label))
    else:
        # a choice labelled with its own number is listed in the text already ("1. ngày 5/11 …")
        lines = [t("numbered.line", number=i + 1, label=b.label) for i, b in enumerate(choices)
                 if b.label != str(i + 1)]
        hint = t("numbered.hint")
    return "\n".join([reply.text, "", *lines, hint])


def read(menu: OpenMenu | None, text: str) -> Read:
    """The choice a typed line picks from `menu`: by its number, or by its words; the polite words
    around it ("lưu nhé", "dạ số 2 ạ") are read past when the line as typed picks nothing."""
    if menu is None or not menu.choices:
        return Read()
    text = visible(text)
    typed = fold(_words(text))                # the words without an emoji or marks around: "Lưu 👍"
    found = _picked(menu, text, typed)
    bare = without_politeness(typed)
    if found.action is None and not found.out_of_range and bare != typed:
        found = _picked(menu, text, bare)
    return found


def _picked(menu: OpenMenu, text: str, typed: str) -> Read:
    number = _PICK.fullmatch(typed)
    if number and not menu.number_answer:
        index = int(number.group(1)) - 1
        if 0 <= index < len(menu.choices):
            return Read(Action.decode(menu.choices[index][1]))
        actions = [Action.decode(value) for _, value in menu.choices]
        if all(action is not None and action.route == FORM_ROUTE for action in actions):
            return Read()       # a form's question reads what is typed itself: "15" at "which day?" is the 15th
        return Read(out_of_range=len(menu.choices))
    if not typed:
        return Read()
    labels = [fold(_words(label)) for label, _ in menu.choices]
    if typed in labels:
        return Read(Action.decode(menu.choices[labels.index(typed)][1]))
    if not menu.number_answer and not _named_in(typed, labels) and (index := _number_word(typed)) is not None:
        # "hai", "số hai": a pick when one of the choices has that number, text otherwise (and never
        # when a choice is named by it: "hai" among "Chi đoàn ấp Một", "Chi đoàn ấp Hai")
        return Read(Action.decode(menu.choices[index][1])) if index < len(menu.choices) else Read()
    copied = _COPIED.fullmatch(text)          # a line of the menu sent back whole: "2. Hôm qua"
    if copied and fold(_words(copied.group(2))) in labels:
        index = labels.index(fold(_words(copied.group(2))))
        if copied.group(1) is None or int(copied.group(1)) == index + 1:
            return Read(Action.decode(menu.choices[index][1]))
        return Read()
    near = closest(typed, labels)             # "hom qau", "chi doan ap mt": one choice, a typo off
    return Read(Action.decode(menu.choices[near][1])) if near is not None else Read()


def _named_in(typed: str, labels: list[str]) -> bool:
    """Whether the typed words stand whole in one of the (folded) labels."""
    pattern = re.compile(rf"(?<!\S){re.escape(typed)}(?!\S)")
    return any(pattern.search(label) for label in labels)


def _number_word(typed: str) -> int | None:
    """The 0-based index a choice's number spelled in words names ("mot", "so hai"), or None."""
    spelled = _PICK_WORDS.fullmatch(typed)
    if spelled is None:
        return None
    said = spelled.group(1).split()
    if number_at(said, 0) != len(said):
        return None
    value = parse_count(spelled.group(1)).value
    return value - 1 if isinstance(value, int) and value >= 1 else None


def _words(label: str) -> str:
    """A label, or what was typed, without the emoji or marks around it: "✅ Lưu" and "Lưu 👍" -> "Lưu"."""
    return _LABEL_NOISE.sub("", label)


class NumberedMenus:
    """Renders replies for one channel and remembers, per chat, the menu last shown."""

    def __init__(self, storage: Storage, channel: str, clock):
        self.storage = storage
        self.channel = channel
        self.clock = clock

    async def shown(self, chat_id: str, reply: Reply) -> str:
        """The reply as the chat will see it; its choices become the chat's open menu."""
        choices = [(b.label, b.action.encode()) for row in reply.buttons for b in row]
        if choices:
            await self.storage.menus.remember(self.channel, chat_id, choices, reply.number_answer, self.clock())
        return render(reply)

    async def answered(self, chat_id: str, replies: Sequence[Reply]) -> None:
        """The handlers answered the chat: an answer offering no choice closes its menu, so a number
        typed next is text (a count, a day), never a pick of a menu answered already. Messages the
        bot sends on its own leave the menu open: they answer nothing."""
        if replies and not any(reply.buttons for reply in replies):
            await self.forget(chat_id)

    async def read(self, chat_id: str, text: str) -> Read:
        """What a typed line means against the chat's open menu."""
        return read(await self.storage.menus.last(self.channel, chat_id), text)

    async def forget(self, chat_id: str, now: datetime | None = None) -> None:
        await self.storage.menus.remember(self.channel, chat_id, [], False, now or self.clock())
