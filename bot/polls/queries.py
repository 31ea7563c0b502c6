"""The reads and writes of polls, positions and joint decisions (no rendering, no rules).

The busiest reads of a vote (a poll with its positions, and its council) are one
row each, the positions aggregated as JSON by the database itself.
"""

from __future__ import annotations

import functools
import json
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import bindparam, func, insert, literal_column, update
from sqlalchemy import select as sa_select
from sqlmodel import Session, col, select

from bot.polls.rules import OPEN
from storage.models import (
    AuditEntry,
    Council,
    JointDecision,
    Member,
    Position,
    Proposal,
    ProposalVersion,
)
from storage.queries import Page, first_page
from storage.roster import roster_for, roster_of


def members(session: Session, council_id: int) -> dict[int, Member]:
    """Every member, active or not, by id: an electorate may outlive a membership."""
    return roster_for(session, council_id).by_id


def council_members(session: Session, council: Council) -> dict[int, Member]:
    """Every member of this council, active or not, by id."""
    return roster_of(session, council).by_id


def positions(session: Session, proposal: Proposal) -> dict[int, Position]:
    """The current text version's positions, by member."""
    rows = session.exec(
        select(Position).where(Position.proposal_id == proposal.id,
                               Position.version == proposal.version)
    )
    return {p.member_id: p for p in rows}


def positions_on(session: Session, proposals: list[Proposal]) -> dict[int, dict[int, Position]]:
    """The current text version's positions on each of many polls, in one query."""
    held: dict[int, dict[int, Position]] = {p.id or 0: {} for p in proposals}
    if not proposals:
        return held
    versions = {p.id: p.version for p in proposals}
    for position in session.exec(
            select(Position).where(col(Position.proposal_id).in_(list(versions)))):
        if position.version == versions[position.proposal_id]:
            held[position.proposal_id][position.member_id] = position
    return held


def proposal(session: Session, council_id: int, proposal_id: int) -> Proposal | None:
    return session.exec(
        select(Proposal).where(Proposal.council_id == council_id, Proposal.id == proposal_id)
    ).first()


def decision_of(session: Session, proposal: Proposal) -> JointDecision | None:
    return session.exec(
        select(JointDecision).where(JointDecision.proposal_id == proposal.id)
    ).first()


def decision(session: Session, council_id: int, number: int) -> JointDecision | None:
    return session.exec(
        select(JointDecision).where(JointDecision.council_id == council_id,
                                    JointDecision.id == number)
    ).first()


def decisions(session: Session, council_id: int) -> list[JointDecision]:
    """The council's joint decisions, oldest first."""
    return list(session.exec(
        select(JointDecision).where(JointDecision.council_id == council_id)
        .order_by(col(JointDecision.id))
    ))


def open_polls(session: Session, council_id: int) -> list[Proposal]:
    """Open polls, oldest first (for ``polls``, the App Home and ``status``)."""
    return list(session.exec(
        select(Proposal)
        .where(Proposal.council_id == council_id, Proposal.status == OPEN)
        .order_by(col(Proposal.id))
    ))


@dataclass(frozen=True)
class Awaiting:
    """The open polls awaiting a member's position: how many, and the first few in full."""

    count: int
    first: list[Proposal]


def awaiting(session: Session, council_id: int, member_id: int, shown: int) -> Awaiting:
    """Open polls on which this member has not yet taken a position, soonest deadline first.

    The member's own positions only (an anti-join), and the electorates of the rest
    to count them: the ``shown`` first are the only polls read in full.
    """
    taken = (select(Position.id)
             .where(Position.proposal_id == Proposal.id, Position.version == Proposal.version,
                    Position.member_id == member_id)
             .exists())
    pending = [proposal_id for proposal_id, electorate in session.execute(
        select(Proposal.id, Proposal.electorate)
        .where(Proposal.council_id == council_id, Proposal.status == OPEN, ~taken)
        .order_by(col(Proposal.deadline), col(Proposal.id))) if member_id in electorate]
    first = {p.id: p for p in session.exec(
        select(Proposal).where(col(Proposal.id).in_(pending[:shown])))} if pending else {}
    return Awaiting(len(pending), [first[i] for i in pending[:shown] if i in first])


def closing_first(session: Session, council_id: int, limit: int) -> Page[Proposal]:
    """The open polls whose deadlines come first, and how many are open."""
    return first_page(session, select(Proposal).where(
        Proposal.council_id == council_id, Proposal.status == OPEN)
        .order_by(col(Proposal.deadline), col(Proposal.id)), limit)


def tally(session: Session, proposals: list[Proposal]) -> dict[int, dict[str, int]]:
    """How many members concurred and objected on each poll's current text (counted in SQL)."""
    counts: dict[int, dict[str, int]] = {p.id or 0: {} for p in proposals}
    if not proposals:
        return counts
    versions = {p.id: p.version for p in proposals}
    for proposal_id, version, stance, n in session.execute(
            select(Position.proposal_id, Position.version, Position.stance, func.count())
            .where(col(Position.proposal_id).in_(list(versions)))
            .group_by(col(Position.proposal_id), col(Position.version), col(Position.stance))):
        if versions[proposal_id] == version:
            counts[proposal_id][stance] = n
    return counts


