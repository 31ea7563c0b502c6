"""A meeting's canvas: the Markdown document Slack keeps beside the channel, and the
console prints.

The canvas is a view of the records, not a record: its first line says so, and the
whole document is replaced at the next change (``canvases.edit``), a hand edit with it.
Plain data in, ``Message`` out (``header``: the canvas's title; ``text``: the Markdown).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo

from bot.i18n import N_, _, named
from bot.meetings.render import DEFAULT_MINUTES, duration_words
from bot.messages import Message
from bot.times import local_text
from storage.models import Body, Meeting
from storage.statuses import AgendaState, MeetingStatus

if TYPE_CHECKING:  # the plain records the queries return; render runs no query
    from bot.meetings.queries import AgendaEntry

#: The canvas's first line: who keeps it, and what happens to an edit made by hand.
KEPT_BY = N_("> Kept by nrc-bot from the council's records: an edit made here by hand is "
             "overwritten at the next change. The records are the authority; "
             "`{slash} agenda M{id}` shows them.")
#: Who added an item added by no delegation.
CHAIR_OR_SECRETARIAT = N_("the Chair or the secretariat")


def plain_line(text: str) -> str:
    """User text on one line, its Markdown marks taken literally (a title cannot open a
    heading or a list, nor strike the rest of the document through)."""
    line = " ".join(text.split())
    for mark in ("\\", "*", "_", "~", "`", "[", "]"):
        line = line.replace(mark, "\\" + mark)
    return line


def title(meeting: Meeting) -> str:
    return f"M{meeting.id}: {' '.join(meeting.title.split())}"


def status_words(meeting: Meeting, now: datetime) -> str:
    """Cancelled (with its reason), held once its start has passed, or scheduled."""
    if meeting.status == MeetingStatus.CANCELLED:
        reason = f": {plain_line(meeting.cancel_reason)}" if meeting.cancel_reason else ""
        return _("**cancelled**") + reason
    return _("held") if meeting.starts_at <= now else _("scheduled")


def agenda_heading(meeting: Meeting) -> str:
    """The agenda's state: a draft, circulated (with its revision) or adopted."""
    if meeting.agenda_state == AgendaState.ADOPTED:
        return _("## Agenda (adopted, revision {revision})",
                 revision=max(meeting.agenda_revision, 1))
    if meeting.agenda_state == AgendaState.CIRCULATED:
        return _("## Agenda (circulated, revision {revision})", revision=meeting.agenda_revision)
    return _("## Agenda (draft)")


def agenda_item(number: int, entry: AgendaEntry) -> str:
    """One item in its order, its status and who added it."""
    who = entry.who or _(CHAIR_OR_SECRETARIAT)
    text = plain_line(entry.text if entry.issue_id is None
                      else _("Implementation issue I{number}: {text}", number=entry.issue_id,
                             text=entry.text[:300]))
    if entry.resolved:
        return f"{number}. ~~{text}~~ " + _("(resolved; added by {who})", who=who)
    overdue = f"; {entry.overdue.strip(' _')}" if entry.overdue else ""
    return f"{number}. {text} " + _("(open; added by {who}{overdue})", who=who, overdue=overdue)


def document(meeting: Meeting, body: Body, entries: Sequence[AgendaEntry], tz: ZoneInfo,
             now: datetime, slash: str = "/nrc", sections: Sequence[str] = ()) -> Message:
    """The canvas of a meeting: the warning, then what the announcement says, the agenda
    item by item, and the sections other features add (the meeting's record)."""
    heading = (_("Extraordinary meeting M{number}: {title}", number=meeting.id,
                 title=plain_line(meeting.title)) if meeting.extraordinary
               else _("Meeting M{number}: {title}", number=meeting.id,
                      title=plain_line(meeting.title)))
    lines = [_(KEPT_BY, slash=slash, id=meeting.id), "", f"# {heading}", "",
             _("- **Body:** {body}", body=plain_line(named(body))),
             _("- **When:** {when}", when=local_text(meeting.starts_at, tz))]
    if meeting.previous_starts_at is not None:
        lines.append(_("- **Moved from:** ~~{when}~~",
                       when=local_text(meeting.previous_starts_at, tz)))
    if meeting.venue:
        lines.append(_("- **Venue:** {venue}", venue=plain_line(meeting.venue)))
    lines.append(_("- **Length:** {length}",
                   length=duration_words(meeting.duration_minutes or DEFAULT_MINUTES)))
    lines += [_("- **Status:** {status}", status=status_words(meeting, now)), "",
              agenda_heading(meeting), ""]
    lines += ([agenda_item(n, e) for n, e in enumerate(entries, start=1)]
              or [_("_No items yet._")])
    for section in sections:
        lines += ["", section.strip("\n")]
    return Message(text="\n".join(lines) + "\n", header=title(meeting))


def missing(meeting_id: object) -> Message:
    return Message(text=_("Meeting M{number} is no longer in the records.", number=meeting_id),
                   header=f"M{meeting_id}")


def unavailable_notice(reason: str, admins: Sequence[str]) -> Message:
    """The secretariat's notice, once, that meetings go on without canvases."""
    cc = " ".join(f"<@{user}>" for user in sorted(admins)[:3])
    text = _("meetings have no canvas on this workspace (Slack answered `{reason}`; canvases "
             "need a plan that has them, and the app's `canvases:write` scope). Nothing else "
             "changes: the announcements in this channel hold every agenda.", reason=reason)
    return Message(text=f"{cc + ': ' if cc else ''}{text}")
