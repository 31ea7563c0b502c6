"""The reminder passes: idempotent, safe in parallel, honest after downtime."""

from __future__ import annotations

import io
import logging
import threading
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy.engine import Engine
from sqlmodel import Session, col, select

from bot.runtime import Runtime
from bot.scheduler import TickReport, run_passes
from bot.settings import Settings
from bot.transports.console import Console
from storage.models import Outbox
from tests.council import CHAIR, Clock, delegate, make_runtime, run, seat_council


def utc(*args: int) -> datetime:
    return datetime(*args, tzinfo=UTC)


def _rows(runtime: Runtime, prefix: str) -> dict[str, Outbox]:
    with Session(runtime.engine) as s:
        return {o.key: o for o in s.exec(select(Outbox).where(col(Outbox.key).startswith(prefix))
                                         .order_by(col(Outbox.id)))}


def _status(runtime: Runtime, prefix: str) -> dict[str, str]:
    return {key: row.status for key, row in _rows(runtime, prefix).items()}


def test_a_reminder_is_recorded_once_however_often_the_pass_runs(council: Runtime) -> None:
    run(council, CHAIR, "schedule council-amb 2026-12-10 10:00 Monthly meeting")  # 09:00 UTC
    run(council, delegate("RU"), "agenda M1 add Missile defence")
    assert council.tick(utc(2026, 12, 9, 8, 59, 59)).recorded["meeting reminders"] == 0
    first = council.tick(utc(2026, 12, 9, 9, 0))
    assert first.recorded["meeting reminders"] == 1
    assert council.tick(utc(2026, 12, 9, 9, 0)).recorded["meeting reminders"] == 0
    assert council.tick(utc(2026, 12, 9, 12, 0)).recorded["meeting reminders"] == 0
    rows = _rows(council, "meeting:1:remind:")
    assert list(rows) == ["meeting:1:remind:86400"]
    payload = rows["meeting:1:remind:86400"].payload
    assert payload["header"] == "Reminder: M1 in 24 hours"
    assert payload["text"].startswith("Meeting *M1* of the *Council, Ambassadors*, "
                                      "Monthly meeting, starts <!date^")
    assert payload["text"].endswith("|Thu 10 Dec 2026, 10:00 CET>.")
    assert payload["sections"] == ["*Agenda*\n1. Missile defence _(Russian Federation)_"]
    assert council.tick(utc(2026, 12, 10, 8, 0)).recorded["meeting reminders"] == 1
    assert list(_rows(council, "meeting:1:remind:")) == ["meeting:1:remind:86400",
                                                         "meeting:1:remind:3600"]
    assert _rows(council, "meeting:1:remind:3600")["meeting:1:remind:3600"].payload[
        "header"] == "Reminder: M1 in 1 hour"


def test_ministerial_meetings_are_recalled_a_week_ahead(council: Runtime) -> None:
    run(council, CHAIR, "schedule council-fm 2026-12-20 10:00 Winter ministerial")
    run(council, CHAIR, "schedule milreps 2026-12-20 10:00")
    council.tick(utc(2026, 12, 13, 9, 0))
    assert _status(council, "meeting:1:remind:") == {"meeting:1:remind:604800": "pending"}
    assert _status(council, "meeting:2:remind:") == {}
    assert _rows(council, "meeting:1:remind:")["meeting:1:remind:604800"].payload[
        "header"] == "Reminder: M1 in 7 days"


def test_after_downtime_fresh_reminders_go_and_stale_ones_are_skipped(council: Runtime) -> None:
    run(council, CHAIR, "schedule council-fm 2026-12-20 10:00 Winter ministerial")  # 09:00 UTC
    # Down from before the week-ahead moment until 7 h after the 24-hour moment.
    report = council.tick(utc(2026, 12, 19, 16, 0))
    assert report.recorded["meeting reminders"] == 0
    assert _status(council, "meeting:1:remind:") == {
        "meeting:1:remind:604800": "skipped", "meeting:1:remind:86400": "skipped"}
    skipped = _rows(council, "meeting:1:remind:")["meeting:1:remind:86400"]
    assert skipped.last_error.startswith("stale: due 2026-12-19T09:00:00+00:00")
    # Back 10 minutes after the one-hour moment: within its 15 minutes' grace.
    assert council.tick(utc(2026, 12, 20, 8, 10)).recorded["meeting reminders"] == 1
    assert _status(council, "meeting:1:remind:")["meeting:1:remind:3600"] == "pending"
    # Within the six hours' grace of a day-ahead reminder, it still goes.
    run(council, CHAIR, "schedule council-dm 2026-12-21 10:00")
    council.tick(utc(2026, 12, 20, 14, 59))
    assert _status(council, "meeting:2:remind:8") == {"meeting:2:remind:86400": "pending"}
    assert _status(council, "meeting:2:remind:604800") == {
        "meeting:2:remind:604800": "skipped"}


