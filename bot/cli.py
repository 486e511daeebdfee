"""The command line: `python -m bot` runs the bot (`serve`: as on a server, with webhooks);
subcommands manage units and invites, exports, backups."""

from __future__ import annotations

import argparse
import asyncio
import csv
import errno
import os
import re
import sys
from datetime import timedelta
from pathlib import Path

from bot import app, settings as settings_module, startup
from domain import invites, units_csv
from messages_vi import t
from messages_vi.formatting import date_time
from storage.opening import CannotOpen, postgres_said

MAX_EXPIRES_DAYS = 365
# Asking Telegram for the bot's name when there is no network: 3 tries over 6 seconds, then the
# codes are printed without links.
USERNAME_ATTEMPTS = 3
USERNAME_FIRST_DELAY = 2.0


class HelpFormatter(argparse.HelpFormatter):
    """argparse's help, headed "Cách dùng:" instead of "usage:"."""

    def add_usage(self, usage, actions, groups, prefix=None):
        super().add_usage(usage, actions, groups, t("cli.help.usage") if prefix is None else prefix)


class Parser(argparse.ArgumentParser):
    """An ArgumentParser whose headings, -h and errors are in Vietnamese.

    argparse titles its own argument groups in English; every argument here goes into groups of
    ours instead, so those stay empty and are not shown."""

    def __init__(self, **kwargs):
        kwargs.setdefault("formatter_class", HelpFormatter)
        super().__init__(add_help=False, **kwargs)
        self.arguments = self.add_argument_group(t("cli.help.positionals"))
        self.options = self.add_argument_group(t("cli.help.options"))
        self.options.add_argument("-h", "--help", action="help", help=t("cli.help.help"))

    def add_argument(self, *names, **kwargs):
        group = self.options if names and names[0].startswith("-") else self.arguments
        return group.add_argument(*names, **kwargs)

    def error(self, message: str):
        self.print_usage(sys.stderr)
        self.exit(2, t("cli.error", prog=self.prog, message=_in_vietnamese(message)))


# argparse's own refusals, as Python 3.11-3.13 word them; anything else is shown as it is.
_ARGPARSE_ERRORS = (
    (re.compile(r"^the following arguments are required: (?P<names>.+)$"), "cli.error.required"),
    (re.compile(r"^unrecognized arguments: (?P<words>.+)$"), "cli.error.unrecognized"),
    (re.compile(r"^argument (?P<name>[^:]+): invalid choice: (?P<value>.+?) \(choose from (?P<choices>.+)\)$"),
     "cli.error.invalid_choice"),
    (re.compile(r"^argument (?P<name>[^:]+): invalid \S+ value: (?P<value>.+)$"), "cli.error.invalid_value"),
    (re.compile(r"^argument (?P<name>[^:]+): expected one argument$"), "cli.error.expected_one"),
    (re.compile(r"^ambiguous option: (?P<option>\S+) could match (?P<matches>.+)$"), "cli.error.ambiguous"),
    (re.compile(r"^argument (?P<name>[^:]+): (?P<message>.+)$"), "cli.error.argument"),
)


def _in_vietnamese(message: str) -> str:
    for pattern, key in _ARGPARSE_ERRORS:
        found = pattern.match(message)
        if found:
            return t(key, **found.groupdict())
    return message


def _expires_days(text: str) -> int:
    try:
        days = int(text)
    except ValueError:
        days = 0
    if not 1 <= days <= MAX_EXPIRES_DAYS:
        raise argparse.ArgumentTypeError(t("invites.bad_expires_days", value=text, most=MAX_EXPIRES_DAYS))
    return days


def _username(text: str) -> str:
    name = text.strip().removeprefix("@")
    if not settings_module.USERNAME_SHAPE.match(name):
        raise argparse.ArgumentTypeError(t("invites.bad_username", value=text))
    return name


