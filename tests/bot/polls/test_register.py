"""The register over time: supersession, closed polls, filtered and paged decisions
(on SQLite and PostgreSQL)."""

from __future__ import annotations

from datetime import timedelta

from sqlmodel import Session, col, select

from bot.messages import render_text
from bot.runtime import Runtime
from storage.models import JointDecision, Proposal
from tests.council import CHAIR, CHANNEL, CODES, OUTSIDER, Clock, delegate, run

RU = delegate("RU")


def _adopt(runtime: Runtime, line: str) -> int:
    """Open a poll with ``line`` and have every member concur; the decision's number."""
    reply = run(runtime, RU, line)
    assert reply.startswith("Opened *P"), reply
    number = int(reply.split("*P", 1)[1].split("*", 1)[0])
    for code in CODES:
        run(runtime, delegate(code), f"concur P{number}")
    with Session(runtime.engine) as s:
        decision = s.exec(select(JointDecision).where(JointDecision.proposal_id == number)).one()
        assert decision.id is not None
        return decision.id


def _listing(runtime: Runtime, line: str) -> str:
    return render_text(runtime.run_command(OUTSIDER, CHANNEL, line))


def test_a_later_decision_supersedes_an_earlier_one_and_the_register_shows_the_chain(
        council: Runtime) -> None:
    d1 = _adopt(council, "propose 48h Joint statement on search and rescue")
    reply = run(council, RU, f"propose --supersedes D{d1} 48h Joint statement, revised")
    assert reply.startswith("Opened *P2*"), reply
    poll = council.run_command(OUTSIDER, CHANNEL, "polls")  # the poll shows it
    assert "Joint statement, revised" in render_text(poll)
    assert run(council, RU, f"propose --supersedes D{d1} 48h A rival text").startswith(
        "P2, still open, already proposes to supersede D1.")
    for code in CODES:
        run(council, delegate(code), "concur P2")
    with Session(council.engine) as s:
        d2 = s.exec(select(JointDecision).order_by(col(JointDecision.id).desc())).first()
        assert d2 is not None and d2.supersedes_id == d1
        assert s.get(Proposal, 2).supersedes_id == d1  # type: ignore[union-attr]
    listing = _listing(council, "decisions")
    assert f"D{d1} (from P1, adopted" in listing and f"superseded by D{d2.id}):" in listing
    assert listing.count("superseded by") == 1
    one = _listing(council, f"decisions D{d1}")
    assert f"Superseded by: D{d2.id}" in one
    later = council.run_command(OUTSIDER, CHANNEL, f"decisions D{d2.id}")
    assert ("Supersedes", f"D{d1}") in later.fields
    assert f"Supersedes: D{d1}" in render_text(later)
    # Decisions are never deleted; a superseded one cannot be superseded again.
    assert run(council, RU, f"propose --supersedes D{d1} 48h Third text").startswith(
        f"D{d1} is already superseded by D{d2.id}; supersede D{d2.id} instead.")


def test_supersedes_refuses_an_unknown_decision(council: Runtime) -> None:
    assert run(council, RU, "propose --supersedes D9 48h Text").startswith(
        "There is no joint decision D9 to supersede.")
    assert "joint decision" in run(council, RU, "propose --supersedes 48h Text")
    assert run(council, RU, "propose --supersedes").startswith(
        "Name the decision after --supersedes, like --supersedes D3.")


def test_the_poll_message_says_which_decision_it_supersedes(council: Runtime) -> None:
    d1 = _adopt(council, "propose 48h First")
    run(council, RU, f"propose --supersedes D{d1} 48h Second")
    with Session(council.engine) as session:
        message = council.render_poll(session, 1, 2, council.clock())
    assert ("Supersedes", f"D{d1}") in message.fields


def test_closed_polls_are_listed_newest_first_with_their_outcome_and_paged(
        council: Runtime, clock: Clock) -> None:
    assert _listing(council, "polls --closed") == "No poll has closed yet."
    _adopt(council, "propose 48h Adopted text")
    for n in range(2, 13):
        clock.now += timedelta(minutes=1)
        run(council, RU, f"propose 48h Text number {n}")
        run(council, RU, f"withdraw P{n}")
    clock.now += timedelta(minutes=1)
    run(council, RU, "propose 48h Blocked text")
    run(council, delegate("FR"), "object P13 Not acceptable.")
    first = council.run_command(OUTSIDER, CHANNEL, "polls --closed")
    text = render_text(first)
    assert first.text == "13 closed polls, newest first."
    lines = first.sections[0].split("\n")
    assert len(lines) == 10 and lines[0].startswith("*P13* (blocked, closed <!date^")
    assert lines[1].startswith("*P12* (withdrawn, closed")
    assert first.context == ["page 1 of 2; next: `/nrc polls --closed --page 2`"]
    second = council.run_command(OUTSIDER, CHANNEL, "polls --closed --page 2")
    assert second.sections[0].split("\n")[-1].startswith("*P1* (adopted as D1, closed")
    assert second.context == ["page 2 of 2"]
    assert "P13" not in render_text(second) and "Text number" in text
    assert _listing(council, "polls --closed --page 5") == "There is no page 5; the list has 2."
    assert run(council, OUTSIDER, "polls --closed --page x").startswith(
        "Give the page as a number after --page, like --page 2.")
    assert run(council, OUTSIDER, "polls --closed extra").startswith('Unexpected "extra"')


def test_decisions_filter_by_area_and_text_and_page(council: Runtime) -> None:
    _adopt(council, "propose --area sar 48h Joint statement on Search and Rescue at sea")
    _adopt(council, "propose --area terrorism 48h Common threat assessment")
    _adopt(council, "propose 48h Rescue of 50% of the budget")
    listing = council.run_command(OUTSIDER, CHANNEL, "decisions --area sar")
    assert listing.text == "1 joint decision." and "*D1*" in listing.sections[0]
    listing = council.run_command(OUTSIDER, CHANNEL, "decisions --text rescue")
    assert listing.text == "2 joint decisions."  # any case
    assert "*D1*" in listing.sections[0] and "*D3*" in listing.sections[0]
    assert council.run_command(OUTSIDER, CHANNEL, 'decisions --text "50%"').text == (
        "1 joint decision.")  # the % is a character, not a wildcard
    assert council.run_command(OUTSIDER, CHANNEL, "decisions --text 0%").text == (
        "1 joint decision.")
    assert _listing(council, "decisions --text 5_") == "No joint decision matches."
    both = council.run_command(OUTSIDER, CHANNEL, "decisions --text rescue --area sar")
    assert both.text == "1 joint decision."
    assert run(council, OUTSIDER, "decisions --area moon").startswith(
        "Name an area after --area; the areas are:")
    assert run(council, OUTSIDER, "decisions --bogus").startswith('Unexpected "--bogus"')
    assert council.run_command(OUTSIDER, CHANNEL, "decisions D2").header == "Joint decision D2"


def test_decisions_are_paged_ten_at_a_time(council: Runtime, clock: Clock) -> None:
    for n in range(11):
        _adopt(council, f"propose 48h Decision text {n}")
    first = council.run_command(OUTSIDER, CHANNEL, "decisions")
    assert first.text == "11 joint decisions." and len(first.sections[0].split("\n")) == 10
    assert first.context[0] == "page 1 of 2; next: `/nrc decisions --page 2`"
    second = council.run_command(CHAIR, CHANNEL, "decisions --page 2")
    assert second.sections[0].startswith("*D11*")
