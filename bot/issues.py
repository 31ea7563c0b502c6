"""Implementation issues: a member brings the carrying-out of a joint decision before the Council.

The Rome Declaration: the members "will take joint decisions and will bear
equal responsibility, individually and jointly, for their implementation.
Each member may raise in the NRC issues related to the implementation of
joint decisions." So any delegation may raise one, for its member; the issue
goes on the agenda of the next Council meeting and stays open until the Chair
or the secretariat resolves it, or the raising member withdraws it.
"""

from __future__ import annotations

import hashlib
import logging
import os
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import func, or_
from sqlalchemy.orm import aliased
from sqlmodel import Session, col, select

from bot.commands import command, parse_ref, split_word, text_argument
from bot.context import Context
from bot.errors import CommandError, Refused
from bot.messages import Message, clip, count, escape
from bot.permissions import Role
from bot.scheduler import PassContext, scheduled_pass
from bot.times import slack_date
from storage.models import (
    AgendaItem,
    Body,
    Council,
    ImplementationIssue,
    JointDecision,
    Meeting,
    Member,
    Outbox,
)
from storage.queries import Page, first_page
from storage.roster import roster_for

log = logging.getLogger(__name__)

ROME = ("\u201cEach member may raise in the NRC issues related to the implementation of joint "
        "decisions.\u201d (Rome Declaration, 2002)")

OPEN, RESOLVED, WITHDRAWN = "open", "resolved", "withdrawn"

#: Bodies whose meetings are meetings of the Council itself, at any level.
COUNCIL_PREFIX = "council-"

#: How long an issue may stay open before reminders call it overdue (``NRC_ISSUE_OVERDUE_DAYS``).
OVERDUE_ENV = "NRC_ISSUE_OVERDUE_DAYS"
DEFAULT_OVERDUE = timedelta(days=30)

EXCERPT = 200

_SAFE_LINK = re.compile(r"https://[^\s<>|]{1,490}")

#: An issue still open this long after its meeting began moves to the next Council meeting.
CARRY_OVER = timedelta(hours=24)


def issue_fingerprint(decision_id: int, member_id: int, text: str) -> str:
    """What makes two open issues the same: one member, one decision, the same words."""
    words = " ".join(text.split()).casefold()
    return hashlib.sha256(f"{decision_id}\n{member_id}\n{words}".encode()).hexdigest()


def overdue_after() -> timedelta:
    """The configured period after which an open issue is overdue (default 30 days)."""
    raw = os.environ.get(OVERDUE_ENV, "").strip()
    if not raw:
        return DEFAULT_OVERDUE
    try:
        days = float(raw)
    except ValueError:
        days = -1
    if days <= 0:
        log.warning("%s=%r is not a positive number of days; using %s", OVERDUE_ENV, raw,
                    DEFAULT_OVERDUE.days)
        return DEFAULT_OVERDUE
    return timedelta(days=days)


def excerpt(text: str, limit: int = EXCERPT) -> str:
    """User text shortened for a listing, made inert for mrkdwn."""
    flat = " ".join(text.split())
    if len(flat) > limit:
        flat = flat[: limit - 1].rstrip() + "\u2026"
    return escape(flat)


def is_overdue(issue: ImplementationIssue, now: datetime,
               after: timedelta | None = None) -> bool:
    return issue.status == OPEN and now - issue.created_at >= (after or overdue_after())


def days_open(issue: ImplementationIssue, now: datetime) -> int:
    return max(0, (now - issue.created_at).days)


# -- queries ------------------------------------------------------------------


def is_council_body(body: Body) -> bool:
    return body.key.startswith(COUNCIL_PREFIX)


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
            Meeting.status == "scheduled",
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
    return first_page(session, _open_issues_query(council_id, member_id, None, not_member,
                                                  proposed_by), limit)


