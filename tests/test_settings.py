"""Settings: defaults, the data folder, one-line refusals, the file URL, and a token that never
reaches a log."""

from __future__ import annotations

import asyncio
import io
import logging
import os
import re
import subprocess
import sys
from contextlib import contextmanager
from pathlib import Path
from urllib.parse import quote

import pytest
from telegram import Bot
from telegram.error import InvalidToken

from bot import settings as settings_module
from bot.settings import DEFAULT_API_BASE_URL, SettingsError, configure_logging, load
from messages_vi import t
from tests.support.telegram_fake import TOKEN, FakeBotApi, LoopbackServer

SECRET = TOKEN.partition(":")[2]
ROOT = Path(__file__).parent.parent          # the project: pyproject.toml, .env, data/
PROXIES = ("HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY", "http_proxy", "https_proxy", "all_proxy")


def load_env(tmp_path: Path, **env: str):
    return load(env=env, env_file=tmp_path / "absent.env")


def test_defaults(tmp_path):
    settings = load_env(tmp_path)
    assert settings.telegram_token is None
    assert settings.telegram_api_base_url == DEFAULT_API_BASE_URL
    assert settings.telegram_file_base_url == "https://api.telegram.org/file/bot"
    assert settings.data_dir == ROOT / "data" and (ROOT / "pyproject.toml").is_file()
    assert settings.database_path == ROOT / "data" / "chidoan.sqlite3"
    assert settings.demo_database_path == ROOT / "data" / "demo.sqlite3"
    assert (settings.out_dir, settings.invites_dir) == (ROOT / "data" / "out", ROOT / "data" / "invites")
    assert (settings.log_level, settings.form_max_idle_days, settings.reminder_tick_seconds) == ("INFO", 7, 60)
    assert settings.calendar_file is None and settings.telegram_bot_username is None


