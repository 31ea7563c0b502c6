"""Statements on the record (issue 13): their kind, kept, replaced or withdrawn, shown in
protocol order, and the colleague told when a delegate changes what another one set."""

from __future__ import annotations

from sqlmodel import Session, col, select

from bot.messages import Message, render_text
from bot.runtime import Runtime
from storage.models import AuditEntry, JointDecision, Member, Outbox, Position
from tests.council import ADMIN, CHANNEL, CODES, delegate, run

RU, FR, DE = delegate("RU"), delegate("FR"), delegate("DE")
DEPUTY = delegate("RU", 2)


def _open(runtime: Runtime) -> None:
    assert run(runtime, RU, "propose 48h Joint statement on search and rescue").startswith(
        "Opened *P1*")


def _position(runtime: Runtime, name: str = "Russian Federation") -> Position:
    """The member's position on P1."""
    with Session(runtime.engine) as s:
        return s.exec(select(Position).join(Member, col(Member.id) == Position.member_id)
                      .where(Member.name == name)).one()


def _poll_view(runtime: Runtime) -> str:
    with Session(runtime.engine) as s:
        return render_text(runtime.render_poll(s, 1, 1, runtime.clock()))


def _rows(runtime: Runtime) -> dict[str, Outbox]:
    with Session(runtime.engine) as s:
        return {o.key: o for o in s.exec(select(Outbox).order_by(col(Outbox.id)))}


def _audit(runtime: Runtime, action: str) -> list[AuditEntry]:
    with Session(runtime.engine) as s:
        return [e for e in s.exec(select(AuditEntry).order_by(col(AuditEntry.seq)))
                if e.action == action]


def test_a_reservation_is_recorded_with_its_kind_and_shown_so(council: Runtime) -> None:
    _open(council)
    assert run(council, RU, "concur P1 --reservation Subject to ratification.") == (
        "Recorded: Russian Federation concurs on P1.")
    position = _position(council)
    assert (position.statement, position.statement_kind) == (
        "Subject to ratification.", "reservation")
    assert "Russian Federation, reservation: Subject to ratification." in _poll_view(council)
    assert _audit(council, "poll.concur")[-1].details["statement_kind"] == "reservation"


def test_plain_text_is_an_interpretative_statement(council: Runtime) -> None:
    _open(council)
    run(council, FR, "concur P1 France reads it as covering exercises only.")
    assert _position(council, "France").statement_kind == "interpretative"
    assert ("France, interpretative statement: France reads it as covering exercises only."
            in _poll_view(council))


def test_a_bare_reconcurrence_keeps_the_statement_and_its_kind(council: Runtime) -> None:
    run(council, ADMIN, f"delegate add Russia {DEPUTY} deputy")
    _open(council)
    run(council, RU, "concur P1 --for-the-record Our capital notes annex B.")
    assert run(council, DEPUTY, "concur P1") == (
        "Russian Federation already concurs on P1; its statement stands; nothing changed.")
    position = _position(council)
    assert (position.statement, position.statement_kind, position.user_id) == (
        "Our capital notes annex B.", "record", RU)


def test_the_same_text_as_another_kind_replaces_the_statement(council: Runtime) -> None:
    _open(council)
    run(council, RU, "concur P1 Subject to ratification.")
    assert run(council, RU, "concur P1 --reservation Subject to ratification.") == (
        "Recorded: Russian Federation concurs on P1 with a new statement, replacing the "
        f"statement recorded by <@{RU}>.")
    assert _position(council).statement_kind == "reservation"


