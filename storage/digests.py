"""The digest's numbers, aggregated in SQL over a subtree of units (one query per section).

Every query starts from the units under a root by `path` range and reaches the reports through
their (unit, day) indexes, so a Đoàn xã costs its own branches, never the whole province.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import NamedTuple

from storage.outbox import NewMessage, Outbox
from storage.units import _COLUMNS as UNIT_COLUMNS
from storage.units import Unit, _unit, path_ids, subtree_span
from storage.repository import Repository, iso, unit_of_work
from storage.sql import Connection

# A meeting "jumps" when its attendance is at least this many times the branch's own average
# of the previous year, and at least JUMP_GAP people above it (small branches vary a lot).
JUMP_FACTOR = 2.0
JUMP_GAP = 5
JUMP_MIN_HISTORY = 3


TreeUnit = Unit          # the digest reads units as storage.units does


@dataclass(frozen=True)
class Secretary:
    unit_id: int
    name: str
    unreachable: bool


class MonthCount(NamedTuple):
    """A branch's meetings in one month ("2026-06"); a tuple: a province's year has 50,000."""

    unit_id: int
    month: str
    meetings: int          # branch meetings
    online: int            # branch meetings online or hybrid
    attended: int          # at the branch meetings
    members_then: int      # the branch's members at each branch meeting, summed
    committee: int         # committee meetings


class PhotoCount(NamedTuple):
    """A branch's meetings of the period that have evidence photos, and their photos."""

    unit_id: int
    meetings: int
    photos: int


@dataclass(frozen=True)
class MeetingNote:
    """One meeting the district should look at, with the branch's usual attendance if known."""

    meeting_id: int
    unit_id: int
    held_on: date
    kind: str
    attended: int
    members_then: int
    average: float | None


@dataclass(frozen=True)
class OnePlusOne:
    unit_id: int
    period: str
    participants: int
    youth_reached: int
    new_members: int
    party_introduced: int
    members_then: int


@dataclass(frozen=True)
class AuditLine:
    unit_id: int
    subject: str           # meeting, recruitment
    subject_id: int
    action: str            # create, update, delete
    field: str
    old_value: str | None
    new_value: str | None
    person_name: str | None
    at: datetime
    report: str            # the meeting's day or the 1+1 period


@dataclass(frozen=True)
class DigestRows:
    """Everything a digest is computed from, read in one transaction."""

    chain: list[TreeUnit]          # the root's ancestors and the root, top first
    units: list[TreeUnit]          # the root and every unit under it, in tree order
    secretaries: list[Secretary]
    months: list[MonthCount]
    over: list[MeetingNote]
    jumps: list[MeetingNote]
    oneplusone: list[OnePlusOne]
    audit: list[AuditLine]
    confirmed: set[tuple[int, str, str]]   # (unit, calendar item, occurrence key) a unit said it sent
    photos: list[PhotoCount] = ()          # the branches with evidence photos in [start, end]


@dataclass(frozen=True)
class DigestPref:
    weekday: int
    enabled: bool


@dataclass(frozen=True)
class Officer:
    """An officer the weekly digest may go to."""

    person_id: int
    unit_id: int
    weekday: int
    enabled: bool
    last_week: str | None


_UNIT = ", ".join(f"u.{column}" for column in UNIT_COLUMNS.split(", "))


def _day(day: date) -> str:
    return day.isoformat()


