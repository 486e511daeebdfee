"""The webhooks' inbox: pushed updates kept from before their 200 until they are handled.

`add` writes a batch of updates in arrival order (one group commit of the web app's Intake) and
`forget` removes handled ones; `done` is what the router calls in the transaction that claims an
update, so that an update's row goes exactly when its claim commits. `waiting` is what a start
finds: the updates answered 200 by a process that stopped before handling them.

Several workers over one PostgreSQL database, behind a load balancer, each receive some of a
chat's updates; the router claims each with `turn` instead of `done`: in the claim's
transaction it takes the chat's advisory transaction lock (so two claims of one chat take
turns, rather than both run and PostgreSQL fail one), and claims the update only when no earlier
update of its chat still waits in the inbox, received by a worker alive; else it returns False
and the router tries again shortly: the earlier one is claimed first, by the worker that has it.
An earlier update whose worker is gone is not waited for (it is handled at the next start). In
one process (SQLite), the channels order a chat's updates themselves (bot/channels/ordering.py):
`turn` is `done`.
"""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass
from datetime import datetime

from storage.locks import CHATS, LIVE_WORKERS, ours_or_gone
from storage.repository import Repository, iso, unit_of_work
from storage.sql import POSTGRES


@dataclass(frozen=True)
class Pushed:
    """One update as a webhook received it."""

    channel: str
    key: str | None           # the router's claim key ("telegram:<update_id>", "zalo:<message id>")
    body: str                 # its JSON
    chat: str | None = None   # its chat, where it has one


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
                "INSERT INTO inbox (channel, update_key, body, received_at, chat) VALUES (?, ?, ?, ?, ?)"
                " ON CONFLICT (update_key) DO NOTHING RETURNING id",
                (update.channel, update.key, update.body, at, update.chat)).fetchone()
            ids.append(row[0] if row is not None else None)
        return ids

    @unit_of_work
    def done(self, conn: sqlite3.Connection, key: str) -> bool:
        """The update with this key is being handled (its claim commits with this): its row goes.
        False when it had none (it was not pushed, or is gone already)."""
        return conn.execute("DELETE FROM inbox WHERE update_key = ?", (key,)).rowcount == 1

    @unit_of_work
    def turn(self, conn: sqlite3.Connection, key: str, patient: bool = True) -> bool:
        """The router claims the update with this key: True, and its row goes with the claim's
        commit, unless (`patient`) an earlier update of its chat, received by a worker alive, still
        waits in the inbox: then False, and nothing changes (PostgreSQL; see the module's
        docstring). SQLite: `done`, always True."""
        if conn.dialect != POSTGRES:
            Inbox.done.inside(self, conn, key)
            return True
        row = conn.execute("SELECT id, channel, chat FROM inbox WHERE update_key = ?", (key,)).fetchone()
        if row is None:
            return True                                   # not pushed, or gone already
        row_id, channel, chat = row
        if chat is not None and patient:
            conn.execute("SELECT pg_advisory_xact_lock(CAST(? AS INTEGER), hashtext(?))", (CHATS, f"{channel}:{chat}"))
            if conn.execute(f"SELECT 1 FROM inbox WHERE channel = ? AND chat = ? AND id < ?"
                            f" AND received_by IN ({LIVE_WORKERS}) LIMIT 1", (channel, chat, row_id)).fetchone():
                return False
        conn.execute("DELETE FROM inbox WHERE id = ?", (row_id,))
        return True

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
        """A channel's updates not handled yet, oldest first. On PostgreSQL, not those another
        worker alive received: it is handling them."""
        others = f" AND {ours_or_gone('received_by')}" if conn.dialect == POSTGRES else ""
        rows = conn.execute("SELECT id, channel, update_key, body, received_at FROM inbox WHERE channel = ?"
                            f"{others} ORDER BY id", (channel,)).fetchall()
        return [Waiting(r[0], r[1], r[2], r[3], datetime.fromisoformat(r[4])) for r in rows]
