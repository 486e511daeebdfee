"""People who talk to the bot, the role each holds in a unit, and the invite codes that grant roles."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from storage.repository import Repository, iso, unit_of_work
from storage.sql import Connection
from storage.units import _COLUMNS as UNIT_COLUMNS
from storage.units import Unit, Units, _unit, subtree_span


@dataclass(frozen=True)
class Person:
    id: int
    channel: str
    external_id: str
    chat_id: str
    display_name: str
    unreachable: bool


@dataclass(frozen=True)
class Identity:
    """Who is asking: the person and the role they hold now, if any."""

    person: Person
    role: str | None          # secretary, deputy, officer
    role_id: int | None
    unit: Unit | None

    @property
    def is_officer(self) -> bool:
        return self.role == "officer"


@dataclass(frozen=True)
class Member:
    """A person holding a role in a unit, as the unit's card lists them."""

    role_id: int
    person_id: int
    role: str
    display_name: str
    granted_at: datetime
    unreachable: bool


@dataclass(frozen=True)
class Redeemed:
    """What happened to an invite code: joined, again (already theirs), unknown, used, revoked, expired,
    other_bot (typed to a bot that does not answer its unit's codes)."""

    status: str
    role: str | None = None
    unit: Unit | None = None
    previous_unit: Unit | None = None


_PERSON = "p.id, p.channel, p.external_id, p.chat_id, p.display_name, p.unreachable_at IS NOT NULL"


def _person(row) -> Person:
    return Person(row[0], row[1], row[2], row[3], row[4], bool(row[5]))


_UNIT_OF_ROLE = ", ".join(f"u.{column.strip()}" for column in UNIT_COLUMNS.split(","))


def _identify(conn: Connection, channel: str, external_id: str) -> Identity | None:
    # One statement: every message starts here.
    row = conn.execute(
        f"SELECT {_PERSON}, r.role, r.id, {_UNIT_OF_ROLE} FROM people p"
        " LEFT JOIN roles r ON r.person_id = p.id AND r.revoked_at IS NULL"
        " LEFT JOIN units u ON u.id = r.unit_id"
        " WHERE p.channel = ? AND p.external_id = ?",
        (channel, external_id),
    ).fetchone()
    if row is None:
        return None
    unit = _unit(row[8:]) if row[8] is not None else None
    return Identity(_person(row), row[6], row[7], unit)


def _end_role(conn: Connection, role_id: int, role: str | None, unit_id: int | None, now: datetime,
              by_person_id: int | None) -> None:
    """End a role; when it was a unit's secretary, its longest-serving deputy takes over."""
    conn.execute("UPDATE roles SET revoked_at = ?, revoked_by = ? WHERE id = ?", (iso(now), by_person_id, role_id))
    if role == "secretary":
        conn.execute(
            "UPDATE roles SET role = 'secretary' WHERE id = (SELECT id FROM roles WHERE unit_id = ?"
            " AND role = 'deputy' AND revoked_at IS NULL ORDER BY granted_at, id LIMIT 1)",
            (unit_id,),
        )


