"""``nrc-bot``: every way to run the bot, and the secretariat's tools."""

from __future__ import annotations

import argparse
import json
import logging
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo

from sqlmodel import Session, select

from bot import audit, outbox
from bot.charter import CharterError
from bot.errors import CommandError
from bot.exchange import ImportRefused, export_state, import_state
from bot.i18n import OFFERED, using
from bot.manifest import manifest
from bot.messages import count
from bot.runtime import Runtime
from bot.settings import Settings
from storage.engine import upgrade
from storage.models import Council

if TYPE_CHECKING:
    from handlers.slackport import SlackPort

log = logging.getLogger("nrc-bot")


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="nrc-bot",
        description="A Slack bot for a council of equal members deciding by consensus. "
        "With no command, the mode comes from the environment: Socket Mode with "
        "SLACK_APP_TOKEN, HTTP with SLACK_SIGNING_SECRET and SLACK_BOT_TOKEN, else the console.",
    )
    parser.add_argument("--charter", help="charter TOML file (default: NRC_CHARTER or NRC 2002)")
    parser.add_argument("--database", help="database URL (default: DATABASE_URL or sqlite nrc.db)")
    parser.add_argument("--verbose", "-v", action="store_true",
                        help="log what happens, Alembic's migration steps included "
                        "(NRC_LOG_LEVEL=debug does the same)")
    sub = parser.add_subparsers(dest="command")

    serve = sub.add_parser("serve", help="HTTP: /slack/events, /healthz, calendar feeds")
    serve.add_argument("--port", type=int, help="port (default: PORT or 3000)")
    serve.add_argument("--host", default="0.0.0.0")
    serve.add_argument("--workers", type=int, help="gunicorn worker processes")
    serve.add_argument("--no-scheduler", action="store_true", help="do not run the scheduler")

    sub.add_parser("socket", help="Socket Mode (no public URL needed)")

    console = sub.add_parser("console", help="local shell on the database, no Slack needed")
    console.add_argument("--as", dest="as_user", metavar="USER", help="act as this user: @name or a Slack ID")
    console.add_argument("--lang", choices=OFFERED, help="answer in this language (en, fr, ru)")

    sub.add_parser("clock", help="the scheduler only, for a separate process")

    tick = sub.add_parser("tick", help="one reminder pass as of TIME (default now); idempotent")
    tick.add_argument("--at", metavar="TIME", help="e.g. '2026-12-03 09:00'")

    ics = sub.add_parser("ics", help="the iCalendar feed of all meetings, or of one body")
    ics.add_argument("body", nargs="?", help="a body key, e.g. council-amb")
    ics.add_argument("--urls", action="store_true",
                     help="print the feed addresses (with their secret token) instead")

    export = sub.add_parser("export", help="the full state as JSON")
    export.add_argument("--output", "-o", metavar="FILE", help="write here instead of stdout")

    rep = sub.add_parser("report", help="the council's record for a period, to read and print "
                         "(Markdown or one HTML file)")
    rep.add_argument("--from", dest="start", metavar="DATE",
                     help="first day, YYYY-MM-DD in the council's zone (default: a year before --to)")
    rep.add_argument("--to", dest="end", metavar="DATE", help="last day, inclusive (default: today)")
    rep.add_argument("--format", choices=["md", "html"], default="md", help="default: md")
    rep.add_argument("--output", "-o", metavar="FILE", help="write here instead of stdout")
    rep.add_argument("--lang", choices=OFFERED,
                     help="the report's language (default: the council's first official one)")
    rep.set_defaults(usage=rep.format_usage().strip())

    imp = sub.add_parser("import", help="restore an export into an empty database")
    imp.add_argument("file")

    man = sub.add_parser("manifest", help="the Slack app manifest for this bot")
    man.add_argument("--url", help="public base URL of `nrc-bot serve`")
    man.add_argument("--socket", action="store_true", help="for Socket Mode")

    aud = sub.add_parser("audit", help="the audit log")
    aud.add_argument("action", choices=["verify"])

    db = sub.add_parser("db", help="the database")
    db.add_argument("action", choices=["upgrade"])

    out = sub.add_parser("outbox", help="messages waiting or failed")
    out.add_argument("action", choices=["retry"])
    # The same two options after the sub-command too: `nrc-bot console --database URL`.
    for command in sub.choices.values():
        command.add_argument("--charter", default=argparse.SUPPRESS, help=argparse.SUPPRESS)
        command.add_argument("--database", default=argparse.SUPPRESS, help=argparse.SUPPRESS)
        command.add_argument("--verbose", "-v", action="store_true", default=argparse.SUPPRESS,
                             help=argparse.SUPPRESS)
    return parser