def test_late_meetings_and_cancelled_ones_get_no_reminders(council: Runtime,
                                                           clock: Clock) -> None:
    clock.now = utc(2026, 12, 10, 6, 0)
    run(council, CHAIR, "schedule council-amb 2026-12-10 10:00")  # 09:00 UTC, in three hours
    run(council, CHAIR, "schedule prepcom 2026-12-11 10:00")
    run(council, CHAIR, "cancel M2")
    council.tick(utc(2026, 12, 10, 8, 0))
    council.tick(utc(2026, 12, 10, 9, 0))
    assert _status(council, "meeting:1:remind:") == {"meeting:1:remind:3600": "pending"}
    council.tick(utc(2026, 12, 11, 8, 0))
    assert _status(council, "meeting:2:remind:") == {}


def test_reminders_land_at_the_right_instant_across_the_clock_change(council: Runtime,
                                                                     clock: Clock) -> None:
    clock.now = utc(2027, 3, 1, 9, 0)
    # 10:00 on the Sunday the clocks go forward: 10:00 CEST is 08:00 UTC.
    run(council, CHAIR, "schedule council-amb 2027-03-28 10:00 Spring session")
    council.tick(utc(2027, 3, 27, 7, 59))
    assert _status(council, "meeting:1:remind:") == {}
    council.tick(utc(2027, 3, 27, 8, 0))  # 09:00 CET the day before: 24 real hours
    assert _status(council, "meeting:1:remind:") == {"meeting:1:remind:86400": "pending"}
    text = _rows(council, "meeting:1:remind:")["meeting:1:remind:86400"].payload["text"]
    assert text.endswith("|Sun 28 Mar 2027, 10:00 CEST>.")
    council.tick(utc(2027, 3, 28, 6, 59))
    assert len(_status(council, "meeting:1:remind:")) == 1
    council.tick(utc(2027, 3, 28, 7, 0))
    assert len(_status(council, "meeting:1:remind:")) == 2
    # And back in autumn: 10:00 CET on 31 October is 09:00 UTC.
    clock.now = utc(2027, 10, 1, 9, 0)
    run(council, CHAIR, "schedule council-amb 2027-10-31 10:00 Autumn session")
    council.tick(utc(2027, 10, 30, 8, 59))
    assert _status(council, "meeting:2:remind:") == {}
    council.tick(utc(2027, 10, 30, 9, 0))
    text = _rows(council, "meeting:2:remind:")["meeting:2:remind:86400"].payload["text"]
    assert text.endswith("|Sun 31 Oct 2027, 10:00 CET>.")


