"""Open forms: each person's half-filled answers, saved with every step; and the claim on each
update, so that one delivered twice is answered once."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime

from storage.people import Identity, _identify
from storage.repository import Repository, iso, unit_of_work
from storage.sql import Connection


@dataclass(frozen=True)
class FormSession:
    id: int
    person_id: int
    unit_id: int
    form: str
    state: dict
    version: int
    started_at: datetime
    updated_at: datetime


@dataclass(frozen=True)
class Conversation:
    """Everything a message needs to be answered, read in one trip."""

    identity: Identity | None
    session: FormSession | None


class Stale(Exception):
    """The form moved on (or ended) since the answer was given: nothing was written."""


_SESSION = "id, person_id, unit_id, form, state, version, started_at, updated_at"


def _session(row) -> FormSession:
    return FormSession(
        row[0], row[1], row[2], row[3], json.loads(row[4]), row[5],
        datetime.fromisoformat(row[6]), datetime.fromisoformat(row[7]),
    )


class Forms(Repository):
    @unit_of_work
    def conversation(self, conn: Connection, channel: str, external_id: str) -> Conversation:
        """Who is writing, and their open form if any."""
        identity = _identify(conn, channel, external_id)
        session = None
        if identity is not None:
            row = conn.execute(f"SELECT {_SESSION} FROM form_sessions WHERE person_id = ?", (identity.person.id,))
            row = row.fetchone()
            session = _session(row) if row else None
        return Conversation(identity, session)

    @unit_of_work
    def claim(self, conn: Connection, update_key: str, now: datetime) -> bool:
        """Claim an update for handling before anything answers it; False if it was claimed
        already (a redelivery, or the same update arriving twice at once)."""
        cur = conn.execute("INSERT INTO processed_updates (key, at) VALUES (?, ?) ON CONFLICT (key) DO NOTHING",
                           (update_key, iso(now)))
        return cur.rowcount == 1

    @unit_of_work
    def start(
        self, conn: Connection, person_id: int, unit_id: int, form: str, state: dict,
        now: datetime, replace: bool = False,
    ) -> FormSession:
        """Open a form for a person; with `replace`, any form they had open is dropped first."""
        if replace:
            conn.execute("DELETE FROM form_sessions WHERE person_id = ?", (person_id,))
        cur = conn.execute(
            "INSERT INTO form_sessions (person_id, unit_id, form, state, version, started_at, updated_at)"
            " VALUES (?, ?, ?, ?, 0, ?, ?) RETURNING " + _SESSION,
            (person_id, unit_id, form, json.dumps(state, ensure_ascii=False), iso(now), iso(now)),
        )
        return _session(cur.fetchone())

    @unit_of_work
    def save(self, conn: Connection, session_id: int, expected_version: int, state: dict,
             now: datetime) -> int:
        """Store the form's new state if nobody moved it meanwhile; returns the new version."""
        cur = conn.execute(
            "UPDATE form_sessions SET state = ?, version = version + 1, updated_at = ?"
            " WHERE id = ? AND version = ? RETURNING version",
            (json.dumps(state, ensure_ascii=False), iso(now), session_id, expected_version),
        )
        row = cur.fetchone()
        if row is None:
            raise Stale(session_id)
        return row[0]

    @unit_of_work
    def finish(self, conn: Connection, session_id: int, expected_version: int) -> None:
        """End the form if nobody moved it meanwhile (what it collected is written by the caller
        in the same transaction)."""
        cur = conn.execute("DELETE FROM form_sessions WHERE id = ? AND version = ?", (session_id, expected_version))
        if cur.rowcount == 0:
            raise Stale(session_id)

    @unit_of_work
    def forget_processed(self, conn: Connection, before: datetime) -> int:
        """Drop redelivery marks older than Telegram keeps updates (24 hours); returns how many."""
        return conn.execute("DELETE FROM processed_updates WHERE at < ?", (iso(before),)).rowcount

    @unit_of_work
    def drop_untouched(self, conn: Connection, before: datetime) -> list[FormSession]:
        """Remove forms nobody touched since `before`; returns them so their owners can be told."""
        rows = conn.execute(
            f"DELETE FROM form_sessions WHERE updated_at < ? RETURNING {_SESSION}", (iso(before),)
        ).fetchall()
        return [_session(r) for r in rows]
