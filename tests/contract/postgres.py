"""A throwaway PostgreSQL cluster for the tests: `initdb` into a temporary folder, started on a unix
socket in that folder (no port, no network), stopped at the end.

The contract tests share one migrated database, emptied before each test (`emptied`: every row
deleted, the migrations' own rows put back, every id sequence back at 1): as good as a fresh
database, in a hundredth of the time of making one. Tests of migrating itself ask for a new,
empty database (`new_database`).

initdb refuses to run as root: as root, the server runs as the `postgres` user the Debian
package makes (or, if there is none, a system user made for it). Where PostgreSQL is not
installed, `Cluster.start` raises `Unavailable` with the reason: the tests skip with it, or fail
when CHIDOAN_REQUIRE_POSTGRES=1 (CI, where .ci/run installs PostgreSQL).
"""

from __future__ import annotations

import glob
import itertools
import os
import pwd
import shutil
import subprocess
import tempfile
from pathlib import Path
from urllib.parse import quote

import pytest

REQUIRE = "CHIDOAN_REQUIRE_POSTGRES"
SERVER_USER = "postgres"
FALLBACK_USER = "chidoan-pg"
SHARED = "contract"


class Unavailable(Exception):
    """PostgreSQL cannot be started here; the message says why."""


def unavailable(reason: str) -> None:
    """Skip the test with the reason, or fail it where PostgreSQL is required (CI)."""
    if os.environ.get(REQUIRE) == "1":
        pytest.fail(f"{REQUIRE}=1 but PostgreSQL is unavailable: {reason}", pytrace=False)
    pytest.skip(f"PostgreSQL is unavailable: {reason}")


def binaries() -> Path | None:
    """The folder of initdb, pg_ctl and postgres: on PATH, else the newest under /usr/lib/postgresql."""
    found = shutil.which("initdb")
    if found and shutil.which("pg_ctl"):
        return Path(found).parent
    folders = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"),
                     key=lambda p: int(Path(p).parent.parent.name) if Path(p).parent.parent.name.isdigit() else 0)
    return Path(folders[-1]).parent if folders else None


def _server_user() -> str | None:
    """The user the server runs as: None (ourselves) unless we are root."""
    if os.geteuid() != 0:
        return None
    for name in (SERVER_USER, FALLBACK_USER):
        try:
            pwd.getpwnam(name)
            return name
        except KeyError:
            continue
    made = subprocess.run(["useradd", "--system", "--no-create-home", "--shell", "/usr/sbin/nologin", FALLBACK_USER],
                          capture_output=True, text=True)
    if made.returncode != 0:
        raise Unavailable(f"running as root and no user to run initdb as: {made.stderr.strip()}")
    return FALLBACK_USER