_LEVELS = {"debug": logging.DEBUG, "info": logging.INFO, "warning": logging.WARNING,
           "error": logging.ERROR}


def _logging(command: str, verbose: bool, named: str | None) -> None:
    """Quiet by default: Alembic speaks only with --verbose or NRC_LOG_LEVEL=debug.

    A migration applied is one plain line on stderr whatever the level.
    """
    if named and named not in _LEVELS:
        raise ValueError(f"NRC_LOG_LEVEL must be one of {', '.join(_LEVELS)}, not {named!r}")
    quiet = command in ("console", "tick", "export", "import", "report")
    level = logging.DEBUG if verbose else _LEVELS.get(named or "", logging.WARNING if quiet
                                                       else logging.INFO)
    logging.basicConfig(level=level, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    detailed = level <= logging.DEBUG
    logging.getLogger("alembic").setLevel(logging.NOTSET if detailed else logging.WARNING)
    migrations = logging.getLogger("storage.migrations")
    if not migrations.handlers:
        handler = logging.StreamHandler(sys.stderr)
        handler.setFormatter(logging.Formatter("%(message)s"))
        migrations.addHandler(handler)
    migrations.setLevel(logging.INFO)
    migrations.propagate = False


def _settings(args: argparse.Namespace) -> Settings:
    settings = Settings.from_env()
    if args.charter:
        settings = settings.model_copy(update={"charter": args.charter})
    if args.database:
        settings = settings.model_copy(update={"database_url": args.database})
    return settings


def main(argv: Sequence[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    try:
        settings = _settings(args)
    except ValueError as exc:
        print(f"nrc-bot: configuration error: {exc}", file=sys.stderr)
        return 2
    command = args.command or settings.mode
    try:
        _logging(command, getattr(args, "verbose", False), settings.log_level)
    except ValueError as exc:
        print(f"nrc-bot: configuration error: {exc}", file=sys.stderr)
        return 2
    if command == "manifest":
        print(json.dumps(manifest(args.url, command=settings.command, socket_mode=args.socket),
                         indent=2))
        return 0
    try:
        runtime = Runtime(settings)
    except CharterError as exc:
        print(f"nrc-bot: charter error: {exc}", file=sys.stderr)
        return 2
    return _run(command, args, runtime)


def _run(command: str, args: argparse.Namespace, runtime: Runtime) -> int:
    settings = runtime.settings
    if command == "db":
        upgrade(runtime.engine)
        print("Database is up to date.")
        return 0
    if command == "import":
        upgrade(runtime.engine)
        try:
            counts = import_state(runtime.engine, Path(args.file).read_text(encoding="utf-8"))
        except (ImportRefused, OSError) as exc:
            print(f"nrc-bot: import refused: {exc}", file=sys.stderr)
            return 1
        print("Imported " + ", ".join(f"{n} {t}" for t, n in counts.items() if n) + ".")
        return 0
    runtime.prepare()
    if command == "console":
        from bot.transports.console import main as console_main

        return console_main(runtime, args.as_user if hasattr(args, "as_user") else None,
                            getattr(args, "lang", None))
    if command == "serve":
        from bot.transports.serve import serve

        port = args.port if getattr(args, "port", None) else settings.port
        return serve(settings, port, scheduler=not getattr(args, "no_scheduler", False),
                     workers=getattr(args, "workers", None), host=getattr(args, "host", "0.0.0.0"))
    if command == "socket":
        from bot.transports.socket_mode import run

        return run(runtime)
    if command == "clock":
        return _clock(runtime)
    if command == "tick":
        try:
            print(runtime.tick_and_deliver(_slack_port(runtime), args.at))
        except CommandError as exc:
            print(f"nrc-bot: {exc.message}", file=sys.stderr)
            return 2
        return 0
    if command == "ics":
        return _ics(runtime, args.body, args.urls)
    if command == "export":
        document = export_state(runtime.engine)
        if args.output:
            Path(args.output).write_text(document, encoding="utf-8")
        else:
            sys.stdout.write(document)
        return 0
    if command == "report":
        return _report(runtime, args)
    if command == "audit":
        return _verify(runtime)
    if command == "outbox":
        print(f"{count(outbox.retry_failed(runtime.engine, runtime.clock()), 'failed message')} "
              "requeued.")
        port = _slack_port(runtime)
        if port is not None:
            runtime.deliver(port)
        return 0
    raise SystemExit(f"unknown command {command}")


def _ics(runtime: Runtime, body: str | None, urls: bool) -> int:
    """Write a calendar feed to stdout, or list the feeds' addresses."""
    from bot.meetings import UnknownFeed, feed, feed_links

    with Session(runtime.engine) as session:
        council = runtime.council_for(session, None)
        if urls:
            base = runtime.settings.public_url or f"http://localhost:{runtime.settings.port}"
            for link in feed_links(session, council):
                print(f"{link.name}: {base}{link.path}")
            return 0
        try:
            document = feed(session, council, body.strip().lower() if body else None,
                            runtime.clock())
        except UnknownFeed:
            print(f"nrc-bot: there is no body {body!r}; `nrc-bot ics --urls` lists them.",
                  file=sys.stderr)
            return 2
    sys.stdout.write(document.decode("utf-8"))
    return 0


def _report(runtime: Runtime, args: argparse.Namespace) -> int:
    """Write the council's record for a period (docs/report.md), Markdown or HTML."""
    from bot.views.report import build_report, report_span
    from bot.views.report_layout import to_html, to_markdown

    now = runtime.clock()
    with Session(runtime.engine) as session, \
            using(getattr(args, "lang", None) or runtime.charter.languages[0]):
        council = runtime.council_for(session, None)
        tz = ZoneInfo(council.timezone)
        try:
            start, end = report_span(args.start, args.end, now.astimezone(tz).date())
        except CommandError as exc:
            print(f"nrc-bot report: {exc.message}\n{args.usage}", file=sys.stderr)
            return 2
        report = build_report(session, council, runtime.charter, start, end, tz, now=now)
        document = to_html(report) if args.format == "html" else to_markdown(report)
    if args.output:
        Path(args.output).write_text(document, encoding="utf-8")
    else:
        sys.stdout.write(document)
    return 0


def _slack_port(runtime: Runtime) -> SlackPort | None:
    """Slack's port, or None without a bot token: then what is due is recorded, not sent."""
    if not runtime.settings.bot_token:
        return None
    from bot.transports.bolt_app import slack_client
    from handlers.slackport import SlackPort

    return SlackPort(slack_client(runtime.settings, wait_out_rate_limits=False))


def _clock(runtime: Runtime) -> int:
    from bot.scheduler import start

    settings = runtime.settings
    port = _slack_port(runtime)
    if port is None:
        log.warning("SLACK_BOT_TOKEN is not set: the clock records what is due but sends nothing")

    def deliver() -> object:
        return runtime.deliver(port) if port is not None else None

    log.info("clock: a pass every %d s", settings.tick_seconds)
    start(lambda: runtime.tick(), deliver, tick_seconds=settings.tick_seconds,
          deliver_seconds=settings.deliver_seconds, blocking=True)
    return 0


def _verify(runtime: Runtime) -> int:
    broken = False
    with Session(runtime.engine) as session:
        for council in session.exec(select(Council)):
            assert council.id is not None
            verdict = audit.verify(session, council.id)
            if verdict.intact:
                print(f"{council.name}: audit log intact, "
                      f"{count(verdict.entries, 'entry', 'entries')}.")
            else:
                broken = True
                print(f"{council.name}: audit log BROKEN: {verdict.reason}.")
    return 1 if broken else 0
