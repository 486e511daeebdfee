"""Evidence photos (ảnh minh chứng) of meetings: which meeting each image belongs to, where its
file is (relative to the photos folder, DATA_DIR/photos), its size and when it came.

A photo sent while the meeting form is open waits on that form (`session_id`) and is given to the
meeting the form saves (`link`, in the transaction that saves it); one sent right after a save
goes to the meeting saved (`recent_meeting`). The files themselves are written and removed by
handlers.photos; nothing here touches a file.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime

from storage.repository import Repository, iso, unit_of_work
from storage.sql import Connection, IS_DISTINCT
from storage.units import subtree_span


@dataclass(frozen=True)
class StoredPhoto:
    id: int
    unit_id: int
    person_id: int
    meeting_id: int | None          # None while it waits on an open form
    session_id: int | None          # the open form it waits on
    path: str                       # relative to the photos folder
    size: int                       # bytes
    received_at: datetime


@dataclass(frozen=True)
class Added:
    """What became of a photo offered to a meeting or a form."""

    status: str                     # added; full (the limit was reached); gone (no such meeting or form)
    count: int                      # the photos of that meeting, or waiting on that form, now


@dataclass(frozen=True)
class MeetingPhotos:
    """One meeting of a digest's period, with how many evidence photos it has."""

    meeting_id: int
    unit_id: int
    held_on: date
    kind: str
    mode: str
    attended: int
    photos: int


_PHOTO = "id, unit_id, person_id, meeting_id, session_id, path, size, received_at"


def _photo(r) -> StoredPhoto:
    return StoredPhoto(*r[:7], datetime.fromisoformat(r[7]))


def _of_meeting(conn: Connection, meeting_id: int) -> int:
    return conn.execute("SELECT COUNT(*) FROM meeting_photos WHERE meeting_id = ?", (meeting_id,)).fetchone()[0]


