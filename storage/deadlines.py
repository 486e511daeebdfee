"""Deadline confirmations (the "done" button, per unit and occurrence) and the facts a reminder tick reads at once."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime
from typing import NamedTuple

from storage.repository import Repository, iso, unit_of_work


class TreeUnit(NamedTuple):
    id: int
    parent_id: int | None
    level: str
    border: int


class Recipient(NamedTuple):
    person_id: int
    role: str


@dataclass
class TickFacts:
    """What is known about a tree (or a subtree): units, who holds a role in each, and what was answered.

    Answers are indexed for set operations: unit ids per (item id, occurrence key) confirmed, per
    month ("2026-06") with a branch meeting, per period ("2026-H1") with a 1+1 report.
    """

    units: list[TreeUnit]
    # the units above a subtree's root, for the chain of levels (empty for the whole tree)
    ancestors: list[TreeUnit]
    recipients: dict[int, list[Recipient]]
    confirmed: dict[tuple[str, str], set[int]]
    met: dict[str, set[int]]
    reported: dict[str, set[int]]


class Deadlines(Repository):
    @unit_of_work
    def confirm(self, conn: sqlite3.Connection, unit_id: int, item_id: str, occurrence: str,
                person_id: int, now: datetime) -> bool:
        """Record that the unit sent this occurrence; False if it was confirmed already."""
        cur = conn.execute(
            "INSERT OR IGNORE INTO confirmations (unit_id, item_id, occurrence, person_id, confirmed_at)"
            " VALUES (?, ?, ?, ?, ?)",
            (unit_id, item_id, occurrence, person_id, iso(now)),
        )
        return cur.rowcount > 0

    @unit_of_work
    def unconfirm(self, conn: sqlite3.Connection, unit_id: int, item_id: str, occurrence: str) -> bool:
        """Undo a unit's confirmation; False if there was none."""
        cur = conn.execute(
            "DELETE FROM confirmations WHERE unit_id = ? AND item_id = ? AND occurrence = ?",
            (unit_id, item_id, occurrence),
        )
        return cur.rowcount > 0

    @unit_of_work
    def facts(self, conn: sqlite3.Connection, occurrences: Iterable[tuple[str, str]], meetings_since: date,
              periods: Iterable[str], root_path: str | None = None) -> TickFacts:
        """Everything a tick needs, in one transaction: the units (all, or the subtree at
        `root_path`), their recipients, confirmations of these (item, occurrence) pairs, the months
        with a branch meeting since a day, and the 1+1 reports of these periods."""
        where, params = ("", []) if root_path is None else (" AND u.path >= ? AND u.path < ?", [root_path, root_path + ":"])
        cur = conn.cursor()
        cur.row_factory = None                  # plain tuples: 100,000 rows of sqlite3.Row cost
        units = list(map(TreeUnit._make, cur.execute(
            f"SELECT u.id, u.parent_id, u.level, u.border FROM units u WHERE 1{where}", params)))
        ancestors: list[TreeUnit] = []
        if root_path is not None:
            ids = [int(part) for part in root_path.strip("/").split("/")][:-1]
            marks = ",".join("?" * len(ids))
            ancestors = list(map(TreeUnit._make, cur.execute(
                f"SELECT id, parent_id, level, border FROM units WHERE id IN ({marks})", ids)))
        recipients: dict[int, list[Recipient]] = {}
        in_tree = f" JOIN units u ON u.id = r.unit_id WHERE 1{where}" if where else " WHERE 1"
        for unit_id, person_id, role in cur.execute(
            "SELECT r.unit_id, r.person_id, r.role FROM roles r JOIN people p ON p.id = r.person_id"
            f"{in_tree} AND r.revoked_at IS NULL AND p.unreachable_at IS NULL ORDER BY r.id",
            params,
        ):
            recipients.setdefault(unit_id, []).append(Recipient(person_id, role))
        confirmed: dict[tuple[str, str], set[int]] = {}
        for item_id, key in occurrences:
            confirmed[(item_id, key)] = {r[0] for r in cur.execute(
                "SELECT c.unit_id FROM confirmations c JOIN units u ON u.id = c.unit_id"
                f" WHERE c.item_id = ? AND c.occurrence = ?{where}",
                [item_id, key, *params],
            )}
        met: dict[str, set[int]] = {}
        for unit_id, month in cur.execute(
            "SELECT DISTINCT m.unit_id, substr(m.held_on, 1, 7) FROM meetings m JOIN units u ON u.id = m.unit_id"
            f" WHERE m.deleted_at IS NULL AND m.kind = 'branch' AND m.held_on >= ?{where}",
            [meetings_since.isoformat(), *params],
        ):
            met.setdefault(month, set()).add(unit_id)
        reported: dict[str, set[int]] = {}
        for period in periods:
            reported[period] = {r[0] for r in cur.execute(
                "SELECT r.unit_id FROM recruitment r JOIN units u ON u.id = r.unit_id"
                f" WHERE r.deleted_at IS NULL AND r.period = ?{where}",
                [period, *params],
            )}
        return TickFacts(units, ancestors, recipients, confirmed, met, reported)

    @unit_of_work
    def names(self, conn: sqlite3.Connection, unit_ids: Iterable[int]) -> dict[int, str]:
        """The names of these units."""
        ids = list(unit_ids)
        if len(ids) > 5000:                     # one scan beats hundreds of IN (...) look-ups
            wanted = set(ids)
            return {i: n for i, n in conn.execute("SELECT id, name FROM units") if i in wanted}
        names: dict[int, str] = {}
        for start in range(0, len(ids), 500):
            chunk = ids[start:start + 500]
            marks = ",".join("?" * len(chunk))
            names.update(conn.execute(f"SELECT id, name FROM units WHERE id IN ({marks})", chunk).fetchall())
        return names
