"""The reads and writes of attendance and of a meeting's record.

Every write runs in a command holding the council's write lock, so a read before
the write is what the write changes.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import and_, func
from sqlmodel import Session, col, select

from storage.models import (
    AgendaItem,
    Delegate,
    ImplementationIssue,
    JointDecision,
    Meeting,
    Member,
    Proposal,
    Statement,
)
from storage.models_record import Attendance, ItemOutcome, RecordRevision


def attendance_of(session: Session, meeting_id: int | None) -> dict[int, Attendance]:
    """Each member's attendance row at the meeting, by member id."""
    return {a.member_id: a for a in session.exec(
        select(Attendance).where(Attendance.meeting_id == meeting_id))}


def seated(session: Session, council_id: int) -> dict[int, list[Delegate]]:
    """Each member's delegates, the head first, then by seniority."""
    found: dict[int, list[Delegate]] = {}
    for delegate in session.exec(select(Delegate).where(Delegate.council_id == council_id)
                                 .order_by(col(Delegate.added_at), col(Delegate.id))):
        found.setdefault(delegate.member_id, []).append(delegate)
    return found


def set_attendance(session: Session, meeting: Meeting, member_id: int, status: str,
                   delegates: list[str], by_member_id: int | None, user_id: str,
                   now: datetime) -> tuple[Attendance, bool]:
    """Record how a member was represented; (the row, whether it changed anything)."""
    row = session.exec(select(Attendance).where(Attendance.meeting_id == meeting.id,
                                                Attendance.member_id == member_id)).first()
    if row is not None and (row.status, row.delegates, row.by_member_id) == (
            status, delegates, by_member_id):
        return row, False
    if row is None:
        assert meeting.id is not None
        row = Attendance(council_id=meeting.council_id, meeting_id=meeting.id,
                         member_id=member_id, recorded_by=user_id, recorded_at=now)
    row.status, row.delegates, row.by_member_id = status, list(delegates), by_member_id
    row.recorded_by, row.recorded_at = user_id, now
    session.add(row)
    session.flush()
    return row, True


def outcomes_of(session: Session, meeting_id: int | None) -> dict[str, ItemOutcome]:
    """The outcome written for each agenda line, by its ``ref``."""
    return {o.ref: o for o in session.exec(
        select(ItemOutcome).where(ItemOutcome.meeting_id == meeting_id))}


def set_outcome(session: Session, meeting: Meeting, ref: str, text: str, user_id: str,
                now: datetime) -> str | None:
    """Write an agenda line's outcome; the text it replaces, if any."""
    row = session.exec(select(ItemOutcome).where(ItemOutcome.meeting_id == meeting.id,
                                                 ItemOutcome.ref == ref)).first()
    before = row.text if row is not None else None
    if row is None:
        assert meeting.id is not None
        row = ItemOutcome(council_id=meeting.council_id, meeting_id=meeting.id, ref=ref,
                          written_by=user_id, written_at=now)
    row.text, row.written_by, row.written_at = text, user_id, now
    session.add(row)
    session.flush()
    return before


def revisions_of(session: Session, meeting_id: int | None) -> list[RecordRevision]:
    """The finalised revisions of a meeting's record, the first first."""
    return list(session.exec(select(RecordRevision)
                             .where(RecordRevision.meeting_id == meeting_id)
                             .order_by(col(RecordRevision.revision))))


def latest_revision(session: Session, meeting_id: int | None) -> RecordRevision | None:
    return session.exec(select(RecordRevision).where(RecordRevision.meeting_id == meeting_id)
                        .order_by(col(RecordRevision.revision).desc())).first()


def add_revision(session: Session, meeting: Meeting, revision: int, content: dict[str, object],
                 user_id: str, now: datetime, note: str | None) -> RecordRevision:
    assert meeting.id is not None
    row = RecordRevision(council_id=meeting.council_id, meeting_id=meeting.id,
                         revision=revision, content=content, finalised_by=user_id,
                         finalised_at=now, note=note)
    session.add(row)
    session.flush()
    return row


@dataclass(frozen=True)
class Listed:
    """A meeting with a final record, for ``records``: its latest revision."""

    meeting: Meeting
    revision: RecordRevision
    first_at: datetime


def final_records(session: Session, council_id: int) -> list[Listed]:
    """Every meeting with a finalised record, the latest meeting first."""
    latest = (select(RecordRevision.meeting_id,
                     func.max(RecordRevision.revision).label("revision"),
                     func.min(RecordRevision.finalised_at).label("first_at"))
              .where(RecordRevision.council_id == council_id)
              .group_by(col(RecordRevision.meeting_id)).subquery())
    rows = session.exec(
        select(Meeting, RecordRevision, latest.c.first_at)
        .join(latest, latest.c.meeting_id == col(Meeting.id))
        .join(RecordRevision, and_(col(RecordRevision.meeting_id) == col(Meeting.id),
                                   col(RecordRevision.revision) == latest.c.revision))
        .order_by(col(Meeting.starts_at).desc(), col(Meeting.id).desc()))
    return [Listed(m, r, first) for m, r, first in rows]


def polls_opened(session: Session, council_id: int, start: datetime,
                 end: datetime) -> list[Proposal]:
    """The consensus polls opened in the meeting's window."""
    return list(session.exec(select(Proposal).where(
        Proposal.council_id == council_id, col(Proposal.opened_at) >= start,
        col(Proposal.opened_at) < end).order_by(col(Proposal.id))))


def decisions_adopted(session: Session, council_id: int, start: datetime,
                      end: datetime) -> list[JointDecision]:
    return list(session.exec(select(JointDecision).where(
        JointDecision.council_id == council_id, col(JointDecision.adopted_at) >= start,
        col(JointDecision.adopted_at) < end).order_by(col(JointDecision.id))))


def statements_issued(session: Session, council_id: int, start: datetime,
                      end: datetime) -> list[Statement]:
    return list(session.exec(select(Statement).where(
        Statement.council_id == council_id, col(Statement.issued_at) >= start,
        col(Statement.issued_at) < end).order_by(col(Statement.id))))


def member_names(session: Session, council_id: int) -> dict[int, str]:
    return {m.id or 0: m.name for m in session.exec(
        select(Member).where(Member.council_id == council_id))}


def issues_discussed(session: Session, meeting: Meeting) -> list[ImplementationIssue]:
    """The implementation issues on the meeting's agenda: put on it as items, or listed on
    it while open, whatever became of them since."""
    on_items = select(AgendaItem.issue_id).where(AgendaItem.meeting_id == meeting.id,
                                                 col(AgendaItem.issue_id).is_not(None))
    return list(session.exec(select(ImplementationIssue).where(
        (col(ImplementationIssue.id).in_(on_items))
        | (ImplementationIssue.meeting_id == meeting.id)).order_by(col(ImplementationIssue.id))))
