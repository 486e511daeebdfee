"""Backups (storage/backup.py): taken while the bot writes, kept N deep, once a night by the running bot,
restored only from a sound database of this app, only with the bot stopped, the old one kept."""

from __future__ import annotations

import asyncio
import contextlib
import os
import sqlite3
import subprocess
import sys
import time
from datetime import date, datetime, timedelta, timezone
from pathlib import Path

import pytest

from bot import app
from storage import backup
from messages_vi import t
from tests.support import Clock, joined

ROOT = Path(__file__).parent.parent
MEETING = {"held_on": date(2026, 11, 20), "kind": "branch", "mode": "in_person", "attended": 12}


async def secretary_of_b1(services) -> tuple[int, int]:
    await joined(services, "s1", "B1")
    conversation = await services.storage.forms.conversation("terminal", "s1")
    return conversation.identity.person.id, (await services.storage.units.by_code("B1")).id


def rows(database: Path, sql: str) -> list[tuple]:
    with contextlib.closing(sqlite3.connect(database)) as conn:
        return conn.execute(sql).fetchall()


async def test_a_backup_during_a_burst_of_writes_restores_to_every_report_committed_before_it(services, tmp_path):
    person_id, unit_id = await secretary_of_b1(services)
    committed: list[tuple[int, float]] = []          # (meeting id, when its commit returned)
    writing = True

    async def writer(n: int) -> None:
        attended = 0
        while writing:
            attended += 1
            meeting_id = await services.storage.reports.add_meeting(
                unit_id, person_id, {**MEETING, "attended": attended, "note": f"w{n}"}, services.clock())
            committed.append((meeting_id, time.monotonic()))

    writers = [asyncio.create_task(writer(n)) for n in range(4)]
    await asyncio.sleep(0.3)                         # the burst is under way
    began = time.monotonic()
    before = {meeting_id for meeting_id, at in committed if at <= began}
    path = await backup.take(services.storage, tmp_path / "backups", 14, services.clock())
    await asyncio.sleep(0.2)                         # and goes on after it
    writing = False
    await asyncio.gather(*writers)
    assert len(before) > 50 and len(committed) > len(before)

    restored = tmp_path / "restored.sqlite3"
    assert backup.restore(path, restored, services.clock()) is None
    assert rows(restored, "PRAGMA integrity_check") == [("ok",)]
    kept = {r[0] for r in rows(restored, "SELECT id FROM meetings")}
    assert before <= kept <= {meeting_id for meeting_id, _ in committed}
    # each report and its audit line were one transaction: the copy has both or neither
    audited = {r[0] for r in rows(restored, "SELECT subject_id FROM audit WHERE subject = 'meeting'")}
    assert audited == kept
    # and the bot opens it as its database
    reopened = await app.open_services(restored)
    try:
        assert len(await reopened.storage.units.all()) == 11
    finally:
        await app.close_services(reopened)


async def test_a_backup_is_one_private_file_and_only_the_newest_are_kept(services, tmp_path):
    folder = tmp_path / "backups"
    clock = Clock(datetime(2026, 11, 23, 19, 0, tzinfo=timezone.utc))
    made = []
    for _ in range(4):
        made.append(await backup.take(services.storage, folder, 2, clock()))
        clock.advance(days=1)
    assert [p.name for p in backup.backups(folder)] == [p.name for p in made[-2:]]
    assert made[-1].name == "chidoan-20261126T190000Z.sqlite3"
    assert os.stat(made[-1]).st_mode & 0o777 == 0o600
    assert not Path(f"{made[-1]}-wal").exists() and rows(made[-1], "PRAGMA journal_mode") == [("delete",)]
    assert backup.check_database(made[-1]) is None
    again = await backup.take(services.storage, folder, 5, clock() - timedelta(days=1))   # the same second
    assert again.name == "chidoan-20261126T190000Z-1.sqlite3" and len(backup.backups(folder)) == 3


async def test_the_running_bot_backs_up_once_a_night(services, tmp_path):
    folder = tmp_path / "backups"
    nightly = backup.nightly(folder, 14)
    clock = Clock(datetime(2026, 11, 23, 8, 0, tzinfo=timezone.utc))     # 15:00 in Vietnam: none yet
    assert await nightly(services, clock()) == 0 and len(backup.backups(folder)) == 1
    clock.advance(hours=10)                                             # 01:00 the next day: same night
    await nightly(services, clock())
    assert len(backup.backups(folder)) == 1
    clock.advance(hours=1, minutes=5)                                   # 02:05: a new night
    await nightly(services, clock())
    await nightly(services, clock())
    assert len(backup.backups(folder)) == 2


async def test_a_failed_nightly_backup_is_logged_and_tried_an_hour_later(services, tmp_path, caplog):
    blocker = tmp_path / "backups"
    blocker.write_text("not a folder")
    nightly = backup.nightly(blocker, 14)
    clock = Clock(datetime(2026, 11, 23, 8, 0, tzinfo=timezone.utc))
    assert await nightly(services, clock()) == 0
    assert "nightly backup failed" in caplog.text
    blocker.unlink()
    clock.advance(minutes=30)
    await nightly(services, clock())
    assert backup.backups(blocker) == []
    clock.advance(minutes=31)
    await nightly(services, clock())
    assert len(backup.backups(blocker)) == 1


