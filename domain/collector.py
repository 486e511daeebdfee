"""The cyclic garbage collector paused around work that makes a burst of small objects living
until it ends (a busy reminder tick, a province's spreadsheet): the collector would otherwise walk
them again and again, for nothing (measured: a sixth of a cold busy tick, an eighth of a year's
XLSX). Several such pieces of work may overlap, in any threads: the collector runs again when the
last one ends, and only if it ran before the first began."""

from __future__ import annotations

import gc
import threading
from collections.abc import Iterator
from contextlib import contextmanager

_lock = threading.Lock()
_holders = 0
_was_enabled = False


@contextmanager
def paused() -> Iterator[None]:
    global _holders, _was_enabled
    with _lock:
        if _holders == 0:
            _was_enabled = gc.isenabled()
            gc.disable()
        _holders += 1
    try:
        yield
    finally:
        with _lock:
            _holders -= 1
            if _holders == 0 and _was_enabled:
                gc.enable()
