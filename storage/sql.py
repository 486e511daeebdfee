"""The connection every repository function is handed, one small interface for both backends.

A unit of work `fn(self, conn, ...)` may use, and only use:

- `conn.execute(sql, params=())` and `conn.executemany(sql, rows)`: a cursor with `fetchone()`,
  `fetchall()`, iteration and `rowcount` (an `executemany`'s rowcount is the sum over its rows);
- rows readable by index (`row[0]`, unpacking, `dict(rows)` of pairs) and by column name
  (`row["id"]`);
- `conn.plain(sql, params=())`: the same query's rows as plain tuples, where a tick reads 100,000
  of them and a row object each would cost;
- `conn.dialect`: "sqlite" or "postgres", for the few statements written twice (`per_dialect` below).

SQL is written once, SQLite's way of binding: `?` placeholders (the PostgreSQL connection turns
them into psycopg's `%s` once per statement text, `%` in a LIKE pattern included), `INSERT ... ON
CONFLICT ... DO NOTHING/DO UPDATE`, `RETURNING id`, booleans as INTEGER 0/1 compared with `= 1`,
no SQLite date or JSON functions. Where a portable statement would be slower on SQLite (reading
JSON, a bulk insert from one bound value), the statement is written per dialect with `per_dialect`
below, here in storage/ and never outside it.
"""

from __future__ import annotations

import re
import sqlite3
from collections.abc import Iterable, Mapping, Sequence
from typing import Any, Protocol
from urllib.parse import unquote

SQLITE = "sqlite"
POSTGRES = "postgres"
DIALECTS = (SQLITE, POSTGRES)


class Cursor(Protocol):
    rowcount: int

    def fetchone(self) -> Any: ...

    def fetchall(self) -> list: ...

    def __iter__(self): ...


class Connection(Protocol):
    """What a unit of work may do with its connection (see the module's docstring)."""

    dialect: str

    def execute(self, sql: str, params: Sequence[Any] = ()) -> Cursor: ...

    def executemany(self, sql: str, rows: Iterable[Sequence[Any]]) -> Cursor: ...

    def plain(self, sql: str, params: Sequence[Any] = ()) -> Iterable[tuple]: ...


class SQLiteConnection(sqlite3.Connection):
    """sqlite3's own connection with the two additions of the interface: `execute` and
    `executemany` stay sqlite3's, in C, so the interface costs SQLite nothing per statement."""

    dialect = SQLITE

    def plain(self, sql: str, params: Sequence[Any] = ()) -> sqlite3.Cursor:
        cursor = self.cursor()
        cursor.row_factory = None              # plain tuples: 100,000 rows of sqlite3.Row cost
        return cursor.execute(sql, params)


def is_postgres_url(target: object) -> bool:
    """Whether `target` names a PostgreSQL database (postgresql:// or postgres://), not a file."""
    return isinstance(target, str) and target.startswith(("postgresql://", "postgres://"))


_URL_PASSWORD = re.compile(r"^(?P<head>(?:[A-Za-z][A-Za-z0-9+.-]*://)?[^/@:?#]*:)(?P<password>[^/?#]*)@")
_QUERY_PASSWORD = re.compile(r"(?P<head>[?&]password=)(?P<password>[^&#]*)")


def url_passwords(url: str) -> list[str]:
    """The password in a database URL (after the user, or as ?password=), as written and decoded:
    what must never reach a log line."""
    found = [m["password"] for m in (_URL_PASSWORD.match(url), *_QUERY_PASSWORD.finditer(url)) if m and m["password"]]
    return list(dict.fromkeys(part for password in found for part in (password, unquote(password))))


def url_without_password(url: str) -> str:
    """A database URL as it may be shown: its password, if any, replaced by ***."""
    url = _URL_PASSWORD.sub(lambda m: f"{m['head']}***@" if m["password"] else m[0], url)
    return _QUERY_PASSWORD.sub(lambda m: f"{m['head']}***", url)


def per_dialect(**statements: str) -> Mapping[str, str]:
    """One statement written per dialect, looked up as `STATEMENT[conn.dialect]`:
    `per_dialect(sqlite="... json_each(?)", postgres="... unnest(?)")`."""
    if set(statements) != set(DIALECTS):
        raise ValueError(f"a statement per dialect is needed: {DIALECTS}, got {sorted(statements)}")
    return dict(statements)


# `a IS NOT b` with b a bound value: SQLite before 3.39 has no IS DISTINCT FROM, PostgreSQL has
# no IS NOT but before NULL
IS_DISTINCT = per_dialect(sqlite="IS NOT", postgres="IS DISTINCT FROM")
