"""``nrc-bot report``: the council's record for a period, for people to read and print.

A read model (docs/report.md): it reads meetings, agendas, polls, joint decisions and
implementation issues, and judges each body's cadence with the cadence rules
(:func:`bot.cadence.assess`, the verdicts ``status`` and the nudges give), period by
period. :func:`build_report` gathers a :class:`Report` of plain dataclasses;
``bot.views.report_layout`` lays it out and renders it as Markdown or HTML. The raw
``nrc-bot export`` JSON stays the record for machines.

Two parts of the record are kept by other features and join the report through the
extension points below, :data:`MEETING_RECORDS` (each meeting's record: attendance,
the outcome of each item) and :data:`PERIOD_SECTIONS` (the joint and the Chair's
statements, S#).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import and_, or_
from sqlmodel import Session, col, select

from bot import cadence
from bot.cadence import Compliance
from bot.charter import Charter
from bot.errors import CommandError
from bot.i18n import _, named
from bot.meetings import breach_counts
from bot.meetings.queries import agenda_entries
from bot.polls.rules import Stance
from bot.views.report_doc import ReportSection
from bot.views.report_records import record_section
from bot.views.report_statements import statements_section
from storage.models import (
    Body,
    Council,
    ImplementationIssue,
    JointDecision,
    Meeting,
    Member,
    Position,
    Proposal,
    ProposalVersion,
)
from storage.statuses import IssueStatus, MeetingStatus, ProposalStatus

#: The outcomes of a poll version that closed without a decision, as the report lists them.
CLOSED_WITHOUT_DECISION = (ProposalStatus.BLOCKED, ProposalStatus.SILENCE_BROKEN,
                           ProposalStatus.FAILED)


@dataclass(frozen=True)
class Span:
    """The report's period: local dates, both inclusive, and the instants they cover."""

    first: date
    last: date
    start: datetime  # aware UTC, local midnight of ``first``
    end: datetime  # aware UTC, exclusive: local midnight after ``last``

    @classmethod
    def of(cls, first: date, last: date, tz: ZoneInfo) -> Span:
        def midnight(day: date) -> datetime:
            return datetime(day.year, day.month, day.day, tzinfo=tz).astimezone(UTC)
        return cls(first, last, midnight(first), midnight(last + timedelta(days=1)))

    def holds(self, moment: datetime | None) -> bool:
        return moment is not None and self.start <= moment < self.end


def report_span(first: str | None, last: str | None, today: date) -> tuple[date, date]:
    """The period asked for: ``--from`` and ``--to`` as YYYY-MM-DD, both inclusive.

    "default: the last 12 months to today" (nrc-bot issue 14): from the day after the same
    date a year before.
    """
    def read(text: str, option: str) -> date:
        try:
            return date.fromisoformat(text.strip())
        except ValueError:
            raise CommandError(_("{option} {text} is not a date; write it as YYYY-MM-DD, "
                                 "e.g. 2026-01-31.", option=option, text=repr(text))) from None

    end = read(last, "--to") if last else today
    if first:
        start = read(first, "--from")
    else:
        a_year_before = (end.replace(year=end.year - 1) if (end.month, end.day) != (2, 29)
                         else date(end.year - 1, 2, 28))
        start = a_year_before + timedelta(days=1)
    if start > end:
        raise CommandError(_("The period begins ({start}) after it ends ({end}); "
                             "--from must be on or before --to.", start=start, end=end))
    return start, end


@dataclass(frozen=True)
class CadenceLine:
    """A body's meetings in one of its cadence periods against its mandate."""

    body: str
    mandate: str  # "at least once a month"
    compliance: Compliance
    counts: bool  # a breach counts: the body existed before the period turned at risk


@dataclass(frozen=True)
class AgendaLine:
    """One item of a meeting's agenda, in the order of business."""

    text: str
    who: str | None  # the delegation that put it on
    resolved: bool


@dataclass(frozen=True)
class MeetingEntry:
    id: int
    body: str
    title: str
    starts_at: datetime
    duration_minutes: int
    venue: str | None
    status: str  # held | scheduled | cancelled
    cancel_reason: str | None
    extraordinary: bool
    agenda_state: str
    agenda_revision: int
    agenda: tuple[AgendaLine, ...]
    #: Extension point: the record of the meeting (attendance, the outcome of each
    #: item), filled by :data:`MEETING_RECORDS`.
    record: tuple[ReportSection, ...] = ()


@dataclass(frozen=True)
class PositionLine:
    """A member's position on a joint decision, with its statement and the statement's kind."""

    member: str
    stance: str  # concur | silent
    statement_kind: str | None  # a StatementKind value
    statement: str | None


@dataclass(frozen=True)
class DecisionEntry:
    id: int
    proposal_id: int
    text: str
    adopted_at: datetime
    mode: str
    area: str | None  # the area's name
    proposer: str
    supersedes_id: int | None
    positions: tuple[PositionLine, ...]  # in the charter's member order


@dataclass(frozen=True)
class BreakLine:
    """Why a poll closed without a decision: a member's objection or amendment, or silence."""

    member: str
    stance: str  # object | amend | silent
    text: str | None  # the objection's reason, the amendment's wording
    reason: str | None  # the amendment's reason
    withdrawn_at: datetime | None = None


