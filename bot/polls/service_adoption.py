"""What a poll's adoption produces, decided in this one place: a joint decision ``D#``,
or for a draft joint statement a joint statement ``S#``.

"``statement joint <text>`` opens a consensus poll whose adoption produces a *joint
statement* (numbered ``S#``, in the register with the decisions)." (issue 14) The rule
of adoption is the same for both kinds (any objection blocks); only the record differs.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any

from sqlmodel import Session

from bot import keys
from bot.outbox import OutboxWriter
from bot.polls import queries, queries_statements
from bot.polls.render import Members
from bot.polls.render_adopted import Adopted
from bot.polls.render_decisions import decision_message
from bot.polls.render_statements_register import joint_statement_message
from bot.polls.rules import decision_record
from storage.models import (
    JointDecision,
    Position,
    Proposal,
    Statement,
)
from storage.statuses import ProposalKind, StatementType


def is_joint_statement(proposal: Proposal) -> bool:
    return proposal.kind == ProposalKind.JOINT_STATEMENT


def adopted_record(council_id: int, proposal: Proposal, members: Members,
                   positions: Mapping[int, Position], at: datetime) -> Adopted:
    """The record an adopted poll becomes, with every member's position (not yet saved)."""
    record = decision_record(proposal.electorate, {i: m.name for i, m in members.items()},
                             positions)
    if is_joint_statement(proposal):
        return Statement(council_id=council_id, kind=StatementType.JOINT.value,
                         text=proposal.text, area=proposal.area, proposal_id=proposal.id,
                         mode=proposal.mode, issued_by=proposal.proposer_user_id,
                         proposer_member_id=proposal.proposer_member_id, issued_at=at,
                         positions=record)
    return JointDecision(
        council_id=council_id, proposal_id=proposal.id or 0, text=proposal.text,
        area=proposal.area, mode=proposal.mode, proposer_user_id=proposal.proposer_user_id,
        proposer_member_id=proposal.proposer_member_id, adopted_at=at, positions=record,
        supersedes_id=proposal.supersedes_id,
    )


def announce(scope: OutboxWriter, record: Adopted, members: Members,
             areas: Mapping[str, object]) -> None:
    """Post the adoption in the channel: the joint decision, or the joint statement, in
    each official language."""
    if isinstance(record, Statement):
        statement = record
        scope.post(keys.statement(statement.id),
                   lambda: joint_statement_message(statement, scope.tz, areas))
    else:
        decision = record
        scope.post(keys.decision(decision.id),
                   lambda: decision_message(decision, members, scope.tz, areas))


def adopted_from(session: Session, proposal: Proposal) -> Adopted | None:
    """The record an adopted poll became, if any."""
    if is_joint_statement(proposal):
        return queries_statements.statement_of(session, proposal)
    return queries.decision_of(session, proposal)


def audit_details(record: Adopted | None) -> dict[str, Any]:
    """What a ``poll.close`` entry says the poll became: ``decision`` (None unless adopted
    as one, as ever) and, for a joint statement, ``statement``."""
    if isinstance(record, Statement):
        return {"decision": None, "statement": record.id}
    return {"decision": record.id if record is not None else None}
