"""Officers' nudges: which unit was reminded by hand of which occurrence of a deadline, on which
Vietnam day, by whom. The table's unique key is the rule "at most once a day per unit and
occurrence": `claim` says whether a nudge may go, in the transaction that queues its messages."""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass
from datetime import date, datetime

from storage.repository import Repository, iso, unit_of_work


@dataclass(frozen=True)
class Nudge:
    id: int
    unit_id: int            # the unit nudged
    from_unit_id: int       # the asking officer's unit
    person_id: int          # the officer who asked
    recipients: int         # people the message was queued for
    at: datetime


class Nudges(Repository):
    @unit_of_work
    def claim(self, conn: sqlite3.Connection, unit_id: int, item_id: str, occurrence: str, day: date,
              from_unit_id: int, person_id: int, recipients: int, now: datetime) -> int | None:
        """Record a nudge of the unit for this occurrence on `day`; its id, or None when the unit
        was nudged for it that day already."""
        row = conn.execute(
            "INSERT INTO nudges (unit_id, item_id, occurrence, day, from_unit_id, person_id, recipients, at)"
            " VALUES (?, ?, ?, ?, ?, ?, ?, ?)"
            " ON CONFLICT (unit_id, item_id, occurrence, day) DO NOTHING RETURNING id",
            (unit_id, item_id, occurrence, day.isoformat(), from_unit_id, person_id, recipients, iso(now)),
        ).fetchone()
        return row[0] if row else None

    @unit_of_work
    def of_day(self, conn: sqlite3.Connection, item_id: str, occurrence: str, day: date) -> dict[int, Nudge]:
        """The nudges of this occurrence on `day`, by the unit nudged."""
        rows = conn.execute(
            "SELECT id, unit_id, from_unit_id, person_id, recipients, at FROM nudges"
            " WHERE item_id = ? AND occurrence = ? AND day = ?",
            (item_id, occurrence, day.isoformat()),
        )
        return {r[1]: Nudge(r[0], r[1], r[2], r[3], r[4], datetime.fromisoformat(r[5])) for r in rows}
