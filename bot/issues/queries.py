"""The reads and writes of implementation issues: no rendering, no rules of their own."""

from __future__ import annotations

import logging
from collections.abc import Iterable
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import func
from sqlmodel import Session, col, select

from bot.i18n import _, named
from bot.issues.rules import COUNCIL_PREFIX, DEFAULT_OVERDUE, OPEN, needs_meeting
from storage.models import (
    AgendaItem,
    Body,
    ImplementationIssue,
    JointDecision,
    Meeting,
    Member,
    Outbox,
)
from storage.queries import Page, first_page
from storage.roster import roster_for
from storage.statuses import AgendaItemStatus, AgendaState, MeetingStatus

log = logging.getLogger(__name__)

FORM_DECISIONS = 100  # a static_select holds at most 100 options


def next_council_meeting(session: Session, council_id: int, now: datetime) -> Meeting | None:
    """The meeting an issue raised now goes to.

    "Ambassadors' level, or the next Council meeting of any level if sooner"
    is the soonest scheduled meeting of any ``council-*`` body. Extraordinary
    meetings are left out: they meet on the request that convened them.
    """
    return session.exec(
        select(Meeting)
        .join(Body, Body.id == Meeting.body_id)  # type: ignore[arg-type]
        .where(
            Meeting.council_id == council_id,
            col(Body.key).startswith(COUNCIL_PREFIX),
            Meeting.status == MeetingStatus.SCHEDULED,
            col(Meeting.extraordinary).is_(False),
            Meeting.starts_at > now,
        )
        .order_by(col(Meeting.starts_at), col(Meeting.id))
    ).first()


def _open_issues_query(council_id: int, member_id: int | None,
                       decision_ids: Iterable[int] | None, not_member: int | None,
                       proposed_by: int | None = None) -> Any:
    query = (select(ImplementationIssue)
             .where(ImplementationIssue.council_id == council_id,
                    ImplementationIssue.status == OPEN)
             .order_by(col(ImplementationIssue.id)))
    if member_id is not None:
        query = query.where(ImplementationIssue.member_id == member_id)
    if not_member is not None:
        query = query.where(ImplementationIssue.member_id != not_member)
    if decision_ids is not None:
        query = query.where(col(ImplementationIssue.decision_id).in_(list(decision_ids)))
    if proposed_by is not None:
        query = query.where(col(ImplementationIssue.decision_id).in_(
            select(JointDecision.id).where(JointDecision.proposer_member_id == proposed_by)))
    return query


def open_issues(session: Session, council_id: int, *, member_id: int | None = None,
                decision_ids: Iterable[int] | None = None) -> list[ImplementationIssue]:
    return list(session.exec(_open_issues_query(council_id, member_id, decision_ids, None)))


def open_issue_page(session: Session, council_id: int, limit: int, *,
                    member_id: int | None = None, proposed_by: int | None = None,
                    not_member: int | None = None) -> Page[ImplementationIssue]:
    """The first open issues (oldest first) and how many there are: what the App Home shows.

    ``proposed_by``: only issues on the decisions that member proposed.
    """
    page: Page[ImplementationIssue] = first_page(
        session, _open_issues_query(council_id, member_id, None, not_member, proposed_by), limit)
    return page


def overdue_count(session: Session, council_id: int, now: datetime,
                  after: timedelta = DEFAULT_OVERDUE) -> int:
    """How many open issues have been open longer than ``after`` (``Settings.issue_overdue``)."""
    return int(session.exec(select(func.count()).select_from(ImplementationIssue).where(
        ImplementationIssue.council_id == council_id, ImplementationIssue.status == OPEN,
        col(ImplementationIssue.created_at) <= now - after)).one())


def overdue_issues(session: Session, council_id: int, now: datetime,
                   after: timedelta = DEFAULT_OVERDUE) -> list[ImplementationIssue]:
    """Open issues older than the overdue period (``Settings.issue_overdue``): the next
    meeting's reminder names them."""
    cutoff = now - after
    return list(session.exec(
        select(ImplementationIssue)
        .where(ImplementationIssue.council_id == council_id,
               ImplementationIssue.status == OPEN,
               col(ImplementationIssue.created_at) <= cutoff)
        .order_by(col(ImplementationIssue.id))
    ))


def agenda_issues(session: Session, meeting_id: int) -> list[ImplementationIssue]:
    """The open issues on a meeting's agenda."""
    return list(session.exec(
        select(ImplementationIssue)
        .join(AgendaItem, AgendaItem.issue_id == ImplementationIssue.id)  # type: ignore[arg-type]
        .where(AgendaItem.meeting_id == meeting_id, ImplementationIssue.status == OPEN)
        .order_by(col(ImplementationIssue.id))
    ))