def decision_count(session: Session, council_id: int) -> int:
    """How many joint decisions the council has taken (for ``status`` and the App Home)."""
    return len(list(session.exec(
        select(JointDecision.id).where(JointDecision.council_id == council_id)
    )))


def versions(session: Session, proposal_id: int | None) -> list[ProposalVersion]:
    """The versions of a proposal's text, oldest first."""
    return list(session.exec(
        select(ProposalVersion).where(ProposalVersion.proposal_id == proposal_id)
        .order_by(col(ProposalVersion.version))))


def current_version(session: Session, proposal: Proposal) -> ProposalVersion | None:
    """The row of the proposal's current text version (None: opened before the table)."""
    return session.exec(
        select(ProposalVersion).where(ProposalVersion.proposal_id == proposal.id,
                                      ProposalVersion.version == proposal.version)).first()


def revision(session: Session, proposal: Proposal) -> int | None:
    """The version the Chair's latest revision opened (its own poll message), or None."""
    if proposal.version <= 1:  # a revision is version 2 or later
        return None
    return session.exec(
        select(func.max(ProposalVersion.version)).where(
            ProposalVersion.proposal_id == proposal.id, ProposalVersion.origin == "revise",
            ProposalVersion.version <= proposal.version)).first()


def open_version(session: Session, proposal: Proposal, origin: str, by: str) -> None:
    """Record the proposal's current text as a new version."""
    session.add(ProposalVersion(
        council_id=proposal.council_id, proposal_id=proposal.id or 0, version=proposal.version,
        text=proposal.text, origin=origin, opened_at=proposal.version_opened_at, opened_by=by,
        deadline=proposal.deadline))


def end_version(session: Session, proposal: Proposal, outcome: str, at: datetime) -> None:
    """Record how the current version ended (and its last deadline)."""
    row = current_version(session, proposal)
    if row is not None:
        row.outcome, row.closed_at, row.deadline = outcome, at, proposal.deadline
        session.add(row)


def all_positions(session: Session, proposal_id: int | None) -> list[Position]:
    """Every position on every version of a proposal, by version then time."""
    return list(session.exec(
        select(Position).where(Position.proposal_id == proposal_id)
        .order_by(col(Position.version), col(Position.at), col(Position.id))))


def previous_text(session: Session, proposal: Proposal) -> str | None:
    """The text the latest amendment replaced: the version before the current one (from
    the audit log for polls amended before versions were kept)."""
    if proposal.version <= 1:
        return None
    earlier = session.exec(
        select(ProposalVersion.text).where(ProposalVersion.proposal_id == proposal.id,
                                           ProposalVersion.version == proposal.version - 1)
    ).first()
    if earlier is not None:
        return earlier
    entries = session.exec(
        select(AuditEntry)
        .where(AuditEntry.council_id == proposal.council_id, AuditEntry.action == "poll.amend")
        .order_by(col(AuditEntry.seq).desc())
    )
    for entry in entries:
        if entry.details.get("proposal") == proposal.id:
            previous = entry.details.get("previous")
            return str(previous) if previous is not None else None
    return None


# -- a poll with its positions, in one row ------------------------------------------


@dataclass(frozen=True)
class Held:
    """A position as the busiest reads carry it (no ORM object): who, which stance, what
    statement. Where a poll is shown or a position taken, this is all that is read."""

    id: int
    member_id: int
    stance: str
    statement: str | None
    user_id: str | None = None
    statement_kind: str | None = None


def _held_json(postgresql: bool) -> Any:
    """The current text's positions on the outer query's poll, as one JSON array: one row
    for the poll however many members have spoken, each position decoded once."""
    t = Position.__table__  # type: ignore[attr-defined]
    fields: list[Any] = []
    for name in ("id", "member_id", "stance", "statement", "user_id", "statement_kind"):
        fields += [literal_column(f"'{name}'"), t.c[name]]
    agg = (func.json_agg(func.json_build_object(*fields)) if postgresql
           else func.json_group_array(func.json_object(*fields)))
    proposal = Proposal.__table__  # type: ignore[attr-defined]
    return (select(agg).where(t.c.proposal_id == proposal.c.id,
                              t.c.version == proposal.c.version)
            .correlate(proposal).scalar_subquery().label("held"))


#: The audit action that opens a poll; its details keep the terms it opened under.
OPENED = "poll.open"


def _opening_json() -> Any:
    """The details of the outer query's poll's opening (its audit entry, written at the
    poll's ``opened_at``): the terms it opened under (``rules.Terms``), read in the same
    row as the poll."""
    t = AuditEntry.__table__  # type: ignore[attr-defined]
    proposal = Proposal.__table__  # type: ignore[attr-defined]
    return (select(t.c.details).where(t.c.council_id == proposal.c.council_id,
                                      t.c.action == OPENED, t.c.at == proposal.c.opened_at,
                                      t.c.details["proposal"].as_integer() == proposal.c.id)
            .correlate(proposal).limit(1).scalar_subquery().label("opening"))


