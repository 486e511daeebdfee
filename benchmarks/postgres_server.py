"""The PostgreSQL server a benchmark measures on: a throwaway cluster (`--postgres`: the tests'
own, tests/contract/postgres.py, started from the machine's packages on a unix socket with fsync
off), or a server of your own (`--database-url postgresql://...`, a user allowed to CREATE
DATABASE). Benchmarks make their databases on it with `fresh_database` and drop them at the end.
"""

from __future__ import annotations

import argparse
import contextlib
from collections.abc import Iterator
from urllib.parse import urlsplit

from storage.sql import is_postgres_url

SETTINGS = ("server_version", "shared_buffers", "fsync", "synchronous_commit")


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """--postgres and --database-url, one or neither."""
    backend = parser.add_mutually_exclusive_group()
    backend.add_argument("--postgres", action="store_true",
                         help="also on PostgreSQL: a throwaway cluster from the machine's packages")
    backend.add_argument("--database-url", help="also on this PostgreSQL server (a user with CREATEDB)")


def with_database(url: str, name: str) -> str:
    """The same server's URL with another database."""
    return urlsplit(url)._replace(path=f"/{name}").geturl()


def admin(url: str, *statements: str) -> None:
    """Statements outside a transaction (CREATE/DROP DATABASE), on the server's `postgres` database."""
    import psycopg                             # only where PostgreSQL is measured

    with psycopg.connect(with_database(url, "postgres"), autocommit=True) as conn:
        for statement in statements:
            conn.execute(statement)


def settings_line(url: str) -> str:
    """The server's settings that a figure depends on, for the benchmark's output."""
    import psycopg

    with psycopg.connect(url, autocommit=True) as conn:
        return ", ".join(f"{name} {conn.execute(f'SHOW {name}').fetchone()[0]}" for name in SETTINGS)


@contextlib.contextmanager
def server(args: argparse.Namespace) -> Iterator[str | None]:
    """The URL of the server chosen by the arguments (None: none was asked for); a throwaway
    cluster is stopped and deleted at the end."""
    if args.database_url:
        if not is_postgres_url(args.database_url):
            raise SystemExit("--database-url: a postgresql:// URL")
        yield args.database_url
        return
    if not args.postgres:
        yield None
        return
    from tests.contract.postgres import Cluster, Unavailable

    cluster = Cluster()
    try:
        cluster.start()
    except Unavailable as error:
        cluster.stop()
        raise SystemExit(f"PostgreSQL cannot be started here: {error}")
    try:
        yield cluster.url("postgres")
    finally:
        cluster.stop()


@contextlib.contextmanager
def fresh_database(url: str, name: str, template: str | None = None) -> Iterator[str]:
    """A new database on the server (a copy of `template`, if given), dropped at the end; its URL.

    A copy is made file by file (STRATEGY FILE_COPY, PostgreSQL 15), between two checkpoints:
    PostgreSQL 15's default copies through the WAL and the shared buffers, and would leave
    hundreds of megabytes to write back while the benchmark measures."""
    copy = f" TEMPLATE {template} STRATEGY FILE_COPY" if template else ""
    admin(url, f"DROP DATABASE IF EXISTS {name}", f"CREATE DATABASE {name}{copy}")
    try:
        yield with_database(url, name)
    finally:
        admin(url, f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")
