"""Who opens a silence procedure, and for how long (issue 13), through the core.

The charter's minimum silence (24 hours for the NRC) binds delegations; the Chair
goes below it only with ``--urgent <reason>``, which the poll shows. A deadline on a
weekend or outside working hours (Monday to Friday, 09:00-18:00 in Brussels) is
accepted, and the reply and the poll say so.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlmodel import Session, col, select

from bot.exchange import export_state
from bot.messages import Message, plain, render_text
from bot.runtime import Runtime
from storage.models import AuditEntry, Outbox, Proposal
from tests.council import CHAIR, Clock, delegate, run

T0 = datetime(2026, 12, 1, 9, 0, tzinfo=UTC)  # Tuesday, 10:00 in Brussels
RU = delegate("RU")
USAGE = ("Usage: `/nrc propose [--explicit] [--area A] [--urgent <reason>] "
        "[--supersedes D] <deadline> <text>`")


def _deadline(runtime: Runtime, number: int = 1) -> datetime:
    with Session(runtime.engine) as s:
        proposal = s.get(Proposal, number)
        assert proposal is not None
        return proposal.deadline


def _poll_view(runtime: Runtime, number: int = 1) -> str:
    """The poll message as delivery would rebuild it from the records now."""
    with Session(runtime.engine) as session:
        return render_text(runtime.render_poll(session, 1, number, runtime.clock()))


def _posted(runtime: Runtime, number: int = 1) -> str:
    """The poll message as first recorded in the outbox."""
    with Session(runtime.engine) as s:
        row = s.exec(select(Outbox).where(Outbox.key == f"poll:{number}")).one()
        return render_text(Message.from_dict(row.payload))


def _opening(runtime: Runtime) -> AuditEntry:
    with Session(runtime.engine) as s:
        return s.exec(select(AuditEntry).where(AuditEntry.action == "poll.open")
                      .order_by(col(AuditEntry.seq))).first()  # type: ignore[return-value]


# -- the minimum silence ------------------------------------------------------------


def test_a_delegation_is_refused_a_silence_under_the_minimum(council: Runtime) -> None:
    before = export_state(council.engine)
    for line in ("propose 12h Short", "propose 23h59m Almost a day",
                 "propose 2026-12-01 18:00 This evening"):
        reply = plain(run(council, RU, line))
        assert reply.startswith("A delegation's proposal stays under silence for at least "
                                "24 hours (the charter's minimum); "), reply
        assert " is sooner." in reply and reply.endswith(USAGE), reply
    assert export_state(council.engine) == before


def test_a_delegation_may_propose_the_minimum_or_longer(council: Runtime) -> None:
    assert run(council, RU, "propose 24h Exactly a day").startswith("Opened *P1*")
    assert _deadline(council) == T0 + timedelta(hours=24)
    assert run(council, RU, "propose --explicit 3d Longer").startswith("Opened *P2*")


def test_a_delegation_may_not_plead_urgency(council: Runtime) -> None:
    before = export_state(council.engine)
    reply = run(council, RU, 'propose --urgent "ferry in distress" 6h Rescue')
    assert reply.startswith("Only the Chair may put a text under silence with --urgent."), reply
    assert reply.endswith(USAGE)
    assert run(council, RU, "propose --urgent storm 48h Rescue").startswith(
        "Only the Chair may put a text under silence with --urgent.")
    assert export_state(council.engine) == before


def test_the_chair_below_the_minimum_needs_a_reason(council: Runtime) -> None:
    before = export_state(council.engine)
    reply = run(council, CHAIR, "propose 6h Rescue")
    assert reply.startswith("The charter's minimum silence is 24 hours; below it, give the "
                            'reason with --urgent, like --urgent "storm warning".'), reply
    assert reply.endswith(USAGE)
    for line, error in (("propose --urgent", "Give the reason after --urgent"),
                        ("propose --urgent --explicit 6h Rescue", "Give the reason after --urgent"),
                        ('propose --urgent "" 6h Rescue', "Give the reason after --urgent"),
                        ('propose --urgent "no end 6h Rescue', "Close the quotes"),
                        (f"propose --urgent {'x' * 201} 6h Rescue",
                         "The reason after --urgent is 201 characters; the limit is 200.")):
        reply = run(council, CHAIR, line)
        assert reply.startswith(error), (line, reply)
        assert reply.endswith(USAGE)
    assert export_state(council.engine) == before


def test_the_chairs_urgent_poll_shows_its_reason(council: Runtime) -> None:
    reply = run(council, CHAIR, "propose --urgent \u201cferry in distress off Kaliningrad\u201d "
                                "6h Joint search and rescue operation")
    assert reply.startswith("Opened *P1*"), reply
    assert _deadline(council) == T0 + timedelta(hours=6)
    for view in (_posted(council), _poll_view(council)):
        assert "Urgent: ferry in distress off Kaliningrad" in view, view
        assert "Joint search and rescue operation" in view
    assert _opening(council).details["urgent"] == "ferry in distress off Kaliningrad"
    # One word needs no quotes; the = form too; an urgent poll still follows the rule.
    assert run(council, CHAIR, "propose --urgent=storm --explicit 2h Second").startswith(
        "Opened *P2*")
    assert "Urgent: storm" in _poll_view(council, 2)
    assert run(council, delegate("FR"), "object P1 Not without our coast guard.").startswith(
        "Recorded")
    assert "Urgent: ferry in distress" in _poll_view(council)  # kept after the close


def test_a_poll_without_urgency_shows_none(council: Runtime) -> None:
    run(council, RU, "propose 48h Joint statement")
    assert "Urgent" not in _poll_view(council)
    assert "urgent" not in _opening(council).details


# -- the working calendar -------------------------------------------------------------


def test_a_deadline_in_working_time_says_nothing_more(council: Runtime) -> None:
    reply = plain(run(council, RU, "propose 48h Joint statement"))
    assert reply == ("Opened P1 (silence procedure) in the council channel; deadline "
                     "Thu 3 Dec 2026, 10:00 CET.")
    assert "Note:" not in _poll_view(council) and "falls" not in _poll_view(council)


def test_a_deadline_on_a_saturday_is_accepted_and_said(council: Runtime) -> None:
    reply = plain(run(council, RU, "propose 2026-12-05 12:00 Joint statement"))
    assert reply == ("Opened P1 (silence procedure) in the council channel; deadline "
                     "Sat 5 Dec 2026, 12:00 CET. Note: by the council's clock "
                     "(Europe/Brussels) the deadline falls on a Saturday; the Chair can move "
                     "it with "
                     "`/nrc extend P1 <deadline>`.")
    for view in (_posted(council), _poll_view(council)):
        assert "(4 d 2 h left); it falls on a Saturday" in view, view


def test_a_deadline_after_hours_is_accepted_and_said(council: Runtime) -> None:
    reply = plain(run(council, RU, "propose 2026-12-03 20:00 Joint statement"))
    assert reply.endswith("Note: by the council's clock (Europe/Brussels) the deadline falls "
                          "at 20:00, outside working hours (09:00-18:00); the Chair can move "
                          "it with "
                          "`/nrc extend P1 <deadline>`."), reply
    assert "it falls at 20:00, outside working hours (09:00-18:00)" in _poll_view(council)


def test_extend_says_so_and_the_poll_follows_the_new_deadline(council: Runtime) -> None:
    run(council, RU, "propose 2026-12-05 12:00 Joint statement")
    reply = plain(run(council, CHAIR, "extend P1 2026-12-07 10:00"))
    assert reply == ("The Chair extended the deadline of P1 from Sat 5 Dec 2026, 12:00 CET "
                     "to Mon 7 Dec 2026, 10:00 CET.")
    assert "falls" not in _poll_view(council)
    reply = plain(run(council, CHAIR, "extend P1 2026-12-07 19:30"))
    assert reply.endswith(". Note: by the council's clock (Europe/Brussels) the deadline "
                          "falls at 19:30, outside working hours (09:00-18:00); the Chair can "
                          "move it with "
                          "`/nrc extend P1 <deadline>`."), reply
    assert "it falls at 19:30, outside working hours" in _poll_view(council)
    # The thread's announcement says only what changed.
    with Session(council.engine) as s:
        thread = [o.payload["text"] for o in s.exec(select(Outbox))
                  if ":extend:" in o.key]
    assert not any("Note:" in text for text in thread)


def test_amend_says_so_when_the_fresh_deadline_falls_outside(council: Runtime,
                                                            clock: Clock) -> None:
    run(council, RU, "propose 48h Joint statement")  # 48 hours: Thursday 10:00
    clock.now = T0 + timedelta(days=2, hours=-2)  # Thursday 08:00 Brussels
    reply = plain(run(council, CHAIR, "amend P1 Joint statement, revised"))
    assert reply.endswith("new deadline Sat 5 Dec 2026, 08:00 CET. Note: by the council's "
                          "clock (Europe/Brussels) the deadline falls on a Saturday; the "
                          "Chair can move it with "
                          "`/nrc extend P1 <deadline>`."), reply
    assert "it falls on a Saturday" in _poll_view(council)


def test_summer_time_is_brussels_time(council: Runtime, clock: Clock) -> None:
    clock.now = datetime(2027, 3, 25, 9, 0, tzinfo=UTC)  # Thursday, before the change
    # Monday 29 March 2027 is in summer time: 16:30 UTC is 18:30 in Brussels.
    reply = plain(run(council, RU, "propose 2027-03-29T16:30+00:00 Joint statement"))
    assert "falls at 18:30, outside working hours" in reply, reply
    # 17:30 local, typed in the council's zone: inside.
    assert "Note:" not in plain(run(council, RU, "propose 2027-03-29 17:30 Second"))