@dataclass(frozen=True)
class PollEntry:
    """A poll's text version that closed without a decision in the period."""

    id: int
    version: int
    text: str
    outcome: str  # blocked | silence_broken | failed
    closed_at: datetime
    lines: tuple[BreakLine, ...]


@dataclass(frozen=True)
class IssueEntry:
    id: int
    decision_id: int
    member: str
    text: str
    raised_at: datetime
    status: str
    closed_at: datetime | None
    note: str | None


@dataclass(frozen=True)
class Report:
    council: str
    span: Span
    tz: ZoneInfo
    generated_at: datetime
    cadence: tuple[CadenceLine, ...]
    meetings: tuple[MeetingEntry, ...]
    decisions: tuple[DecisionEntry, ...]
    polls: tuple[PollEntry, ...]
    issues_raised: tuple[IssueEntry, ...]
    issues_closed: tuple[IssueEntry, ...]  # resolved or withdrawn in the period
    #: Extension point: sections other features contribute for the period (the joint
    #: and the Chair's statements, S#), placed after the decisions; from
    #: :data:`PERIOD_SECTIONS`.
    sections: tuple[ReportSection, ...] = field(default_factory=tuple)


MeetingRecord = Callable[[Session, Meeting, ZoneInfo], ReportSection | None]
PeriodSection = Callable[[Session, Council, Span, ZoneInfo], ReportSection | None]

#: The record of a meeting (attendance, item outcomes: ``bot.views.report_records``);
#: each may return None for a meeting with no final record.
MEETING_RECORDS: tuple[MeetingRecord, ...] = (record_section,)
#: Sections of the period another feature keeps: the joint and the Chair's statements (S#).
PERIOD_SECTIONS: tuple[PeriodSection, ...] = (statements_section,)


def _cadence(session: Session, bodies: Sequence[Body], span: Span, now: datetime,
             tz: ZoneInfo) -> list[CadenceLine]:
    """Each body's verdict in every cadence period the span touches, from when it existed.

    "A meeting counts for the period its start falls in, unless it is cancelled"
    (``bot.cadence``): the verdicts are :func:`bot.cadence.assess`'s, as of ``now``.
    """
    periods: dict[int, list[cadence.Period]] = {}
    for body in bodies:
        if body.cadence_count is None or body.cadence_per is None:
            continue
        unit, _ = cadence.unit_for(body.cadence_count, body.cadence_per)
        period = cadence.period_containing(span.start, unit, tz)
        periods[body.id or 0] = []
        while period.start < span.end:
            if period.end > body.created_at:
                periods[body.id or 0].append(period)
            period = cadence.period_containing(period.end, unit, tz)
    every = [p for ps in periods.values() for p in ps]
    starts: dict[int, list[datetime]] = {body_id: [] for body_id in periods}
    if every:
        for body_id, start in session.execute(select(Meeting.body_id, Meeting.starts_at).where(
                col(Meeting.body_id).in_(list(periods)), Meeting.status != MeetingStatus.CANCELLED,
                col(Meeting.starts_at) >= min(p.start for p in every),
                col(Meeting.starts_at) < max(p.end for p in every))):
            starts[body_id].append(start)
    lines = []
    for body in bodies:
        for period in periods.get(body.id or 0, []):
            comp = cadence.assess(body.cadence_count or 0, body.cadence_per or "",
                                  body.at_risk_days, starts[body.id or 0], now, tz, period)
            lines.append(CadenceLine(named(body), cadence.mandate_words(body.cadence_count,
                                                                      body.cadence_per),
                                     comp, breach_counts(body.created_at, comp)))
    return lines


def _meetings(session: Session, council_id: int, bodies: dict[int, Body], span: Span,
              now: datetime, tz: ZoneInfo,
              records: Sequence[MeetingRecord]) -> list[MeetingEntry]:
    entries = []
    for meeting in session.exec(select(Meeting).where(
            Meeting.council_id == council_id, col(Meeting.starts_at) >= span.start,
            col(Meeting.starts_at) < span.end).order_by(col(Meeting.starts_at), col(Meeting.id))):
        cancelled = meeting.status == MeetingStatus.CANCELLED
        body = bodies.get(meeting.body_id)
        agenda = () if cancelled else tuple(
            AgendaLine(e.text, e.who, e.resolved) for e in agenda_entries(session, meeting))
        record = tuple(r for r in (f(session, meeting, tz) for f in records) if r is not None)
        entries.append(MeetingEntry(
            meeting.id or 0, named(body) if body else "", meeting.title, meeting.starts_at,
            meeting.duration_minutes, meeting.venue,
            "cancelled" if cancelled else "held" if meeting.starts_at <= now else "scheduled",
            meeting.cancel_reason, meeting.extraordinary, meeting.agenda_state,
            meeting.agenda_revision, agenda, record))
    return entries


def _member_name(members: dict[int, Member], row: dict[str, Any]) -> str:
    """A position row's member, named in the language of the moment (else as recorded)."""
    member = members.get(int(row.get("member_id") or 0))
    return named(member) if member else str(row.get("member", ""))


