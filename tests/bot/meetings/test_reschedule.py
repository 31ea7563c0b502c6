"""Moving a meeting (``reschedule``) and a meeting's venue and length, through the core."""

from __future__ import annotations

import threading
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import icalendar
import pytest
from alembic import command as alembic_command
from sqlalchemy import text
from sqlmodel import Session, col, select

from bot.errors import CommandError
from bot.meetings import feed
from bot.meetings.queries import bodies_of, standings
from bot.meetings.rules import check_reschedule, parse_duration
from bot.runtime import Runtime
from bot.scheduler import TickReport
from storage.engine import alembic_config, upgrade
from storage.models import AgendaItem, AuditEntry, Council, Meeting, Outbox
from tests.council import CHAIR, CHANNEL, delegate, run


def utc(*args: int) -> datetime:
    return datetime(*args, tzinfo=UTC)


def _rows(runtime: Runtime, prefix: str) -> dict[str, Outbox]:
    with Session(runtime.engine) as s:
        return {o.key: o for o in s.exec(select(Outbox).where(col(Outbox.key).startswith(prefix))
                                         .order_by(col(Outbox.id)))}


def _event(runtime: Runtime) -> icalendar.Event:
    with Session(runtime.engine) as s:
        council = s.exec(select(Council)).one()
        document = feed(s, council, now=utc(2026, 12, 1, 9, 0))
    events = list(icalendar.Calendar.from_ical(document).walk("VEVENT"))
    assert len(events) == 1
    return events[0]


# -- rules ---------------------------------------------------------------------------------


def test_a_meeting_moves_only_before_it_starts_and_to_another_time() -> None:
    now, start = utc(2027, 3, 1, 9), utc(2027, 3, 26, 9)
    check_reschedule(4, "scheduled", start, utc(2027, 3, 29, 8), now)
    with pytest.raises(CommandError, match=r"^M4 is cancelled; schedule a new meeting instead\.$"):
        check_reschedule(4, "cancelled", start, utc(2027, 3, 29, 8), now)
    with pytest.raises(CommandError, match=r"^M4 has already taken place\.$"):
        check_reschedule(4, "scheduled", start, utc(2027, 3, 29, 8), utc(2027, 3, 26, 9))
    with pytest.raises(CommandError, match=r"^M4 already starts at that time\.$"):
        check_reschedule(4, "scheduled", start, start, now)


def test_durations_read_as_people_write_them() -> None:
    assert [parse_duration(t) for t in ("3h", "90m", "1h30m", "24h")] == [180, 90, 90, 1440]
    for bad in ("", "3", "h", "0m", "25h", "three hours"):
        with pytest.raises(CommandError):
            parse_duration(bad)


# -- the service ---------------------------------------------------------------------------


