"""A messenger's monthly message quota: the count per bot and month, the officers' warning, and
the outbox rows held back once it is spent (Zalo's free plan: 3,000 messages a month per bot).

The count is one upsert per message sent (`count`), so concurrent sends never lose one. When a
count first reaches the warning mark, the officers of the root unit(s) are queued a notice in
the same transaction, once a month. Once the quota is spent the sender (domain.sender) sends only
deadline reminders, the nearest deadline first, and that warning (`claim`); every other row due
is held back to the next month (`set_aside`, `defer`) and recorded, for the next digest to say
(`unsent`).

A held-back row is an outbox row queued again with `error = 'quota'` and a `not_before` at the
next month's start. It reads the outbox's tables: it is the outbox's, seen from the quota.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from storage.outbox import CURRENT_BODY, NewMessage, Outbox, OutboxRow, stamp
from storage.repository import Repository, iso, unit_of_work
from storage.sql import Connection, per_dialect

HELD = "quota"                 # outbox.error of a row held back by the quota
# the message a row sends next (a bundle: its current part)
_CURRENT = {dialect: (" FROM outbox o JOIN people p ON p.id = o.person_id"
                      " LEFT JOIN outbox_bundles n ON n.id = o.bundle_id"
                      f" JOIN outbox_bodies b ON b.id = {body}") for dialect, body in CURRENT_BODY.items()}
# the payload's wording (Reply.to_dict(): {"wording": {"kind": ..., "due": ...}}): a deadline
# reminder's kind, and its due date. PostgreSQL's json refuses to read any text of a payload
# holding \u0000 (a NUL a person typed, quoted in a message): read here with \ufffd in its
# place, as long and still valid JSON (`\\u0000` becomes `\\ufffd`); the payload sent is unchanged
_PAYLOAD = r"replace(b.payload, '\u0000', '\ufffd')::json"
_KIND = per_dialect(sqlite="json_extract(b.payload, '$.wording.kind')",
                    postgres=f"({_PAYLOAD} -> 'wording' ->> 'kind')")
_DUE = per_dialect(sqlite="json_extract(b.payload, '$.wording.due')",
                   postgres=f"({_PAYLOAD} -> 'wording' ->> 'due')")
# what still goes once the quota is spent: deadline reminders, and the quota's own warning
_PRIORITY = {dialect: f"({kind} = 'deadline' OR o.dedup_key LIKE 'quota:%')" for dialect, kind in _KIND.items()}
_SET_ASIDE = {dialect: (
    f"SELECT o.id, o.person_id{_CURRENT[dialect]}"
    " WHERE o.status = 'queued' AND o.not_before <= ? AND p.channel = ?"
    f" AND NOT COALESCE({_PRIORITY[dialect]}, FALSE)"
) for dialect in _KIND}
# the quota's warning (no due date) first of all, then the nearest deadline, then the oldest
_CLAIM = {dialect: (
    "SELECT o.id, o.dedup_key, o.person_id, p.channel, p.chat_id, b.payload, o.attempts, o.unit_id"
    f"{_CURRENT[dialect]}"
    f" WHERE o.status = 'queued' AND o.not_before <= ? AND p.channel = ? AND {_PRIORITY[dialect]}"
    " AND o.id = (SELECT MIN(h.id) FROM outbox h WHERE h.person_id = o.person_id"
    "             AND h.status IN ('queued', 'sending')"
    "             AND NOT (h.status = 'queued' AND h.error = ? AND h.not_before > ?))"
    " AND NOT EXISTS (SELECT 1 FROM form_sessions f WHERE f.person_id = o.person_id AND f.updated_at > ?)"
    f" ORDER BY {_DUE[dialect]} NULLS FIRST, o.id LIMIT ?"
) for dialect in _KIND}


@dataclass(frozen=True)
class Unsent:
    """Messages held back by the quota: how many, and the monthly quota then (the largest)."""

    count: int
    quota: int


class Quota(Repository):
    @unit_of_work
    def count(self, conn: Connection, channel: str, bot: str, month: str, now: datetime,
              warn_at: int | None = None, notice: Callable[[int], str] | None = None) -> int:
        """One message sent: the bot's count for the month goes up by one; returns the new count.

        The first count at or past `warn_at` queues `notice(count)` (a payload) to the officers of
        the root unit(s), keyed per bot and month: the warning goes once a month."""
        sent, warned = conn.execute(
            "INSERT INTO quota_counts (channel, bot, month, sent) VALUES (?, ?, ?, 1)"
            " ON CONFLICT (channel, bot, month) DO UPDATE SET sent = quota_counts.sent + 1 RETURNING sent, warned_at",
            (channel, bot, month),
        ).fetchone()
        if warn_at is not None and sent >= warn_at and warned is None:
            conn.execute("UPDATE quota_counts SET warned_at = ? WHERE channel = ? AND bot = ? AND month = ?",
                         (iso(now), channel, bot, month))
            if notice is not None:
                payload = notice(sent)
                Outbox.enqueue.inside(self, conn, [
                    NewMessage(f"quota:{channel}:{bot}:{month}:{officer}", officer, payload)
                    for officer in _root_officers(conn)
                ], now)
        return sent

    @unit_of_work
    def sent(self, conn: Connection, channel: str, bot: str, month: str) -> int:
        """How many messages the bot sent in the month."""
        row = conn.execute("SELECT sent FROM quota_counts WHERE channel = ? AND bot = ? AND month = ?",
                           (channel, bot, month)).fetchone()
        return row[0] if row else 0

    @unit_of_work
    def set_aside(self, conn: Connection, channel: str, bot: str, month: str, quota: int,
                  now: datetime, until: datetime) -> int:
        """The quota is spent: every queued row of the channel due now whose next message is not a
        deadline reminder (nor the quota's warning) waits until `until`, recorded as not sent;
        returns how many."""
        rows = conn.execute(_SET_ASIDE[conn.dialect], (stamp(now), channel)).fetchall()
        for row_id, person_id in rows:
            _hold(conn, row_id, person_id, channel, bot, month, quota, now, until, "queued")
        return len(rows)

    @unit_of_work
    def defer(self, conn: Connection, row_id: int, channel: str, bot: str, month: str, quota: int,
              now: datetime, until: datetime) -> None:
        """A row being sent when the quota was spent goes back to the queue until `until`,
        recorded as not sent."""
        row = conn.execute("SELECT person_id FROM outbox WHERE id = ? AND status = 'sending'", (row_id,)).fetchone()
        if row is not None:
            _hold(conn, row_id, row[0], channel, bot, month, quota, now, until, "sending")

    @unit_of_work
    def claim(self, conn: Connection, channel: str, now: datetime, limit: int,
              busy_since: datetime | None = None) -> list[OutboxRow]:
        """Outbox.claim once the quota is spent: only rows whose next message is a deadline reminder,
        the nearest deadline first (then the oldest), or the quota's warning (first of all). A row
        held back by the quota does not hold up its person's later reminders."""
        rows = conn.execute(_CLAIM[conn.dialect], (stamp(now), channel, HELD, stamp(now),
                                                   iso(busy_since) if busy_since else "9999", limit)).fetchall()
        conn.executemany("UPDATE outbox SET status = 'sending' WHERE id = ?", [(r[0],) for r in rows])
        return [OutboxRow(*r) for r in rows]

    @unit_of_work
    def held(self, conn: Connection, channel: str, now: datetime) -> int:
        """How many rows of the channel wait for the quota (held back, not due yet)."""
        return conn.execute(
            "SELECT COUNT(*) FROM outbox o JOIN people p ON p.id = o.person_id"
            " WHERE o.status = 'queued' AND o.error = ? AND o.not_before > ? AND p.channel = ?",
            (HELD, stamp(now), channel),
        ).fetchone()[0]

    @unit_of_work
    def release(self, conn: Connection, channel: str, now: datetime) -> int:
        """The quota is not spent (any more): the rows it held back may go now; returns how many."""
        return conn.execute(
            "UPDATE outbox SET not_before = ? WHERE status = 'queued' AND error = ? AND not_before > ?"
            " AND person_id IN (SELECT id FROM people WHERE channel = ?)",
            (stamp(now), HELD, stamp(now), channel),
        ).rowcount

    @unit_of_work
    def unsent(self, conn: Connection, unit_id: int, start: datetime, end: datetime) -> Unsent:
        """Messages held back by a quota from `start` to `end` for people of the unit's subtree."""
        count, quota = conn.execute(
            "SELECT COUNT(*), COALESCE(MAX(q.quota), 0) FROM quota_unsent q"
            " JOIN roles r ON r.person_id = q.person_id AND r.revoked_at IS NULL"
            " JOIN units u ON u.id = r.unit_id"
            " WHERE q.at >= ? AND q.at < ?"
            " AND u.path LIKE (SELECT path FROM units WHERE id = ?) || '%'",
            (iso(start), iso(end), unit_id),
        ).fetchone()
        return Unsent(count, quota)


def _hold(conn: Connection, row_id: int, person_id: int, channel: str, bot: str, month: str,
          quota: int, now: datetime, until: datetime, status: str) -> None:
    conn.execute("UPDATE outbox SET status = 'queued', not_before = ?, error = ? WHERE id = ? AND status = ?",
                 (stamp(until), HELD, row_id, status))
    conn.execute(
        "INSERT INTO quota_unsent (outbox_id, month, channel, bot, person_id, quota, at)"
        " VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING",
        (row_id, month, channel, bot, person_id, quota, iso(now)),
    )


def _root_officers(conn: Connection) -> list[int]:
    """The reachable officers of the root unit(s); with none there, those of the units nearest
    the root that have some."""
    rows = conn.execute(
        "SELECT p.id, LENGTH(u.path) - LENGTH(REPLACE(u.path, '/', '')) AS depth"
        " FROM roles r JOIN people p ON p.id = r.person_id JOIN units u ON u.id = r.unit_id"
        " WHERE r.role = 'officer' AND r.revoked_at IS NULL AND p.unreachable_at IS NULL ORDER BY depth, p.id",
    ).fetchall()
    return [person for person, depth in rows if depth == rows[0][1]] if rows else []
