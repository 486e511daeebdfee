"""Fixtures: a fresh database file per test, a fixed clock, the sample tree; and a guard that no
test leaves a file in the repository's own folders (everything goes under tmp_path)."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot import app
from tests.support import Clock, open_services, seed_tree

ROOT = Path(__file__).parent.parent
# Where a test would write by mistake: exports beside the code or in the data folder, invite files.
WATCHED = (ROOT / "out", ROOT / "data" / "out", ROOT / "data" / "invites")


def _written() -> set[Path]:
    found = {path for folder in WATCHED if folder.is_dir() for path in folder.rglob("*") if path.is_file()}
    return found | set(ROOT.glob("invites-*.csv"))


@pytest.fixture(scope="session", autouse=True)
def repository_left_clean():
    """Fails the run if a test wrote a file into the repository (they belong under tmp_path)."""
    before = _written()
    yield
    new = sorted(str(p.relative_to(ROOT)) for p in _written() - before)
    assert not new, f"tests wrote into the repository: {new[:5]}"


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
async def services(tmp_path, clock):
    services = await open_services(tmp_path / "test.sqlite3", clock)
    await seed_tree(services)
    yield services
    await app.close_services(services)


@pytest.fixture
def office(tmp_path, monkeypatch):
    """The office's shell for command-line tests: its own folder, data folder and .env; no token."""
    from bot import settings

    monkeypatch.chdir(tmp_path)
    monkeypatch.setattr(settings, "ENV_FILE", tmp_path / ".env")
    monkeypatch.setenv("DATA_DIR", str(tmp_path / "data"))
    for name in ("DATABASE_PATH", "DATABASE_URL", "TELEGRAM_BOT_TOKEN", "ZALO_BOT_TOKEN", "ZALO_BOTS_FILE",
                 "CALENDAR_FILE", "TELEGRAM_BOT_USERNAME"):
        monkeypatch.delenv(name, raising=False)
    return tmp_path