def test_reschedule_across_the_clock_change_updates_in_place_and_posts_in_the_thread(
        council: Runtime) -> None:
    # Friday 26 March 2027, 10:00 CET (09:00 UTC), to Monday 29 March 10:00 CEST (08:00 UTC).
    run(council, CHAIR, "schedule council-amb 2027-03-26 10:00 Monthly meeting")
    old = f"<!date^{int(utc(2027, 3, 26, 9).timestamp())}^{{date_short_pretty}} {{time}}|" \
          "Fri 26 Mar 2027, 10:00 CET>"
    new = f"<!date^{int(utc(2027, 3, 29, 8).timestamp())}^{{date_short_pretty}} {{time}}|" \
          "Mon 29 Mar 2027, 10:00 CEST>"
    reply = run(council, CHAIR, "reschedule M1 2027-03-29 10:00")
    assert reply == (f"Moved M1 (Council, Ambassadors) to {new}; "
                     "the announcement in the channel shows it.")
    rows = _rows(council, "meeting:1")
    update = rows["updated:meeting:1"] if "updated:meeting:1" in rows else next(
        r for r in rows.values() if r.target_key == "meeting:1")
    assert update.payload["text"] == (f"*Council, Ambassadors* meets {new} "
                                      f"(moved from ~{old}~).")
    moved = rows["meeting:1:moved:1"]
    assert moved.thread_key == "meeting:1"
    assert moved.payload["text"] == f"*M1* (Council, Ambassadors) moved: now {new}, not ~{old}~."
    with Session(council.engine) as s:
        meeting = s.get(Meeting, 1)
        assert meeting is not None
        assert (meeting.starts_at, meeting.previous_starts_at, meeting.sequence) == (
            utc(2027, 3, 29, 8), utc(2027, 3, 26, 9), 1)
        entry = s.exec(select(AuditEntry).order_by(col(AuditEntry.seq).desc())).first()
        assert entry is not None and entry.action == "meeting.reschedule"
        assert entry.details["from"] == "2027-03-26T09:00:00+00:00"
    event = _event(council)
    assert event["SEQUENCE"] == 1 and str(event["UID"]).startswith("meeting-1.")
    start = event.decoded("DTSTART")
    assert (start.day, start.hour, start.utcoffset().total_seconds()) == (29, 10, 7200)


