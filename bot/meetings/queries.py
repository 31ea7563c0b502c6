"""The reads and writes of meetings, bodies, agendas and extraordinary requests."""

from __future__ import annotations

import hmac
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import func
from sqlalchemy import update as sa_update
from sqlmodel import Session, col, select

from bot import cadence
from bot.cadence import Compliance
from bot.errors import CommandError
from bot.i18n import _, named
from bot.issues import DEFAULT_OVERDUE, overdue_note
from bot.lookup import LookupFailed, find_one
from bot.meetings.render import chair_title
from bot.registry import parse_ref
from storage.models import (
    AgendaItem,
    Body,
    Council,
    ExtraordinaryRequest,
    ImplementationIssue,
    Meeting,
    Member,
    Outbox,
)
from storage.statuses import (
    AgendaItemStatus,
    IssueStatus,
    MeetingStatus,
    OutboxStatus,
    RequestStatus,
)


def bodies_of(session: Session, council_id: int) -> list[Body]:
    """The council's active bodies, charter bodies first, in their order."""
    return list(session.exec(
        select(Body).where(Body.council_id == council_id, col(Body.active).is_(True))
        .order_by(col(Body.ordinal))
    ))


def find_body(session: Session, council_id: int, query: str) -> Body:
    """A body by key or name (forgiving case and punctuation), or a clear error."""
    try:
        return find_one(query, bodies_of(session, council_id),
                        names=lambda b: (b.key, b.name), label=lambda b: b.key, kind="body")
    except LookupFailed as exc:
        raise CommandError(str(exc)) from None


def extraordinary_body(session: Session, council_id: int) -> Body | None:
    """The body that holds the extraordinary meetings (the Council at Ambassadorial level)."""
    return session.exec(select(Body).where(
        Body.council_id == council_id, col(Body.extraordinary).is_(True))).first()


def all_bodies(session: Session, council_id: int) -> list[Body]:
    """Every body of the council, inactive ones too."""
    return list(session.exec(select(Body).where(Body.council_id == council_id)))


def next_ordinal(session: Session, council_id: int) -> int:
    return (session.exec(
        select(func.max(Body.ordinal)).where(Body.council_id == council_id)).one() or 0) + 1


def meeting_of(session: Session, council_id: int, token: str) -> tuple[Meeting, Body]:
    number = parse_ref(token, "M", "meeting")
    meeting = session.exec(
        select(Meeting).where(Meeting.council_id == council_id, Meeting.id == number)
    ).first()
    if meeting is None:
        raise CommandError(_("There is no meeting M{number}.", number=number))
    body = session.get(Body, meeting.body_id)
    assert body is not None
    return meeting, body


def clashing_meeting(session: Session, body: Body, starts: datetime) -> Meeting | None:
    """A scheduled meeting of the same body at the same time."""
    return session.exec(select(Meeting).where(
        Meeting.body_id == body.id, Meeting.starts_at == starts,
        Meeting.status == MeetingStatus.SCHEDULED)).first()


@dataclass(frozen=True)
class Standing:
    """A body's compliance in the period containing ``now`` and in the one before."""

    current: Compliance
    previous: Compliance


