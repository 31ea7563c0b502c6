"""Consensus polls and joint decisions through the core, on SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlmodel import Session, col, select

from bot import audit
from bot.context import Context
from bot.exchange import export_state
from bot.messages import Message, plain, render_text
from bot.polls.service_positions import take_position
from bot.runtime import ErrorReply, Runtime
from storage.engine import transaction
from storage.models import (
    AuditEntry,
    Delegate,
    JointDecision,
    Member,
    Outbox,
    Position,
    Proposal,
)
from tests.council import ADMIN, CHAIR, CHANNEL, CODES, OUTSIDER, Clock, delegate, run

T0 = datetime(2026, 12, 1, 9, 0, tzinfo=UTC)
RU, FR, US, DE = delegate("RU"), delegate("FR"), delegate("US"), delegate("DE")


def _rows(runtime: Runtime) -> dict[str, Outbox]:
    with Session(runtime.engine) as s:
        return {o.key: o for o in s.exec(select(Outbox).order_by(col(Outbox.id)))}


def _new_rows(runtime: Runtime) -> dict[str, Outbox]:
    return {k: o for k, o in _rows(runtime).items() if o.status != "sent" and o.kind != "home"}


def _proposal(runtime: Runtime, number: int = 1) -> Proposal:
    with Session(runtime.engine) as s:
        proposal = s.get(Proposal, number)
        assert proposal is not None
        return proposal


def _positions(runtime: Runtime, number: int = 1) -> list[Position]:
    with Session(runtime.engine) as s:
        return list(s.exec(select(Position).where(Position.proposal_id == number)
                           .order_by(col(Position.id))))


def _audit(runtime: Runtime, prefix: str = "poll.") -> list[AuditEntry]:
    with Session(runtime.engine) as s:
        return [e for e in s.exec(select(AuditEntry).order_by(col(AuditEntry.seq)))
                if e.action.startswith(prefix)]


def _decisions(runtime: Runtime) -> list[JointDecision]:
    with Session(runtime.engine) as s:
        return list(s.exec(select(JointDecision).order_by(col(JointDecision.id))))


def _poll_message(runtime: Runtime, number: int = 1) -> Message:
    """The poll message as it now stands: as its pending update would render it, else its post.

    An update records only the request (``{"view": "poll"}``); delivery renders it
    from the records, as this does.
    """
    rows = _rows(runtime)
    update = rows.get(f"poll:{number}#update")
    if update is None:
        return Message.from_dict(rows[f"poll:{number}"].payload)
    assert update.payload == {"view": "poll", "ref": number}
    with Session(runtime.engine) as session:
        return runtime.render_poll(session, update.council_id, number, runtime.clock())


def _poll_view(runtime: Runtime, number: int = 1) -> str:
    """The poll message as it now stands, as text."""
    return render_text(_poll_message(runtime, number))


def _concur_all(runtime: Runtime, codes: tuple[str, ...] = CODES, number: int = 1) -> None:
    for code in codes:
        reply = run(runtime, delegate(code), f"concur P{number}")
        assert reply.startswith("Recorded"), reply


def _open(runtime: Runtime, line: str = "propose 48h Joint statement on search and rescue",
          user: str = RU) -> None:
    reply = run(runtime, user, line)
    assert reply.startswith("Opened *P"), reply


# -- opening ------------------------------------------------------------------


def test_propose_opens_a_poll_with_buttons_and_a_fixed_electorate(council: Runtime) -> None:
    reply = run(council, RU, "propose --area sar 48h Joint statement on <!channel> rescue & at sea")
    assert reply.startswith("Opened *P1* (silence procedure) in the council channel; deadline <!date^")
    proposal = _proposal(council)
    assert proposal.text == "Joint statement on <!channel> rescue & at sea"
    assert proposal.deadline == T0 + timedelta(hours=48)
    assert (proposal.mode, proposal.area, proposal.version, proposal.status) == (
        "silence", "sar", 1, "open")
    assert proposal.proposer_user_id == RU and len(proposal.electorate) == 20
    post = _rows(council)["poll:1"]
    payload = Message.from_dict(post.payload)
    assert payload.header == "Proposal P1"
    assert payload.text == "Joint statement on &lt;!channel&gt; rescue &amp; at sea"  # escaped
    assert [(b.label, b.action_id, b.value) for b in payload.buttons] == [
        ("Concur", "poll_concur_now", "1:1"), ("Concur with statement…", "poll_concur", "1"),
        ("Object…", "poll_object", "1"), ("Propose amendment…", "poll_amendment", "1")]
    assert payload.buttons[0].confirm is not None
    assert payload.buttons[0].confirm.text.startswith("Concur for your member with version 1")
    assert ("Area", "Search and rescue at sea") in payload.fields
    assert "*Silent (20):* Belgium, Canada" in payload.sections[0]
    assert "(2 d left)" in dict(payload.fields)["Deadline"]
    entry = _audit(council)[-1]
    assert (entry.action, entry.actor, entry.member) == ("poll.open", RU, "Russian Federation")
    assert entry.details["deadline"] == (T0 + timedelta(hours=48)).isoformat()


def test_the_chair_may_propose_and_outsiders_may_not(council: Runtime) -> None:
    _open(council, "propose --explicit 3d Common threat assessment", user=CHAIR)
    proposal = _proposal(council)
    assert proposal.mode == "explicit" and proposal.proposer_member_id is None
    assert "(the Chair)" in _poll_view(council)
    before = export_state(council.engine)
    assert run(council, OUTSIDER, "propose 48h text").startswith(
        "Only delegations or the Chair may open consensus polls.")
    assert run(council, ADMIN, "propose 48h text").startswith("Only delegations or the Chair")
    assert export_state(council.engine) == before


@pytest.mark.parametrize(("line", "error"), [
    ("propose", "Give the deadline"),
    ("propose 48h", "Give the text of the proposal."),
    ("propose Joint statement", 'Start with the deadline, as a duration (48h, 3d) or a time '
                                '(2026-12-03 10:00), not "Joint".'),
    ("propose 2026-11-30 10:00 Late", "is in the past."),
    ("propose 91d Far", "A deadline may be at most 90 days away"),
    ("propose 2027-06-01 10:00 Far", "A deadline may be at most 90 days away"),
    ("propose --area narnia 48h Text", '"narnia" is not an area of cooperation; the areas are: '
                                       "terrorism, crisis-management"),
    ("propose --area", "Name the area after --area"),
    ("propose --hurry 48h Text", 'Unknown option "--hurry"'),
    ("propose 2026-13-01 10:00 Text", "is not a valid date and time"),
    ("propose 48h " + "x" * 2001, "the limit is 2000"),
])
def test_bad_proposals_are_refused_with_usage_and_change_nothing(council: Runtime, line: str,
                                                                 error: str) -> None:
    before = export_state(council.engine)
    reply = run(council, RU, line)
    assert error in reply, reply
    assert reply.endswith("Usage: `/nrc propose [--explicit] [--area A] [--urgent <reason>] "
        "[--supersedes D] <deadline> <text>`")
    assert export_state(council.engine) == before


def test_deadline_forms(council: Runtime) -> None:
    _open(council, "propose 2026-12-03 10:00 Local time")
    assert _proposal(council, 1).deadline == datetime(2026, 12, 3, 9, 0, tzinfo=UTC)  # CET
    _open(council, "propose 2026-12-03T10:00+00:00 With offset")
    assert _proposal(council, 2).deadline == datetime(2026, 12, 3, 10, 0, tzinfo=UTC)
    _open(council, "propose --area=tmd 1d12h Duration")
    assert _proposal(council, 3).deadline == T0 + timedelta(hours=36)
    assert _proposal(council, 3).text == "Duration" and _proposal(council, 3).area == "tmd"
    _open(council, "propose 90d At the limit")


# -- positions ------------------------------------------------------------------


def test_a_later_position_of_the_same_member_replaces_the_earlier(council: Runtime) -> None:
    run(council, ADMIN, f"delegate add Russia {delegate('RU', 2)} deputy")
    _open(council)
    assert run(council, RU, "concur P1") == "Recorded: Russian Federation concurs on P1."
    assert run(council, delegate("RU", 2), "concur 1 We read it as covering exercises only.") == (
        "Recorded: Russian Federation concurs on P1, now with a statement.")
    positions = _positions(council)
    assert len(positions) == 1
    only = positions[0]
    assert (only.stance, only.user_id, only.statement) == (
        "concur", delegate("RU", 2), "We read it as covering exercises only.")
    view = _poll_view(council)
    assert "Concurred (1): Russian Federation" in view
    assert ("Russian Federation, interpretative statement: We read it as covering exercises "
            "only.") in view
    assert "Silent (19):" in view
    entries = _audit(council, "poll.concur")
    assert [(e.actor, e.member, e.details["replaces"]) for e in entries] == [
        (RU, "Russian Federation", None), (delegate("RU", 2), "Russian Federation", "concur")]


def test_a_bare_concurrence_keeps_the_members_statement(council: Runtime) -> None:
    """Issue 11, item 1: a repeated concurrence without a statement erased the statement."""
    deputy = delegate("RU", 2)
    run(council, ADMIN, f"delegate add Russia {deputy} deputy")
    _open(council)
    said = "The Russian Federation interprets paragraph 2 as applying to all sea areas."
    run(council, RU, f"concur P1 {said}")
    assert run(council, deputy, "concur P1") == (
        "Russian Federation already concurs on P1; its statement stands; nothing changed.")
    assert [p.statement for p in _positions(council)] == [said]
    assert f"Russian Federation, interpretative statement: {said}" in _poll_view(council)
    _concur_all(council, tuple(c for c in CODES if c != "RU"))
    record = {row["member"]: row for row in _decisions(council)[0].positions}
    assert record["Russian Federation"]["statement"] == said


def test_a_new_statement_replaces_the_old_and_says_whose(council: Runtime) -> None:
    deputy = delegate("RU", 2)
    run(council, ADMIN, f"delegate add Russia {deputy} deputy")
    _open(council)
    run(council, RU, "concur P1 First reading.")
    assert run(council, deputy, "concur P1 Second reading.") == (
        "Recorded: Russian Federation concurs on P1 with a new statement, replacing the "
        f"statement recorded by <@{RU}>.")
    assert [p.statement for p in _positions(council)] == ["Second reading."]
    assert "Russian Federation, interpretative statement: Second reading." in _poll_view(council)
    entries = _audit(council, "poll.concur")
    assert [(e.details["statement_kept"], e.details["statement_replaced"])
            for e in entries] == [(False, None), (False, "First reading.")]


def test_a_kept_statement_is_audited_as_kept(council: Runtime) -> None:
    deputy = delegate("RU", 2)
    run(council, ADMIN, f"delegate add Russia {deputy} deputy")
    _open(council)
    run(council, RU, "concur P1 First reading.")
    run(council, FR, "concur P1")
    assert run(council, deputy, "concur P1   ") == (
        "Russian Federation already concurs on P1; its statement stands; nothing changed.")
    assert len(_audit(council, "poll.concur")) == 2  # nothing changed, nothing recorded


def test_an_objection_after_a_statement_says_what_it_replaces(council: Runtime) -> None:
    """The objection supersedes the concurrence and its statement (both stay in the audit);
    the poll is blocked, so a later concurrence cannot revive the statement."""
    deputy = delegate("RU", 2)
    run(council, ADMIN, f"delegate add Russia {deputy} deputy")
    _open(council, user=FR)
    run(council, RU, "concur P1 Only for the Baltic.")
    assert run(council, deputy, "object P1 Not acceptable as drafted.") == (
        "Recorded: Russian Federation objects on P1, replacing its earlier concurrence and "
        f"the statement recorded by <@{RU}>. Any objection blocks: P1 is closed as blocked.")
    entry = _audit(council, "poll.object")[-1]
    assert (entry.details["replaces"], entry.details["statement_replaced"]) == (
        "concur", "Only for the Baltic.")
    assert run(council, RU, "concur P1").startswith("P1 is closed")
    assert [p.statement for p in _positions(council)] == ["Not acceptable as drafted."]


def test_the_concur_form_carries_the_members_statement(council: Runtime) -> None:
    from bot.polls.rules import Stance
    from bot.polls.service_positions import position_form

    _open(council)
    run(council, RU, "concur P1 We read it as covering exercises only.")
    seen: list[str | None] = []
    council.run_action(delegate("RU"), CHANNEL, lambda ctx: seen.append(
        position_form(ctx, 1, Stance.CONCUR).statement) or Message(text=""), mutates=False)
    assert seen == ["We read it as covering exercises only."]


def test_the_same_position_twice_changes_nothing(council: Runtime) -> None:
    _open(council)
    run(council, FR, "concur P1")
    before = export_state(council.engine)
    assert run(council, FR, "concur P1") == "France already concurs on P1; nothing changed."
    assert export_state(council.engine) == before


@pytest.mark.parametrize("user", [OUTSIDER, CHAIR, ADMIN])
def test_only_delegations_take_positions(council: Runtime, user: str) -> None:
    _open(council)
    before = export_state(council.engine)
    for line in ("concur P1", "object P1 No."):
        reply = run(council, user, line)
        assert reply.startswith(
            "Only delegations may take positions; you are not in a member's delegation."), reply
    assert export_state(council.engine) == before
    assert _positions(council) == []


@pytest.mark.parametrize(("line", "error"), [
    ("concur", "Name the proposal, like P3."),
    ("concur P9", "There is no proposal P9."),
    ("concur D1", 'Name the proposal by its number, like P3, not "D1".'),
    ("object P1", "Give the reason for the objection."),
    ("object P1    ", "Give the reason for the objection."),
])
def test_bad_positions_are_refused(council: Runtime, line: str, error: str) -> None:
    _open(council)
    reply = run(council, FR, line)
    assert reply.startswith(error), reply
    assert _positions(council) == []


def test_an_objection_blocks_at_once_and_the_channel_is_told_who_and_why(
        council: Runtime) -> None:
    _open(council)
    run(council, FR, "concur P1")
    reply = run(council, US, "object P1 The text prejudges the <talks>.")
    assert reply == ("Recorded: United States objects on P1. Any objection blocks: "
                     "P1 is closed as blocked.")
    proposal = _proposal(council)
    assert proposal.status == "blocked" and proposal.closed_at == T0
    assert _decisions(council) == []
    rows = _new_rows(council)
    outcome = rows["poll:1:outcome"]
    assert outcome.thread_key == "poll:1"
    assert outcome.payload["text"] == (
        "*Blocked*: United States objected: “The text prejudges the &lt;talks&gt;.”")
    notice = rows["poll:1:closed"]
    assert notice.thread_key is None
    assert "P1 is blocked: United States objected" in notice.payload["text"]
    assert "re-proposed" in notice.payload["context"][0] or "proposed again" in \
        notice.payload["context"][0]
    view = _poll_message(council)
    assert view.header == "Proposal P1: blocked" and view.buttons == []
    assert "• *United States*: The text prejudges the &lt;talks&gt;." in view.sections[0]
    assert [e.action for e in _audit(council)][-2:] == ["poll.object", "poll.close"]
    assert _audit(council)[-1].details["outcome"] == "blocked"


def test_positions_after_the_close_are_refused_naming_the_outcome(council: Runtime) -> None:
    _open(council)
    run(council, US, "object P1 No.")
    before = export_state(council.engine)
    reply = run(council, FR, "concur P1")
    assert reply.startswith("P1 is closed: it was blocked on <!date^"), reply
    assert "United States objected: “No.”" in reply
    assert run(council, US, "object P1 Still no.").startswith("P1 is closed: it was blocked")
    assert run(council, CHAIR, "extend P1 72h").startswith("P1 is closed: it was blocked")
    assert run(council, CHAIR, "amend P1 New").startswith("P1 is closed: it was blocked")
    assert run(council, RU, "withdraw P1").startswith("P1 is closed: it was blocked")
    assert export_state(council.engine) == before
    _open(council, "propose 48h Again")  # a blocked text may be proposed anew
    _concur_all(council, number=2)
    assert run(council, FR, "concur P2").startswith(
        "P2 is closed: it was adopted as joint decision D1 on <!date^")


def test_every_member_concurring_adopts_at_once_with_statements_kept(council: Runtime) -> None:
    _open(council, "propose --area sar 48h Joint statement on search and rescue")
    run(council, FR, "concur P1 France reads paragraph 2 as excluding naval exercises.")
    _concur_all(council, tuple(c for c in CODES if c not in ("FR", "US")))
    assert _proposal(council).status == "open"
    reply = run(council, US, "concur P1")
    assert reply == ("Recorded: United States concurs on P1. Every member has now concurred: "
                     "P1 is adopted as joint decision D1.")
    (decision,) = _decisions(council)
    assert (decision.proposal_id, decision.text, decision.area, decision.mode) == (
        1, "Joint statement on search and rescue", "sar", "silence")
    assert decision.proposer_user_id == RU and decision.adopted_at == T0
    assert len(decision.positions) == 20 and {r["stance"] for r in decision.positions} == {"concur"}
    france = next(r for r in decision.positions if r["member"] == "France")
    assert france["statement"] == "France reads paragraph 2 as excluding naval exercises."
    assert france["by"] == FR
    rows = _new_rows(council)
    assert rows["poll:1:outcome"].thread_key == "poll:1"
    assert rows["poll:1:outcome"].payload["text"] == (
        "*Adopted*: every member concurred. P1 is now joint decision *D1*.")
    announcement = Message.from_dict(rows["decision:1"].payload)
    assert announcement.header == "Joint decision D1" and rows["decision:1"].thread_key is None
    assert ">_France, interpretative statement:_ France reads paragraph 2" in announcement.sections[0]
    assert "Silent" not in announcement.sections[0]
    assert "equal responsibility" in announcement.context[0]
    assert "poll:1:closed" not in rows


def test_silence_adopts_at_the_deadline_with_every_members_position(council: Runtime,
                                                                    clock: Clock) -> None:
    _open(council)
    run(council, FR, "concur P1 With a reservation on annex B.")
    run(council, DE, "concur P1")
    clock.now = T0 + timedelta(hours=47, minutes=59)
    council.tick()
    assert _proposal(council).status == "open"
    clock.now = T0 + timedelta(hours=48, minutes=3)  # the pass runs a little after the deadline
    report = council.tick()
    assert report.recorded["polls"] == 2
    proposal = _proposal(council)
    assert proposal.status == "adopted" and proposal.closed_at == T0 + timedelta(hours=48)
    (decision,) = _decisions(council)
    assert decision.adopted_at == T0 + timedelta(hours=48)
    stances = {r["member"]: r["stance"] for r in decision.positions}
    assert stances["France"] == stances["Germany"] == "concur"
    assert list(stances.values()).count("silent") == 18
    assert _new_rows(council)["poll:1:outcome"].payload["text"] == (
        "*Adopted*: no member objected by the deadline (silence procedure). "
        "P1 is now joint decision *D1*.")
    close = _audit(council)[-1]
    assert (close.action, close.actor, close.details["outcome"]) == ("poll.close", "system",
                                                                     "adopted")
    # the record
    listing = council.run_command(OUTSIDER, CHANNEL, "decisions")
    assert listing.text == "1 joint decision."
    assert listing.context == ["`/nrc decisions D1` shows one decision with every member's "
                               "position."]  # names a decision that exists
    assert listing.sections[0].startswith("*D1* (from P1, adopted <!date^")
    reply = council.run_command(OUTSIDER, CHANNEL, "decisions D1")
    record = reply.sections[-1]
    assert "• France: concur (<@UDEL0FR1>); interpretative statement: With a reservation on annex B." in record
    assert "• Belgium: silent" in record and len(record.splitlines()) == 21
    assert run(council, OUTSIDER, "decisions D7").startswith("There is no joint decision D7.")


def test_explicit_fails_at_the_deadline_without_every_concurrence(council: Runtime,
                                                                   clock: Clock) -> None:
    _open(council, "propose --explicit 48h Common threat assessment")
    _concur_all(council, CODES[:-1])
    clock.now = T0 + timedelta(hours=48)
    council.tick()
    proposal = _proposal(council)
    assert proposal.status == "failed" and _decisions(council) == []
    outcome = _new_rows(council)["poll:1:outcome"].payload["text"]
    assert outcome.startswith("*Failed*: not every member concurred by the deadline")
    assert "silent: Russian Federation" in outcome
    assert run(council, RU, "concur P1").startswith("P1 is closed: it failed on <!date^")
    notice = _new_rows(council)["poll:1:closed"].payload["text"]
    assert notice.startswith("P1 has failed: not every member")  # not "P1 is failed"


def test_a_position_after_the_deadline_but_before_the_pass_is_refused(council: Runtime,
                                                                      clock: Clock) -> None:
    _open(council)
    clock.now = T0 + timedelta(hours=48)
    before = export_state(council.engine)
    reply = run(council, US, "object P1 Too late?")
    assert reply.startswith("P1 closed at its deadline, <!date^"), reply
    assert "it is adopted; the record follows in the channel." in reply
    assert export_state(council.engine) == before
    _open(council, "propose --explicit 72h Common threat assessment")
    clock.now = T0 + timedelta(hours=48 + 72)
    assert "it has failed; the record follows" in run(council, US, "concur P2")  # not "is failed"


def test_close_happens_exactly_once_across_passes(council: Runtime, clock: Clock) -> None:
    _open(council)
    clock.now = T0 + timedelta(hours=49)
    first, second = council.tick(), council.tick()
    clock.now = T0 + timedelta(hours=60)
    third = council.tick()
    assert first.recorded["polls"] == 2
    assert second.recorded["polls"] == third.recorded["polls"] == 0
    assert len(_decisions(council)) == 1
    assert [e.action for e in _audit(council)].count("poll.close") == 1
    assert sum(k.startswith("decision:") for k in _rows(council)) == 1


# -- membership while open ----------------------------------------------------


def test_the_electorate_is_fixed_when_the_poll_opens(council: Runtime) -> None:
    _open(council)
    with transaction(council.engine) as s:
        russia = s.exec(select(Member).where(Member.alpha2 == "RU")).one()
        russia.active = False  # leaves after the poll opened: still in its electorate
        s.add(russia)
        newcomer = Member(council_id=russia.council_id, ordinal=21, name="Sweden", alpha2="SE",
                          alpha3="SWE", aliases=[])
        s.add(newcomer)
        s.flush()
        s.add(Delegate(council_id=russia.council_id, member_id=newcomer.id or 0,
                       user_id="UDEL0SE1", role="head", added_at=T0, added_by=ADMIN))
    reply = run(council, "UDEL0SE1", "concur P1")
    assert reply.startswith("Sweden was not among the members when P1 opened; "
                            "a poll's electorate is fixed when it opens."), reply
    _concur_all(council, tuple(c for c in CODES if c != "RU"))
    assert _proposal(council).status == "open"  # the departed member's voice is still needed
    assert run(council, RU, "object P1 We object.").endswith("closed as blocked.")
    _open(council, "propose 48h Second poll")  # opened after: at twenty, Sweden in, Russia out
    assert len(_proposal(council, 2).electorate) == 20
    assert run(council, "UDEL0SE1", "concur P2").startswith("Recorded: Sweden concurs")


def test_a_position_stays_the_members_when_its_delegate_leaves(council: Runtime) -> None:
    _open(council)
    run(council, FR, "concur P1")
    run(council, ADMIN, f"delegate remove {FR}")
    assert "Concurred (1): France" in _poll_view(council)
    _concur_all(council, tuple(c for c in CODES if c != "FR"))
    assert _decisions(council)[0].positions[4]["by"] == FR


# -- withdraw, extend, amend ------------------------------------------------------


def test_withdraw_by_the_proposer_or_the_chair_only(council: Runtime) -> None:
    _open(council)
    before = export_state(council.engine)
    for user in (FR, OUTSIDER, ADMIN):
        assert run(council, user, "withdraw P1").startswith(
            "Only the Chair or the proposer may withdraw this poll."), user
    assert export_state(council.engine) == before
    assert run(council, RU, "withdraw P1") == "Withdrew P1."
    proposal = _proposal(council)
    assert proposal.status == "withdrawn" and proposal.outcome_note == f"withdrawn by <@{RU}>"
    rows = _new_rows(council)
    assert rows["poll:1:outcome"].payload["text"] == f"*Withdrawn*, by <@{RU}>."
    assert rows["poll:1:closed"].payload["text"] == f"P1 was withdrawn by <@{RU}>."
    assert _poll_message(council).buttons == []
    entry = _audit(council)[-1]
    assert (entry.action, entry.actor, entry.member) == ("poll.withdraw", RU, "Russian Federation")
    assert run(council, FR, "concur P1").startswith(
        f"P1 is closed: it was withdrawn by <@{RU}> on <!date^")
    _open(council, "propose 48h Second", user=FR)
    assert run(council, CHAIR, "withdraw P2") == "Withdrew P2."
    run(council, ADMIN, f"delegate add France {delegate('FR', 2)} deputy")
    _open(council, "propose 48h Third", user=FR)
    assert run(council, delegate("FR", 2), "withdraw P3") == "Withdrew P3."  # same delegation


@pytest.mark.parametrize(("line", "error"), [
    ("withdraw", "Name the poll (P3), the implementation issue (I3) or the extraordinary "
                 "request (E3) to withdraw."),
    ("withdraw 2", "Say what to withdraw by its prefix: P2 for a poll, I2 for an "
                   "implementation issue or E2 for an extraordinary request."),
    ("withdraw D1", "A joint decision stands"),
    ("withdraw P1 P2", 'Unexpected "P2" after P1.'),
    ("withdraw P8", "There is no proposal P8."),
])
def test_bad_withdrawals(council: Runtime, line: str, error: str) -> None:
    _open(council)
    assert run(council, RU, line).startswith(error)


def test_withdraw_an_implementation_issue_goes_to_the_issues(council: Runtime) -> None:
    _open(council)
    _concur_all(council)
    assert run(council, FR, "raise D1 The exercise was not scheduled.").startswith("Raised")
    reply = run(council, FR, "withdraw I1")
    assert reply.startswith("Withdrew *I1*"), reply


def test_extend_by_the_chair_moves_the_deadline_and_keeps_positions(council: Runtime) -> None:
    """Issue 11, item 11: a duration extends the current deadline, a time sets it."""
    _open(council)  # deadline T0 + 48h: Thu 3 Dec 2026, 10:00 CET
    run(council, FR, "concur P1")
    assert run(council, RU, "extend P1 72h").startswith(
        "Only the Chair may extend a poll's deadline.")
    assert plain(run(council, CHAIR, "extend P1 2026-12-02 10:00")).startswith(
        "P1's deadline is already Thu 3 Dec 2026, 10:00 CET; extend moves it later.")
    assert run(council, CHAIR, "extend P1 89d").startswith("A deadline may be at most 90 days")
    assert run(council, CHAIR, "extend P1 72h extra").startswith('Unexpected "extra"')
    reply = plain(run(council, CHAIR, "extend P1 24h"))
    assert reply == ("The Chair extended the deadline of P1 from Thu 3 Dec 2026, 10:00 CET "
                     "to Fri 4 Dec 2026, 10:00 CET.")
    assert _proposal(council).deadline == T0 + timedelta(hours=72)
    assert _proposal(council).version == 1 and len(_positions(council)) == 1
    thread = [o for k, o in _new_rows(council).items() if ":extend:" in k]
    assert len(thread) == 1 and thread[0].thread_key == "poll:1"
    assert plain(thread[0].payload["text"]) == reply  # the announcement says both deadlines
    assert "Concurred (1): France" in _poll_view(council)
    entry = _audit(council)[-1]
    assert (entry.action, entry.actor) == ("poll.extend", CHAIR)
    assert entry.details["to"] == (T0 + timedelta(hours=72)).isoformat()
    run(council, CHAIR, "extend P1 2026-12-10 18:00")  # a time sets the deadline
    assert _proposal(council).deadline == datetime(2026, 12, 10, 17, 0, tzinfo=UTC)


def test_amend_by_the_chair_resets_positions_with_a_new_version(council: Runtime,
                                                                clock: Clock) -> None:
    _open(council, "propose 48h Version one")
    run(council, FR, "concur P1 A statement on version one.")
    run(council, DE, "concur P1")
    assert run(council, RU, "amend P1 Mine").startswith("Only the Chair may amend")
    assert run(council, CHAIR, "amend P1 Version one").startswith(
        "That is already the text of P1.")
    clock.now = T0 + timedelta(hours=10)
    reply = run(council, CHAIR, "amend P1 Version two, with an annex")
    assert reply.startswith("Amended P1 to version 2; 2 positions reset, new deadline")
    proposal = _proposal(council)
    assert (proposal.version, proposal.text) == (2, "Version two, with an annex")
    assert proposal.version_opened_at == clock.now
    assert proposal.deadline == clock.now + timedelta(hours=48)  # silence restarts in full
    assert len(_positions(council)) == 2  # history kept, on version 1
    view = _poll_view(council)
    assert "== Proposal P1 (version 2) ==" in view and "Silent (20)" in view
    assert "Previous text: Version one" in view
    assert "every position taken on the earlier text was reset" in view
    announcement = _new_rows(council)["poll:1:v2:amended"]
    assert "Every position was reset (2 taken)" in announcement.payload["text"]
    assert run(council, FR, "concur P1") == "Recorded: France concurs on P1."
    assert [(p.version, p.member_id) for p in _positions(council)][-1][0] == 2
    entry = _audit(council, "poll.amend")[-1]
    assert entry.details["previous"] == "Version one" and entry.details["positions_reset"] == 2


def test_a_button_position_on_an_amended_text_is_refused(council: Runtime) -> None:
    _open(council)
    run(council, CHAIR, "amend P1 Second text")

    def stale(ctx: Context) -> Message:
        return take_position(ctx, 1, "concur", None, version=1)

    reply = council.run_action(FR, CHANNEL, stale)
    assert isinstance(reply, ErrorReply)
    assert reply.text.startswith("P1 was amended while you were deciding: version 2")
    assert _positions(council) == []


def test_run_action_shares_the_command_path(council: Runtime) -> None:
    _open(council)

    def concur(ctx: Context) -> Message:
        return take_position(ctx, 1, "concur", "Said by button.")

    reply = council.run_action(FR, CHANNEL, concur)
    assert not isinstance(reply, ErrorReply) and reply.text.startswith("Recorded: France")
    refused = council.run_action(OUTSIDER, CHANNEL, concur)
    assert isinstance(refused, ErrorReply) and "Usage" not in refused.text
    assert refused.text.startswith("Only delegations may take positions")
    assert _positions(council)[0].statement == "Said by button."


# -- listing ----------------------------------------------------------------------


def test_polls_lists_open_polls_with_positions(council: Runtime) -> None:
    assert run(council, OUTSIDER, "polls") == "No poll is open."
    _open(council)
    _open(council, "propose --explicit 3d Second")
    run(council, FR, "concur P1 Fine.")
    run(council, US, "object P2 No.")  # closes P2
    reply = council.run_command(OUTSIDER, CHANNEL, "polls")
    assert reply.text == "1 open poll." and len(reply.sections) == 1
    assert reply.sections[0].startswith("*P1* (silence, deadline <!date^")
    assert "*Concurred (1):* France" in reply.sections[0]
    assert "*Silent (19):*" in reply.sections[0]
    assert run(council, OUTSIDER, "decisions") == "The council has taken no joint decision yet."
    assert run(council, OUTSIDER, "polls now").startswith('Unexpected "now"')


# -- reminders --------------------------------------------------------------------


def _reminders(runtime: Runtime) -> dict[str, Outbox]:
    return {k: o for k, o in _rows(runtime).items() if ":remind:" in k}


def test_reminders_name_only_the_silent_members_once(council: Runtime, clock: Clock) -> None:
    _open(council)
    for code in ("FR", "DE", "US"):
        run(council, delegate(code), "concur P1")
    clock.now = T0 + timedelta(hours=23, minutes=59)
    council.tick()
    assert _reminders(council) == {}
    clock.now = T0 + timedelta(hours=24, minutes=5)
    assert council.tick().recorded["polls"] == 1
    assert council.tick().recorded["polls"] == 0  # once
    (key, row), = _reminders(council).items()
    assert key == f"poll:1:v1:remind:86400:{int((T0 + timedelta(hours=48)).timestamp())}"
    assert row.status == "pending" and row.thread_key is None
    message = Message.from_dict(row.payload)
    assert message.text.startswith("P1 closes <!date^")
    assert "Still silent (17):" in message.text
    named = message.sections[0]
    for name in ("France", "Germany", "United States"):
        assert name not in named
    assert "Belgium" in named and "Russian Federation" in named
    assert f"• *Belgium*: <@{delegate('BE')}>" in named.splitlines()  # its head, by default
    assert [b.action_id for b in message.buttons] == ["poll_concur_now", "poll_concur", "poll_object"]
    run(council, delegate("BE"), "concur P1")
    clock.now = T0 + timedelta(hours=47, minutes=1)
    council.tick()
    last = Message.from_dict(_reminders(council)[key.replace("86400", "3600")].payload)
    assert "Still silent (16):" in last.text and "Belgium" not in last.sections[0]


def test_explicit_reminders_mention_the_silent_members_delegates(council: Runtime,
                                                                 clock: Clock) -> None:
    _open(council, "propose --explicit 48h Text")
    _concur_all(council, CODES[:-2])
    clock.now = T0 + timedelta(hours=47)
    council.tick()
    (row,) = [o for o in _reminders(council).values() if o.status == "pending"]
    message = Message.from_dict(row.payload)
    assert "adopted only if every member concurs. Still silent (2):" in message.text
    assert message.sections[0] == (f"• *United States*: <@{US}>\n"
                                   f"• *Russian Federation*: <@{RU}>")


def test_no_reminder_falls_before_the_poll_opened(council: Runtime, clock: Clock) -> None:
    _open(council, 'propose --urgent "a short poll" 12h Short poll', user=CHAIR)
    for hours in (1, 6, 11, 11.5):
        clock.now = T0 + timedelta(hours=hours)
        council.tick()
    keys = sorted(_reminders(council))
    assert len(keys) == 1 and ":remind:3600:" in keys[0]  # the 24-hour one never existed
    _open(council, "propose 24h Exactly a day")  # its 24-hour moment is its opening: none
    clock.now = T0 + timedelta(hours=12)
    council.tick()
    assert not any(k.startswith("poll:2:") for k in _reminders(council))


def test_a_stale_reminder_after_downtime_is_skipped(council: Runtime, clock: Clock) -> None:
    _open(council, "propose 3d Text")
    clock.now = T0 + timedelta(days=3) - timedelta(hours=24) + timedelta(hours=7)
    council.tick()
    (row,) = _reminders(council).values()
    assert row.status == "skipped"


def test_an_extension_earns_fresh_reminders_and_skips_passed_ones(council: Runtime,
                                                                  clock: Clock) -> None:
    _open(council)
    clock.now = T0 + timedelta(hours=47, minutes=5)
    council.tick()
    assert len(_reminders(council)) == 2  # the 24 h one (skipped, stale) and the 1 h one
    run(council, CHAIR, "extend P1 2026-12-03 15:05")  # T0+53h05; its 24 h moment passed
    clock.now = T0 + timedelta(hours=52, minutes=6)
    council.tick()
    fresh = {k: o.status for k, o in _reminders(council).items()
             if k.endswith(str(int((T0 + timedelta(hours=53, minutes=5)).timestamp())))}
    assert sorted(fresh.values()) == ["pending", "skipped"]
    assert fresh[next(k for k in fresh if ":remind:3600:" in k)] == "pending"


def test_an_amendment_restarts_the_reminders(council: Runtime, clock: Clock) -> None:
    _open(council)
    clock.now = T0 + timedelta(hours=24)
    council.tick()
    run(council, CHAIR, "amend P1 Second version")
    clock.now = T0 + timedelta(hours=48)
    council.tick()
    assert _proposal(council).status == "open"  # silence restarted: deadline T0+72h
    assert any(k.startswith("poll:1:v2:remind:86400:") for k in _reminders(council))


def test_a_poll_that_cannot_take_more_positions_sends_no_reminder(council: Runtime,
                                                                   clock: Clock) -> None:
    _open(council)
    run(council, US, "object P1 No.")
    clock.now = T0 + timedelta(hours=47)
    council.tick()
    assert _reminders(council) == {}


def test_the_audit_chain_holds_after_a_whole_poll(council: Runtime, clock: Clock) -> None:
    _open(council)
    run(council, FR, "concur P1")
    run(council, CHAIR, "extend P1 72h")
    run(council, CHAIR, "amend P1 New text")
    clock.now = T0 + timedelta(days=3)
    council.tick()
    with Session(council.engine) as s:
        verdict = audit.verify(s, _proposal(council).council_id)
    assert verdict.intact and verdict.entries > 25


def test_statements_reach_the_poll_message_intact(council: Runtime) -> None:
    """The poll's message reads its positions as one JSON array: quotes, backslashes,
    lines and scripts of every member's language come through as written, and a changed
    position replaces the earlier one."""
    assert run(council, CHAIR, "propose 30d That the Council take note.").startswith("Opened")
    said = 'Россия: "согласны" \\ d\'accord — 同意 ✓'
    assert run(council, delegate("RU"), f"concur P1 {said}").startswith("Recorded")
    assert run(council, delegate("FR"), "concur P1 Premier.").startswith("Recorded")
    assert run(council, delegate("FR"), "concur P1 Second.").startswith("Recorded")
    with Session(council.engine) as s:
        text = render_text(council.render_poll(s, 1, 1, council.clock()))
    assert "согласны" in text and "同意 ✓" in text and "\\ d'accord" in text
    assert "Concurred (2): France, Russian Federation" in text
    assert "Second." in text and "Premier." not in text
