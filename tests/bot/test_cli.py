"""The ``nrc-bot`` command line, run as a user runs it: in a subprocess."""

from __future__ import annotations

import json
import os
import sqlite3
import subprocess
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import text

from bot.charter import DEFAULT_CHARTER
from bot.settings import Settings

ROOT = Path(__file__).resolve().parents[2]


def nrc(*args: str, db: Path, stdin: str | None = None, env: dict[str, str] | None = None,
        timeout: float = 60) -> subprocess.CompletedProcess[str]:
    environment = {k: v for k, v in os.environ.items()
                   if not k.startswith(("SLACK_", "NRC_", "DATABASE_URL"))}
    environment.update({"DATABASE_URL": f"sqlite:///{db}", "NRC_ADMIN_USERS": "UADMIN01",
                        "PYTHONPATH": str(ROOT)})  # the tree under test, whatever is installed
    environment.update(env or {})
    return subprocess.run([sys.executable, "-m", "bot", *args], input=stdin, text=True,
                          capture_output=True, env=environment, cwd=db.parent, timeout=timeout)


def test_console_lists_the_commands_and_the_twenty(tmp_path: Path) -> None:
    result = nrc("console", db=tmp_path / "nrc.db", stdin="/nrc help\n/nrc members\n")
    assert result.returncode == 0, result.stderr
    out = result.stdout
    assert "> /nrc help" in out and "/nrc delegate add <member> <user>" in out
    for name in ("Belgium (BE)", "Russian Federation (RU)", "United Kingdom (GB)", "Iceland (IS)"):
        assert name in out
    assert "The NATO-Russia Council meets at 20." in out


def test_console_script_with_posts_and_switching_users(tmp_path: Path) -> None:
    script = "\n".join([
        "/nrc setup",
        "/nrc delegate add Russia <@UIVANOV01|ivanov> head",
        ":as UIVANOV01",
        "/nrc delegate add France UDUPONT01",
        ":as",
        "/nrc chair USECGEN01",
        "members",
        ":quit",
        "/nrc members",
    ]) + "\n"
    result = nrc("console", db=tmp_path / "nrc.db", stdin=script)
    out = result.stdout
    assert result.returncode == 0, result.stderr
    assert "Bound #CCONSOLE as the council channel." in out
    assert "[#council 1.000000] This channel is now the channel of the NATO-Russia Council." in out
    assert "[#council 2.000000] @UIVANOV01 joins the delegation of Russian Federation" in out
    assert "You are now @UIVANOV01." in out
    assert "Only the secretariat may add delegates." in out
    assert "@USECGEN01 now chairs the NATO-Russia Council as Secretary General." in out
    assert "Russian Federation (RU): @UIVANOV01 (head)" in out
    assert out.count("meets at 20") == 1  # nothing after :quit
    # The same database, a second session: the state persisted.
    again = nrc("console", db=tmp_path / "nrc.db", stdin="members\n")
    assert "Russian Federation (RU): @UIVANOV01 (head)" in again.stdout


def test_export_import_export_through_the_cli(tmp_path: Path) -> None:
    db = tmp_path / "nrc.db"
    nrc("console", db=db, stdin="setup\ndelegate add Poland UKOWALSK1 head\nchair USECGEN01\n")
    first = nrc("export", db=db)
    assert first.returncode == 0, first.stderr
    data = json.loads(first.stdout)
    assert len(data["tables"]["member"]) == 20 and len(data["tables"]["delegate"]) == 1
    dump = tmp_path / "state.json"
    dump.write_text(first.stdout)
    fresh = tmp_path / "fresh" / "nrc.db"
    fresh.parent.mkdir()
    imported = nrc("import", str(dump), db=fresh)
    assert imported.returncode == 0, imported.stderr
    assert "20 member" in imported.stdout
    assert nrc("export", db=fresh).stdout == first.stdout
    refused = nrc("import", str(dump), db=fresh)
    assert refused.returncode == 1 and "not empty" in refused.stderr


def test_counts_in_the_secretariat_tools_choose_the_plural(tmp_path: Path) -> None:
    db = tmp_path / "nrc.db"
    assert nrc("audit", "verify", db=db).stdout == (
        "NATO-Russia Council: audit log intact, 1 entry.\n")
    nrc("console", db=db, stdin="setup\n")
    with sqlite3.connect(db) as conn:
        conn.execute("UPDATE outbox SET status = 'failed'")
    assert nrc("outbox", "retry", db=db).stdout == "1 failed message requeued.\n"
    assert nrc("outbox", "retry", db=db).stdout == "0 failed messages requeued.\n"


