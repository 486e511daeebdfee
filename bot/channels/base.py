"""What every messenger adapter is to the rest of the bot: Telegram, Zalo and the terminal.

A channel turns what its messenger delivers (text, a picked choice, a photo, a document, an
edit) into `Incoming` values, hands them to `handlers.router.handle` one chat at a time and in
order (bot/channels/ordering.py), and sends back the replies. It is also the transport the
outbox sender drains through (`domain.sender.Transport`), so a reminder and a reply are sent by
the same code, within the same budget.

Choices are rendered by the channel: buttons where the messenger has them (Telegram), a
numbered menu where it does not (Zalo, the terminal; bot/channels/numbered.py). Handlers never
know which.
"""

from __future__ import annotations

import asyncio
from typing import Protocol

from domain.conversation import Reply


class CannotStart(Exception):
    """A channel cannot start (a refused token, no network for too long); the message is one
    Vietnamese line for the person starting the bot, with no token in it."""


class Channel(Protocol):
    name: str                 # "telegram", "zalo", "terminal": Incoming.channel and the outbox's channel
    has_buttons: bool         # False: choices go out as a numbered menu

    async def run(self, stop: asyncio.Event) -> None:
        """Receive updates and answer them until `stop` is set; return once everything in flight
        was answered."""

    async def deliver(self, chat_id: str, reply: Reply) -> str:
        """Send one reply — text with its choices, a document or a photo — and return the
        messenger's message id. Raises domain.sender's Blocked, RetryAfter, Transient or Rejected."""

    async def typing(self, chat_id: str) -> None:
        """Show the person that an answer is on its way (an export takes seconds)."""
