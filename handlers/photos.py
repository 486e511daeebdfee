"""Evidence photos (ảnh minh chứng) of meetings, on every channel.

An image sent while the meeting form is open (at any step) waits on that form and goes to the
meeting it saves; one sent within `WINDOW` after the person saved a meeting report goes to that
meeting. Anything else (no meeting form open, nothing saved lately) is answered in Vietnamese and
nothing is fetched or kept. At most `MAX_PHOTOS` per meeting and `MAX_BYTES` per image; only
images (JPEG, PNG, GIF, WebP, HEIC) are kept.

The bytes come through the Incoming's `Photo` (domain.conversation), never a messenger's API,
and are written under the photos folder (`photos_dir`: DATA_DIR/photos for the bot,
<photos>/<unit id>/<random>.<ext>); storage.photos keeps which meeting each belongs to, the
file's path (relative to the photos folder), its size and when it came.

The router calls `receive` for an image; and, around a form's turn, `on_turn` inside the
transaction that saves a meeting (its waiting photos go to it there, all or nothing) and
`after_turn` once it committed (the files of photos a form ended unsaved let go are removed
then): a form's answer stays one trip to the database, its save or cancel included.
"""

from __future__ import annotations

import asyncio
import logging
import secrets
from dataclasses import dataclass, replace
from datetime import timedelta
from pathlib import Path

from domain.conversation import PhotoTooLarge, Reply
from domain.forms.definitions import meeting_text
from handlers import menu
from handlers.context import Request, Services
from messages_vi import t

log = logging.getLogger(__name__)

MAX_BYTES = 10 * 1024 * 1024          # an image heavier than this is refused
MAX_PHOTOS = 10                       # photos kept per meeting
WINDOW = timedelta(minutes=30)        # after a meeting report is saved, photos still go to it
MEETING_FORM = "meeting"


def photos_dir(services: Services) -> Path:
    """The folder photos are kept under: DATA_DIR/photos for the bot (services.folder)."""
    return services.folder("photos")


def photo_file(services: Services, path: str) -> Path:
    """The file of a stored photo (storage keeps its path relative to the photos folder)."""
    return photos_dir(services) / path


def image_suffix(data: bytes) -> str | None:
    """The file suffix of an image by its first bytes; None for anything that is not an image
    this bot keeps (an error page, a document)."""
    if data.startswith(b"\xff\xd8\xff"):
        return ".jpg"
    if data.startswith(b"\x89PNG\r\n\x1a\n"):
        return ".png"
    if data.startswith((b"GIF87a", b"GIF89a")):
        return ".gif"
    if data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        return ".webp"
    if data[4:8] == b"ftyp" and data[8:12] in (b"heic", b"heix", b"hevc", b"heif", b"mif1", b"msf1"):
        return ".heic"
    return None


async def receive(services: Services, request: Request) -> list[Reply]:
    """An image from a branch's person: kept for the meeting being reported or just reported,
    or answered with why it was not."""
    identity, session, photo = request.identity, request.session, request.incoming.photo
    storage, now = services.storage, services.clock()
    if session is not None and session.form == MEETING_FORM:
        report_id = session.state.get("report_id") if isinstance(session.state, dict) else None
        corrects = report_id if type(report_id) is int else None
        target = {"session_id": session.id, "corrects": corrects}
        await discard_waiting(services, identity.person.id, keep=session.id)     # of forms ended unsaved
        have = len(await storage.photos.waiting(session.id))
        if corrects is not None:
            have += (await storage.photos.counts([corrects])).get(corrects, 0)
    else:
        await discard_waiting(services, identity.person.id)
        meeting_id = await storage.photos.recent_meeting(identity.person.id, now - WINDOW)
        if meeting_id is None:
            return _said(services, request, "photo.no_report", minutes=_minutes())
        target = {"meeting_id": meeting_id}
        have = (await storage.photos.counts([meeting_id])).get(meeting_id, 0)
    if have >= MAX_PHOTOS:
        return _said(services, request, "photo.full", most=MAX_PHOTOS)
    if photo.size is not None and photo.size > MAX_BYTES:
        return _said(services, request, "photo.too_large", most=_megabytes())
    try:
        data = await photo.fetch(MAX_BYTES)
    except PhotoTooLarge:
        return _said(services, request, "photo.too_large", most=_megabytes())
    except Exception as error:             # the messenger's error: never its text (it may hold a URL)
        log.warning("an image from %s could not be fetched (%s)", request.incoming.channel, type(error).__name__)
        return _said(services, request, "photo.fetch_failed")
    if len(data) > MAX_BYTES:
        return _said(services, request, "photo.too_large", most=_megabytes())
    suffix = image_suffix(data)
    if suffix is None:
        return _said(services, request, "photo.not_image")

    relative = f"{identity.unit.id}/{secrets.token_hex(12)}{suffix}"
    file = photo_file(services, relative)
    await asyncio.to_thread(_write, file, data)
    try:
        added = await storage.photos.add(identity.unit.id, identity.person.id, relative, len(data), now,
                                         limit=MAX_PHOTOS, **target)
    except BaseException:
        file.unlink(missing_ok=True)
        raise
    if added.status != "added":
        file.unlink(missing_ok=True)
        if added.status == "full":
            return _said(services, request, "photo.full", most=MAX_PHOTOS)
        return _said(services, request, "photo.no_report", minutes=_minutes())
    log.info("an evidence photo of %d bytes kept (%s)", len(data), "form" if "session_id" in target else "meeting")
    if "session_id" in target:
        return _said(services, request, "photo.waiting", count=added.count, most=MAX_PHOTOS)
    meeting = await storage.reports.get_meeting(target["meeting_id"])
    return _said(services, request, "photo.added", count=added.count, most=MAX_PHOTOS,
                 meeting=meeting_text(meeting) if meeting else "")


