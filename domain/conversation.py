"""What a handler receives and returns: plain values that no messenger's API leaks into.

A choice offered to a person carries an `Action`: a route and its arguments, as values. Its wire
form (`encode`/`decode`, here and nowhere else) is what Telegram keeps as callback data and what
a numbered menu stores; handlers only ever see the decoded `Action`.
"""

from __future__ import annotations

import re
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

_WIRE_PART = re.compile(r"[A-Za-z0-9_.\-]*")
_NUMBER = re.compile(r"-?[0-9]{1,18}")


@dataclass(frozen=True)
class Incoming:
    """One thing a person did: typed text, pressed a button, or sent something else."""

    channel: str                  # telegram, terminal, zalo
    user_id: str                  # the person's id on that channel
    chat_id: str                  # where the answer goes
    display_name: str = ""
    text: str | None = None       # typed text, commands included
    button: Action | None = None  # the choice picked: a pressed button or a numbered-menu pick
    other: str | None = None      # sticker, photo, voice, edited, ... : anything we do not read
    update_key: str | None = None  # set when the channel may deliver the same update twice
    photo: Photo | None = None    # an image sent (other is "photo"): its bytes fetched on demand
    # Whose invite codes the bot that took this message answers, where one deployment runs several
    # bots of a messenger (a Zalo bot per commune); None: every unit's.
    bot_units: BotUnits | None = None

    @property
    def command(self) -> tuple[str, str] | None:
        """("start", "abc") for "/start abc" or "/start@SomeBot abc"; None for plain text."""
        if not self.text or not self.text.startswith("/"):
            return None
        parts = self.text[1:].split(maxsplit=1)     # the code may come after a tab or on the next line
        if not parts or self.text[1].isspace():
            return None
        name = parts[0].split("@", 1)[0].lower()
        return (name, parts[1].strip() if len(parts) > 1 else "") if name else None


@dataclass(frozen=True)
class BotUnits:
    """The units whose invite codes one bot answers, among several bots of one messenger: the unit
    codes named for it (`own`) with everything below them, except a subtree named for another bot
    further down (`others`: every code named for the other bots); `rest`: also the units no bot
    names (the deployment's first bot, beside the ones of its bots file)."""

    own: frozenset[str] = frozenset()
    others: frozenset[str] = frozenset()
    rest: bool = False

    def takes(self, chain: Sequence[str]) -> bool:
        """Whether a code of the unit with these codes, from the root down to the unit itself, is
        this bot's to answer: the nearest unit on the way up that a bot is named for is one of its
        own, or no bot is named on the way and this bot takes the rest."""
        for code in reversed(chain):
            if code in self.own:
                return True
            if code in self.others:
                return False
        return self.rest


class PhotoTooLarge(Exception):
    """The image weighs more than the caller takes (a Photo's fetch may say so before fetching)."""


@dataclass(frozen=True)
class Photo:
    """An image a person sent, not fetched yet: the channel's way to get its bytes, as a value.

    `fetch(limit)` returns the image's bytes. It may raise PhotoTooLarge as soon as it knows the
    image is over `limit` bytes, or return more than `limit` (the caller checks); any other
    exception means the image could not be fetched now. `size`: the bytes the messenger
    announced, when it did. No messenger's API is reachable through it but that one call.
    """

    fetch: Callable[[int], Awaitable[bytes]] = field(compare=False, repr=False)
    size: int | None = None


# the route of a form question's choices: the engine makes them (domain/forms/engine.py), the router and
# the numbered menus know them by it
FORM_ROUTE = "f"


@dataclass(frozen=True)
class Action:
    """What picking a choice does: the route that answers it and that route's arguments."""

    route: str
    args: tuple = ()                  # given as str or int; kept as str

    def __post_init__(self):
        # Arguments are kept as their wire text, so an action equals itself decoded; handlers
        # read them back with `number` and `text`.
        object.__setattr__(self, "args", tuple(map(str, self.args)))
        parts = (self.route, *self.args)
        if not self.route or any(not _WIRE_PART.fullmatch(p) for p in parts):
            raise ValueError(f"action parts must be letters, digits, '_', '.', '-': {parts!r}")
        if len(self.encode().encode()) > 64:
            raise ValueError(f"action over 64 bytes (Telegram's limit): {self.encode()!r}")

    @classmethod
    def command(cls, name: str, *args: str | int) -> "Action":
        """The action of a command's shortcut: the same as typing /name."""
        return cls("cmd", (name, *args))

    def encode(self) -> str:
        return ":".join((self.route, *map(str, self.args)))

    @classmethod
    def decode(cls, data: str) -> "Action | None":
        """The action of a payload; None for anything this bot did not write."""
        route, *args = (data or "").split(":")
        try:
            return cls(route, tuple(args))
        except ValueError:
            return None

    def text(self, index: int) -> str:
        """Argument `index` as text; "" when absent."""
        return str(self.args[index]) if index < len(self.args) else ""

    def number(self, index: int) -> int | None:
        """Argument `index` as an integer; None when absent or not a plain number."""
        value = self.text(index)
        return int(value) if _NUMBER.fullmatch(value) else None


@dataclass(frozen=True)
class Button:
    """One choice: the words shown, and what picking it does."""

    label: str
    action: Action

    def __post_init__(self):
        if not isinstance(self.action, Action):
            raise TypeError(f"a button carries an Action, not {type(self.action).__name__}")


@dataclass(frozen=True)
class Reply:
    """One message to send back; buttons are rows of buttons."""

    text: str
    buttons: tuple[tuple[Button, ...], ...] = ()
    attachment: Path | None = None
    attachment_kind: str = "document"     # document or photo
    # (command, description) pairs: the chat's command menu from now on, when set
    command_menu: tuple[tuple[str, str], ...] = ()
    # The question takes a number (a count): where choices are a numbered menu, a typed "2" is
    # the answer 2, never the second choice; choices are then picked by their words.
    number_answer: bool = False

    def to_dict(self) -> dict[str, Any]:
        """A JSON-able form, to keep a reply in the outbox until it is sent."""
        return {
            "text": self.text,
            "buttons": [[[b.label, b.action.encode()] for b in row] for row in self.buttons],
            "attachment": str(self.attachment) if self.attachment else None,
            "attachment_kind": self.attachment_kind,
            "number_answer": self.number_answer,
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> "Reply":
        return cls(
            text=data["text"],
            buttons=tuple(tuple(Button(label, Action.decode(value)) for label, value in row)
                          for row in data.get("buttons", [])),
            attachment=Path(data["attachment"]) if data.get("attachment") else None,
            attachment_kind=data.get("attachment_kind", "document"),
            number_answer=data.get("number_answer", False),
        )


def rows(*buttons: Button, width: int = 2) -> tuple[tuple[Button, ...], ...]:
    """Lay buttons out in rows of `width`, short enough to tap on a phone."""
    flat = [b for b in buttons if b is not None]
    return tuple(tuple(flat[i:i + width]) for i in range(0, len(flat), width))

