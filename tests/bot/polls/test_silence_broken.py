"""Breaking silence by amendment, the Chair's revision, a withdrawn objection and the
history ``polls P3`` shows: through the core, on SQLite and PostgreSQL."""

from __future__ import annotations

from sqlmodel import Session, col, select

from bot.messages import Message, render_text
from bot.runtime import Runtime
from storage.models import AuditEntry, Outbox, Position, Proposal, ProposalVersion
from tests.council import ADMIN, CHAIR, delegate, run

RU, FR, DE = delegate("RU"), delegate("FR"), delegate("DE")
EXPERT = delegate("RU", 2)
AMENDMENT = "amendment P1 Replace 'condemns' by 'deplores' --reason Our parliament has not met."


def _rows(runtime: Runtime) -> dict[str, Outbox]:
    with Session(runtime.engine) as s:
        return {o.key: o for o in s.exec(select(Outbox).order_by(col(Outbox.id)))}


def _proposal(runtime: Runtime) -> Proposal:
    with Session(runtime.engine) as s:
        proposal = s.get(Proposal, 1)
        assert proposal is not None
        return proposal


def _versions(runtime: Runtime) -> list[tuple[int, str, str | None]]:
    with Session(runtime.engine) as s:
        return [(v.version, v.origin, v.outcome) for v in s.exec(
            select(ProposalVersion).order_by(col(ProposalVersion.version)))]


def _view(runtime: Runtime, key: str) -> str:
    """The poll message under ``key`` as it now stands (its pending update rendered)."""
    rows = _rows(runtime)
    if f"{key}#update" in rows:
        with Session(runtime.engine) as session:
            return render_text(runtime.render_poll(session, rows[key].council_id, 1,
                                                   runtime.clock()))
    return render_text(Message.from_dict(rows[key].payload))


def _open(council: Runtime) -> None:
    assert run(council, RU, "propose 48h Joint statement condemning the incident").startswith(
        "Opened *P1*")


def test_an_amendment_breaks_silence_closes_the_poll_and_tells_the_chair(
        council: Runtime) -> None:
    _open(council)
    run(council, DE, "concur P1")
    reply = run(council, FR, AMENDMENT)
    assert reply.startswith("Recorded France's amendment to P1: silence is broken")
    proposal = _proposal(council)
    assert proposal.status == "silence_broken"
    assert proposal.outcome_note == ("Silence broken by France: amendment Replace 'condemns' by "
                                     "'deplores' (Our parliament has not met.)")
    with Session(council.engine) as s:
        (amend,) = s.exec(select(Position).where(Position.stance == "amend"))
        assert (amend.statement, amend.reason) == ("Replace 'condemns' by 'deplores'",
                                                   "Our parliament has not met.")
    rows = _rows(council)
    thread = rows["poll:1:outcome"]
    assert thread.thread_key == "poll:1"
    assert Message.from_dict(thread.payload).text.startswith("Silence broken by France")
    dm = rows["poll:1:outcome:chair"]
    assert dm.kind == "dm" and dm.channel == CHAIR and "revise P1" in dm.payload["text"]
    view = _view(council, "poll:1")
    assert "Proposal P1: silence broken" in view
    assert "Amendments (1):" in view and "(Our parliament has not met.)" in view
    assert "Propose amendment" not in view
    assert _versions(council) == [(1, "open", "silence_broken")]
    assert "silence was broken" in run(council, DE, "concur P1")


def test_an_amendment_needs_its_reason_and_an_authorised_delegate(council: Runtime) -> None:
    _open(council)
    assert run(council, FR, "amendment P1 New text").startswith(
        "Give the reason after the text")
    run(council, ADMIN, f"delegate add Russia {EXPERT} expert")
    assert run(council, EXPERT, AMENDMENT).startswith(
        "Only the head or the deputy head of delegation may propose an amendment for Russian "
        "Federation; you are its expert.")
    assert _proposal(council).status == "open"


def test_an_objection_still_blocks_after_an_amendment_is_proposed(council: Runtime) -> None:
    _open(council)
    run(council, DE, "object P1 Not acceptable.")
    assert "closed" in run(council, FR, AMENDMENT)
    assert _proposal(council).status == "blocked"