class Photos(Repository):
    @unit_of_work
    def add(self, conn: Connection, unit_id: int, person_id: int, path: str, size: int, now: datetime,
            *, meeting_id: int | None = None, session_id: int | None = None, corrects: int | None = None,
            limit: int = 10) -> Added:
        """Record a photo of a saved meeting (`meeting_id`), or one waiting on the person's open
        form (`session_id`; `corrects`: the saved meeting that form corrects, whose photos count
        too), unless that makes more than `limit`. "gone": the meeting was deleted, or the form
        is no longer that person's open form."""
        if (meeting_id is None) == (session_id is None):
            raise ValueError("a photo belongs to a meeting or waits on a form, one of the two")
        if meeting_id is not None:
            alive = conn.execute("SELECT 1 FROM meetings WHERE id = ? AND deleted_at IS NULL", (meeting_id,))
            if alive.fetchone() is None:
                return Added("gone", 0)
            count = _of_meeting(conn, meeting_id)
        else:
            if conn.execute("SELECT 1 FROM form_sessions WHERE id = ? AND person_id = ?",
                            (session_id, person_id)).fetchone() is None:
                return Added("gone", 0)
            count = conn.execute("SELECT COUNT(*) FROM meeting_photos WHERE session_id = ? AND meeting_id IS NULL",
                                 (session_id,)).fetchone()[0]
            if corrects is not None:
                count += _of_meeting(conn, corrects)
        if count >= limit:
            return Added("full", count)
        conn.execute(
            "INSERT INTO meeting_photos (unit_id, person_id, meeting_id, session_id, path, size, received_at)"
            " VALUES (?, ?, ?, ?, ?, ?, ?)",
            (unit_id, person_id, meeting_id, session_id, path, size, iso(now)),
        )
        return Added("added", count + 1)

    @unit_of_work
    def waiting(self, conn: Connection, session_id: int) -> list[StoredPhoto]:
        """The photos waiting on an open form, oldest first."""
        rows = conn.execute(f"SELECT {_PHOTO} FROM meeting_photos WHERE session_id = ? AND meeting_id IS NULL"
                            " ORDER BY id", (session_id,))
        return [_photo(r) for r in rows]

    @unit_of_work
    def of_meeting(self, conn: Connection, meeting_id: int) -> list[StoredPhoto]:
        """A meeting's photos, oldest first."""
        rows = conn.execute(f"SELECT {_PHOTO} FROM meeting_photos WHERE meeting_id = ? ORDER BY id", (meeting_id,))
        return [_photo(r) for r in rows]

    @unit_of_work
    def counts(self, conn: Connection, meeting_ids: Iterable[int]) -> dict[int, int]:
        """{meeting id: photos} for the meetings given that have any."""
        ids = sorted(set(meeting_ids))
        found: dict[int, int] = {}
        for start in range(0, len(ids), 500):           # under SQLite's limit of bound values
            part = ids[start:start + 500]
            rows = conn.execute(
                f"SELECT meeting_id, COUNT(*) FROM meeting_photos WHERE meeting_id IN ({','.join('?' * len(part))})"
                " GROUP BY meeting_id", part)
            found.update((r[0], r[1]) for r in rows)
        return found

    @unit_of_work
    def link(self, conn: Connection, session_id: int, meeting_id: int, person_id: int, now: datetime) -> int:
        """A meeting form saved: the photos waiting on it go to the meeting it saved, and the
        person's photos of the next minutes go there too (`recent_meeting`). Returns how many
        photos were waiting."""
        moved = conn.execute(
            "UPDATE meeting_photos SET meeting_id = ?, session_id = NULL WHERE session_id = ? AND meeting_id IS NULL",
            (meeting_id, session_id)).rowcount
        conn.execute(
            "INSERT INTO photo_windows (person_id, meeting_id, saved_at) VALUES (?, ?, ?)"
            " ON CONFLICT (person_id) DO UPDATE SET meeting_id = excluded.meeting_id, saved_at = excluded.saved_at",
            (person_id, meeting_id, iso(now)))
        return moved

    @unit_of_work
    def recent_meeting(self, conn: Connection, person_id: int, since: datetime) -> int | None:
        """The meeting the person saved last, if saved at `since` or later and not deleted."""
        row = conn.execute(
            "SELECT w.meeting_id FROM photo_windows w JOIN meetings m ON m.id = w.meeting_id"
            " WHERE w.person_id = ? AND w.saved_at >= ? AND m.deleted_at IS NULL",
            (person_id, iso(since))).fetchone()
        return row[0] if row else None

    @unit_of_work
    def last_meeting_by(self, conn: Connection, person_id: int) -> int | None:
        """The newest meeting the person reported (not deleted): inside the transaction that saved
        a new meeting, that one."""
        row = conn.execute(
            "SELECT id FROM meetings WHERE reported_by = ? AND deleted_at IS NULL ORDER BY id DESC LIMIT 1",
            (person_id,)).fetchone()
        return row[0] if row else None

    @unit_of_work
    def discard_waiting(self, conn: Connection, person_id: int, keep: int | None = None) -> list[str]:
        """Forget the person's photos waiting on forms that ended unsaved (all but the form `keep`);
        returns their paths, for the files to be removed."""
        rows = conn.execute(
            "DELETE FROM meeting_photos WHERE person_id = ? AND meeting_id IS NULL"
            f" AND session_id {IS_DISTINCT[conn.dialect]} ? RETURNING path", (person_id, keep)).fetchall()
        return sorted(r[0] for r in rows)

    @unit_of_work
    def meetings_under(self, conn: Connection, root_id: int, start: date, end: date) -> list[MeetingPhotos]:
        """Every meeting held in [start, end] by the units under a unit (itself included), with its
        photo count (0 for none); by unit, then day."""
        row = conn.execute("SELECT path FROM units WHERE id = ?", (root_id,)).fetchone()
        if row is None:
            return []
        rows = conn.execute(
            "SELECT m.id, m.unit_id, m.held_on, m.kind, m.mode, m.attended,"
            " (SELECT COUNT(*) FROM meeting_photos p WHERE p.meeting_id = m.id)"
            " FROM meetings m JOIN units u ON u.id = m.unit_id"
            " WHERE u.path >= ? AND u.path < ? AND m.held_on >= ? AND m.held_on <= ? AND m.deleted_at IS NULL"
            " ORDER BY u.path, m.held_on, m.id",
            (*subtree_span(row[0]), start.isoformat(), end.isoformat()))
        return [MeetingPhotos(r[0], r[1], date.fromisoformat(r[2]), r[3], r[4], r[5], r[6]) for r in rows]
