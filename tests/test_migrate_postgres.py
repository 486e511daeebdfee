"""Moving to PostgreSQL, from the command line.

python -m bot migrate-to-postgres: a SQLite database with the demo province, a reminder tick's
bundles and batches, copied into a fresh PostgreSQL database of the throwaway cluster
(tests/contract/postgres.py): every table, ids kept, counts printed and equal, the same rows, a
second run leaves the same counts, and the bot runs on the copy. Then the other commands with
DATABASE_URL naming PostgreSQL: they use it, and backups point to pg_dump.
"""

from __future__ import annotations

import asyncio
import sqlite3
from datetime import datetime, timezone
from pathlib import Path

import psycopg
import pytest

from bot import app, cli, demo, settings
from domain.deadlines.calendar import load_calendar
from domain.reminders import Reminders
from messages_vi import t
from messages_vi.formatting import number
from storage import Storage
from storage import backup
from storage.outbox import NewMessage
from tests.support import TREE
from tests.contract.postgres import postgres_cluster  # noqa: F401  (a fixture)

NOW = datetime(2026, 6, 5, 2, 0, tzinfo=timezone.utc)        # 09:00 in Vietnam, a busy day of reminders
PASSWORD = "s3cret-Passw0rd"


@pytest.fixture
async def sqlite_file(tmp_path) -> Path:
    """A SQLite database as the bot leaves it: the demo province, a tick's reminders, a message."""
    path = tmp_path / "chidoan.sqlite3"
    storage = await Storage.open(path)
    try:
        await demo.ensure(storage, NOW)
        assert await Reminders(storage, load_calendar(None)).tick(NOW) > 0
        person = (await storage.people.on_channel("terminal"))[0][0]
        await storage.outbox.enqueue([NewMessage("digest:1:2026-W23", person.id, '{"text": "x"}')], NOW)
        await storage.menus.remember("zalo", "chat-1", [("Một", "one"), ("Hai", "two")], False, NOW)
    finally:
        await storage.close()
    return path


@pytest.fixture
def target(postgres_cluster) -> str:
    """A fresh, empty PostgreSQL database's URL, with a password (the cluster trusts every login)."""
    return postgres_cluster.new_database().replace("postgresql://postgres@", f"postgresql://postgres:{PASSWORD}@")


def run(capsys, *argv: str) -> tuple[int, str, str]:
    code = cli.main(["migrate-to-postgres", *argv])
    out, err = capsys.readouterr()
    return code, out, err


def tables_of(path: Path) -> dict[str, list[tuple]]:
    """Every table's rows, in primary-key (rowid) order."""
    conn = sqlite3.connect(path)
    try:
        names = [r[0] for r in conn.execute(
            "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'")]
        return {name: sorted(conn.execute(f'SELECT * FROM "{name}"').fetchall(), key=repr) for name in names}
    finally:
        conn.close()


def rows_in_postgres(url: str, table: str, columns: list[str]) -> list[tuple]:
    with psycopg.connect(url) as conn:
        names = ", ".join(f'"{c}"' for c in columns)
        return sorted((tuple(r) for r in conn.execute(f'SELECT {names} FROM "{table}"')), key=repr)


def columns_of(path: Path, table: str) -> list[str]:
    conn = sqlite3.connect(path)
    try:
        return [r[1] for r in conn.execute(f'PRAGMA table_info("{table}")')]
    finally:
        conn.close()


async def test_every_table_is_copied_with_its_ids_and_equal_counts(sqlite_file, target, capsys):
    code, out, err = run(capsys, "--from", str(sqlite_file), "--to", target)
    assert code == 0, err
    before = tables_of(sqlite_file)
    assert {"units", "people", "roles", "meetings", "outbox", "outbox_bundles", "reminder_batches"} <= before.keys()
    assert sum(len(rows) for rows in before.values()) > 300                 # a real database, not an empty one
    for table, rows in before.items():
        assert t("migrate.table", table=table, source=number(len(rows)), target=number(len(rows))) in out
        assert rows_in_postgres(target, table, columns_of(sqlite_file, table)) == rows, table
    total = sum(len(rows) for rows in before.values())
    assert t("migrate.done", tables=len(before), rows=number(total)) in out
    with psycopg.connect(target) as conn:                    # the planner knows the copied tables
        analyzed = {r[0] for r in conn.execute(
            "SELECT relname FROM pg_stat_user_tables WHERE last_analyze IS NOT NULL AND last_vacuum IS NOT NULL")}
    assert before.keys() <= analyzed
    assert PASSWORD not in out + err and "postgres:***@" in out


async def test_a_second_run_leaves_the_same_counts_and_copies_what_changed(sqlite_file, target, capsys):
    assert run(capsys, "--from", str(sqlite_file), "--to", target)[0] == 0
    storage = await Storage.open(sqlite_file)                  # the bot went on on SQLite a little
    try:
        b1 = (await storage.units.below((await storage.units.all())[0].id, "branch"))[0]
        await storage.units.set_members(b1.id, b1.members + 3, "admitted", "", None, NOW)
    finally:
        await storage.close()
    code, out, err = run(capsys, "--from", str(sqlite_file), "--to", target)
    assert code == 0, err
    for table, rows in tables_of(sqlite_file).items():
        assert t("migrate.table", table=table, source=number(len(rows)), target=number(len(rows))) in out
        assert rows_in_postgres(target, table, columns_of(sqlite_file, table)) == rows, table