def members(session: Session, council_id: int) -> dict[int, Member]:
    return roster_for(session, council_id).by_id


def delegates_of(session: Session, council_id: int, member_ids: Iterable[int | None]) -> list[str]:
    return roster_for(session, council_id).delegates_of(member_ids)


def body_name(session: Session, meeting: Meeting) -> str:
    """The meeting's body by its name in the current language."""
    body = session.get(Body, meeting.body_id)
    return named(body) if body else _("meeting")


def placed_meeting(session: Session, issue: ImplementationIssue) -> Meeting | None:
    """The meeting an issue was last put on, if any."""
    return session.get(Meeting, issue.meeting_id) if issue.meeting_id else None


def waiting(session: Session, council_id: int, now: datetime) -> list[ImplementationIssue]:
    """Open issues with no meeting ahead: never placed, or their meeting was cancelled or held."""
    rows = session.exec(
        select(ImplementationIssue, Meeting)
        .outerjoin(Meeting, Meeting.id == ImplementationIssue.meeting_id)  # type: ignore[arg-type]
        .where(ImplementationIssue.council_id == council_id, ImplementationIssue.status == OPEN)
        .order_by(col(ImplementationIssue.id))
    )
    return [issue for issue, meeting in rows
            if needs_meeting(meeting.status if meeting else None,
                             meeting.starts_at if meeting else None, now)]


def next_agenda_position(session: Session, meeting_id: int) -> int:
    """The position of an item added last to a meeting's agenda (``AgendaItem.position``)."""
    last = session.exec(select(func.max(AgendaItem.position))
                        .where(AgendaItem.meeting_id == meeting_id)).one()
    return int(last or 0) + 1


def put_on_agenda(session: Session, issue: ImplementationIssue, meeting: Meeting, text: str,
                  now: datetime) -> None:
    """Add the issue's agenda item to the meeting and note the meeting on the issue."""
    assert issue.id is not None and meeting.id is not None
    session.add(AgendaItem(council_id=issue.council_id, meeting_id=meeting.id,
                           text=text, added_by=issue.raised_by,
                           member_id=issue.member_id, issue_id=issue.id, created_at=now,
                           position=next_agenda_position(session, meeting.id)))
    issue.meeting_id = meeting.id
    session.add(issue)


def decision(session: Session, council_id: int, number: int) -> JointDecision | None:
    found = session.get(JointDecision, number)
    return found if found is not None and found.council_id == council_id else None


def issue(session: Session, council_id: int, number: int) -> ImplementationIssue | None:
    found = session.get(ImplementationIssue, number)
    return found if found is not None and found.council_id == council_id else None


def open_duplicate(session: Session, council_id: int, dedup: str) -> int | None:
    """The open issue with this fingerprint, if any (a closed one has none)."""
    return session.exec(select(ImplementationIssue.id).where(
        ImplementationIssue.council_id == council_id,
        ImplementationIssue.dedup == dedup)).first()


def form_decisions(session: Session, council_id: int) -> list[JointDecision]:
    """The newest joint decisions, as many as the form's list holds."""
    return list(session.exec(
        select(JointDecision).where(JointDecision.council_id == council_id)
        .order_by(col(JointDecision.id).desc()).limit(FORM_DECISIONS)))


def announcement_key(session: Session, council_id: int, stamps: list[str]) -> str | None:
    """The outbox key of the decision announcement posted as one of these messages, if any."""
    return session.exec(
        select(Outbox.key).where(Outbox.council_id == council_id,
                                 col(Outbox.key).startswith("decision:"),
                                 col(Outbox.ts).in_(stamps))).first()


def take_off_agendas_ahead(session: Session, issue_id: int | None, now: datetime,
                           keep_resolved: bool = False) -> tuple[list[Meeting], list[Meeting]]:
    """Delete the issue's agenda items on meetings still to come: their meetings.
    Resolving one (``keep_resolved``) "marks its item *resolved* instead of removing it
    from a circulated agenda": those meetings are returned second."""
    ahead = session.exec(
        select(AgendaItem, Meeting)
        .join(Meeting, Meeting.id == AgendaItem.meeting_id)  # type: ignore[arg-type]
        .where(AgendaItem.issue_id == issue_id, Meeting.starts_at > now)
    ).all()
    removed: list[Meeting] = []
    marked: list[Meeting] = []
    for item, meeting in ahead:
        if keep_resolved and meeting.agenda_state != AgendaState.DRAFT:
            item.status = AgendaItemStatus.RESOLVED
            item.edited_at = now
            session.add(item)
            marked.append(meeting)
            continue
        removed.append(meeting)
        session.delete(item)
    session.flush()
    return removed, marked
