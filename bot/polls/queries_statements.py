"""The reads and writes of the council's statements (``S#``), and of the register that
lists joint statements with the joint decisions.

Not a member's statement on its position (``rules_statements``): these are what the
Council says by consensus, or its Chair on the Chair's own responsibility.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import case, func, literal, union_all
from sqlalchemy import select as sa_select
from sqlmodel import Session, col, select

from bot.polls.queries_register import PAGE_SIZE, Paged
from storage.models import JointDecision, Proposal, Statement
from storage.statuses import StatementType

#: One row of the register: a joint decision or a joint statement, in the order adopted.
Entry = JointDecision | Statement


def save(session: Session, statement: Statement) -> Statement:
    """Record a new statement now, so that it has its number."""
    session.add(statement)
    session.flush()
    return statement


def statement(session: Session, council_id: int, number: int) -> Statement | None:
    return session.exec(select(Statement).where(Statement.council_id == council_id,
                                                Statement.id == number)).first()


def statement_of(session: Session, proposal: Proposal) -> Statement | None:
    """The joint statement an adopted poll became, if it became one."""
    return session.exec(select(Statement).where(Statement.proposal_id == proposal.id)).first()


def statements_from(session: Session, proposal_ids: list[int]) -> dict[int, int]:
    """The joint statement each of these proposals became, by proposal."""
    if not proposal_ids:
        return {}
    rows = session.exec(select(Statement.proposal_id, Statement.id)
                        .where(col(Statement.proposal_id).in_(proposal_ids)))
    return {p: s for p, s in rows if p is not None and s is not None}


def statements_page(session: Session, council_id: int, page: int = 1,
                    size: int = PAGE_SIZE) -> Paged[Statement]:
    """The council's statements of both types, oldest first."""
    where = [Statement.council_id == council_id]
    total = int(session.execute(select(func.count()).select_from(Statement)
                                .where(*where)).scalar_one())
    query = (select(Statement).where(*where).order_by(col(Statement.id))
             .offset((page - 1) * size).limit(size))
    return Paged(list(session.exec(query)) if total else [], total, page, size)


def statements_between(session: Session, council_id: int, start: datetime,
                       end: datetime) -> list[Statement]:
    """The council's statements of both types issued in ``[start, end)``, oldest first:
    what a report for a period lists."""
    return list(session.exec(select(Statement).where(
        Statement.council_id == council_id, col(Statement.issued_at) >= start,
        col(Statement.issued_at) < end).order_by(col(Statement.issued_at), col(Statement.id))))


def register_page(session: Session, council_id: int, *, area: str | None = None,
                  text: str | None = None, page: int = 1,
                  size: int = PAGE_SIZE) -> tuple[Paged[Entry], int]:
    """The register: joint decisions and joint statements together, in the order they were
    adopted, filtered by area and by words in the text (case-insensitive); and how many of
    the rows in all are joint statements."""
    decided: list[Any] = [JointDecision.council_id == council_id]
    stated: list[Any] = [Statement.council_id == council_id,
                         Statement.kind == StatementType.JOINT.value]
    if area is not None:
        decided.append(JointDecision.area == area)
        stated.append(Statement.area == area)
    if text:
        decided.append(func.lower(col(JointDecision.text)).contains(text.lower(), autoescape=True))
        stated.append(func.lower(col(Statement.text)).contains(text.lower(), autoescape=True))
    both = union_all(
        sa_select(literal("D").label("series"), col(JointDecision.id).label("number"),
                  col(JointDecision.adopted_at).label("at"),
                  col(JointDecision.proposal_id).label("poll")).where(*decided),
        sa_select(literal("S").label("series"), col(Statement.id).label("number"),
                  col(Statement.issued_at).label("at"),
                  col(Statement.proposal_id).label("poll")).where(*stated),
    ).subquery()
    joint = func.sum(case((both.c.series == "S", 1), else_=0))
    rows = session.execute(
        sa_select(both.c.series, both.c.number, func.count().over(), joint.over())
        .order_by(both.c.at, both.c.poll, both.c.series, both.c.number)
        .offset((page - 1) * size).limit(size)).all()
    if rows:
        total, statements = int(rows[0][2]), int(rows[0][3])
    elif page > 1:  # past the last page: say how many pages there are
        total, statements = (int(n or 0) for n in session.execute(
            sa_select(func.count(), joint).select_from(both)).one())
    else:
        total = statements = 0
    wanted = {"D": [r[1] for r in rows if r[0] == "D"], "S": [r[1] for r in rows if r[0] == "S"]}
    found: dict[tuple[str, int], Entry] = {}
    if wanted["D"]:
        found.update((("D", d.id or 0), d) for d in session.exec(
            select(JointDecision).where(col(JointDecision.id).in_(wanted["D"]))))
    if wanted["S"]:
        found.update((("S", s.id or 0), s) for s in session.exec(
            select(Statement).where(col(Statement.id).in_(wanted["S"]))))
    return Paged([found[(r[0], r[1])] for r in rows], total, page, size), statements