def parser() -> argparse.ArgumentParser:
    top = Parser(prog="python -m bot", description=t("cli.help.about"))
    sub = top.add_subparsers(dest="command", metavar=t("cli.help.command"), title=t("cli.help.commands"))

    def command(parent, name: str, help_key: str, description_key: str | None = None) -> Parser:
        return parent.add_parser(name, help=t(help_key), description=t(description_key or help_key))

    def actions(parent):
        return parent.add_subparsers(dest="action", metavar=t("cli.help.action"), title=t("cli.help.actions"),
                                     required=True)

    def database(command_parser: Parser, help_key: str = "cli.help.existing_database") -> None:
        command_parser.add_argument("--database", type=Path, metavar=t("cli.help.file_metavar"), help=t(help_key))

    def unit(command_parser: Parser) -> None:
        command_parser.add_argument("--unit", required=True, metavar=t("cli.help.unit_metavar"),
                                    help=t("cli.help.unit"))

    command(sub, "run", "cli.help.run")
    command(sub, "serve", "cli.help.serve")
    database(command(sub, "chat", "cli.help.chat"), "cli.help.chat_database")

    units = actions(command(sub, "units", "cli.help.units"))
    load = command(units, "import", "cli.help.units_import", "cli.help.units_import_about")
    load.add_argument("file", type=Path, metavar=t("cli.help.file_metavar"), help=t("cli.help.units_file"))
    database(load, "cli.help.import_database")

    inv = actions(command(sub, "invites", "cli.help.invites"))
    create = command(inv, "create", "cli.help.invites_create")
    unit(create)
    create.add_argument("--role", choices=("secretary", "officer"), default="secretary", help=t("cli.help.role"))
    create.add_argument("--expires-days", type=_expires_days, default=30, metavar=t("cli.help.days_metavar"),
                        help=t("cli.help.expires_days_range", most=MAX_EXPIRES_DAYS))
    create.add_argument("--for-branches", action="store_true", help=t("cli.help.for_branches"))
    create.add_argument("--out", type=Path, metavar=t("cli.help.file_metavar"), help=t("cli.help.invites_out"))
    create.add_argument("--bot-username", type=_username, metavar=t("cli.help.name_metavar"), help=t("cli.help.bot_username_vi"))
    database(create)
    revoke = command(inv, "revoke", "cli.help.invites_revoke_about")
    revoke.add_argument("codes", nargs="*", metavar=t("cli.help.code_metavar"), help=t("cli.help.revoke_codes"))
    revoke.add_argument("--file", type=Path, metavar=t("cli.help.file_metavar"), help=t("cli.help.revoke_file"))
    revoke.add_argument("--id", dest="ids", type=int, action="append", default=[], metavar=t("cli.help.id_metavar"),
                        help=t("cli.help.revoke_id"))
    listing = command(inv, "list", "cli.help.invites_list")
    unit(listing)
    database(listing)
    database(revoke)

    export = command(sub, "export", "cli.help.export")
    unit(export)
    export.add_argument("--period", required=True, metavar=t("cli.help.period_metavar"),
                        help=t("cli.help.export_period"))
    export.add_argument("--out", type=Path, metavar=t("cli.help.file_metavar"), help=t("cli.help.export_out_dir"))
    export.add_argument("--csv", action="store_true", help=t("cli.help.export_csv"))
    export.add_argument("--link", action="store_true", help=t("cli.help.export_link"))
    database(export)

    database(command(sub, "backup", "cli.help.backup"))
    restore = command(sub, "restore", "cli.help.restore")
    restore.add_argument("file", type=Path, metavar=t("cli.help.file_metavar"), help=t("cli.help.restore_file"))
    database(restore)

    to_postgres = command(sub, "migrate-to-postgres", "cli.help.migrate_to_postgres")
    to_postgres.add_argument("--from", dest="source", type=Path, metavar=t("cli.help.file_metavar"),
                             help=t("cli.help.migrate_from"))
    to_postgres.add_argument("--to", dest="target", metavar=t("cli.help.url_metavar"), help=t("cli.help.migrate_to"))
    return top


