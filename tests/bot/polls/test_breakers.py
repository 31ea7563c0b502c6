"""Who may break silence: the charter's authorised delegates object; every delegate concurs."""

from __future__ import annotations

import dataclasses

import pytest
from sqlalchemy.engine import Engine
from sqlmodel import Session, select

from bot.polls.rules import Stance
from bot.polls.service_positions import position_form
from bot.runtime import Runtime
from storage.models import AuditEntry, Outbox, Position, Proposal
from tests.council import (
    ADMIN,
    CHAIR,
    CHANNEL,
    CHARTER,
    Clock,
    delegate,
    make_runtime,
    run,
    seat_council,
)

RU = delegate("RU")
EXPERT, MILREP, DEPUTY = delegate("RU", 2), delegate("RU", 3), delegate("RU", 4)
REFUSAL = ("Only the head or the deputy head of delegation may object for Russian Federation; "
           "you are its expert.")


def _seat_russians(council: Runtime) -> None:
    run(council, ADMIN, f"delegate add Russia {EXPERT} expert")
    run(council, ADMIN, f"delegate add Russia {MILREP} milrep")
    run(council, ADMIN, f"delegate add Russia {DEPUTY} deputy")
    assert run(council, RU, "propose 48h Joint statement").startswith("Opened *P1*")


def _positions(runtime: Runtime) -> list[tuple[str, str]]:
    with Session(runtime.engine) as s:
        return [(p.user_id, p.stance) for p in s.exec(select(Position))]


def test_an_expert_may_not_object_and_is_told_who_may(council: Runtime) -> None:
    _seat_russians(council)
    reply = run(council, EXPERT, "object P1 Too early.")
    assert reply.startswith(REFUSAL) and "object <P> <reason>" in reply
    assert "you are its military representative." in run(council, MILREP, "object P1 No.")
    assert _positions(council) == []
    with Session(council.engine) as s:
        assert s.get(Proposal, 1).status == "open"  # type: ignore[union-attr]


def test_every_delegate_may_concur_and_the_deputy_may_object(council: Runtime) -> None:
    _seat_russians(council)
    assert "concurs" in run(council, EXPERT, "concur P1")
    assert "objects" in run(council, DEPUTY, "object P1 The text prejudges the talks.")
    assert _positions(council) == [(DEPUTY, "object")]


def test_the_object_button_is_refused_before_its_modal_opens(council: Runtime) -> None:
    _seat_russians(council)

    def form(stance: Stance) -> str:
        return council.run_action(EXPERT, CHANNEL, lambda ctx: position_form(
            ctx, 1, stance).message, mutates=False).text

    assert form(Stance.OBJECT).startswith(REFUSAL)
    assert form(Stance.CONCUR) == "Joint statement"


def test_a_council_that_allows_everyone(engine: Engine, clock: Clock) -> None:
    charter = dataclasses.replace(CHARTER, break_silence=("head", "deputy", "milrep", "expert"))
    plain = make_runtime(engine, clock)
    plain.close()
    settings = plain.settings
    everyone = Runtime(settings, charter=charter, engine=engine, clock=clock).prepare()
    try:
        seat_council(everyone)
        _seat_russians(everyone)
        assert "objects" in run(everyone, EXPERT, "object P1 Too early.")
    finally:
        everyone.close()


# -- asking for more time -------------------------------------------------------------


def _unsent(runtime: Runtime) -> dict[str, Outbox]:
    with Session(runtime.engine) as s:
        return {o.key: o for o in s.exec(select(Outbox)) if o.status != "sent"
                and o.kind != "home"}


def test_more_time_tells_the_chair_and_the_thread_and_changes_nothing(council: Runtime) -> None:
    _seat_russians(council)
    with Session(council.engine) as s:
        deadline = s.get(Proposal, 1).deadline  # type: ignore[union-attr]
    reply = run(council, EXPERT, "more-time P1 Our capital needs until Friday.")
    assert reply.startswith("The Chair is told that Russian Federation asks for more time on P1")
    rows = _unsent(council)
    thread, dm = rows["poll:1:v1:more-time:20"], rows["poll:1:v1:more-time:20:chair"]
    assert thread.thread_key == "poll:1" and "Our capital needs until Friday." in str(thread.payload)
    assert dm.kind == "dm" and CHAIR in f"{dm.channel} {dm.payload}"
    assert _positions(council) == []
    with Session(council.engine) as s:
        proposal = s.get(Proposal, 1)
        assert proposal is not None and proposal.deadline == deadline and proposal.status == "open"
        entries = [e for e in s.exec(select(AuditEntry)) if e.action == "poll.more_time"]
    assert [(e.actor, e.member, e.details["reason"]) for e in entries] == [
        (EXPERT, "Russian Federation", "Our capital needs until Friday.")]
    again = run(council, DEPUTY, "more-time P1 Still waiting.")
    assert again.startswith("Russian Federation has already asked for more time on version 1")
    assert len(_unsent(council)) == len(rows)


@pytest.mark.parametrize(("user", "line", "error"), [
    (delegate("RU"), "more-time P1", "Give the reason for more time"),
    (delegate("RU"), "more-time P9 Why", "There is no proposal P9."),
    (CHAIR, "more-time P1 Why", "Only delegations may take positions"),
])
def test_more_time_refusals(council: Runtime, user: str, line: str, error: str) -> None:
    assert run(council, RU, "propose 48h Joint statement").startswith("Opened *P1*")
    reply = run(council, user, line)
    assert reply.startswith(error) and "more-time <P> <reason>" in reply, reply
