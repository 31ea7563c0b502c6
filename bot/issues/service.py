"""The use-cases of implementation issues: raise, withdraw, resolve, list, and the agendas.

The Rome Declaration: the members "will take joint decisions and will bear
equal responsibility, individually and jointly, for their implementation.
Each member may raise in the NRC issues related to the implementation of
joint decisions." So any delegation may raise one, for its member; the issue
goes on the agenda of the next Council meeting and stays open until the Chair
or the secretariat resolves it, or the raising member withdraws it. One raised
while no Council meeting is scheduled waits for the next one, and one still
open after its meeting moves on to the next.

Each use-case checks the permission, changes the state, writes the audit entry
and the outbox records in the one transaction of its request.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import partial
from typing import Any
from zoneinfo import ZoneInfo

from sqlmodel import Session

from bot import keys
from bot.bus import MeetingScheduled, subscribe
from bot.context import Context
from bot.errors import CommandError, Refused
from bot.i18n import N_, _, named
from bot.issues import queries, render
from bot.issues.rules import (
    DEFAULT_OVERDUE,
    OPEN,
    RESOLVED,
    WITHDRAWN,
    announced_decision,
    days_open,
    is_council_key,
    is_overdue,
    is_raiser,
    issue_fingerprint,
    needs_meeting,
    plain_link,
)
from bot.messages import Message
from bot.outbox import OutboxWriter
from bot.permissions import Role
from bot.registry import text_argument
from storage.models import Body, ImplementationIssue, JointDecision, Meeting, Member
from storage.statuses import AgendaState, MeetingStatus

#: Writes an audit entry: (action, details, member).
Auditor = Callable[[str, dict[str, Any], Member | None], None]


def meeting_label(session: Session, meeting: Meeting, tz: ZoneInfo) -> str:
    return render.meeting_text(meeting.id, queries.body_name(session, meeting),
                               meeting.starts_at, tz)


def placement_label(session: Session, issue: ImplementationIssue, now: datetime,
                    tz: ZoneInfo) -> str:
    """Where an open issue stands: the meeting ahead, or waiting for one (after which)."""
    meeting = queries.placed_meeting(session, issue)
    if meeting is None:
        return render.waiting_text()
    if needs_meeting(meeting.status, meeting.starts_at, now):
        return render.waiting_text(meeting.id, cancelled=meeting.status == MeetingStatus.CANCELLED)
    return meeting_label(session, meeting, tz)


def overdue_note(session: Session, issue_id: int | None, at: datetime,
                 after: timedelta = DEFAULT_OVERDUE) -> str:
    """`` _overdue: open 34 days_`` for an agenda item that is an issue overdue as of ``at``.

    A meeting's agenda, announcement and reminders judge as of the meeting's
    start: an issue that will have been open longer than the period (default
    30 days) when the Council meets is overdue at that meeting.
    """
    if issue_id is None:
        return ""
    issue = session.get(ImplementationIssue, issue_id)
    if issue is None or not is_overdue(issue, at, after):
        return ""
    return render.overdue_mark(days_open(issue, at))


def put_on_agenda(session: Session, issue: ImplementationIssue, meeting: Meeting,
                  now: datetime) -> None:
    queries.put_on_agenda(session, issue, meeting,
                          render.agenda_text(issue.id, issue.decision_id, issue.text), now)


def place_waiting_issues(session: Session, council_id: int, now: datetime,
                         audit: Auditor) -> tuple[Meeting | None, list[ImplementationIssue]]:
    """Put every waiting issue on the next Council meeting, if one is scheduled."""
    meeting = queries.next_council_meeting(session, council_id, now)
    if meeting is None:
        return None, []
    issues = queries.waiting(session, council_id, now)
    members = queries.members(session, council_id)
    for issue in issues:
        previous = issue.meeting_id
        put_on_agenda(session, issue, meeting, now)
        audit("issue.agenda", {"issue": issue.id, "meeting": meeting.id, "previous": previous},
              members[issue.member_id])
    session.flush()
    return meeting, issues


def refresh_announcement(writer: OutboxWriter, meeting_id: int | None) -> None:
    """Rebuild a meeting's announcement in place, as the records stand when it is delivered
    (the meetings feature renders it: ``keys.MEETING_VIEW``): its agenda lists the issues
    on it. Its canvas too (``keys.MEETING_CANVAS_VIEW``), the same way."""
    writer.refresh(keys.meeting(meeting_id), keys.MEETING_VIEW, meeting_id)
    writer.edit_canvas(keys.meeting_canvas(meeting_id), keys.MEETING_CANVAS_VIEW, meeting_id)


def refresh_homes(ctx: Context, issues: Iterable[ImplementationIssue]) -> None:
    """Refresh the Homes that show these issues: the raising and proposing delegations,
    the Chair and the secretariat."""
    members: list[int | None] = []
    for issue in issues:
        decision = ctx.session.get(JointDecision, issue.decision_id)
        members += [issue.member_id, decision.proposer_member_id if decision else None]
    ctx.refresh_homes(members=dict.fromkeys(members))


@subscribe(MeetingScheduled)
def _meeting_scheduled(ctx: Context, event: MeetingScheduled) -> None:
    """Open implementation issues waiting for a Council meeting join the one scheduled."""
    meeting = ctx.session.get(Meeting, event.meeting_id)
    if meeting is not None:
        attach_waiting_issues(ctx, meeting)


def attach_waiting_issues(ctx: Context, meeting: Meeting) -> list[ImplementationIssue]:
    """Called when a meeting is scheduled: waiting issues join it if it is the next Council meeting.

    Returns the issues that joined this meeting's agenda (none for other bodies).
    """
    body = ctx.session.get(Body, meeting.body_id)
    if body is None or not is_council_key(body.key) or meeting.extraordinary:
        return []
    ctx.session.flush()
    target, issues = place_waiting_issues(
        ctx.session, ctx.council_id, ctx.now,
        lambda action, details, member: ctx.audit(action, details, member))
    if target is None or not issues:
        return []
    assert target.id is not None
    refresh_announcement(ctx, target.id)
    refresh_homes(ctx, issues)
    return issues if target.id == meeting.id else []


# -- use-cases ----------------------------------------------------------------


def _decision(ctx: Context, number: int) -> JointDecision:
    decision = queries.decision(ctx.session, ctx.council_id, number)
    if decision is None:
        raise CommandError(_("There is no joint decision D{number}; `decisions` lists them.",
                             number=number))
    return decision


def _issue(ctx: Context, number: int) -> ImplementationIssue:
    issue = queries.issue(ctx.session, ctx.council_id, number)
    if issue is None:
        raise CommandError(_("There is no implementation issue I{number}; `issues` lists them.",
                             number=number))
    return issue


@dataclass(frozen=True)
class RaiseForm:
    """What the *Raise implementation issue* modal offers: the decisions, one perhaps chosen."""

    member: str
    decisions: list[tuple[int, str]]  # (id, plain-text label), newest first
    chosen: int | None


def raise_form(ctx: Context, message_ts: str | None = None,
               thread_ts: str | None = None) -> RaiseForm:
    """Check the actor may raise an issue, and list the decisions to raise it on.

    Read-only: the shortcut calls it before opening the modal, so that a
    refusal comes at once. A message that is a decision's announcement, or a
    reply in its thread, preselects that decision.
    """
    ctx.require("raise")
    assert ctx.actor.member is not None
    decisions = queries.form_decisions(ctx.session, ctx.council_id)
    if not decisions:
        raise CommandError(_("There are no joint decisions yet; an implementation issue is "
                             "raised on a joint decision."))
    chosen = None
    stamps = [t for t in (message_ts, thread_ts) if t]
    if stamps:
        chosen = announced_decision(queries.announcement_key(ctx.session, ctx.council_id, stamps))
    labels = [(d.id or 0, render.form_label(d.id, d.text)) for d in decisions]
    if chosen not in {i for i, _label in labels}:
        chosen = None
    return RaiseForm(ctx.actor.member.name, labels, chosen)


def raise_issue(ctx: Context, decision_id: int, text: str,
                source_link: str | None = None) -> Message:
    """Raise an implementation issue on a joint decision, for the actor's member.

    Shared by the ``raise`` command and the *Raise implementation issue*
    message shortcut.
    """
    ctx.require("raise")
    member = ctx.actor.member
    if member is None:  # the table allows delegates only; a delegate has a member
        raise Refused(_("Only delegations may raise implementation issues."))
    ctx.lock()
    decision = _decision(ctx, decision_id)
    text = text_argument(text, N_("text of the issue"))
    source_link = plain_link(source_link)
    dedup = issue_fingerprint(decision_id, member.id or 0, text)
    already = queries.open_duplicate(ctx.session, ctx.council_id, dedup)
    if already is not None:
        raise CommandError(_("{member} already raised this issue on D{decision}: "
                             "it is open as I{number}.", member=named(member),
                             decision=decision_id, number=already))
    issue = ImplementationIssue(council_id=ctx.council_id, decision_id=decision_id,
                                member_id=member.id or 0, raised_by=ctx.actor.user_id, text=text,
                                source_link=source_link, status=OPEN, created_at=ctx.now,
                                dedup=dedup)
    ctx.session.add(issue)
    ctx.session.flush()
    meeting = queries.next_council_meeting(ctx.session, ctx.council_id, ctx.now)
    if meeting is not None and meeting.id is not None:
        put_on_agenda(ctx.session, issue, meeting, ctx.now)
        ctx.session.flush()
        refresh_announcement(ctx, meeting.id)
    ctx.audit("issue.raise", {"issue": issue.id, "decision": decision_id, "text": text,
                              "meeting": issue.meeting_id, "source": source_link}, member)

    def raised() -> render.Raised:
        """The issue as its messages tell it, in the language being rendered."""
        return render.Raised(
            ref=f"I{issue.id}", member=named(member), user_id=ctx.actor.user_id,
            decision_id=decision_id, decision=render.decision_label(decision), text=text,
            source_link=source_link, where=placement_label(ctx.session, issue, ctx.now, ctx.tz),
            at=ctx.now)

    ctx.post(keys.issue(issue.id), lambda: render.raised_post(raised(), ctx.tz),
             thread_key=keys.decision(decision_id))
    ctx.post(keys.issue_notice(issue.id), lambda: render.raised_notice(raised()))
    if ctx.council.chair_user_id:
        ctx.dm(keys.chair_told(keys.issue(issue.id)), ctx.council.chair_user_id,
               lambda: render.raised_chair(raised(), ctx.slash))
    refresh_homes(ctx, [issue])
    return render.raised_reply(raised())


def _close(ctx: Context, issue: ImplementationIssue, status: str, note: str | None) -> None:
    """Close an issue, and take it off the agendas of meetings still to come."""
    issue.status = status
    issue.closed_at = ctx.now
    issue.dedup = None  # closed: the same issue may be raised again
    issue.closed_by = ctx.actor.user_id
    issue.note = note
    ctx.session.add(issue)
    removed, marked = queries.take_off_agendas_ahead(ctx.session, issue.id, ctx.now,
                                                     keep_resolved=status == RESOLVED)
    for meeting in removed + marked:  # a circulated agenda changes by revision, never silently
        if meeting.agenda_state == AgendaState.CIRCULATED:
            meeting.agenda_revision += 1
            ctx.session.add(meeting)
            ctx.post(keys.agenda_revision(meeting.id, meeting.agenda_revision),
                     partial(render.closed_on_agenda, meeting.id, meeting.agenda_revision,
                             issue.id, meeting in marked),
                     thread_key=keys.meeting(meeting.id))
        refresh_announcement(ctx, meeting.id)
    member = ctx.session.get(Member, issue.member_id)
    ctx.audit(f"issue.{'resolve' if status == RESOLVED else 'withdraw'}",
              {"issue": issue.id, "decision": issue.decision_id, "note": note,
               "off_agenda": [m.id for m in removed],
               "marked_resolved": [m.id for m in marked]}, member)


def withdraw_issue(ctx: Context, number: int) -> Message:
    """Withdraw an open issue: its raising member's delegates, the Chair or the secretariat.

    Used by the ``withdraw`` command for ``I#`` references.
    """
    ctx.lock()
    issue = _issue(ctx, number)
    raiser = is_raiser(ctx.actor.member.id if ctx.actor.member else None, issue.member_id)
    ctx.require("withdraw issue", *((Role.RAISER,) if raiser else ()))
    if issue.status != OPEN:
        raise CommandError(already_closed(number, issue.status))
    _close(ctx, issue, WITHDRAWN, None)
    member = ctx.session.get(Member, issue.member_id)

    def name() -> str:
        return named(member) if member else _("its member")

    ctx.post(keys.issue_withdrawn(issue.id),
             lambda: render.withdrawn_post(issue.id, ctx.actor.user_id,
                                           name() if raiser else None),
             thread_key=keys.decision(issue.decision_id))
    refresh_homes(ctx, [issue])
    return render.withdrawn_reply(issue.id, name(), issue.decision_id)


def already_closed(number: int, status: str) -> str:
    """``I3 is already resolved.`` (or withdrawn)."""
    if status == RESOLVED:
        return _("I{number} is already resolved.", number=number)
    if status == WITHDRAWN:
        return _("I{number} is already withdrawn.", number=number)
    return _("I{number} is already {status}.", number=number, status=status)


def resolve_issue(ctx: Context, number: int, note: str) -> Message:
    """Close an implementation issue with a note, posted in its thread (Chair, secretariat)."""
    ctx.require("resolve")
    issue = _issue(ctx, number)
    if issue.status != OPEN:
        raise CommandError(already_closed(number, issue.status))
    note = text_argument(note, N_("note saying how it was resolved"))
    _close(ctx, issue, RESOLVED, note)
    ctx.post(keys.issue_resolved(issue.id),
             lambda: render.resolved_post(issue.id, ctx.actor.user_id, note),
             thread_key=keys.decision(issue.decision_id))
    refresh_homes(ctx, [issue])
    return render.resolved_reply(issue.id, issue.decision_id)


def list_issues(ctx: Context) -> Message:
    """The open implementation issues by decision, with the raising member and their meeting."""
    found = queries.open_issues(ctx.session, ctx.council_id)
    if not found:
        return render.no_issues(ctx.slash)
    members = queries.members(ctx.session, ctx.council_id)
    after = ctx.settings.issue_overdue
    by_decision: dict[int, list[ImplementationIssue]] = {}
    for issue in found:
        by_decision.setdefault(issue.decision_id, []).append(issue)
    groups: list[tuple[str, list[render.Listed]]] = []
    for decision_id, group in by_decision.items():
        decision = ctx.session.get(JointDecision, decision_id)
        label = render.decision_label(decision, 120) if decision else f"*D{decision_id}*"
        listed = [render.Listed(
            issue_id=issue.id, member=named(members[issue.member_id]), raised_by=issue.raised_by,
            created_at=issue.created_at, text=issue.text,
            where=placement_label(ctx.session, issue, ctx.now, ctx.tz),
            overdue_days=(days_open(issue, ctx.now) if is_overdue(issue, ctx.now, after)
                          else None)) for issue in group]
        groups.append((label, listed))
    return render.listing(groups, after, ctx.slash, ctx.tz)