def main(argv: list[str] | None = None) -> int:
    args = parser().parse_args(argv)
    try:
        config = settings_module.load()
    except settings_module.SettingsError as error:
        print(t("cli.settings_error", error=error), file=sys.stderr)
        return 2
    settings_module.configure_logging(config)
    command = args.command or "run"
    # a database that cannot be opened is one line before anything starts (without a token, `run` is
    # the terminal chat, on its own demo database)
    messenger = config.telegram_token or config.zalo_token or config.zalo_bots
    if (command == "serve" or command == "run" and messenger) and not asyncio.run(_database_opens(config.database)):
        return 1
    if command == "run":
        return run_loop(app.serve(config))
    if command == "serve":
        return run_loop(app.serve(config, web=True))
    if command in ("backup", "restore") and config.database_url and not args.database:
        print(t(f"{command}.postgres", database=config.database_shown), file=sys.stderr)
        return 1
    if command == "migrate-to-postgres":
        return _migrate_to_postgres(args.source or config.database_path, args.target or config.database_url)
    if command == "chat":
        if args.database is not None and not asyncio.run(_chat_may_open(args.database, config)):
            return 1
        return asyncio.run(app.serve(config, database=args.database, terminal=True))
    try:
        return _file_command(args, config)
    except CannotOpen as error:
        print(error, file=sys.stderr)
        return 1
    except OSError as error:
        # a folder that is a file, a disk that is full or read-only, a file the account may not write
        print(t("cli.os_error", path=error.filename, reason=_os_reason(error)) if error.filename else
              t("cli.os_error_nameless", reason=_os_reason(error)), file=sys.stderr)
        return 1


# What the disk refused, as the person reads it (errno's own words are English).
_OS_REASONS = {errno.EACCES: "cli.os.denied", errno.EPERM: "cli.os.denied", errno.ENOENT: "cli.os.missing",
               errno.ENOTDIR: "cli.os.not_folder", errno.EEXIST: "cli.os.not_folder",
               errno.EISDIR: "cli.os.is_folder", errno.ENOSPC: "cli.os.full", errno.EROFS: "cli.os.read_only"}


def _os_reason(error: OSError) -> str:
    key = _OS_REASONS.get(error.errno)
    return t(key) if key else t("cli.os.other", number=error.errno)


def _file_command(args, config) -> int:
    """The commands that read and write files and the database, and end."""
    command = args.command
    if command == "backup":
        return asyncio.run(_backup(args.database or config.database_path, config))
    if command == "restore":
        return _restore(args.file, args.database or config.database_path)
    if command == "units" and args.action == "import":
        return asyncio.run(_import_units(args.file, args.database or config.database))
    if command == "invites" and args.action == "create":
        return asyncio.run(_create_invites(args, config))
    if command == "invites" and args.action == "revoke":
        return asyncio.run(_revoke_invites(args.codes, args.file, args.database or config.database, args.ids))
    if command == "invites" and args.action == "list":
        return asyncio.run(_list_invites(args.unit, args.database or config.database))
    if command == "export":
        return asyncio.run(_export(args, config))
    parser().print_help()
    return 2


def run_loop(main):
    """Run the bot's coroutine on uvloop where it is installed (uvicorn[standard] brings it; not on
    Windows), else on asyncio's own loop: the same code, a third faster on the webhook path
    (benchmarks/webhook.py)."""
    try:
        import uvloop
    except ImportError:
        return asyncio.run(main)
    return uvloop.run(main)


async def _database_opens(database: Path | str) -> bool:
    """Whether the bot's database opens, said in one line if not: before the bot starts, so that a
    wrong DATABASE_URL or DATABASE_PATH is a sentence, not a traceback."""
    if isinstance(database, Path) and not database.exists():
        return True                       # made at the start, as it should be: nothing to check
    try:
        services = await app.open_services(database)
    except CannotOpen as error:
        print(error, file=sys.stderr)
        return False
    await app.close_services(services)
    return True


async def _chat_may_open(database: Path, config) -> bool:
    """Whether the terminal chat may open `database`: any file but the bot's own database before
    its units are imported, which the chat would fill with the demo province (and the province's
    own file would then be refused as a second tree)."""
    if database.resolve() != config.database_path.resolve():
        return True
    units = []
    if database.is_file():
        try:
            services = await app.open_services(database)
        except CannotOpen as error:
            print(error, file=sys.stderr)
            return False
        try:
            units = await services.storage.units.all()
        finally:
            await app.close_services(services)
    if not units:
        print(t("chat.no_units", path=database), file=sys.stderr)
    return bool(units)


