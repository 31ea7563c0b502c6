"""The iCalendar feeds: stable UIDs, Brussels wall time, cancellations; HTTP and CLI."""

from __future__ import annotations

import re
import urllib.error
import urllib.request
from datetime import UTC, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import icalendar
import pytest
from alembic import command as alembic_command
from sqlalchemy import text
from sqlalchemy.engine import Engine
from sqlmodel import Session, select

from bot.cli import main
from bot.exchange import export_state, import_state
from bot.meetings import UnknownFeed, feed
from bot.runtime import Runtime
from storage.engine import alembic_config, make_engine, upgrade
from storage.models import Council
from tests.council import CHAIR, delegate, make_runtime, run, seat_council
from tests.e2e import BotServer

NOW = datetime(2026, 12, 1, 9, 0, tzinfo=UTC)


def _council(runtime: Runtime) -> Council:
    with Session(runtime.engine) as s:
        return s.exec(select(Council)).one()


def _uid(row: Council, meeting: int) -> str:
    return f"meeting-{meeting}.{row.calendar_uid}@nrc"


def _events(document: bytes) -> list[icalendar.Event]:
    return list(icalendar.Calendar.from_ical(document).walk("VEVENT"))


def _schedule_three(runtime: Runtime) -> None:
    run(runtime, CHAIR, "schedule council-amb 2026-12-10 10:00 Monthly meeting")
    run(runtime, CHAIR, "schedule council-fm 2027-06-03 09:30 Spring ministerial")
    run(runtime, CHAIR, "schedule prepcom 2026-12-08 15:00 Preparation")
    run(runtime, delegate("RU"), "agenda M1 add Missile defence")
    run(runtime, CHAIR, "cancel M3 No quorum")


def test_the_feed_of_all_meetings(council: Runtime) -> None:
    _schedule_three(council)
    row = _council(council)
    with Session(council.engine) as s:
        document = feed(s, row, now=NOW)
    cal = icalendar.Calendar.from_ical(document)
    assert cal["X-WR-CALNAME"] == "NATO-Russia Council: all meetings"
    assert [tz["TZID"] for tz in cal.walk("VTIMEZONE")] == ["Europe/Brussels"]
    events = _events(document)
    assert [str(e["UID"]) for e in events] == [_uid(row, 3), _uid(row, 1), _uid(row, 2)]
    prep, amb, fm = events
    start = amb.decoded("DTSTART")
    assert start.tzinfo.key == "Europe/Brussels" and (start.hour, start.minute) == (10, 0)
    assert b"DTSTART;TZID=Europe/Brussels:20261210T100000" in document
    assert b"DTSTART;TZID=Europe/Brussels:20270603T093000" in document  # summer time, same wall
    assert fm.decoded("DTSTART").utcoffset().total_seconds() == 7200
    assert str(amb["SUMMARY"]) == "Monthly meeting (M1, Council, Ambassadors)"
    assert "1. Missile defence (Russian Federation)" in str(amb["DESCRIPTION"])
    assert (str(amb["STATUS"]), str(prep["STATUS"])) == ("CONFIRMED", "CANCELLED")
    assert "Cancelled. No quorum" in str(prep["DESCRIPTION"])
    # Stable: the same meetings give the same document.
    with Session(council.engine) as s:
        assert feed(s, row, now=NOW) == document


def test_one_body_s_feed_and_an_unknown_body(council: Runtime) -> None:
    _schedule_three(council)
    row = _council(council)
    with Session(council.engine) as s:
        document = feed(s, row, "council-amb", now=NOW)
        assert [str(e["UID"]) for e in _events(document)] == [_uid(row, 1)]
        calendar = icalendar.Calendar.from_ical(document)
        assert calendar["X-WR-CALNAME"] == "NATO-Russia Council: Council, Ambassadors"
        empty = feed(s, row, "experts", now=NOW)
        assert _events(empty) == [] and b"BEGIN:VTIMEZONE" in empty
        with pytest.raises(UnknownFeed):
            feed(s, row, "narnia", now=NOW)


def _get(url: str) -> tuple[int, str, bytes]:
    try:
        with urllib.request.urlopen(url, timeout=10) as response:
            return response.status, response.headers["Content-Type"], response.read()
    except urllib.error.HTTPError as exc:
        return exc.code, exc.headers["Content-Type"], exc.read()


def test_the_feeds_over_http(bot_server: BotServer) -> None:
    seat_council(bot_server.runtime)
    _schedule_three(bot_server.runtime)
    row = _council(bot_server.runtime)
    token = row.ics_token
    status, kind, body = _get(f"{bot_server.url}/calendar/{token}/all.ics")
    assert (status, kind) == (200, "text/calendar; charset=utf-8")
    assert len(_events(body)) == 3
    status, _, body = _get(f"{bot_server.url}/calendar/{token}/council-fm.ics")
    assert status == 200 and [str(e["UID"]) for e in _events(body)] == [_uid(row, 2)]
    for path in (f"/calendar/{'x' * len(token)}/all.ics", f"/calendar/{token}/narnia.ics",
                 f"/calendar/{token}/all.txt", "/calendar/", f"/calendar/{token}/../all.ics"):
        assert _get(bot_server.url + path)[0] == 404, path
    request = urllib.request.Request(f"{bot_server.url}/calendar/{token}/all.ics", data=b"x",
                                     method="POST")
    with pytest.raises(urllib.error.HTTPError) as refused:
        urllib.request.urlopen(request, timeout=10)
    assert refused.value.code == 405


