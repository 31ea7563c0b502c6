"""The App Home: what the council asks of the viewer, on one screen.

A delegate sees what their member owes (positions on open polls), what is
coming (meetings), what their member raised (implementation issues) and how
the bodies keep their mandated cadence. The Chair and the secretariat see the
whole council at a glance; anyone else sees what is public and how to join a
delegation.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import func
from sqlmodel import Session, col, select

from bot import polls
from bot.cadence import Compliance, Verdict
from bot.context import Actor, Context, resolve_actor
from bot.delegations.rules import ROLES
from bot.issues import (
    DEFAULT_OVERDUE,
    ROME,
    days_open,
    decision_label,
    excerpt,
    is_overdue,
    meeting_label,
    open_issue_page,
    overdue_count,
    placement_label,
)
from bot.meetings import bodies_of, standings
from bot.messages import Button, Message
from bot.times import slack_date
from storage.models import (
    AgendaItem,
    Body,
    Council,
    ImplementationIssue,
    JointDecision,
    Meeting,
    Member,
    Proposal,
)
from storage.queries import Page, claim_event, first_page
from storage.roster import roster_for
from storage.statuses import MeetingStatus

#: How many of each kind of thing the Home lists before pointing to the command.
SHOWN = 8
#: Polls with buttons: two buttons each, one actions block each.
POLLS_WITH_BUTTONS = 10

#: The poll message's own buttons: the same listeners handle a click on the Home.
CONCUR_ACTION = polls.CONCUR_ACTION
OBJECT_ACTION = polls.OBJECT_ACTION


# -- the pieces ---------------------------------------------------------------


def _members(session: Session, council_id: int) -> dict[int, Member]:
    return roster_for(session, council_id).by_id


def upcoming_meetings(session: Session, council_id: int, now: datetime) -> Page[Meeting]:
    return first_page(session, select(Meeting)
                      .where(Meeting.council_id == council_id,
                             Meeting.status == MeetingStatus.SCHEDULED,
                             col(Meeting.starts_at) > now)
                      .order_by(col(Meeting.starts_at), col(Meeting.id)), SHOWN)


def _meeting_lines(session: Session, meetings: list[Meeting], tz: ZoneInfo) -> str:
    if not meetings:
        return "_No meetings are scheduled._"
    items = dict(session.execute(
        select(AgendaItem.meeting_id, func.count())
        .where(col(AgendaItem.meeting_id).in_([m.id for m in meetings]))
        .group_by(col(AgendaItem.meeting_id))).all())
    lines = []
    for m in meetings:
        on_agenda = items.get(m.id or 0, 0)
        extra = f" \u2014 {excerpt(m.title, 80)}" if m.title else ""
        if m.extraordinary:
            extra += " _(extraordinary)_"
        if on_agenda:
            extra += f" ({on_agenda} agenda item{'s' if on_agenda != 1 else ''})"
        lines.append(f"\u2022 {meeting_label(session, m, tz)}{extra}")
    return "\n".join(lines)


def _issue_lines(session: Session, issues: Page[ImplementationIssue], members: dict[int, Member],
                 now: datetime, tz: ZoneInfo, slash: str, after: timedelta) -> str:
    lines = []
    for issue in issues.items:
        where = placement_label(session, issue, now, tz)
        late = (f" _overdue: open {days_open(issue, now)} days_"
                if is_overdue(issue, now, after) else "")
        lines.append(f"\u2022 *I{issue.id}* on D{issue.decision_id} ({members[issue.member_id].name}): "
                     f"{excerpt(issue.text, 120)} \u2014 on the agenda of {where}{late}")
    if issues.total > len(issues.items):
        lines.append(f"_\u2026and {issues.total - len(issues.items)} more: `{slash} issues`._")
    return "\n".join(lines)


def _poll_line(poll: Proposal, tz: ZoneInfo, tally: dict[str, int] | None = None) -> str:
    mode = "explicit consensus" if poll.mode == "explicit" else "silence procedure"
    line = f"\u2022 *P{poll.id}*: {excerpt(poll.text, 160)} \u2014 closes {slack_date(poll.deadline, tz)} ({mode})"
    if tally is not None:
        concurred, objected = tally.get("concur", 0), tally.get("object", 0)
        silent = len(poll.electorate) - concurred - objected
        line += f"\n    {concurred} concurred, {objected} objected, {silent} silent"
    return line


def _compliance(session: Session, bodies: list[Body], now: datetime,
                tz: ZoneInfo) -> list[tuple[Body, Compliance]]:
    """Each body with a mandated cadence and its standing this period (the meetings' rule)."""
    found = standings(session, bodies, now, tz)
    return [(body, found[body.id].current) for body in bodies if body.id in found]


def _compliance_lines(compliance: list[tuple[Body, Compliance]]) -> list[str]:
    return [f"\u2022 *{body.name}*: {comp.verdict.value} ({comp.summary()})"
            for body, comp in compliance]


def _compliance_field(compliance: list[tuple[Body, Compliance]]) -> tuple[str, str]:
    """``2 on track, 1 at risk``: counted from the verdicts, in the verdicts' order."""
    counts = {v.value: sum(comp.verdict is v for _, comp in compliance) for v in Verdict}
    shown = ", ".join(f"{n} {word}" for word, n in counts.items() if n) or "no mandated cadence"
    return ("Cadence this period", shown)


# -- the views ----------------------------------------------------------------


def _delegate_view(session: Session, council: Council, actor: Actor, now: datetime,
                   tz: ZoneInfo, members: dict[int, Member], bodies: list[Body],
                   slash: str, after: timedelta) -> Message:
    member = actor.member
    assert member is not None and member.id is not None
    compliance = _compliance(session, bodies, now, tz)
    pending = polls.awaiting(session, council.id or 0, member.id, POLLS_WITH_BUTTONS)
    meetings = upcoming_meetings(session, council.id or 0, now)
    raised = open_issue_page(session, council.id or 0, SHOWN, member_id=member.id)
    others = open_issue_page(session, council.id or 0, SHOWN, proposed_by=member.id,
                             not_member=member.id)
    role = ROLES.get(actor.delegate_role or "", "delegate")
    sections = [f"*Upcoming meetings*\n{_meeting_lines(session, meetings.items, tz)}"]
    sections.append(f"*Open implementation issues raised by {member.name}*\n"
                    + (_issue_lines(session, raised, members, now, tz, slash, after) or "_None._"))
    if others.total:
        sections.append(f"*Issues others raised on decisions {member.name} proposed*\n"
                        + _issue_lines(session, others, members, now, tz, slash, after))
    if compliance:
        sections.append("*Cadence this period*\n" + "\n".join(_compliance_lines(compliance)))
    buttons: list[Button] = []
    if pending.count:
        lines = [_poll_line(p, tz) for p in pending.first]
        if pending.count > len(pending.first):
            lines.append(f"_\u2026and {pending.count - len(pending.first)} more: "
                         f"`{slash} polls`._")
        sections.append(f"*Awaiting {member.name}\u2019s position*\n" + "\n".join(lines))
        for poll in pending.first:
            buttons.append(Button(f"Concur: P{poll.id}", CONCUR_ACTION, str(poll.id), "primary"))
            buttons.append(Button(f"Object\u2026: P{poll.id}", OBJECT_ACTION, str(poll.id), "danger"))
    else:
        sections.append(f"*Awaiting {member.name}\u2019s position*\n_Nothing: "
                        f"{member.name} has a position on every open poll._")
    next_meeting = (meeting_label(session, meetings.items[0], tz) if meetings.items
                    else "none scheduled")
    return Message(
        header=council.name,
        text=f"You act for *{member.name}* as {role}. One member, one voice: any of its "
             f"delegates sets {member.name}\u2019s position.",
        fields=[("Polls awaiting a position", str(pending.count)),
                ("Next meeting", next_meeting),
                (f"Open issues raised by {member.name}", str(raised.total)),
                _compliance_field(compliance)],
        sections=sections,
        buttons=buttons,
        context=[f"Updated {slack_date(now, tz)}. `{slash} help` lists every command."],
    )


def _council_view(session: Session, council: Council, actor: Actor, now: datetime,
                  tz: ZoneInfo, members: dict[int, Member], bodies: list[Body],
                  slash: str, after: timedelta) -> Message:
    compliance = _compliance(session, bodies, now, tz)
    open_ = polls.closing_first(session, council.id or 0, SHOWN)
    shown, open_count = open_.items, open_.total
    tallies = polls.tally(session, shown)
    meetings = upcoming_meetings(session, council.id or 0, now)
    issues = open_issue_page(session, council.id or 0, SHOWN)
    overdue = overdue_count(session, council.id or 0, now, after)
    who = f"the {council.chair_title}" if actor.is_chair else "the secretariat"
    sections = [
        "*Open polls*\n" + ("\n".join(_poll_line(p, tz, tallies[p.id or 0]) for p in shown)
                             or "_None._")
        + (f"\n_\u2026and {open_count - len(shown)} more: `{slash} polls`._"
           if open_count > len(shown) else ""),
        f"*Upcoming meetings*\n{_meeting_lines(session, meetings.items, tz)}",
        "*Open implementation issues*\n" + (_issue_lines(session, issues, members, now, tz, slash, after)
                                            or "_None._"),
    ]
    if compliance:
        sections.append("*Cadence this period*\n" + "\n".join(_compliance_lines(compliance)))
    return Message(
        header=council.name,
        text=f"The council at a glance, for {who}.",
        fields=[("Open polls", str(open_count)),
                ("Meetings ahead", str(meetings.total)),
                ("Open issues", str(issues.total)),
                ("Overdue issues", str(overdue)),
                _compliance_field(compliance)],
        sections=sections,
        context=[f"Updated {slack_date(now, tz)}. `{slash} status` shows the compliance dashboard."],
    )


def _public_view(session: Session, council: Council, admins: frozenset[str], now: datetime,
                 tz: ZoneInfo, slash: str) -> Message:
    meetings = upcoming_meetings(session, council.id or 0, now)
    decisions = list(session.exec(
        select(JointDecision).where(JointDecision.council_id == council.id)
        .order_by(col(JointDecision.id).desc()).limit(5)))
    issues = open_issue_page(session, council.id or 0, 1)  # its total
    secretariat = ", ".join(f"<@{u}>" for u in sorted(admins)) or "the secretariat"
    sections = [f"*Upcoming meetings*\n{_meeting_lines(session, meetings.items, tz)}",
                "*Latest joint decisions*\n" + ("\n".join(
                    f"\u2022 {decision_label(d, 160)}, adopted {slack_date(d.adopted_at, tz)}"
                    for d in decisions) or "_None yet._")]
    return Message(
        header=council.name,
        text="You are not in a member\u2019s delegation, so this shows what is public: the "
             "meetings ahead, the joint decisions, and how many implementation issues are open "
             f"({issues.total}).",
        sections=sections,
        context=[f"To act for a member, ask {secretariat} to add you to its delegation "
                 f"(`{slash} delegate add <member> @you`). `{slash} help` lists every command.",
                 ROME],
    )


def home_message(session: Session, council: Council, user_id: str, admins: frozenset[str],
                 now: datetime, slash: str = "/nrc",
                 after: timedelta = DEFAULT_OVERDUE) -> Message:
    """The App Home of one user, as of ``now``; ``after``: the deployment's overdue period."""
    actor = resolve_actor(session, council, user_id, admins)
    tz = ZoneInfo(council.timezone)
    members = _members(session, council.id or 0)
    # Loaded once and held while the Home is built: the session then finds the body of
    # every meeting label here (``session.get``) instead of asking for it again.
    bodies = bodies_of(session, council.id or 0)
    if actor.member is not None:
        view = _delegate_view(session, council, actor, now, tz, members, bodies, slash, after)
        if actor.is_chair or actor.is_admin:
            glance = _council_view(session, council, actor, now, tz, members, bodies, slash, after)
            view.sections.extend(["*The whole council*", *glance.sections])
        return view
    if actor.is_chair or actor.is_admin:
        return _council_view(session, council, actor, now, tz, members, bodies, slash, after)
    return _public_view(session, council, admins, now, tz, slash)


# -- publishing ---------------------------------------------------------------


def render_home(session: Session, council_id: int, user_id: str, admins: frozenset[str],
                now: datetime, slash: str = "/nrc",
                after: timedelta = DEFAULT_OVERDUE) -> Message:
    """Build a user's Home for delivery, as of the moment it is sent."""
    council = session.get(Council, council_id)
    if council is None:
        return Message(text="This council no longer exists.")
    return home_message(session, council, user_id, admins, now, slash, after)


def home_opened(ctx: Context, event_id: str | None) -> Message:
    """``app_home_opened``: publish the viewer's Home, once per Slack event (retries are no-ops)."""
    if event_id and not claim_event(ctx.session, ctx.council_id, event_id, ctx.now):
        return Message(text="Already published for this event.")
    ctx.refresh_homes(users=[ctx.actor.user_id], settle=timedelta(0))  # the viewer is looking now
    return Message(text="Published.")
