"""The council's statements as plain data in, ``Message`` out: no database."""

from __future__ import annotations

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

from bot.polls.queries_register import Paged
from bot.polls.render_adopted import adopted_as
from bot.polls.render_statements_register import (
    CHAIR_LABEL,
    chair_statement_message,
    joint_statement_message,
    statements_message,
)
from bot.polls.service_adoption import audit_details
from storage.models import JointDecision, Statement

AT = datetime(2026, 12, 3, 9, 0, tzinfo=UTC)
TZ = ZoneInfo("Europe/Brussels")


def _chair(number: int = 5) -> Statement:
    return Statement(id=number, council_id=1, kind="chair", text="Words <of> the Chair",
                     issued_by="UCHAIR", issued_at=AT)


def _decision() -> JointDecision:
    return JointDecision(id=4, council_id=1, proposal_id=2, text="t", mode="silence",
                         proposer_user_id="U1", adopted_at=AT)


def test_a_chairs_statement_is_labelled_as_the_chairs_own_responsibility() -> None:
    message = chair_statement_message(_chair(), TZ)
    assert message.header == "Chair's statement S5"
    assert message.text == "Words &lt;of&gt; the Chair"  # user text escaped
    assert message.sections == [f"_{CHAIR_LABEL}_"]
    assert "not a decision of the Council" in CHAIR_LABEL and "own responsibility" in CHAIR_LABEL


def test_a_joint_statement_is_announced_as_adopted_by_consensus() -> None:
    statement = Statement(id=4, council_id=1, kind="joint", text="t", proposal_id=3,
                          mode="explicit", issued_by="URU", issued_at=AT, area="sar",
                          positions=[{"member": "France", "stance": "concur"}])
    message = joint_statement_message(statement, TZ, {"sar": "Search and rescue"})
    assert message.header == "Joint statement S4 adopted"
    assert ("Procedure", "explicit") in message.fields
    assert ("Area", "Search and rescue") in message.fields
    assert message.sections == ["*Concurred (1):* France"]
    assert joint_statement_message(statement, TZ, {}, announced=False).header == (
        "Joint statement S4")


def test_what_an_adopted_poll_became_in_words_and_in_the_audit() -> None:
    assert adopted_as(_chair(4)) == "joint statement S4"
    assert adopted_as(_decision(), bold=True) == "joint decision *D4*"
    assert audit_details(_chair(4)) == {"decision": None, "statement": 4}
    assert audit_details(_decision()) == {"decision": 4}
    assert audit_details(None) == {"decision": None}


def test_the_statements_list_when_empty_and_past_its_end() -> None:
    assert statements_message(Paged([], 0, 1), TZ, "/nrc").text == (
        "The council has issued no statement yet.")
    assert statements_message(Paged([], 3, 2), TZ, "/nrc").text == (
        "There is no page 2; the list has 1.")
    page = statements_message(Paged([_chair()], 11, 1), TZ, "/nrc")
    assert page.text == "11 statements."
    assert page.context[0] == "page 1 of 2; next: `/nrc statements --page 2`"
