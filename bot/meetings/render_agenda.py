"""The messages of an agenda's states and revisions: the thread posts under a meeting's
announcement and the replies to the one who changed it."""

from __future__ import annotations

from bot.messages import Message, count, escape
from storage.models import Meeting

EXCERPT = 120


def quoted(text: str) -> str:
    """An item's text, shortened for a notice."""
    short = text if len(text) <= EXCERPT else text[:EXCERPT - 1] + "…"
    return f"“{escape(short)}”"


def circulated_notice(meeting: Meeting, items: int) -> Message:
    """The thread post when the draft is circulated."""
    return Message(text=f"The agenda of M{meeting.id} is circulated ({count(items, 'item')}). "
                        "From now on every change to it is announced here as a revision.")


def revision_notice(meeting: Meeting, change: str) -> Message:
    """"After circulation, every change is announced as a revision ("Agenda of M4,
    revision 2")"."""
    return Message(text=f"Agenda of M{meeting.id}, revision {meeting.agenda_revision}: "
                        f"{change}")


def adopted_notice(meeting: Meeting, items: int) -> Message:
    """The thread post when the agenda is adopted at the meeting."""
    return Message(text=f"The agenda of M{meeting.id} is adopted ({count(items, 'item')}).")


def change_reply(meeting: Meeting, change: str, revised: bool) -> Message:
    """What the one who changed the agenda is told."""
    thread = (f", and its thread announces revision {meeting.agenda_revision}"
              if revised else "")
    return Message(text=f"On the agenda of M{meeting.id}: {change} The announcement in the "
                        f"channel shows it{thread}.")