def test_every_file_lives_under_the_data_folder_whatever_the_current_folder(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    moved = load_env(tmp_path, DATA_DIR="/srv/chidoan")
    assert moved.database_path == Path("/srv/chidoan/chidoan.sqlite3")
    assert moved.demo_database_path == Path("/srv/chidoan/demo.sqlite3")
    assert (moved.out_dir, moved.invites_dir) == (Path("/srv/chidoan/out"), Path("/srv/chidoan/invites"))
    relative = load_env(tmp_path, DATA_DIR="du-lieu", DATABASE_PATH="du-lieu/that.sqlite3")
    assert relative.data_dir == ROOT / "du-lieu"                          # from the project, not from tmp_path
    assert relative.database_path == ROOT / "du-lieu" / "that.sqlite3"
    assert load_env(tmp_path, DATABASE_PATH="/srv/a.sqlite3").database_path == Path("/srv/a.sqlite3")


def test_the_env_file_read_is_the_projects_not_the_current_folders(tmp_path, monkeypatch):
    assert settings_module.ENV_FILE == ROOT / ".env"
    monkeypatch.chdir(tmp_path)
    (tmp_path / ".env").write_text("LOG_LEVEL=LOUD\n")
    monkeypatch.setattr(settings_module, "ENV_FILE", tmp_path / "project.env")
    (tmp_path / "project.env").write_text("LOG_LEVEL=error\nTELEGRAM_BOT_USERNAME=@tanbien_bot\n")
    read = load(env={})
    assert (read.log_level, read.telegram_bot_username) == ("ERROR", "tanbien_bot")


def test_the_environment_wins_over_the_env_file(tmp_path):
    env_file = tmp_path / ".env"
    env_file.write_text(f"TELEGRAM_BOT_TOKEN={TOKEN}\nLOG_LEVEL=debug\nFORM_MAX_IDLE_DAYS=3\n")
    from_file = load(env={}, env_file=env_file)
    assert (from_file.telegram_token, from_file.log_level, from_file.form_max_idle_days) == (TOKEN, "DEBUG", 3)
    assert load(env={"LOG_LEVEL": "ERROR"}, env_file=env_file).log_level == "ERROR"


def test_the_token_is_not_in_the_settings_repr(tmp_path):
    settings = load_env(tmp_path, TELEGRAM_BOT_TOKEN=TOKEN)
    assert SECRET not in repr(settings) and "token=set" in repr(settings)


@pytest.mark.parametrize(("name", "value"), [
    ("TELEGRAM_BOT_TOKEN", "12345"),
    ("TELEGRAM_BOT_TOKEN", "123456789:short-secret"),
    ("TELEGRAM_BOT_TOKEN", TOKEN + " extra"),
    ("TELEGRAM_API_BASE_URL", "api.telegram.org/bot"),
    ("TELEGRAM_API_BASE_URL", "ftp://api.telegram.org/bot"),
    ("TELEGRAM_API_BASE_URL", "http://bad host/bot"),
    ("LOG_LEVEL", "LOUD"),
    ("FORM_MAX_IDLE_DAYS", "0"),
    ("REMINDER_TICK_SECONDS", "soon"),
    ("TELEGRAM_BOT_USERNAME", "t.me/chidoan_bot"),
    ("TELEGRAM_BOT_USERNAME", "chidoan"),
])
def test_a_malformed_setting_is_refused_in_one_line_naming_it(tmp_path, name, value):
    with pytest.raises(SettingsError) as refused:
        load_env(tmp_path, **{name: value})
    message = str(refused.value)
    assert name in message and "\n" not in message
    if name == "TELEGRAM_BOT_TOKEN":
        assert value not in message and "short-secret" not in message     # a token is not echoed


@pytest.mark.parametrize(("base", "files"), [
    ("https://api.telegram.org/bot", "https://api.telegram.org/file/bot"),
    ("http://127.0.0.1:8081/bot", "http://127.0.0.1:8081/file/bot"),
    ("https://tg.example.org/proxy/bot", "https://tg.example.org/proxy/file/bot"),
])
def test_the_file_url_is_on_the_same_server_under_file_bot(tmp_path, base, files):
    assert load_env(tmp_path, TELEGRAM_API_BASE_URL=base).telegram_file_base_url == files


SETTINGS = ("TELEGRAM_BOT_TOKEN", "TELEGRAM_BOT_USERNAME", "TELEGRAM_API_BASE_URL", "LOG_LEVEL",
            "FORM_MAX_IDLE_DAYS", "CALENDAR_FILE", "REMINDER_TICK_SECONDS",
            "ZALO_BOT_TOKEN", "ZALO_API_BASE_URL", "ZALO_WEBHOOK_SECRET", "ZALO_MONTHLY_QUOTA", "ZALO_BOTS_FILE",
            "PUBLIC_URL", "TELEGRAM_WEBHOOK_SECRET", "HOST", "PORT", "BACKUP_KEEP", "LOG_FORMAT", "DATABASE_URL")


def offline_env(tmp_path: Path, **settings: str) -> dict[str, str]:
    """A process environment with no proxy and no network settings, the data in tmp_path, and
    every other setting empty (the default), whatever the project's own .env says."""
    return {"PATH": os.environ.get("PATH", ""), "HOME": str(tmp_path), "NO_PROXY": "*",
            **dict.fromkeys(SETTINGS, ""),
            "DATA_DIR": str(tmp_path / "data"), "DATABASE_PATH": str(tmp_path / "db.sqlite3"), **settings}


@pytest.mark.parametrize("setting", [
    {"TELEGRAM_BOT_TOKEN": "123456789:short-secret"},
    {"TELEGRAM_API_BASE_URL": "api.telegram.org/bot"},
    {"LOG_LEVEL": "LOUD"},
])
def test_python_m_bot_with_a_malformed_setting_says_one_line_and_stops(tmp_path, setting):
    done = subprocess.run([sys.executable, "-m", "bot"], cwd=tmp_path, env=offline_env(tmp_path, **setting),
                          capture_output=True, text=True, timeout=60)
    assert done.returncode != 0
    assert done.stdout == ""
    line = done.stderr.strip()
    assert "\n" not in line and "Traceback" not in line
    assert line.startswith(t("cli.settings_error", error="")) and next(iter(setting)) in line
    assert "short-secret" not in done.stderr


async def test_python_m_bot_with_a_rejected_token_never_prints_it(tmp_path):
    api = FakeBotApi()
    api.token_revoked = True
    async with LoopbackServer(api) as server:
        env = offline_env(tmp_path, TELEGRAM_BOT_TOKEN=TOKEN, TELEGRAM_API_BASE_URL=server.base_url,
                          LOG_LEVEL="DEBUG")
        process = await asyncio.create_subprocess_exec(
            sys.executable, "-m", "bot", cwd=tmp_path, env=env,
            stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE)
        out, err = await asyncio.wait_for(process.communicate(), 60)
    assert process.returncode == 1
    assert [c.method for c in api.calls] == ["getMe"]           # it did ask our server, and only it
    output = (out + err).decode()
    assert "Telegram từ chối TELEGRAM_BOT_TOKEN" in err.decode() and "Traceback" not in output
    assert SECRET not in output


@contextmanager
def configured(settings, stream):
    """configure_logging for one test, then the logging pytest set up, back as it was."""
    root = logging.getLogger()
    saved = (root.handlers[:], root.level, sys.excepthook,
             {name: logging.getLogger(name).level for name in ("httpx", "httpcore")})
    configure_logging(settings, stream)
    try:
        yield
    finally:
        root.handlers[:], root.level, sys.excepthook = saved[0], saved[1], saved[2]
        for name, level in saved[3].items():
            logging.getLogger(name).setLevel(level)


async def test_the_token_never_reaches_the_log_at_debug(tmp_path, monkeypatch):
    for name in PROXIES:
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("NO_PROXY", "*")
    stream = io.StringIO()
    api = FakeBotApi()
    async with LoopbackServer(api) as server:
        settings = load_env(tmp_path, TELEGRAM_BOT_TOKEN=TOKEN, TELEGRAM_API_BASE_URL=server.base_url,
                            LOG_LEVEL="debug")
        with configured(settings, stream):
            assert logging.getLogger("httpx").getEffectiveLevel() == logging.WARNING
            async with Bot(TOKEN, base_url=server.base_url, base_file_url=settings.telegram_file_base_url) as bot:
                file = await bot.get_file("report")
                logging.getLogger("httpx").setLevel(logging.INFO)     # as if someone turned it up
                assert bytes(await file.download_as_bytearray()) == b"file content"
            try:
                raise InvalidToken(f"The token `{TOKEN}` was rejected; GET {api.calls[-1].url} failed")
            except InvalidToken:
                logging.getLogger("bot.test").exception("request failed")
                sys.excepthook(*sys.exc_info())                     # as an uncaught error would be
    log = stream.getvalue()
    assert "Set Bot API URL" in log and "HTTP Request: GET" in log      # the URLs were logged...
    assert log.count("Traceback") == 2 and "InvalidToken" in log
    assert quote(TOKEN) in api.calls[-1].url                            # (the download URL encodes it)
    assert TOKEN not in log and quote(TOKEN) not in log and SECRET not in log   # ...without the token
    assert "<token>" in log


def test_the_example_env_file_documents_every_setting_in_vietnamese(tmp_path):
    example = ROOT / ".env.example"
    blocks = example.read_text(encoding="utf-8").split("\n\n")
    documented = {}
    for block in blocks[1:]:
        *comments, setting = block.strip().splitlines()
        documented[setting.partition("=")[0]] = " ".join(line.lstrip("# ") for line in comments)
    assert set(documented) == {*SETTINGS, "DATA_DIR", "DATABASE_PATH", "DOMAIN"}      # DOMAIN: for Caddy
    for name, text in documented.items():
        assert text and re.search(r"[ăâđêôơưạảấầẩẫậắằẳẵặẹẻẽếềểễệỉịọỏốồổỗộớờởỡợụủứừửữựỳỵỷỹ]", text), name
    copied = load(env={}, env_file=example)           # a copied example starts the terminal chat
    assert copied.telegram_token is None and copied.database_path == ROOT / "data" / "chidoan.sqlite3"


# --- Zalo ----------------------------------------------------------------------------------------------

ZALO_TOKEN = "3618093452916839011:kQ7vN2xLp9WmR4tYbZ8cHsD1fJ6gUa3eXo5iVn0qTrKyB"


def test_zalo_defaults_are_off_with_the_official_base_and_the_free_quota(tmp_path):
    from bot.channels import zalo_api

    settings = load_env(tmp_path)
    assert settings.zalo_token is None and settings.zalo_webhook_secret is None
    assert settings.zalo_api_base_url == settings_module.ZALO_DEFAULT_API_BASE_URL == zalo_api.BASE_URL
    assert settings.zalo_monthly_quota == 3000


def test_zalo_settings_are_read(tmp_path):
    settings = load_env(tmp_path, ZALO_BOT_TOKEN=f" {ZALO_TOKEN} ", ZALO_API_BASE_URL="http://127.0.0.1:8099/",
                        ZALO_WEBHOOK_SECRET="bi-mat-du-dai_2026", ZALO_MONTHLY_QUOTA="12000")
    assert (settings.zalo_token, settings.zalo_api_base_url, settings.zalo_webhook_secret,
            settings.zalo_monthly_quota) == (ZALO_TOKEN, "http://127.0.0.1:8099", "bi-mat-du-dai_2026", 12000)
    assert settings.telegram_token is None                 # Zalo alone is enough
    shown = repr(settings)
    assert "zalo_token=set" in shown and ZALO_TOKEN.partition(":")[2] not in shown and "bi-mat" not in shown
    assert load_env(tmp_path, ZALO_WEBHOOK_SECRET="x" * 8).zalo_webhook_secret == "x" * 8
    assert load_env(tmp_path, ZALO_WEBHOOK_SECRET="x" * 256).zalo_webhook_secret == "x" * 256


@pytest.mark.parametrize(("name", "value"), [
    ("ZALO_BOT_TOKEN", "short"),
    ("ZALO_BOT_TOKEN", ZALO_TOKEN + " extra"),
    ("ZALO_BOT_TOKEN", "3618093452916839011/kQ7vN2xLp9WmR4tYbZ8c"),
    ("ZALO_BOT_TOKEN", "3618093452916839011:kQ7vN2xLp9WmR4tYbZ8cé"),
    ("ZALO_API_BASE_URL", "bot-api.zaloplatforms.com"),
    ("ZALO_API_BASE_URL", "ftp://bot-api.zaloplatforms.com"),
    ("ZALO_WEBHOOK_SECRET", "ngan"),
    ("ZALO_WEBHOOK_SECRET", "x" * 257),
    ("ZALO_WEBHOOK_SECRET", "bí mật có dấu cách"),
    ("ZALO_MONTHLY_QUOTA", "0"),
    ("ZALO_MONTHLY_QUOTA", "ba nghìn"),
])
def test_a_malformed_zalo_setting_is_refused_in_one_vietnamese_line_naming_it(tmp_path, name, value):
    with pytest.raises(SettingsError) as refused:
        load_env(tmp_path, **{name: value})
    message = str(refused.value)
    assert name in message and "\n" not in message
    assert re.search(r"[ảạấầđếềểọộởụứ]", message)                 # Vietnamese
    if name in ("ZALO_BOT_TOKEN", "ZALO_WEBHOOK_SECRET"):
        assert value not in message and "kQ7vN2xLp9WmR4tYbZ8c" not in message and "bí mật" not in message


def test_python_m_bot_with_a_malformed_zalo_setting_says_one_line_and_stops(tmp_path):
    setting = {"ZALO_WEBHOOK_SECRET": "ngan"}
    done = subprocess.run([sys.executable, "-m", "bot"], cwd=tmp_path, env=offline_env(tmp_path, **setting),
                          capture_output=True, text=True, timeout=60)
    assert done.returncode != 0 and done.stdout == ""
    line = done.stderr.strip()
    assert "\n" not in line and "Traceback" not in line and "ZALO_WEBHOOK_SECRET" in line and "ngan" not in line


def test_the_zalo_token_and_webhook_secret_never_reach_the_log(tmp_path):
    stream = io.StringIO()
    secret = "bi-mat-webhook-2026"
    settings = load_env(tmp_path, ZALO_BOT_TOKEN=ZALO_TOKEN, ZALO_WEBHOOK_SECRET=secret, LOG_LEVEL="debug")
    with configured(settings, stream):
        log = logging.getLogger("bot.test")
        log.info("POST https://bot-api.zaloplatforms.com/bot%s/sendMessage", ZALO_TOKEN)
        log.info("encoded /bot%s/getMe", quote(ZALO_TOKEN, safe=""))
        log.info("secret header %s", secret)
    text = stream.getvalue()
    assert ZALO_TOKEN not in text and ZALO_TOKEN.partition(":")[2] not in text and secret not in text
    assert text.count("<token>") == 3


def test_a_short_tail_after_a_colon_is_not_blanked_everywhere():
    from bot.settings import RedactingFormatter

    formatter = RedactingFormatter("%(message)s", ["1234567890:ab", "tg:" + "s" * 40])
    record = logging.LogRecord("x", logging.INFO, __file__, 1, "a lab at 1234567890:ab, tg %s",
                               ("s" * 40,), None)
    assert formatter.format(record) == "a lab at <token>, tg <token>"


# --- several Zalo bots: ZALO_BOTS_FILE -------------------------------------------------------------------

MOT_TOKEN = "4718093452916839022:aQ7vN2xLp9WmR4tYbZ8cHsD1fJ6gUa3eXo5iVn0qTrKyM"
HAI_TOKEN = "5818093452916839033:bR8wO3yMq0XnS5uZcA9dItE2gK7hVb4fYp6jWo1rUsLzN"
BOTS_TOML = f"""# one [[bot]] a Zalo bot
[[bot]]
key = "xa-mot"
token = "{MOT_TOKEN}"
units = ["G1", " B5 "]

[[bot]]
key = "xa_hai"
token = "{HAI_TOKEN}"
units = ["D2"]
quota = 6000
"""


def bots_env(tmp_path: Path, text: str, **env: str):
    (tmp_path / "bots.toml").write_text(text, encoding="utf-8")
    return load_env(tmp_path, ZALO_BOTS_FILE=str(tmp_path / "bots.toml"), **env)


def test_the_zalo_bots_file_is_read_and_its_tokens_are_secrets_never_shown(tmp_path):
    from bot.settings import ZaloBot

    settings = bots_env(tmp_path, BOTS_TOML, ZALO_BOT_TOKEN=ZALO_TOKEN)
    assert settings.zalo_bots == (ZaloBot("xa-mot", MOT_TOKEN, ("G1", "B5")), ZaloBot("xa_hai", HAI_TOKEN, ("D2",), 6000))
    assert {MOT_TOKEN, HAI_TOKEN, ZALO_TOKEN} <= set(settings.secrets)
    shown = repr(settings) + repr(settings.zalo_bots)
    assert "xa-mot" in shown and MOT_TOKEN.partition(":")[2] not in shown and HAI_TOKEN.partition(":")[2] not in shown
    with pytest.raises(SettingsError) as missing:                               # a relative path: from the project
        load_env(tmp_path, ZALO_BOTS_FILE="khong-co/bots.toml")
    assert str(ROOT / "khong-co" / "bots.toml") in str(missing.value)


@pytest.mark.parametrize(("text", "named", "says"), [
    (BOTS_TOML.replace('key = "xa_hai"', 'key = "Xã Hai"'), "bot thứ 2", "key"),
    (BOTS_TOML.replace('key = "xa_hai"', 'key = "xa-mot"'), "bot xa-mot", "key xa-mot"),
    (BOTS_TOML.replace(HAI_TOKEN, MOT_TOKEN), "bot xa_hai", "bot xa-mot"),
    (BOTS_TOML.replace(HAI_TOKEN, HAI_TOKEN + " x"), "bot xa_hai", "token"),
    (BOTS_TOML.replace(HAI_TOKEN, ZALO_TOKEN), "bot xa_hai", "ZALO_BOT_TOKEN"),
    (BOTS_TOML.replace('units = ["D2"]', 'units = ["G1"]'), "bot xa_hai", "G1"),
    (BOTS_TOML.replace('units = ["D2"]', "units = []"), "bot xa_hai", "units"),
    (BOTS_TOML.replace('units = ["D2"]', 'units = "D2"'), "bot xa_hai", "units"),
    (BOTS_TOML.replace("quota = 6000", "quota = 0"), "bot xa_hai", "quota"),
    (BOTS_TOML.replace("quota = 6000", 'unit = "B3"'), "bot xa_hai", "unit"),
    (BOTS_TOML.replace('key = "xa_hai"\n', ""), "bot thứ 2", "key"),
    ('[bot]\nkey = "xa-mot"\n', "", "[[bot]]"),
    ('bots = []\n', "", "bots"),
    ("", "", "[[bot]]"),
    (BOTS_TOML.replace('key = "xa_hai"', "key = xa_hai"), "", "dòng 8"),
])
def test_a_malformed_bots_file_is_one_vietnamese_line_naming_the_bot_never_its_token(tmp_path, text, named, says):
    with pytest.raises(SettingsError) as refused:
        bots_env(tmp_path, text, ZALO_BOT_TOKEN=ZALO_TOKEN)
    message = str(refused.value)
    assert "\n" not in message and str(tmp_path / "bots.toml") in message and named in message and says in message
    assert re.search(r"[ảạấầđếềểọộởụứ]", message)
    for token in (MOT_TOKEN, HAI_TOKEN, ZALO_TOKEN):
        assert token.partition(":")[2][:20] not in message


def test_a_missing_bots_file_is_named(tmp_path):
    with pytest.raises(SettingsError) as refused:
        load_env(tmp_path, ZALO_BOTS_FILE=str(tmp_path / "khong-co.toml"))
    assert str(tmp_path / "khong-co.toml") in str(refused.value) and "ZALO_BOTS_FILE" in str(refused.value)


def test_the_bots_tokens_never_reach_the_log(tmp_path):
    stream = io.StringIO()
    with configured(bots_env(tmp_path, BOTS_TOML), stream):
        logging.getLogger("bot.test").info("POST /bot%s/getMe and /bot%s/getMe", MOT_TOKEN, quote(HAI_TOKEN, safe=""))
    text = stream.getvalue()
    assert MOT_TOKEN.partition(":")[2] not in text and HAI_TOKEN.partition(":")[2] not in text
    assert text.count("<token>") == 2


# --- DATABASE_URL: SQLite or PostgreSQL ---------------------------------------------------------------

PG_PASSWORD = "p@ss:w0rd-2026"
PG_URL = f"postgresql://chidoan:{quote(PG_PASSWORD, safe='')}@db.tinhdoan.vn:5432/chidoan"


def test_without_database_url_the_database_is_the_sqlite_file(tmp_path):
    settings = load_env(tmp_path, DATABASE_PATH="/srv/a.sqlite3")
    assert settings.database_url is None and settings.database == Path("/srv/a.sqlite3")


def test_a_sqlite_url_names_the_file_relative_to_the_project_or_absolute(tmp_path):
    relative = load_env(tmp_path, DATABASE_URL="sqlite:///du-lieu/b.sqlite3", DATABASE_PATH="/srv/a.sqlite3")
    assert relative.database_url is None and relative.database == ROOT / "du-lieu" / "b.sqlite3"
    assert load_env(tmp_path, DATABASE_URL="sqlite:////srv/c.sqlite3").database == Path("/srv/c.sqlite3")


def test_a_postgresql_url_selects_postgresql_and_its_password_is_a_secret(tmp_path):
    settings = load_env(tmp_path, DATABASE_URL=PG_URL)
    assert settings.database == settings.database_url == PG_URL
    assert quote(PG_PASSWORD, safe="") in settings.secrets and PG_PASSWORD in settings.secrets
    assert PG_PASSWORD not in repr(settings) and quote(PG_PASSWORD, safe="") not in repr(settings)
    assert settings.database_shown == "postgresql://chidoan:***@db.tinhdoan.vn:5432/chidoan"
    assert load_env(tmp_path, DATABASE_URL="postgres://db/chidoan").database == "postgres://db/chidoan"


@pytest.mark.parametrize("value", [
    "mysql://chidoan:p@ss@db/chidoan",
    "sqlite:///",
    f"postgresql://chidoan:{quote(PG_PASSWORD, safe='')}@db.tinhdoan.vn:cong/chidoan",
    f"postgresql://chidoan:{quote(PG_PASSWORD, safe='')}@db/chidoan?sslmod=require",
    "postgresql://chidoan:%zz@db/chidoan",
])
def test_a_malformed_database_url_is_one_vietnamese_line_without_its_password(tmp_path, value):
    with pytest.raises(SettingsError) as refused:
        load_env(tmp_path, DATABASE_URL=value)
    message = str(refused.value)
    assert message.startswith("DATABASE_URL") and "\n" not in message and "không dùng được" in message
    assert PG_PASSWORD not in message and quote(PG_PASSWORD, safe="") not in message
    assert "p@ss@" not in message and "%zz@" not in message


def test_python_m_bot_with_a_malformed_database_url_says_one_line_and_stops(tmp_path):
    setting = {"DATABASE_URL": f"postgresql://chidoan:{quote(PG_PASSWORD, safe='')}@db:cong/chidoan"}
    done = subprocess.run([sys.executable, "-m", "bot"], cwd=tmp_path, env=offline_env(tmp_path, **setting),
                          capture_output=True, text=True, timeout=60)
    assert done.returncode != 0 and done.stdout == ""
    line = done.stderr.strip()
    assert "\n" not in line and line.startswith(t("cli.settings_error", error="")) and "DATABASE_URL" in line
    assert quote(PG_PASSWORD, safe="") not in line


def test_the_database_password_never_reaches_the_log(tmp_path):
    stream = io.StringIO()
    settings = load_env(tmp_path, DATABASE_URL=PG_URL, LOG_LEVEL="debug")
    with configured(settings, stream):
        log = logging.getLogger("bot.test")
        log.info("connecting to %s", PG_URL)
        log.warning("login refused for password %s", PG_PASSWORD)
    text = stream.getvalue()
    assert PG_PASSWORD not in text and quote(PG_PASSWORD, safe="") not in text
    assert "postgresql://chidoan:<token>@db.tinhdoan.vn" in text
