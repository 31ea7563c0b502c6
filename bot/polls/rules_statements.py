"""The rules of a member's statement: kept, replaced, withdrawn, and its kind.

"A statement has a kind: *interpretative statement*, *reservation*, or *statement for
the record*, and its text. It is attached to the member's concurrence, shown on the
poll and in the decision (protocol order: by member, in the charter's order), and kept
unless the member explicitly replaces or withdraws it." (issue 13)
"""

from __future__ import annotations

from bot.polls.rules import Stance
from storage.statuses import StatementKind


def kept_statement(stance: Stance, text: str | None, current_stance: str | None,
                   current_statement: str | None) -> str | None:
    """The member's statement that a bare concurrence keeps, or None.

    A statement is part of the record ("an interpretative statement or a reservation
    ... kept with the decision"): a delegate repeating the concurrence without one
    confirms the member's position, and only an explicit new statement replaces it.
    """
    if stance is not Stance.CONCUR or (text and text.strip()) or current_stance is None:
        return None
    return current_statement if current_stance == Stance.CONCUR else None


def replaced_statement(current_stance: str | None, current_statement: str | None,
                       statement: str | None, current_kind: str | None = None,
                       kind: str | None = None) -> str | None:
    """The statement of the member's earlier concurrence that a new position replaces.

    "a concurrence without a statement keeps the member's statement, a new statement
    replaces it (the reply names the delegate who gave the old one)"; the same text
    given as another kind (a reservation where there was an interpretative statement)
    replaces it too.
    """
    if current_stance != Stance.CONCUR or not current_statement:
        return None
    if statement != current_statement or kind_of(current_kind) != kind_of(kind):
        return current_statement
    return None


def kind_of(kind: str | None) -> StatementKind:
    """A statement's kind; one recorded without a kind is an interpretative statement.

    "A statement has a kind: *interpretative statement*, *reservation*, or *statement
    for the record*" (issue 13); "plain text = interpretative statement".
    """
    return StatementKind(kind) if kind else StatementKind.INTERPRETATIVE


def next_statement(stance: Stance, text: str | None, kind: str | None, withdraw: bool,
                   current_stance: str | None, current_statement: str | None,
                   current_kind: str | None) -> tuple[str | None, str | None, bool]:
    """The statement and kind the member's new position carries, and whether it is kept.

    "[A statement is] kept unless the member explicitly replaces or withdraws it": a
    concurrence without text keeps the statement and its kind; a text replaces it
    (as ``kind``, else as an interpretative statement); a withdrawal drops it. An
    objection carries its reason, and no kind.
    """
    given = text.strip() if text and text.strip() else None
    if stance is Stance.OBJECT:
        return given, None, False
    if withdraw:
        return None, None, False
    if given is not None:
        return given, kind_of(kind).value, False
    kept = kept_statement(stance, text, current_stance, current_statement)
    if kept is not None:
        return kept, kind_of(current_kind).value, True
    return None, None, False
