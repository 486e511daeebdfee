"""Scaling out (README.md, "Scale out"): where the attachments go on either database, the deploy
files for several workers (deploy/compose.workers.yaml, deploy/Caddyfile, the systemd units),
and the benchmarks' PostgreSQL server helper.

Caddy's and systemd's own checkers run where they are installed (`caddy adapt`, `systemd-analyze
verify`); elsewhere those tests skip saying so.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import tempfile
from pathlib import Path

import pytest
import yaml

from benchmarks.postgres_server import with_database
from bot import app
from handlers.digests import out_dir
from handlers.photos import photos_dir
from tests.contract.postgres import postgres_cluster  # noqa: F401  (a fixture)

ROOT = Path(__file__).parent.parent
DEPLOY = ROOT / "deploy"


# --- where attachments are written --------------------------------------------------------------

async def test_attachments_go_where_the_wiring_says(tmp_path):
    services = await app.open_services(tmp_path / "d.sqlite3")
    try:
        services.out_dir = tmp_path / "data" / "out"
        assert out_dir(services) == tmp_path / "data" / "out"
        assert photos_dir(services) == tmp_path / "data" / "photos"
    finally:
        await app.close_services(services)


async def test_without_a_folder_from_the_wiring_attachments_go_beside_a_sqlite_file(tmp_path):
    services = await app.open_services(tmp_path / "d.sqlite3")
    try:
        assert out_dir(services) == tmp_path.resolve() / "out"
        assert photos_dir(services) == tmp_path.resolve() / "photos"
    finally:
        await app.close_services(services)


async def test_on_postgresql_the_folder_is_never_made_of_the_database_url(postgres_cluster, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)                # a path made of the URL would be relative: under here
    services = await app.open_services(postgres_cluster.new_database())
    try:
        folder, photos = out_dir(services), photos_dir(services)
    finally:
        await app.close_services(services)
    assert folder == Path(tempfile.gettempdir()) / "chidoan-bot-out"
    assert photos == Path(tempfile.gettempdir()) / "chidoan-bot-photos"
    assert "postgres" not in f"{folder} {photos}"
    assert not folder.is_relative_to(tmp_path) and not photos.is_relative_to(tmp_path)


# --- docker compose: several workers over PostgreSQL ----------------------------------------------

def compose(name: str) -> dict:
    return yaml.safe_load((DEPLOY / name).read_text(encoding="utf-8"))


def test_the_workers_compose_file_runs_several_bots_over_its_postgres_service():
    services = compose("compose.workers.yaml")["services"]
    bot, postgres = services["bot"], services["postgres"]
    assert bot["deploy"]["replicas"] >= 2
    assert postgres["image"].startswith("postgres:15")
    url = bot["environment"]["DATABASE_URL"]
    found = re.fullmatch(r"postgresql://(?P<user>\w+):\$\{POSTGRES_PASSWORD\}@(?P<host>[\w-]+):5432/(?P<db>\w+)", url)
    assert found, url
    assert found["host"] == "postgres" and found["user"] == postgres["environment"]["POSTGRES_USER"]
    assert found["db"] == postgres["environment"]["POSTGRES_DB"]
    assert bot["depends_on"]["postgres"]["condition"] == "service_healthy"
    # the dumps are of the same database, with the same credentials
    dump = services["backup"]["environment"]
    assert (dump["PGHOST"], dump["PGUSER"], dump["PGDATABASE"]) == ("postgres", found["user"], found["db"])
    assert "pg_dump --format=custom" in "\n".join(services["backup"]["entrypoint"])


def test_caddy_finds_every_replica_of_the_bot_on_its_port():
    services = compose("compose.workers.yaml")["services"]
    discover = services["caddy"]["environment"]["BOT_DISCOVER"].split()
    assert discover == ["dynamic", "a", "bot", services["bot"]["environment"]["PORT"]]
    assert "{$BOT_DISCOVER}" in (DEPLOY / "Caddyfile").read_text(encoding="utf-8")


def test_the_workers_keep_the_single_bots_data_folder_and_certificates():
    """Photos and exports live in DATA_DIR, not in the database: moving to the workers must keep them."""
    single, workers = compose("compose.yaml"), compose("compose.workers.yaml")
    for volume in ("bot-data", "caddy-data"):
        assert workers["volumes"][volume]["name"] == f"{single['name']}_{volume}"
    assert workers["services"]["bot"]["environment"]["DATA_DIR"] == single["services"]["bot"]["environment"]["DATA_DIR"]


# --- Caddy ----------------------------------------------------------------------------------------

def caddy_config(tmp_path: Path, **env: str) -> dict:
    """The JSON configuration `caddy adapt` makes of deploy/Caddyfile with these variables."""
    if shutil.which("caddy") is None:
        pytest.skip("caddy is not installed")
    done = subprocess.run(["caddy", "adapt", "--config", str(DEPLOY / "Caddyfile"), "--adapter", "caddyfile"],
                          capture_output=True, text=True, timeout=60,
                          env={"PATH": os.environ["PATH"], "HOME": str(tmp_path), "XDG_DATA_HOME": str(tmp_path),
                               "XDG_CONFIG_HOME": str(tmp_path), "DOMAIN": "chidoan.example.vn", **env})
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout)


def nodes(node, key: str) -> list:
    """Every value of `key` anywhere in the configuration."""
    if isinstance(node, dict):
        return ([node[key]] if key in node else []) + [found for value in node.values() for found in nodes(value, key)]
    if isinstance(node, list):
        return [found for value in node for found in nodes(value, key)]
    return []


def caddy_proxy(tmp_path: Path, **env: str) -> dict:
    """The reverse_proxy handler of deploy/Caddyfile with these variables."""
    (proxy,) = [handler for handler in nodes(caddy_config(tmp_path, **env), "handle")
                for handler in handler if handler.get("handler") == "reverse_proxy"]
    return proxy


def test_caddy_passes_every_webhook_of_the_bot_and_nothing_else(tmp_path):
    (paths,) = [match["path"] for matches in nodes(caddy_config(tmp_path), "match") for match in matches
                if "path" in match]
    # /zalo/<key>: each bot of ZALO_BOTS_FILE (bot/channels/zalo.py webhook_path)
    assert set(paths) == {"/telegram", "/zalo", "/zalo/*", "/healthz", "/export/*"}


def test_caddy_proxies_to_one_bot_by_default(tmp_path):
    proxy = caddy_proxy(tmp_path)
    assert proxy["upstreams"] == [{"dial": "bot:8080"}] and "dynamic_upstreams" not in proxy


def test_caddy_spreads_posts_over_the_workers_listed(tmp_path):
    proxy = caddy_proxy(tmp_path, BOT_UPSTREAM="127.0.0.1:8081 127.0.0.1:8082 127.0.0.1:8083")
    assert proxy["upstreams"] == [{"dial": f"127.0.0.1:{port}"} for port in (8081, 8082, 8083)]
    assert proxy["load_balancing"]["retries"] >= 1


def test_caddy_looks_the_replicas_up_in_the_dns(tmp_path):
    proxy = caddy_proxy(tmp_path, BOT_DISCOVER="dynamic a bot 8080")
    assert proxy["dynamic_upstreams"] == {"source": "a", "name": "bot", "port": "8080"}


# --- systemd --------------------------------------------------------------------------------------

def unit_values(name: str, key: str) -> list[str]:
    return [line.split("=", 1)[1] for line in (DEPLOY / name).read_text(encoding="utf-8").splitlines()
            if line.startswith(f"{key}=")]


def test_each_worker_of_the_template_listens_on_its_instance_port():
    assert unit_values("chidoan-bot@.service", "Environment") == ["HOST=127.0.0.1 PORT=%i"]
    assert unit_values("chidoan-bot@.service", "ExecStart") == unit_values("chidoan-bot.service", "ExecStart")


@pytest.mark.parametrize("unit, as_name", [
    ("chidoan-bot.service", "chidoan-bot.service"),
    ("chidoan-bot@.service", "chidoan-bot@8081.service"),
    ("chidoan-pg-dump.service", "chidoan-pg-dump.service"),
    ("chidoan-pg-dump.timer", "chidoan-pg-dump.timer"),
])
def test_the_systemd_units_pass_systemd_analyze(tmp_path, unit, as_name):
    if shutil.which("systemd-analyze") is None:
        pytest.skip("systemd-analyze is not installed")
    text = (DEPLOY / unit).read_text(encoding="utf-8")
    # the bot's checkout is not on this machine: its interpreter is the one thing verify would miss
    (tmp_path / as_name).write_text(text.replace("/opt/chidoan-bot/.venv/bin/python -m bot serve", "/bin/true"),
                                    encoding="utf-8")
    if unit.endswith(".timer"):
        shutil.copy(DEPLOY / "chidoan-pg-dump.service", tmp_path / "chidoan-pg-dump.service")
    done = subprocess.run(["systemd-analyze", "verify", str(tmp_path / as_name)],
                          capture_output=True, text=True, timeout=60)
    problems = [line for line in done.stderr.splitlines() if as_name.split("@")[0].split(".")[0] in line]
    assert done.returncode == 0 and not problems, done.stderr


def test_the_dump_keeps_the_newest_fourteen(tmp_path):
    """chidoan-pg-dump.service's command, with pg_dump standing in, run sixteen times."""
    (command,) = unit_values("chidoan-pg-dump.service", "ExecStart")
    script = re.fullmatch(r"/bin/sh -c '(.*)'", command)[1].replace("%%", "%").replace("$$", "$")
    (tmp_path / "bin").mkdir()
    fake = tmp_path / "bin" / "pg_dump"
    fake.write_text('#!/bin/sh\nfor a in "$@"; do case "$a" in --file=*) echo dump > "${a#--file=}";; esac; done\n')
    fake.chmod(0o755)
    backups = tmp_path / "backups"
    backups.mkdir()
    for n in range(16):
        # a name a second: the fake's dumps would otherwise share one
        moved = subprocess.run(["sh", "-c", script.replace("$(date -u +%Y%m%dT%H%M%SZ)", f"2026120{n // 10}T0{n % 10}0000Z")],
                               env={"PATH": f"{tmp_path / 'bin'}:{os.environ['PATH']}", "STATE_DIRECTORY": str(backups)},
                               capture_output=True, text=True, timeout=30)
        assert moved.returncode == 0, moved.stderr
    kept = sorted(path.name for path in backups.iterdir())
    assert len(kept) == 14 and not [name for name in kept if name.endswith(".partial")]
    assert kept[-1] == "chidoan-20261201T050000Z.dump"


# --- the benchmarks' server -----------------------------------------------------------------------

def test_a_benchmark_database_is_on_the_same_server():
    assert with_database("postgresql://u:p@db.example:5433/chidoan?sslmode=require", "bench") == \
        "postgresql://u:p@db.example:5433/bench?sslmode=require"
    assert with_database("postgresql://postgres@/postgres?host=%2Ftmp%2Fpg", "bench") == \
        "postgresql://postgres@/bench?host=%2Ftmp%2Fpg"
