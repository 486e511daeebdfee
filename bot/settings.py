"""Settings from the environment or the project's `.env` file, checked once at start-up.

Every file the bot keeps lives under one data folder (DATA_DIR, by default `data/` beside the
code), whatever folder the bot is started from.
"""

from __future__ import annotations

import codecs
import io
import json
import logging
import os
import re
import sys
import tomllib
from dataclasses import dataclass, field
from pathlib import Path

from dotenv import dotenv_values
from dotenv.parser import parse_stream

from messages_vi import t
from storage.sql import is_postgres_url, url_passwords, url_without_password

DEFAULT_API_BASE_URL = "https://api.telegram.org/bot"
TOKEN_SHAPE = re.compile(r"^\d{5,20}:[A-Za-z0-9_-]{30,64}$")
LOG_LEVELS = ("DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL")
# Telegram's rule for a bot's username: 5 to 32 letters, digits or _, ending in "bot".
USERNAME_SHAPE = re.compile(r"^[A-Za-z][A-Za-z0-9_]{1,28}[Bb][Oo][Tt]$")
BASE_URL_SHAPE = re.compile(r"^https?://[^\s/]+(/\S*)?$")

# Zalo Bot Platform (bot/channels/zalo_api.py has the same base). Its token goes into every URL
# path, so it may hold only characters that need no escaping there; its exact form is not
# published, so the check stops at that.
ZALO_DEFAULT_API_BASE_URL = "https://bot-api.zaloplatforms.com"
ZALO_TOKEN_SHAPE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9:_.~-]{9,511}$")
# setWebhook's secret_token: 8 to 256 characters, sent back in the X-Bot-Api-Secret-Token header
# (so visible ASCII only: no spaces, no accents)
ZALO_SECRET_SHAPE = re.compile(r"^[\x21-\x7e]{8,256}$")
ZALO_FREE_MONTHLY_QUOTA = 3000          # messages a month on Zalo's free plan
# A bot's key in ZALO_BOTS_FILE: its name in logs and errors and its webhook path, /zalo/<key>.
ZALO_BOT_KEY_SHAPE = re.compile(r"^[a-z0-9][a-z0-9_-]{0,39}$")
ZALO_BOT_FIELDS = ("key", "token", "units", "quota")

# python -m bot serve (bot/web.py). Telegram's setWebhook secret_token: 1 to 256 of A-Z a-z 0-9 _ -,
# sent back in X-Telegram-Bot-Api-Secret-Token; we ask for 16 at least, so it cannot be guessed.
TELEGRAM_SECRET_SHAPE = re.compile(r"^[A-Za-z0-9_-]{16,256}$")
# Where Telegram and Zalo reach the bot: https only (Telegram refuses anything else), no query.
PUBLIC_URL_SHAPE = re.compile(r"^https://[^\s/?#]+(/[^\s?#]*)?$")
HOST_SHAPE = re.compile(r"^[A-Za-z0-9.:_-]{1,255}$")
LOG_FORMATS = ("text", "json")
DEFAULT_BACKUP_KEEP = 14

# The project's folder (beside pyproject.toml), found from this file and never from the current
# folder: started from elsewhere, the bot must still find its .env and its data.
PROJECT_ROOT = Path(__file__).resolve().parent.parent
ENV_FILE = PROJECT_ROOT / ".env"
DEFAULT_DATA_DIR = PROJECT_ROOT / "data"


@dataclass(frozen=True)
class ZaloBot:
    """One Zalo bot of ZALO_BOTS_FILE: its key (never the token) names it in logs, errors and its
    webhook path; it answers the invite codes of `units` and of the units below them."""

    key: str
    token: str = field(repr=False)
    units: tuple[str, ...]
    monthly_quota: int | None = None         # None: ZALO_MONTHLY_QUOTA


class SettingsError(ValueError):
    """A setting is missing or malformed; the message is one Vietnamese line naming it."""


