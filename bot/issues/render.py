"""What implementation issues look like: plain data in, text and ``Message`` out."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from bot.issues.rules import EXCERPT, ROME, shorten
from bot.messages import Message, clip, count, escape
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
    return f"*M{meeting_id}* {body_name}, {slack_date(starts_at, tz)}"


def waiting_text(meeting_id: int | None = None, cancelled: bool = False) -> str:
    """Where a waiting issue stands; ``meeting_id``: the meeting it was on, if any."""
    if meeting_id is None:
        return "the next Council meeting, once one is scheduled"
    was = "cancelled" if cancelled else "held"
    return f"the next Council meeting, once one is scheduled (it was on M{meeting_id}, {was})"


def overdue_mark(days: int) -> str:
    return f" _overdue: open {days} days_"


def agenda_text(issue_id: int | None, decision_id: int, text: str) -> str:
    """The agenda item; the agenda names the raising member beside it."""
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
        source = f"\nFrom <{r.source_link}|a message in the channel>."
    return Message(
        header=f"Implementation issue {r.ref}",
        text=f"*{r.member}* (<@{r.user_id}>) raises an issue on the implementation "
             f"of joint decision *D{r.decision_id}*:\n>{_quoted(r.text)}"
             f"{source}",
        fields=[("On the agenda of", r.where), ("Raised", slack_date(r.at, tz))],
        context=[ROME],
    )


def raised_notice(r: Raised) -> Message:
    """The notice in the channel that points to the thread."""
    return Message(
        text=f"{r.member} raised implementation issue *{r.ref}* on joint decision "
             f"{r.decision}; it is in the thread under D{r.decision_id}. "
             f"On the agenda of {r.where}.")


def raised_chair(r: Raised, slash: str) -> Message:
    """The Chair's direct message."""
    return Message(
        text=f"{r.member} raised implementation issue *{r.ref}* on joint decision "
             f"{r.decision}: {excerpt(r.text, 300)}\nOn the agenda of {r.where}. "
             f"Close it with `{slash} resolve {r.ref} <note>`.")


def raised_reply(r: Raised) -> Message:
    return Message(text=f"Raised *{r.ref}* for {r.member} on joint decision *D{r.decision_id}*; "
                        f"it is posted in the thread under D{r.decision_id} and goes on the "
                        f"agenda of {r.where}.")


def withdrawn_post(issue_id: int | None, user_id: str, member: str | None) -> Message:
    """``member``: the raising member's name when its delegation withdrew it."""
    return Message(
        text=f"Implementation issue *I{issue_id}* was withdrawn by <@{user_id}>"
             f"{' for ' + member if member else ''}; it is off the agenda.")


def withdrawn_reply(issue_id: int | None, member: str, decision_id: int) -> Message:
    return Message(text=f"Withdrew *I{issue_id}* (raised by {member} on D{decision_id}).")


def resolved_post(issue_id: int | None, user_id: str, note: str) -> Message:
    return Message(
        text=f"Implementation issue *I{issue_id}* is resolved (<@{user_id}>):\n"
             f">{_quoted(note)}")


def resolved_reply(issue_id: int | None, decision_id: int) -> Message:
    return Message(text=f"Resolved *I{issue_id}*; the note is posted in the thread under "
                        f"D{decision_id}.")


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
    return Message(text="No implementation issues are open.", header="Implementation issues",
                   context=[ROME, f"Raise one with `{slash} raise <D> <text>`."])


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
                f"    on the agenda of {item.where}{late}")
        sections.append("\n".join(lines))
    found = sum(len(group) for _, group in groups)
    return Message(
        header="Implementation issues",
        text=f"{count(found, 'open implementation issue')} "
             f"on {count(len(groups), 'joint decision')}.",
        sections=sections,
        context=[ROME, f"Overdue after {count(after.days, 'day')} open. "
                       f"`{slash} resolve <I> <note>` (Chair, secretariat) closes one."],
    )


def closed_on_agenda(meeting_id: int | None, revision: int, issue_id: int | None,
                     kept: bool) -> Message:
    """A circulated agenda's revision when an issue on it is resolved (its item stays,
    marked resolved) or withdrawn (its item goes)."""
    what = ("is resolved; its item stays on the agenda, marked resolved" if kept
            else "is withdrawn; its item is taken off the agenda")
    return Message(text=f"Agenda of M{meeting_id}, revision {revision}: implementation issue "
                        f"I{issue_id} {what}.")
