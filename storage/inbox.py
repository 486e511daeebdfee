"""The webhooks' inbox: pushed updates kept from before their 200 until they are handled.

`add` writes a batch of updates in arrival order (one group commit of the web app's Intake) and
`forget` removes handled ones; `done` is what the router calls in the transaction that claims an
update, so that an update's row goes exactly when its claim commits. `waiting` is what a start
finds: the updates answered 200 by a process that stopped before handling them.
"""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass
from datetime import datetime

from storage.repository import Repository, iso, unit_of_work


@dataclass(frozen=True)
class Pushed:
    """One update as a webhook received it."""

    channel: str
    key: str | None           # the router's claim key ("telegram:<update_id>", "zalo:<message id>")
    body: str                 # its JSON


@dataclass(frozen=True)
class Waiting:
    """An update in the inbox, not handled yet."""

    id: int
    channel: str
    key: str | None
    body: str
    received_at: datetime


class Inbox(Repository):
    @unit_of_work
    def add(self, conn: sqlite3.Connection, updates: list[Pushed], now: datetime) -> list[int | None]:
        """Write updates in the order given; each one's row id, or None for a key already waiting."""
        at = iso(now)
        ids = []
        for update in updates:
            row = conn.execute(
                "INSERT INTO inbox (channel, update_key, body, received_at) VALUES (?, ?, ?, ?)"
                " ON CONFLICT (update_key) DO NOTHING RETURNING id",
                (update.channel, update.key, update.body, at)).fetchone()
            ids.append(row[0] if row is not None else None)
        return ids

    @unit_of_work
    def done(self, conn: sqlite3.Connection, key: str) -> bool:
        """The update with this key is being handled (its claim commits with this): its row goes.
        False when it had none (it was not pushed, or is gone already)."""
        return conn.execute("DELETE FROM inbox WHERE update_key = ?", (key,)).rowcount == 1

    @unit_of_work
    def forget(self, conn: sqlite3.Connection, ids: list[int]) -> int:
        """Remove handled rows (those the claim did not: an update no one answers); how many."""
        gone = 0
        for start in range(0, len(ids), 500):             # under any backend's limit of parameters
            chunk = ids[start:start + 500]
            gone += conn.execute(f"DELETE FROM inbox WHERE id IN ({', '.join('?' * len(chunk))})", chunk).rowcount
        return gone

    @unit_of_work
    def waiting(self, conn: sqlite3.Connection, channel: str) -> list[Waiting]:
        """A channel's updates not handled yet, oldest first."""
        rows = conn.execute("SELECT id, channel, update_key, body, received_at FROM inbox WHERE channel = ? ORDER BY id",
                            (channel,)).fetchall()
        return [Waiting(r[0], r[1], r[2], r[3], datetime.fromisoformat(r[4])) for r in rows]
