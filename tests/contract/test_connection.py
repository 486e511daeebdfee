"""The connection a unit of work is handed (storage/sql.py), the same on both backends: `?`
placeholders, `%` in a LIKE pattern, rows by index and by name, rowcounts, plain tuples, numbers as
SQLite gives them. Unlike the other contract tests, these go below the repositories: they test
what the repositories stand on."""

from __future__ import annotations

import asyncio

from storage.postgres import psycopg_sql


def test_placeholders_become_psycopgs_once_and_percent_signs_are_doubled():
    sql = "SELECT '?%' || x FROM t WHERE a = ? AND b LIKE 'quota:%' AND c = \"we?ird\" AND d % 2 = ?"
    assert psycopg_sql(sql) == ("SELECT '?%%' || x FROM t WHERE a = %s AND b LIKE 'quota:%%' AND c = \"we?ird\""
                                " AND d %% 2 = %s")
    assert psycopg_sql(sql) is psycopg_sql(sql)          # translated once per statement text


async def test_the_interface_reads_and_writes_alike_on_both_backends(storage):
    def work(conn):
        assert conn.dialect in ("sqlite", "postgres")
        conn.execute("CREATE TEMPORARY TABLE scratch (id INTEGER PRIMARY KEY, name TEXT, n INTEGER)")
        many = conn.executemany("INSERT INTO scratch (id, name, n) VALUES (?, ?, ?) ON CONFLICT DO NOTHING",
                                [(1, "quota:a", 4), (2, "other", 5), (1, "again", 6), (3, "quota:b", 9)])
        row = conn.execute("SELECT id, name FROM scratch WHERE name LIKE 'quota:%' AND n > ? ORDER BY id",
                           (4,)).fetchone()
        totals = conn.execute("SELECT SUM(n), AVG(n), COUNT(*), MAX(n) FROM scratch").fetchone()
        plain = conn.plain("SELECT id, n FROM scratch ORDER BY id").fetchall()
        plain_totals = conn.plain("SELECT SUM(n), AVG(n), MAX(name), SUM(n) * 1.5 FROM scratch").fetchone()
        changed = conn.execute("UPDATE scratch SET n = n + 1 WHERE id > ?", (1,)).rowcount
        pairs = dict(conn.execute("SELECT name, n FROM scratch ORDER BY id").fetchall())
        returned = conn.execute("INSERT INTO scratch (id, name, n) VALUES (?, ?, ?) RETURNING id", (7, "x", 0))
        return (many.rowcount, (row[0], row["name"]), tuple(totals), plain, plain_totals, changed, pairs,
                returned.fetchone()[0])

    many, row, totals, plain, plain_totals, changed, pairs, returned = await storage.db.run(work)
    assert many == 3                                      # the repeated id was not inserted
    assert row == (3, "quota:b")
    assert totals == (18, 6.0, 3, 9) and type(totals[0]) is int and type(totals[1]) is float
    assert plain == [(1, 4), (2, 5), (3, 9)] and all(type(r) is tuple for r in plain)
    assert plain_totals == (18, 6.0, "quota:b", 27.0)                 # plain rows: numbers as SQLite's too
    assert [type(v) for v in plain_totals] == [int, float, str, float]
    assert changed == 2 and pairs == {"quota:a": 4, "other": 6, "quota:b": 10} and returned == 7


async def test_units_of_work_run_side_by_side_as_if_one_after_the_other(storage):
    """Read, then write what was read, from many units of work at once: none is lost (SQLite runs
    them one at a time; PostgreSQL runs them SERIALIZABLE and runs again the one it failed)."""
    def create(conn):
        conn.execute("CREATE TABLE IF NOT EXISTS counter (name TEXT PRIMARY KEY, n INTEGER NOT NULL)")
        conn.execute("INSERT INTO counter (name, n) VALUES ('x', 0)")

    def add_one(conn):
        n = conn.execute("SELECT n FROM counter WHERE name = 'x'").fetchone()[0]
        conn.execute("UPDATE counter SET n = ? WHERE name = 'x'", (n + 1,))

    await storage.db.run(create)
    await asyncio.gather(*(storage.db.run(add_one) for _ in range(20)))
    assert await storage.db.run(lambda conn: conn.execute("SELECT n FROM counter").fetchone()[0]) == 20
    await storage.db.run(lambda conn: conn.execute("DROP TABLE counter"))