@dataclass(frozen=True)
class Settings:
    telegram_token: str | None
    telegram_api_base_url: str
    database_path: Path
    log_level: str
    form_max_idle_days: int
    calendar_file: Path | None
    reminder_tick_seconds: int
    data_dir: Path = DEFAULT_DATA_DIR
    telegram_bot_username: str | None = None
    zalo_token: str | None = None
    zalo_api_base_url: str = ZALO_DEFAULT_API_BASE_URL
    zalo_webhook_secret: str | None = None
    zalo_monthly_quota: int = ZALO_FREE_MONTHLY_QUOTA
    host: str = "127.0.0.1"
    port: int = 8080
    public_url: str | None = None
    telegram_webhook_secret: str | None = None
    backup_keep: int = DEFAULT_BACKUP_KEEP
    log_format: str = "text"
    zalo_bots: tuple[ZaloBot, ...] = ()        # ZALO_BOTS_FILE's, beside ZALO_BOT_TOKEN's bot if set
    # DATABASE_URL when it names PostgreSQL; None: SQLite, the file at database_path
    database_url: str | None = field(default=None, repr=False)

    @property
    def database(self) -> str | Path:
        """What storage opens (storage.Storage.open): the PostgreSQL URL, else the SQLite file."""
        return self.database_url or self.database_path

    @property
    def demo_database_path(self) -> Path:
        """The terminal chat's demo database, made on first use."""
        return self.data_dir / "demo.sqlite3"

    @property
    def out_dir(self) -> Path:
        """Where exports and the files the bot sends as attachments are written."""
        return self.data_dir / "out"

    @property
    def invites_dir(self) -> Path:
        """Where `invites create` writes its files of live codes."""
        return self.data_dir / "invites"

    @property
    def backups_dir(self) -> Path:
        """Where `python -m bot backup` and the nightly backup write."""
        return self.data_dir / "backups"

    @property
    def telegram_file_base_url(self) -> str:
        """Where files are downloaded from: the same server as the API, under /file/bot."""
        base = self.telegram_api_base_url
        return base[: -len("bot")] + "file/bot" if base.endswith("/bot") else base.rstrip("/") + "/file/bot"

    def __repr__(self) -> str:           # never print a token or a secret, even by accident
        token = "set" if self.telegram_token else "unset"
        zalo = "set" if self.zalo_token else "unset"
        return (f"Settings(token={token}, api={self.telegram_api_base_url!r}, zalo_token={zalo}, "
                f"zalo_api={self.zalo_api_base_url!r}, db={self.database_shown!r}, "
                f"public_url={self.public_url!r}, zalo_bots={[bot.key for bot in self.zalo_bots]!r})")

    @property
    def database_shown(self) -> str:
        """The database as a person may be shown it: the file, or the URL without its password."""
        return url_without_password(self.database_url) if self.database_url else str(self.database_path)

    @property
    def secrets(self) -> list[str]:
        """Everything that must never reach a log line (the database URL's password included)."""
        return [s for s in (self.telegram_token, self.zalo_token, self.zalo_webhook_secret,
                            self.telegram_webhook_secret, *(bot.token for bot in self.zalo_bots),
                            *url_passwords(self.database_url or "")) if s]