def overdue_count(session: Session, council_id: int, now: datetime) -> int:
    return int(session.exec(select(func.count()).select_from(ImplementationIssue).where(
        ImplementationIssue.council_id == council_id, ImplementationIssue.status == OPEN,
        col(ImplementationIssue.created_at) <= now - overdue_after())).one())


def overdue_issues(session: Session, council_id: int, now: datetime,
                   after: timedelta | None = None) -> list[ImplementationIssue]:
    """Open issues older than the overdue period: the next meeting's reminder names them."""
    cutoff = now - (after or overdue_after())
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


def overdue_note(session: Session, issue_id: int | None, at: datetime) -> str:
    """`` _overdue: open 34 days_`` for an agenda item that is an issue overdue as of ``at``.

    A meeting's agenda, announcement and reminders judge as of the meeting's
    start: an issue that will have been open longer than the period (default
    30 days) when the Council meets is overdue at that meeting.
    """
    if issue_id is None:
        return ""
    issue = session.get(ImplementationIssue, issue_id)
    if issue is None or not is_overdue(issue, at):
        return ""
    return f" _overdue: open {days_open(issue, at)} days_"


def _members(session: Session, council_id: int) -> dict[int, Member]:
    return roster_for(session, council_id).by_id


def delegates_of(session: Session, council_id: int, member_ids: Iterable[int | None]) -> list[str]:
    return roster_for(session, council_id).delegates_of(member_ids)


def meeting_label(session: Session, meeting: Meeting, tz: ZoneInfo) -> str:
    body = session.get(Body, meeting.body_id)
    name = body.name if body else "meeting"
    return f"*M{meeting.id}* {name}, {slack_date(meeting.starts_at, tz)}"


def decision_label(decision: JointDecision, limit: int = 80) -> str:
    return f"*D{decision.id}* ({excerpt(decision.text, limit)})"


# -- placing issues on agendas ------------------------------------------------

#: Writes an audit entry: (action, details, member).
Auditor = Callable[[str, dict[str, Any], Member | None], None]


def _agenda_text(issue: ImplementationIssue) -> str:
    """The agenda item; the agenda names the raising member beside it."""
    flat = " ".join(issue.text.split())
    if len(flat) > EXCERPT:
        flat = flat[: EXCERPT - 1].rstrip() + "\u2026"
    return f"Implementation issue I{issue.id} on joint decision D{issue.decision_id}: {flat}"


def _put_on_agenda(session: Session, issue: ImplementationIssue, meeting: Meeting,
                   now: datetime) -> None:
    assert issue.id is not None and meeting.id is not None
    session.add(AgendaItem(council_id=issue.council_id, meeting_id=meeting.id,
                           text=_agenda_text(issue), added_by=issue.raised_by,
                           member_id=issue.member_id, issue_id=issue.id, created_at=now))
    issue.meeting_id = meeting.id
    session.add(issue)


def _waiting(session: Session, council_id: int, now: datetime) -> list[ImplementationIssue]:
    """Open issues with no meeting ahead: never placed, or their meeting was cancelled or held.

    An issue stays before the Council until it is resolved, so one still open
    a day after its meeting began (or whose meeting was cancelled) goes to the
    next one.
    """
    rows = session.exec(
        select(ImplementationIssue, Meeting)
        .outerjoin(Meeting, Meeting.id == ImplementationIssue.meeting_id)  # type: ignore[arg-type]
        .where(ImplementationIssue.council_id == council_id, ImplementationIssue.status == OPEN)
        .order_by(col(ImplementationIssue.id))
    )
    return [issue for issue, meeting in rows
            if meeting is None or meeting.status != "scheduled"
            or meeting.starts_at <= now - CARRY_OVER]


def place_waiting_issues(session: Session, council_id: int, now: datetime,
                         audit: Auditor) -> tuple[Meeting | None, list[ImplementationIssue]]:
    """Put every waiting issue on the next Council meeting, if one is scheduled."""
    meeting = next_council_meeting(session, council_id, now)
    if meeting is None:
        return None, []
    issues = _waiting(session, council_id, now)
    members = _members(session, council_id)
    for issue in issues:
        previous = issue.meeting_id
        _put_on_agenda(session, issue, meeting, now)
        audit("issue.agenda", {"issue": issue.id, "meeting": meeting.id, "previous": previous},
              members[issue.member_id])
    session.flush()
    return meeting, issues