def _write(file: Path, data: bytes) -> None:
    file.parent.mkdir(parents=True, exist_ok=True)
    with open(file, "xb") as handle:       # a fresh random name: never over another photo
        handle.write(data)


def _said(services: Services, request: Request, key: str, **params) -> list[Reply]:
    """`key` said to the person: before the open form's question again when a form is open (the
    form goes on where it was), else with the home menu after "no report open"."""
    session = request.session
    if session is not None:
        return [services.engine.current(request.identity, session, key, **params)]
    if key == "photo.no_report":
        return [Reply(t("other_no_form") + " " + t(key, **params), menu.home_buttons(request))]
    return [Reply(t(key, **params))]


def _minutes() -> int:
    return int(WINDOW.total_seconds() // 60)


def _megabytes() -> int:
    return MAX_BYTES // (1024 * 1024)


# --- around a form's turn (handlers.router) -----------------------------------------------------

@dataclass(frozen=True)
class TurnPhotos:
    """What a form's turn did to the person's waiting photos, inside its transaction: how many went
    to the meeting it saved (None: no meeting saved), and the files of those it let go."""

    linked: int | None = None
    discarded: tuple[str, ...] = ()


def on_turn(tx, identity, turn, now) -> TurnPhotos:
    """Inside the transaction that took a form's turn: when it saved a meeting, the photos waiting
    on the form go to that meeting, and the person's photos of the next minutes too; when it ended
    the form (saved, cancelled or removed), whatever still waits is a leftover (of this form, or of
    one ended by /huy or left to expire) and is let go, its files removed by `after_turn`."""
    if turn is None:
        return TurnPhotos()
    linked = _link(tx, identity, turn, now)
    if turn.outcome not in ("save", "cancel", "removed"):
        return TurnPhotos(linked)
    return TurnPhotos(linked, tuple(tx.photos.discard_waiting(identity.person.id)))


def _link(tx, identity, turn, now) -> int | None:
    if turn.outcome != "save" or turn.form is None or turn.form.name != MEETING_FORM:
        return None
    report_id = turn.state.get("report_id")
    if type(report_id) is int and tx.reports.get_meeting(report_id) is not None:
        meeting_id = report_id                       # a correction: the meeting it corrected
    else:
        meeting_id = tx.photos.last_meeting_by(identity.person.id)    # the one just written
    if meeting_id is None:
        return None
    return tx.photos.link(turn.session_id, meeting_id, identity.person.id, now)


async def after_turn(services: Services, photos: TurnPhotos, replies: list[Reply]) -> list[Reply]:
    """Once a form's turn committed: the files of the photos it let go are removed; a meeting saved
    with photos says how many went with it."""
    for path in photos.discarded:
        photo_file(services, path).unlink(missing_ok=True)
    if photos.linked and replies:
        first = replies[0]
        replies = [replace(first, text=first.text + "\n" + t("photo.saved_with", count=photos.linked)), *replies[1:]]
    return replies


async def discard_waiting(services: Services, person_id: int, keep: int | None = None) -> int:
    """Remove the person's photos waiting on forms that ended unsaved (all but the form `keep`),
    their files included; returns how many."""
    paths = await services.storage.photos.discard_waiting(person_id, keep)
    for path in paths:
        photo_file(services, path).unlink(missing_ok=True)
    return len(paths)