def load(env: dict[str, str] | None = None, env_file: str | Path | None = None) -> Settings:
    """Read the settings: the process environment wins over the `.env` file (the project's).

    A relative path in a setting is taken from the project's folder, where `.env` is."""
    env_file = ENV_FILE if env_file is None else env_file
    values = _env_file_values(Path(env_file)) if Path(env_file).is_file() else {}
    values.update(os.environ if env is None else env)

    def get(name: str, default: str = "") -> str:
        return (values.get(name) or default).strip()

    token = get("TELEGRAM_BOT_TOKEN") or None
    if token is not None and not TOKEN_SHAPE.match(token):
        raise SettingsError(t("settings.bad_token"))
    base_url = get("TELEGRAM_API_BASE_URL", DEFAULT_API_BASE_URL)
    if not BASE_URL_SHAPE.match(base_url):
        raise SettingsError(t("settings.bad_base_url", default=DEFAULT_API_BASE_URL))
    zalo_token = get("ZALO_BOT_TOKEN") or None
    if zalo_token is not None and not ZALO_TOKEN_SHAPE.match(zalo_token):
        raise SettingsError(t("settings.bad_zalo_token"))
    zalo_base_url = get("ZALO_API_BASE_URL", ZALO_DEFAULT_API_BASE_URL).rstrip("/")
    if not BASE_URL_SHAPE.match(zalo_base_url):
        raise SettingsError(t("settings.bad_zalo_base_url", default=ZALO_DEFAULT_API_BASE_URL))
    zalo_secret = get("ZALO_WEBHOOK_SECRET") or None
    if zalo_secret is not None and not ZALO_SECRET_SHAPE.match(zalo_secret):
        raise SettingsError(t("settings.bad_zalo_secret", length=len(zalo_secret)))
    telegram_secret = get("TELEGRAM_WEBHOOK_SECRET") or None
    if telegram_secret is not None and not TELEGRAM_SECRET_SHAPE.match(telegram_secret):
        raise SettingsError(t("settings.bad_telegram_secret", length=len(telegram_secret)))
    public_url = get("PUBLIC_URL").rstrip("/") or None
    if public_url is not None and not PUBLIC_URL_SHAPE.match(public_url):
        raise SettingsError(t("settings.bad_public_url", value=public_url))
    host = get("HOST", "127.0.0.1")
    if not HOST_SHAPE.match(host):
        raise SettingsError(t("settings.bad_host", value=host))
    port = get("PORT", "8080")
    if not re.fullmatch(r"[0-9]{1,5}", port) or not 1 <= int(port) <= 65535:
        raise SettingsError(t("settings.bad_port", value=port))
    log_format = get("LOG_FORMAT", "text").lower()
    if log_format not in LOG_FORMATS:
        raise SettingsError(t("settings.bad_log_format", formats=", ".join(LOG_FORMATS), value=log_format))
    level = get("LOG_LEVEL", "INFO").upper()
    if level not in LOG_LEVELS:
        raise SettingsError(t("settings.bad_log_level", levels=", ".join(LOG_LEVELS)))
    username = get("TELEGRAM_BOT_USERNAME").removeprefix("@") or None
    if username is not None and not USERNAME_SHAPE.match(username):
        raise SettingsError(t("settings.bad_username", value=username))
    data_dir = _path(get("DATA_DIR")) or DEFAULT_DATA_DIR
    if data_dir.exists() and not data_dir.is_dir():
        raise SettingsError(t("settings.data_dir_not_folder", path=data_dir))
    database_url, database_file = _database_url(get("DATABASE_URL"))
    database_path = database_file or _path(get("DATABASE_PATH")) or data_dir / "chidoan.sqlite3"
    if database_path.is_dir():
        raise SettingsError(t("settings.database_path_folder", path=database_path,
                              example=database_path / "chidoan.sqlite3"))
    calendar = _path(get("CALENDAR_FILE"))
    if calendar and not calendar.is_file():
        raise SettingsError(t("settings.no_calendar", path=calendar))
    return Settings(
        telegram_token=token,
        telegram_api_base_url=base_url,
        database_path=database_path,
        log_level=level,
        form_max_idle_days=_positive(get, "FORM_MAX_IDLE_DAYS", "7"),
        calendar_file=calendar,
        reminder_tick_seconds=_positive(get, "REMINDER_TICK_SECONDS", "60"),
        data_dir=data_dir,
        telegram_bot_username=username,
        zalo_token=zalo_token,
        zalo_api_base_url=zalo_base_url,
        zalo_webhook_secret=zalo_secret,
        zalo_monthly_quota=_positive(get, "ZALO_MONTHLY_QUOTA", str(ZALO_FREE_MONTHLY_QUOTA)),
        host=host,
        port=int(port),
        public_url=public_url,
        telegram_webhook_secret=telegram_secret,
        backup_keep=_positive(get, "BACKUP_KEEP", str(DEFAULT_BACKUP_KEEP)),
        log_format=log_format,
        zalo_bots=_zalo_bots(_path(get("ZALO_BOTS_FILE")), zalo_token),
        database_url=database_url,
    )


def _env_file_values(path: Path) -> dict[str, str]:
    """The settings of a `.env` file as Notepad may save it: UTF-8 (with or without a BOM) or
    "Unicode" (UTF-16, with its BOM); any other encoding is one line naming the line to fix."""
    raw = path.read_bytes()
    try:
        text = raw.decode("utf-16") if raw.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)) \
            else raw.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        line = raw[:error.start].count(b"\n") + 1
        raise SettingsError(t("settings.env_not_utf8", path=path, line=line)) from None
    # python-dotenv skips a line it cannot read with a warning: a token on it would be lost, and the
    # bot would start without it (as the terminal's demo chat)
    unread = next((b.original.line for b in parse_stream(io.StringIO(text)) if b.error), None)
    if unread is not None:
        raise SettingsError(t("settings.env_line", path=path, line=unread))
    return {k: v for k, v in dotenv_values(stream=io.StringIO(text)).items() if v is not None}