def refresh_announcement(session: Session, council: Council, meeting_id: int,
                         update: Callable[[str, Message], None], slash: str = "/nrc") -> None:
    """Rebuild a meeting's announcement in place: its agenda lists the issues on it."""
    from bot.meetings import announcement  # the meetings code owns the announcement

    meeting = session.get(Meeting, meeting_id)
    body = session.get(Body, meeting.body_id) if meeting else None
    if meeting is None or body is None:
        return
    update(f"meeting:{meeting.id}", announcement(session, council, meeting, body, slash))


def attach_waiting_issues(ctx: Context, meeting: Meeting) -> list[ImplementationIssue]:
    """Called when a meeting is scheduled: waiting issues join it if it is the next Council meeting.

    Returns the issues that joined this meeting's agenda (none for other bodies).
    """
    body = ctx.session.get(Body, meeting.body_id)
    if body is None or not is_council_body(body) or meeting.extraordinary:
        return []
    ctx.session.flush()
    target, issues = place_waiting_issues(
        ctx.session, ctx.council_id, ctx.now,
        lambda action, details, member: ctx.audit(action, details, member))
    if target is None or not issues:
        return []
    assert target.id is not None
    refresh_announcement(ctx.session, ctx.council, target.id, ctx.update,
                         ctx.slash)
    _refresh(ctx, issues)
    return issues if target.id == meeting.id else []