@functools.cache
def _poll_and_held(postgresql: bool, with_council: bool) -> Any:
    """A poll with its positions (and its council and the terms it opened under), in one
    row: built once per database, as the busiest reads of a vote are."""
    held = _held_json(postgresql)
    query: Any = (select(Proposal, Council, held, _opening_json())
                  .join(Council, col(Council.id) == Proposal.council_id)
                  if with_council else select(Proposal, held))
    return query.where(Proposal.council_id == bindparam("council_id"),
                       Proposal.id == bindparam("proposal_id"))


def _held(value: Any) -> dict[int, Held]:
    """The positions of :func:`_held_json`, by member (PostgreSQL hands over the array
    decoded, SQLite as text; no positions: NULL on PostgreSQL)."""
    items = json.loads(value) if isinstance(value, str) else (value or [])
    return {int(i["member_id"]): Held(int(i["id"]), int(i["member_id"]), str(i["stance"]),
                                      i["statement"], i.get("user_id"), i.get("statement_kind"))
            for i in items}


def _poll_row(session: Session, council_id: int, proposal_id: object,
              with_council: bool) -> Any:
    query = _poll_and_held(session.get_bind().dialect.name == "postgresql", with_council)
    return session.exec(query, params={"council_id": council_id,
                                       "proposal_id": proposal_id}).first()


def poll_and_positions(session: Session, council_id: int,
                       proposal_id: object) -> tuple[Proposal, dict[int, Held]] | None:
    """A poll and its current text's positions by member, in one query."""
    row = _poll_row(session, council_id, proposal_id, with_council=False)
    if row is None:
        return None
    proposal, held = row
    return proposal, _held(held)


def poll_council_and_positions(session: Session, council_id: int, proposal_id: object
                               ) -> tuple[Proposal, Council, dict[int, Held],
                                          dict[str, Any] | None] | None:
    """A poll, its council, its current text's positions by member and the details of its
    opening (None: no audit entry says how it opened), in one query."""
    row = _poll_row(session, council_id, proposal_id, with_council=True)
    if row is None:
        return None
    proposal, council, held, opening = row
    if isinstance(opening, str):
        opening = json.loads(opening)
    return proposal, council, _held(held), opening if isinstance(opening, dict) else None


# -- writes -------------------------------------------------------------------------


_POSITIONS: Any = Position.__table__  # type: ignore[attr-defined]
#: A position written through the table: a position is one statement, no ORM bookkeeping.
_NEW_POSITION = insert(_POSITIONS).returning(_POSITIONS.c.id)
_CHANGED_POSITION = (update(_POSITIONS).where(_POSITIONS.c.id == bindparam("position_id"))
                     .values({name: bindparam(name)
                              for name in ("stance", "statement", "statement_kind", "user_id", "at")}))


def insert_position(session: Session, *, council_id: int, proposal_id: int | None,
                    version: int, member_id: int, stance: str, statement: str | None,
                    user_id: str, at: datetime, statement_kind: str | None = None) -> int:
    """A new position; its id."""
    return int(session.execute(_NEW_POSITION, {
        "council_id": council_id, "proposal_id": proposal_id, "version": version,
        "member_id": member_id, "stance": stance, "statement": statement,
        "statement_kind": statement_kind, "user_id": user_id, "at": at}).scalar_one())


def change_position(session: Session, position_id: int, *, stance: str,
                    statement: str | None, user_id: str, at: datetime,
                    statement_kind: str | None = None) -> None:
    """A member's position replaced by a later one."""
    session.execute(_CHANGED_POSITION, {"position_id": position_id, "stance": stance,
                                        "statement": statement,
                                        "statement_kind": statement_kind,
                                        "user_id": user_id, "at": at})


def set_reason(session: Session, position_id: int, reason: str | None) -> None:
    """The reason given with a proposed amendment."""
    session.execute(update(_POSITIONS).where(_POSITIONS.c.id == position_id)
                    .values(reason=reason))


def add(session: Session, *rows: Proposal | JointDecision | ProposalVersion | Position) -> None:
    """Record new or changed polls and decisions."""
    for row in rows:
        session.add(row)


def save(session: Session, *rows: Proposal | JointDecision | ProposalVersion) -> None:
    """Record new or changed polls and decisions now, so that new ones have their number."""
    add(session, *rows)
    session.flush()


def open_within(session: Session, now: datetime, lead: timedelta
                ) -> Iterable[tuple[int | None, int, int, datetime, datetime]]:
    """Every council's open polls whose deadline falls within ``lead`` of ``now`` (the
    deadline index): id, council, version, deadline and when the version opened."""
    return session.execute(
        sa_select(col(Proposal.id), col(Proposal.council_id), col(Proposal.version),
                  col(Proposal.deadline), col(Proposal.version_opened_at))
        .where(col(Proposal.status) == OPEN, col(Proposal.deadline) <= now + lead)
    )
