"""Each messenger's pace shared by every worker over one database: one row a channel holding the
first moment the next call may start (`send_rates`, migration 0014).

`reserve` is one statement: it hands out the slot at max(next free moment, now) and moves the
next free moment one interval on, returning how long the caller waits for its slot. Workers
calling at once queue on the row's lock and each gets its own slot, in turn; no two slots are
closer than the interval, whichever worker took them. `pause` (flood control seen by any worker)
moves the next free moment past the pause for all.

Moments are the database's clock on PostgreSQL (every worker reads one clock, whatever its
machine's says), microseconds since 1970 UTC; SQLite (one worker, which keeps its pace in memory
and has no use for this) reads the caller's clock.
"""

from __future__ import annotations

import time

from storage.repository import Repository, read_committed, unit_of_work
from storage.sql import Connection, POSTGRES, per_dialect

# the moment "now", in microseconds (milliseconds would round 1/29 s to 1/29.4 s): the database's
# clock, or (SQLite) the one bound value
_NOW = per_dialect(sqlite="?", postgres="CAST(EXTRACT(EPOCH FROM clock_timestamp()) * 1000000 AS BIGINT)")
# the slot given: the next free moment, or now when it has passed (SET expressions read the row
# as it was before the update)
_RESERVE = {dialect: (
    "WITH clock AS (SELECT {now} AS now)"
    " INSERT INTO send_rates (channel, next_at, granted_at) SELECT ?, clock.now + ?, clock.now FROM clock WHERE 1 = 1"
    " ON CONFLICT (channel) DO UPDATE SET"
    "  granted_at = CASE WHEN send_rates.next_at > (SELECT now FROM clock) THEN send_rates.next_at"
    "                    ELSE (SELECT now FROM clock) END,"
    "  next_at = CASE WHEN send_rates.next_at > (SELECT now FROM clock) THEN send_rates.next_at"
    "                 ELSE (SELECT now FROM clock) END + ?"
    " RETURNING granted_at - (SELECT now FROM clock)"
).format(now=now) for dialect, now in _NOW.items()}
_PAUSE = {dialect: (
    "WITH clock AS (SELECT {now} AS now)"
    " INSERT INTO send_rates (channel, next_at, granted_at) SELECT ?, clock.now + ?, clock.now FROM clock WHERE 1 = 1"
    " ON CONFLICT (channel) DO UPDATE SET next_at = CASE WHEN send_rates.next_at > excluded.next_at"
    "  THEN send_rates.next_at ELSE excluded.next_at END"
).format(now=now) for dialect, now in _NOW.items()}


def _clock(conn: Connection) -> tuple:
    """The bound value of `_NOW`: none on PostgreSQL, the caller's clock on SQLite."""
    return () if conn.dialect == POSTGRES else (time.time_ns() // 1000,)


class Rates(Repository):
    @unit_of_work
    @read_committed
    def reserve(self, conn: Connection, channel: str, interval: float) -> float:
        """Take the channel's next call slot, `interval` seconds after the one before (at the
        earliest now); the seconds to wait until it starts (0 when it starts now)."""
        step = round(interval * 1_000_000)
        wait = conn.execute(_RESERVE[conn.dialect], (*_clock(conn), channel, step, step)).fetchone()[0]
        return max(0, wait) / 1_000_000

    @unit_of_work
    @read_committed
    def pause(self, conn: Connection, channel: str, seconds: float) -> None:
        """No call of the channel starts, in any worker, for `seconds` from now."""
        conn.execute(_PAUSE[conn.dialect], (*_clock(conn), channel, round(seconds * 1_000_000)))