def _database_found(path: Path | str) -> bool:
    """Whether the database exists; if not, say so (opening it would make an empty one). A
    PostgreSQL database (DATABASE_URL) is there: storage says so if it cannot reach it."""
    if isinstance(path, str) or path.is_file():
        return True
    if path.is_dir():
        print(t("cli.database_is_folder", path=path, example=path / "chidoan.sqlite3"), file=sys.stderr)
    else:
        print(t("cli.no_database", path=path), file=sys.stderr)
    return False


async def _import_units(path: Path, database: Path) -> int:
    if not path.is_file():
        print(t("import.no_file", path=path), file=sys.stderr)
        return 1
    if isinstance(database, Path) and database.is_dir():
        return int(not _database_found(database))
    created = isinstance(database, Path) and not database.exists()
    try:
        if created:      # check the file first: a refused file must not leave an empty database behind
            units_csv.read_file(path, [])
        services = await app.open_services(database)
        try:
            rows = units_csv.read_file(path, await services.storage.units.all())
            summary = await services.storage.units.import_rows(rows, services.clock())
        finally:
            await app.close_services(services)
    except units_csv.UnitFileError as error:
        print(t("import.refused", path=path, count=len(error.problems)), file=sys.stderr)
        for problem in error.problems:
            print(str(problem), file=sys.stderr)
        return 1
    if created:
        print(t("import.database_created", path=database))
    print(t("import.done", path=path, created=summary.created, updated=summary.updated, unchanged=summary.unchanged))
    return 0


async def _unit_by_code(storage, code: str):
    """The unit of --unit: its code as written, or in other capitals when only one unit has it so."""
    unit = await storage.units.by_code(code.strip())
    if unit is None:
        alike = [u for u in await storage.units.all() if u.code.casefold() == code.strip().casefold()]
        unit = alike[0] if len(alike) == 1 else None
    return unit


async def _bot_username(args, config) -> str | None:
    """The bot's username for t.me links: --bot-username, TELEGRAM_BOT_USERNAME, or asked of Telegram."""
    if args.bot_username or config.telegram_bot_username:
        return args.bot_username or config.telegram_bot_username
    if config.telegram_token:
        from telegram.error import NetworkError, TelegramError

        from bot.channels.telegram import fetch_username

        try:
            return await startup.with_retries(lambda: fetch_username(config), attempts=USERNAME_ATTEMPTS,
                                              first_delay=USERNAME_FIRST_DELAY, retry_on=(NetworkError,),
                                              say=lambda line: print(line, file=sys.stderr))
        except (startup.GaveUp, TelegramError):
            # The codes work without a link; not knowing the name is no reason to stop.
            print(t("invites.username_unasked"), file=sys.stderr)
    return None


