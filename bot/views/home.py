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
from bot.i18n import N_, _, named, ngettext
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

#: The cadence verdicts as the Home words them (their values are the English words).
VERDICT_WORDS = {Verdict.ON_TRACK: N_("on track"), Verdict.AT_RISK: N_("at risk"),
                 Verdict.BREACHED: N_("breached")}


def _verdict(verdict: Verdict) -> str:
    return _(VERDICT_WORDS.get(verdict, verdict.value))


def _more(hidden: int, slash: str, what: str) -> str:
    """``_…and 3 more: `/nrc polls`._``"""
    return ngettext("_\u2026and {n} more: `{command}`._", "_\u2026and {n} more: `{command}`._",
                    hidden, command=f"{slash} {what}")


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
        return _("_No meetings are scheduled._")
    items = dict(session.execute(
        select(AgendaItem.meeting_id, func.count())
        .where(col(AgendaItem.meeting_id).in_([m.id for m in meetings]))
        .group_by(col(AgendaItem.meeting_id))).all())
    lines = []
    for m in meetings:
        on_agenda = items.get(m.id or 0, 0)
        extra = f" \u2014 {excerpt(m.title, 80)}" if m.title else ""
        if m.extraordinary:
            extra += " " + _("_(extraordinary)_")
        if on_agenda:
            extra += " " + ngettext("({n} agenda item)", "({n} agenda items)", on_agenda)
        lines.append(f"\u2022 {meeting_label(session, m, tz)}{extra}")
    return "\n".join(lines)


def _issue_lines(session: Session, issues: Page[ImplementationIssue], members: dict[int, Member],
                 now: datetime, tz: ZoneInfo, slash: str, after: timedelta) -> str:
    lines = []
    for issue in issues.items:
        where = placement_label(session, issue, now, tz)
        late = (" " + ngettext("_overdue: open {n} day_", "_overdue: open {n} days_",
                               days_open(issue, now))
                if is_overdue(issue, now, after) else "")
        lines.append(_("\u2022 *I{issue}* on D{decision} ({member}): {text} \u2014 on the "
                       "agenda of {where}", issue=issue.id, decision=issue.decision_id,
                       member=named(members[issue.member_id]), text=excerpt(issue.text, 120),
                       where=where) + late)
    if issues.total > len(issues.items):
        lines.append(_more(issues.total - len(issues.items), slash, "issues"))
    return "\n".join(lines)


def _poll_line(poll: Proposal, tz: ZoneInfo, tally: dict[str, int] | None = None) -> str:
    mode = _("explicit consensus") if poll.mode == "explicit" else _("silence procedure")
    line = _("\u2022 *P{poll}*: {text} \u2014 closes {deadline} ({mode})", poll=poll.id,
             text=excerpt(poll.text, 160), deadline=slack_date(poll.deadline, tz), mode=mode)
    if tally is not None:
        concurred, objected = tally.get("concur", 0), tally.get("object", 0)
        silent = len(poll.electorate) - concurred - objected
        line += "\n    " + _("{concurred} concurred, {objected} objected, {silent} silent",
                             concurred=concurred, objected=objected, silent=silent)
    return line


def _compliance(session: Session, bodies: list[Body], now: datetime,
                tz: ZoneInfo) -> list[tuple[Body, Compliance]]:
    """Each body with a mandated cadence and its standing this period (the meetings' rule)."""
    found = standings(session, bodies, now, tz)
    return [(body, found[body.id].current) for body in bodies if body.id in found]


def _compliance_lines(compliance: list[tuple[Body, Compliance]]) -> list[str]:
    return [f"\u2022 *{named(body)}*: {_verdict(comp.verdict)} ({comp.summary()})"
            for body, comp in compliance]


