"""The command line: `python -m bot` runs the bot; subcommands manage units and invites."""

from __future__ import annotations

import argparse
import asyncio
import csv
import sys
from datetime import timedelta
from pathlib import Path

from bot import app, demo, settings as settings_module
from domain import invites, units_csv
from messages_vi import t
from messages_vi.formatting import date_time

DEMO_DATABASE = Path("data/demo.sqlite3")


def parser() -> argparse.ArgumentParser:
    top = argparse.ArgumentParser(
        prog="python -m bot",
        description=t("cli.help.description"),
    )
    sub = top.add_subparsers(dest="command", metavar=t("cli.help.command"))
    sub.add_parser("run", help=t("cli.help.run"))
    chat = sub.add_parser("chat", help=t("cli.help.chat"))
    chat.add_argument("--database", type=Path, default=DEMO_DATABASE, help=t("cli.help.database"))

    units = sub.add_parser("units", help=t("cli.help.units")).add_subparsers(dest="action", metavar=t("cli.help.action"))
    load = units.add_parser("import", help=t("cli.help.units_import"))
    load.add_argument("file", type=Path)

    inv = sub.add_parser("invites", help=t("cli.help.invites")).add_subparsers(dest="action", metavar=t("cli.help.action"))
    create = inv.add_parser("create", help=t("cli.help.invites_create"))
    create.add_argument("--unit", required=True, help=t("cli.help.unit"))
    create.add_argument("--role", choices=("secretary", "officer"), default="secretary")
    create.add_argument("--expires-days", type=int, default=30, help=t("cli.help.expires_days"))
    create.add_argument("--for-branches", action="store_true", help=t("cli.help.for_branches"))
    create.add_argument("--out", type=Path, help=t("cli.help.out"))
    create.add_argument("--bot-username", help=t("cli.help.bot_username"))
    revoke = inv.add_parser("revoke", help=t("cli.help.invites_revoke"))
    revoke.add_argument("code")

    export = sub.add_parser("export", help=t("cli.help.export"))
    export.add_argument("--unit", required=True, help=t("cli.help.unit"))
    export.add_argument("--period", required=True, help=t("cli.help.export_period"))
    export.add_argument("--out", type=Path, required=True, help=t("cli.help.export_out"))
    export.add_argument("--csv", action="store_true", help=t("cli.help.export_csv"))
    export.add_argument("--database", type=Path, help=t("cli.help.export_database"))
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
    if command == "run" and config.telegram_token:
        from bot.channels import telegram          # imported only when needed: it is the heavy part
        return telegram.run(config)
    if command in ("run", "chat"):
        return asyncio.run(_chat(getattr(args, "database", DEMO_DATABASE), config))
    if command == "units" and args.action == "import":
        return asyncio.run(_import_units(args.file, config))
    if command == "invites" and args.action == "create":
        return asyncio.run(_create_invites(args, config))
    if command == "invites" and args.action == "revoke":
        return asyncio.run(_revoke_invite(args.code, config))
    if command == "export":
        return asyncio.run(_export(args, config))
    parser().print_help()
    return 2


async def _chat(database: Path, config) -> int:
    import logging

    from bot.channels import terminal
    from bot.scheduler import calendar_or_explain

    if logging.getLogger().level < logging.WARNING:
        logging.getLogger().setLevel(logging.WARNING)      # keep the chat readable

    services = await app.open_services(database, form_max_idle_days=config.form_max_idle_days)
    try:
        await demo.ensure(services.storage, services.clock())
        calendar = calendar_or_explain(config.calendar_file)
        if calendar is None:
            return 2
        await terminal.run(services, calendar=calendar, tick_seconds=config.reminder_tick_seconds)
    finally:
        await app.close_services(services)
    return 0


async def _import_units(path: Path, config) -> int:
    if not path.is_file():
        print(t("import.no_file", path=path), file=sys.stderr)
        return 1
    services = await app.open_services(config.database_path)
    try:
        rows = units_csv.read_file(path, await services.storage.units.all())
        summary = await services.storage.units.import_rows(rows, services.clock())
    except units_csv.UnitFileError as error:
        print(t("import.refused", path=path, count=len(error.problems)), file=sys.stderr)
        for problem in error.problems:
            print(str(problem), file=sys.stderr)
        return 1
    finally:
        await app.close_services(services)
    print(t("import.done", path=path, created=summary.created, updated=summary.updated, unchanged=summary.unchanged))
    return 0


async def _bot_username(args, config) -> str | None:
    if args.bot_username:
        return args.bot_username.lstrip("@")
    import os

    if os.environ.get("TELEGRAM_BOT_USERNAME"):
        return os.environ["TELEGRAM_BOT_USERNAME"].lstrip("@")
    if config.telegram_token:
        from bot.channels.telegram import fetch_username

        return await fetch_username(config)
    return None


async def _create_invites(args, config) -> int:
    username = await _bot_username(args, config)
    if not username:
        print(t("invites.need_username"), file=sys.stderr)
        return 2
    services = await app.open_services(config.database_path)
    try:
        storage, now = services.storage, services.clock()
        unit = await storage.units.by_code(args.unit)
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
        expires = now + timedelta(days=max(1, args.expires_days))
        made = []
        for target in targets:
            code = invites.new_code()
            await storage.invites.create(invites.hash_code(code), code[:invites.HINT_LENGTH], target.id, role,
                                         now, expires)
            made.append((target, code, invites.deep_link(username, code)))
    finally:
        await app.close_services(services)
    for target, code, link in made:
        print(t("invites.line", unit=target.name, code=target.code, role=t(f"role.{role}"),
                expires=date_time(expires), invite=code, link=link))
    out = args.out or (Path(f"invites-{args.unit}.csv") if args.for_branches else None)
    if out:
        with out.open("w", encoding="utf-8-sig", newline="") as handle:   # BOM: Excel reads it as UTF-8
            writer = csv.writer(handle)
            writer.writerow(t("invites.csv_header").split(","))
            for target, code, link in made:
                writer.writerow([target.code, target.name, t(f"role.{role}"), code, link, date_time(expires)])
        print(t("invites.csv_written", count=len(made), path=out))
    return 0


async def _revoke_invite(code: str, config) -> int:
    services = await app.open_services(config.database_path)
    try:
        status = await services.storage.invites.revoke(invites.hash_code(code.strip()), services.clock())
    finally:
        await app.close_services(services)
    print(t(f"invites.{status}"))
    return 0 if status == "revoked" else 1


async def _export(args, config) -> int:
    from domain import periods
    from domain.deadlines.calendar import load_calendar
    from domain.digests import compute, xlsx
    from messages_vi.formatting import local_today

    try:
        period = periods.parse(args.period)
    except ValueError:
        print(t("export.bad_period", period=args.period), file=sys.stderr)
        return 2
    services = await app.open_services(args.database or config.database_path)
    try:
        unit = await services.storage.units.by_code(args.unit)
        if unit is None:
            print(t("export.no_unit", code=args.unit), file=sys.stderr)
            return 1
        digest = await compute.build(services.storage, unit.id, period, local_today(services.clock()),
                                     load_calendar(config.calendar_file))
    finally:
        await app.close_services(services)
    out = args.out.with_suffix("") if args.csv else args.out
    written = xlsx.write_csv(digest, out) if args.csv else [xlsx.write_xlsx(digest, out)]
    for path in written:
        print(t("export.done", path=path))
    return 0
