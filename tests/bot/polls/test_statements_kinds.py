"""The council's statements (issue 14): joint statements adopted by a poll under the rules
of ``propose``, the Chair's statements issued at once, one S# series, the register (on
SQLite and PostgreSQL)."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

from sqlalchemy import inspect
from sqlalchemy.engine import Engine
from sqlmodel import Session, col, select

from bot.exchange import export_state
from bot.messages import Message, render_text
from bot.polls import statements_between
from bot.runtime import Runtime
from storage.models import AuditEntry, JointDecision, Outbox, Proposal, Statement
from tests.council import CHAIR, CHANNEL, CODES, OUTSIDER, Clock, delegate, run

T0 = datetime(2026, 12, 1, 9, 0, tzinfo=UTC)
RU, FR = delegate("RU"), delegate("FR")
LABEL = ("Chair's statement — issued on the Chair's own responsibility; not a decision of "
         "the Council.")


def _posted(runtime: Runtime, key: str) -> Message:
    with Session(runtime.engine) as s:
        row = s.exec(select(Outbox).where(Outbox.key == key)).one()
        return Message.from_dict(row.payload)


def _statements(runtime: Runtime) -> list[Statement]:
    with Session(runtime.engine) as s:
        return list(s.exec(select(Statement).order_by(col(Statement.id))))


def _decisions(runtime: Runtime) -> list[JointDecision]:
    with Session(runtime.engine) as s:
        return list(s.exec(select(JointDecision)))


def _adopt_by_all(runtime: Runtime, number: int) -> str:
    reply = ""
    for code in CODES:
        reply = run(runtime, delegate(code), f"concur P{number}")
    return reply


def test_a_joint_statement_adopted_by_every_member_becomes_s1_not_a_decision(
        council: Runtime) -> None:
    opened = run(council, RU, "statement joint 48h The members condemn attacks on shipping.")
    assert opened.startswith("Opened *P1*, a draft joint statement, (silence procedure)")
    poll = _posted(council, "poll:1")
    assert poll.header == "Draft joint statement P1"
    assert [b.label for b in poll.buttons][:3] == ["Concur", "Concur with statement…",
                                                   "Object…"]
    run(council, FR, "concur P1 --reservation Subject to our parliament.")
    last = _adopt_by_all(council, 1)
    assert last.endswith("Every member has now concurred: P1 is adopted as joint statement S1.")
    assert _decisions(council) == []
    [statement] = _statements(council)
    assert (statement.id, statement.kind, statement.proposal_id) == (1, "joint", 1)
    assert statement.text == "The members condemn attacks on shipping."
    assert len(statement.positions) == 20 and statement.issued_by == RU
    announced = _posted(council, "statement:1")
    assert announced.header == "Joint statement S1 adopted"
    assert "Concurred (20):" in render_text(announced)
    assert ">France, reservation: Subject to our parliament." in render_text(announced)
    assert _posted(council, "poll:1:outcome").text == (
        "*Adopted*: every member concurred. P1 is now joint statement *S1*.")
    with Session(council.engine) as s:
        close = s.exec(select(AuditEntry).where(AuditEntry.action == "poll.close")).one()
        assert close.details["statement"] == 1 and close.details["decision"] is None
    assert run(council, FR, "concur P1").startswith(
        "P1 is closed: it was adopted as joint statement S1 on ")


def test_silence_at_the_deadline_adopts_a_joint_statement(council: Runtime,
                                                          clock: Clock) -> None:
    run(council, RU, "statement joint 48h Silence adopts this.")
    run(council, FR, "concur P1")
    clock.now = T0 + timedelta(hours=49)
    council.tick()
    [statement] = _statements(council)
    assert statement.issued_at == T0 + timedelta(hours=48)
    assert _posted(council, "statement:1").header == "Joint statement S1 adopted"
    assert _posted(council, "poll:1:outcome").text.startswith("*Adopted*: no member objected")


def test_one_objection_blocks_a_joint_statement(council: Runtime) -> None:
    run(council, RU, "statement joint --explicit 48h A text one member cannot accept.")
    for code in CODES[:5]:
        run(council, delegate(code), "concur P1")
    reply = run(council, delegate("TR"), "object P1 We cannot associate ourselves with it.")
    assert "Any objection blocks: P1 is closed as blocked." in reply
    assert _statements(council) == [] and _decisions(council) == []
    assert _posted(council, "poll:1:closed").header == "P1 blocked"
    with Session(council.engine) as s:
        keys = {o.key for o in s.exec(select(Outbox))}
    assert not any(k.startswith("statement:") for k in keys)


def test_statement_joint_follows_the_rules_of_propose(council: Runtime) -> None:
    assert run(council, RU, "statement joint 6h Too short").startswith(
        "A delegation's proposal stays under silence for at least 24 hours")
    assert run(council, RU, 'statement joint --urgent "storm" 6h Text').startswith(
        "Only the Chair may put a text under silence with --urgent.")
    assert run(council, RU, "statement joint --supersedes D1 48h Text").split("\n")[0] == (
        'Unknown option "--supersedes"; statement joint takes --explicit, --area <area> and '
        "--urgent <reason>.")
    assert run(council, RU, "statement joint --area nowhere 48h Text").startswith(
        '"nowhere" is not an area of cooperation')
    assert run(council, RU, "statement joint 48h").startswith("Give the text of the joint statement")
    assert run(council, OUTSIDER, "statement joint 48h Text").startswith("Only delegations")
    assert run(council, CHAIR, 'statement joint --urgent "ferry in distress" 6h Urgent text'
               ).startswith("Opened *P1*, a draft joint statement")
    assert ("Urgent", "ferry in distress") in _posted(council, "poll:1").fields
    with Session(council.engine) as s:
        proposal = s.get(Proposal, 1)
        assert proposal is not None and proposal.kind == "joint_statement"
    assert run(council, RU, "propose 48h An ordinary proposal").startswith("Opened *P2*")
    assert _posted(council, "poll:2").header == "Proposal P2"


def test_only_the_chair_issues_a_chairs_statement_at_once_labelled_as_such(
        council: Runtime) -> None:
    assert run(council, RU, "statement chair A delegation's words").startswith(
        "Only the Chair may issue the Chair's statements.")
    assert run(council, OUTSIDER, "statement chair Words").startswith("Only the Chair")
    assert _statements(council) == []
    reply = run(council, CHAIR, "statement chair The Chair welcomes the resumption of contacts.")
    assert reply == ("Issued *Chair's statement S1* in the council channel, on your own "
                     "responsibility; it is not a decision of the Council.")
    posted = _posted(council, "statement:1")
    assert posted.header == "Chair's statement S1"
    assert posted.text == "The Chair welcomes the resumption of contacts."
    assert f"_{LABEL}_" in posted.sections and ("Issued by", f"<@{CHAIR}>, the Chair") in posted.fields
    with Session(council.engine) as s:
        entry = s.exec(select(AuditEntry).where(AuditEntry.action == "statement.chair")).one()
        assert entry.actor == CHAIR and entry.details["statement"] == 1
    assert run(council, CHAIR, "statement chair").startswith(
        "Give the text of the Chair's statement")


def test_one_series_the_register_and_the_statements_list(council: Runtime) -> None:
    run(council, RU, "propose 48h A decision")
    _adopt_by_all(council, 1)  # D1
    run(council, RU, "statement joint --area sar 48h On search and rescue")
    _adopt_by_all(council, 2)  # S1
    run(council, CHAIR, "statement chair The Chair's own words")  # S2
    register = council.run_command(OUTSIDER, CHANNEL, "decisions")
    text = render_text(register)
    assert register.header == "Joint decisions and statements"
    assert register.text == "1 joint decision and 1 joint statement."
    assert text.index("D1 (from P1") < text.index("S1 (joint statement, from P2, adopted")
    assert "S2" not in text  # the Chair's statement is not a decision of the Council
    assert "`/nrc statements S1` shows one statement" in text
    filtered = render_text(council.run_command(OUTSIDER, CHANNEL, "decisions --area sar"))
    assert "S1 (joint" in filtered and "D1 (from" not in filtered
    listing = council.run_command(OUTSIDER, CHANNEL, "statements")
    shown = render_text(listing)
    assert listing.text == "2 statements." and "S1 (joint statement, from P2" in shown
    assert "S2 (Chair's statement, issued " in shown and f"by @{CHAIR}" in shown
    one = render_text(council.run_command(OUTSIDER, CHANNEL, "statements S1"))
    assert "Positions of the members:" in one and "Joint statement S1" in one
    assert render_text(council.run_command(OUTSIDER, CHANNEL, "decisions S1")) == one
    chair = council.run_command(OUTSIDER, CHANNEL, "statements S2")
    assert chair.header == "Chair's statement S2" and LABEL in chair.context
    assert run(council, OUTSIDER, "statements S9").startswith("There is no statement S9.")
    assert run(council, OUTSIDER, "statements --page 2").startswith(
        "There is no page 2; the list has 1.")
    assert run(council, OUTSIDER, "statements page 1").startswith("2 statements.")
    closed = render_text(council.run_command(OUTSIDER, CHANNEL, "polls --closed"))
    assert "P2 (adopted as S1, closed" in closed and "P1 (adopted as D1, closed" in closed
    exported = json.loads(export_state(council.engine))["tables"]
    assert [(s["id"], s["kind"]) for s in exported["statement"]] == [(1, "joint"), (2, "chair")]
    assert [p["kind"] for p in exported["proposal"]] == ["decision", "joint_statement"]


def test_no_statement_yet_and_no_joint_statement_keeps_the_register_as_it_was(
        council: Runtime) -> None:
    assert run(council, OUTSIDER, "statements") == "The council has issued no statement yet."
    run(council, RU, "propose 48h A decision")
    _adopt_by_all(council, 1)
    register = council.run_command(OUTSIDER, CHANNEL, "decisions")
    assert (register.header, register.text) == ("Joint decisions", "1 joint decision.")


def test_statements_in_a_period_for_the_report(council: Runtime, clock: Clock) -> None:
    run(council, CHAIR, "statement chair First")
    clock.now = T0 + timedelta(days=3)
    run(council, CHAIR, "statement chair Second")
    with Session(council.engine) as s:
        within = statements_between(s, 1, T0 + timedelta(days=1), T0 + timedelta(days=4))
        every = statements_between(s, 1, T0, T0 + timedelta(days=4))
    assert [x.text for x in within] == ["Second"]
    assert [x.text for x in every] == ["First", "Second"]


def test_the_migrated_schema_has_the_models_columns(engine: Engine) -> None:
    for model in (Statement, Proposal):
        table = model.__table__  # type: ignore[attr-defined]
        migrated = {c["name"]: c["nullable"] for c in inspect(engine).get_columns(table.name)}
        assert migrated == {c.name: c.nullable for c in table.columns}, table.name
