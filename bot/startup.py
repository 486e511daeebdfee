"""Retrying a start-up step that needs the network, saying in Vietnamese what it waits for."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from typing import TypeVar

from messages_vi import t
from messages_vi.formatting import number

T = TypeVar("T")


class GaveUp(RuntimeError):
    """Every attempt failed; the message is one Vietnamese line, the last error is the cause."""


async def with_retries(what: Callable[[], Awaitable[T]], *, attempts: int, first_delay: float,
                       say: Callable[[str], None], retry_on: tuple[type[BaseException], ...],
                       factor: float = 2.0, max_delay: float = 60.0,
                       sleep: Callable[[float], Awaitable[object]] = asyncio.sleep) -> T:
    """Await `what()` up to `attempts` times, waiting `first_delay` seconds after the first
    failure and `factor` times longer after each next one (at most `max_delay`).

    Only errors of the `retry_on` types are retried, each wait announced through `say`; any
    other error goes up untouched. After the last attempt, raises `GaveUp`."""
    if attempts < 1:
        raise ValueError("attempts must be at least 1")
    delay = first_delay
    for attempt in range(1, attempts + 1):
        try:
            return await what()
        except retry_on as error:
            if attempt == attempts:
                raise GaveUp(t("startup.gave_up", attempts=attempts, error=_describe(error))) from error
            say(t("startup.retrying", error=_describe(error), seconds=number(delay),
                  attempt=attempt + 1, attempts=attempts))
            await sleep(delay)
            delay = min(delay * factor, max_delay)
    raise AssertionError("unreachable")


def _describe(error: BaseException) -> str:
    return str(error) or type(error).__name__
