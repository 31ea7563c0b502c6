"""The rules of a statement and its kind (issue 13), without a database."""

from __future__ import annotations

from bot.polls.rules import Stance
from bot.polls.rules_statements import kind_of, next_statement, replaced_statement
from storage.statuses import StatementKind

C, OB = Stance.CONCUR, Stance.OBJECT
RES, INT, REC = "reservation", "interpretative", "record"


def test_a_statement_without_a_kind_is_an_interpretative_one() -> None:
    assert kind_of(None) is StatementKind.INTERPRETATIVE
    assert kind_of("reservation") is StatementKind.RESERVATION
    assert kind_of("record") is StatementKind.RECORD


def test_plain_text_is_an_interpretative_statement_and_a_kind_is_kept_with_its_text() -> None:
    assert next_statement(C, " Our reading. ", None, False, None, None, None) == (
        "Our reading.", INT, False)
    assert next_statement(C, "Subject to ratification.", RES, False, None, None, None) == (
        "Subject to ratification.", RES, False)


def test_a_concurrence_without_text_keeps_the_statement_and_its_kind() -> None:
    assert next_statement(C, None, None, False, "concur", "Subject to ratification.", RES) == (
        "Subject to ratification.", RES, True)
    assert next_statement(C, "  ", INT, False, "concur", "For the record.", REC) == (
        "For the record.", REC, True)
    # Nothing to keep after an objection: its reason is no statement.
    assert next_statement(C, None, None, False, "object", "No.", None) == (None, None, False)


def test_a_new_text_replaces_the_statement_and_a_withdrawal_drops_it() -> None:
    assert next_statement(C, "A new reading.", REC, False, "concur", "Old.", RES) == (
        "A new reading.", REC, False)
    assert next_statement(C, None, None, True, "concur", "Old.", RES) == (None, None, False)


def test_an_objection_carries_its_reason_and_no_kind() -> None:
    assert next_statement(OB, "It prejudges the talks.", RES, True, "concur", "Old.", RES) == (
        "It prejudges the talks.", None, False)


def test_the_same_text_as_another_kind_replaces_the_statement() -> None:
    assert replaced_statement("concur", "Old.", "Old.", INT, RES) == "Old."
    assert replaced_statement("concur", "Old.", "Old.", None, INT) is None  # the same kind
    assert replaced_statement("concur", "Old.", "Old.", RES, RES) is None
    assert replaced_statement("object", "No.", "Old.", None, INT) is None
    assert replaced_statement("concur", "Old.", None, RES, None) == "Old."  # withdrawn
