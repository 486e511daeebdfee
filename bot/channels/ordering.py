"""Work ordered per key: one chat's updates one at a time, in the order they came; chats apart.

`KeyedOrder` is the primitive any channel can use (Telegram here; Zalo, whose webhook or poll
also hands over updates of many chats at once): `async with order.hold(chat_id):` runs the
block after every block of the same key that came before it, and concurrently with blocks of
other keys. A key's lock exists only while some block holds or waits for it, so the table stays
as small as the number of chats busy right now, however many chats the bot ever saw.

`OrderedUpdateProcessor` plugs it into python-telegram-bot through its public
`BaseUpdateProcessor` (ApplicationBuilder().concurrent_updates(processor)).

Why the order holds: the Application starts one task per update in the order it fetched them, and
nothing in between awaits before `hold` (its semaphore and asyncio.Lock both queue waiters first
come, first served), so two updates of a chat reach the lock in arrival order.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Awaitable, Callable, Hashable
from contextlib import asynccontextmanager
from typing import Any

from telegram.ext import BaseUpdateProcessor


class _Turn:
    __slots__ = ("lock", "users")

    def __init__(self) -> None:
        self.lock = asyncio.Lock()
        self.users = 0                   # blocks holding or waiting for the lock


class KeyedOrder:
    """Runs blocks of one key one at a time, first come first served; different keys at once."""

    def __init__(self) -> None:
        self._turns: dict[Hashable, _Turn] = {}

    def __len__(self) -> int:
        """How many keys are busy now (held or waited for)."""
        return len(self._turns)

    @asynccontextmanager
    async def hold(self, key: Hashable) -> AsyncIterator[None]:
        """The block runs once every earlier block of `key` has finished (or failed)."""
        turn = self._turns.get(key)
        if turn is None:
            turn = self._turns[key] = _Turn()
        turn.users += 1
        try:
            async with turn.lock:
                yield
        finally:
            turn.users -= 1
            if turn.users == 0:
                del self._turns[key]     # idle: dropped, so the table does not grow with chats


class OrderedUpdateProcessor(BaseUpdateProcessor):
    """python-telegram-bot's update processor, ordered per key: `key(update)` (a chat) gets its
    updates one at a time and in order, different keys concurrently, up to `max_concurrent_updates`
    in all (updates waiting for their chat's turn count). An update without a key runs at once."""

    def __init__(self, key: Callable[[object], Hashable | None], max_concurrent_updates: int = 256):
        super().__init__(max_concurrent_updates)
        self.key = key
        self.order = KeyedOrder()

    async def do_process_update(self, update: object, coroutine: Awaitable[Any]) -> None:
        key = self.key(update)
        if key is None:
            await coroutine
            return
        async with self.order.hold(key):
            await coroutine

    async def initialize(self) -> None:
        pass

    async def shutdown(self) -> None:
        pass