def test_nrc_bot_ics_writes_the_feed(sqlite_engine: Engine, capsys: pytest.CaptureFixture[str],
                                     monkeypatch: pytest.MonkeyPatch) -> None:
    runtime = make_runtime(sqlite_engine)
    seat_council(runtime)
    _schedule_three(runtime)
    url = sqlite_engine.url.render_as_string(hide_password=False)
    monkeypatch.delenv("NRC_PUBLIC_URL", raising=False)
    assert main(["--database", url, "ics", "council-amb"]) == 0
    out = capsys.readouterr().out
    row = _council(runtime)
    assert out.startswith("BEGIN:VCALENDAR") and f"UID:{_uid(row, 1)}" in out
    assert _uid(row, 2) not in out
    assert main(["ics", "--database", url]) == 0  # the option after the sub-command too
    assert capsys.readouterr().out.count("BEGIN:VEVENT") == 3
    assert main(["--database", url, "ics", "narnia"]) == 2
    assert "there is no body 'narnia'" in capsys.readouterr().err
    monkeypatch.setenv("NRC_PUBLIC_URL", "https://nrc.example.org/")
    assert main(["--database", url, "ics", "--urls"]) == 0
    token = _council(runtime).ics_token
    lines = capsys.readouterr().out.splitlines()
    assert lines[0] == f"All meetings: https://nrc.example.org/calendar/{token}/all.ics"
    assert len(lines) == 9


def test_times_in_the_feed_are_the_councils_wall_time(council: Runtime) -> None:
    run(council, CHAIR, "schedule council-amb 2027-03-27 10:00 Before the change")
    run(council, CHAIR, "schedule council-amb 2027-03-29 10:00 After the change")
    row = _council(council)
    with Session(council.engine) as s:
        events = _events(feed(s, row, "council-amb", now=NOW))
    bru = ZoneInfo("Europe/Brussels")
    starts = [e.decoded("DTSTART") for e in events]
    assert [s.astimezone(bru).hour for s in starts] == [10, 10]
    assert [s.astimezone(UTC).hour for s in starts] == [9, 8]


def _uids(engine: Engine) -> list[str]:
    with Session(engine) as s:
        return [str(e["UID"]) for e in _events(feed(s, s.exec(select(Council)).one(), now=NOW))]


def test_uids_are_unique_across_deployments_and_stable_across_restarts_and_exports(
        tmp_path: Path) -> None:
    """Two deployments each have a meeting M1: a subscriber to both must see two events,
    and one deployment's feed must keep its UIDs when restarted or moved by export."""
    first, second = (make_engine(f"sqlite:///{tmp_path / name}.db") for name in ("a", "b"))
    for engine in (first, second):
        upgrade(engine)
        runtime = make_runtime(engine)
        seat_council(runtime)
        _schedule_three(runtime)
    uids = _uids(first)
    assert len(uids) == 3 and not set(uids) & set(_uids(second))
    assert all(re.fullmatch(r"meeting-\d\.[0-9a-f]{32}@nrc", uid) for uid in uids), uids
    # A restart: a new engine and runtime on the same database.
    first.dispose()
    again = make_engine(f"sqlite:///{tmp_path / 'a'}.db")
    make_runtime(again)
    assert _uids(again) == uids
    # An export imported into a fresh database carries the council's calendar identity.
    moved = make_engine(f"sqlite:///{tmp_path / 'moved'}.db")
    upgrade(moved)
    import_state(moved, export_state(again))
    assert _uids(moved) == uids


def test_the_migration_gives_each_existing_council_its_own_calendar_identity(
        engine: Engine) -> None:
    """Councils created before the column existed each draw a random identity."""
    config = alembic_config(engine)
    alembic_command.downgrade(config, "0004")
    try:
        with engine.begin() as conn:
            for key in ("nrc", "pjc"):
                conn.execute(text(
                    "INSERT INTO council (key, name, short_name, chair_title, timezone, "
                    "ics_token, created_at, roster_stamp) VALUES (:key, :key, :key, 'Chair', "
                    "'Europe/Brussels', :key, :now, :key)"), {"key": key, "now": NOW})
        upgrade(engine)
        with engine.connect() as conn:
            drawn = [row[0] for row in conn.execute(text(
                "SELECT calendar_uid FROM council ORDER BY key"))]
        assert len(drawn) == 2 and len(set(drawn)) == 2, drawn
        assert all(re.fullmatch(r"[0-9a-f]{32}", uid) for uid in drawn), drawn
    finally:
        upgrade(engine)
