"""Positions taken at the same moment, in real concurrent transactions.

Each test runs on SQLite and on PostgreSQL (``engine`` fixture). Threads start
together at a barrier and each runs its own transaction through the runtime,
as several web workers would. The council's write lock (``FOR UPDATE`` on
PostgreSQL, ``BEGIN IMMEDIATE`` on SQLite) serialises them; these tests check
that the result is always one of the serial orders, never a mix.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from datetime import timedelta

import pytest
from sqlalchemy import text
from sqlmodel import Session, col, select

from bot.context import Context
from bot.messages import Message
from bot.polls import take_position
from bot.runtime import Runtime
from storage.models import AuditEntry, JointDecision, Outbox, Position, Proposal
from tests.council import CHANNEL, CODES, Clock, delegate, run

ROUNDS = 5


def _together(*jobs: Callable[[], str]) -> list[str]:
    """Run the jobs in threads released at the same instant; their replies, in job order."""
    barrier = threading.Barrier(len(jobs))
    replies: list[str] = [""] * len(jobs)
    errors: list[BaseException] = []

    def worker(i: int, job: Callable[[], str]) -> None:
        try:
            barrier.wait(timeout=30)
            replies[i] = job()
        except BaseException as exc:  # pragma: no cover - reported below
            errors.append(exc)

    threads = [threading.Thread(target=worker, args=(i, job)) for i, job in enumerate(jobs)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)
    assert not errors, errors
    assert not any(t.is_alive() for t in threads)
    return replies


def _says(runtime: Runtime, user: str, line: str) -> Callable[[], str]:
    return lambda: run(runtime, user, line)


def _proposal(runtime: Runtime, number: int) -> Proposal:
    with Session(runtime.engine) as s:
        found = s.get(Proposal, number)
        assert found is not None
        return found


def _positions(runtime: Runtime, number: int) -> list[Position]:
    with Session(runtime.engine) as s:
        return list(s.exec(select(Position).where(Position.proposal_id == number)))


def _decisions(runtime: Runtime, number: int) -> list[JointDecision]:
    with Session(runtime.engine) as s:
        return list(s.exec(select(JointDecision).where(JointDecision.proposal_id == number)))


def _open(runtime: Runtime, line: str = "propose 48h A text") -> int:
    reply = run(runtime, delegate("RU"), line)
    assert reply.startswith("Opened *P"), reply
    return int(reply.split("*P", 1)[1].split("*", 1)[0])


def test_twenty_members_at_once_all_count_and_adopt_once(council: Runtime) -> None:
    number = _open(council)
    replies = _together(*(_says(council, delegate(c), f"concur P{number}") for c in CODES))
    assert all(r.startswith("Recorded:") for r in replies), replies
    assert sum("Every member has now concurred" in r for r in replies) == 1
    assert len(_positions(council, number)) == 20
    assert _proposal(council, number).status == "adopted"
    (decision,) = _decisions(council, number)
    assert [r["stance"] for r in decision.positions] == ["concur"] * 20
    with Session(council.engine) as s:
        closes = [e for e in s.exec(select(AuditEntry)) if e.action == "poll.close"]
        keys = [o.key for o in s.exec(select(Outbox)) if o.key.startswith("decision:")]
    assert len(closes) == 1 and keys == [f"decision:{decision.id}"]


def test_two_members_at_the_same_moment_both_count(council: Runtime) -> None:
    for _ in range(ROUNDS):
        number = _open(council)
        replies = _together(_says(council, delegate("FR"), f"concur P{number}"),
                            _says(council, delegate("DE"), f"concur P{number} Our reading."))
        assert replies == [f"Recorded: France concurs on P{number}.",
                           f"Recorded: Germany concurs on P{number}."]
        assert len(_positions(council, number)) == 2


def test_the_same_member_twice_records_one_position(council: Runtime) -> None:
    run(council, "UADMIN01", f"delegate add France {delegate('FR', 2)} deputy")
    for _ in range(ROUNDS):
        number = _open(council)
        same = _together(*(_says(council, delegate("FR"), f"concur P{number}") for _ in range(3)))
        assert sorted(same)[0].startswith("France already concurs")
        assert sum(r.startswith("Recorded:") for r in same) == 1
        both = _together(_says(council, delegate("FR"), f"concur P{number} First reading."),
                         _says(council, delegate("FR", 2), f"concur P{number} Second reading."))
        assert all("Recorded: France concurs" in r for r in both), both
        (position,) = _positions(council, number)
        assert position.statement in ("First reading.", "Second reading.")


def test_an_objection_racing_the_last_concurrence_blocks(council: Runtime) -> None:
    """Eighteen have concurred; of the last two, one concurs and one objects at once.

    Whichever transaction goes first, the poll must end blocked: there is no
    order in which every member concurred.
    """
    for _ in range(ROUNDS):
        number = _open(council)
        for code in CODES[:-2]:
            run(council, delegate(code), f"concur P{number}")
        last, objector = CODES[-2], CODES[-1]
        replies = _together(_says(council, delegate(last), f"concur P{number}"),
                            _says(council, delegate(objector), f"object P{number} No."))
        assert _proposal(council, number).status == "blocked", replies
        assert _decisions(council, number) == []
        assert replies[1].endswith("closed as blocked."), replies
        assert (replies[0].startswith("Recorded:")
                or replies[0].startswith(f"P{number} is closed: it was blocked")), replies


def test_a_change_of_heart_racing_the_last_concurrence_is_one_or_the_other(
        council: Runtime) -> None:
    """Nineteen concurred; the twentieth concurs as one of the nineteen turns to objection.

    Either order is lawful: adopted (the objection then comes after the close
    and is refused) or blocked (the concurrence is refused). Never both: no
    decision is recorded over an objection, and no blocked poll has a decision.
    """
    for _ in range(ROUNDS):
        number = _open(council)
        for code in CODES[:-1]:
            run(council, delegate(code), f"concur P{number}")
        replies = _together(_says(council, delegate(CODES[-1]), f"concur P{number}"),
                            _says(council, delegate("FR"), f"object P{number} On reflection."))
        status = _proposal(council, number).status
        stances = {p.member_id: p.stance for p in _positions(council, number)}
        decisions = _decisions(council, number)
        if status == "adopted":
            assert "object" not in stances.values() and len(decisions) == 1
            assert replies[1].startswith(f"P{number} is closed: it was adopted")
        else:
            assert status == "blocked" and decisions == []
            assert replies[1].endswith("closed as blocked.")
            assert replies[0].startswith(f"P{number} is closed: it was blocked")


def test_passes_in_several_processes_close_once(council: Runtime, clock: Clock) -> None:
    number = _open(council)
    run(council, delegate("FR"), f"concur P{number}")
    clock.now = clock.now + timedelta(hours=48)
    reports = _together(*(lambda: council.tick().summary() for _ in range(4)))
    assert sum("2 polls" in r for r in reports) == 1, reports
    assert len(_decisions(council, number)) == 1
    with Session(council.engine) as s:
        closes = [e for e in s.exec(select(AuditEntry).order_by(col(AuditEntry.seq)))
                  if e.action == "poll.close"]
    assert len(closes) == 1


def test_an_objection_racing_the_close_at_the_deadline(council: Runtime, clock: Clock) -> None:
    """The pass and a late objection at the deadline: the outcome is the pass's or refused."""
    number = _open(council)
    clock.now = clock.now + timedelta(hours=48)
    replies = _together(lambda: council.tick().summary(),
                        _says(council, delegate("US"), f"object P{number} Late."))
    assert _proposal(council, number).status == "adopted"
    assert _positions(council, number) == []
    assert replies[1].startswith(f"P{number} ")  # closed at its deadline / is closed


