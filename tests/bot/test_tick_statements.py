"""A scheduler pass costs a constant number of SQL statements when nothing is due.

The councils are the benchmark's synthetic ones (``bench.tick``, bulk-inserted): the 2002
charter, two years of meetings, 20 open polls with positions, 50 open issues on the next
Council meeting's agenda. Whatever their number and their rows, a pass that finds nothing
to do asks the same few set-based questions and locks no council; a pass with something
due records exactly what the per-council passes recorded before they were set-based.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import timedelta
from typing import Any

from sqlalchemy import event
from sqlalchemy.engine import Engine
from sqlmodel import Session, col, select

from bench.tick import ADMIN, NOW, build
from bot.scheduler import TickReport, run_passes
from bot.settings import Settings
from storage.models import Council, Outbox

SETTINGS = Settings(admin_users=frozenset({ADMIN}))


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


def _statements(engine: Engine, step: Callable[[], object]) -> list[str]:
    with _counting(engine) as statements:
        step()
    return statements


def _outbox(engine: Engine) -> list[tuple[int, str, str, str]]:
    with Session(engine) as s:
        return [(o.council_id, o.key, o.kind, o.status)
                for o in s.exec(select(Outbox).order_by(col(Outbox.id)))]


def _councils(engine: Engine) -> list[int]:
    with Session(engine) as s:
        return [c for c in s.exec(select(Council.id).order_by(col(Council.id))) if c]


def _shape(rows: list[tuple[int, str, str, str]], council_id: int) -> list[tuple[str, str, str]]:
    """One council's records, ids left out: every synthetic council records the same."""
    return [(re.sub(r"^(meeting|poll|decision):\d+", r"\1:#", key), kind, status)
            for cid, key, kind, status in rows if cid == council_id]


def _tick(engine: Engine, hours: int = 0) -> TickReport:
    return run_passes(engine, NOW + timedelta(hours=hours), SETTINGS)


def test_a_steady_pass_costs_the_same_statements_whatever_the_councils_and_rows(
        engine: Engine) -> None:
    counts: dict[str, int] = {}
    built = 0
    for size in (1, 5, 20):
        build(engine, size - built, first=built + 1)
        built = size
        _tick(engine)  # the new councils' due reminders
        before = _outbox(engine)
        statements = _statements(engine, lambda: _tick(engine))
        counts[f"{size} councils"] = len(statements)
        assert _outbox(engine) == before  # nothing recorded, nothing rewritten
        assert not any("FOR UPDATE" in s for s in statements)  # no council locked
    # One council with ten times the rows (ten years of meetings, 200 polls, 500 issues).
    build(engine, 1, density=10, first=built + 1)
    _tick(engine)
    counts["21 councils, one dense"] = len(_statements(engine, lambda: _tick(engine)))
    assert len(set(counts.values())) == 1, counts
    assert counts["1 councils"] <= 12, counts


def test_a_pass_with_something_due_records_what_it_recorded_before(engine: Engine) -> None:
    build(engine, 5)
    councils = _councils(engine)
    assert len(councils) == 5
    report = _tick(engine)
    assert {k: v for k, v in report.recorded.items() if v} == {"polls": 5}
    rows = _outbox(engine)
    # As the per-council passes recorded them: three meeting reminders whose moment passed
    # more than their grace ago (skipped), P1's day-ahead reminder likewise, P2's sent, and
    # P2's message updated for the time left.
    assert [(key, kind, status) for cid, key, kind, status in rows if cid == councils[0]] == [
        ("meeting:97:remind:86400", "post", "skipped"),
        ("meeting:3:remind:604800", "post", "skipped"),
        ("meeting:7:remind:604800", "post", "skipped"),
        ("poll:1:v1:remind:86400:1796137200", "post", "skipped"),
        ("poll:2:v1:remind:86400:1796180400", "post", "pending"),
        ("poll:2#update", "update", "pending"),
    ]
    for council_id in councils[1:]:
        assert _shape(rows, council_id) == _shape(rows, councils[0])
    with Session(engine) as s:
        reminder = s.exec(select(Outbox).where(
            Outbox.key == "poll:2:v1:remind:86400:1796180400")).one()
    assert reminder.payload["header"] == "Reminder: P2"
    assert reminder.payload["text"].startswith("P2 closes <!date^")
    assert "Still silent (15):" in reminder.payload["text"]
    # Idempotent: the same instant again records nothing.
    assert sum(_tick(engine).recorded.values()) == 0
    assert _outbox(engine) == rows

    # Two days on: four polls close at their deadlines (once), P5's reminder is stale, P6's
    # goes, and the meetings' reminders that came due meanwhile are skipped as stale.
    steady = len(_statements(engine, lambda: _tick(engine)))
    report = _tick(engine, 48)
    assert {k: v for k, v in report.recorded.items() if v} == {"polls": 5 * 9}
    new = [row for row in _outbox(engine) if row not in rows]
    assert [(key, kind, status) for cid, key, kind, status in new if cid == councils[0]] == [
        ("meeting:3:remind:86400", "post", "skipped"),
        ("poll:1#update", "update", "pending"),
        ("poll:1:outcome", "post", "pending"),
        ("decision:26", "post", "pending"),
        ("poll:2:outcome", "post", "pending"),
        ("decision:27", "post", "pending"),
        ("poll:3#update", "update", "pending"),
        ("poll:3:outcome", "post", "pending"),
        ("decision:28", "post", "pending"),
        ("poll:4#update", "update", "pending"),
        ("poll:4:outcome", "post", "pending"),
        ("decision:29", "post", "pending"),
        ("poll:5:v1:remind:86400:1796310000", "post", "skipped"),
        ("poll:6:v1:remind:86400:1796353200", "post", "pending"),
        ("poll:6#update", "update", "pending"),
    ]
    for council_id in councils[1:]:
        assert _shape(new, council_id) == _shape(new, councils[0])
    # And a pass at that instant again is back to the steady cost, recording nothing.
    after = _outbox(engine)
    again = _statements(engine, lambda: _tick(engine, 48))
    assert len(again) == steady
    assert _outbox(engine) == after
