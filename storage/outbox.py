"""The outbox: messages the bot sends on its own, queued with a unique key, then claimed and sent in order.

A row goes queued -> sending (just before the call) -> sent (with the message id); a failed call
puts it back to queued with a later `not_before`, or ends it as failed. Rows of one chat go out
in id order: only the oldest unsent row of a chat can be claimed.

Most messages are one row each, queued with a unique key (`enqueue`). The reminders of one tick
for one person are one row, a bundle of parts (`fan_out`, called by storage.deadlines, which
deduplicates them): the row is claimed once per part and goes back to the queue, one chat gap
later, until its last part is sent; the sender sees one message at a time either way.
"""

from __future__ import annotations

import hashlib
import json
import sqlite3
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from itertools import repeat
from typing import NamedTuple

from storage.people import People
from storage.repository import Repository, iso, unit_of_work
from storage.units import ancestor_ids


_IN_BULK = 64          # fan_out: a bundle to this many units or more goes in one statement
# outbox_person's condition, word for word: repeated in a query, it lets SQLite search that index
# (unsent rows only) instead of scanning every row ever sent
_UNSENT = "status IN ('queued', 'sending')"
# a bundle row with parts left after its current one, 1 or 0 (SET expressions see the row before
# the update); `part` then moves on to the next, or stays on the last
_PARTS_LEFT = ("bundle_id IS NOT NULL AND part + 1 < "
               "(SELECT json_array_length(b.parts) FROM outbox_bundles b WHERE b.id = outbox.bundle_id)")


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
    dedup_key: str | None
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
        messages = list(messages)
        bodies = _body_ids(conn, {payload for _, _, payload in messages})
        when, created = stamp(now), iso(now)
        before = conn.total_changes
        conn.executemany(
            "INSERT OR IGNORE INTO outbox (dedup_key, person_id, body_id, not_before, created_at)"
            " VALUES (?, ?, ?, ?, ?)",
            [(key, person_id, bodies[payload], when, created) for key, person_id, payload in messages],
        )
        return conn.total_changes - before

    @unit_of_work
    def fan_out(self, conn: sqlite3.Connection, steps: Sequence[tuple[int, Mapping[str, Sequence[int]]]],
                recipients: Mapping[int, Sequence[int]]) -> int:
        """Queue reminder batches: `steps` are (batch id, payload -> unit ids), `recipients` who hears
        each unit (person ids). Each person gets one row, a bundle of their units' parts in the
        order of `steps`; returns how many messages (parts) were queued."""
        bodies = _body_ids(conn, {payload for _, sends in steps for payload in sends})
        parts = [(batch_id, bodies[payload], units) for batch_id, sends in steps for payload, units in sends.items()]
        bundles = _units_by_parts(parts)
        first = conn.execute("SELECT COALESCE(MAX(id), 0) + 1 FROM outbox_bundles").fetchone()[0]
        contents = [[parts[number][:2] for number in _bits(mask)] for mask in bundles]
        conn.executemany("INSERT INTO outbox_bundles (id, parts) VALUES (?, ?)",
                         [(bundle_id, json.dumps(content)) for bundle_id, content in enumerate(contents, first)])
        messages = 0
        few = []
        for bundle_id, content, units in zip(range(first, first + len(contents)), contents, bundles.values()):
            if len(units) < _IN_BULK:
                rows = [(person, unit, bundle_id) for unit in units for person in recipients[unit]]
                few += rows
                messages += len(content) * len(rows)
                continue
            # (person, unit) packed into one integer and parsed by SQLite's json_each: one statement
            # instead of a bound row each (measured: half the time of executemany for 100,000 rows)
            messages += len(content) * conn.execute(
                "INSERT INTO outbox (person_id, unit_id, bundle_id)"
                " SELECT value >> 32, value & 4294967295, ? FROM json_each(?)",
                (bundle_id, json.dumps([person << 32 | unit for unit in units for person in recipients[unit]])),
            ).rowcount
        conn.executemany("INSERT INTO outbox (person_id, unit_id, bundle_id) VALUES (?, ?, ?)", few)
        return messages

    @unit_of_work
    def claim(self, conn: sqlite3.Connection, channel: str, now: datetime, limit: int,
              busy_since: datetime | None = None) -> list[OutboxRow]:
        """Mark up to `limit` rows due now as sending and return them (a bundle: with its next
        part's payload): at most one per person, their oldest. With `busy_since`, a person whose
        open form was answered after it waits: nothing lands between a question and its answer."""
        rows = conn.execute(
            "SELECT o.id, o.dedup_key, o.person_id, p.channel, p.chat_id, b.payload, o.attempts"
            " FROM outbox o JOIN people p ON p.id = o.person_id"
            " LEFT JOIN outbox_bundles n ON n.id = o.bundle_id"
            " JOIN outbox_bodies b ON b.id = COALESCE(o.body_id, json_extract(n.parts, '$[' || o.part || '][1]'))"
            " WHERE o.status = 'queued' AND o.not_before <= ? AND p.channel = ?"
            " AND o.id = (SELECT MIN(h.id) FROM outbox h WHERE h.person_id = o.person_id"
            "             AND h.status IN ('queued', 'sending'))"
            " AND NOT EXISTS (SELECT 1 FROM form_sessions f WHERE f.person_id = o.person_id AND f.updated_at > ?)"
            " ORDER BY o.id LIMIT ?",
            (stamp(now), channel, iso(busy_since) if busy_since else "9999", limit),
        ).fetchall()
        conn.executemany("UPDATE outbox SET status = 'sending' WHERE id = ?", [(r[0],) for r in rows])
        return [OutboxRow(*r) for r in rows]

    @unit_of_work
    def mark_sent(self, conn: sqlite3.Connection, row_id: int, message_id: str, now: datetime,
                  chat_gap: timedelta = timedelta(0)) -> None:
        """The call succeeded (a bundle with parts left goes back to the queue for the next); the
        chat's next message waits `chat_gap` (Telegram: one message a second)."""
        row = conn.execute(
            f"UPDATE outbox SET status = CASE WHEN {_PARTS_LEFT} THEN 'queued' ELSE 'sent' END,"
            f" part = part + ({_PARTS_LEFT}), attempts = 0, sent_at = ?,"
            " message_id = COALESCE(message_id || ' ', '') || ?,"
            " error = NULL WHERE id = ? RETURNING person_id",
            (iso(now), message_id, row_id),
        ).fetchone()
        if row and chat_gap:
            conn.execute(
                "UPDATE outbox SET not_before = MAX(not_before, ?)"
                f" WHERE person_id = ? AND {_UNSENT} AND status = 'queued'",
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
        """Give up on a message the messenger refused for good (a bundle goes on with its next part)."""
        conn.execute(
            f"UPDATE outbox SET status = CASE WHEN {_PARTS_LEFT} THEN 'queued' ELSE 'failed' END,"
            f" part = part + ({_PARTS_LEFT}), attempts = 0, error = ? WHERE id = ?",
            (error, row_id),
        )

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
            f"UPDATE outbox SET status = 'dropped', error = 'blocked' WHERE person_id = ? AND {_UNSENT}"
            " AND status = 'queued'",
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
        return conn.execute(f"UPDATE outbox SET status = 'queued' WHERE {_UNSENT} AND status = 'sending'").rowcount

    @unit_of_work
    def counts(self, conn: sqlite3.Connection) -> dict[str, int]:
        """How many rows are in each status."""
        return dict(conn.execute("SELECT status, COUNT(*) FROM outbox GROUP BY status").fetchall())

    @unit_of_work
    def sent_to(self, conn: sqlite3.Connection, chat_id: str) -> list[tuple[str, str, str]]:
        """(key, status, payload) of every message for a chat, oldest first, a bundle's parts one by
        one (for tests and support).

        A reminder's key is "r:unit:item:occurrence:step:person", an escalation's
        "e:district:item:occurrence:person".
        """
        return [tuple(r) for r in conn.execute(
            "SELECT COALESCE(o.dedup_key, CASE r.kind WHEN 'remind' THEN 'r:' ELSE 'e:' END || o.unit_id"
            "        || ':' || r.item_id || ':' || r.occurrence"
            "        || CASE r.kind WHEN 'remind' THEN ':' || r.step ELSE '' END || ':' || o.person_id),"
            "  CASE WHEN j.key < o.part THEN 'sent' WHEN j.key > o.part AND o.status = 'sending' THEN 'queued'"
            "       ELSE o.status END,"                  # `part` is the part going, or the last one
            "  b.payload"
            " FROM outbox o JOIN people p ON p.id = o.person_id LEFT JOIN outbox_bundles n ON n.id = o.bundle_id"
            " JOIN json_each(COALESCE(n.parts, json_array(json_array(NULL, o.body_id)))) j"
            " JOIN outbox_bodies b ON b.id = json_extract(j.value, '$[1]')"
            " LEFT JOIN reminder_batches r ON r.id = json_extract(j.value, '$[0]')"
            " WHERE p.chat_id = ? ORDER BY o.id, j.key",
            (chat_id,),
        )]

    @unit_of_work
    def purge(self, conn: sqlite3.Connection, before: datetime) -> int:
        """Forget rows finished before a moment (older than any key a tick derives again): sent
        then, or (failed, dropped) queued then."""
        count = conn.execute(
            "DELETE FROM outbox WHERE status IN ('sent', 'failed', 'dropped')"
            " AND COALESCE(sent_at, created_at, '') < ?",
            (iso(before),),
        ).rowcount
        conn.execute("DELETE FROM outbox_bundles"
                     " WHERE id NOT IN (SELECT bundle_id FROM outbox WHERE bundle_id IS NOT NULL)")
        conn.execute("DELETE FROM outbox_bodies WHERE id NOT IN (SELECT body_id FROM outbox WHERE body_id IS NOT NULL)"
                     " AND id NOT IN (SELECT json_extract(j.value, '$[1]') FROM outbox_bundles, json_each(parts) j)")
        return count


def _body_ids(conn: sqlite3.Connection, payloads: Iterable[str]) -> dict[str, int]:
    """The body id of each payload, storing the new ones."""
    digests = {payload: hashlib.sha1(payload.encode()).hexdigest() for payload in payloads}
    conn.executemany("INSERT OR IGNORE INTO outbox_bodies (digest, payload) VALUES (?, ?)",
                     [(digest, payload) for payload, digest in digests.items()])
    found = dict(conn.execute("SELECT digest, id FROM outbox_bodies WHERE digest IN (SELECT value FROM json_each(?))",
                              (json.dumps(list(digests.values())),)).fetchall())
    return {payload: found[digest] for payload, digest in digests.items()}


def _units_by_parts(parts: Sequence[tuple[int, int, Sequence[int]]]) -> dict[int, list[int]]:
    """The units grouped by the parts they get, each set of parts as the bits of an integer (bit n:
    parts[n]): no list per unit for 100,000 units."""
    masks: dict[int, int] = {}
    for number, (_, _, units) in enumerate(parts):
        # masks[unit] |= 1 << number for each unit, looped in C (map and zip of built-ins)
        masks.update(zip(units, map((1 << number).__or__, map(masks.get, units, repeat(0)))))
    grouped: dict[int, list[int]] = {}
    for unit, mask in masks.items():
        found = grouped.get(mask)
        if found is None:
            grouped[mask] = [unit]
        else:
            found.append(unit)
    return grouped


def _bits(mask: int) -> Iterator[int]:
    """The numbers of the bits set in `mask`, lowest first."""
    while mask:
        lowest = mask & -mask
        yield lowest.bit_length() - 1
        mask ^= lowest


def _officers_above(conn: sqlite3.Connection, path: str, level: str, person_id: int) -> tuple[int, ...]:
    ids = ancestor_ids(path)                                             # root first
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