def test_the_chair_revises_a_blocked_poll_in_a_new_message_and_the_history_keeps_it(
        council: Runtime) -> None:
    _open(council)
    assert "only a blocked poll" in run(council, CHAIR, "revise P1 48h Better text")
    run(council, DE, "object P1 Not acceptable.")
    assert run(council, DE, "revise P1 48h Better text").startswith("Only the Chair")
    reply = run(council, CHAIR, "revise P1 2h Joint statement deploring the incident")
    assert reply.startswith("P1 is under silence again as version 2, until <!date^")
    proposal = _proposal(council)
    assert (proposal.status, proposal.version, proposal.closed_at) == ("open", 2, None)
    rows = _rows(council)
    new = Message.from_dict(rows["poll:1:v2:message"].payload)
    assert new.header == "Proposal P1 (version 2)"
    assert any(c.startswith("Revises version 1, posted <!date^") for c in new.context)
    assert "*Silent (20):*" in new.sections[0]
    assert rows["poll:1:v2:revised"].thread_key == "poll:1"
    assert "Revised: see version 2" in rows["poll:1:v2:revised"].payload["text"]
    assert _versions(council) == [(1, "open", "blocked"), (2, "revise", None)]
    # The revised text's positions are fresh; the objection stays on version 1.
    assert run(council, DE, "concur P1").startswith("Recorded")
    revised = _view(council, "poll:1:v2:message")
    assert "Concurred (1): Germany" in revised and "Version 2 of the text, revised" in revised
    run(council, FR, AMENDMENT)
    rows = _rows(council)
    assert rows["poll:1:v2:outcome"].thread_key == "poll:1:v2:message"
    history = run_text(council, "polls P1")
    assert "Version 1 (opened" in history and "outcome: blocked" in history
    assert "Germany objected: Not acceptable." in history
    assert "Version 2 (revised by the Chair" in history
    assert "France proposed an amendment: Replace" in history
    with Session(council.engine) as s:
        actions = [e.action for e in s.exec(select(AuditEntry).order_by(col(AuditEntry.seq)))]
    assert "poll.revise" in actions and "poll.amendment" in actions


def run_text(council: Runtime, line: str) -> str:
    return render_text(council.run_command(RU, None, line))  # type: ignore[arg-type]


def test_an_objection_is_withdrawn_while_blocked_and_the_poll_stays_blocked(
        council: Runtime) -> None:
    _open(council)
    assert "has no objection" in run(council, DE, "withdraw-objection P1")
    run(council, DE, "object P1 Not acceptable.")
    reply = run(council, DE, "withdraw-objection P1")
    assert reply.startswith("Germany withdrew its objection to P1. The poll stays blocked")
    assert _proposal(council).status == "blocked"
    rows = _rows(council)
    assert rows["poll:1:v1:unobject:" + str(_member_id(council, DE))].thread_key == "poll:1"
    assert any(k.endswith(":chair") and "unobject" in k for k in rows)
    assert "• Germany: Not acceptable. (withdrawn 2026-12-01)" in _view(council, "poll:1")
    assert "already withdrew" in run(council, DE, "withdraw-objection P1")
    assert "Germany objected: Not acceptable. (withdrawn Tue 1 Dec 2026, 10:00 CET)" in (
        run_text(council, "polls P1"))
    run(council, CHAIR, "revise P1 48h A better text")
    assert "has no objection" in run(council, DE, "withdraw-objection P1")


def _member_id(council: Runtime, user: str) -> int:
    with Session(council.engine) as s:
        (position,) = s.exec(select(Position).where(Position.user_id == user))
        return position.member_id


def test_the_chairs_amend_keeps_the_versions_and_the_previous_text(council: Runtime) -> None:
    _open(council)
    run(council, CHAIR, "amend P1 Joint statement on the incident")
    assert _versions(council) == [(1, "open", "amended"), (2, "amend", None)]
    assert "Previous text: Joint statement condemning the incident" in _view(council, "poll:1")
