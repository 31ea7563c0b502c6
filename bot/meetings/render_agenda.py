"""The messages of an agenda's states and revisions: the thread posts under a meeting's
announcement and the replies to the one who changed it."""

from __future__ import annotations

from bot.i18n import _, ngettext
from bot.messages import Message, escape
from storage.models import Meeting

EXCERPT = 120


def quoted(text: str) -> str:
    """An item's text, shortened for a notice."""
    short = text if len(text) <= EXCERPT else text[:EXCERPT - 1] + "…"
    return f"“{escape(short)}”"


def circulated_notice(meeting: Meeting, items: int) -> Message:
    """The thread post when the draft is circulated."""
    return Message(text=ngettext(
        "The agenda of M{number} is circulated ({n} item). From now on every change to it is "
        "announced here as a revision.",
        "The agenda of M{number} is circulated ({n} items). From now on every change to it is "
        "announced here as a revision.", items, number=meeting.id))


def revision_notice(meeting: Meeting, change: str) -> Message:
    """"After circulation, every change is announced as a revision ("Agenda of M4,
    revision 2")"."""
    return Message(text=_("Agenda of M{number}, revision {revision}: {change}",
                          number=meeting.id, revision=meeting.agenda_revision, change=change))


def adopted_notice(meeting: Meeting, items: int) -> Message:
    """The thread post when the agenda is adopted at the meeting."""
    return Message(text=ngettext("The agenda of M{number} is adopted ({n} item).",
                                 "The agenda of M{number} is adopted ({n} items).", items,
                                 number=meeting.id))


def change_reply(meeting: Meeting, change: str, revised: bool) -> Message:
    """What the one who changed the agenda is told."""
    values = {"number": meeting.id, "change": change, "revision": meeting.agenda_revision}
    return Message(text=_("On the agenda of M{number}: {change} The announcement in the "
                          "channel shows it, and its thread announces revision {revision}.",
                          **values) if revised else
                   _("On the agenda of M{number}: {change} The announcement in the channel "
                     "shows it.", **values))