class People(Repository):
    @unit_of_work
    def identify(self, conn: Connection, channel: str, external_id: str) -> Identity | None:
        """The person behind a channel's user id and their current role, or None for a stranger."""
        return _identify(conn, channel, external_id)

    @unit_of_work
    def get(self, conn: Connection, person_id: int) -> Person | None:
        """The person with this id."""
        row = conn.execute(f"SELECT {_PERSON} FROM people p WHERE p.id = ?", (person_id,)).fetchone()
        return _person(row) if row else None

    @unit_of_work
    def on_channel(self, conn: Connection, channel: str) -> list[tuple[Person, str | None, str | None]]:
        """Everyone known on a channel, with their role and unit name (the terminal's who-is-who)."""
        rows = conn.execute(
            f"SELECT {_PERSON}, r.role, u.name FROM people p"
            " LEFT JOIN roles r ON r.person_id = p.id AND r.revoked_at IS NULL"
            " LEFT JOIN units u ON u.id = r.unit_id WHERE p.channel = ? ORDER BY p.id",
            (channel,),
        )
        return [(_person(r), r[6], r[7]) for r in rows]

    @unit_of_work
    def members_of(self, conn: Connection, unit_id: int) -> list[Member]:
        """Who holds a role in this unit now: secretary first, then deputies, then officers."""
        rows = conn.execute(
            "SELECT r.id, p.id, r.role, p.display_name, r.granted_at, p.unreachable_at IS NOT NULL"
            " FROM roles r JOIN people p ON p.id = r.person_id"
            " WHERE r.unit_id = ? AND r.revoked_at IS NULL"
            " ORDER BY CASE r.role WHEN 'secretary' THEN 0 WHEN 'deputy' THEN 1 ELSE 2 END, r.granted_at",
            (unit_id,),
        )
        return [Member(r[0], r[1], r[2], r[3], datetime.fromisoformat(r[4]), bool(r[5])) for r in rows]

    @unit_of_work
    def role(self, conn: Connection, role_id: int) -> tuple[Member, int] | None:
        """A role still held, and the id of its unit."""
        row = conn.execute(
            "SELECT r.id, p.id, r.role, p.display_name, r.granted_at, p.unreachable_at IS NOT NULL, r.unit_id"
            " FROM roles r JOIN people p ON p.id = r.person_id WHERE r.id = ? AND r.revoked_at IS NULL",
            (role_id,),
        ).fetchone()
        if row is None:
            return None
        return Member(row[0], row[1], row[2], row[3], datetime.fromisoformat(row[4]), bool(row[5])), row[6]

    @unit_of_work
    def remove_role(self, conn: Connection, role_id: int, by_person_id: int, now: datetime) -> Member | None:
        """End a role; when a secretary leaves, the longest-serving deputy takes over. Returns who left."""
        found = People.role.inside(self, conn, role_id)
        if found is None:
            return None
        member, unit_id = found
        _end_role(conn, role_id, member.role, unit_id, now, by_person_id)
        return member

    @unit_of_work
    def set_unreachable(self, conn: Connection, person_id: int, now: datetime | None) -> bool:
        """Mark (or, with None, clear) that the person's chat refuses the bot; True if it changed."""
        cur = conn.execute(
            "UPDATE people SET unreachable_at = ? WHERE id = ? AND (unreachable_at IS NULL) = ?",
            (iso(now) if now else None, person_id, now is not None),
        )
        return cur.rowcount > 0

    @unit_of_work
    def touch(self, conn: Connection, person_id: int, chat_id: str, display_name: str) -> None:
        """Remember the chat and name a person last wrote from; they can write again after a block."""
        conn.execute(
            "UPDATE people SET chat_id = ?, display_name = ?, unreachable_at = NULL WHERE id = ?"
            " AND (chat_id != ? OR display_name != ? OR unreachable_at IS NOT NULL)",
            (chat_id, display_name, person_id, chat_id, display_name),
        )


@dataclass(frozen=True)
class PendingInvite:
    """A code that can still be used, as the office lists it: never the code, only its first letters."""

    id: int
    hint: str
    unit_code: str
    unit_name: str
    role: str
    created_at: datetime
    expires_at: datetime


