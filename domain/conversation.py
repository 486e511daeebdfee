"""What a handler receives and returns: plain values that no messenger's API leaks into."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any


@dataclass(frozen=True)
class Incoming:
    """One thing a person did: typed text, pressed a button, or sent something else."""

    channel: str                  # telegram, terminal, zalo
    user_id: str                  # the person's id on that channel
    chat_id: str                  # where the answer goes
    display_name: str = ""
    text: str | None = None       # typed text, commands included
    button: str | None = None     # the data of a pressed button
    other: str | None = None      # sticker, photo, voice, edited, ... : anything we do not read
    update_key: str | None = None  # set when the channel may deliver the same update twice

    @property
    def command(self) -> tuple[str, str] | None:
        """("start", "abc") for "/start abc" or "/start@SomeBot abc"; None for plain text."""
        if not self.text or not self.text.startswith("/"):
            return None
        head, _, arg = self.text[1:].partition(" ")
        name = head.split("@", 1)[0].lower()
        return (name, arg.strip()) if name else None


@dataclass(frozen=True)
class Button:
    label: str
    data: str                     # ids only: at most 64 bytes on Telegram

    def __post_init__(self):
        if len(self.data.encode()) > 64:
            raise ValueError(f"button data over 64 bytes: {self.data!r}")


@dataclass(frozen=True)
class Reply:
    """One message to send back; buttons are rows of buttons."""

    text: str
    buttons: tuple[tuple[Button, ...], ...] = ()
    attachment: Path | None = None
    attachment_kind: str = "document"     # document or photo
    # (command, description) pairs: the chat's command menu from now on, when set
    command_menu: tuple[tuple[str, str], ...] = ()

    def to_dict(self) -> dict[str, Any]:
        """A JSON-able form, to keep a reply in the outbox until it is sent."""
        return {
            "text": self.text,
            "buttons": [[[b.label, b.data] for b in row] for row in self.buttons],
            "attachment": str(self.attachment) if self.attachment else None,
            "attachment_kind": self.attachment_kind,
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> "Reply":
        return cls(
            text=data["text"],
            buttons=tuple(tuple(Button(label, value) for label, value in row) for row in data.get("buttons", [])),
            attachment=Path(data["attachment"]) if data.get("attachment") else None,
            attachment_kind=data.get("attachment_kind", "document"),
        )


def rows(*buttons: Button, width: int = 2) -> tuple[tuple[Button, ...], ...]:
    """Lay buttons out in rows of `width`, short enough to tap on a phone."""
    flat = [b for b in buttons if b is not None]
    return tuple(tuple(flat[i:i + width]) for i in range(0, len(flat), width))

