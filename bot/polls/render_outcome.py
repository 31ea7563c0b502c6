"""A closed poll as the channel and the replies tell it: the outcome in its thread, the
channel's notice, and why a closed poll takes no more positions."""

from __future__ import annotations

from zoneinfo import ZoneInfo

from bot.i18n import _
from bot.messages import Message, escape
from bot.polls.render import clip, headline, sentence, stands, withdrawn_by
from bot.polls.rules import WITHDRAWN, Outcome
from bot.times import slack_date
from storage.models import Proposal


def outcome_reply(proposal: Proposal, adopted: str | None, note: str | None = None) -> Message:
    """The reply in the poll's thread; ``adopted``: what it became ("joint decision *D4*");
    ``note`` the outcome in the current language (default: as recorded)."""
    note = proposal.outcome_note or "" if note is None else note
    if adopted is not None:
        return Message(text=_("*Adopted*: {note}. P{number} is now {adopted}.", note=note,
                              number=proposal.id, adopted=adopted))
    if proposal.status == WITHDRAWN:
        by = withdrawn_by(note)
        if by is not None:
            return Message(text=_("*Withdrawn*, by <@{user}>.", user=by))
        return Message(text=f"*{headline(WITHDRAWN).capitalize()}*, {sentence(note)}")
    if proposal.status == Outcome.SILENCE_BROKEN:
        return Message(text=sentence(note))
    word = headline(proposal.status).capitalize()
    return Message(text=f"*{word}*: {sentence(note)}")


def closed_notice(proposal: Proposal, note: str | None = None) -> Message:
    """The channel's own notice of a poll that closed without a decision (``note``: the
    outcome in the current language, default as recorded)."""
    note = proposal.outcome_note or "" if note is None else note
    if proposal.status == WITHDRAWN:
        by = withdrawn_by(note)
        text = (_("P{number} was withdrawn by <@{user}>.", number=proposal.id, user=by)
                if by is not None else f"P{proposal.id}: {sentence(note)}")
    elif proposal.status == Outcome.SILENCE_BROKEN:
        text = f"P{proposal.id}: {sentence(note)}"
    else:
        text = f"P{proposal.id} {stands(proposal.status)}: {sentence(note)}"
    context = []
    if proposal.status == Outcome.BLOCKED:
        context.append(_("Any objection blocks. The Chair may put a revised text under silence "
                         "(`revise`), or it may be proposed again as a new poll."))
    if proposal.status == Outcome.SILENCE_BROKEN:
        context.append(_("The Chair may put a revised text under silence (`revise`)."))
    return Message(text=text, header=f"P{proposal.id} {headline(proposal.status)}",
                   sections=[f">{escape(clip(proposal.text))}"], context=context)


def closed_sentence(proposal: Proposal, tz: ZoneInfo, adopted: str | None,
                    note: str | None = None) -> str:
    """Why a closed poll takes no more positions, naming its outcome (and, if adopted,
    ``adopted``, what it became: "joint decision D4"; ``note`` the outcome in the current
    language, default as recorded)."""
    assert proposal.closed_at is not None
    when = slack_date(proposal.closed_at, tz)
    note = proposal.outcome_note or "" if note is None else note
    if proposal.status == Outcome.ADOPTED:
        if adopted is not None:
            return _("P{number} is closed: it was adopted as {adopted} on {date}.",
                     number=proposal.id, adopted=adopted, date=when)
        return _("P{number} is closed: it was adopted on {date}.", number=proposal.id,
                 date=when)
    if proposal.status == Outcome.BLOCKED:
        return _("P{number} is closed: it was blocked on {date}; {note}", number=proposal.id,
                 date=when, note=sentence(note))
    if proposal.status == Outcome.SILENCE_BROKEN:
        return _("P{number} is closed: its silence was broken on {date}; {note}",
                 number=proposal.id, date=when, note=sentence(note))
    if proposal.status == Outcome.FAILED:
        return _("P{number} is closed: it failed on {date}, when not every member had "
                 "concurred by the deadline.", number=proposal.id, date=when)
    by = withdrawn_by(note) if proposal.status == WITHDRAWN else None
    if by is not None:
        return _("P{number} is closed: it was withdrawn by <@{user}> on {date}.",
                 number=proposal.id, user=by, date=when)
    return _("P{number} is closed: it was {note} on {date}.", number=proposal.id,
             note=proposal.outcome_note, date=when)


def closed_at_deadline(proposal: Proposal, verdict: Outcome, tz: ZoneInfo) -> str:
    """Why a poll past its deadline, not yet closed by the pass, takes nothing more."""
    return _("P{number} closed at its deadline, {date}: it {stands}; the record follows in "
             "the channel.", number=proposal.id, date=slack_date(proposal.deadline, tz),
             stands=stands(verdict.value))