def test_the_old_start_s_reminders_are_not_sent_and_the_new_ones_are_once(
        council: Runtime) -> None:
    run(council, CHAIR, "schedule council-amb 2027-03-26 10:00")  # 09:00 UTC
    council.tick(utc(2027, 3, 25, 9, 0))  # the day-ahead reminder is recorded, not yet sent
    assert _rows(council, "meeting:1:remind:")["meeting:1:remind:86400"].status == "pending"
    run(council, CHAIR, "reschedule M1 2027-03-29 10:00")  # 08:00 UTC, summer time
    pending = _rows(council, "meeting:1:remind:")["meeting:1:remind:86400"]
    assert pending.status == "skipped" and pending.last_error.startswith("moved: M1 now starts")
    # The old start's hour-ahead moment: nothing, the meeting is no longer then.
    assert council.tick(utc(2027, 3, 26, 8, 0)).recorded["meeting reminders"] == 0
    # The new start's day-ahead moment, two replicas at once: recorded once.
    barrier = threading.Barrier(2)
    reports: list[TickReport] = []
    errors: list[BaseException] = []

    def tick() -> None:
        try:
            barrier.wait(timeout=10)
            reports.append(council.tick(utc(2027, 3, 28, 8, 0)))
        except BaseException as exc:
            errors.append(exc)

    threads = [threading.Thread(target=tick) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert not errors and sum(r.recorded["meeting reminders"] for r in reports) == 1
    assert {k: r.status for k, r in _rows(council, "meeting:1:remind:").items()} == {
        "meeting:1:remind:86400": "skipped", "meeting:1:remind:86400:s1": "pending"}
    assert council.tick(utc(2027, 3, 29, 7, 0)).recorded["meeting reminders"] == 1
    assert "meeting:1:remind:3600:s1" in _rows(council, "meeting:1:remind:")


def test_cadence_verdicts_follow_the_new_date(council: Runtime) -> None:
    """A meeting moved from January into February counts for February."""
    run(council, CHAIR, "schedule council-amb 2027-01-20 10:00")

    def scheduled(at: datetime) -> int:
        with Session(council.engine) as s:
            body = next(b for b in bodies_of(s, 1) if b.key == "council-amb")
            return standings(s, [body], at, ZoneInfo("Europe/Brussels"))[body.id or 0].current.scheduled

    assert (scheduled(utc(2027, 1, 2, 9)), scheduled(utc(2027, 2, 2, 9))) == (1, 0)
    run(council, CHAIR, "reschedule M1 2027-02-03 10:00")
    assert (scheduled(utc(2027, 1, 2, 9)), scheduled(utc(2027, 2, 2, 9))) == (0, 1)


def test_reschedule_is_for_the_chair_and_the_secretariat_and_errors_are_one_sentence(
        council: Runtime) -> None:
    run(council, CHAIR, "schedule council-amb 2027-03-26 10:00")
    assert run(council, delegate("RU"), "reschedule M1 2027-03-29 10:00").startswith(
        "Only the Chair or the secretariat may move meetings.")
    assert run(council, CHAIR, "reschedule M1 2027-03-26 10:00").startswith(
        "M1 already starts at that time.")
    assert run(council, CHAIR, "reschedule M1 2026-11-01 10:00").startswith(
        "Sun 1 Nov 2026, 10:00 CET is in the past")
    assert run(council, CHAIR, "reschedule").startswith("Name the meeting to move, like M3.")
    assert run(council, CHAIR, "reschedule M1 2027-03-29 10:00 soon").startswith(
        'Unexpected "soon" after the new time.')
    assert "Usage: `/nrc reschedule <M> <when>`" in run(council, CHAIR, "reschedule M9 2027-03-29 10:00")


def test_venue_and_duration_show_in_the_announcement_and_the_feed(council: Runtime) -> None:
    run(council, CHAIR, "schedule council-amb 2027-03-10 10:00 Monthly meeting "
                        "--venue NATO HQ, Room 2 --duration 3h")
    post = _rows(council, "meeting:1")["meeting:1"]
    assert post.payload["header"] == "Meeting M1: Monthly meeting"
    assert post.payload["text"].endswith("\nVenue: NATO HQ, Room 2\nLength: 3 hours")
    event = _event(council)
    assert str(event["LOCATION"]) == "NATO HQ, Room 2"
    assert event.decoded("DURATION").total_seconds() == 3 * 3600
    assert run(council, CHAIR, "schedule council-amb 2027-03-11 10:00 --duration 3").startswith(
        '"3" is not a duration; write it like 3h, 90m or 1h30m.')


def test_agenda_items_keep_their_order_by_position(council: Runtime) -> None:
    run(council, CHAIR, "schedule council-amb 2027-03-10 10:00")
    run(council, delegate("RU"), "agenda M1 add Missile defence")
    run(council, delegate("NO"), "agenda M1 add Search and rescue")
    with Session(council.engine) as s:
        items = s.exec(select(AgendaItem).order_by(col(AgendaItem.id))).all()
        assert [(i.position, i.status) for i in items] == [(1, "open"), (2, "open")]
        items[0].position = 3  # as a later "agenda M1 move" would
        s.add(items[0])
        s.commit()
    agenda = council.run_command(CHAIR, CHANNEL, "agenda M1").sections[0]
    assert agenda.index("Search and rescue") < agenda.index("Missile defence")


def test_the_migration_orders_existing_agenda_items_by_id_per_meeting(council: Runtime) -> None:
    """0008 backfills ``position`` from the id order of each meeting's items."""
    run(council, CHAIR, "schedule council-amb 2027-03-10 10:00")
    run(council, CHAIR, "schedule prepcom 2027-03-11 10:00")
    for line in ("agenda M1 add One", "agenda M2 add Two", "agenda M1 add Three"):
        run(council, delegate("RU"), line)
    engine = council.engine
    config = alembic_config(engine)
    alembic_command.downgrade(config, "0007")
    try:
        upgrade(engine)
        with engine.connect() as conn:
            rows = list(conn.execute(text(
                "SELECT meeting_id, position, status, text FROM agendaitem ORDER BY id")))
        assert [tuple(r) for r in rows] == [(1, 1, "open", "One"), (2, 1, "open", "Two"),
                                            (1, 2, "open", "Three")]
        with engine.connect() as conn:
            meeting = conn.execute(text("SELECT duration_minutes, sequence, agenda_state, "
                                        "agenda_revision FROM meeting WHERE id = 1")).one()
        assert tuple(meeting) == (120, 0, "draft", 0)
    finally:
        upgrade(engine)
