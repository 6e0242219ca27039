"""The `voordeur` command."""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any, TextIO, TypeVar

import httpx

from bot.config import Settings, WeakSecret, require_strong_secrets
from bot.safety import detect_crisis
from bot.taxonomy import contract_intent, themes_by_intent

T = TypeVar("T")


def classify(parsed: dict[str, Any], text: str) -> dict[str, Any]:
    """Turn Rasa's parse result into the contract's shape, with the crisis net on top."""
    themes = themes_by_intent()
    ranking: dict[str, float] = {}
    for item in parsed.get("intent_ranking") or [parsed.get("intent") or {}]:
        name = item.get("name")
        if not name or name == "nlu_fallback":
            continue  # the fallback is a dialogue choice; report the model's best guess
        name = contract_intent(name)
        if name in themes:
            ranking[name] = max(ranking.get(name, 0.0), float(item.get("confidence") or 0.0))
    crisis = detect_crisis(text)
    if crisis is not None:
        ranking[crisis.intent] = max(1.0, ranking.get(crisis.intent, 0.0))
    if not ranking:
        ranking["out_of_scope"] = 0.0
    ordered = sorted(ranking.items(), key=lambda kv: kv[1], reverse=True)
    intent, confidence = ordered[0]
    if crisis is not None:
        intent, confidence = crisis.intent, 1.0
        ordered = [(crisis.intent, 1.0)] + [kv for kv in ordered if kv[0] != crisis.intent]
    return {
        "text": text,
        "intent": intent,
        "confidence": round(confidence, 6),
        "theme": themes[intent],
        "ranking": [{"intent": n, "confidence": round(c, 6)} for n, c in ordered],
    }


def rasa_answers(url: str) -> bool:
    try:
        return httpx.get(f"{url}/", timeout=3).status_code == 200
    except httpx.HTTPError:
        return False


def parse_lines(lines: TextIO, out: TextIO, rasa_url: str, token: str) -> None:
    with httpx.Client(base_url=rasa_url, timeout=60) as client:
        for raw in lines:
            text = raw.rstrip("\r\n")
            if not text.strip():
                continue
            response = client.post("/model/parse", params={"token": token}, json={"text": text})
            response.raise_for_status()
            out.write(json.dumps(classify(response.json(), text), ensure_ascii=False) + "\n")
            out.flush()


def cmd_parse(args: argparse.Namespace) -> int:
    from bot import stack

    settings = Settings.load()
    url = (args.rasa_url or settings.rasa_url).rstrip("/")
    started = None
    try:
        if not rasa_answers(url):
            log_dir = Path(tempfile.mkdtemp(prefix="voordeur-parse-"))
            started = stack.start_rasa(stack.free_port(), settings.rasa_token, "http://127.0.0.1:9", log_dir)
            url = started.url
        parse_lines(sys.stdin, sys.stdout, url, settings.rasa_token)
        return 0
    except stack.StackError as error:
        print(f"voordeur parse: {error}", file=sys.stderr)
        return 1
    except httpx.HTTPError as error:
        print(f"voordeur parse: Rasa at {url} failed: {error}", file=sys.stderr)
        return 1
    finally:
        if started is not None:
            started.stop()


def strong_settings(command: str) -> Settings | None:
    """The settings, or None after saying on stderr which secret is weak."""
    settings = Settings.load()
    try:
        require_strong_secrets(settings)
    except WeakSecret as error:
        print(f"voordeur {command}: {error}", file=sys.stderr)
        return None
    return settings


def cmd_run(_: argparse.Namespace) -> int:
    from bot.stack import run_stack

    settings = strong_settings("run")
    return run_stack(settings) if settings else 2


def cmd_gateway(args: argparse.Namespace) -> int:
    import uvicorn

    settings = strong_settings("gateway")
    if settings is None:
        return 2
    uvicorn.run("bot.app:create_app", factory=True, host=args.host,
                port=args.port or settings.gateway_port, access_log=False)
    return 0


