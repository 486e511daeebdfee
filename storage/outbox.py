"""The outbox: messages the bot sends on its own, queued with a unique key, then claimed and sent in order.

A row goes queued -> sending (just before the call) -> sent (with the message id); a failed call
puts it back to queued with a later `not_before`, or ends it as failed. Rows of one chat go out
in id order: only the oldest unsent row of a chat can be claimed.
"""

from __future__ import annotations

import hashlib
import sqlite3
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from typing import NamedTuple

from storage.people import People
from storage.repository import Repository, iso, unit_of_work


def stamp(moment: datetime) -> int:
    """A not_before time: milliseconds since 1970 UTC."""
    if moment.tzinfo is None:
        raise ValueError("naive datetime given to storage")
    return int(moment.timestamp() * 1000)


class NewMessage(NamedTuple):
    """A message to queue for a person. `payload` is Reply.to_dict() as JSON; equal payloads are
    stored once (a tick builds thousands of rows that share a handful of texts)."""

    dedup_key: str
    person_id: int
    payload: str


@dataclass(frozen=True)
class OutboxRow:
    id: int
    dedup_key: str
    person_id: int
    channel: str
    chat_id: str
    payload: str
    attempts: int


@dataclass(frozen=True)
class Blocked:
    """Who blocked the bot, and the officers to tell (person ids)."""

    changed: bool
    name: str
    unit_name: str
    officers: tuple[int, ...]


