"""Attendance and the record of a meeting through the core, on both databases (issue 14:
"Attendance and the record")."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy.engine import Engine
from sqlmodel import Session, col, select

from bot.runtime import Runtime
from bot.settings import Settings
from storage.models import AuditEntry, Outbox
from storage.models_record import ImmutableRecord, RecordRevision
from tests.agenda import make_decision
from tests.council import (
    ADMIN,
    CHAIR,
    CHANNEL,
    CHARTER,
    CODES,
    OUTSIDER,
    Clock,
    delegate,
    run,
    seat_council,
)

RU, US, FR = delegate("RU"), delegate("US"), delegate("FR")
STARTS = datetime(2026, 12, 2, 9, 0, tzinfo=UTC)  # 10:00 in Brussels


def _meeting(council: Runtime, clock: Clock) -> None:
    run(council, CHAIR, "schedule council-amb 2026-12-02 10:00 Monthly meeting")
    run(council, RU, "agenda M1 add Missile defence")
    run(council, US, "agenda M1 add Search and rescue")
    clock.now = STARTS + timedelta(minutes=5)


def _all_present(council: Runtime) -> None:
    for code in CODES:
        if code != "IS":
            run(council, ADMIN, f"attendance M1 {code} {delegate(code)}")
    run(council, ADMIN, "attendance M1 Iceland absent")


def _posted(council: Runtime, prefix: str) -> list[Outbox]:
    with Session(council.engine) as s:
        return list(s.exec(select(Outbox).where(col(Outbox.key).startswith(prefix))
                           .order_by(col(Outbox.id))))


def _actions(council: Runtime, prefix: str) -> list[AuditEntry]:
    with Session(council.engine) as s:
        return [e for e in s.exec(select(AuditEntry).order_by(col(AuditEntry.seq)))
                if e.action.startswith(prefix)]


def test_attendance_waits_for_the_meeting_to_start(council: Runtime, clock: Clock) -> None:
    run(council, CHAIR, "schedule council-amb 2026-12-02 10:00 Monthly meeting")
    reply = run(council, ADMIN, f"attendance M1 France {FR}")
    assert reply.startswith("M1 starts ") and "its attendance is recorded once it has started" \
        in reply
    assert "Usage: `/nrc attendance <M>" in reply


def test_the_secretariat_records_who_represented_each_member(council: Runtime,
                                                             clock: Clock) -> None:
    _meeting(council, clock)
    run(council, ADMIN, f"delegate add FR {delegate('FR', 2)} deputy")
    reply = run(council, ADMIN, f"attendance M1 France <@{FR}> <@{delegate('FR', 2)}>")
    assert reply == ("Recorded the attendance of France at M1. Still to record: 19 members.")
    shown = council.run_command(OUTSIDER, CHANNEL, "attendance M1")
    assert shown.text.startswith("Attendance at M1 (")
    assert "1 of 20 members represented, 0 absent, 19 not recorded" in shown.text
    lines = shown.sections[0].splitlines()
    assert f"France: <@{FR}> (head of delegation), <@{delegate('FR', 2)}> (deputy head)" in lines
    assert "Belgium: _not recorded_" in lines
    assert [b.label for b in shown.buttons] == ["Record attendance…"]
    assert run(council, ADMIN, "attendance M1 Iceland absent").startswith(
        "Recorded the attendance of Iceland at M1.")
    entry = _actions(council, "attendance.")[-1]
    assert entry.details == {"meeting": 1, "member": "Iceland", "status": "absent",
                             "delegates": []}


def test_only_own_delegates_and_never_another_member_under_the_nrc_charter(
        council: Runtime, clock: Clock) -> None:
    _meeting(council, clock)
    assert run(council, ADMIN, f"attendance M1 France {US}").startswith(
        f"<@{US}> is not a delegate of France; add them with delegate add first")
    reply = run(council, ADMIN, "attendance M1 Iceland by Norway")
    assert reply.startswith("This council's charter does not let another member's delegation "
                            "represent Iceland; name Iceland's own delegates, or record it as "
                            "absent.")
    assert run(council, FR, f"attendance M1 France {FR}").startswith(
        "Only the Chair or the secretariat may record attendance.")
    assert _actions(council, "attendance.") == []


def test_the_record_holds_the_agenda_outcomes_and_what_the_meeting_decided(
        council: Runtime, clock: Clock) -> None:
    _meeting(council, clock)
    run(council, CHAIR, "agenda M1 adopt")
    clock.now = STARTS + timedelta(minutes=30)
    make_decision(council, "Joint search and rescue exercise at sea.")
    assert run(council, ADMIN, "record M1 item 2 The Council welcomed the exercise plan.") == (
        "Recorded the outcome of item 2 of M1. `/nrc record M1` shows the draft.")
    draft = council.run_command(OUTSIDER, CHANNEL, "record M1")
    assert draft.header is not None and draft.header.startswith("Record of M1: ")
    assert draft.header.endswith(" (draft)")
    body = "\n".join(draft.sections)
    assert "1. Missile defence (Russian Federation)\n>_no outcome recorded_" in body
    assert "2. Search and rescue (United States)\n>The Council welcomed the exercise plan." in body
    assert "D1 adopted (from P1): Joint search and rescue exercise at sea." in body
    assert run(council, ADMIN, "record M1 item 3 Nothing").startswith(
        'Give the item as a number from 1 to 2, not "3".')


def test_finalising_posts_the_record_once_and_corrections_are_new_revisions(
        council: Runtime, clock: Clock) -> None:
    _meeting(council, clock)
    run(council, ADMIN, "record M1 item 1 Discussed; no conclusion.")
    refused = run(council, CHAIR, "record M1 final")
    assert refused.startswith("The attendance of 20 members is not recorded yet (Belgium, "
                              "Canada, Czech Republic, Denmark, France and 15 more); record it "
                              "(attendance M1 …) before finalising.")
    _all_present(council)
    assert run(council, CHAIR, "record M1 final") == (
        "The record of M1 is final and posted in the channel; `/nrc records` lists it.")
    assert run(council, CHAIR, "record M1 final").startswith(
        "The record of M1 is already final (revision 1)")
    posts = _posted(council, "record:1:")
    assert [p.key for p in posts] == ["record:1:1"]
    assert "Iceland: absent" in "\n".join(posts[0].payload["sections"])
    reply = run(council, ADMIN, "record M1 item 1 Discussed; the Council will return to it.")
    assert reply == ("Recorded the outcome of item 1 of M1. The record was final: revision 2 "
                     "is posted in its thread.")
    posts = _posted(council, "record:1:")
    assert [(p.key, p.thread_key) for p in posts] == [("record:1:1", None),
                                                     ("record:1:2", "record:1:1")]
    assert "Discussed; no conclusion." in "\n".join(posts[0].payload["sections"])
    assert "the Council will return to it" in "\n".join(posts[1].payload["sections"])
    assert [e.action for e in _actions(council, "record.")] == [
        "record.outcome", "record.final", "record.outcome", "record.correct"]
    listed = council.run_command(OUTSIDER, CHANNEL, "records")
    assert listed.text == "Records of meetings: 1."
    assert "revision 2" in listed.sections[0]
    shown = council.run_command(OUTSIDER, CHANNEL, "record M1")
    assert shown.header is not None and shown.header.endswith(", revision 2")


def test_a_finalised_revision_cannot_be_edited(council: Runtime, clock: Clock) -> None:
    _meeting(council, clock)
    _all_present(council)
    run(council, CHAIR, "record M1 final")
    with Session(council.engine) as s:
        row = s.exec(select(RecordRevision)).one()
        row.note = "rewritten"
        s.add(row)
        with pytest.raises(ImmutableRecord):
            s.flush()


def test_another_members_delegation_where_the_charter_allows_it(engine: Engine,
                                                                clock: Clock) -> None:
    charter = replace(CHARTER, representation_by_other_member=True)
    runtime = Runtime(Settings(admin_users=frozenset({ADMIN})), charter=charter, engine=engine,
                      clock=clock).prepare()
    try:
        seat_council(runtime)
        _meeting(runtime, clock)
        assert run(runtime, ADMIN, "attendance M1 Iceland by Norway").startswith(
            "Recorded the attendance of Iceland at M1.")
        lines = runtime.run_command(OUTSIDER, CHANNEL, "attendance M1").sections[0]
        assert "Iceland: represented by the delegation of Norway" in lines.splitlines()
        assert run(runtime, ADMIN, "attendance M1 Iceland by Iceland").startswith(
            "Iceland cannot represent itself by another member")
    finally:
        runtime.close()