def test_audit_verify_finds_an_edited_row(tmp_path: Path) -> None:
    db = tmp_path / "nrc.db"
    nrc("console", db=db, stdin="setup\ndelegate add Spain UGARCIA01\n")
    ok = nrc("audit", "verify", db=db)
    assert ok.returncode == 0 and "audit log intact, 3 entries" in ok.stdout
    with sqlite3.connect(db) as conn:
        conn.execute("UPDATE auditentry SET details = '{}' WHERE seq = 2")
    broken = nrc("audit", "verify", db=db)
    assert broken.returncode == 1
    assert "BROKEN: entry 2 was altered after it was written" in broken.stdout


def test_manifest_is_a_valid_slack_manifest(tmp_path: Path) -> None:
    result = nrc("manifest", "--url", "https://nrc.example.org", db=tmp_path / "nrc.db")
    manifest = json.loads(result.stdout)
    slash = manifest["features"]["slash_commands"][0]
    assert slash["command"] == "/nrc" and slash["should_escape"] is True
    assert slash["url"] == "https://nrc.example.org/slack/events"
    assert manifest["settings"]["interactivity"] == {
        "is_enabled": True, "request_url": "https://nrc.example.org/slack/events"}
    assert manifest["settings"]["event_subscriptions"]["bot_events"] == ["app_home_opened", "user_change"]
    assert manifest["features"]["app_home"]["home_tab_enabled"] is True
    assert set(manifest["oauth_config"]["scopes"]["bot"]) == {
        "commands", "chat:write", "chat:write.public", "im:write", "channels:history",
        "groups:history", "im:history", "users:read", "canvases:write"}
    socket = json.loads(nrc("manifest", "--socket", db=tmp_path / "nrc.db").stdout)
    assert socket["settings"]["socket_mode_enabled"] is True
    assert "url" not in socket["features"]["slash_commands"][0]


def test_a_malformed_charter_fails_at_start_naming_file_and_key(tmp_path: Path) -> None:
    packaged = Path(DEFAULT_CHARTER).read_text(encoding="utf-8")
    assert 'timezone = "Europe/Brussels"' in packaged
    bad = tmp_path / "bad.toml"
    bad.write_text(packaged.replace('timezone = "Europe/Brussels"', 'timezone = "Mars/Olympus"'))
    result = nrc("--charter", str(bad), "console", db=tmp_path / "nrc.db", stdin="")
    assert result.returncode == 2
    assert "bad.toml" in result.stderr and "timezone" in result.stderr
    via_env = nrc("console", db=tmp_path / "nrc.db", stdin="", env={"NRC_CHARTER": str(bad)})
    assert via_env.returncode == 2 and "bad.toml" in via_env.stderr


def test_db_upgrade_and_tick(tmp_path: Path) -> None:
    db = tmp_path / "nrc.db"
    assert "up to date" in nrc("db", "upgrade", db=db).stdout
    tick = nrc("tick", "--at", "2026-12-03 10:00", db=db)
    assert tick.returncode == 0, tick.stderr
    assert tick.stdout == "Pass as of Thu 3 Dec 2026, 10:00 CET: 3 cadence nudges.\n"
    bad = nrc("tick", "--at", "2026-02-30 10:00", db=db)
    assert bad.returncode == 2 and "not a valid date" in bad.stderr


@pytest.mark.parametrize(("env", "mode"), [
    ({}, "console"),
    ({"SLACK_BOT_TOKEN": "xoxb-1"}, "console"),
    ({"SLACK_BOT_TOKEN": "xoxb-1", "SLACK_SIGNING_SECRET": "s"}, "serve"),
    ({"SLACK_BOT_TOKEN": "xoxb-1", "SLACK_SIGNING_SECRET": "s", "SLACK_APP_TOKEN": "xapp-1"},
     "socket"),
])
def test_the_mode_comes_from_the_environment(env: dict[str, str], mode: str) -> None:
    assert Settings.from_env(env).mode == mode