async def _create_invites(args, config) -> int:
    if args.for_branches and args.role == "officer":      # a branch has a secretary, never an officer
        print(t("invites.branches_not_officers"), file=sys.stderr)
        return 2
    database = args.database or config.database
    if not _database_found(database):
        return 1
    username = await _bot_username(args, config)
    services = await app.open_services(database)
    try:
        storage, now = services.storage, services.clock()
        unit = await _unit_by_code(storage, args.unit)
        if unit is None:
            print(t("invites.no_unit", code=args.unit), file=sys.stderr)
            return 1
        if args.for_branches:
            if unit.level == "branch":
                print(t("invites.branches_need_parent", unit=unit.name), file=sys.stderr)
                return 1
            targets = await storage.units.below(unit.id, "branch")
            if not targets:
                print(t("invites.no_branches", unit=unit.name), file=sys.stderr)
                return 1
        else:
            targets = [unit]
        role = "secretary" if args.for_branches else args.role
        for target in targets:
            if role == "officer" and target.level == "branch":
                print(t("invites.officer_level", unit=target.name), file=sys.stderr)
                return 1
            if role == "secretary" and target.level != "branch":
                print(t("invites.secretary_level", unit=target.name), file=sys.stderr)
                return 1
        expires = now + timedelta(days=args.expires_days)
        made = []
        for target in targets:
            code = invites.new_code()
            await storage.invites.create(invites.hash_code(code), code[:invites.HINT_LENGTH], target.id, role,
                                         now, expires)
            made.append((target, code, invites.deep_link(username, code) if username else ""))
        zalo_bots = [await _zalo_bot_of(storage, config, target) for target in targets] if config.zalo_bots else []
    finally:
        await app.close_services(services)
    for number, (target, code, link) in enumerate(made):
        print(t("invites.line" if link else "invites.line_no_link", unit=target.name, code=target.code,
                role=t(f"role.{role}"), expires=date_time(expires), invite=code, link=link))
        if zalo_bots:
            key = zalo_bots[number]
            print(t("invites.zalo_bot", bot=key) if key else t("invites.zalo_bot_none"))
    if not username:
        print(t("invites.no_link_note"))
    usual = f"invites-{unit.code}.csv"
    out = args.out or (_unused(config.invites_dir / usual) if args.for_branches else None)
    if out and out.is_dir():              # a folder given: the file goes in it, as export does
        out = _unused(out / usual)
    if out:
        _write_invites(out, made, role, expires)
        print(t("invites.file_written", count=len(made), path=out))
        print(t("invites.file_warning"))
    return 0


async def _zalo_bot_of(storage, config, unit) -> str | None:
    """The key of the Zalo bot a code of `unit` must be typed to, with several bots (ZALO_BOTS_FILE):
    the bot named for the nearest unit on its way up; "zalo" (ZALO_BOT_TOKEN's) when none is and
    that bot runs; None when no bot answers it."""
    named = {code: bot.key for bot in config.zalo_bots for code in bot.units}
    for above in reversed(await storage.units.chain(unit.id)):
        if above.code in named:
            return named[above.code]
    return "zalo" if config.zalo_token else None


def _unused(path: Path) -> Path:
    """`path`, or the first of path-2, path-3, … not taken: a second batch of codes for a unit must
    not write over the first one's file, whose codes are still good (and revoked with it)."""
    found, n = path, 2
    while found.exists():
        found, n = path.with_name(f"{path.stem}-{n}{path.suffix}"), n + 1
    return found


def _write_invites(out: Path, made, role: str, expires) -> None:
    out.parent.mkdir(parents=True, exist_ok=True)
    with open(out, "w", encoding="utf-8-sig", newline="", opener=_owner_only) as handle:   # BOM: Excel reads UTF-8
        writer = csv.writer(handle)
        writer.writerow(t("invites.csv_header").split(","))
        for target, code, link in made:
            writer.writerow([target.code, target.name, t(f"role.{role}"), code, link, date_time(expires)])


def _owner_only(path, flags):
    # Live codes: the file is readable by the officer's account only, like a key; one that was
    # there before, open to others, is closed too.
    handle = os.open(path, flags, 0o600)
    if hasattr(os, "fchmod"):             # not on Windows before Python 3.13
        os.fchmod(handle, 0o600)
    return handle


async def _list_invites(code: str, database: Path) -> int:
    """The codes still good of a unit and every unit under it: each by its number (for `revoke
    --id`) and its first letters only, the rest of a code is not stored."""
    if not _database_found(database):
        return 1
    services = await app.open_services(database)
    try:
        unit = await _unit_by_code(services.storage, code)
        pending = await services.storage.invites.pending(unit.path, services.clock()) if unit else []
    finally:
        await app.close_services(services)
    if unit is None:
        print(t("invites.no_unit", code=code), file=sys.stderr)
        return 1
    print(t("invites.list_title", unit=unit.name, count=len(pending)))
    for invite in pending:
        print(t("invites.list_line", id=invite.id, hint=invite.hint, unit=invite.unit_name, code=invite.unit_code,
                role=t(f"role.{invite.role}"), created=date_time(invite.created_at),
                expires=date_time(invite.expires_at)))
    if pending:
        print(t("invites.list_note"))
    return 0