async def test_the_bot_runs_on_the_copy_and_new_ids_follow_the_copied_ones(sqlite_file, target, capsys):
    assert run(capsys, "--from", str(sqlite_file), "--to", target)[0] == 0
    largest = max(r[0] for r in tables_of(sqlite_file)["invites"])
    storage = await Storage.open(target)
    try:
        assert storage.dialect == "postgres"
        units = await storage.units.all()
        assert len(units) == len(tables_of(sqlite_file)["units"])
        assert [u.path for u in units] == sorted(u.path for u in units)           # tree order, as on SQLite
        invite = await storage.invites.create("hash-new", "hint", units[-1].id, "secretary", NOW, NOW)
        assert invite == largest + 1
        assert await storage.outbox.claim("terminal", NOW, 100)                  # the copied queue goes out
    finally:
        await storage.close()


async def test_rows_only_in_postgres_are_a_mismatch_said_in_vietnamese(sqlite_file, target, capsys):
    assert run(capsys, "--from", str(sqlite_file), "--to", target)[0] == 0
    with psycopg.connect(target) as conn:
        conn.execute("INSERT INTO processed_updates (key, at) VALUES ('zalo:only-here', '2026-06-05T02:00:00+00:00')")
    code, out, err = run(capsys, "--from", str(sqlite_file), "--to", target)
    assert code == 1
    assert t("migrate.mismatch", tables="processed_updates") in err


async def test_refusals_are_one_vietnamese_line_and_write_nothing(tmp_path, target, capsys):
    code, _, err = run(capsys, "--from", str(tmp_path / "missing.sqlite3"), "--to", target)
    assert (code, err.strip()) == (1, t("cli.no_database", path=tmp_path / "missing.sqlite3"))
    assert not (tmp_path / "missing.sqlite3").exists()
    code, _, err = run(capsys, "--from", str(tmp_path / "missing.sqlite3"), "--to", "mysql://x/y")
    assert (code, err.strip()) == (2, t("migrate.needs_url"))
    not_ours = tmp_path / "notes.sqlite3"
    sqlite3.connect(not_ours).execute("CREATE TABLE notes (x)").connection.close()
    code, _, err = run(capsys, "--from", str(not_ours), "--to", target)
    assert code == 1 and err.startswith(t("migrate.not_ours", path=not_ours, tables="units")[:30])
    with psycopg.connect(target) as conn:                  # nothing was copied, not even the schema's tables
        assert conn.execute("SELECT COUNT(*) FROM pg_tables WHERE schemaname = 'public'").fetchone()[0] == 0


async def test_an_unreachable_server_is_said_without_the_password(sqlite_file, tmp_path, capsys):
    url = f"postgresql://postgres:{PASSWORD}@/nowhere?host={tmp_path}"
    code, _, err = run(capsys, "--from", str(sqlite_file), "--to", url)
    assert code == 1 and len(err.strip().splitlines()) == 1
    assert err.startswith(t("migrate.failed", error="").partition(":")[0]) and str(tmp_path) in err
    assert PASSWORD not in err


# --- the other commands, with DATABASE_URL naming PostgreSQL ------------------------------------------

@pytest.fixture
def on_postgres(tmp_path, monkeypatch, target) -> str:
    """The officer's shell with DATABASE_URL set to a fresh PostgreSQL database (and a SQLite path
    that must stay untouched)."""
    monkeypatch.chdir(tmp_path)
    monkeypatch.setattr(settings, "ENV_FILE", tmp_path / ".env")
    monkeypatch.setenv("DATA_DIR", str(tmp_path / "data"))
    monkeypatch.setenv("DATABASE_PATH", str(tmp_path / "unused.sqlite3"))
    monkeypatch.setenv("DATABASE_URL", target)
    monkeypatch.setenv("TELEGRAM_BOT_USERNAME", "chidoan_bot")
    monkeypatch.delenv("TELEGRAM_BOT_TOKEN", raising=False)
    return target


def test_units_and_invites_go_to_postgresql(on_postgres, tmp_path, capsys):
    units = tmp_path / "units.csv"
    units.write_text(TREE, encoding="utf-8")
    assert cli.main(["units", "import", str(units)]) == 0
    assert cli.main(["invites", "create", "--unit", "B1"]) == 0
    out, err = capsys.readouterr()
    assert "11 đơn vị mới" in out and "t.me/chidoan_bot?start=" in out and err == ""
    assert PASSWORD not in out

    async def read():
        storage = await Storage.open(on_postgres)
        try:
            return len(await storage.units.all())
        finally:
            await storage.close()

    assert asyncio.run(read()) == 11
    assert not (tmp_path / "unused.sqlite3").exists()


def test_backup_and_restore_point_to_pg_dump_and_pg_restore(on_postgres, tmp_path, capsys):
    shown = on_postgres.replace(f":{PASSWORD}@", ":***@")
    assert cli.main(["backup"]) == 1
    assert capsys.readouterr().err.strip() == t("backup.postgres", database=shown)
    assert cli.main(["restore", str(tmp_path / "chidoan-20260605T020000Z.sqlite3")]) == 1
    assert capsys.readouterr().err.strip() == t("restore.postgres", database=shown)
    assert not (tmp_path / "data" / "backups").exists()


async def test_the_nightly_backup_is_skipped_on_postgresql_with_one_log_line(target, tmp_path, caplog):
    services = await app.open_services(target)
    try:
        nightly = backup.nightly(tmp_path / "backups", 14)
        caplog.set_level("INFO", logger="storage.backup")
        assert await nightly(services, NOW) == 0
        assert await nightly(services, NOW.replace(day=6)) == 0
    finally:
        await app.close_services(services)
    assert not (tmp_path / "backups").exists()
    said = [r.getMessage() for r in caplog.records if r.name == "storage.backup"]
    assert len(said) == 1 and "pg_dump" in said[0]
