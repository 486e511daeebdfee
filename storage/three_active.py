""""3 chủ động" (seed 004): the plans grassroots units register, their items and the review of
each, the recognition decided by the level above, and each person's open conversation about it."""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from storage.forms import Stale
from storage.repository import Repository, iso, unit_of_work
from storage.units import _COLUMNS as UNIT_COLUMNS
from storage.units import Unit, _unit, subtree_span


class Locked(Exception):
    """The plan was reviewed (or decided) meanwhile: it can no longer be corrected."""


@dataclass(frozen=True)
class Session:
    """An open "3 chủ động" conversation: its state as the domain wrote it (`state["kind"]`)."""

    id: int
    person_id: int
    state: dict
    version: int
    updated_at: datetime


@dataclass(frozen=True)
class Item:
    id: int
    part: int                  # 1, 2 or 3
    position: int              # 1, 2, ... within its part
    text: str
    achieved: bool | None      # None: not reviewed yet


@dataclass(frozen=True)
class Plan:
    id: int
    unit_id: int
    year: int
    number: str
    person_id: int
    submitted_at: datetime
    updated_at: datetime
    recognised: bool | None    # None: not decided yet
    decided_unit: int | None
    decided_at: datetime | None
    items: tuple[Item, ...]

    @property
    def correctable(self) -> bool:
        """A plan is corrected by its unit until the level above reviews its first item."""
        return self.recognised is None and self.reviewed == 0

    @property
    def reviewed(self) -> int:
        return sum(1 for item in self.items if item.achieved is not None)

    @property
    def achieved(self) -> int:
        return sum(1 for item in self.items if item.achieved)


@dataclass(frozen=True)
class PlanLine:
    """A plan as a follow-up list shows it: its unit, when it came, how far its review is."""

    plan_id: int
    unit_id: int
    unit_name: str
    above: str                 # the name of the unit above it
    year: int
    submitted_at: datetime
    items: int
    reviewed: int
    achieved: int
    recognised: bool | None
    decided_unit: int | None


_SESSION = "id, person_id, state, version, updated_at"
_PLAN = ("id, unit_id, year, number, person_id, submitted_at, updated_at, recognised, decided_unit,"
         " decided_at")
_PLAN_OF_P = ", ".join(f"p.{column.strip()}" for column in _PLAN.split(","))
# A unit registers a plan when a branch sits directly under it and a unit sits above it to review
# it; units of the levels left out (those that receive the plans, not send them) do not.
_REGISTERS = ("u.parent_id IS NOT NULL{left_out} AND EXISTS"
              " (SELECT 1 FROM units b WHERE b.parent_id = u.id AND b.level = 'branch')")


def _session(row) -> Session:
    return Session(row[0], row[1], json.loads(row[2]), row[3], datetime.fromisoformat(row[4]))


def _flag(value) -> bool | None:
    return None if value is None else bool(value)


def _moment(value: str | None) -> datetime | None:
    return datetime.fromisoformat(value) if value else None


def _plan(conn: sqlite3.Connection, row) -> Plan:
    items = tuple(Item(r[0], r[1], r[2], r[3], _flag(r[4])) for r in conn.execute(
        "SELECT id, part, position, text, achieved FROM three_active_items WHERE plan_id = ?"
        " ORDER BY part, position", (row[0],)))
    return Plan(row[0], row[1], row[2], row[3], row[4], datetime.fromisoformat(row[5]),
                datetime.fromisoformat(row[6]), _flag(row[7]), row[8], _moment(row[9]), items)


def _registers(levels_left_out: Sequence[str]) -> tuple[str, list[str]]:
    """The SQL condition on `u` of a unit that registers a plan, and its parameters."""
    marks = ",".join("?" * len(levels_left_out))
    return _REGISTERS.format(left_out=f" AND u.level NOT IN ({marks})" if marks else ""), list(levels_left_out)