def _database_url(url: str) -> tuple[str | None, Path | None]:
    """DATABASE_URL: (the PostgreSQL URL, None), (None, the SQLite file of sqlite:///path), or
    (None, None) when unset: SQLite at DATABASE_PATH. A malformed one is one line, its password hidden."""
    if not url:
        return None, None
    problem = None
    if url.startswith("sqlite:///"):
        if url[len("sqlite:///"):].strip():
            return None, _path(url[len("sqlite:///"):])        # sqlite:////srv/a.sqlite3: an absolute path
        problem = t("settings.database_url.no_file")
    elif is_postgres_url(url):
        from storage.postgres import url_problem               # psycopg, only for PostgreSQL

        masked = unescaped_password(url)
        if masked is not None:
            raise SettingsError(t("settings.bad_database_url", value=masked,
                                  problem=t("settings.database_url.password_signs")))
        problem = url_problem(url)
        if problem is None:
            return url, None
    else:
        problem = t("settings.database_url.scheme")
    raise SettingsError(t("settings.bad_database_url", value=url_without_password(url), problem=problem))


# user:password@ at the start of a URL, the password up to the last @ before the host, as people
# write it; a host and port after it, then the path, the query or the end
_WRITTEN_PASSWORD = re.compile(r"^(?P<head>[A-Za-z][A-Za-z0-9+.-]*://[^/@:?#]*:)(?P<password>.*)@(?P<tail>[A-Za-z0-9.:\[\]%-]*([/?].*)?)$")


def unescaped_password(url: str) -> str | None:
    """The URL with its password hidden when the password holds @ / ? or # as typed, which the URL
    would read as its end (and then show part of it in an error); None when it has none of them."""
    found = _WRITTEN_PASSWORD.match(url)
    if found is None or not any(sign in found["password"] for sign in "@/?#"):
        return None
    return f"{found['head']}***@{found['tail']}"


def _path(text: str) -> Path | None:
    return PROJECT_ROOT / Path(text).expanduser() if text else None


def _positive(get, name: str, default: str) -> int:
    text = get(name, default)
    if not re.fullmatch(r"[0-9]{1,9}", text) or int(text) < 1:
        raise SettingsError(t("settings.bad_positive", name=name, value=text))
    return int(text)


def _zalo_bots(path: Path | None, env_token: str | None) -> tuple[ZaloBot, ...]:
    """ZALO_BOTS_FILE: several Zalo bots, one a commune (the free plan has 50 users a bot), as TOML
    `[[bot]]` tables of key, token, units and an optional quota. A problem is one line naming the
    bot by its key (or its place in the file), never by its token."""
    if path is None:
        return ()
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8-sig"))    # Notepad may write a BOM
    except FileNotFoundError:
        raise SettingsError(t("settings.zalo_bots.missing", path=path)) from None
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as error:
        # tomllib says where ("at line 3, column 9") and never quotes the file, a token included
        line = re.search(r"line (\d+)", str(error))
        where = t("settings.zalo_bots.where", line=line.group(1)) if line else ""
        raise SettingsError(t("settings.zalo_bots.not_toml", path=path, where=where)) from None
    if set(data) - {"bot"}:
        raise SettingsError(t("settings.zalo_bots.top", path=path, names=", ".join(sorted(set(data) - {"bot"}))))
    entries = data.get("bot")
    if not isinstance(entries, list) or not entries:
        raise SettingsError(t("settings.zalo_bots.empty", path=path))
    bots: list[ZaloBot] = []
    owner: dict[str, str] = {}                 # unit code -> the key of the bot it was given to
    for number, entry in enumerate(entries, 1):
        def refuse(problem: str, **values) -> SettingsError:
            named = entry.get("key") if isinstance(entry, dict) else None
            shown = named if isinstance(named, str) and ZALO_BOT_KEY_SHAPE.match(named) else \
                t("settings.zalo_bots.nth", number=number)
            return SettingsError(t("settings.zalo_bots.bad", path=path, bot=shown,
                                   problem=t(f"settings.zalo_bots.{problem}", **values)))

        if not isinstance(entry, dict):
            raise refuse("fields", names="?")
        extra = sorted(set(entry) - set(ZALO_BOT_FIELDS))
        if extra:
            raise refuse("fields", names=", ".join(extra))
        key, token, units, quota = (entry.get(name) for name in ZALO_BOT_FIELDS)
        if not isinstance(key, str) or not ZALO_BOT_KEY_SHAPE.match(key):
            raise refuse("key")
        if not isinstance(token, str) or not ZALO_TOKEN_SHAPE.match(token) or token == key:
            raise refuse("token")
        if not isinstance(units, list) or not units or not all(isinstance(u, str) and u.strip() for u in units):
            raise refuse("units")
        if quota is not None and (not isinstance(quota, int) or isinstance(quota, bool) or quota < 1):
            raise refuse("quota")
        if any(bot.key == key for bot in bots):
            raise refuse("same_key", bot=key)
        same = next((bot for bot in bots if bot.token == token), None)
        if same is not None:
            raise refuse("same_token", other=same.key)
        if token == env_token:
            raise refuse("token_of_env")
        codes = tuple(dict.fromkeys(u.strip() for u in units))
        for code in codes:
            if code in owner:
                raise refuse("same_unit", code=code, other=owner[code])
            owner[code] = key
        bots.append(ZaloBot(key, token, codes, quota))
    return tuple(bots)


