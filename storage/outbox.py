"""The outbox: messages the bot sends on its own, queued with a unique key, then claimed and sent in order.

A row goes queued -> sending (just before the call) -> sent (with the message id); a failed call
puts it back to queued with a later `not_before`, or ends it as failed. Rows of one chat go out
in id order: only the oldest unsent row of a chat can be claimed.

Most messages are one row each, queued with a unique key (`enqueue`). The reminders of one tick
for one person are one row, a bundle of parts (`fan_out`, called by storage.deadlines, which
deduplicates them): the row is claimed once per part and goes back to the queue, one chat gap
later, until its last part is sent; the sender sees one message at a time either way.

Several workers over one PostgreSQL database (storage/locks.py) claim from the one queue: the
claim locks what it takes and skips what another worker's claim has locked (`FOR UPDATE OF o SKIP
LOCKED`), so each row goes to one worker. The claim and the sender's steps on a claimed row
(`mark_sent`, `retry`, `fail`: updates of that row by its id, and of its chat's queued rows'
`not_before`, which only moves later) run READ COMMITTED, what a SKIP LOCKED queue is designed
for: under SERIALIZABLE, claims and marks running at once read the pages the others write, and
PostgreSQL fails them by the hundred (4 workers, 3,000 rows: 598 failures, 6 claims or marks
failing 20 times running and given up; benchmarks/fanout_workers.py --claims), where READ
COMMITTED fails none, 3.4 times as fast. A claimed row is
stamped with its worker (migration 0014); a row "sending" by a worker that is gone goes back to
the queue (`requeue_orphans`): at most the message in flight at its end is sent twice, none is
lost.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from itertools import repeat
from typing import NamedTuple

from storage.people import People
from storage.locks import gone, ours_or_gone
from storage.repository import Repository, iso, read_committed, unit_of_work
from storage.sql import Connection, POSTGRES, per_dialect
from storage.units import ancestor_ids


_IN_BULK = 64          # fan_out: a bundle to this many units or more goes in one statement
# outbox_person's condition, word for word: repeated in a query, it lets SQLite search that index
# (unsent rows only) instead of scanning every row ever sent
_UNSENT = "status IN ('queued', 'sending')"
# 1 for a bundle row with parts left after its current one, else 0 (SET expressions see the row
# before the update); `part` then moves on to the next, or stays on the last
_PARTS_LEFT = {dialect: "CASE WHEN bundle_id IS NOT NULL AND part + 1 <"
                        f" (SELECT {length} FROM outbox_bundles b WHERE b.id = outbox.bundle_id) THEN 1 ELSE 0 END"
               for dialect, length in per_dialect(sqlite="json_array_length(b.parts)",
                                                  postgres="json_array_length(b.parts::json)").items()}
# the body of the message a row sends next (o: outbox, n: its bundle, if any): its own, or its
# bundle's current part's, a bundle's `parts` being JSON [[batch id, body id], ...]
CURRENT_BODY = per_dialect(
    sqlite="COALESCE(o.body_id, json_extract(n.parts, '$[' || o.part || '][1]'))",
    postgres="COALESCE(o.body_id, (n.parts::json -> o.part::integer ->> 1)::bigint)",
)
# claimed rows are locked and skipped by another worker's claim in the meantime (PostgreSQL)
_CLAIM_LOCK = per_dialect(sqlite="", postgres=" FOR UPDATE OF o SKIP LOCKED")
# (person, unit) pairs, packed into one integer each, inserted from one bound value: one statement
# instead of a bound row each (measured on SQLite: half the time of executemany for 100,000 rows)
_FAN_OUT = per_dialect(
    sqlite="INSERT INTO outbox (person_id, unit_id, bundle_id) SELECT value >> 32, value & 4294967295, ?"
           " FROM json_each(?)",
    postgres="INSERT INTO outbox (person_id, unit_id, bundle_id) SELECT v >> 32, v & 4294967295, ?"
             " FROM unnest(?::bigint[]) v",
)
_CLAIM = {dialect: (
    "SELECT o.id, o.dedup_key, o.person_id, p.channel, p.chat_id, b.payload, o.attempts, o.unit_id"
    " FROM outbox o JOIN people p ON p.id = o.person_id"
    " LEFT JOIN outbox_bundles n ON n.id = o.bundle_id"
    f" JOIN outbox_bodies b ON b.id = {CURRENT_BODY[dialect]}"
    " WHERE o.status = 'queued' AND o.not_before <= ? AND p.channel = ?"
    " AND o.id = (SELECT MIN(h.id) FROM outbox h WHERE h.person_id = o.person_id"
    "             AND h.status IN ('queued', 'sending'))"
    " AND NOT EXISTS (SELECT 1 FROM form_sessions f WHERE f.person_id = o.person_id AND f.updated_at > ?)"
    f" ORDER BY o.id LIMIT ?{_CLAIM_LOCK[dialect]}"
) for dialect in CURRENT_BODY}
_MARK_SENT = {dialect: (
    f"UPDATE outbox SET status = CASE WHEN {left} = 1 THEN 'queued' ELSE 'sent' END,"
    f" part = part + {left}, attempts = 0, sent_at = ?,"
    " message_id = COALESCE(message_id || ' ', '') || ?,"
    " error = NULL WHERE id = ? RETURNING person_id"
) for dialect, left in _PARTS_LEFT.items()}
_FAIL = {dialect: (
    f"UPDATE outbox SET status = CASE WHEN {left} = 1 THEN 'queued' ELSE 'failed' END,"
    f" part = part + {left}, attempts = 0, error = ? WHERE id = ?"
) for dialect, left in _PARTS_LEFT.items()}
# every message of a chat, a bundle's parts one by one: (key, status, payload); `part` is the
# part going, or the last one
_SENT_TO = per_dialect(
    sqlite=(
        "SELECT COALESCE(o.dedup_key, CASE r.kind WHEN 'remind' THEN 'r:' ELSE 'e:' END || o.unit_id"
        "        || ':' || r.item_id || ':' || r.occurrence"
        "        || CASE r.kind WHEN 'remind' THEN ':' || r.step ELSE '' END || ':' || o.person_id),"
        "  CASE WHEN j.key < o.part THEN 'sent' WHEN j.key > o.part AND o.status = 'sending' THEN 'queued'"
        "       ELSE o.status END,"
        "  b.payload"
        " FROM outbox o JOIN people p ON p.id = o.person_id LEFT JOIN outbox_bundles n ON n.id = o.bundle_id"
        " JOIN json_each(COALESCE(n.parts, json_array(json_array(NULL, o.body_id)))) j"
        " JOIN outbox_bodies b ON b.id = json_extract(j.value, '$[1]')"
        " LEFT JOIN reminder_batches r ON r.id = json_extract(j.value, '$[0]')"
        " WHERE p.chat_id = ? ORDER BY o.id, j.key"
    ),
    postgres=(
        "SELECT COALESCE(o.dedup_key, CASE r.kind WHEN 'remind' THEN 'r:' ELSE 'e:' END || o.unit_id"
        "        || ':' || r.item_id || ':' || r.occurrence"
        "        || CASE r.kind WHEN 'remind' THEN ':' || r.step ELSE '' END || ':' || o.person_id),"
        "  CASE WHEN j.number - 1 < o.part THEN 'sent'"
        "       WHEN j.number - 1 > o.part AND o.status = 'sending' THEN 'queued' ELSE o.status END,"
        "  b.payload"
        " FROM outbox o JOIN people p ON p.id = o.person_id LEFT JOIN outbox_bundles n ON n.id = o.bundle_id"
        " CROSS JOIN LATERAL json_array_elements(COALESCE(n.parts::json,"
        "   json_build_array(json_build_array(NULL, o.body_id)))) WITH ORDINALITY AS j(value, number)"
        " JOIN outbox_bodies b ON b.id = (j.value ->> 1)::bigint"
        " LEFT JOIN reminder_batches r ON r.id = (j.value ->> 0)::bigint"
        " WHERE p.chat_id = ? ORDER BY o.id, j.number"
    ),
)
# bodies no row refers to any more, neither by itself nor in a bundle
_PURGE_BODIES = per_dialect(
    sqlite="DELETE FROM outbox_bodies WHERE id NOT IN (SELECT body_id FROM outbox WHERE body_id IS NOT NULL)"
           " AND id NOT IN (SELECT json_extract(j.value, '$[1]') FROM outbox_bundles, json_each(parts) j)",
    postgres="DELETE FROM outbox_bodies WHERE id NOT IN (SELECT body_id FROM outbox WHERE body_id IS NOT NULL)"
             " AND id NOT IN (SELECT (j.value ->> 1)::bigint FROM outbox_bundles,"
             " json_array_elements(parts::json) j)",
)
# the ids of bodies by their digests, given as one bound value
_BODIES_BY_DIGEST = per_dialect(
    sqlite="SELECT digest, id FROM outbox_bodies WHERE digest IN (SELECT value FROM json_each(?))",
    postgres="SELECT digest, id FROM outbox_bodies WHERE digest = ANY(?)",
)


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
    unit_id: int | None = None          # the unit a reminder is about (a bundle's rows); None otherwise


@dataclass(frozen=True)
class Blocked:
    """Who blocked the bot, and the officers to tell (person ids)."""

    changed: bool
    name: str
    unit_name: str
    officers: tuple[int, ...]


class Outbox(Repository):
    @unit_of_work
    def enqueue(self, conn: Connection, messages: Iterable[NewMessage], now: datetime) -> int:
        """Queue messages whose key is new, all in this transaction; returns how many were new."""
        messages = list(messages)
        bodies = _body_ids(conn, {payload for _, _, payload in messages})
        when, created = stamp(now), iso(now)
        return conn.executemany(
            "INSERT INTO outbox (dedup_key, person_id, body_id, not_before, created_at)"
            " VALUES (?, ?, ?, ?, ?) ON CONFLICT DO NOTHING",
            [(key, person_id, bodies[payload], when, created) for key, person_id, payload in messages],
        ).rowcount

    @unit_of_work
    def fan_out(self, conn: Connection, steps: Sequence[tuple[int, Mapping[str, Sequence[int]]]],
                recipients: Mapping[int, Sequence[int]]) -> int:
        """Queue reminder batches: `steps` are (batch id, payload -> unit ids), `recipients` who hears
        each unit (person ids). Each person gets one row, a bundle of their units' parts in the
        order of `steps`; returns how many messages (parts) were queued."""
        bodies = _body_ids(conn, {payload for _, sends in steps for payload in sends})
        parts = [(batch_id, bodies[payload], units) for batch_id, sends in steps for payload, units in sends.items()]
        bundles = _units_by_parts(parts)
        ids = _new_bundle_ids(conn, len(bundles))
        contents = [[parts[number][:2] for number in _bits(mask)] for mask in bundles]
        conn.executemany("INSERT INTO outbox_bundles (id, parts) VALUES (?, ?)",
                         [(bundle_id, json.dumps(content)) for bundle_id, content in zip(ids, contents)])
        messages = 0
        few = []
        for bundle_id, content, units in zip(ids, contents, bundles.values()):
            if len(units) < _IN_BULK:
                rows = [(person, unit, bundle_id) for unit in units for person in recipients[unit]]
                few += rows
                messages += len(content) * len(rows)
                continue
            packed = [person << 32 | unit for unit in units for person in recipients[unit]]
            messages += len(content) * conn.execute(_FAN_OUT[conn.dialect], (bundle_id, _int_list(conn, packed))).rowcount
        conn.executemany("INSERT INTO outbox (person_id, unit_id, bundle_id) VALUES (?, ?, ?)", few)
        return messages

    @unit_of_work
    @read_committed
    def claim(self, conn: Connection, channel: str, now: datetime, limit: int,
              busy_since: datetime | None = None) -> list[OutboxRow]:
        """Mark up to `limit` rows due now as sending and return them (a bundle: with its next
        part's payload): at most one per person, their oldest. With `busy_since`, a person whose
        open form was answered after it waits: nothing lands between a question and its answer."""
        rows = conn.execute(_CLAIM[conn.dialect], (stamp(now), channel, iso(busy_since) if busy_since else "9999",
                                                   limit)).fetchall()
        conn.executemany("UPDATE outbox SET status = 'sending' WHERE id = ?", [(r[0],) for r in rows])
        return [OutboxRow(*r) for r in rows]

    @unit_of_work
    @read_committed
    def mark_sent(self, conn: Connection, row_id: int, message_id: str, now: datetime,
                  chat_gap: timedelta = timedelta(0)) -> None:
        """The call succeeded (a bundle with parts left goes back to the queue for the next); the
        chat's next message waits `chat_gap` (Telegram: one message a second)."""
        row = conn.execute(_MARK_SENT[conn.dialect], (iso(now), message_id, row_id)).fetchone()
        if row and chat_gap:
            later = stamp(now + chat_gap)
            conn.execute(
                f"UPDATE outbox SET not_before = ? WHERE person_id = ? AND {_UNSENT} AND status = 'queued'"
                " AND not_before < ?",
                (later, row[0], later),
            )

    @unit_of_work
    @read_committed
    def retry(self, conn: Connection, row_id: int, not_before: datetime, error: str,
              count_attempt: bool = True) -> None:
        """Put a row back in the queue, to go no earlier than `not_before`."""
        conn.execute(
            "UPDATE outbox SET status = 'queued', not_before = ?, error = ?, attempts = attempts + ?"
            " WHERE id = ? AND status = 'sending'",
            (stamp(not_before), error, int(count_attempt), row_id),
        )

    @unit_of_work
    @read_committed
    def fail(self, conn: Connection, row_id: int, error: str) -> None:
        """Give up on a message the messenger refused for good (a bundle goes on with its next part)."""
        conn.execute(_FAIL[conn.dialect], (error, row_id))

    @unit_of_work
    def blocked(self, conn: Connection, row_id: int, now: datetime,
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
    def recover(self, conn: Connection) -> int:
        """At start: rows left "sending" by a stopped sender go back to the queue; returns how many.
        On PostgreSQL, where other workers may be sending, those of this worker and of workers gone."""
        mine = f" AND {ours_or_gone('claimed_by')}" if conn.dialect == POSTGRES else ""
        return conn.execute(
            f"UPDATE outbox SET status = 'queued' WHERE {_UNSENT} AND status = 'sending'{mine}").rowcount

    @unit_of_work
    def requeue_orphans(self, conn: Connection) -> int:
        """While running: rows left "sending" by a worker that is gone (killed, or its machine lost)
        go back to the queue; how many. SQLite has one worker, whose rows "sending" are its calls
        in flight: none."""
        if conn.dialect != POSTGRES:
            return 0
        return conn.execute(
            f"UPDATE outbox SET status = 'queued' WHERE {_UNSENT} AND status = 'sending'"
            f" AND {gone('claimed_by')}").rowcount

    @unit_of_work
    def counts(self, conn: Connection) -> dict[str, int]:
        """How many rows are in each status."""
        return dict(conn.execute("SELECT status, COUNT(*) FROM outbox GROUP BY status").fetchall())

    @unit_of_work
    def sent_to(self, conn: Connection, chat_id: str) -> list[tuple[str, str, str]]:
        """(key, status, payload) of every message for a chat, oldest first, a bundle's parts one by
        one (for tests and support).

        A reminder's key is "r:unit:item:occurrence:step:person", an escalation's
        "e:district:item:occurrence:person".
        """
        return [tuple(r) for r in conn.execute(_SENT_TO[conn.dialect], (chat_id,))]

    @unit_of_work
    def purge(self, conn: Connection, before: datetime) -> int:
        """Forget rows finished before a moment (older than any key a tick derives again): sent
        then, or (failed, dropped) queued then."""
        count = conn.execute(
            "DELETE FROM outbox WHERE status IN ('sent', 'failed', 'dropped')"
            " AND COALESCE(sent_at, created_at, '') < ?",
            (iso(before),),
        ).rowcount
        conn.execute("DELETE FROM outbox_bundles"
                     " WHERE id NOT IN (SELECT bundle_id FROM outbox WHERE bundle_id IS NOT NULL)")
        conn.execute(_PURGE_BODIES[conn.dialect])
        return count


def _body_ids(conn: Connection, payloads: Iterable[str]) -> dict[str, int]:
    """The body id of each payload, storing the new ones."""
    digests = {payload: hashlib.sha1(payload.encode()).hexdigest() for payload in payloads}
    conn.executemany("INSERT INTO outbox_bodies (digest, payload) VALUES (?, ?) ON CONFLICT DO NOTHING",
                     [(digest, payload) for payload, digest in digests.items()])
    keys = list(digests.values())
    found = dict(conn.execute(_BODIES_BY_DIGEST[conn.dialect],
                              (keys if conn.dialect == POSTGRES else json.dumps(keys),)).fetchall())
    return {payload: found[digest] for payload, digest in digests.items()}


def _int_list(conn: Connection, values: list[int]) -> str:
    """Integers as one bound value, written out as text: a JSON array for SQLite's json_each, an
    array literal for PostgreSQL's `?::bigint[]` (psycopg's own list dumper, in Python, takes a
    tenth of a second for a busy tick's 100,000; the text, a hundredth)."""
    if conn.dialect == POSTGRES:
        return "{" + ",".join(map(str, values)) + "}"
    return json.dumps(values)


def _new_bundle_ids(conn, count: int) -> Sequence[int]:
    """Ids for `count` new bundles: after the largest on SQLite (one writer), drawn from the table's
    identity sequence on PostgreSQL (where several workers may draw at once)."""
    if conn.dialect == POSTGRES:
        return [row[0] for row in conn.execute(
            "SELECT nextval(pg_get_serial_sequence('outbox_bundles', 'id')) FROM generate_series(1, ?)", (count,))]
    first = conn.execute("SELECT COALESCE(MAX(id), 0) + 1 FROM outbox_bundles").fetchone()[0]
    return range(first, first + count)


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


def _officers_above(conn: Connection, path: str, level: str, person_id: int) -> tuple[int, ...]:
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