def test_settings_read_the_environment() -> None:
    settings = Settings.from_env({"SLACK_API_URL": "http://127.0.0.1:9/api",
                                  "NRC_ADMIN_USERS": "UA0000001, UB0000001,,",
                                  "PORT": "8080", "NRC_TIMEZONE": "Europe/Paris"})
    assert settings.api_url == "http://127.0.0.1:9/api/"
    assert settings.admin_users == {"UA0000001", "UB0000001"}
    assert settings.port == 8080 and settings.timezone == "Europe/Paris"
    assert (settings.grace_long, settings.grace_short) == (timedelta(hours=6),
                                                           timedelta(minutes=15))
    tuned = Settings.from_env({"NRC_GRACE_LONG": "12h", "NRC_GRACE_SHORT": "30m"})
    assert (tuned.grace_long, tuned.grace_short) == (timedelta(hours=12), timedelta(minutes=30))
    with pytest.raises(ValueError, match="NRC_GRACE_LONG='soon'"):
        Settings.from_env({"NRC_GRACE_LONG": "soon"})


def test_a_bad_setting_stops_the_start_with_its_name(tmp_path: Path) -> None:
    result = nrc("tick", db=tmp_path / "nrc.db", env={"NRC_GRACE_SHORT": "-5m"})
    assert result.returncode == 2 and "NRC_GRACE_SHORT" in result.stderr


def test_migrations_are_silent_unless_they_apply_something(tmp_path: Path) -> None:
    db = tmp_path / "nrc.db"
    first = nrc("audit", "verify", db=db)
    assert first.returncode == 0, first.stderr
    assert first.stderr.splitlines() == [
        "Database upgraded to 0001 (initial schema).",
        "Database upgraded to 0002 (An open implementation issue is unique per member, "
        "decision and text).",
        "Database upgraded to 0003 (The council's roster stamp, which tells processes when "
        "their copy of the roster is stale).",
        "Database upgraded to 0004 (The capacity an audit entry's actor acted in: the "
        "secretariat, the Chair, a delegate of X).",
        "Database upgraded to 0005 (A random identity per council in its calendar UIDs, so "
        "that deployments never collide).",
        "Database upgraded to 0006 (How each delegate hears about what their member owes: dm, "
        "channel or off).",
        "Database upgraded to 0007 (The practice of consensus: statement kinds, amendments, "
        "versions, superseded decisions).",
        "Database upgraded to 0008 (A meeting's venue, duration, calendar sequence and agenda "
        "state; ordered agenda items).",
        "Database upgraded to 0010 (The council's statements: joint statements (by consensus) "
        "and the Chair's statements).",
        "Database upgraded to 0011 (The record of a meeting: attendance, the outcome of each "
        "agenda item, finalised revisions).",
        "Database upgraded to 0012 (The council's languages: names in other languages, and "
        "each person's language).",
        "Database upgraded to 0013 (Installation by OAuth: slack-sdk's installation and state "
        "tables; each council's workspace and held delivery).",
    ]
    for args in (("audit", "verify"), ("db", "upgrade"), ("tick",), ("console",), ("export",)):
        again = nrc(*args, db=db, stdin="members\n")
        assert again.returncode == 0 and again.stderr == "", (args, again.stderr)
    verbose = nrc("--verbose", "audit", "verify", db=db)
    assert "alembic.runtime.migration: Context impl SQLiteImpl." in verbose.stderr
    debug = nrc("audit", "verify", db=db, env={"NRC_LOG_LEVEL": "debug"})
    assert "alembic.runtime.migration: Context impl SQLiteImpl." in debug.stderr
    fresh = nrc("console", "--verbose", db=tmp_path / "other.db", stdin="")
    assert "Running upgrade  -> 0001, initial schema" in fresh.stderr


def test_report_writes_the_record_as_markdown_or_one_html_file(tmp_path: Path) -> None:
    db = tmp_path / "nrc.db"
    nrc("console", db=db, stdin="\n".join([
        "setup", "delegate add Russia UIVANOV01 head", "delegate add France UDUPONT01 head",
        ":as UIVANOV01", "propose 48h Joint text <script>alert(1)</script>",
        ":as UDUPONT01", "object P1 Not as drafted.", ""]))
    md = nrc("report", db=db)
    assert md.returncode == 0 and md.stderr == "", md.stderr
    assert md.stdout.startswith("# NATO-Russia Council: the record\n\nPeriod: ")
    assert ("### P1: blocked\n\n> Joint text \\<script\\>alert(1)\\</script\\>\n" in md.stdout)
    assert "- France objected: Not as drafted.\n" in md.stdout
    page = tmp_path / "out" / "record.html"
    page.parent.mkdir()
    written = nrc("report", "--format", "html", "--output", str(page), "--from", "2000-01-01",
                  db=db)
    assert written.returncode == 0 and written.stdout == "", written.stderr
    document = page.read_text(encoding="utf-8")
    assert document.startswith('<!DOCTYPE html>\n<html lang="en">')
    assert "Period: 1 January 2000 to " in document
    assert "Joint text &lt;script&gt;alert(1)&lt;/script&gt;" in document
    assert "@media print" in document and "<script" not in document


