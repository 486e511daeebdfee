"""Backups of the SQLite database: taken while the bot runs, kept N deep, restored with the bot
stopped. (PostgreSQL is backed up with its own tools, pg_dump and pg_restore: `nightly` skips it.)

A backup is SQLite's online backup API run on the database thread (storage.db.Database.backup):
between two units of work, so the copy holds every transaction committed before it began and
none half-done, while the bot goes on. It is written as `<name>.partial`, checked
(`PRAGMA quick_check`), then renamed into place, readable by its owner only:
DATA_DIR/backups/chidoan-20261123T020000Z.sqlite3 (UTC). After each one, only the newest
BACKUP_KEEP are kept.

`python -m bot backup` takes one from the command line (its own connection: safe while the bot
writes, WAL readers do not block the writer); the running bot takes one every night
(`nightly`: the first tick after 02:00 Vietnam time with none since).

`restore(file, database)` puts a backup in place of the database. It must run with the bot
stopped: a database another process has open (its WAL file stays after our connection closes)
is refused. The file is copied beside the database and checked first — a SQLite file, not
damaged, with this app's tables, of a schema this version knows (an older one is migrated at the
next start) — and the database it replaces is kept aside as `<database>.replaced-<time>`.
"""

from __future__ import annotations

import asyncio
import logging
import os
import re
import shutil
import sqlite3
from collections.abc import Awaitable, Callable
from datetime import datetime, timedelta, timezone
from pathlib import Path

from messages_vi.formatting import LOCAL_TZ
from storage.schema import known_version
from storage.sql import SQLITE

log = logging.getLogger(__name__)

NAME = re.compile(r"^chidoan-(?P<stamp>\d{8}T\d{6}Z)(?:-\d+)?\.sqlite3$")
STAMP = "%Y%m%dT%H%M%SZ"
SQLITE_HEADER = b"SQLite format 3\x00"
# What a backup or a restore can fail with besides BackupError: the disk, or the database file.
FAILURES = (OSError, sqlite3.Error)
# The tables every version of this app has had since its first migration.
REQUIRED_TABLES = ("units", "people", "invites", "roles", "form_sessions", "meetings", "recruitment",
                   "processed_updates")
NIGHT_STARTS = 2                # local hour from which the night's backup is due
RETRY_AFTER_FAILURE = timedelta(hours=1)


class BackupError(Exception):
    """A backup or a restore refused or failed: `key` and `values` say why, in Vietnamese
    (messages_vi), for the command line."""

    def __init__(self, key: str, **values):
        super().__init__(key)
        self.key = key
        self.values = values


# --- taking and keeping ----------------------------------------------------------------------------

async def take(storage, folder: Path, keep: int, now: datetime) -> Path:
    """Back the open `storage` up into `folder`, then keep only the newest `keep`; the new file."""
    folder.mkdir(parents=True, exist_ok=True)
    stamp = now.astimezone(timezone.utc).strftime(STAMP)
    path, n = folder / f"chidoan-{stamp}.sqlite3", 1
    while path.exists():                       # two in one second (a test, or a hurried officer)
        path, n = folder / f"chidoan-{stamp}-{n}.sqlite3", n + 1
    partial = path.with_name(path.name + ".partial")
    partial.unlink(missing_ok=True)
    try:
        await storage.db.backup(partial)
        problem = await asyncio.to_thread(check_database, partial)
        if problem is not None:
            raise BackupError(problem[0], **problem[1])
        os.chmod(partial, 0o600)               # every secretary's name and chat is in there
        os.replace(partial, path)
    except BaseException:
        partial.unlink(missing_ok=True)
        raise
    prune(folder, keep)
    return path


def backups(folder: Path) -> list[Path]:
    """The backups in `folder`, oldest first."""
    if not folder.is_dir():
        return []
    return sorted((p for p in folder.iterdir() if NAME.match(p.name) and p.is_file()),
                  key=lambda p: (NAME.match(p.name)["stamp"], len(p.name), p.name))


def taken_at(path: Path) -> datetime | None:
    found = NAME.match(path.name)
    return datetime.strptime(found["stamp"], STAMP).replace(tzinfo=timezone.utc) if found else None


def prune(folder: Path, keep: int) -> list[Path]:
    """Delete all but the newest `keep` backups (and any `.partial` left by a crash); the deleted."""
    found = backups(folder)
    gone = found[:-keep] if keep > 0 else found
    gone += [p for p in folder.glob("chidoan-*.sqlite3.partial")]
    for path in gone:
        path.unlink(missing_ok=True)
    return gone