# -- on PostgreSQL, watch the second transaction wait for the first --------------


def _lock_waiters(runtime: Runtime) -> int:
    with runtime.engine.connect() as connection:
        return int(connection.execute(text(
            "SELECT count(*) FROM pg_stat_activity "
            "WHERE datname = current_database() AND wait_event_type = 'Lock'"
        )).scalar_one())


def _wait_until(predicate: Callable[[], bool], timeout: float = 20.0) -> None:
    deadline = time.monotonic() + timeout
    while not predicate():
        assert time.monotonic() < deadline, "timed out waiting"
        time.sleep(0.01)


@pytest.mark.parametrize("first", ["concur", "object"])
def test_the_second_transaction_waits_for_the_first(council: Runtime, first: str) -> None:
    """A position in flight holds the council lock; the other waits, then sees its result."""
    if council.engine.dialect.name != "postgresql":
        pytest.skip("pg_stat_activity shows lock waits on PostgreSQL only")
    number = _open(council)
    for code in CODES[:-1]:
        run(council, delegate(code), f"concur P{number}")
    inside, release = threading.Event(), threading.Event()
    replies: dict[str, str] = {}
    last, objector = delegate(CODES[-1]), delegate("FR")

    def held(user: str, stance: str, reason: str | None) -> Callable[[Context], Message]:
        def fn(ctx: Context) -> Message:
            reply = take_position(ctx, number, stance, reason)
            inside.set()
            assert release.wait(30)
            return reply
        return fn

    def slow() -> None:
        user, reason = (last, None) if first == "concur" else (objector, "No.")
        replies[first] = council.run_action(user, CHANNEL, held(user, first, reason)).text

    def other() -> None:
        line = f"object P{number} No." if first == "concur" else f"concur P{number}"
        replies["other"] = run(council, objector if first == "concur" else last, line)

    t1 = threading.Thread(target=slow)
    t1.start()
    assert inside.wait(30)
    t2 = threading.Thread(target=other)
    t2.start()
    _wait_until(lambda: _lock_waiters(council) >= 1)  # the second is blocked on the lock
    release.set()
    t1.join(30)
    t2.join(30)
    status = _proposal(council, number).status
    if first == "concur":
        assert status == "adopted" and len(_decisions(council, number)) == 1
        assert replies["other"].startswith(f"P{number} is closed: it was adopted as joint decision")
    else:
        assert status == "blocked" and _decisions(council, number) == []
        assert replies["other"].startswith(f"P{number} is closed: it was blocked")