def _carry_over_due(session: Session, now: datetime, settings: object) -> set[int]:
    """Councils with an issue waiting (as ``_waiting`` finds them) and a next Council
    meeting to put it on (as ``next_council_meeting`` finds it).

    One statement when no issue waits (the steady state), two when some do."""
    placed = aliased(Meeting)
    waiting = set(session.exec(
        select(ImplementationIssue.council_id).distinct()
        .outerjoin(placed, placed.id == ImplementationIssue.meeting_id)  # type: ignore[arg-type]
        .where(ImplementationIssue.status == OPEN,
               or_(col(placed.id).is_(None), placed.status != "scheduled",
                   col(placed.starts_at) <= now - CARRY_OVER))))
    if not waiting:
        return set()
    return set(session.exec(
        select(Meeting.council_id).distinct()
        .join(Body, Body.id == Meeting.body_id)  # type: ignore[arg-type]
        .where(col(Meeting.council_id).in_(waiting), col(Body.key).startswith(COUNCIL_PREFIX),
               Meeting.status == "scheduled", col(Meeting.extraordinary).is_(False),
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
    slash = str(getattr(pctx.settings, "command", None) or "/nrc")
    refresh_announcement(pctx.session, pctx.council, meeting.id, pctx.update, slash)
    return 1


# -- use-cases ----------------------------------------------------------------


def _decision(ctx: Context, number: int) -> JointDecision:
    decision = ctx.session.get(JointDecision, number)
    if decision is None or decision.council_id != ctx.council_id:
        raise CommandError(f"There is no joint decision D{number}; `decisions` lists them.")
    return decision


def _issue(ctx: Context, number: int) -> ImplementationIssue:
    issue = ctx.session.get(ImplementationIssue, number)
    if issue is None or issue.council_id != ctx.council_id:
        raise CommandError(f"There is no implementation issue I{number}; `issues` lists them.")
    return issue


def _refresh(ctx: Context, issues: Iterable[ImplementationIssue]) -> None:
    """Refresh the Homes that show these issues: the raising and proposing delegations,
    the Chair and the secretariat."""
    from bot import home  # the Home reads this module, so it is imported here

    members: list[int | None] = []
    for issue in issues:
        decision = ctx.session.get(JointDecision, issue.decision_id)
        members += [issue.member_id, decision.proposer_member_id if decision else None]
    home.refresh_homes(ctx, home.member_homes(ctx, dict.fromkeys(members)))


def placement_label(session: Session, issue: ImplementationIssue, now: datetime,
                    tz: ZoneInfo) -> str:
    """Where an open issue stands: the meeting ahead, or waiting for one (after which)."""
    meeting = session.get(Meeting, issue.meeting_id) if issue.meeting_id else None
    if meeting is None:
        return "the next Council meeting, once one is scheduled"
    if meeting.status != "scheduled" or meeting.starts_at <= now - CARRY_OVER:
        was = "cancelled" if meeting.status == "cancelled" else "held"
        return (f"the next Council meeting, once one is scheduled (it was on M{meeting.id}, "
                f"{was})")
    return meeting_label(session, meeting, tz)


@dataclass(frozen=True)
class RaiseForm:
    """What the *Raise implementation issue* modal offers: the decisions, one perhaps chosen."""

    member: str
    decisions: list[tuple[int, str]]  # (id, plain-text label), newest first
    chosen: int | None


FORM_DECISIONS = 100  # a static_select holds at most 100 options


def raise_form(ctx: Context, message_ts: str | None = None,
               thread_ts: str | None = None) -> RaiseForm:
    """Check the actor may raise an issue, and list the decisions to raise it on.

    Read-only: the shortcut calls it before opening the modal, so that a
    refusal comes at once. A message that is a decision's announcement, or a
    reply in its thread, preselects that decision.
    """
    ctx.require("raise")
    assert ctx.actor.member is not None
    decisions = list(ctx.session.exec(
        select(JointDecision).where(JointDecision.council_id == ctx.council_id)
        .order_by(col(JointDecision.id).desc()).limit(FORM_DECISIONS)))
    if not decisions:
        raise CommandError("There are no joint decisions yet; an implementation issue is "
                           "raised on a joint decision.")
    chosen = None
    stamps = [t for t in (message_ts, thread_ts) if t]
    if stamps:
        announced = ctx.session.exec(
            select(Outbox.key).where(Outbox.council_id == ctx.council_id,
                                     col(Outbox.key).startswith("decision:"),
                                     col(Outbox.ts).in_(stamps))).first()
        if announced and announced.split(":", 1)[1].isdigit():
            chosen = int(announced.split(":", 1)[1])
    labels = []
    for d in decisions:
        flat = " ".join(d.text.split())
        labels.append((d.id or 0, clip(f"D{d.id}: {flat}", 75)))
    if chosen not in {i for i, _ in labels}:
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
        raise Refused("Only delegations may raise implementation issues.")
    ctx.lock()
    decision = _decision(ctx, decision_id)
    text = text_argument(text, "text of the issue")
    if source_link is not None and not _SAFE_LINK.fullmatch(source_link):
        source_link = None  # only a plain https link goes into mrkdwn
    dedup = issue_fingerprint(decision_id, member.id or 0, text)
    already = ctx.session.exec(select(ImplementationIssue.id).where(
        ImplementationIssue.council_id == ctx.council_id,
        ImplementationIssue.dedup == dedup)).first()
    if already is not None:
        raise CommandError(f"{member.name} already raised this issue on D{decision_id}: "
                           f"it is open as I{already}.")
    issue = ImplementationIssue(council_id=ctx.council_id, decision_id=decision_id,
                                member_id=member.id or 0, raised_by=ctx.actor.user_id, text=text,
                                source_link=source_link, status=OPEN, created_at=ctx.now,
                                dedup=dedup)
    ctx.session.add(issue)
    ctx.session.flush()
    meeting = next_council_meeting(ctx.session, ctx.council_id, ctx.now)
    slash = ctx.slash
    if meeting is not None and meeting.id is not None:
        _put_on_agenda(ctx.session, issue, meeting, ctx.now)
        ctx.session.flush()
        refresh_announcement(ctx.session, ctx.council, meeting.id, ctx.update, slash)
    ctx.audit("issue.raise", {"issue": issue.id, "decision": decision_id, "text": text,
                              "meeting": issue.meeting_id, "source": source_link}, member)
    where = placement_label(ctx.session, issue, ctx.now, ctx.tz)
    ref = f"I{issue.id}"
    source = ""
    if source_link and source_link not in text:
        source = f"\nFrom <{source_link}|a message in the channel>."
    ctx.post(f"issue:{issue.id}", Message(
        header=f"Implementation issue {ref}",
        text=f"*{member.name}* (<@{ctx.actor.user_id}>) raises an issue on the implementation "
             f"of joint decision *D{decision_id}*:\n>{escape(text).replace(chr(10), chr(10) + '>')}"
             f"{source}",
        fields=[("On the agenda of", where), ("Raised", slack_date(ctx.now, ctx.tz))],
        context=[ROME],
    ), thread_key=f"decision:{decision_id}")
    ctx.post(f"issue:{issue.id}:notice", Message(
        text=f"{member.name} raised implementation issue *{ref}* on joint decision "
             f"{decision_label(decision)}; it is in the thread under D{decision_id}. "
             f"On the agenda of {where}."))
    if ctx.council.chair_user_id:
        ctx.dm(f"issue:{issue.id}:chair", ctx.council.chair_user_id, Message(
            text=f"{member.name} raised implementation issue *{ref}* on joint decision "
                 f"{decision_label(decision)}: {excerpt(text, 300)}\nOn the agenda of {where}. "
                 f"Close it with `{slash} resolve {ref} <note>`."))
    _refresh(ctx, [issue])
    return Message(text=f"Raised *{ref}* for {member.name} on joint decision *D{decision_id}*; "
                        f"it is posted in the thread under D{decision_id} and goes on the agenda "
                        f"of {where}.")


def _close(ctx: Context, issue: ImplementationIssue, status: str, note: str | None) -> None:
    """Close an issue, and take it off the agendas of meetings still to come."""
    issue.status = status
    issue.closed_at = ctx.now
    issue.dedup = None  # closed: the same issue may be raised again
    issue.closed_by = ctx.actor.user_id
    issue.note = note
    ctx.session.add(issue)
    ahead = ctx.session.exec(
        select(AgendaItem)
        .join(Meeting, Meeting.id == AgendaItem.meeting_id)  # type: ignore[arg-type]
        .where(AgendaItem.issue_id == issue.id, Meeting.starts_at > ctx.now)
    )
    removed = []
    for item in ahead:
        removed.append(item.meeting_id)
        ctx.session.delete(item)
    ctx.session.flush()
    for meeting_id in removed:
        refresh_announcement(ctx.session, ctx.council, meeting_id, ctx.update,
                             ctx.slash)
    member = ctx.session.get(Member, issue.member_id)
    ctx.audit(f"issue.{'resolve' if status == RESOLVED else 'withdraw'}",
              {"issue": issue.id, "decision": issue.decision_id, "note": note,
               "off_agenda": removed}, member)


def withdraw_issue(ctx: Context, number: int) -> Message:
    """Withdraw an open issue: its raising member's delegates, the Chair or the secretariat.

    Used by the ``withdraw`` command for ``I#`` references.
    """
    ctx.lock()
    issue = _issue(ctx, number)
    raiser = ctx.actor.member is not None and ctx.actor.member.id == issue.member_id
    ctx.require("withdraw issue", *((Role.RAISER,) if raiser else ()))
    if issue.status != OPEN:
        raise CommandError(f"I{number} is already {issue.status}.")
    _close(ctx, issue, WITHDRAWN, None)
    member = ctx.session.get(Member, issue.member_id)
    name = member.name if member else "its member"
    ctx.post(f"issue:{issue.id}:withdrawn", Message(
        text=f"Implementation issue *I{issue.id}* was withdrawn by <@{ctx.actor.user_id}>"
             f"{' for ' + name if raiser else ''}; it is off the agenda."),
        thread_key=f"decision:{issue.decision_id}")
    _refresh(ctx, [issue])
    return Message(text=f"Withdrew *I{issue.id}* (raised by {name} on D{issue.decision_id}).")


@command("raise", "raise <D> <text>", mutates=True,
         examples=("raise D2 The joint exercise agreed in D2 has not been scheduled.",))
def raise_(ctx: Context, args: str) -> Message:
    """Raise an issue on the implementation of a joint decision, for your member.

    It is posted in the thread under the decision, the Chair is told, and it
    goes on the agenda of the next Council meeting (or waits for one to be
    scheduled). "Each member may raise in the NRC issues related to the
    implementation of joint decisions."
    """
    token, text = split_word(args)
    if not token:
        raise CommandError("Name the joint decision, like D2, then the issue.")
    number = parse_ref(token, "D", "joint decision")
    return raise_issue(ctx, number, text)


@command("issues", "issues")
def issues(ctx: Context, args: str) -> Message:
    """List the open implementation issues by decision, with the raising member and their meeting."""
    if args.strip():
        raise CommandError(f'Unexpected "{args.strip()[:40]}": `issues` takes nothing more.')
    found = open_issues(ctx.session, ctx.council_id)
    slash = ctx.slash
    if not found:
        return Message(text="No implementation issues are open.", header="Implementation issues",
                       context=[ROME, f"Raise one with `{slash} raise <D> <text>`."])
    members = _members(ctx.session, ctx.council_id)
    after = overdue_after()
    by_decision: dict[int, list[ImplementationIssue]] = {}
    for issue in found:
        by_decision.setdefault(issue.decision_id, []).append(issue)
    sections = []
    for decision_id, group in by_decision.items():
        decision = ctx.session.get(JointDecision, decision_id)
        lines = [decision_label(decision, 120) if decision else f"*D{decision_id}*"]
        for issue in group:
            late = (f" _overdue: open {days_open(issue, ctx.now)} days_"
                    if is_overdue(issue, ctx.now, after) else "")
            lines.append(
                f"\u2022 *I{issue.id}* {members[issue.member_id].name} (<@{issue.raised_by}>), "
                f"{slack_date(issue.created_at, ctx.tz)}: {excerpt(issue.text)}\n"
                f"    on the agenda of {placement_label(ctx.session, issue, ctx.now, ctx.tz)}{late}")
        sections.append("\n".join(lines))
    return Message(
        header="Implementation issues",
        text=f"{count(len(found), 'open implementation issue')} "
             f"on {count(len(by_decision), 'joint decision')}.",
        sections=sections,
        context=[ROME, f"Overdue after {count(after.days, 'day')} open. "
                       f"`{slash} resolve <I> <note>` (Chair, secretariat) closes one."],
    )


@command("resolve", "resolve <I> <note>", mutates=True,
         examples=("resolve I3 The exercise is scheduled for March; see M7.",))
def resolve(ctx: Context, args: str) -> Message:
    """Close an implementation issue with a note, posted in its thread (Chair, secretariat)."""
    token, note = split_word(args)
    if not token:
        raise CommandError("Name the issue to resolve, like I3, then the note.")
    number = parse_ref(token, "I", "implementation issue")
    issue = _issue(ctx, number)
    if issue.status != OPEN:
        raise CommandError(f"I{number} is already {issue.status}.")
    note = text_argument(note, "note saying how it was resolved")
    _close(ctx, issue, RESOLVED, note)
    ctx.post(f"issue:{issue.id}:resolved", Message(
        text=f"Implementation issue *I{issue.id}* is resolved (<@{ctx.actor.user_id}>):\n"
             f">{escape(note).replace(chr(10), chr(10) + '>')}"),
        thread_key=f"decision:{issue.decision_id}")
    _refresh(ctx, [issue])
    return Message(text=f"Resolved *I{issue.id}*; the note is posted in the thread under "
                        f"D{issue.decision_id}.")