def nightly(folder: Path, keep: int) -> Callable[..., Awaitable[int]]:
    """A scheduler tick (bot/scheduler.py's ExtraTick) that backs up once a night: due when no
    backup was taken since the last 02:00 Vietnam time (so a bot started in the afternoon with no
    backup since the night takes one at once). Queues nothing. A failure is logged and tried
    again an hour later, not at every tick. On PostgreSQL there is none (its administrators back
    it up with pg_dump): said once in the log."""
    failed_at: list[datetime] = []
    told: list[bool] = []

    async def nightly_backup(services, now: datetime) -> int:
        if services.storage.dialect != SQLITE:
            if not told:
                told.append(True)
                log.info("the database is PostgreSQL: no nightly backup by the bot; back it up with pg_dump")
            return 0
        if failed_at and now - failed_at[-1] < RETRY_AFTER_FAILURE:
            return 0
        night = _night_of(now)
        newest = backups(folder)
        if newest and _night_of(taken_at(newest[-1])) == night:
            return 0
        try:
            path = await take(services.storage, folder, keep, now)
        except Exception:
            failed_at[:] = [now]
            log.exception("the nightly backup failed; trying again in an hour")
            return 0
        failed_at.clear()
        log.info("nightly backup written: %s", path.name, extra={"event": "backup", "path": path.name})
        return 0

    return nightly_backup


def _night_of(moment: datetime):
    """The night a moment belongs to: its Vietnam date, counted from 02:00."""
    return (moment.astimezone(LOCAL_TZ) - timedelta(hours=NIGHT_STARTS)).date()


# --- checking and restoring ------------------------------------------------------------------------

def check_database(path: Path) -> tuple[str, dict] | None:
    """None when `path` is a sound database of this app; else (message key, values) saying why not."""
    with open(path, "rb") as handle:
        if handle.read(len(SQLITE_HEADER)) != SQLITE_HEADER:
            return "restore.not_sqlite", {}
    conn = sqlite3.connect(path, isolation_level=None)
    try:
        found = [row[0] for row in conn.execute("PRAGMA quick_check").fetchall()]
        if found != ["ok"]:
            return "restore.damaged", {"problem": "; ".join(found[:3])[:300]}
        tables = {row[0] for row in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
        missing = [name for name in REQUIRED_TABLES if name not in tables]
        version = conn.execute("PRAGMA user_version").fetchone()[0]
    except sqlite3.DatabaseError as error:
        return "restore.damaged", {"problem": str(error)}
    finally:
        conn.close()
    if missing or version < 1:
        return "restore.not_ours", {"tables": ", ".join(missing) or "user_version"}
    if version > known_version():
        return "restore.too_new", {"version": version, "known": known_version()}
    return None


def in_use(database: Path) -> bool:
    """Whether another process has the database open. The bot keeps it in WAL mode, and the last
    connection to close deletes the WAL file: if it is still there after ours closed, someone
    else (the bot) holds a connection. After a crash the WAL is there too, and our closing
    connection folds it in and deletes it: a crashed bot is not mistaken for a running one."""
    conn = sqlite3.connect(database, isolation_level=None)
    try:
        conn.execute("SELECT COUNT(*) FROM sqlite_master").fetchone()
    finally:
        conn.close()
    return Path(f"{database}-wal").exists()


def restore(file: Path, database: Path, now: datetime) -> Path | None:
    """Put the backup `file` in place of `database` (the bot stopped); the path the replaced
    database was kept at, or None when there was none. Raises BackupError."""
    if file.is_dir():                          # the backups' folder, for "the newest": name it
        found = backups(file)
        raise BackupError("restore.folder", newest=found[-1]) if found else BackupError("restore.empty_folder")
    if not file.is_file():
        raise BackupError("restore.not_found")
    if database.exists() and database.resolve() == file.resolve():
        raise BackupError("restore.same_file")
    database.parent.mkdir(parents=True, exist_ok=True)
    incoming = database.with_name(database.name + ".restoring")
    try:
        shutil.copyfile(file, incoming)        # checked as copied: the file cannot change after the check
        problem = check_database(incoming)
        if problem is not None:
            raise BackupError(problem[0], **problem[1])
        aside = None
        if database.exists():
            if in_use(database):
                raise BackupError("restore.bot_running")
            aside = database.with_name(f"{database.name}.replaced-{now.astimezone(timezone.utc).strftime(STAMP)}")
            os.replace(database, aside)
        for leftover in (Path(f"{database}-wal"), Path(f"{database}-shm")):
            leftover.unlink(missing_ok=True)
        os.chmod(incoming, 0o600)
        os.replace(incoming, database)
    finally:
        incoming.unlink(missing_ok=True)
    return aside


def size_text(path: Path) -> str:
    """A file's size as people read it: "840 KB", "1,5 MB"."""
    from messages_vi.formatting import number

    size = float(path.stat().st_size)
    for unit in ("B", "KB", "MB"):
        if size < 1024:
            return f"{number(round(size, 1))} {unit}"
        size /= 1024
    return f"{number(round(size, 1))} GB"