def test_two_passes_in_parallel_record_each_reminder_once(council: Runtime) -> None:
    run(council, CHAIR, "schedule council-amb 2026-12-10 10:00")
    run(council, CHAIR, "schedule prepcom 2026-12-10 15:00")
    run(council, delegate("TR"), "extraordinary Border incident")
    at = utc(2026, 12, 9, 14, 0)  # both day-ahead reminders due, and the first daily recall
    barrier = threading.Barrier(2)
    reports: list[TickReport] = []
    errors: list[BaseException] = []

    def tick() -> None:
        try:
            barrier.wait(timeout=10)
            reports.append(council.tick(at))
        except BaseException as exc:
            errors.append(exc)

    threads = [threading.Thread(target=tick) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert not errors and len(reports) == 2
    assert sum(r.recorded["meeting reminders"] for r in reports) == 2
    assert sum(r.recorded["extraordinary reminders"] for r in reports) == 1
    assert list(_status(council, "meeting:1:remind:")) == ["meeting:1:remind:86400"]
    assert list(_status(council, "meeting:2:remind:")) == ["meeting:2:remind:86400"]
    assert list(_status(council, "extraordinary:1:remind:")) == ["extraordinary:1:remind:8"]


def test_cadence_nudges_escalate_daily_until_fixed(council: Runtime, clock: Clock) -> None:
    # Ten days before the end of December, at 09:00 Brussels: the first nudge.
    council.tick(utc(2026, 12, 22, 7, 59))
    assert _status(council, "cadence:council-amb") == {}
    council.tick(utc(2026, 12, 22, 8, 0))
    council.tick(utc(2026, 12, 22, 8, 30))
    rows = _rows(council, "cadence:council-amb:")
    assert list(rows) == ["cadence:council-amb:2026-12-01:0"]
    first = rows["cadence:council-amb:2026-12-01:0"].payload
    assert first["header"] == "Cadence at risk: Council, Ambassadors"
    assert first["text"].startswith("⚠️ *Council, Ambassadors* is at risk of missing its "
                                    "mandate, at least once a month: 0 held and 0 scheduled")
    assert f"<@{CHAIR}>, please schedule a meeting: `/nrc schedule council-amb <when>`" in (
        first["text"])
    assert "<!channel>" not in first["text"]
    council.tick(utc(2026, 12, 23, 8, 0))
    second = _rows(council, "cadence:council-amb:")["cadence:council-amb:2026-12-01:1"].payload
    assert second["header"] == "Still at risk: Council, Ambassadors (reminder 2)"
    # Down for four days: only the newest nudge goes, marked urgent in the last three days.
    council.tick(utc(2026, 12, 29, 10, 0))
    rows = _rows(council, "cadence:council-amb:")
    assert list(rows) == ["cadence:council-amb:2026-12-01:0", "cadence:council-amb:2026-12-01:1",
                          "cadence:council-amb:2026-12-01:7"]
    urgent = rows["cadence:council-amb:2026-12-01:7"].payload
    assert urgent["header"] == "Breach imminent: Council, Ambassadors"
    assert "will breach its mandate, at least once a month, in 3 days" in urgent["text"]
    # Scheduled: the nudges stop.
    clock.now = utc(2026, 12, 29, 11, 0)
    run(council, CHAIR, "schedule council-amb 2026-12-30 10:00")
    council.tick(utc(2026, 12, 30, 8, 0))
    assert len(_rows(council, "cadence:council-amb:")) == 3
    # The meeting was held: January opens with no breach notice for December.
    council.tick(utc(2027, 1, 1, 8, 0))
    assert "cadence:council-amb:2026-12-01:breached" not in _rows(council, "cadence:")


def test_a_period_closing_short_is_noticed_once(council: Runtime) -> None:
    council.tick(utc(2026, 12, 31, 23, 0, 30))  # 00:00:30 on 1 January in Brussels
    council.tick(utc(2027, 1, 1, 6, 0))
    rows = _rows(council, "cadence:milreps:2026-12-01:breached")
    assert list(rows) == ["cadence:milreps:2026-12-01:breached"]
    payload = rows["cadence:milreps:2026-12-01:breached"].payload
    assert payload["header"] == "Cadence breached: Military representatives"
    assert payload["text"].startswith("❌ *Military representatives* did not meet its mandate, "
                                      "at least once a month, in December 2026: 0 held of 1 "
                                      "required.")
    assert rows["cadence:milreps:2026-12-01:breached"].status == "pending"
    # The Preparatory Committee's second half of December closed short too.
    assert "cadence:prepcom:2026-12-16:breached" in _rows(council, "cadence:prepcom:")


def test_a_breach_noticed_late_after_downtime_is_skipped(council: Runtime) -> None:
    council.tick(utc(2027, 1, 3, 9, 0))
    assert _status(council, "cadence:milreps:2026-12-01:breached") == {
        "cadence:milreps:2026-12-01:breached": "skipped"}


def test_no_breach_for_a_period_the_council_did_not_live_through(engine: Engine,
                                                                  clock: Clock) -> None:
    clock.now = utc(2026, 12, 28, 8, 30)  # set up four days before the month ends
    runtime = make_runtime(engine, clock)
    seat_council(runtime)
    # The nudges tell it at once that the month is at risk ...
    runtime.tick(utc(2026, 12, 28, 9, 0))
    assert list(_rows(runtime, "cadence:council-amb:")) == ["cadence:council-amb:2026-12-01:6"]
    # ... but a month it had four days of is not held against it.
    runtime.tick(utc(2027, 1, 1, 8, 0))
    assert "cadence:council-amb:2026-12-01:breached" not in _rows(runtime, "cadence:")


def test_extraordinary_requests_are_recalled_daily_until_scheduled(council: Runtime,
                                                                   clock: Clock) -> None:
    run(council, delegate("RU"), "extraordinary Crisis consultations")  # 1 Dec 09:00 UTC
    assert council.tick(utc(2026, 12, 2, 8, 59)).recorded["extraordinary reminders"] == 0
    assert council.tick(utc(2026, 12, 2, 9, 0)).recorded["extraordinary reminders"] == 1
    assert council.tick(utc(2026, 12, 2, 18, 0)).recorded["extraordinary reminders"] == 0
    reminder = _rows(council, "extraordinary:1:remind:")["extraordinary:1:remind:1"].payload
    assert reminder["text"].startswith("The extraordinary meeting requested by "
                                       "*Russian Federation* <!date^")
    assert f"<@{CHAIR}>: `/nrc schedule council-amb <when> --extraordinary`" in reminder["text"]
    # Down for three days: one recall, the newest.
    council.tick(utc(2026, 12, 5, 10, 0))
    assert list(_status(council, "extraordinary:1:remind:")) == [
        "extraordinary:1:remind:1", "extraordinary:1:remind:4"]
    clock.now = utc(2026, 12, 5, 11, 0)
    run(council, CHAIR, "schedule council-amb 2026-12-07 10:00 --extraordinary")
    council.tick(utc(2026, 12, 6, 9, 0))
    council.tick(utc(2026, 12, 7, 9, 30))
    assert len(_status(council, "extraordinary:1:remind:")) == 2


def test_tick_reports_what_it_recorded(council: Runtime) -> None:
    run(council, CHAIR, "schedule council-amb 2026-12-10 10:00")
    report = council.tick(utc(2026, 12, 9, 9, 0))
    assert report.summary() == ("Pass as of Wed 9 Dec 2026, 10:00 CET: 1 meeting reminder, "
                                "4 cadence nudges.")
    assert council.tick(utc(2026, 12, 9, 9, 0) + timedelta(seconds=30)).summary() == (
        "Pass as of Wed 9 Dec 2026, 10:00 CET: nothing due.")


def test_pass_summaries_choose_the_plural_and_speak_local_time(
        council: Runtime, caplog: pytest.LogCaptureFixture) -> None:
    """1 extraordinary reminder, 2 meeting reminders; summer time is CEST; the clock logs it."""
    run(council, delegate("RU"), "extraordinary Crisis consultations")  # 1 Dec 09:00 UTC
    run(council, CHAIR, "schedule council-amb 2026-12-03 10:00")
    run(council, CHAIR, "schedule prepcom 2026-12-03 10:00")
    expected = ("Pass as of Wed 2 Dec 2026, 10:00 CET: 2 meeting reminders, 3 cadence nudges, "
                "1 extraordinary reminder.")
    with caplog.at_level(logging.INFO, logger="bot.scheduler"):
        assert council.tick(utc(2026, 12, 2, 9, 0)).summary() == expected
    assert [r.getMessage() for r in caplog.records if r.name == "bot.scheduler"] == [expected]
    assert council.tick(utc(2027, 6, 1, 8, 0)).summary().startswith(
        "Pass as of Tue 1 Jun 2027, 10:00 CEST: ")


def test_the_grace_can_be_configured(council: Runtime) -> None:
    run(council, CHAIR, "schedule council-amb 2026-12-10 10:00")
    settings = Settings(grace_long=timedelta(hours=12), grace_short=timedelta(minutes=5))
    run_passes(council.engine, utc(2026, 12, 9, 18, 0), settings)  # 9 h late: within 12 h
    assert _status(council, "meeting:1:remind:") == {"meeting:1:remind:86400": "pending"}
    run_passes(council.engine, utc(2026, 12, 10, 8, 6), settings)  # 6 min late: past 5 min
    assert _status(council, "meeting:1:remind:")["meeting:1:remind:3600"] == "skipped"


def test_the_console_ticks_and_shows_the_reminder(council: Runtime) -> None:
    out = io.StringIO()
    console = Console(council, CHAIR, out)
    console.handle("/nrc schedule council-amb 2026-12-10 10:00 Monthly meeting")
    console.handle(":tick 2026-12-09 10:30")
    console.handle(":tick 2026-12-09 10:30")
    text = out.getvalue()
    assert "[#council 1.000000] == Meeting M1: Monthly meeting ==" in text
    assert "Pass as of Wed 9 Dec 2026, 10:30 CET: 1 meeting reminder, 4 cadence nudges." in text
    assert text.count("== Reminder: M1 in 24 hours ==") == 1
    assert "Meeting M1 of the Council, Ambassadors, Monthly meeting, starts Thu 10 Dec 2026, " \
           "10:00 CET." in text


def test_a_reminder_waiting_when_its_meeting_is_cancelled_is_never_sent(
        council: Runtime, clock: Clock) -> None:
    clock.now = utc(2026, 12, 1, 9, 0)
    run(council, CHAIR, "schedule council-amb 2026-12-10 10:00")
    council.tick(utc(2026, 12, 9, 9, 1))  # recorded, not yet delivered (Slack was down)
    assert _status(council, "meeting:1:remind:") == {"meeting:1:remind:86400": "pending"}
    clock.now = utc(2026, 12, 9, 9, 5)
    run(council, CHAIR, "cancel M1")
    assert _status(council, "meeting:1:remind:") == {"meeting:1:remind:86400": "skipped"}
    council.tick(utc(2026, 12, 10, 8, 1))
    assert _status(council, "meeting:1:remind:") == {"meeting:1:remind:86400": "skipped"}