def cmd_user_add(args: argparse.Namespace) -> int:
    import asyncio

    from sqlalchemy.exc import IntegrityError

    from bot.handover.users import add_user
    from bot.store.db import create_tables, make_engine, make_sessionmaker

    password = read_password(args)

    async def run() -> None:
        engine = make_engine(Settings.load().database_url)
        try:
            await create_tables(engine)
            async with make_sessionmaker(engine).begin() as db:
                await add_user(db, args.username, password, args.role, args.name, args.team)
        finally:
            await engine.dispose()

    try:
        asyncio.run(run())
    except (ValueError, IntegrityError) as error:
        message = "that username exists already" if isinstance(error, IntegrityError) else str(error)
        print(f"voordeur user add: {message}", file=sys.stderr)
        return 1
    print(f"added {args.role} {args.username}")
    return 0


def read_password(args: argparse.Namespace) -> str:
    import getpass

    if args.password_stdin:
        return sys.stdin.readline().rstrip("\n")
    return getpass.getpass("Wachtwoord (minstens 10 tekens): ")


def cmd_user_change(args: argparse.Namespace) -> int:
    """deactivate, activate, revoke (sign out everywhere), reset-password, set (role, team)."""
    import asyncio

    from bot.handover import users
    from bot.store.db import create_tables, make_engine, make_sessionmaker

    password = read_password(args) if args.user_command == "reset-password" else ""

    async def run() -> str:
        engine = make_engine(Settings.load().database_url)
        try:
            await create_tables(engine)
            async with make_sessionmaker(engine).begin() as db:
                user = await users.find_user(db, args.username)
                if args.user_command in ("deactivate", "activate"):
                    await users.set_active(db, user, args.user_command == "activate")
                    return f"{user.username} is {'active' if user.active else 'deactivated and signed out'}"
                if args.user_command == "revoke":
                    return f"{user.username}: {await users.revoke_sessions(db, user)} session(s) ended"
                if args.user_command == "reset-password":
                    await users.reset_password(db, user, password)
                    return f"{user.username} has a new password; their sessions ended"
                await users.change_role_and_team(db, user, args.role, args.team)
                return f"{user.username} is {user.role} in team {user.team or '(none)'}"
        finally:
            await engine.dispose()

    try:
        print(asyncio.run(run()))
    except users.UnknownUser:
        print(f"voordeur user {args.user_command}: no user named {args.username}", file=sys.stderr)
        return 1
    except ValueError as error:
        print(f"voordeur user {args.user_command}: {error}", file=sys.stderr)
        return 1
    return 0


def cmd_user_list(_: argparse.Namespace) -> int:
    import asyncio

    from sqlalchemy import select

    from bot.store.db import create_tables, make_engine, make_sessionmaker
    from bot.store.models import User

    async def run() -> list[User]:
        engine = make_engine(Settings.load().database_url)
        try:
            await create_tables(engine)
            async with make_sessionmaker(engine)() as db:
                return list(await db.scalars(select(User).order_by(User.username)))
        finally:
            await engine.dispose()

    for user in asyncio.run(run()):
        print(f"{user.username}\t{user.role}\t{user.team or '-'}\t{'active' if user.active else 'deactivated'}")
    return 0


def _read_database(load: Callable[[Any], Awaitable[T]]) -> T:
    """Run one read against the configured database (tables made if missing) for an export."""
    import asyncio

    from bot.store.db import create_tables, make_engine, make_sessionmaker

    async def run() -> T:
        engine = make_engine(Settings.load().database_url)
        try:
            await create_tables(engine)
            async with make_sessionmaker(engine)() as db:
                return await load(db)
        finally:
            await engine.dispose()

    return asyncio.run(run())


def cmd_needs_export(args: argparse.Namespace) -> int:
    """CONTRACTS.md section 5: the need log as managers may see it, small cells suppressed."""

    from bot.needs import report
    from bot.needs.suppress import min_cell

    try:
        since = report.parse_week(args.since) if args.since else None
        until = report.parse_week(args.until) if args.until else None
    except ValueError as error:
        print(f"voordeur needs export: {error}", file=sys.stderr)
        return 2

    counts = _read_database(lambda db: report.load_counts(db, since, until))
    threshold = min_cell()
    rows = report.export_rows(report.published(counts, threshold), threshold)
    sys.stdout.write(report.rows_as_json(rows) if args.format == "json" else report.rows_as_csv(rows))
    return 0


