"""A request costs a constant number of SQL statements, whatever the council holds.

Slack gives a request three seconds and the council's busiest moments are many
positions at once: a listing, a position, a poll's message or an App Home must not
ask one more question per open poll, per position, per meeting or per issue. Each
is counted with a few open polls, then again with many more polls, positions,
meetings and issues; the counts must match, and stay under a small bound.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import timedelta
from typing import Any

from sqlalchemy import event
from sqlalchemy.engine import Engine
from sqlmodel import Session, SQLModel

from bot.messages import Message
from bot.polls.rules import Stance
from bot.polls.service_positions import position_form
from bot.runtime import Runtime
from tests.agenda import make_decision
from tests.council import ADMIN, CHAIR, CHANNEL, CODES, delegate, run

RU = delegate("RU")

#: The most statements each request may take, on either database (SQLite counts its BEGIN).
#: A person's request reads their language in its own transaction: one indexed row.
BOUNDS = {"members": 3, "polls": 5, "concur": 8, "form": 4, "poll view": 2,
          "delegate's Home": 10, "Chair's Home": 10}
#: Requests that read records in full (ORM objects) only for what they show, not per row held.
SHOWN_ONLY = ("members", "concur", "form", "poll view", "delegate's Home", "Chair's Home")


@contextmanager
def _counting(engine: Engine) -> Iterator[list[str]]:
    statements: list[str] = []

    def count(_conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        statements.append(statement)

    event.listen(engine, "before_cursor_execute", count)
    try:
        yield statements
    finally:
        event.remove(engine, "before_cursor_execute", count)


@contextmanager
def _loading() -> Iterator[list[object]]:
    """Every record read in full (an ORM object built from a row) meanwhile."""
    loaded: list[object] = []

    def load(target: object, _context: Any) -> None:
        loaded.append(target)

    event.listen(SQLModel, "load", load, propagate=True)
    try:
        yield loaded
    finally:
        event.remove(SQLModel, "load", load)


def _grow(council: Runtime, polls: int) -> list[int]:
    """More of everything a Home lists: open polls with positions on each, meetings ahead,
    joint decisions and implementation issues on them (each more than a Home shows)."""
    opened = []
    for _ in range(polls):
        reply = run(council, CHAIR, "propose 30d That the Council take note of the report.")
        found = re.match(r"Opened \*P(\d+)\*", reply)
        assert found, reply
        opened.append(int(found.group(1)))
    for code in CODES[:8]:
        for number in opened:
            run(council, delegate(code), f"concur P{number}")
    start = council.clock() + timedelta(days=3 + polls)
    for i in range(9):
        when = (start + timedelta(hours=i)).strftime("%Y-%m-%dT%H:%M+00:00")
        assert run(council, CHAIR, f"schedule council-amb {when} Monthly").startswith("Scheduled")
    for proposer in ("RU", "FR"):
        decision = make_decision(council, proposer=proposer)
        for code in ("DE", "IT", "RU"):
            for n in range(5):
                reply = run(council, delegate(code),
                            f"raise D{decision} Not yet implemented ({polls}, {n}).")
                assert reply.startswith("Raised"), reply
    return opened


def _requests(council: Runtime, poll: int) -> dict[str, Callable[[], object]]:
    def render(user: str) -> Callable[[], Message]:
        def home() -> Message:
            with Session(council.engine) as session:
                return council.render_home(session, 1, user, council.clock())
        return home

    def poll_view() -> Message:
        with Session(council.engine) as session:
            return council.render_poll(session, 1, poll, council.clock())

    return {
        "members": lambda: run(council, RU, "members"),
        "polls": lambda: run(council, RU, "polls"),
        "concur": lambda: run(council, RU, f"concur P{poll}"),
        "form": lambda: council.run_action(
            delegate("FR"), CHANNEL, lambda ctx: position_form(ctx, poll, Stance.CONCUR).message,
            mutates=False),
        "poll view": poll_view,
        "delegate's Home": render(RU),
        "Chair's Home": render(CHAIR),
    }


def _counts(council: Runtime, poll: int) -> tuple[dict[str, int], dict[str, int]]:
    """Statements and records read in full, per request."""
    statements, records = {}, {}
    for name, request in _requests(council, poll).items():
        with _counting(council.engine) as issued, _loading() as loaded:
            request()
        statements[name], records[name] = len(issued), len(loaded)
    return statements, records


def test_requests_ask_the_same_questions_however_much_the_council_holds(
        council: Runtime) -> None:
    assert council.admins == frozenset({ADMIN})
    first = _grow(council, 11)  # more than a Home shows
    few, few_records = _counts(council, poll=first[0])
    more = _grow(council, 12)  # twice as much of everything
    many, many_records = _counts(council, poll=more[3])
    assert many == few
    over = {name: count for name, count in many.items() if count > BOUNDS[name]}
    assert not over, f"over the bound: {over} (bounds {BOUNDS})"
    grown = {name: (few_records[name], many_records[name]) for name in SHOWN_ONLY
             if many_records[name] != few_records[name]}
    assert not grown, f"records read in full grew with the council's rows: {grown}"
