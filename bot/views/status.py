"""The ``status`` dashboard: one screen of the whole council, read from every feature.

A read model: it depends on the meetings (bodies, cadence, requests), the polls and the
implementation issues; none of them imports it.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from zoneinfo import ZoneInfo

from sqlalchemy import func
from sqlmodel import Session, select

from bot import meetings
from bot.cadence import Compliance, Verdict
from bot.context import Context
from bot.errors import CommandError
from bot.i18n import _, named, ngettext
from bot.meetings import queries as meetings_queries
from bot.meetings.render import verdict_line
from bot.messages import Message, escape
from bot.registry import command
from bot.times import slack_date
from storage.models import Body, ExtraordinaryRequest, ImplementationIssue, Meeting, Proposal
from storage.statuses import IssueStatus, ProposalStatus


def open_counts(session: Session, council_id: int) -> tuple[int, int]:
    """How many consensus polls and implementation issues are open."""
    polls = session.exec(select(func.count()).select_from(Proposal).where(
        Proposal.council_id == council_id, Proposal.status == ProposalStatus.OPEN)).one()
    issues = session.exec(select(func.count()).select_from(ImplementationIssue).where(
        ImplementationIssue.council_id == council_id,
        ImplementationIssue.status == IssueStatus.OPEN)).one()
    return int(polls), int(issues)


def status_board(council_name: str, now: datetime, tz: ZoneInfo,
                 cadence_lines: Sequence[tuple[Body, Compliance, str | None]],
                 upcoming: Sequence[tuple[Meeting, Body]],
                 requests: Sequence[tuple[str, ExtraordinaryRequest]],
                 polls: int, issues: int) -> Message:
    """The ``status`` screen. ``cadence_lines``: each body's current compliance and the
    label of a previous period that closed breached, if any; ``requests``: each open
    extraordinary request with its requester's name."""
    lines = []
    for body, comp, breached in cadence_lines:
        line = f"*{named(body)}*: {verdict_line(comp, tz)}"
        if breached is not None:
            line += " " + _("({period}: ❌ breached)", period=breached)
        lines.append(line)
    meeting_lines = [f"*M{m.id}* {slack_date(m.starts_at, tz)}: {escape(m.title)} ({named(b)})"
                     for m, b in upcoming] or [_("_None scheduled._")]
    sections = [_("*Cadence this period*") + "\n" + "\n".join(lines),
                _("*Next meetings*") + "\n" + "\n".join(meeting_lines)]
    if requests:
        sections.append(_("*Extraordinary meetings requested, not yet scheduled*") + "\n"
                        + "\n".join(f"E{r.id}. {who}, {slack_date(r.created_at, tz)}: "
                                    f"{escape(r.reason[:200])}" for who, r in requests))
    at_risk = sum(comp.verdict is Verdict.AT_RISK for _body, comp, _label in cadence_lines)
    summary = (_("every body is on its cadence") if not at_risk
               else ngettext("{n} body is at risk", "{n} bodies are at risk", at_risk))
    return Message(
        text=_("{council} as of {when}: {summary}.", council=council_name,
               when=slack_date(now, tz), summary=summary),
        header=_("Status"),
        sections=sections,
        context=[_("Open consensus polls: {polls}. Open implementation issues: {issues}.",
                   polls=polls, issues=issues)],
    )


@command("status", "status")
def status(ctx: Context, args: str) -> Message:
    """One screen: each body's compliance, the next meetings, open requests, polls and issues."""
    if args.strip():
        raise CommandError(_('Unexpected "{text}"; status takes no arguments.',
                             text=args.strip()[:40]))
    every = meetings.bodies_of(ctx.session, ctx.council_id)
    standing = meetings.standings(ctx.session, every, ctx.now, ctx.tz)
    cadence_lines = []
    for body in every:
        if body.id not in standing:
            continue
        comp, before = standing[body.id].current, standing[body.id].previous
        breached = before.period.label if meetings.breach_counts(body.created_at, before) else None
        cadence_lines.append((body, comp, breached))
    upcoming = meetings_queries.upcoming_meetings(ctx.session, ctx.council_id, ctx.now, 5)
    requests = [(meetings.requester_name(ctx.session, ctx.council, r), r)
                for r in meetings_queries.open_requests(ctx.session, ctx.council_id)]
    polls, issues = open_counts(ctx.session, ctx.council_id)
    return status_board(named(ctx.council), ctx.now, ctx.tz, cadence_lines, upcoming,
                               requests, polls, issues)