def _decisions(session: Session, council_id: int, members: dict[int, Member],
               areas: dict[str, str], span: Span) -> list[DecisionEntry]:
    order = {m_id: (m.ordinal, m_id) for m_id, m in members.items()}
    entries = []
    for d in session.exec(select(JointDecision).where(
            JointDecision.council_id == council_id, col(JointDecision.adopted_at) >= span.start,
            col(JointDecision.adopted_at) < span.end).order_by(col(JointDecision.id))):
        rows = sorted(d.positions, key=lambda r: order.get(r.get("member_id") or 0,
                                                           (10**6, r.get("member_id") or 0)))
        proposer = members.get(d.proposer_member_id or 0)
        entries.append(DecisionEntry(
            d.id or 0, d.proposal_id, d.text, d.adopted_at, d.mode,
            areas.get(d.area, d.area) if d.area else None,
            named(proposer) if proposer else _("the Chair"), d.supersedes_id,
            tuple(PositionLine(_member_name(members, r), str(r.get("stance", "")),
                               r.get("statement_kind"), r.get("statement")) for r in rows)))
    return entries


def _polls(session: Session, council_id: int, members: dict[int, Member],
           span: Span) -> list[PollEntry]:
    def name(member_id: int) -> str:
        member = members.get(member_id)
        return named(member) if member else str(member_id)

    entries = []
    for version, poll in session.exec(
            select(ProposalVersion, Proposal)
            .join(Proposal, col(Proposal.id) == ProposalVersion.proposal_id)
            .where(ProposalVersion.council_id == council_id,
                   col(ProposalVersion.outcome).in_(list(CLOSED_WITHOUT_DECISION)),
                   col(ProposalVersion.closed_at) >= span.start,
                   col(ProposalVersion.closed_at) < span.end)
            .order_by(col(ProposalVersion.closed_at), col(ProposalVersion.id))):
        held = {p.member_id: p for p in session.exec(select(Position).where(
            Position.proposal_id == poll.id, Position.version == version.version))}
        lines: list[BreakLine] = []
        for member_id in poll.electorate:
            position = held.get(member_id)
            if version.outcome == ProposalStatus.FAILED:
                if position is None:
                    lines.append(BreakLine(name(member_id), "silent", None, None))
            elif position is not None and position.stance in (Stance.OBJECT, Stance.AMEND):
                lines.append(BreakLine(name(member_id), position.stance, position.statement,
                                       position.reason, position.withdrawn_at))
        entries.append(PollEntry(poll.id or 0, version.version, version.text,
                                 version.outcome or "", version.closed_at or span.start,
                                 tuple(lines)))
    return entries


def _issues(session: Session, council_id: int, members: dict[int, Member],
            span: Span) -> tuple[list[IssueEntry], list[IssueEntry]]:
    raised, closed = [], []
    created, ended = col(ImplementationIssue.created_at), col(ImplementationIssue.closed_at)
    for issue in session.exec(select(ImplementationIssue).where(
            ImplementationIssue.council_id == council_id,
            or_(and_(created >= span.start, created < span.end),
                and_(ended >= span.start, ended < span.end)))
            .order_by(col(ImplementationIssue.id))):
        member = members.get(issue.member_id)
        entry = IssueEntry(issue.id or 0, issue.decision_id, named(member) if member else "",
                           issue.text, issue.created_at, issue.status, issue.closed_at,
                           issue.note)
        if span.holds(issue.created_at):
            raised.append(entry)
        if issue.status != IssueStatus.OPEN and span.holds(issue.closed_at):
            closed.append(entry)
    return raised, closed


def build_report(session: Session, council: Council, charter: Charter, start: date, end: date,
                 tz: ZoneInfo, *, now: datetime,
                 meeting_records: Sequence[MeetingRecord] = MEETING_RECORDS,
                 period_sections: Sequence[PeriodSection] = PERIOD_SECTIONS) -> Report:
    """The council's record from ``start`` to ``end`` (local dates, inclusive) as of ``now``."""
    assert council.id is not None
    span = Span.of(start, end, tz)
    members = {m.id or 0: m for m in session.exec(
        select(Member).where(Member.council_id == council.id))}
    bodies = list(session.exec(select(Body).where(Body.council_id == council.id)
                               .order_by(col(Body.ordinal), col(Body.id))))
    areas = {a.key: named(a) for a in charter.areas}
    raised, closed = _issues(session, council.id, members, span)
    extra = tuple(s for s in (f(session, council, span, tz) for f in period_sections)
                  if s is not None)
    return Report(
        council=named(council), span=span, tz=tz, generated_at=now,
        cadence=tuple(_cadence(session, [b for b in bodies if b.active], span, now, tz)),
        meetings=tuple(_meetings(session, council.id, {b.id or 0: b for b in bodies}, span,
                                 now, tz, meeting_records)),
        decisions=tuple(_decisions(session, council.id, members, areas, span)),
        polls=tuple(_polls(session, council.id, members, span)),
        issues_raised=tuple(raised), issues_closed=tuple(closed), sections=extra)
