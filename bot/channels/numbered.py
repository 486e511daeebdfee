"""Choices as a numbered menu, for messengers without buttons (Zalo, the terminal).

A reply's buttons become lines "1. Hôm nay", "2. Hôm qua" under its text. The person answers
with the number or with the words of a choice ("hom nay", diacritics optional). The menu each
chat saw last is kept in storage, so "2" means the same after a restart.

One rule decides what a typed number is: when the question takes a number (a count, the reply's
`number_answer`), digits are the answer and never a pick; its choices are then shown without
numbers and picked by their words only.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime

from domain.conversation import Action, Reply
from domain.textnorm import fold
from messages_vi import t
from storage import Storage
from storage.menus import OpenMenu

_PICK = re.compile(r"\s*([0-9]{1,3})\s*[.)]?\s*")
_LABEL_NOISE = re.compile(r"^[^\w]+|[^\w]+$")


@dataclass(frozen=True)
class Read:
    """What a typed line means against the open menu: a pick, a number out of range, or text."""

    action: Action | None = None
    out_of_range: int = 0          # the number of choices, when a number picked none of them


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
    """The choice a typed line picks from `menu`: by its number, or by its words."""
    if menu is None or not menu.choices:
        return Read()
    number = _PICK.fullmatch(text)
    if number and not menu.number_answer:
        index = int(number.group(1)) - 1
        if 0 <= index < len(menu.choices):
            return Read(Action.decode(menu.choices[index][1]))
        return Read(out_of_range=len(menu.choices))
    typed = fold(text)
    if not typed:
        return Read()
    for label, payload in menu.choices:
        if fold(_words(label)) == typed:
            return Read(Action.decode(payload))
    return Read()


def _words(label: str) -> str:
    """A label without the emoji or marks around it: "✅ Lưu" -> "Lưu"."""
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

    async def read(self, chat_id: str, text: str) -> Read:
        """What a typed line means against the chat's open menu."""
        return read(await self.storage.menus.last(self.channel, chat_id), text)

    async def forget(self, chat_id: str, now: datetime | None = None) -> None:
        await self.storage.menus.remember(self.channel, chat_id, [], False, now or self.clock())