def _compliance_field(compliance: list[tuple[Body, Compliance]]) -> tuple[str, str]:
    """``2 on track, 1 at risk``: counted from the verdicts, in the verdicts' order."""
    counts = {v: sum(comp.verdict is v for _body, comp in compliance) for v in Verdict}
    shown = ", ".join(f"{n} {_verdict(v)}" for v, n in counts.items() if n) \
        or _("no mandated cadence")
    return (_("Cadence this period"), shown)


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
    role = _(ROLES.get(actor.delegate_role or "", N_("delegate")))
    name = named(member)
    sections = [_("*Upcoming meetings*") + "\n" + _meeting_lines(session, meetings.items, tz)]
    sections.append(_("*Open implementation issues raised by {member}*", member=name) + "\n"
                    + (_issue_lines(session, raised, members, now, tz, slash, after)
                       or _("_None._")))
    if others.total:
        sections.append(_("*Issues others raised on decisions {member} proposed*", member=name)
                        + "\n" + _issue_lines(session, others, members, now, tz, slash, after))
    if compliance:
        sections.append(_("*Cadence this period*") + "\n"
                        + "\n".join(_compliance_lines(compliance)))
    buttons: list[Button] = []
    awaiting = _("*Awaiting {member}\u2019s position*", member=name)
    if pending.count:
        lines = [_poll_line(p, tz) for p in pending.first]
        if pending.count > len(pending.first):
            lines.append(_more(pending.count - len(pending.first), slash, "polls"))
        sections.append(awaiting + "\n" + "\n".join(lines))
        for poll in pending.first:
            buttons.append(Button(_("Concur: P{poll}", poll=poll.id), CONCUR_ACTION,
                                  str(poll.id), "primary"))
            buttons.append(Button(_("Object\u2026: P{poll}", poll=poll.id), OBJECT_ACTION,
                                  str(poll.id), "danger"))
    else:
        sections.append(awaiting + "\n" + _("_Nothing: {member} has a position on every open "
                                            "poll._", member=name))
    next_meeting = (meeting_label(session, meetings.items[0], tz) if meetings.items
                    else _("none scheduled"))
    return Message(
        header=named(council),
        text=_("You act for *{member}* as {role}. One member, one voice: any of its "
               "delegates sets {member}\u2019s position.", member=name, role=role),
        fields=[(_("Polls awaiting a position"), str(pending.count)),
                (_("Next meeting"), next_meeting),
                (_("Open issues raised by {member}", member=name), str(raised.total)),
                _compliance_field(compliance)],
        sections=sections,
        buttons=buttons,
        context=[_("Updated {when}. `{command} help` lists every command.",
                   when=slack_date(now, tz), command=slash)],
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
    text = (_("The council at a glance, for the {chair_title}.", chair_title=council.chair_title)
            if actor.is_chair else _("The council at a glance, for the secretariat."))
    sections = [
        _("*Open polls*") + "\n"
        + ("\n".join(_poll_line(p, tz, tallies[p.id or 0]) for p in shown) or _("_None._"))
        + ("\n" + _more(open_count - len(shown), slash, "polls")
           if open_count > len(shown) else ""),
        _("*Upcoming meetings*") + "\n" + _meeting_lines(session, meetings.items, tz),
        _("*Open implementation issues*") + "\n"
        + (_issue_lines(session, issues, members, now, tz, slash, after) or _("_None._")),
    ]
    if compliance:
        sections.append(_("*Cadence this period*") + "\n"
                        + "\n".join(_compliance_lines(compliance)))
    return Message(
        header=named(council),
        text=text,
        fields=[(_("Open polls"), str(open_count)),
                (_("Meetings ahead"), str(meetings.total)),
                (_("Open issues"), str(issues.total)),
                (_("Overdue issues"), str(overdue)),
                _compliance_field(compliance)],
        sections=sections,
        context=[_("Updated {when}. `{command} status` shows the compliance dashboard.",
                   when=slack_date(now, tz), command=slash)],
    )


def _public_view(session: Session, council: Council, admins: frozenset[str], now: datetime,
                 tz: ZoneInfo, slash: str) -> Message:
    meetings = upcoming_meetings(session, council.id or 0, now)
    decisions = list(session.exec(
        select(JointDecision).where(JointDecision.council_id == council.id)
        .order_by(col(JointDecision.id).desc()).limit(5)))
    issues = open_issue_page(session, council.id or 0, 1)  # its total
    secretariat = ", ".join(f"<@{u}>" for u in sorted(admins)) or _("the secretariat")
    sections = [_("*Upcoming meetings*") + "\n" + _meeting_lines(session, meetings.items, tz),
                _("*Latest joint decisions*") + "\n" + ("\n".join(
                    _("\u2022 {decision}, adopted {when}", decision=decision_label(d, 160),
                      when=slack_date(d.adopted_at, tz))
                    for d in decisions) or _("_None yet._"))]
    return Message(
        header=named(council),
        text=_("You are not in a member\u2019s delegation, so this shows what is public: the "
               "meetings ahead, the joint decisions, and how many implementation issues are "
               "open ({open}).", open=issues.total),
        sections=sections,
        context=[_("To act for a member, ask {secretariat} to add you to its delegation "
                   "(`{command} delegate add <member> @you`). `{command} help` lists every "
                   "command.", secretariat=secretariat, command=slash),
                 _(ROME)],
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
            view.sections.extend([_("*The whole council*"), *glance.sections])
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
        return Message(text=_("This council no longer exists."))
    return home_message(session, council, user_id, admins, now, slash, after)


def home_opened(ctx: Context, event_id: str | None) -> Message:
    """``app_home_opened``: publish the viewer's Home, once per Slack event (retries are no-ops)."""
    if event_id and not claim_event(ctx.session, ctx.council_id, event_id, ctx.now):
        return Message(text=_("Already published for this event."))
    ctx.refresh_homes(users=[ctx.actor.user_id], settle=timedelta(0))  # the viewer is looking now
    return Message(text=_("Published."))
