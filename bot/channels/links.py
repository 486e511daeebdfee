"""Signed 24-hour download links to exported files, one unit's each: the signer and the files it
publishes, below the channels (a channel offers a file as a link where its messenger takes none:
Zalo) and below the web app (bot/web.py serves `GET /export/<unit>/<file>` through `open`).

A link carries its expiry and HMAC-SHA256(key, "<unit>/<file>/<expiry>"): another unit, another
file or a later expiry breaks the signature. `python -m bot export --link` and the running bot
sign with the same key (bot/app.py `export_links`), so a link outlives a restart.
"""

from __future__ import annotations

import contextlib
import hashlib
import hmac
import os
import re
import shutil
from datetime import datetime, timedelta, timezone
from pathlib import Path

LINK_LIFETIME = timedelta(hours=24)
SAFE_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,150}$")      # a unit code, a file name: no path


class ExportLinks:
    """Signed download links to exported files, one unit's each, valid for LINK_LIFETIME.

    A file is published into `folder/<unit>/` (`publish`); its link carries the expiry and
    HMAC-SHA256(key, "<unit>/<file>/<expiry>"), so it opens that file of that unit until then and
    nothing else. Files are removed a little after their last link expired (`prune`)."""

    def __init__(self, key: bytes, folder: Path, public_url: str | None):
        self.key = key
        self.folder = folder
        self.public_url = public_url

    def signature(self, unit: str, name: str, expires: int) -> str:
        return hmac.new(self.key, f"{unit}/{name}/{expires}".encode(), hashlib.sha256).hexdigest()

    def link(self, unit: str, name: str, now: datetime) -> tuple[str, datetime]:
        """The signed URL of a published file, and when it stops working."""
        expires = int((now + LINK_LIFETIME).timestamp())
        url = f"{self.public_url}/export/{unit}/{name}?expires={expires}&sig={self.signature(unit, name, expires)}"
        return url, datetime.fromtimestamp(expires, timezone.utc)

    def publish(self, unit: str, source: Path, now: datetime) -> tuple[str, datetime]:
        """Copy an exported file where the links serve it from; its signed URL and expiry."""
        if not (SAFE_NAME.fullmatch(unit) and SAFE_NAME.fullmatch(source.name)):
            raise ValueError("a unit code or a file name that cannot be part of a link")
        target = self.folder / unit / source.name
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(source, target)
        os.chmod(target, 0o600)
        return self.link(unit, source.name, now)

    def open(self, unit: str, name: str, expires: str, sig: str, now: datetime) -> Path | int:
        """The file a link opens, or the status to answer: 404 (no such link), 410 (expired)."""
        # isascii: "²" and other digits of other scripts pass isdigit() but are no number int() reads
        if not (SAFE_NAME.fullmatch(unit) and SAFE_NAME.fullmatch(name) and expires.isascii() and expires.isdigit()
                and len(expires) < 12):
            return 404
        if not hmac.compare_digest(sig.encode(), self.signature(unit, name, int(expires)).encode()):
            return 404
        if int(expires) < now.timestamp():
            return 410
        path = self.folder / unit / name
        return path if path.is_file() else 404

    def prune(self, now: datetime) -> int:
        """Remove the files whose links have all expired (an hour of slack); how many."""
        if not self.folder.is_dir():
            return 0
        cutoff = (now - LINK_LIFETIME - timedelta(hours=1)).timestamp()
        gone = 0
        for path in self.folder.glob("*/*"):
            with contextlib.suppress(FileNotFoundError):
                if path.is_file() and path.stat().st_mtime < cutoff:
                    path.unlink()
                    gone += 1
        return gone