async def _revoke_invites(words: list[str], file: Path | None, database: Path, ids: list[int] = ()) -> int:
    """Revoke the codes typed (as the chat reads them: spaces and capitals forgiven, a code copied
    from a printed sheet) and those of an invite file; 0 when every one was revoked."""
    codes = invites.codes_in(words)
    if file is not None:
        read = _codes_of_file(file)
        if read is None:
            return 1
        codes += read
    if not codes and not ids:
        print(t("invites.revoke_needs_code"), file=sys.stderr)
        return 2
    if not _database_found(database):
        return 1
    services = await app.open_services(database)
    try:
        statuses = [await services.storage.invites.revoke(invites.hash_code(code), services.clock()) for code in codes]
        statuses += [await services.storage.invites.revoke_id(number, services.clock()) for number in ids]
    finally:
        await app.close_services(services)
    codes = codes + [f"#{number}" for number in ids]
    if len(codes) == 1:
        print(t(f"invites.{statuses[0]}"))
    else:
        # a code's first letters only: these lines end up in terminals' scrollback and in logs
        for code, status in zip(codes, statuses):
            print(t("invites.revoke_line", shown=_hint(code), status=t(f"invites.{status}")))
        print(t("invites.revoke_summary", revoked=statuses.count("revoked"), total=len(codes)))
    return 0 if all(status == "revoked" for status in statuses) else 1


def _hint(code: str) -> str:
    return code[:invites.HINT_LENGTH] + "…" if len(code) > invites.HINT_LENGTH else code


def _codes_of_file(path: Path) -> list[str] | None:
    """The codes of an invite file: the column `create` wrote them in, or, in any other file (a
    list, a sheet saved from Excel), every cell that is a code; None (said why) when unreadable."""
    if not path.is_file():
        print(t("invites.revoke_no_file", path=path), file=sys.stderr)
        return None
    try:
        text = units_csv.spreadsheet_text(path.read_bytes())
    except UnicodeDecodeError:
        print(t("invites.revoke_file_unreadable", path=path), file=sys.stderr)
        return None
    lines = text.splitlines()
    rows = list(csv.reader(lines, delimiter=units_csv.delimiter_of(lines[0] if lines else "")))
    column = t("invites.csv_header").split(",").index("ma_moi")
    if rows and len(rows[0]) > column and rows[0][column].strip() == "ma_moi":
        cells = [row[column] for row in rows[1:] if len(row) > column]
    else:
        cells = [cell for row in rows for cell in row]
    codes = [code for code in map(invites.typed_code, cells) if code]
    if not codes:
        print(t("invites.revoke_file_empty", path=path), file=sys.stderr)
        return None
    return codes


async def _export(args, config) -> int:
    from bot.scheduler import calendar_or_explain
    from domain import periods
    from xlsxwriter.exceptions import FileCreateError

    from domain.digests import compute, xlsx
    from messages_vi.formatting import local_today

    try:
        period = periods.parse(args.period)
    except ValueError:
        print(t("export.bad_period", period=args.period), file=sys.stderr)
        return 2
    calendar = calendar_or_explain(config.calendar_file)
    if calendar is None:
        return 2
    database = args.database or config.database
    if not _database_found(database):
        return 1
    services = await app.open_services(database)
    try:
        unit = await _unit_by_code(services.storage, args.unit)
        if unit is None:
            print(t("export.no_unit", code=args.unit), file=sys.stderr)
            return 1
        digest = await compute.build(services.storage, unit.id, period, local_today(services.clock()), calendar)
    finally:
        await app.close_services(services)
    usual = f"tonghop-{unit.code}-{period.key}.xlsx"
    out = args.out or config.out_dir / usual
    if out.is_dir():                      # a folder given: the file goes in it, under its usual name
        out = out / usual
    if args.csv:
        out = out.with_suffix("")
    elif out.suffix.lower() != ".xlsx":   # Excel opens a file by its extension
        out = out.with_name(out.name + ".xlsx")
    try:
        written = xlsx.write_csv(digest, out) if args.csv else [xlsx.write_xlsx(digest, out)]
    except FileCreateError as error:      # XlsxWriter's wrapping of the disk's refusal
        if isinstance(error.__context__, OSError):
            raise error.__context__ from None           # said by main(), in Vietnamese
        raise
    for path in written:
        print(t("export.done", path=path))
    if args.link:
        if not config.public_url or not config.secrets:
            print(t("export.link_needs_public_url"), file=sys.stderr)
            return 1
        links = app.export_links(config)
        for path in written:
            url, expires = links.publish(unit.code, path, services.clock())
            print(t("export.link", url=url, expires=date_time(expires)))
    return 0


