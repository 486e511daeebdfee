"""Files as an office makes them, for command-line tests (their shell: the `office` fixture in
tests/conftest.py)."""

from __future__ import annotations

from pathlib import Path


def write(path: Path, text: str) -> Path:
    """A CSV as Excel saves it: a BOM, CRLF line ends."""
    path.write_bytes(b"\xef\xbb\xbf" + text.replace("\n", "\r\n").encode("utf-8"))
    return path