def test_withdraw_statement_keeps_the_concurrence_without_it(council: Runtime) -> None:
    _open(council)
    run(council, RU, "concur P1 --reservation Subject to ratification.")
    assert run(council, RU, "concur P1 --withdraw-statement") == (
        "Recorded: Russian Federation concurs on P1, without a statement: the statement "
        f"recorded by <@{RU}> is withdrawn.")
    position = _position(council)
    assert (position.stance, position.statement, position.statement_kind) == (
        "concur", None, None)
    view = _poll_view(council)
    assert "Concurred (1): Russian Federation" in view and "reservation:" not in view
    entry = _audit(council, "poll.concur")[-1]
    assert entry.details["statement_withdrawn"] is True
    assert entry.details["statement_replaced"] == "Subject to ratification."


def test_the_concur_options_are_refused_in_one_sentence(council: Runtime) -> None:
    _open(council)
    usage = "Usage: `/nrc concur <P> [--reservation|--interpretative|--for-the-record] [statement]`"
    assert run(council, RU, "concur P1 --reservation").startswith(
        "Give the text of the reservation after the option.")
    assert run(council, RU, "concur P1 --withdraw-statement Some words").startswith(
        "--withdraw-statement takes no text")
    reply = run(council, RU, "concur P1 --bogus words")
    assert reply.startswith('Unexpected "--bogus"') and usage in reply
    assert _audit(council, "poll.concur") == []


def test_statements_are_shown_in_the_charters_order_and_kept_with_the_decision(
        council: Runtime) -> None:
    _open(council)
    run(council, RU, "concur P1 --reservation Subject to ratification.")
    run(council, FR, "concur P1 --for-the-record France recalls its earlier position.")
    run(council, DE, "concur P1 Germany reads paragraph 2 narrowly.")
    view = _poll_view(council)
    lines = [line for line in view.splitlines() if line.startswith(">")]
    # France, Germany, ..., Russian Federation: the charter's order, not the order of speaking.
    assert lines == [
        ">France, statement for the record: France recalls its earlier position.",
        ">Germany, interpretative statement: Germany reads paragraph 2 narrowly.",
        ">Russian Federation, reservation: Subject to ratification.",
    ]
    for code in CODES:
        if code not in ("RU", "FR", "DE"):
            run(council, delegate(code), "concur P1")
    with Session(council.engine) as s:
        (decision,) = s.exec(select(JointDecision)).all()
    record = {row["member"]: row for row in decision.positions}
    assert record["Russian Federation"]["statement_kind"] == "reservation"
    assert record["France"]["statement_kind"] == "record"
    assert record["Belgium"]["statement_kind"] is None
    shown = render_text(council.run_command(RU, CHANNEL, f"decisions D{decision.id}"))
    assert f"• France: concur (@{FR}); statement for the record" in shown
    assert "; statement for the record: France recalls its earlier position." in shown
    assert "; reservation: Subject to ratification." in shown
    announced = render_text(Message.from_dict(_rows(council)[f"decision:{decision.id}"].payload))
    assert announced.index("France, statement for the record") < announced.index(
        "Russian Federation, reservation")


def test_a_colleague_is_told_when_a_delegate_changes_what_they_set(council: Runtime) -> None:
    run(council, ADMIN, f"delegate add Russia {DEPUTY} deputy")
    _open(council)
    run(council, RU, "concur P1 --reservation Subject to ratification.")
    assert not [k for k in _rows(council) if ":position:" in k]
    run(council, DEPUTY, "concur P1 --withdraw-statement")
    (key,) = [k for k in _rows(council) if ":position:" in k]
    dm = _rows(council)[key]
    assert dm.kind == "dm" and dm.channel == RU
    assert Message.from_dict(dm.payload).text == (
        f"<@{DEPUTY}> changed Russian Federation's position on P1, which you had set: concur "
        "with reservation: “Subject to ratification.” → concur.")
    entry = _audit(council, "poll.concur")[-1]
    assert (entry.actor, entry.details["previous_by"]) == (DEPUTY, RU)
    # The same delegate changing their own position is not told anything.
    run(council, DEPUTY, "concur P1 A reading of ours.")
    assert len([k for k in _rows(council) if ":position:" in k]) == 1
