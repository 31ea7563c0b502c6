"""A statement on the record as the poll, the decision and the forms word it: its kind's
label, its line, and Slack's dialog before the one-click Concur.

"A statement has a kind: interpretative statement, reservation, or statement for the
record, and its text." (docs/consensus.md)
"""

from __future__ import annotations

from bot.i18n import N_, _
from bot.messages import Confirm, escape
from bot.polls.rules_statements import kind_of
from storage.models import Proposal
from storage.statuses import StatementKind

#: A statement's kind as the poll and the decision name it.
STATEMENT_LABEL: dict[str, str] = {
    StatementKind.INTERPRETATIVE.value: N_("Interpretative statement"),
    StatementKind.RESERVATION.value: N_("Reservation"),
    StatementKind.RECORD.value: N_("Statement for the record"),
}


def kind_label(kind: str | None) -> str:
    """A statement's kind by name ("Reservation"); none recorded: an interpretative one."""
    return _(STATEMENT_LABEL[kind_of(kind).value])


#: A statement's kind within a sentence ("concur with a reservation"), in the current
#: language (French and Russian do not simply lower-case the label).
_STATEMENT_WORDS: dict[str, str] = {
    StatementKind.INTERPRETATIVE.value: N_("interpretative statement"),
    StatementKind.RESERVATION.value: N_("reservation"),
    StatementKind.RECORD.value: N_("statement for the record"),
}


def kind_words(kind: str | None) -> str:
    """A statement's kind within a sentence: "reservation", "interpretative statement"."""
    return _(_STATEMENT_WORDS[kind_of(kind).value])


def statement_line(name: str, kind: str | None, statement: str) -> str:
    """A member's statement as the poll and the decision show it, with its kind
    (``name`` already escaped)."""
    return _(">_{name}, {kind}:_ {statement}", name=name, kind=kind_words(kind),
             statement=escape(statement))


def concur_confirm(proposal: Proposal) -> Confirm:
    """Slack's dialog before the one-click Concur. The button is the same for everyone
    who sees the poll, so the dialog cannot name the clicker's member: it says "your
    member", and the ephemeral reply names it."""
    return Confirm(title=_("Concur with P{number}?", number=proposal.id),
                   text=_("Concur for your member with version {version} of P{number}? A "
                          "statement your member has is kept.", version=proposal.version,
                          number=proposal.id),
                   confirm=_("Concur"), deny=_("Cancel"))
