"""Why a database could not be opened, in one Vietnamese line: a file that is no SQLite database,
one SQLite may not open, or a PostgreSQL server that refused the connection (never its password).
Storage is the only code that knows sqlite3's and psycopg's errors (`Storage.open` raises
`CannotOpen`)."""

from __future__ import annotations

import re
import sqlite3
from pathlib import Path

from messages_vi import t
from storage.sql import is_postgres_url, url_passwords, url_without_password


class CannotOpen(Exception):
    """The database could not be opened; `reason` says why, `shown` names it (without a password)."""

    def __init__(self, shown: str | Path, reason: str):
        super().__init__(t("cli.db.unopened", database=shown, reason=reason))
        self.shown, self.reason = shown, reason


# SQLite's refusals to open a file, as the person reads them
_SQLITE_REASONS = {"SQLITE_CANTOPEN": "cli.db.cannot_open", "SQLITE_BUSY": "cli.db.busy",
                   "SQLITE_READONLY": "cli.os.read_only", "SQLITE_FULL": "cli.os.full"}
# What a PostgreSQL server refused at the connection, as the person setting it up reads it. libpq
# words these in English and gives them no SQLSTATE; any other refusal is shown as libpq says it.
_POSTGRES_REASONS = ((re.compile(r'database "(?P<name>[^"]+)" does not exist'), "cli.pg.no_database"),
                     (re.compile(r'authentication failed for user "(?P<user>[^"]+)"'), "cli.pg.refused_login"),
                     (re.compile(r'role "(?P<user>[^"]+)" does not exist'), "cli.pg.refused_login"))


def failure(error: BaseException, target: str | Path) -> CannotOpen | None:
    """`error`, raised opening `target`, as a CannotOpen; None for an error that is not one of
    opening a database (a bug: let it be seen as it is)."""
    shown = url_without_password(target) if isinstance(target, str) else target
    if isinstance(error, sqlite3.DatabaseError):
        if not isinstance(error, sqlite3.OperationalError):
            return CannotOpen(shown, t("cli.db.not_sqlite"))
        key = _SQLITE_REASONS.get(error.sqlite_errorname)
        return CannotOpen(shown, t(key) if key else " ".join(str(error).split()))
    if is_postgres_url(target):
        import psycopg                                  # imported only for PostgreSQL

        if isinstance(error, psycopg.OperationalError):
            return CannotOpen(shown, postgres_said(error, str(target)))
    return None


def postgres_said(error: Exception, url: str) -> str:
    """One line of what went wrong reaching PostgreSQL at `url`, never its password."""
    said = " ".join(str(error).split()).replace(url, url_without_password(url))
    for secret in url_passwords(url):
        said = said.replace(secret, "***")
    for pattern, key in _POSTGRES_REASONS:
        found = pattern.search(said)
        if found:
            return t(key, name=found.groupdict().get("name", ""), user=found.groupdict().get("user", ""))
    return said