class Digests(Repository):
    @unit_of_work
    def gather(
        self, conn: Connection, root_id: int, first_day: date, start: date, end: date,
        history_from: date, oneplusone_keys: Sequence[str],
    ) -> DigestRows | None:
        """The rows of a digest of `root_id` for [start, end]; month counts from `first_day`."""
        row = conn.execute("SELECT path FROM units WHERE id = ?", (root_id,)).fetchone()
        if row is None:
            return None
        span = subtree_span(row[0])
        ids = path_ids(row[0])
        marks = ",".join("?" * len(ids))
        chain_rows = {r[0]: _unit(r) for r in conn.execute(f"SELECT {_UNIT} FROM units u WHERE id IN ({marks})", ids)}
        return DigestRows(
            chain=[chain_rows[i] for i in ids],
            units=[_unit(r) for r in conn.execute(
                f"SELECT {_UNIT} FROM units u WHERE u.path >= ? AND u.path < ? ORDER BY u.path", span)],
            secretaries=_secretaries(conn, span),
            months=_months(conn, span, first_day, end),
            over=_over(conn, span, start, end),
            jumps=_jumps(conn, span, start, end, history_from),
            oneplusone=_oneplusone(conn, span, oneplusone_keys),
            audit=_audit(conn, span, start, end, oneplusone_keys),
            confirmed=_confirmed(conn, span),
            photos=_photos(conn, span, start, end),
        )

    @unit_of_work
    def pref(self, conn: Connection, person_id: int) -> DigestPref:
        """The person's weekly-digest choice (Monday, on, unless they changed it)."""
        row = conn.execute("SELECT weekday, enabled FROM digest_prefs WHERE person_id = ?", (person_id,)).fetchone()
        return DigestPref(row[0], bool(row[1])) if row else DigestPref(0, True)

    @unit_of_work
    def set_pref(self, conn: Connection, person_id: int, weekday: int, enabled: bool, now: datetime) -> None:
        """Store the person's weekly-digest day, or switch it off."""
        conn.execute(
            "INSERT INTO digest_prefs (person_id, weekday, enabled, updated_at) VALUES (?, ?, ?, ?)"
            " ON CONFLICT (person_id) DO UPDATE SET weekday = excluded.weekday, enabled = excluded.enabled,"
            " updated_at = excluded.updated_at",
            (person_id, weekday, int(enabled), iso(now)),
        )

    @unit_of_work
    def officers(self, conn: Connection) -> list[Officer]:
        """Every officer holding a role whose chat still takes messages, with their digest choice."""
        rows = conn.execute(
            "SELECT p.id, r.unit_id, COALESCE(d.weekday, 0), COALESCE(d.enabled, 1), d.last_week"
            " FROM roles r JOIN people p ON p.id = r.person_id"
            " LEFT JOIN digest_prefs d ON d.person_id = p.id"
            " WHERE r.role = 'officer' AND r.revoked_at IS NULL AND p.unreachable_at IS NULL ORDER BY p.id"
        )
        return [Officer(r[0], r[1], r[2], bool(r[3]), r[4]) for r in rows]

    @unit_of_work
    def queue_weekly(self, conn: Connection, messages: Sequence[NewMessage], week: str,
                     now: datetime) -> int:
        """Queue weekly digests in the outbox and note the week for each person, together; returns how many were new."""
        added = Outbox.enqueue.inside(None, conn, messages, now)
        conn.executemany(
            "INSERT INTO digest_prefs (person_id, last_week, updated_at) VALUES (?, ?, ?)"
            " ON CONFLICT (person_id) DO UPDATE SET last_week = excluded.last_week",
            [(m.person_id, week, iso(now)) for m in messages],
        )
        return added


def _secretaries(conn, span) -> list[Secretary]:
    rows = conn.execute(
        "SELECT u.id, p.display_name, p.unreachable_at IS NOT NULL FROM units u"
        " JOIN roles r ON r.unit_id = u.id AND r.role = 'secretary' AND r.revoked_at IS NULL"
        " JOIN people p ON p.id = r.person_id"
        " WHERE u.path >= ? AND u.path < ? AND u.level = 'branch'",
        span,
    )
    return [Secretary(r[0], r[1], bool(r[2])) for r in rows]


def _months(conn, span, first_day: date, end: date) -> list[MonthCount]:
    # one row per branch and month, both kinds of meeting in it: a province's year is 50,000 rows,
    # read as plain tuples (two thirds of the rows the grouping by kind too gave, in half the time)
    rows = conn.plain(
        "SELECT m.unit_id, substr(m.held_on, 1, 7),"
        " SUM(CASE WHEN m.kind = 'branch' THEN 1 ELSE 0 END),"
        " SUM(CASE WHEN m.kind = 'branch' AND m.mode != 'in_person' THEN 1 ELSE 0 END),"
        " SUM(CASE WHEN m.kind = 'branch' THEN m.attended ELSE 0 END),"
        " SUM(CASE WHEN m.kind = 'branch' THEN m.members_then ELSE 0 END),"
        " SUM(CASE WHEN m.kind = 'committee' THEN 1 ELSE 0 END)"
        " FROM units u JOIN meetings m ON m.unit_id = u.id AND m.deleted_at IS NULL"
        " AND m.held_on >= ? AND m.held_on <= ?"
        " WHERE u.path >= ? AND u.path < ? AND u.level = 'branch'"
        " GROUP BY m.unit_id, substr(m.held_on, 1, 7)",
        (_day(first_day), _day(end), *span),
    )
    return list(map(MonthCount._make, rows))


def _photos(conn, span, start: date, end: date) -> list[PhotoCount]:
    # photos are few beside meetings: found from the photos, not from every meeting of the period
    rows = conn.execute(
        "SELECT m.unit_id, COUNT(DISTINCT m.id), COUNT(*) FROM meeting_photos p"
        " JOIN meetings m ON m.id = p.meeting_id AND m.deleted_at IS NULL AND m.held_on >= ? AND m.held_on <= ?"
        " JOIN units u ON u.id = m.unit_id AND u.path >= ? AND u.path < ?"
        " WHERE p.meeting_id IS NOT NULL GROUP BY m.unit_id",
        (_day(start), _day(end), *span),
    )
    return [PhotoCount(r[0], r[1], r[2]) for r in rows]