def cmd_referrals_export(args: argparse.Namespace) -> int:
    """The anonymous call-back counts of one ISO year as the dashboard publishes them."""
    from datetime import date

    from bot.needs import referral_outcomes, report
    from bot.needs.suppress import min_cell

    year = args.year or str(date.today().isocalendar()[0])
    if not (year.isdigit() and len(year) == 4):
        print(f"voordeur referrals export: not a year (YYYY): {year!r}", file=sys.stderr)
        return 2

    counts = _read_database(lambda db: referral_outcomes.load_year(db, year))
    threshold = min_cell()
    rows = referral_outcomes.export_rows(referral_outcomes.publish_year(counts, threshold), threshold)
    sys.stdout.write(report.rows_as_json(rows) if args.format == "json"
                     else report.rows_as_csv(rows, referral_outcomes.EXPORT_COLUMNS))
    return 0


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="voordeur", description="Voordeur: the residents' front door.")
    commands = parser.add_subparsers(dest="command", required=True)

    parse = commands.add_parser("parse", help="classify messages from standard input, one per line")
    parse.add_argument("--rasa-url", help="a running Rasa server (default: RASA_URL)")
    parse.set_defaults(func=cmd_parse)

    run = commands.add_parser("run", help="start Rasa, the action server and the gateway")
    run.set_defaults(func=cmd_run)

    user = commands.add_parser("user", help="manage console users")
    user_commands = user.add_subparsers(dest="user_command", required=True)
    add = user_commands.add_parser("add", help="add a worker, manager or admin")
    add.add_argument("username")
    add.add_argument("--role", required=True, choices=["worker", "manager", "admin"])
    add.add_argument("--name", help="first name or team shown to residents")
    add.add_argument("--team", help="the worker's team (default buurtteam); managers and admins have none unless given")
    add.add_argument("--password-stdin", action="store_true", help="read the password from standard input")
    add.set_defaults(func=cmd_user_add)
    listing = user_commands.add_parser("list", help="every user with role, team and whether active")
    listing.set_defaults(func=cmd_user_list)
    for name, text in (("deactivate", "deactivate and sign out everywhere (offboarding)"),
                       ("activate", "let a deactivated user sign in again"),
                       ("revoke", "end every session of a user (sign out everywhere)"),
                       ("reset-password", "set a new password (asked for) and end every session"),
                       ("set", "change role and/or team (a new role ends every session)")):
        change = user_commands.add_parser(name, help=text)
        change.add_argument("username")
        if name == "reset-password":
            change.add_argument("--password-stdin", action="store_true", help="read the password from standard input")
        if name == "set":
            change.add_argument("--role", choices=["worker", "manager", "admin"])
            change.add_argument("--team")
        change.set_defaults(func=cmd_user_change)

    needs = commands.add_parser("needs", help="the anonymised need log")
    needs_commands = needs.add_subparsers(dest="needs_command", required=True)
    export = needs_commands.add_parser("export", help="aggregated rows, small cells suppressed as on the dashboard")
    export.add_argument("--format", choices=["csv", "json"], default="csv")
    export.add_argument("--since", help="first ISO week, e.g. 2026-W01")
    export.add_argument("--until", help="last ISO week, e.g. 2026-W13")
    export.set_defaults(func=cmd_needs_export)

    referrals = commands.add_parser("referrals", help="anonymous counts of call-back referrals")
    referrals_commands = referrals.add_subparsers(dest="referrals_command", required=True)
    referral_export = referrals_commands.add_parser(
        "export", help="every month, quarter and year figure of one ISO year, small cells suppressed as on the dashboard")
    referral_export.add_argument("--format", choices=["csv", "json"], default="csv")
    referral_export.add_argument("--year", help="ISO year, e.g. 2026 (default: this year)")
    referral_export.set_defaults(func=cmd_referrals_export)

    gateway = commands.add_parser("gateway", help="start only the gateway")
    gateway.add_argument("--host", default="127.0.0.1")
    gateway.add_argument("--port", type=int)
    gateway.set_defaults(func=cmd_gateway)
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    os.umask(0o077)  # database, secrets, logs: owner only, also in the processes `run` starts
    return args.func(args)


if __name__ == "__main__":
    sys.exit(main())
