"""Retrying a start-up step that needs the network, saying in Vietnamese what it waits for.

A stop (Ctrl-C, systemd's SIGTERM: the `stop` event) ends the retrying at once, the attempt in
flight included, with `Stopped`: the process exits now, not after the minute of waits."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from typing import TypeVar

from messages_vi import t
from messages_vi.formatting import number

T = TypeVar("T")


class GaveUp(RuntimeError):
    """Every attempt failed; the message is one Vietnamese line, the last error is the cause."""


class Stopped(Exception):
    """The bot was asked to stop while a start-up step was still being tried: nothing to report."""


async def with_retries(what: Callable[[], Awaitable[T]], *, attempts: int, first_delay: float,
                       say: Callable[[str], None], retry_on: tuple[type[BaseException], ...],
                       factor: float = 2.0, max_delay: float = 60.0,
                       sleep: Callable[[float], Awaitable[object]] = asyncio.sleep,
                       stop: asyncio.Event | None = None) -> T:
    """Await `what()` up to `attempts` times, waiting `first_delay` seconds after the first
    failure and `factor` times longer after each next one (at most `max_delay`).

    Only errors of the `retry_on` types are retried, each wait announced through `say`; any
    other error goes up untouched. After the last attempt, raises `GaveUp`. Once `stop` is set,
    the attempt or the wait under way is given up and `Stopped` is raised."""
    if attempts < 1:
        raise ValueError("attempts must be at least 1")
    delay = first_delay
    for attempt in range(1, attempts + 1):
        try:
            return await _unless_stopped(what, stop)
        except Stopped:
            raise
        except retry_on as error:
            if attempt == attempts:
                raise GaveUp(t("startup.gave_up", attempts=attempts, error=_describe(error))) from error
            say(t("startup.retrying", error=_describe(error), seconds=number(delay),
                  attempt=attempt + 1, attempts=attempts))
            await _unless_stopped(lambda: sleep(delay), stop)
            delay = min(delay * factor, max_delay)
    raise AssertionError("unreachable")


async def _unless_stopped(step: Callable[[], Awaitable[T]], stop: asyncio.Event | None) -> T:
    """The result of `step()`; `Stopped` as soon as `stop` is set (the step cancelled, or not
    started when `stop` was set already).

    The step runs in the calling task, started at once as a plain `await` would (a task of its
    own would start a loop turn later); a stop cancels the calling task, and that cancellation,
    ours, comes out as `Stopped`."""
    if stop is None:
        return await step()
    if stop.is_set():
        raise Stopped()
    task = asyncio.current_task()
    watching, stopped = True, False

    def cancel(_: asyncio.Future) -> None:
        nonlocal stopped
        if watching and stop.is_set():
            stopped = True
            task.cancel()

    stopping = asyncio.ensure_future(stop.wait())
    stopping.add_done_callback(cancel)
    try:
        result = await step()
    except asyncio.CancelledError:
        if not stopped:
            raise                                   # cancelled by someone else: not ours to swallow
        task.uncancel()
        raise Stopped() from None
    finally:
        watching = False
        stopping.cancel()
    if stopped:                                     # the step swallowed our cancellation
        task.uncancel()
        raise Stopped()
    return result


def _describe(error: BaseException) -> str:
    return str(error) or type(error).__name__
