"""Deadline confirmations (the "done" button, per unit and occurrence), the facts a reminder tick
reads, and the steps it queued (reminder_batches: what makes a reminder go once)."""

from __future__ import annotations

import sys
import zlib
from array import array
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import date, datetime
from itertools import accumulate, chain
from typing import NamedTuple

from storage.outbox import Outbox
from storage.repository import Repository, iso, unit_of_work
from storage.sql import Connection
from storage.units import ancestor_ids, subtree_span


# A unit as a tick reads it: (id, parent id, level, border), and its name last when asked for.
# Plain tuples, not named ones: building 100,000 named tuples costs more than reading the rows.
TreeUnit = tuple
# Who holds a role: (unit id, person id, role), oldest role first.
RoleRow = tuple[int, int, str]


class Step(NamedTuple):
    """A step of an occurrence as reminder_batches keys it: kind "remind" or "escalate"."""

    kind: str
    item_id: str
    occurrence: str
    name: str
    rank: int


@dataclass
class TickFacts:
    """What is known about a tree (or a subtree): units, who holds a role in each, and what was answered.

    Answers are indexed for set operations: unit ids per (item id, occurrence key) confirmed, per
    month ("2026-06") with a branch meeting, per period ("2026-H1") with a 1+1 report.
    """

    units: list[TreeUnit]
    # the units above a subtree's root, for the chain of levels (empty for the whole tree)
    ancestors: list[TreeUnit]
    roles: list[RoleRow]
    confirmed: dict[tuple[str, str], set[int]]
    met: dict[str, set[int]]
    reported: dict[str, set[int]]
    # the units whose founding day the import gave (unit id -> that day): few, as a rule
    founded: dict[int, date] = field(default_factory=dict)