class Outbox(Repository):
    @unit_of_work
    def enqueue(self, conn: sqlite3.Connection, messages: Iterable[NewMessage], now: datetime) -> int:
        """Queue messages whose key is new, all in this transaction; returns how many were new."""
        bodies: dict[str, int] = {}
        rows = []
        when, created = stamp(now), iso(now)
        for key, person_id, payload in messages:
            body = bodies.get(payload)
            if body is None:
                body = bodies[payload] = _body_id(conn, payload)
            rows.append((key, person_id, body, when, created))
        before = conn.total_changes
        conn.executemany(
            "INSERT OR IGNORE INTO outbox (dedup_key, person_id, body_id, not_before, created_at)"
            " VALUES (?, ?, ?, ?, ?)",
            rows,
        )
        return conn.total_changes - before

    @unit_of_work
    def claim(self, conn: sqlite3.Connection, channel: str, now: datetime, limit: int) -> list[OutboxRow]:
        """Mark up to `limit` rows due now as sending and return them: at most one per person, their oldest."""
        rows = conn.execute(
            "SELECT o.id, o.dedup_key, o.person_id, p.channel, p.chat_id, b.payload, o.attempts"
            " FROM outbox o JOIN people p ON p.id = o.person_id JOIN outbox_bodies b ON b.id = o.body_id"
            " WHERE o.status = 'queued' AND o.not_before <= ? AND p.channel = ?"
            " AND o.id = (SELECT MIN(h.id) FROM outbox h WHERE h.person_id = o.person_id"
            "             AND h.status IN ('queued', 'sending'))"
            " ORDER BY o.id LIMIT ?",
            (stamp(now), channel, limit),
        ).fetchall()
        conn.executemany("UPDATE outbox SET status = 'sending' WHERE id = ?", [(r[0],) for r in rows])
        return [OutboxRow(*r) for r in rows]

    @unit_of_work
    def next_due(self, conn: sqlite3.Connection, channel: str) -> datetime | None:
        """When the earliest queued row of the channel may go, or None if nothing is queued."""
        row = conn.execute(
            "SELECT MIN(o.not_before) FROM outbox o JOIN people p ON p.id = o.person_id"
            " WHERE o.status = 'queued' AND p.channel = ?", (channel,)
        ).fetchone()
        return datetime.fromtimestamp(row[0] / 1000, timezone.utc) if row and row[0] is not None else None

    @unit_of_work
    def mark_sent(self, conn: sqlite3.Connection, row_id: int, message_id: str, now: datetime,
                  chat_gap: timedelta = timedelta(0)) -> None:
        """The call succeeded; the chat's next row waits `chat_gap` (Telegram: one message a second)."""
        row = conn.execute(
            "UPDATE outbox SET status = 'sent', sent_at = ?, message_id = ?, error = NULL WHERE id = ?"
            " RETURNING person_id",
            (iso(now), message_id, row_id),
        ).fetchone()
        if row and chat_gap:
            conn.execute(
                "UPDATE outbox SET not_before = MAX(not_before, ?) WHERE person_id = ? AND status = 'queued'",
                (stamp(now + chat_gap), row[0]),
            )

    @unit_of_work
    def retry(self, conn: sqlite3.Connection, row_id: int, not_before: datetime, error: str,
              count_attempt: bool = True) -> None:
        """Put a row back in the queue, to go no earlier than `not_before`."""
        conn.execute(
            "UPDATE outbox SET status = 'queued', not_before = ?, error = ?, attempts = attempts + ?"
            " WHERE id = ? AND status = 'sending'",
            (stamp(not_before), error, int(count_attempt), row_id),
        )

    @unit_of_work
    def fail(self, conn: sqlite3.Connection, row_id: int, error: str) -> None:
        """Give up on a row the messenger refused for good."""
        conn.execute("UPDATE outbox SET status = 'failed', error = ? WHERE id = ?", (error, row_id))

    @unit_of_work
    def blocked(self, conn: sqlite3.Connection, row_id: int, now: datetime,
                notice: Callable[[str, str], str] | None = None) -> Blocked:
        """The chat blocked the bot: fail the row, drop the person's queue, mark them unreachable.

        The officers above their unit (those of the nearest district; for a district, of its
        parent) are found and, the first time only, sent `notice(name, unit name)` (a payload),
        in the same transaction.
        """
        person_id = conn.execute("SELECT person_id FROM outbox WHERE id = ?", (row_id,)).fetchone()[0]
        conn.execute("UPDATE outbox SET status = 'failed', error = 'blocked' WHERE id = ?", (row_id,))
        conn.execute(
            "UPDATE outbox SET status = 'dropped', error = 'blocked' WHERE person_id = ? AND status = 'queued'",
            (person_id,),
        )
        changed = People.set_unreachable.inside(None, conn, person_id, now)
        found = conn.execute(
            "SELECT p.display_name, u.name, u.path, u.level FROM people p"
            " LEFT JOIN roles r ON r.person_id = p.id AND r.revoked_at IS NULL"
            " LEFT JOIN units u ON u.id = r.unit_id WHERE p.id = ?",
            (person_id,),
        ).fetchone()
        name, unit_name, path, level = found
        officers = _officers_above(conn, path, level, person_id) if path else ()
        if changed and notice is not None and officers:
            payload = notice(name, unit_name or "")
            Outbox.enqueue.inside(self, conn, [
                NewMessage(f"blocked:{person_id}:{stamp(now)}:{officer}", officer, payload) for officer in officers
            ], now)
        return Blocked(changed, name, unit_name or "", officers)

    @unit_of_work
    def recover(self, conn: sqlite3.Connection) -> int:
        """At start: rows left "sending" by a stopped sender go back to the queue; returns how many."""
        return conn.execute("UPDATE outbox SET status = 'queued' WHERE status = 'sending'").rowcount

    @unit_of_work
    def counts(self, conn: sqlite3.Connection) -> dict[str, int]:
        """How many rows are in each status."""
        return dict(conn.execute("SELECT status, COUNT(*) FROM outbox GROUP BY status").fetchall())

    @unit_of_work
    def sent_to(self, conn: sqlite3.Connection, chat_id: str) -> list[tuple[str, str, str]]:
        """(dedup key, status, payload) of every row for a chat, oldest first (for tests and support)."""
        return [tuple(r) for r in conn.execute(
            "SELECT o.dedup_key, o.status, b.payload FROM outbox o JOIN people p ON p.id = o.person_id"
            " JOIN outbox_bodies b ON b.id = o.body_id WHERE p.chat_id = ? ORDER BY o.id",
            (chat_id,),
        )]

    @unit_of_work
    def purge(self, conn: sqlite3.Connection, before: datetime) -> int:
        """Forget rows finished before a moment (older than any key a tick derives again)."""
        count = conn.execute(
            "DELETE FROM outbox WHERE status IN ('sent', 'failed', 'dropped') AND created_at < ?", (iso(before),)
        ).rowcount
        conn.execute("DELETE FROM outbox_bodies WHERE id NOT IN (SELECT DISTINCT body_id FROM outbox)")
        return count


def _body_id(conn: sqlite3.Connection, payload: str) -> int:
    digest = hashlib.sha1(payload.encode()).hexdigest()
    conn.execute("INSERT OR IGNORE INTO outbox_bodies (digest, payload) VALUES (?, ?)", (digest, payload))
    return conn.execute("SELECT id FROM outbox_bodies WHERE digest = ?", (digest,)).fetchone()[0]


def _officers_above(conn: sqlite3.Connection, path: str, level: str, person_id: int) -> tuple[int, ...]:
    ids = [int(part) for part in path.strip("/").split("/")][:-1]      # ancestors, root first
    if not ids:
        return ()
    marks = ",".join("?" * len(ids))
    levels = dict(conn.execute(f"SELECT id, level FROM units WHERE id IN ({marks})", ids).fetchall())
    districts = [i for i in ids if levels.get(i) == "district"]
    target = districts[-1] if districts and level not in ("district", "province") else ids[-1]
    rows = conn.execute(
        "SELECT p.id FROM roles r JOIN people p ON p.id = r.person_id"
        " WHERE r.unit_id = ? AND r.role = 'officer' AND r.revoked_at IS NULL AND p.unreachable_at IS NULL"
        " AND p.id != ? ORDER BY p.id",
        (target, person_id),
    ).fetchall()
    return tuple(r[0] for r in rows)