def standings(session: Session, bodies: Iterable[Body], now: datetime,
              tz: ZoneInfo) -> dict[int, Standing]:
    """Each body's standing, by body id (bodies without a cadence left out).

    One query for every body's meetings, however many bodies: the App Home,
    ``bodies``, ``status`` and the cadence nudges show them all.
    """
    periods: dict[int, tuple[Body, cadence.Period, cadence.Period]] = {}
    for body in bodies:
        if body.cadence_count is None or body.cadence_per is None:
            continue
        unit, _ = cadence.unit_for(body.cadence_count, body.cadence_per)
        current = cadence.period_containing(now, unit, tz)
        periods[body.id or 0] = (body, current, cadence.period_before(current, tz))
    if not periods:
        return {}
    starts: dict[int, list[datetime]] = {body_id: [] for body_id in periods}
    for body_id, start in session.execute(
            select(Meeting.body_id, Meeting.starts_at).where(
                col(Meeting.body_id).in_(list(periods)), Meeting.status != MeetingStatus.CANCELLED,
                col(Meeting.starts_at) >= min(p.start for _, _, p in periods.values()),
                col(Meeting.starts_at) < max(c.end for _, c, _ in periods.values()))):
        starts[body_id].append(start)  # assess() ignores those outside its period

    def assess(body: Body, period: cadence.Period) -> Compliance:
        return cadence.assess(body.cadence_count or 0, body.cadence_per or "",
                              body.at_risk_days, starts[body.id or 0], now, tz, period)

    return {body_id: Standing(assess(body, current), assess(body, previous))
            for body_id, (body, current, previous) in periods.items()}


def body_compliance(session: Session, body: Body, now: datetime, tz: ZoneInfo,
                    *, previous: bool = False) -> Compliance | None:
    """The body's compliance in the current period (or the one before); None without cadence."""
    standing = standings(session, [body], now, tz).get(body.id or 0)
    if standing is None:
        return None
    return standing.previous if previous else standing.current


def open_requests(session: Session, council_id: int) -> list[ExtraordinaryRequest]:
    return list(session.exec(
        select(ExtraordinaryRequest)
        .where(ExtraordinaryRequest.council_id == council_id,
               ExtraordinaryRequest.status == RequestStatus.OPEN)
        .order_by(col(ExtraordinaryRequest.id))
    ))


def requester_name(session: Session, council: Council, request: ExtraordinaryRequest) -> str:
    if request.member_id is not None:
        member = session.get(Member, request.member_id)
        if member is not None:
            return named(member)
    return _("the {chair}", chair=chair_title(council))


@dataclass(frozen=True)
class AgendaEntry:
    """One line of a meeting's agenda: an item added to it, or an issue put on it."""

    text: str
    who: str | None
    overdue: str = ""
    issue_id: int | None = None  # set for an open implementation issue listed on its own
    item_id: int | None = None  # the AgendaItem row, if the line is one
    member_id: int | None = None  # the delegation that added it
    resolved: bool = False  # an issue resolved while on a circulated agenda


def agenda_entries(session: Session, meeting: Meeting,
                   after: timedelta = DEFAULT_OVERDUE) -> list[AgendaEntry]:
    """The agenda: items added to it, in their order (``position``), then open
    implementation issues put on it; an issue
    open longer than ``after`` when the meeting starts is marked overdue."""
    names = {m.id: named(m) for m in session.exec(
        select(Member).where(Member.council_id == meeting.council_id))}
    entries: list[AgendaEntry] = []
    listed_issues: set[int] = set()
    for item in session.exec(select(AgendaItem).where(AgendaItem.meeting_id == meeting.id)
                             .order_by(col(AgendaItem.position), col(AgendaItem.id))):
        entries.append(AgendaEntry(item.text, names.get(item.member_id),
                                   overdue_note(session, item.issue_id, meeting.starts_at, after),
                                   item_id=item.id, member_id=item.member_id,
                                   resolved=item.status == AgendaItemStatus.RESOLVED))
        if item.issue_id is not None:
            listed_issues.add(item.issue_id)
    for issue in session.exec(
        select(ImplementationIssue).where(ImplementationIssue.meeting_id == meeting.id,
                                          ImplementationIssue.status == IssueStatus.OPEN)
        .order_by(col(ImplementationIssue.id))
    ):
        if issue.id in listed_issues:
            continue
        entries.append(AgendaEntry(issue.text, names.get(issue.member_id), issue_id=issue.id,
                                   member_id=issue.member_id))
    return entries