async def _backup(database: Path, config) -> int:
    """A backup now, safe while the bot runs (storage/backup.py)."""
    from storage import backup

    if not _database_found(database):
        return 1
    services = await app.open_services(database)
    try:
        path = await backup.take(services.storage, config.backups_dir, config.backup_keep, services.clock())
    except backup.BackupError as error:
        print(t("backup.failed", error=t(error.key, path=database, **error.values)), file=sys.stderr)
        return 1
    except OSError:
        raise                             # said by main(), in Vietnamese
    except backup.FAILURES as error:
        print(t("backup.failed", error=error), file=sys.stderr)
        return 1
    finally:
        await app.close_services(services)
    print(t("backup.done", path=path, size=backup.size_text(path), folder=config.backups_dir,
            keep=config.backup_keep))
    return 0


def _restore(file: Path, database: Path) -> int:
    """Put a backup in place of the database; run with the bot stopped (storage/backup.py)."""
    from datetime import datetime, timezone

    from storage import backup

    if database.is_dir():
        print(t("cli.database_is_folder", path=database, example=database / "chidoan.sqlite3"), file=sys.stderr)
        return 1
    try:
        aside = backup.restore(file, database, datetime.now(timezone.utc))
    except backup.BackupError as error:
        print(t(error.key, path=file, database=database, **error.values), file=sys.stderr)
        return 1
    print(t("restore.done" if aside else "restore.done_fresh", path=file, database=database, aside=aside))
    return 0


def _in_use(database: Path) -> bool:
    """Whether the bot (another process) has the SQLite file open: what it writes after a copy
    would not be in the copy. A file SQLite cannot read is left for the copy to refuse."""
    from storage import backup

    try:
        return backup.in_use(database)
    except backup.FAILURES:
        return False


def _migrate_to_postgres(source: Path, target: str | None) -> int:
    """Copy the SQLite file into PostgreSQL (storage/to_postgres.py) and print each table's counts."""
    from messages_vi.formatting import number
    from storage import to_postgres
    from storage.postgres import url_problem
    from storage.sql import is_postgres_url, url_without_password

    if not target or not is_postgres_url(target):
        print(t("migrate.needs_url"), file=sys.stderr)
        return 2
    masked = settings_module.unescaped_password(target)
    if masked is not None:
        print(t("migrate.bad_url", value=masked, problem=t("settings.database_url.password_signs")), file=sys.stderr)
        return 2
    problem = url_problem(target)
    if problem is not None:
        print(t("migrate.bad_url", value=url_without_password(target), problem=problem), file=sys.stderr)
        return 2
    if not _database_found(source):
        return 1
    if _in_use(source):
        print(t("migrate.bot_running", path=source), file=sys.stderr)
        return 1
    print(t("migrate.start", source=source, target=url_without_password(target)))
    try:
        copied = to_postgres.copy(source, target)
    except to_postgres.CopyError as error:
        print(t(error.key, **error.values), file=sys.stderr)
        return 1
    except to_postgres.FAILURES as error:
        print(t("migrate.failed", error=postgres_said(error, target)), file=sys.stderr)
        return 1
    for table in copied:
        print(t("migrate.table", table=table.table, source=number(table.source), target=number(table.target)))
    different = [table.table for table in copied if not table.same]
    if different:
        print(t("migrate.mismatch", tables=", ".join(different)), file=sys.stderr)
        return 1
    print(t("migrate.done", tables=len(copied), rows=number(sum(table.source for table in copied))))
    return 0
