"""The scheduler pass of implementation issues: open issues follow the Council's meetings.

An issue "goes on the agenda of the next Council meeting and stays open until
the Chair or the secretariat resolves it": one whose meeting was held (a day
after it began) or cancelled while it stayed open moves on to the next one.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import or_
from sqlalchemy.orm import aliased
from sqlmodel import Session, col, select

from bot.issues.rules import CARRY_OVER, COUNCIL_PREFIX, OPEN
from bot.issues.service import place_waiting_issues, refresh_announcement
from bot.scheduler import PassContext, scheduled_pass
from bot.settings import Settings
from storage.models import Body, ImplementationIssue, Meeting
from storage.statuses import MeetingStatus


def _carry_over_due(session: Session, now: datetime, settings: Settings) -> set[int]:
    """Councils with an issue waiting (as ``queries.waiting`` finds them) and a next Council
    meeting to put it on (as ``queries.next_council_meeting`` finds it).

    One statement when no issue waits (the steady state), two when some do."""
    placed = aliased(Meeting)
    waiting = set(session.exec(
        select(ImplementationIssue.council_id).distinct()
        .outerjoin(placed, placed.id == ImplementationIssue.meeting_id)  # type: ignore[arg-type]
        .where(ImplementationIssue.status == OPEN,
               or_(col(placed.id).is_(None), col(placed.status) != MeetingStatus.SCHEDULED,
                   col(placed.starts_at) <= now - CARRY_OVER))))
    if not waiting:
        return set()
    return set(session.exec(
        select(Meeting.council_id).distinct()
        .join(Body, Body.id == Meeting.body_id)  # type: ignore[arg-type]
        .where(col(Meeting.council_id).in_(waiting), col(Body.key).startswith(COUNCIL_PREFIX),
               Meeting.status == MeetingStatus.SCHEDULED, col(Meeting.extraordinary).is_(False),
               col(Meeting.starts_at) > now)))


@scheduled_pass("issues", due=_carry_over_due)
def carry_over(pctx: PassContext) -> int:
    """Issues whose meeting was held or cancelled while they stayed open go to the next one."""
    meeting, issues = place_waiting_issues(
        pctx.session, pctx.council_id, pctx.now,
        lambda action, details, member: pctx.audit(action, details,
                                                   member.name if member else None))
    if meeting is None or not issues:
        return 0
    assert meeting.id is not None
    refresh_announcement(pctx, meeting.id)
    return 1