class Cluster:
    """One PostgreSQL server in a temporary folder, for one test session."""

    def __init__(self):
        self.folder: Path | None = None
        self.user: str | None = None
        self.bin: Path | None = None
        self._names = itertools.count(1)
        self._admin = None
        self._shared: tuple[list[str], dict[str, list[tuple]], list[str]] | None = None

    def _run(self, *command: str) -> subprocess.CompletedProcess:
        prefix = ["runuser", "-u", self.user, "--"] if self.user else []
        done = subprocess.run([*prefix, *command], capture_output=True, text=True, timeout=120)
        if done.returncode != 0:
            raise Unavailable(f"{Path(command[0]).name} failed: {(done.stderr or done.stdout).strip()[-500:]}")
        return done

    def start(self) -> "Cluster":
        self.bin = binaries()
        if self.bin is None:
            raise Unavailable("initdb not found (install the postgresql package: apt-get install postgresql)")
        self.user = _server_user()
        self.folder = Path(tempfile.mkdtemp(prefix="chidoan-pg-"))
        if self.user:
            entry = pwd.getpwnam(self.user)
            os.chown(self.folder, entry.pw_uid, entry.pw_gid)
        data = self.folder / "data"
        self._run(str(self.bin / "initdb"), "-D", str(data), "-U", "postgres", "-A", "trust", "-E", "UTF8",
                  "--locale=C.UTF-8", "--no-sync")
        # a test server: no port (a unix socket in the folder), and no waiting on the disk
        options = (f"-c listen_addresses='' -c unix_socket_directories='{self.folder}'"
                   " -c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=200")
        self._run(str(self.bin / "pg_ctl"), "-D", str(data), "-l", str(self.folder / "server.log"), "-w",
                  "-o", options, "start")
        return self

    def stop(self) -> None:
        if self._admin is not None:
            self._admin.close()
            self._admin = None
        if self.folder is None:
            return
        if (self.folder / "data" / "postmaster.pid").exists():
            try:
                self._run(str(self.bin / "pg_ctl"), "-D", str(self.folder / "data"), "-m", "immediate", "-w", "stop")
            except Unavailable:
                pass                           # stopped already: the folder goes all the same
        shutil.rmtree(self.folder, ignore_errors=True)
        self.folder = None

    def url(self, database: str) -> str:
        return f"postgresql://postgres@/{database}?host={quote(str(self.folder), safe='')}"

    def admin(self, sql: str) -> None:
        """Run one statement on the `postgres` database, outside a transaction."""
        import psycopg

        with psycopg.connect(self.url("postgres"), autocommit=True) as conn:
            conn.execute(sql)

    def new_database(self) -> str:
        """A new, empty database's URL (dropped with the cluster)."""
        name = f"test_{next(self._names)}"
        self.admin(f"CREATE DATABASE {name}")
        return self.url(name)

    def emptied(self) -> str:
        """The shared migrated database's URL, as the migrations left it: no connection may be
        open on it (the contract tests close every storage they open)."""
        import psycopg

        if self._shared is None:
            self.admin(f"CREATE DATABASE {SHARED}")
            self._admin = psycopg.connect(self.url(SHARED), autocommit=True)
            from storage.schema import migrate_postgres

            migrate_postgres(self._admin)
            tables = [row[0] for row in self._admin.execute(
                "SELECT tablename FROM pg_tables WHERE schemaname = current_schema()"
                " AND tablename <> 'schema_version'")]
            seeded = {table: self._admin.execute(f'SELECT * FROM "{table}"').fetchall() for table in tables}
            sequences = [row[0] for row in self._admin.execute(
                "SELECT pg_get_serial_sequence(quote_ident(table_name), column_name)"
                " FROM information_schema.columns WHERE table_schema = current_schema() AND is_identity = 'YES'")]
            # deleting in any order: no foreign key (nor the migrations' triggers) fires meanwhile
            self._admin.execute("SET session_replication_role = replica")
            self._shared = (tables, {table: rows for table, rows in seeded.items() if rows}, sequences)
            return self.url(SHARED)
        tables, seeded, sequences = self._shared
        with self._admin.transaction():
            self._admin.execute("; ".join(f'DELETE FROM "{table}"' for table in tables))
            for table, rows in seeded.items():
                marks = ", ".join(["%s"] * len(rows[0]))
                self._admin.cursor().executemany(f'INSERT INTO "{table}" VALUES ({marks})', rows)
            self._admin.execute("; ".join(f"SELECT setval('{sequence}', 1, false)" for sequence in sequences))
        return self.url(SHARED)


_shared: dict[str, object] = {}


@pytest.fixture(scope="session")
def postgres_cluster():
    """The session's cluster, started at its first use (by any test file) and stopped at the end;
    a test that needs it skips, or fails under CHIDOAN_REQUIRE_POSTGRES=1, where it cannot start."""
    if "cluster" not in _shared and "reason" not in _shared:
        cluster = Cluster()
        try:
            _shared["cluster"] = cluster.start()
        except (Unavailable, OSError, subprocess.TimeoutExpired) as error:
            cluster.stop()
            _shared["reason"] = str(error)
    if "reason" in _shared:
        unavailable(_shared["reason"])
    yield _shared["cluster"]
    _shared["cluster"].stop()