def _over(conn, span, start: date, end: date) -> list[MeetingNote]:
    rows = conn.execute(
        "SELECT m.id, m.unit_id, m.held_on, m.kind, m.attended, m.members_then FROM units u"
        " JOIN meetings m ON m.unit_id = u.id AND m.deleted_at IS NULL AND m.held_on >= ? AND m.held_on <= ?"
        " WHERE u.path >= ? AND u.path < ? AND u.level = 'branch'"
        " AND (m.attended > m.members_then OR m.over_members = 1) ORDER BY u.path, m.held_on",
        (_day(start), _day(end), *span),
    )
    return [MeetingNote(r[0], r[1], date.fromisoformat(r[2]), r[3], r[4], r[5], None) for r in rows]


def _jumps(conn, span, start: date, end: date, history_from: date) -> list[MeetingNote]:
    rows = conn.execute(
        "WITH usual AS (SELECT m.unit_id, AVG(m.attended) AS average FROM units u"
        "  JOIN meetings m ON m.unit_id = u.id AND m.deleted_at IS NULL AND m.held_on >= ? AND m.held_on < ?"
        "  WHERE u.path >= ? AND u.path < ? AND u.level = 'branch' AND m.kind = 'branch'"
        "  GROUP BY m.unit_id HAVING COUNT(*) >= ?)"
        " SELECT m.id, m.unit_id, m.held_on, m.kind, m.attended, m.members_then, usual.average FROM usual"
        " JOIN meetings m ON m.unit_id = usual.unit_id AND m.deleted_at IS NULL AND m.held_on >= ? AND m.held_on <= ?"
        " WHERE m.kind = 'branch' AND m.attended >= ? * usual.average AND m.attended >= usual.average + ?"
        " ORDER BY m.unit_id, m.held_on",
        (_day(history_from), _day(start), *span, JUMP_MIN_HISTORY, _day(start), _day(end), JUMP_FACTOR, JUMP_GAP),
    )
    return [MeetingNote(r[0], r[1], date.fromisoformat(r[2]), r[3], r[4], r[5], r[6]) for r in rows]


def _oneplusone(conn, span, keys: Sequence[str]) -> list[OnePlusOne]:
    if not keys:
        return []
    marks = ",".join("?" * len(keys))
    rows = conn.execute(
        "SELECT r.unit_id, r.period, r.participants, r.youth_reached, r.new_members, r.party_introduced,"
        " r.members_then FROM units u JOIN recruitment r ON r.unit_id = u.id AND r.deleted_at IS NULL"
        f" WHERE u.path >= ? AND u.path < ? AND u.level = 'branch' AND r.period IN ({marks})",
        (*span, *keys),
    )
    return [OnePlusOne(*r) for r in rows]


def _audit(conn, span, start: date, end: date, keys: Sequence[str]) -> list[AuditLine]:
    """The whole trail of each report of the period corrected or deleted after it was sent: meetings
    held in the period (deleted ones too) and 1+1 reports of its keys.

    Corrections are few: they are found by unit through their own partial index, and only then
    joined to their reports and trails."""
    marks = ",".join("?" * len(keys)) or "NULL"
    rows = conn.execute(
        "WITH changed AS (SELECT DISTINCT x.subject, x.subject_id FROM units u"
        "  JOIN audit x ON x.unit_id = u.id AND x.action != 'create'"
        "  WHERE u.path >= ? AND u.path < ? AND u.level = 'branch'),"
        " reports AS (SELECT c.subject, c.subject_id, m.held_on AS report FROM changed c"
        "  JOIN meetings m ON m.id = c.subject_id WHERE c.subject = 'meeting' AND m.held_on >= ? AND m.held_on <= ?"
        "  UNION ALL SELECT c.subject, c.subject_id, r.period FROM changed c"
        f"  JOIN recruitment r ON r.id = c.subject_id WHERE c.subject = 'recruitment' AND r.period IN ({marks}))"
        " SELECT a.unit_id, a.subject, a.subject_id, a.action, a.field, a.old_value, a.new_value, p.display_name,"
        " a.at, reports.report FROM reports"
        " JOIN audit a ON a.subject = reports.subject AND a.subject_id = reports.subject_id"
        " LEFT JOIN people p ON p.id = a.person_id ORDER BY a.at, a.id",
        (*span, _day(start), _day(end), *keys),
    )
    return [AuditLine(*r[:8], datetime.fromisoformat(r[8]), r[9]) for r in rows]


def _confirmed(conn, span) -> set[tuple[int, str, str]]:
    # a unit confirms a handful of occurrences a year: reading all of them is cheaper than
    # listing the period's keys
    return {(r[0], r[1], r[2]) for r in conn.execute(
        "SELECT c.unit_id, c.item_id, c.occurrence FROM units u JOIN confirmations c ON c.unit_id = u.id"
        " WHERE u.path >= ? AND u.path < ?",
        span,
    )}
