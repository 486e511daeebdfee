"""Units of the Union as one tree (Tỉnh đoàn, Đoàn xã/phường, Đoàn cơ sở, chi đoàn, a district where
one still exists; any depth), and member counts."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime

from storage.repository import Repository, iso, unit_of_work
from storage.sql import Connection, IS_DISTINCT


# --- unit paths ---------------------------------------------------------------------------------
# A unit's path lists the ids from the root down to the unit: "/1/5/9/". Every reading and
# writing of a path is here. A path is digits and slashes, all sorting below ":", so the paths
# of a subtree are one index range.

def child_path(parent_path: str, unit_id: int) -> str:
    """The path of a unit under a parent with this path ("" for a root)."""
    return f"{parent_path or '/'}{unit_id}/"


def path_ids(path: str) -> list[int]:
    """The ids on a path, from the root down to the unit itself."""
    return [int(part) for part in path.strip("/").split("/")]


def ancestor_ids(path: str) -> list[int]:
    """The ids of the units above the one at this path, the root first."""
    return path_ids(path)[:-1]


def subtree_span(path: str) -> tuple[str, str]:
    """(low, high): the paths of the subtree at `path`, itself included, are low <= p < high."""
    return path, path + ":"


def within(path: str, root_path: str) -> bool:
    """True when the unit at `path` is the one at `root_path` or lies below it."""
    return path.startswith(root_path)


@dataclass(frozen=True)
class Unit:
    id: int
    code: str
    name: str
    level: str
    parent_id: int | None
    path: str
    border: bool
    members: int
    founded_on: date | None
    created_at: datetime
    # the level a person reads ("commune", "school": domain.rules.LEVEL_NAMES); `level` is the
    # structural one. "" only in a record built by hand: storage gives the level's own name then
    level_name: str = ""

    def contains(self, other: "Unit") -> bool:
        """True when `other` is this unit or lies below it."""
        return within(other.path, self.path)


@dataclass(frozen=True)
class UnitRow:
    """One unit as an import file describes it."""

    code: str
    name: str
    level: str
    parent_code: str | None
    border: bool
    members: int
    founded_on: date | None = None
    level_name: str = ""               # what people read; "" for the structural level's own name


@dataclass(frozen=True)
class ImportSummary:
    created: int
    updated: int
    unchanged: int


@dataclass(frozen=True)
class MemberChange:
    old_count: int
    new_count: int
    reason: str
    note: str
    changed_at: datetime
    person_name: str | None


_COLUMNS = "id, code, name, level, parent_id, path, border, members, founded_on, created_at, level_name"


def _unit(row) -> Unit:
    return Unit(
        id=row[0], code=row[1], name=row[2], level=row[3], parent_id=row[4], path=row[5],
        border=bool(row[6]), members=row[7], founded_on=date.fromisoformat(row[8]) if row[8] else None,
        created_at=datetime.fromisoformat(row[9]), level_name=row[10] or row[3],
    )


class Units(Repository):
    @unit_of_work
    def get(self, conn: Connection, unit_id: int) -> Unit | None:
        """The unit with this id, or None."""
        row = conn.execute(f"SELECT {_COLUMNS} FROM units WHERE id = ?", (unit_id,)).fetchone()
        return _unit(row) if row else None

    @unit_of_work
    def by_code(self, conn: Connection, code: str) -> Unit | None:
        """The unit with this code, or None."""
        row = conn.execute(f"SELECT {_COLUMNS} FROM units WHERE code = ?", (code,)).fetchone()
        return _unit(row) if row else None

    @unit_of_work
    def chain(self, conn: Connection, unit_id: int) -> list[Unit]:
        """The unit and its ancestors, from the root down to the unit."""
        row = conn.execute("SELECT path FROM units WHERE id = ?", (unit_id,)).fetchone()
        if not row:
            return []
        ids = path_ids(row[0])
        marks = ",".join("?" * len(ids))
        rows = conn.execute(f"SELECT {_COLUMNS} FROM units WHERE id IN ({marks})", ids).fetchall()
        by_id = {r[0]: _unit(r) for r in rows}
        return [by_id[i] for i in ids]

    @unit_of_work
    def below(self, conn: Connection, unit_id: int, level: str | None = None) -> list[Unit]:
        """Every unit under this one (not itself), optionally of one level, in tree order."""
        root = conn.execute("SELECT path FROM units WHERE id = ?", (unit_id,)).fetchone()
        if root is None:
            return []
        sql = f"SELECT {_COLUMNS} FROM units WHERE path > ? AND path < ?"       # ">": not itself
        params: list = [*subtree_span(root[0])]
        if level:
            sql += " AND level = ?"
            params.append(level)
        return [_unit(r) for r in conn.execute(sql + " ORDER BY path", params)]

    @unit_of_work
    def count_below(self, conn: Connection, unit_id: int, level: str) -> int:
        """How many units of a level lie under this one."""
        root = conn.execute("SELECT path FROM units WHERE id = ?", (unit_id,)).fetchone()
        if root is None:
            return 0
        return conn.execute(
            "SELECT COUNT(*) FROM units WHERE path > ? AND path < ? AND level = ?", (*subtree_span(root[0]), level)
        ).fetchone()[0]

    @unit_of_work
    def children(self, conn: Connection, unit_id: int) -> list[Unit]:
        """The units directly under this one, by name."""
        rows = conn.execute(f"SELECT {_COLUMNS} FROM units WHERE parent_id = ? ORDER BY name", (unit_id,))
        return [_unit(r) for r in rows]

    @unit_of_work
    def all(self, conn: Connection) -> list[Unit]:
        """Every unit, in tree order."""
        return [_unit(r) for r in conn.execute(f"SELECT {_COLUMNS} FROM units ORDER BY path")]

    @unit_of_work
    def import_rows(self, conn: Connection, rows: Sequence[UnitRow], now: datetime) -> ImportSummary:
        """Create or update units from checked rows, then recompute every path; all or nothing."""
        existing = {
            r[0]: r
            for r in conn.execute(
                "SELECT u.code, u.id, u.name, u.level, u.border, u.members, p.code, u.founded_on, u.level_name"
                " FROM units u LEFT JOIN units p ON p.id = u.parent_id"
            )
        }
        created = updated = unchanged = 0
        new = []
        for row in rows:
            old = existing.get(row.code)
            level_name = row.level_name or row.level
            if old is None:
                new.append((row.code, row.name, row.level, int(row.border), row.members, _day(row.founded_on),
                            iso(now), level_name))
                created += 1
            elif (old[2], old[3], bool(old[4]), old[5], old[6], old[7], old[8] or old[3]) == (
                row.name, row.level, row.border, row.members, row.parent_code, _day(row.founded_on), level_name
            ):
                unchanged += 1
            else:
                conn.execute(
                    "UPDATE units SET name = ?, level = ?, border = ?, members = ?, founded_on = ?, level_name = ?"
                    " WHERE id = ?",
                    (row.name, row.level, int(row.border), row.members, _day(row.founded_on), level_name, old[1]),
                )
                if old[5] != row.members:
                    _log_member_change(conn, old[1], None, old[5], row.members, "import", "", now)
                updated += 1
        # in one batch, in the file's order (so the ids are the same): a statement each is 100,000
        # round trips to PostgreSQL for a country
        conn.executemany(
            "INSERT INTO units (code, name, level, border, members, founded_on, created_at, level_name)"
            " VALUES (?, ?, ?, ?, ?, ?, ?, ?)", new)
        ids = dict(conn.execute("SELECT code, id FROM units"))
        conn.executemany(
            f"UPDATE units SET parent_id = ? WHERE code = ? AND parent_id {IS_DISTINCT[conn.dialect]} ?",
            [(ids.get(r.parent_code), r.code, ids.get(r.parent_code)) for r in rows],
        )
        _recompute_paths(conn)
        return ImportSummary(created, updated, unchanged)

    @unit_of_work
    def set_members(
        self, conn: Connection, unit_id: int, new_count: int, reason: str, note: str,
        person_id: int | None, now: datetime,
    ) -> int:
        """Change a branch's member count and keep the change in its history; returns the old count."""
        old = conn.execute("SELECT members FROM units WHERE id = ?", (unit_id,)).fetchone()[0]
        conn.execute("UPDATE units SET members = ? WHERE id = ?", (new_count, unit_id))
        _log_member_change(conn, unit_id, person_id, old, new_count, reason, note, now)
        return old

    @unit_of_work
    def member_history(self, conn: Connection, unit_id: int, since: datetime) -> list[MemberChange]:
        """The branch's member-count changes since a moment, oldest first."""
        rows = conn.execute(
            "SELECT c.old_count, c.new_count, c.reason, c.note, c.changed_at, p.display_name"
            " FROM member_changes c LEFT JOIN people p ON p.id = c.person_id"
            " WHERE c.unit_id = ? AND c.changed_at >= ? ORDER BY c.changed_at, c.id",
            (unit_id, iso(since)),
        )
        return [MemberChange(r[0], r[1], r[2], r[3], datetime.fromisoformat(r[4]), r[5]) for r in rows]


def _day(day: date | None) -> str | None:
    return day.isoformat() if day else None


def _log_member_change(conn, unit_id, person_id, old, new, reason, note, now) -> None:
    conn.execute(
        "INSERT INTO member_changes (unit_id, person_id, old_count, new_count, reason, note, changed_at)"
        " VALUES (?, ?, ?, ?, ?, ?, ?)",
        (unit_id, person_id, old, new, reason, note, iso(now)),
    )


def _recompute_paths(conn: Connection) -> None:
    rows = conn.execute("SELECT id, parent_id FROM units").fetchall()
    children: dict[int | None, list[int]] = {}
    for id_, parent in rows:
        children.setdefault(parent, []).append(id_)
    paths: list[tuple[str, int]] = []
    stack = [(root, child_path("", root)) for root in children.get(None, [])]
    while stack:
        id_, path = stack.pop()
        paths.append((path, id_))
        stack.extend((child, child_path(path, child)) for child in children.get(id_, []))
    conn.executemany(f"UPDATE units SET path = ? WHERE id = ? AND path {IS_DISTINCT[conn.dialect]} ?",
                     [(p, i, p) for p, i in paths])