class Invites(Repository):
    @unit_of_work
    def pending(self, conn: Connection, unit_path: str, now: datetime) -> list[PendingInvite]:
        """The codes of a unit and of every unit under it still good (unused, unrevoked, unexpired), oldest first."""
        low, high = subtree_span(unit_path)
        rows = conn.execute(
            "SELECT i.id, i.hint, u.code, u.name, i.role, i.created_at, i.expires_at FROM invites i"
            " JOIN units u ON u.id = i.unit_id WHERE u.path >= ? AND u.path < ? AND i.used_at IS NULL"
            " AND i.revoked_at IS NULL AND i.expires_at > ? ORDER BY i.created_at, i.id",
            (low, high, iso(now)),
        )
        return [PendingInvite(r[0], r[1], r[2], r[3], r[4], datetime.fromisoformat(r[5]), datetime.fromisoformat(r[6]))
                for r in rows]

    @unit_of_work
    def revoke_id(self, conn: Connection, invite_id: int, now: datetime) -> str:
        """Revoke an unused code by its id (from `pending`): revoked, unknown, used or already_revoked."""
        row = conn.execute("SELECT code_hash FROM invites WHERE id = ?", (invite_id,)).fetchone()
        return "unknown" if row is None else Invites.revoke.inside(self, conn, row[0], now)

    @unit_of_work
    def create(
        self, conn: Connection, code_hash: str, hint: str, unit_id: int, role: str,
        now: datetime, expires_at: datetime,
    ) -> int:
        """Store a new invite (its hash only); returns its id."""
        return conn.execute(
            "INSERT INTO invites (code_hash, hint, unit_id, role, created_at, expires_at) VALUES (?, ?, ?, ?, ?, ?)"
            " RETURNING id",
            (code_hash, hint, unit_id, role, iso(now), iso(expires_at)),
        ).fetchone()[0]

    @unit_of_work
    def revoke(self, conn: Connection, code_hash: str, now: datetime) -> str:
        """Revoke an unused code: returns revoked, unknown, used or already_revoked."""
        row = conn.execute("SELECT id, used_at, revoked_at FROM invites WHERE code_hash = ?", (code_hash,)).fetchone()
        if row is None:
            return "unknown"
        if row[2]:
            return "already_revoked"
        if row[1]:
            return "used"
        conn.execute("UPDATE invites SET revoked_at = ? WHERE id = ?", (iso(now), row[0]))
        return "revoked"

    @unit_of_work
    def redeem(
        self, conn: Connection, code_hash: str, channel: str, external_id: str, chat_id: str,
        display_name: str, now: datetime, takes: Callable[[list[str]], bool] | None = None,
    ) -> Redeemed:
        """Use a code: the person takes its role (a second secretary becomes deputy), all in one step.

        `takes`: whether the bot it was typed to answers codes of the code's unit, given the unit's
        codes from the root down (several bots of one messenger); if not, nothing is used or told:
        `other_bot`, answered as an unknown code."""
        row = conn.execute(
            "SELECT id, unit_id, role, expires_at, used_at, revoked_at FROM invites WHERE code_hash = ?",
            (code_hash,),
        ).fetchone()
        if row is None:
            return Redeemed("unknown")
        invite_id, unit_id, role, expires_at, used_at, revoked_at = row
        if takes is not None and not takes([unit.code for unit in Units.chain.inside(self, conn, unit_id)]):
            return Redeemed("other_bot")
        if revoked_at:
            return Redeemed("revoked")
        if used_at:
            again = _identify(conn, channel, external_id)
            if again and again.role_id and again.unit and again.unit.id == unit_id:
                # the same person tapping their link again (or Telegram redelivering /start)
                return Redeemed("again", again.role, again.unit)
            return Redeemed("used")
        if expires_at <= iso(now):
            return Redeemed("expired")
        conn.execute(
            "INSERT INTO people (channel, external_id, chat_id, display_name, created_at) VALUES (?, ?, ?, ?, ?)"
            " ON CONFLICT (channel, external_id) DO UPDATE SET chat_id = excluded.chat_id,"
            " display_name = excluded.display_name, unreachable_at = NULL",
            (channel, external_id, chat_id, display_name, iso(now)),
        )
        person_id = conn.execute(
            "SELECT id FROM people WHERE channel = ? AND external_id = ?", (channel, external_id)
        ).fetchone()[0]
        previous = _identify(conn, channel, external_id)
        if previous and previous.role_id:
            # a secretary moving to another unit hands the old one to its deputy, as on removal
            moving = previous.unit is not None and previous.unit.id != unit_id
            _end_role(conn, previous.role_id, previous.role if moving else None, previous.unit.id if previous.unit else None,
                      now, None)
        if role == "secretary":
            taken = conn.execute(
                "SELECT 1 FROM roles WHERE unit_id = ? AND role = 'secretary' AND revoked_at IS NULL", (unit_id,)
            ).fetchone()
            role = "deputy" if taken else "secretary"
        conn.execute(
            "INSERT INTO roles (person_id, unit_id, role, invite_id, granted_at) VALUES (?, ?, ?, ?, ?)",
            (person_id, unit_id, role, invite_id, iso(now)),
        )
        conn.execute("UPDATE invites SET used_at = ?, used_by = ? WHERE id = ?", (iso(now), person_id, invite_id))
        unit = _unit(conn.execute(f"SELECT {UNIT_COLUMNS} FROM units WHERE id = ?", (unit_id,)).fetchone())
        return Redeemed("joined", role, unit, previous.unit if previous else None)