# --- restore --------------------------------------------------------------------------------------

async def test_restore_refuses_what_is_not_a_sound_database_of_this_app(services, tmp_path):
    good = await backup.take(services.storage, tmp_path / "backups", 14, services.clock())
    target = tmp_path / "bot.sqlite3"

    def refusal(path: Path) -> str:
        with pytest.raises(backup.BackupError) as raised:
            backup.restore(path, target, services.clock())
        return raised.value.key

    assert refusal(tmp_path / "absent.sqlite3") == "restore.not_found"
    (tmp_path / "notes.txt").write_text("SQLite? no.")
    assert refusal(tmp_path / "notes.txt") == "restore.not_sqlite"
    damaged = tmp_path / "damaged.sqlite3"
    damaged.write_bytes(good.read_bytes()[: len(good.read_bytes()) // 2])
    assert refusal(damaged) == "restore.damaged"
    other = tmp_path / "other.sqlite3"
    with contextlib.closing(sqlite3.connect(other)) as conn:
        conn.execute("CREATE TABLE notes (x)")
    assert refusal(other) == "restore.not_ours"
    newer = tmp_path / "newer.sqlite3"
    newer.write_bytes(good.read_bytes())
    with contextlib.closing(sqlite3.connect(newer)) as conn:
        conn.execute("PRAGMA user_version = 999")
    assert refusal(newer) == "restore.too_new"
    assert not target.exists() and not list(tmp_path.glob("*.restoring"))


async def test_restore_refuses_while_the_bot_has_the_database_open_and_keeps_the_old_one_aside(services, tmp_path):
    live = Path(services.storage.path)
    copy = await backup.take(services.storage, tmp_path / "backups", 14, services.clock())
    person_id, unit_id = await secretary_of_b1(services)            # written after the backup
    with pytest.raises(backup.BackupError) as raised:
        backup.restore(copy, live, services.clock())
    assert raised.value.key == "restore.bot_running"
    await app.close_services(services)                                # the bot stops
    aside = backup.restore(copy, live, datetime(2026, 11, 24, 1, 0, tzinfo=timezone.utc))
    assert aside == live.with_name(f"{live.name}.replaced-20261124T010000Z")
    assert rows(live, "SELECT COUNT(*) FROM people") == [(0,)]          # as it was at the backup
    assert rows(aside, "SELECT COUNT(*) FROM people") == [(1,)]         # the replaced one, whole
    services.storage = (await app.open_services(live)).storage         # for the fixture's closing


def test_backup_and_restore_from_the_command_line(tmp_path):
    """`python -m bot backup` while another connection writes, then `restore` of that file."""
    database = tmp_path / "bot.sqlite3"
    env = {k: v for k, v in os.environ.items() if not k.startswith(("TELEGRAM_", "ZALO_"))}
    env.update(DATA_DIR=str(tmp_path), DATABASE_PATH=str(database), BACKUP_KEEP="3")

    def bot(*args: str) -> subprocess.CompletedProcess:
        return subprocess.run([sys.executable, "-m", "bot", *args], cwd=ROOT, env=env, capture_output=True,
                              text=True, timeout=60)

    missing = bot("backup")
    assert missing.returncode == 1 and "Traceback" not in missing.stderr
    asyncio.run(_create(database))
    writer = sqlite3.connect(database, isolation_level=None)
    writer.execute("PRAGMA journal_mode=WAL")
    writer.execute("BEGIN IMMEDIATE")                                  # a writer mid-transaction
    writer.execute("INSERT INTO processed_updates (key, at) VALUES ('half-done', '2026-11-23T00:00:00+00:00')")
    done = bot("backup")
    assert done.returncode == 0, done.stderr
    made = backup.backups(tmp_path / "backups")
    assert len(made) == 1 and str(made[0]) in done.stdout
    refused = bot("restore", str(made[0]))
    assert refused.returncode == 1 and "đang được một chương trình khác mở" in refused.stderr
    writer.execute("COMMIT")
    writer.close()
    restored = bot("restore", str(made[0]))
    assert restored.returncode == 0, restored.stderr
    assert "Dữ liệu cũ được giữ lại" in restored.stdout
    assert rows(database, "SELECT key FROM processed_updates WHERE key = 'half-done'") == []
    aside = next(tmp_path.glob("bot.sqlite3.replaced-*"))
    assert rows(aside, "SELECT key FROM processed_updates WHERE key = 'half-done'") == [("half-done",)]
    bad = bot("restore", str(tmp_path / "none.sqlite3"))
    assert bad.returncode == 1 and t("restore.not_found", path=tmp_path / "none.sqlite3") in bad.stderr


async def _create(database: Path) -> None:
    services = await app.open_services(database)
    await app.close_services(services)