def test_report_refuses_a_bad_period_with_one_sentence_and_its_usage(tmp_path: Path) -> None:
    db = tmp_path / "nrc.db"
    nrc("db", "upgrade", db=db)
    bad = nrc("report", "--from", "2026-02-30", db=db)
    assert bad.returncode == 2 and bad.stdout == ""
    assert bad.stderr.startswith("nrc-bot report: --from '2026-02-30' is not a date; write it "
                                 "as YYYY-MM-DD, e.g. 2026-01-31.\nusage: nrc-bot report ")
    backwards = nrc("report", "--from", "2026-05-01", "--to", "2026-01-01", db=db)
    assert backwards.returncode == 2
    assert backwards.stderr.splitlines()[0] == (
        "nrc-bot report: The period begins (2026-05-01) after it ends (2026-01-01); "
        "--from must be on or before --to.")
    assert "--format {md,html}" in backwards.stderr
    unknown = nrc("report", "--format", "pdf", db=db)
    assert unknown.returncode == 2 and "invalid choice: 'pdf'" in unknown.stderr


def test_report_and_console_in_the_language_asked_for(tmp_path: Path) -> None:
    """Issue 15: ``report --lang`` (else the council's first official language, English
    for the NRC) and ``console --lang``."""
    db = tmp_path / "nrc.db"
    console = nrc("console", "--lang", "fr", db=db, stdin="\n".join([
        "setup", "delegate add Russia UIVANOV01 head", "delegate add France UDUPONT01 head",
        ":as UIVANOV01", "propose 48h Joint text", ":as UDUPONT01", "object P1 Not as drafted.",
        ":bogus", ""]))
    assert "Vous êtes désormais @UDUPONT01." in console.stdout
    assert "Commandes de la console : " in console.stdout
    fr = nrc("report", "--lang", "fr", "--from", "2000-01-01", "--to", "2099-12-31", db=db)
    assert fr.returncode == 0, fr.stderr
    assert fr.stdout.startswith("# Conseil OTAN-Russie : le compte rendu\n\n"
                                "Période : du 1 janvier 2000 au 31 décembre 2099 ")
    assert "## Sommaire" in fr.stdout and "- Fédération de Russie" not in fr.stdout
    assert "Fédération de Russie n'a pas" not in fr.stdout
    assert "France a formulé une objection : Not as drafted." in fr.stdout
    ru = nrc("report", "--lang", "ru", "--format", "html", "--from", "2000-01-01",
             "--to", "2099-12-31", db=db)
    assert ru.stdout.startswith('<!DOCTYPE html>\n<html lang="ru">')
    assert "<h1>Совет Россия–НАТО: протокол</h1>" in ru.stdout
    assert "с 1 января 2000 по 31 декабря 2099" in ru.stdout
    en = nrc("report", "--from", "2000-01-01", "--to", "2099-12-31", db=db)
    assert en.stdout.startswith("# NATO-Russia Council: the record\n\nPeriod: 1 January 2000")
    assert "invalid choice: 'de'" in nrc("report", "--lang", "de", db=db).stderr


def test_installations_lists_each_installation_its_councils_and_its_state(tmp_path: Path) -> None:
    from slack_sdk.oauth.installation_store import Installation

    from bot.transports.installations import CouncilInstallationStore
    from storage.engine import make_engine

    db = tmp_path / "nrc.db"
    assert nrc("installations", db=db).stdout == (
        "no workspace yet: not installed\n  council nrc (NATO-Russia Council)\n")
    engine = make_engine(f"sqlite:///{db}")
    CouncilInstallationStore("1.2", engine).save(Installation(
        app_id="A1", team_id="T1", team_name="NRC", user_id="UINSTALLER", bot_token="xoxb-1",
        bot_id="B1", bot_user_id="UBOT", bot_scopes="commands,chat:write",
        installed_at=datetime(2026, 12, 1, 9, 0, tzinfo=UTC)))
    with engine.begin() as connection:
        connection.execute(text("UPDATE council SET team_id = 'T1'"))
    engine.dispose()
    listed = nrc("installations", db=db, env={"SLACK_CLIENT_ID": "1.2"})
    assert listed.returncode == 0, listed.stderr
    assert listed.stdout == ("T1 (NRC): active, installed 2026-12-01 09:00 UTC, bot user UBOT, "
                             "scopes commands,chat:write\n  council nrc (NATO-Russia Council)\n")
