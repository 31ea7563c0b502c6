"""A statement on the record as the poll, the decision and the forms word it: its kind's
label, its line, and Slack's dialog before the one-click Concur.

"A statement has a kind: interpretative statement, reservation, or statement for the
record, and its text." (docs/consensus.md)
"""

from __future__ import annotations

from bot.messages import Confirm, escape
from bot.polls.rules_statements import kind_of
from storage.models import Proposal
from storage.statuses import StatementKind

#: A statement's kind as the poll and the decision name it.
STATEMENT_LABEL: dict[str, str] = {
    StatementKind.INTERPRETATIVE.value: "Interpretative statement",
    StatementKind.RESERVATION.value: "Reservation",
    StatementKind.RECORD.value: "Statement for the record",
}


def kind_label(kind: str | None) -> str:
    """A statement's kind by name ("Reservation"); none recorded: an interpretative one."""
    return STATEMENT_LABEL[kind_of(kind).value]


def statement_line(name: str, kind: str | None, statement: str) -> str:
    """A member's statement as the poll and the decision show it, with its kind
    (``name`` already escaped)."""
    return f">_{name}, {kind_label(kind).lower()}:_ {escape(statement)}"


def concur_confirm(proposal: Proposal) -> Confirm:
    """Slack's dialog before the one-click Concur. The button is the same for everyone
    who sees the poll, so the dialog cannot name the clicker's member: it says "your
    member", and the ephemeral reply names it."""
    return Confirm(title=f"Concur with P{proposal.id}?",
                   text=f"Concur for your member with version {proposal.version} of "
                        f"P{proposal.id}? A statement your member has is kept.",
                   confirm="Concur")