class ThreeActive(Repository):
    # --- the conversation ------------------------------------------------------------------------

    @unit_of_work
    def session(self, conn: sqlite3.Connection, person_id: int, kind: str | None = None) -> Session | None:
        """The person's open conversation of this kind, or (no kind) the one touched last."""
        if kind is None:
            row = conn.execute(f"SELECT {_SESSION} FROM three_active_sessions WHERE person_id = ?"
                               " ORDER BY updated_at DESC, id DESC LIMIT 1", (person_id,)).fetchone()
        else:
            row = conn.execute(f"SELECT {_SESSION} FROM three_active_sessions WHERE person_id = ? AND kind = ?",
                               (person_id, kind)).fetchone()
        return _session(row) if row else None

    @unit_of_work
    def begin(self, conn: sqlite3.Connection, person_id: int, state: dict, now: datetime) -> Session:
        """Open a conversation of the kind `state["kind"]`, ending the one of that kind they had."""
        conn.execute("DELETE FROM three_active_sessions WHERE person_id = ? AND kind = ?", (person_id, state["kind"]))
        row = conn.execute(
            "INSERT INTO three_active_sessions (person_id, kind, state, version, updated_at) VALUES (?, ?, ?, 0, ?)"
            f" RETURNING {_SESSION}",
            (person_id, state["kind"], json.dumps(state, ensure_ascii=False), iso(now))).fetchone()
        return _session(row)

    @unit_of_work
    def save(self, conn: sqlite3.Connection, session_id: int, expected_version: int, state: dict,
             now: datetime) -> Session:
        """Store the conversation's new state unless it moved meanwhile (Stale)."""
        row = conn.execute(
            f"UPDATE three_active_sessions SET state = ?, version = version + 1, updated_at = ?"
            f" WHERE id = ? AND version = ? RETURNING {_SESSION}",
            (json.dumps(state, ensure_ascii=False), iso(now), session_id, expected_version)).fetchone()
        if row is None:
            raise Stale(session_id)
        return _session(row)

    @unit_of_work
    def end(self, conn: sqlite3.Connection, session_id: int) -> bool:
        """Close the conversation; False if it was closed already."""
        return conn.execute("DELETE FROM three_active_sessions WHERE id = ?", (session_id,)).rowcount > 0

    # --- plans -----------------------------------------------------------------------------------

    @unit_of_work
    def plan(self, conn: sqlite3.Connection, unit_id: int, year: int) -> Plan | None:
        """The unit's plan for a year, with its items, or None."""
        row = conn.execute(f"SELECT {_PLAN} FROM three_active_plans WHERE unit_id = ? AND year = ?",
                           (unit_id, year)).fetchone()
        return _plan(conn, row) if row else None

    @unit_of_work
    def plan_by_id(self, conn: sqlite3.Connection, plan_id: int) -> Plan | None:
        """The plan with this id, with its items, or None."""
        row = conn.execute(f"SELECT {_PLAN} FROM three_active_plans WHERE id = ?", (plan_id,)).fetchone()
        return _plan(conn, row) if row else None

    @unit_of_work
    def plan_of_item(self, conn: sqlite3.Connection, item_id: int) -> Plan | None:
        """The plan an item belongs to, with its items, or None."""
        row = conn.execute(f"SELECT {_PLAN_OF_P} FROM three_active_plans p"
                           " JOIN three_active_items i ON i.plan_id = p.id WHERE i.id = ?", (item_id,)).fetchone()
        return _plan(conn, row) if row else None

    @unit_of_work
    def submit(self, conn: sqlite3.Connection, unit_id: int, year: int, person_id: int, number: str,
               parts: Sequence[Sequence[str]], now: datetime) -> Plan:
        """Register the unit's plan for a year, or replace the one registered (a correction) as long
        as none of its items was reviewed (else Locked). `parts`: the items of parts 1, 2, 3."""
        existing = ThreeActive.plan.inside(self, conn, unit_id, year)
        if existing is None:
            plan_id = conn.execute(
                "INSERT INTO three_active_plans (unit_id, year, number, person_id, submitted_at, updated_at)"
                " VALUES (?, ?, ?, ?, ?, ?) RETURNING id",
                (unit_id, year, number, person_id, iso(now), iso(now))).fetchone()[0]
        elif not existing.correctable:
            raise Locked(existing.id)
        else:
            plan_id = existing.id
            conn.execute("UPDATE three_active_plans SET number = ?, person_id = ?, updated_at = ? WHERE id = ?",
                         (number, person_id, iso(now), plan_id))
            conn.execute("DELETE FROM three_active_items WHERE plan_id = ?", (plan_id,))
        conn.executemany(
            "INSERT INTO three_active_items (plan_id, part, position, text) VALUES (?, ?, ?, ?)",
            [(plan_id, part, position, text)
             for part, items in enumerate(parts, start=1) for position, text in enumerate(items, start=1)])
        return ThreeActive.plan_by_id.inside(self, conn, plan_id)

    @unit_of_work
    def mark(self, conn: sqlite3.Connection, item_id: int, achieved: bool, person_id: int,
             now: datetime) -> Plan | None:
        """Record an item as achieved or not; returns its plan, or None when no such item."""
        row = conn.execute(
            "UPDATE three_active_items SET achieved = ?, reviewed_by = ?, reviewed_at = ? WHERE id = ?"
            " RETURNING plan_id", (int(achieved), person_id, iso(now), item_id)).fetchone()
        return ThreeActive.plan_by_id.inside(self, conn, row[0]) if row else None

    @unit_of_work
    def decide(self, conn: sqlite3.Connection, plan_id: int, recognised: bool, person_id: int, unit_id: int,
               now: datetime) -> Plan | None:
        """Record the recognition decided for a plan, in the name of `unit_id` (the unit above)."""
        done = conn.execute(
            "UPDATE three_active_plans SET recognised = ?, decided_by = ?, decided_unit = ?, decided_at = ?"
            " WHERE id = ?", (int(recognised), person_id, unit_id, iso(now), plan_id)).rowcount
        return ThreeActive.plan_by_id.inside(self, conn, plan_id) if done else None

    # --- following the units under a unit --------------------------------------------------------

    @unit_of_work
    def registers(self, conn: sqlite3.Connection, unit_id: int, levels_left_out: Sequence[str]) -> bool:
        """Whether this unit registers a plan (see _REGISTERS)."""
        condition, params = _registers(levels_left_out)
        return conn.execute(f"SELECT 1 FROM units u WHERE u.id = ? AND {condition}",
                            (unit_id, *params)).fetchone() is not None

    @unit_of_work
    def registering_under(self, conn: sqlite3.Connection, root_id: int,
                          levels_left_out: Sequence[str]) -> list[Unit]:
        """The units below `root_id` (not itself) that register a plan, in tree order."""
        root = conn.execute("SELECT path FROM units WHERE id = ?", (root_id,)).fetchone()
        if root is None:
            return []
        condition, params = _registers(levels_left_out)
        columns = ", ".join(f"u.{c.strip()}" for c in UNIT_COLUMNS.split(","))
        rows = conn.execute(f"SELECT {columns} FROM units u WHERE u.path > ? AND u.path < ? AND {condition}"
                            " ORDER BY u.path", (*subtree_span(root[0]), *params))
        return [_unit(r) for r in rows]

    @unit_of_work
    def in_use(self, conn: sqlite3.Connection, years: Sequence[int]) -> bool:
        """Whether any unit registered a plan for one of these years."""
        marks = ",".join("?" * len(years))
        return bool(years) and conn.execute(
            f"SELECT 1 FROM three_active_plans WHERE year IN ({marks}) LIMIT 1", tuple(years)).fetchone() is not None

    @unit_of_work
    def plans_under(self, conn: sqlite3.Connection, root_id: int, years: Sequence[int]) -> list[PlanLine]:
        """The plans of these years of the units below `root_id` (not itself), in tree order."""
        root = conn.execute("SELECT path FROM units WHERE id = ?", (root_id,)).fetchone()
        if root is None or not years:
            return []
        marks = ",".join("?" * len(years))
        rows = conn.execute(
            "SELECT p.id, p.unit_id, u.name, COALESCE(a.name, ''), p.year, p.submitted_at, COUNT(i.id),"
            " COUNT(i.achieved), COALESCE(SUM(i.achieved), 0), p.recognised, p.decided_unit"
            " FROM three_active_plans p JOIN units u ON u.id = p.unit_id"
            " LEFT JOIN units a ON a.id = u.parent_id"
            " LEFT JOIN three_active_items i ON i.plan_id = p.id"
            f" WHERE u.path > ? AND u.path < ? AND p.year IN ({marks})"
            " GROUP BY p.id, p.unit_id, u.name, a.name, p.year, p.submitted_at, p.recognised, p.decided_unit,"
            " u.path ORDER BY u.path, p.year", (*subtree_span(root[0]), *years))
        return [PlanLine(r[0], r[1], r[2], r[3], r[4], datetime.fromisoformat(r[5]), r[6], r[7], r[8], _flag(r[9]),
                         r[10]) for r in rows]
