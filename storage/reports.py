"""Branch reports: meetings and 1+1/recruitment counts, with an audit trail of every change."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from storage.repository import Repository, iso, unit_of_work
from storage.sql import Connection
from storage.units import subtree_span

MEETING_FIELDS = ("held_on", "kind", "mode", "attended", "over_members", "note")
RECRUITMENT_FIELDS = ("participants", "youth_reached", "new_members", "party_introduced")


@dataclass(frozen=True)
class Meeting:
    id: int
    unit_id: int
    held_on: date
    kind: str
    mode: str
    attended: int
    members_then: int
    over_members: bool
    note: str
    created_at: datetime
    updated_at: datetime
    filed_late: bool = False           # reported after its window closed, confirmed as such


@dataclass(frozen=True)
class LateMeeting:
    """A meeting filed late, for a digest: which branch, the day it was held, when it was sent."""

    meeting_id: int
    unit_id: int
    held_on: date
    kind: str
    filed_at: datetime


@dataclass(frozen=True)
class Recruitment:
    id: int
    unit_id: int
    period: str
    participants: int
    youth_reached: int
    new_members: int
    party_introduced: int
    members_then: int
    created_at: datetime
    updated_at: datetime


@dataclass(frozen=True)
class AuditEntry:
    subject: str
    subject_id: int
    action: str
    field: str
    old_value: str | None
    new_value: str | None
    person_name: str | None
    at: datetime


_MEETING = ("id, unit_id, held_on, kind, mode, attended, members_then, over_members, note, created_at, updated_at,"
            " filed_late")
_RECRUITMENT = (
    "id, unit_id, period, participants, youth_reached, new_members, party_introduced, members_then,"
    " created_at, updated_at"
)


def _meeting(r) -> Meeting:
    return Meeting(
        r[0], r[1], date.fromisoformat(r[2]), r[3], r[4], r[5], r[6], bool(r[7]), r[8],
        datetime.fromisoformat(r[9]), datetime.fromisoformat(r[10]), bool(r[11]),
    )


def _recruitment(r) -> Recruitment:
    return Recruitment(*r[:8], datetime.fromisoformat(r[8]), datetime.fromisoformat(r[9]))


def _stored(value) -> object:
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, bool):
        return int(value)
    return value


def _audit(conn, unit_id, subject, subject_id, action, person_id, now, field="", old=None, new=None) -> None:
    conn.execute(
        "INSERT INTO audit (unit_id, subject, subject_id, action, field, old_value, new_value, person_id, at)"
        " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
        (unit_id, subject, subject_id, action, field,
         None if old is None else str(_stored(old)), None if new is None else str(_stored(new)),
         person_id, iso(now)),
    )


class Reports(Repository):
    # --- meetings -------------------------------------------------------------------------
    # The writers below are plain functions over a connection: a form calls them inside the
    # transaction that closes it (storage.forms.Forms.finish), so report and form end together.
    @unit_of_work
    def add_meeting(self, conn, unit_id: int, person_id: int, values: dict, now: datetime) -> int:
        """Record a meeting with the branch's member count of today; returns its id."""
        members = conn.execute("SELECT members FROM units WHERE id = ?", (unit_id,)).fetchone()[0]
        meeting_id = conn.execute(
            "INSERT INTO meetings (unit_id, held_on, kind, mode, attended, members_then, over_members, note,"
            " reported_by, created_at, updated_at, filed_late) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"
            " RETURNING id",
            (unit_id, _stored(values["held_on"]), values["kind"], values["mode"], values["attended"], members,
             int(bool(values.get("over_members"))), values.get("note") or "", person_id, iso(now), iso(now),
             int(bool(values.get("filed_late")))),
        ).fetchone()[0]
        _audit(conn, unit_id, "meeting", meeting_id, "create", person_id, now)
        return meeting_id

    @unit_of_work
    def get_meeting(self, conn: Connection, meeting_id: int) -> Meeting | None:
        """A meeting that was not deleted, or None."""
        row = conn.execute(f"SELECT {_MEETING} FROM meetings WHERE id = ? AND deleted_at IS NULL", (meeting_id,))
        row = row.fetchone()
        return _meeting(row) if row else None

    @unit_of_work
    def update_meeting(self, conn, meeting_id: int, person_id: int, values: dict, now: datetime) -> int:
        """Change a meeting's fields, one audit line per changed field; returns how many changed."""
        row = conn.execute(f"SELECT {_MEETING} FROM meetings WHERE id = ? AND deleted_at IS NULL", (meeting_id,))
        current = row.fetchone()
        if current is None:
            return 0
        before = _meeting(current)
        changed = 0
        for name in MEETING_FIELDS:
            if name in values and _stored(values[name]) != _stored(getattr(before, name)):
                conn.execute(f"UPDATE meetings SET {name} = ? WHERE id = ?", (_stored(values[name]), meeting_id))
                _audit(conn, before.unit_id, "meeting", meeting_id, "update", person_id, now,
                       name, getattr(before, name), values[name])
                changed += 1
        # whether it is late follows from its day (audited above), so it has no line of its own
        if "filed_late" in values and bool(values["filed_late"]) != before.filed_late:
            conn.execute("UPDATE meetings SET filed_late = ? WHERE id = ?", (int(bool(values["filed_late"])), meeting_id))
            changed += 1
        if changed:
            conn.execute("UPDATE meetings SET updated_at = ? WHERE id = ?", (iso(now), meeting_id))
        return changed

    @unit_of_work
    def delete_meeting(self, conn: Connection, meeting_id: int, person_id: int, now: datetime) -> bool:
        """Mark a meeting deleted (kept for the audit trail); False if it was gone already."""
        row = conn.execute(
            "UPDATE meetings SET deleted_at = ? WHERE id = ? AND deleted_at IS NULL RETURNING unit_id",
            (iso(now), meeting_id),
        ).fetchone()
        if row:
            _audit(conn, row[0], "meeting", meeting_id, "delete", person_id, now)
        return row is not None

    @unit_of_work
    def meetings(self, conn: Connection, unit_id: int, since: date) -> list[Meeting]:
        """A branch's meetings held since a day, newest first."""
        rows = conn.execute(
            f"SELECT {_MEETING} FROM meetings WHERE unit_id = ? AND held_on >= ? AND deleted_at IS NULL"
            " ORDER BY held_on DESC, id DESC",
            (unit_id, since.isoformat()),
        )
        return [_meeting(r) for r in rows]

    @unit_of_work
    def meetings_on(self, conn: Connection, unit_id: int, day: date, kind: str) -> list[Meeting]:
        """A branch's meetings of one kind held on one day, oldest report first."""
        rows = conn.execute(
            f"SELECT {_MEETING} FROM meetings WHERE unit_id = ? AND held_on = ? AND kind = ? AND deleted_at IS NULL"
            " ORDER BY id",
            (unit_id, day.isoformat(), kind),
        )
        return [_meeting(r) for r in rows]

    @unit_of_work
    def last_meeting(self, conn: Connection, unit_id: int, kind: str) -> Meeting | None:
        """The branch's latest meeting of one kind (the latest day, then the latest report), or None."""
        row = conn.execute(
            f"SELECT {_MEETING} FROM meetings WHERE unit_id = ? AND kind = ? AND deleted_at IS NULL"
            " ORDER BY held_on DESC, id DESC LIMIT 1",
            (unit_id, kind),
        ).fetchone()
        return _meeting(row) if row else None

    @unit_of_work
    def filed_late(self, conn: Connection, unit_id: int, since: datetime) -> list[Meeting]:
        """A branch's meetings filed late since a moment, whatever day they were held; newest first."""
        rows = conn.execute(
            f"SELECT {_MEETING} FROM meetings WHERE unit_id = ? AND filed_late = 1 AND created_at >= ?"
            " AND deleted_at IS NULL ORDER BY held_on DESC, id DESC",
            (unit_id, iso(since)),
        )
        return [_meeting(r) for r in rows]

    @unit_of_work
    def late_under(self, conn: Connection, root_id: int, start: date, end: date,
                   filed_from: datetime, filed_to: datetime) -> list[LateMeeting]:
        """The meetings filed late by the branches under a unit, held in [start, end] or filed in
        [filed_from, filed_to); by branch, then day."""
        row = conn.execute("SELECT path FROM units WHERE id = ?", (root_id,)).fetchone()
        if row is None:
            return []
        rows = conn.execute(
            "SELECT m.id, m.unit_id, m.held_on, m.kind, m.created_at FROM meetings m JOIN units u ON u.id = m.unit_id"
            " WHERE u.path >= ? AND u.path < ? AND m.filed_late = 1 AND m.deleted_at IS NULL"
            " AND ((m.held_on >= ? AND m.held_on <= ?) OR (m.created_at >= ? AND m.created_at < ?))"
            " ORDER BY u.path, m.held_on, m.id",
            (*subtree_span(row[0]), start.isoformat(), end.isoformat(), iso(filed_from), iso(filed_to)),
        )
        return [LateMeeting(r[0], r[1], date.fromisoformat(r[2]), r[3], datetime.fromisoformat(r[4])) for r in rows]

    # --- 1+1 and recruitment ---------------------------------------------------------------
    @unit_of_work
    def save_recruitment(self, conn, unit_id: int, person_id: int, values: dict, now: datetime) -> int:
        """Create the period's counts, or correct them if the branch sent that period already."""
        row = conn.execute(
            f"SELECT {_RECRUITMENT} FROM recruitment WHERE unit_id = ? AND period = ? AND deleted_at IS NULL",
            (unit_id, values["period"]),
        ).fetchone()
        if row is None:
            members = conn.execute("SELECT members FROM units WHERE id = ?", (unit_id,)).fetchone()[0]
            recruitment_id = conn.execute(
                "INSERT INTO recruitment (unit_id, period, participants, youth_reached, new_members,"
                " party_introduced, members_then, reported_by, created_at, updated_at)"
                " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id",
                (unit_id, values["period"], *(values[f] for f in RECRUITMENT_FIELDS), members, person_id,
                 iso(now), iso(now)),
            ).fetchone()[0]
            _audit(conn, unit_id, "recruitment", recruitment_id, "create", person_id, now)
            return recruitment_id
        Reports.update_recruitment.inside(self, conn, row[0], person_id, values, now)
        return row[0]

    @unit_of_work
    def update_recruitment(self, conn, recruitment_id: int, person_id: int, values: dict, now: datetime) -> int:
        """Change a period's counts, one audit line per changed number; returns how many changed."""
        row = conn.execute(
            f"SELECT {_RECRUITMENT} FROM recruitment WHERE id = ? AND deleted_at IS NULL", (recruitment_id,)
        ).fetchone()
        if row is None:
            return 0
        before = _recruitment(row)
        changed = 0
        for name in RECRUITMENT_FIELDS:
            if name in values and values[name] != getattr(before, name):
                conn.execute(f"UPDATE recruitment SET {name} = ? WHERE id = ?", (values[name], recruitment_id))
                _audit(conn, before.unit_id, "recruitment", recruitment_id, "update", person_id, now,
                       name, getattr(before, name), values[name])
                changed += 1
        if changed:
            conn.execute("UPDATE recruitment SET updated_at = ? WHERE id = ?", (iso(now), recruitment_id))
        return changed

    @unit_of_work
    def get_recruitment(self, conn: Connection, recruitment_id: int) -> Recruitment | None:
        """A 1+1 report that was not deleted, or None."""
        row = conn.execute(
            f"SELECT {_RECRUITMENT} FROM recruitment WHERE id = ? AND deleted_at IS NULL", (recruitment_id,)
        ).fetchone()
        return _recruitment(row) if row else None

    @unit_of_work
    def recruitment_for(self, conn: Connection, unit_id: int, period: str) -> Recruitment | None:
        """The branch's 1+1 report for a period, or None."""
        row = conn.execute(
            f"SELECT {_RECRUITMENT} FROM recruitment WHERE unit_id = ? AND period = ? AND deleted_at IS NULL",
            (unit_id, period),
        ).fetchone()
        return _recruitment(row) if row else None

    @unit_of_work
    def last_recruitment(self, conn: Connection, unit_id: int) -> Recruitment | None:
        """The branch's 1+1 report sent last (whatever its period), or None."""
        row = conn.execute(
            f"SELECT {_RECRUITMENT} FROM recruitment WHERE unit_id = ? AND deleted_at IS NULL"
            " ORDER BY created_at DESC, id DESC LIMIT 1",
            (unit_id,),
        ).fetchone()
        return _recruitment(row) if row else None

    @unit_of_work
    def recruitments(self, conn: Connection, unit_id: int, since: datetime) -> list[Recruitment]:
        """A branch's 1+1 reports updated since a moment, newest first."""
        rows = conn.execute(
            f"SELECT {_RECRUITMENT} FROM recruitment WHERE unit_id = ? AND updated_at >= ? AND deleted_at IS NULL"
            " ORDER BY period DESC",
            (unit_id, iso(since)),
        )
        return [_recruitment(r) for r in rows]

    @unit_of_work
    def delete_recruitment(self, conn: Connection, recruitment_id: int, person_id: int, now: datetime) -> bool:
        """Mark a 1+1 report deleted (kept for the audit trail); False if it was gone already."""
        row = conn.execute(
            "UPDATE recruitment SET deleted_at = ? WHERE id = ? AND deleted_at IS NULL RETURNING unit_id",
            (iso(now), recruitment_id),
        ).fetchone()
        if row:
            _audit(conn, row[0], "recruitment", recruitment_id, "delete", person_id, now)
        return row is not None

    # --- both -------------------------------------------------------------------------------
    @unit_of_work
    def last_report_at(self, conn: Connection, unit_id: int) -> datetime | None:
        """When the branch last sent or corrected any report."""
        row = conn.execute(
            "SELECT MAX(at) FROM audit WHERE unit_id = ?", (unit_id,)
        ).fetchone()
        return datetime.fromisoformat(row[0]) if row and row[0] else None

    @unit_of_work
    def audit_trail(self, conn: Connection, unit_id: int, subject: str, subject_id: int) -> list[AuditEntry]:
        """Every change of one report, oldest first."""
        rows = conn.execute(
            "SELECT a.subject, a.subject_id, a.action, a.field, a.old_value, a.new_value, p.display_name, a.at"
            " FROM audit a LEFT JOIN people p ON p.id = a.person_id"
            " WHERE a.unit_id = ? AND a.subject = ? AND a.subject_id = ? ORDER BY a.id",
            (unit_id, subject, subject_id),
        )
        return [AuditEntry(*r[:7], datetime.fromisoformat(r[7])) for r in rows]
