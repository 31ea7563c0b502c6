"""What implementation issues look like: plain data in, text and ``Message`` out."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from bot.i18n import _, ngettext
from bot.issues.rules import EXCERPT, ROME, shorten
from bot.messages import Message, clip, escape
from bot.times import slack_date
from storage.models import JointDecision


def excerpt(text: str, limit: int = EXCERPT) -> str:
    """User text shortened for a listing, made inert for mrkdwn."""
    return escape(shorten(text, limit))


def _quoted(text: str) -> str:
    """User text as a mrkdwn block quote, made inert."""
    return escape(text).replace("\n", "\n>")


def decision_label(decision: JointDecision, limit: int = 80) -> str:
    return f"*D{decision.id}* ({excerpt(decision.text, limit)})"


def meeting_text(meeting_id: int | None, body_name: str, starts_at: datetime,
                 tz: ZoneInfo) -> str:
    return _("*M{number}* {body}, {when}", number=meeting_id, body=body_name,
             when=slack_date(starts_at, tz))


def waiting_text(meeting_id: int | None = None, cancelled: bool = False) -> str:
    """Where a waiting issue stands; ``meeting_id``: the meeting it was on, if any."""
    if meeting_id is None:
        return _("the next Council meeting, once one is scheduled")
    if cancelled:
        return _("the next Council meeting, once one is scheduled (it was on M{number}, "
                 "cancelled)", number=meeting_id)
    return _("the next Council meeting, once one is scheduled (it was on M{number}, held)",
             number=meeting_id)


def overdue_mark(days: int) -> str:
    return " " + ngettext("_overdue: open {n} day_", "_overdue: open {n} days_", days)


def agenda_text(issue_id: int | None, decision_id: int, text: str) -> str:
    """The agenda item; the agenda names the raising member beside it. Kept as the agenda's
    text (in the source language, like every item's text)."""
    return f"Implementation issue I{issue_id} on joint decision D{decision_id}: {shorten(text)}"


def form_label(decision_id: int | None, text: str) -> str:
    """A decision as the *Raise implementation issue* form lists it (plain text)."""
    flat = " ".join(text.split())
    return clip(f"D{decision_id}: {flat}", 75)


@dataclass(frozen=True)
class Raised:
    """An issue just raised, as its messages tell it."""

    ref: str
    member: str
    user_id: str
    decision_id: int
    decision: str  # the decision's label
    text: str
    source_link: str | None
    where: str
    at: datetime


def raised_post(r: Raised, tz: ZoneInfo) -> Message:
    """The issue in the thread under its decision."""
    source = ""
    if r.source_link and r.source_link not in r.text:
        source = "\n" + _("From <{link}|a message in the channel>.", link=r.source_link)
    return Message(
        header=_("Implementation issue {ref}", ref=r.ref),
        text=_("*{member}* (<@{user}>) raises an issue on the implementation "
               "of joint decision *D{decision}*:", member=r.member, user=r.user_id,
               decision=r.decision_id) + f"\n>{_quoted(r.text)}{source}",
        fields=[(_("On the agenda of"), r.where), (_("Raised"), slack_date(r.at, tz))],
        context=[_(ROME)],
    )


def raised_notice(r: Raised) -> Message:
    """The notice in the channel that points to the thread."""
    return Message(
        text=_("{member} raised implementation issue *{ref}* on joint decision "
               "{decision}; it is in the thread under D{number}. "
               "On the agenda of {where}.", member=r.member, ref=r.ref, decision=r.decision,
               number=r.decision_id, where=r.where))


def raised_chair(r: Raised, slash: str) -> Message:
    """The Chair's direct message."""
    return Message(
        text=_("{member} raised implementation issue *{ref}* on joint decision "
               "{decision}: {text}\nOn the agenda of {where}. "
               "Close it with `{slash} resolve {ref} <note>`.", member=r.member, ref=r.ref,
               decision=r.decision, text=excerpt(r.text, 300), where=r.where, slash=slash))


def raised_reply(r: Raised) -> Message:
    return Message(text=_("Raised *{ref}* for {member} on joint decision *D{number}*; "
                          "it is posted in the thread under D{number} and goes on the "
                          "agenda of {where}.", ref=r.ref, member=r.member,
                          number=r.decision_id, where=r.where))


def withdrawn_post(issue_id: int | None, user_id: str, member: str | None) -> Message:
    """``member``: the raising member's name when its delegation withdrew it."""
    if member:
        return Message(text=_("Implementation issue *I{number}* was withdrawn by <@{user}> "
                              "for {member}; it is off the agenda.", number=issue_id,
                              user=user_id, member=member))
    return Message(text=_("Implementation issue *I{number}* was withdrawn by <@{user}>; "
                          "it is off the agenda.", number=issue_id, user=user_id))


def withdrawn_reply(issue_id: int | None, member: str, decision_id: int) -> Message:
    return Message(text=_("Withdrew *I{number}* (raised by {member} on D{decision}).",
                          number=issue_id, member=member, decision=decision_id))


def resolved_post(issue_id: int | None, user_id: str, note: str) -> Message:
    return Message(
        text=_("Implementation issue *I{number}* is resolved (<@{user}>):", number=issue_id,
               user=user_id) + f"\n>{_quoted(note)}")


def resolved_reply(issue_id: int | None, decision_id: int) -> Message:
    return Message(text=_("Resolved *I{number}*; the note is posted in the thread under "
                          "D{decision}.", number=issue_id, decision=decision_id))


@dataclass(frozen=True)
class Listed:
    """One open issue in the ``issues`` listing."""

    issue_id: int | None
    member: str
    raised_by: str
    created_at: datetime
    text: str
    where: str
    overdue_days: int | None  # None: not overdue


def no_issues(slash: str) -> Message:
    return Message(text=_("No implementation issues are open."),
                   header=_("Implementation issues"),
                   context=[_(ROME), _("Raise one with `{slash} raise <D> <text>`.",
                                       slash=slash)])


def listing(groups: list[tuple[str, list[Listed]]], after: timedelta, slash: str,
            tz: ZoneInfo) -> Message:
    """The open issues by decision: ``groups`` pairs each decision's label with its issues."""
    sections = []
    for label, group in groups:
        lines = [label]
        for item in group:
            late = overdue_mark(item.overdue_days) if item.overdue_days is not None else ""
            lines.append(
                f"\u2022 *I{item.issue_id}* {item.member} (<@{item.raised_by}>), "
                f"{slack_date(item.created_at, tz)}: {excerpt(item.text)}\n"
                "    " + _("on the agenda of {where}", where=item.where) + late)
        sections.append("\n".join(lines))
    found = sum(len(group) for _label, group in groups)
    return Message(
        header=_("Implementation issues"),
        text=ngettext("{n} open implementation issue on {decisions}.",
                      "{n} open implementation issues on {decisions}.", found,
                      decisions=ngettext("{n} joint decision", "{n} joint decisions",
                                         len(groups))),
        sections=sections,
        context=[_(ROME), ngettext("Overdue after {n} day open.", "Overdue after {n} days open.",
                                   after.days) + " "
                 + _("`{slash} resolve <I> <note>` (Chair, secretariat) closes one.",
                     slash=slash)],
    )


def closed_on_agenda(meeting_id: int | None, revision: int, issue_id: int | None,
                     kept: bool) -> Message:
    """A circulated agenda's revision when an issue on it is resolved (its item stays,
    marked resolved) or withdrawn (its item goes)."""
    if kept:
        return Message(text=_("Agenda of M{meeting}, revision {revision}: implementation issue "
                              "I{number} is resolved; its item stays on the agenda, marked "
                              "resolved.", meeting=meeting_id, revision=revision,
                              number=issue_id))
    return Message(text=_("Agenda of M{meeting}, revision {revision}: implementation issue "
                          "I{number} is withdrawn; its item is taken off the agenda.",
                          meeting=meeting_id, revision=revision, number=issue_id))
