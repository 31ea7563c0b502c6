"""An implementation issue cannot be raised twice: a database rule, not a hope."""

from __future__ import annotations

import pytest
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, select

from bot.runtime import Runtime
from storage.engine import transaction
from storage.models import ImplementationIssue
from tests.agenda import make_decision
from tests.council import CHAIR, delegate, run

RU, FR = delegate("RU"), delegate("FR")


def _issues(runtime: Runtime) -> list[ImplementationIssue]:
    with Session(runtime.engine) as s:
        return list(s.exec(select(ImplementationIssue)))


def test_the_same_issue_twice_is_refused_and_recorded_once(council: Runtime) -> None:
    d = make_decision(council)
    assert "I1" in run(council, RU, f"raise D{d} The exercise is late.")
    again = run(council, delegate("RU", 1), f"raise D{d}   the exercise is LATE. ")
    assert again.startswith(f"Russian Federation already raised this issue on D{d}: "
                            "it is open as I1.")
    assert "I2" in run(council, FR, f"raise D{d} The exercise is late.")  # another member
    assert len(_issues(council)) == 2
    run(council, CHAIR, "resolve I1 Held on 3 December.")
    assert "I3" in run(council, RU, f"raise D{d} The exercise is late.")  # closed: again


def test_the_database_refuses_a_duplicate_open_issue(council: Runtime) -> None:
    d = make_decision(council)
    run(council, RU, f"raise D{d} The exercise is late.")
    [first] = _issues(council)
    with pytest.raises(IntegrityError), transaction(council.engine) as s:
        s.add(ImplementationIssue(
            council_id=first.council_id, decision_id=first.decision_id,
            member_id=first.member_id, raised_by=RU, text=first.text, status="open",
            created_at=first.created_at, dedup=first.dedup))