class Deadlines(Repository):
    @unit_of_work
    def confirm(self, conn: Connection, unit_id: int, item_id: str, occurrence: str,
                person_id: int, now: datetime) -> bool:
        """Record that the unit sent this occurrence; False if it was confirmed already."""
        cur = conn.execute(
            "INSERT INTO confirmations (unit_id, item_id, occurrence, person_id, confirmed_at)"
            " VALUES (?, ?, ?, ?, ?) ON CONFLICT DO NOTHING",
            (unit_id, item_id, occurrence, person_id, iso(now)),
        )
        return cur.rowcount > 0

    @unit_of_work
    def unconfirm(self, conn: Connection, unit_id: int, item_id: str, occurrence: str) -> bool:
        """Undo a unit's confirmation; False if there was none."""
        cur = conn.execute(
            "DELETE FROM confirmations WHERE unit_id = ? AND item_id = ? AND occurrence = ?",
            (unit_id, item_id, occurrence),
        )
        return cur.rowcount > 0

    @unit_of_work
    def facts(self, conn: Connection, occurrences: Iterable[tuple[str, str]], meetings_since: date,
              periods: Iterable[str], root_path: str | None = None) -> TickFacts:
        """Everything a tick needs, in one transaction: the units (all, or the subtree at
        `root_path`), the roles held in them, confirmations of these (item, occurrence) pairs, the
        months with a branch meeting since a day, and the 1+1 reports of these periods."""
        tree = Deadlines.tree.inside(self, conn, root_path)
        return Deadlines.answers.inside(self, conn, tree, occurrences, meetings_since, periods, root_path)

    @unit_of_work
    def tree(self, conn: Connection, root_path: str | None = None, names: bool = False) -> TickFacts:
        """The units (all, or the subtree at `root_path`) and the roles held in them, with no
        answers yet; each unit with its name if asked."""
        where, params = _subtree(root_path)
        # plain tuples (conn.plain): 100,000 row objects cost
        name = ", u.name" if names else ""
        units = conn.plain(f"SELECT u.id, u.parent_id, u.level, u.border{name} FROM units u WHERE TRUE{where}",
                           params).fetchall()
        ancestors: list[TreeUnit] = []
        ids = ancestor_ids(root_path) if root_path is not None else []
        if ids:                                # `IN ()` is SQLite's only
            marks = ",".join("?" * len(ids))
            ancestors = conn.plain(f"SELECT id, parent_id, level, border FROM units WHERE id IN ({marks})",
                                   ids).fetchall()
        in_tree = f" JOIN units u ON u.id = r.unit_id WHERE TRUE{where}" if where else " WHERE TRUE"
        roles = conn.plain(
            f"SELECT r.unit_id, r.person_id, r.role FROM roles r{in_tree} AND r.revoked_at IS NULL ORDER BY r.id",
            params,
        ).fetchall()
        # the few who blocked the bot, left out after: cheaper than joining people on every role
        unreachable = {r[0] for r in conn.plain("SELECT id FROM people WHERE unreachable_at IS NOT NULL")}
        if unreachable:
            roles = [role for role in roles if role[1] not in unreachable]
        founded = {r[0]: date.fromisoformat(r[1]) for r in conn.plain(
            f"SELECT u.id, u.founded_on FROM units u WHERE u.founded_on IS NOT NULL{where}", params)}
        return TickFacts(units, ancestors, roles, {}, {}, {}, founded)

    @unit_of_work
    def answers(self, conn: Connection, tree: TickFacts, occurrences: Iterable[tuple[str, str]],
                meetings_since: date, periods: Iterable[str], root_path: str | None = None) -> TickFacts:
        """`tree` with the answers read: confirmations of these (item, occurrence) pairs, the months
        with a branch meeting since a day, and the 1+1 reports of these periods."""
        where, params = _subtree(root_path)
        join = " JOIN units u ON u.id = x.unit_id" if where else ""
        confirmed: dict[tuple[str, str], set[int]] = {}
        for item_id, key in occurrences:
            confirmed[(item_id, key)] = {r[0] for r in conn.plain(
                f"SELECT x.unit_id FROM confirmations x{join} WHERE x.item_id = ? AND x.occurrence = ?{where}",
                [item_id, key, *params],
            )}
        met: dict[str, set[int]] = {}
        for unit_id, month in conn.plain(
            f"SELECT DISTINCT x.unit_id, substr(x.held_on, 1, 7) FROM meetings x{join}"
            f" WHERE x.deleted_at IS NULL AND x.kind = 'branch' AND x.held_on >= ?{where}",
            [meetings_since.isoformat(), *params],
        ):
            met.setdefault(month, set()).add(unit_id)
        reported: dict[str, set[int]] = {}
        for period in periods:
            reported[period] = {r[0] for r in conn.plain(
                f"SELECT x.unit_id FROM recruitment x{join} WHERE x.deleted_at IS NULL AND x.period = ?{where}",
                [period, *params],
            )}
        return replace(tree, confirmed=confirmed, met=met, reported=reported)

    @unit_of_work
    def answered(self, conn: Connection, unit_id: int, item_id: str, occurrence: str,
                 months: Sequence[str] = (), periods: Sequence[str] = ()) -> bool:
        """Whether one unit answered an occurrence since its reminder was queued, as `answers`
        reads it for a tree: it confirmed it, held a branch meeting in one of `months` ("2026-06"),
        or sent the 1+1 report of one of `periods`."""
        if conn.execute("SELECT 1 FROM confirmations WHERE unit_id = ? AND item_id = ? AND occurrence = ?",
                        (unit_id, item_id, occurrence)).fetchone():
            return True
        if months and conn.execute(
                "SELECT 1 FROM meetings WHERE unit_id = ? AND deleted_at IS NULL AND kind = 'branch'"
                f" AND substr(held_on, 1, 7) IN ({','.join('?' * len(months))}) LIMIT 1",
                (unit_id, *months)).fetchone():
            return True
        return bool(periods) and conn.execute(
            "SELECT 1 FROM recruitment WHERE unit_id = ? AND deleted_at IS NULL"
            f" AND period IN ({','.join('?' * len(periods))}) LIMIT 1", (unit_id, *periods)).fetchone() is not None

    @unit_of_work
    def versions(self, conn: Connection) -> tuple[int, int]:
        """(tree, answers): numbers that change whenever what a tick reads changes (migration 0002)."""
        found = dict(conn.execute("SELECT name, version FROM tick_inputs").fetchall())
        return found["tree"], found["answers"]

    @unit_of_work
    def covered(self, conn: Connection, step: Step) -> set[int]:
        """The units already queued this step of this occurrence, or a later one."""
        covered: set[int] = set()
        for (blob,) in conn.execute(
            "SELECT units FROM reminder_batches WHERE item_id = ? AND occurrence = ? AND kind = ? AND rank >= ?",
            (step.item_id, step.occurrence, step.kind, step.rank),
        ):
            covered.update(_unpack(blob))
        return covered

    @unit_of_work
    def queue(self, conn: Connection, steps: Sequence[tuple[Step, Mapping[str, Sequence[int]]]],
              recipients: Mapping[int, Sequence[int]], now: datetime) -> int:
        """Queue steps for units (each step with payload -> units; `recipients`: unit -> person ids),
        noting each in reminder_batches; returns how many messages were queued (a row a person)."""
        batches = []
        for step, sends in steps:
            units = sorted({unit for group in sends.values() for unit in group})
            batch_id = conn.execute(
                "INSERT INTO reminder_batches (kind, item_id, occurrence, step, rank, units, queued_at)"
                " VALUES (?, ?, ?, ?, ?, ?, ?) RETURNING id",
                (step.kind, step.item_id, step.occurrence, step.name, step.rank, _pack(units), iso(now)),
            ).fetchone()[0]
            batches.append((batch_id, sends))
        return Outbox.fan_out.inside(None, conn, batches, recipients)

    @unit_of_work
    def forget_batches(self, conn: Connection, before: datetime) -> int:
        """Forget the steps queued before a moment (older than any occurrence a tick still looks at)."""
        return conn.execute("DELETE FROM reminder_batches WHERE queued_at < ?", (iso(before),)).rowcount


def _subtree(root_path: str | None) -> tuple[str, list[str]]:
    return ("", []) if root_path is None else (" AND u.path >= ? AND u.path < ?", [*subtree_span(root_path)])


def _pack(units: Sequence[int]) -> bytes:
    """Sorted unit ids as zlib-compressed int64 differences: 100,000 ids of a busy tick in a few KB."""
    steps = array("q", [b - a for a, b in zip(chain((0,), units), units)])
    if sys.byteorder == "big":
        steps.byteswap()
    return zlib.compress(steps.tobytes(), 1)


def _unpack(blob: bytes) -> Iterator[int]:
    steps = array("q")
    steps.frombytes(zlib.decompress(blob))
    if sys.byteorder == "big":
        steps.byteswap()
    return accumulate(steps)
