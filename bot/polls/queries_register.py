"""The register's reads: decisions filtered and paged, the chain of supersession, closed polls.

"``polls --closed`` (paged) lists closed polls with their outcome; ``decisions`` can
filter by area and by text." "A decision can be superseded by a later one." (issue 13)
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Generic, TypeVar

from sqlalchemy import func
from sqlmodel import Session, col, select

from bot.polls.rules import OPEN
from storage.models import JointDecision, Proposal

T = TypeVar("T")

#: How many rows a page of the register shows.
PAGE_SIZE = 10


@dataclass(frozen=True)
class Paged(Generic[T]):
    """One page of a list, and how many rows the list has in all."""

    items: list[T]
    total: int
    page: int
    size: int = PAGE_SIZE

    @property
    def pages(self) -> int:
        return max(1, -(-self.total // self.size))


def _paged(session: Session, query: Any, count: Any, page: int, size: int) -> Paged[Any]:
    total = int(session.execute(count).scalar_one())
    items = list(session.exec(query.offset((page - 1) * size).limit(size))) if total else []
    return Paged(items, total, page, size)


def superseded_by(session: Session, decision_ids: list[int]) -> dict[int, int]:
    """For each of these decisions that a later one supersedes: the later one's number."""
    if not decision_ids:
        return {}
    rows = session.exec(select(JointDecision.supersedes_id, JointDecision.id).where(
        col(JointDecision.supersedes_id).in_(decision_ids)))
    return {old: new for old, new in rows if old is not None and new is not None}


def chain(session: Session, council_id: int, decision: JointDecision) -> tuple[list[int], list[int]]:
    """The decisions this one supersedes (nearest first) and those superseding it (nearest
    first): the chain both ways."""
    earlier: list[int] = []
    seen = {decision.id}
    step = decision.supersedes_id
    while step is not None and step not in seen:
        earlier.append(step)
        seen.add(step)
        step = session.exec(select(JointDecision.supersedes_id).where(
            JointDecision.council_id == council_id, JointDecision.id == step)).first()
    later: list[int] = []
    current = decision.id
    while current is not None:
        nxt = session.exec(select(JointDecision.id).where(
            JointDecision.council_id == council_id,
            JointDecision.supersedes_id == current)).first()
        if nxt is None or nxt in seen:
            break
        later.append(nxt)
        seen.add(nxt)
        current = nxt
    return earlier, later


def closed_polls_page(session: Session, council_id: int, page: int = 1,
                      size: int = PAGE_SIZE) -> Paged[Proposal]:
    """Closed polls, newest close first."""
    where = [Proposal.council_id == council_id, Proposal.status != OPEN]
    query = (select(Proposal).where(*where)
             .order_by(col(Proposal.closed_at).desc(), col(Proposal.id).desc()))
    count = select(func.count()).select_from(Proposal).where(*where)
    return _paged(session, query, count, page, size)


def decisions_from(session: Session, proposal_ids: list[int]) -> dict[int, int]:
    """The joint decision each of these proposals became, by proposal."""
    if not proposal_ids:
        return {}
    return {p: d for p, d in session.exec(select(JointDecision.proposal_id, JointDecision.id)
                                          .where(col(JointDecision.proposal_id).in_(proposal_ids)))
            if d is not None}


def open_superseding(session: Session, council_id: int, number: int) -> int | None:
    """An open poll that would already supersede decision ``number``, if any."""
    return session.exec(select(Proposal.id).where(
        Proposal.council_id == council_id, Proposal.status == OPEN,
        Proposal.supersedes_id == number)).first()