def agenda_issues(session: Session, meeting_ids: set[int | None]) -> list[ImplementationIssue]:
    """The issues on these meetings' agendas, in one query."""
    if not meeting_ids:
        return []
    return list(session.exec(
        select(ImplementationIssue)
        .join(AgendaItem, AgendaItem.issue_id == ImplementationIssue.id)  # type: ignore[arg-type]
        .where(col(AgendaItem.meeting_id).in_(meeting_ids))))


def upcoming_meetings(session: Session, council_id: int, now: datetime,
                      limit: int | None = None) -> list[tuple[Meeting, Body]]:
    """The next scheduled meetings of every body (all of them, or the first ``limit``),
    soonest first."""
    return list(session.exec(
        select(Meeting, Body).join(Body, Body.id == Meeting.body_id)  # type: ignore[arg-type]
        .where(Meeting.council_id == council_id, Meeting.status == MeetingStatus.SCHEDULED,
               col(Meeting.starts_at) > now)
        .order_by(col(Meeting.starts_at)).limit(limit)))


def meetings_page(session: Session, council_id: int, now: datetime, body: Body | None,
                  page: int, per_page: int) -> tuple[list[tuple[Meeting, Body]], int]:
    """One page of the upcoming meetings (of one body or all) and how many there are.

    The total rides on the page's rows (a window count); an empty page past the
    first asks for the total on its own, to say how many pages there are.
    """
    query = select(Meeting, Body).join(Body, Body.id == Meeting.body_id).where(  # type: ignore[arg-type]
        Meeting.council_id == council_id, Meeting.status == MeetingStatus.SCHEDULED,
        col(Meeting.starts_at) > now)
    if body is not None:
        query = query.where(Meeting.body_id == body.id)
    rows = session.execute(
        query.add_columns(func.count().over()).order_by(col(Meeting.starts_at), col(Meeting.id))
        .offset((page - 1) * per_page).limit(per_page)).all()
    if not rows:
        total = session.exec(select(func.count()).select_from(
            query.with_only_columns(col(Meeting.id)).subquery())).one() if page > 1 else 0
        return [], int(total)
    return [(meeting, body_) for meeting, body_, _ in rows], int(rows[0][-1])


@dataclass(frozen=True)
class FeedLink:
    name: str
    path: str


def feed_links(session: Session, council: Council) -> list[FeedLink]:
    """The calendar feeds: all meetings, then one per body. The token makes them unguessable."""
    base = f"/calendar/{council.ics_token}"
    links = [FeedLink(_("All meetings"), f"{base}/all.ics")]
    assert council.id is not None
    links += [FeedLink(named(b), f"{base}/{b.key}.ics") for b in bodies_of(session, council.id)]
    return links


def council_by_token(session: Session, token: str) -> Council | None:
    """The council whose feed token this is; compared in constant time."""
    for council in session.exec(select(Council)):
        if hmac.compare_digest(council.ics_token.encode(), token.encode()):
            return council
    return None


def feed_meetings(session: Session, council_id: int,
                  body: Body | None) -> list[Meeting]:
    """Every meeting of the council (or of one body), cancelled ones too, in time order."""
    query = select(Meeting).where(Meeting.council_id == council_id)
    if body is not None:
        query = query.where(Meeting.body_id == body.id)
    return list(session.exec(query.order_by(col(Meeting.starts_at), col(Meeting.id))))


def skip_pending(session: Session, council_id: int, prefix: str, reason: str) -> int:
    """Mark the outbox rows under ``prefix`` still waiting to be sent as skipped, with
    ``reason``: a moved meeting's reminders for its old start are never sent."""
    result = session.execute(
        sa_update(Outbox)
        .where(col(Outbox.council_id) == council_id, col(Outbox.key).startswith(prefix),
               col(Outbox.status) == OutboxStatus.PENDING)
        .values(status=OutboxStatus.SKIPPED, last_error=reason))
    return int(getattr(result, "rowcount", 0) or 0)
