"""Moving a deployment from SQLite to PostgreSQL: every table of the SQLite file copied into a
PostgreSQL database (`python -m bot migrate-to-postgres`, bot/cli.py, which only prints).

The SQLite file is checked first (storage.backup.check_database: a sound database of this app)
and brought to this version's schema, as the bot would at its start; the PostgreSQL database is
migrated to the same schema (storage.schema). Then, in one PostgreSQL transaction, the tables
go over in foreign-key order (a table after those it refers to), each with its ids as they are:
the rows are streamed in with COPY into a temporary table, then upserted by primary key (a row
already there takes the SQLite file's values; none is deleted). A column that refers to its own
table (a unit's parent) is filled in a second pass, once every row of the table is there. The
migrations' triggers do not fire meanwhile (`DISABLE TRIGGER USER`; foreign keys are still
checked), and every identity sequence is moved past its table's largest id at the end.

So a second run, with the bot stopped, copies again what changed and leaves the same counts:
`copy` returns each table's rows in the file and in PostgreSQL after the copy, for the command to
print and compare. Nothing is written to PostgreSQL if anything fails.
"""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass
from pathlib import Path

import psycopg

from storage.backup import check_database
from storage.db import connect
from storage.postgres import has_nul, without_nul
from storage.schema import migrate_postgres, move_sequences

CONNECT_TIMEOUT = 10          # seconds
# What a copy can fail with besides CopyError: either database, or the disk.
FAILURES = (psycopg.Error, sqlite3.Error, OSError)


class CopyError(Exception):
    """The copy refused: `key` and `values` say why, in Vietnamese (messages_vi)."""

    def __init__(self, key: str, **values):
        super().__init__(key)
        self.key = key
        self.values = values


@dataclass(frozen=True)
class Copied:
    table: str
    source: int               # rows in the SQLite file
    target: int               # rows in PostgreSQL after the copy

    @property
    def same(self) -> bool:
        return self.source == self.target


def copy(source: Path, url: str) -> list[Copied]:
    """Copy every table of the SQLite file `source` into the PostgreSQL database at `url`; each
    table's row counts after, in the order copied. Raises CopyError, or one of FAILURES."""
    problem = check_database(source)
    if problem is not None:                    # "restore.damaged" -> "migrate.damaged"
        raise CopyError("migrate." + problem[0].partition(".")[2], path=source, **problem[1])
    lite = connect(str(source))
    try:
        with psycopg.connect(url, autocommit=True, connect_timeout=CONNECT_TIMEOUT) as raw:
            migrate_postgres(raw)
            tables = _in_order(lite)
            with raw.transaction():
                for table in tables:
                    _copy_table(lite, raw, table)
                move_sequences(raw)
            for table in tables:
                # hint bits set and the planner's statistics made now, not by autovacuum a minute
                # later: the first tick after a migration took 3.0 s instead of 1.3 without it
                raw.execute(f'VACUUM (ANALYZE) "{table}"')
            return [Copied(table, _count(lite, table), _count(raw, table)) for table in tables]
    finally:
        lite.close()


def _count(conn, table: str) -> int:
    return conn.execute(f'SELECT COUNT(*) FROM "{table}"').fetchone()[0]


def _tables(lite: sqlite3.Connection) -> list[str]:
    return [row[0] for row in lite.plain(
        "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name")]


def _references(lite: sqlite3.Connection, table: str) -> list[tuple[str, str]]:
    """(referred table, referring column) of each foreign key of `table`."""
    return [(row[2], row[3]) for row in lite.plain(f'PRAGMA foreign_key_list("{table}")')]


def _in_order(lite: sqlite3.Connection) -> list[str]:
    """Every table, each after the tables it refers to (its own references aside), by name otherwise."""
    tables = _tables(lite)
    needs = {table: {referred for referred, _ in _references(lite, table) if referred != table}
             for table in tables}
    ordered: list[str] = []
    while needs:
        ready = sorted(table for table, referred in needs.items() if not referred - set(ordered))
        if not ready:
            raise CopyError("migrate.cycle", tables=", ".join(sorted(needs)))
        for table in ready:
            ordered.append(table)
            del needs[table]
    return ordered


def _copy_table(lite: sqlite3.Connection, raw: psycopg.Connection, table: str) -> None:
    columns = [row[1] for row in lite.plain(f'PRAGMA table_info("{table}")')]
    there = {row[0] for row in raw.execute(
        "SELECT column_name FROM information_schema.columns WHERE table_schema = current_schema()"
        " AND table_name = %s", (table,))}
    missing = [column for column in columns if column not in there]
    if not there or missing:
        raise CopyError("migrate.columns_differ", table=table, columns=", ".join(missing) or table)
    keys = [row[0] for row in raw.execute(
        "SELECT a.attname FROM pg_index i JOIN pg_attribute a ON a.attrelid = i.indrelid AND a.attnum = ANY(i.indkey)"
        " WHERE i.indrelid = %s::regclass AND i.indisprimary ORDER BY array_position(i.indkey, a.attnum)",
        (f'"{table}"',))]
    own = [column for referred, column in _references(lite, table) if referred == table]
    if own and not keys:
        raise CopyError("migrate.columns_differ", table=table, columns=", ".join(own))
    names = ", ".join(f'"{column}"' for column in columns)
    incoming = f'"incoming_{table}"'
    raw.execute(f'ALTER TABLE "{table}" DISABLE TRIGGER USER')
    raw.execute(f'CREATE TEMPORARY TABLE {incoming} (LIKE "{table}") ON COMMIT DROP')
    try:
        with raw.transaction():               # a savepoint: a table refused for a NUL is copied again
            _stream(lite, raw, table, incoming, names, dropping_nul=False)
    except psycopg.DataError as error:
        if not has_nul(error):
            raise
        _stream(lite, raw, table, incoming, names, dropping_nul=True)
    chosen = ", ".join("NULL" if column in own else f'"{column}"' for column in columns)
    if keys:
        updated = [column for column in columns if column not in keys]
        action = ("UPDATE SET " + ", ".join(f'"{column}" = EXCLUDED."{column}"' for column in updated)
                  if updated else "NOTHING")
        key_list = ", ".join(f'"{key}"' for key in keys)
        raw.execute(f'INSERT INTO "{table}" ({names}) SELECT {chosen} FROM {incoming}'
                    f" ON CONFLICT ({key_list}) DO {action}")
        for column in own:
            matched = " AND ".join(f't."{key}" = i."{key}"' for key in keys)
            raw.execute(f'UPDATE "{table}" t SET "{column}" = i."{column}" FROM {incoming} i WHERE {matched}')
    elif _count(raw, table) == 0:             # no key to match rows by: copied into an empty table only
        raw.execute(f'INSERT INTO "{table}" ({names}) SELECT {chosen} FROM {incoming}')
    raw.execute(f'ALTER TABLE "{table}" ENABLE TRIGGER USER')


def _stream(lite: sqlite3.Connection, raw: psycopg.Connection, table: str, incoming: str, names: str,
            dropping_nul: bool) -> None:
    """The table's rows into `incoming`; `dropping_nul`: every text without its NUL characters,
    which SQLite stores (a person typed one) and PostgreSQL's text cannot hold."""
    with raw.cursor().copy(f"COPY {incoming} ({names}) FROM STDIN") as stream:
        for row in lite.plain(f'SELECT {names} FROM "{table}"'):
            stream.write_row(without_nul(row) if dropping_nul else row)