MIN_SECRET_PART = 16          # a tail after a token's colon shorter than this is not redacted alone


class RedactingFormatter(logging.Formatter):
    """Replace secrets wherever they would appear in a log line, tracebacks included."""

    def __init__(self, fmt: str, secrets: list[str]):
        super().__init__(fmt)
        # A token's part after the colon is the secret; alone it also covers URLs where the
        # colon is percent-encoded (python-telegram-bot's file downloads). Only a long one: a
        # Zalo token or webhook secret with a short tail after a colon must not blank that tail
        # wherever it appears. Longest first, so a token goes before its own tail.
        parts = {part for s in secrets if s for part in (s, s.partition(":")[2])
                 if part and (part == s or len(part) >= MIN_SECRET_PART)}
        self.secrets = sorted(parts, key=len, reverse=True)

    def format(self, record: logging.LogRecord) -> str:
        return self.redact(super().format(record))

    def redact(self, text: str) -> str:
        for secret in self.secrets:
            text = text.replace(secret, "<token>")
        return text


# Fields a log call may add with `extra=` (bot/web.py does), kept as fields of a JSON line.
LOG_FIELDS = ("event", "channel", "chat", "update", "status", "kind", "ms", "ref", "path")


class JsonFormatter(RedactingFormatter):
    """LOG_FORMAT=json: one JSON object a line, for a log collector; secrets removed from every
    field before it is encoded (a secret with a quote in it would be escaped past the search)."""

    def __init__(self, secrets: list[str]):
        super().__init__("%(message)s", secrets)

    def format(self, record: logging.LogRecord) -> str:
        from datetime import datetime, timezone

        entry = {"time": datetime.fromtimestamp(record.created, timezone.utc).isoformat(timespec="milliseconds"),
                 "level": record.levelname, "logger": record.name, "message": self.redact(record.getMessage())}
        for name in LOG_FIELDS:
            value = getattr(record, name, None)
            if value is not None:
                entry[name] = self.redact(value) if isinstance(value, str) else value
        if record.exc_info:
            entry["error"] = self.redact(self.formatException(record.exc_info))
        return json.dumps(entry, ensure_ascii=False)


LOG_FORMAT = "%(asctime)s %(levelname)s %(name)s: %(message)s"


def configure_logging(settings: Settings, stream=None) -> None:
    """Log at the chosen level, token-free (Telegram's and Zalo's tokens, both webhook secrets), with
    httpx kept at WARNING (it logs URLs with the token); as text, or as JSON lines (LOG_FORMAT)."""
    handler = logging.StreamHandler(stream)
    if settings.log_format == "json":
        handler.setFormatter(JsonFormatter(settings.secrets))
    else:
        handler.setFormatter(RedactingFormatter(LOG_FORMAT, settings.secrets))
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(settings.log_level)
    logging.getLogger("httpx").setLevel(logging.WARNING)
    logging.getLogger("httpcore").setLevel(logging.WARNING)
    sys.excepthook = _log_uncaught


def _log_uncaught(kind, error, traceback) -> None:
    # Python prints an uncaught error raw to stderr, and some carry the token in their message
    # (python-telegram-bot's InvalidToken): through the handler, it is redacted.
    if issubclass(kind, KeyboardInterrupt):
        sys.__excepthook__(kind, error, traceback)
        return
    logging.getLogger("bot").critical("stopped by an unexpected error", exc_info=(kind, error, traceback))
