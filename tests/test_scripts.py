"""scripts/run and scripts/test as typed in a shell: the bot's arguments reach the bot, never pip,
and nothing is installed again until pyproject.toml changes."""

from __future__ import annotations

import os
import shutil
import subprocess
import time
from pathlib import Path

import pytest

ROOT = Path(__file__).parent.parent

# Stands in for .venv/bin/python: notes every call, and answers `-m bot` / `-m pytest` itself.
FAKE_PYTHON = """#!/bin/sh
echo "$*" >> "$(dirname "$0")/../../calls.log"
case "$1 $2" in
    "-m bot"|"-m pytest") shift 2; echo "ran with: $*" ;;
esac
"""


@pytest.fixture
def project(tmp_path):
    if shutil.which("bash") is None:
        pytest.skip("needs bash")
    shutil.copytree(ROOT / "scripts", tmp_path / "scripts")
    (tmp_path / "pyproject.toml").write_text("[project]\nname = 'x'\n")
    python = tmp_path / ".venv" / "bin" / "python"
    python.parent.mkdir(parents=True)
    python.write_text(FAKE_PYTHON)
    python.chmod(0o755)
    return tmp_path


def run(project: Path, script: str, *args: str) -> tuple[subprocess.CompletedProcess, list[str]]:
    log = project / "calls.log"
    log.unlink(missing_ok=True)
    done = subprocess.run(["bash", str(project / "scripts" / script), *args], capture_output=True, text=True,
                          cwd=project.parent, timeout=60)
    return done, log.read_text().splitlines() if log.exists() else []


def installs(calls: list[str]) -> list[str]:
    return [call for call in calls if call.startswith("-m pip")]


def test_run_help_reaches_the_bot_and_installs_once(project):
    first, calls = run(project, "run", "--help")
    assert first.returncode == 0, first.stderr
    assert first.stdout == "ran with: --help\n"
    assert installs(calls) == ["-m pip install --quiet --upgrade pip", "-m pip install --quiet -e ."]
    assert "Đang cài chidoan-bot vào .venv" in first.stderr
    second, calls = run(project, "run", "--help")
    assert second.stdout == "ran with: --help\n" and second.stderr == ""
    assert calls == ["-m bot --help"]                              # no pip the second time


def test_arguments_that_look_like_extras_stay_with_the_bot(project):
    done, calls = run(project, "run", "units", "import", "don-vi.csv")
    assert done.stdout == "ran with: units import don-vi.csv\n"
    assert all("units" not in call for call in installs(calls))


def test_after_the_tests_installed_everything_run_installs_nothing(project):
    tests, calls = run(project, "test", "-q", "-k", "cli")
    assert tests.stdout == "ran with: -q -k cli\n"
    assert installs(calls)[-1] == "-m pip install --quiet -e .[test]"
    _, calls = run(project, "run")
    assert installs(calls) == []
    _, calls = run(project, "test", "-x")
    assert installs(calls) == []


def test_only_a_changed_pyproject_installs_again(project):
    run(project, "run")
    pyproject = project / "pyproject.toml"
    later = time.time() + 3600                        # touched, as a checkout or a skewed clock does
    os.utime(pyproject, (later, later))
    _, calls = run(project, "run")
    assert installs(calls) == []
    pyproject.write_text(pyproject.read_text() + "dependencies = ['babel']\n")
    _, calls = run(project, "run")
    assert installs(calls)[-1] == "-m pip install --quiet -e ."
    _, calls = run(project, "run")
    assert installs(calls) == []


def test_the_licence_is_declared_so_the_install_prints_no_licence_warning():
    """setuptools warns at every build step (three times per install) about a licence given as a
    table or as "License ::" classifiers; from version 77 on, an SPDX string is the quiet form."""
    import tomllib

    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    assert isinstance(project["project"]["license"], str)
    assert not [c for c in project["project"].get("classifiers", []) if c.startswith("License ::")]
    [setuptools] = [r for r in project["build-system"]["requires"] if r.startswith("setuptools")]
    assert int(setuptools.replace(" ", "").split(">=")[1].split(".")[0]) >= 77
