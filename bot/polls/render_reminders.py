"""The reminders of a poll: the channel's, naming the members still silent, and a
delegate's direct message (docs/consensus.md: "24 h and 1 h before the deadline")."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from zoneinfo import ZoneInfo

from bot.i18n import _, named
from bot.messages import Message, escape
from bot.polls.render import Members, Positions, _buttons, _name, _names, clip
from bot.polls.rules import Mode, silent, stances
from bot.times import slack_date, span_text
from storage.models import Member, Proposal


def _procedure_rule(proposal: Proposal) -> str:
    if proposal.mode == Mode.EXPLICIT:
        return _("Under the explicit procedure it is adopted only if every member concurs.")
    return _("Under the silence procedure it is adopted then unless a member objects.")


def _addressed_line(members: Members, member_id: int, mentions: Mapping[int, list[str]],
                    nobody: str) -> str:
    """``• *Member*: <@U…>``; the name alone when everyone it addresses chose ``dm`` or
    ``off``; ``nobody`` when it has no one to address."""
    if member_id not in mentions:
        return f"• *{_name(members, member_id)}*: {nobody}"
    users = ", ".join(f"<@{u}>" for u in mentions[member_id])
    return f"• *{_name(members, member_id)}*" + (f": {users}" if users else "")


def reminder_message(proposal: Proposal, members: Members, positions: Positions,
                     now: datetime, tz: ZoneInfo,
                     delegates: Mapping[int, list[str]] | None) -> Message:
    """Names the members still silent, with the delegates to mention (``delegates``: user
    ids by member, for each member that has someone the reminder addresses; None: the
    names alone, in the silence procedure)."""
    quiet = silent(proposal.electorate, stances(positions))
    left = span_text(proposal.deadline - now)
    when = slack_date(proposal.deadline, tz)
    if delegates is None and proposal.mode != Mode.EXPLICIT:
        addressed = _names(members, quiet)
    else:
        nobody = (_("_no delegates_") if proposal.mode == Mode.EXPLICIT
                  else _("_no head of delegation_"))
        addressed = "\n".join(_addressed_line(members, m, delegates or {}, nobody)
                              for m in quiet)
    text = _("P{number} closes {date} ({left} left). {rule} Still silent ({count}):",
             number=proposal.id, date=when, left=left, rule=_procedure_rule(proposal),
             count=len(quiet))
    return Message(text=text, header=_("Reminder: P{number}", number=proposal.id),
                   sections=[addressed, f">{escape(clip(proposal.text))}"],
                   buttons=_buttons(proposal))


def reminder_dm(proposal: Proposal, member: Member, now: datetime, tz: ZoneInfo,
                slash: str) -> Message:
    """The reminder as a direct message to a delegate who chose ``notify dm``."""
    text = _("P{number} closes {date} ({left} left) and {member} has not taken a position "
             "yet. {rule}", number=proposal.id, date=slack_date(proposal.deadline, tz),
             left=span_text(proposal.deadline - now), member=escape(named(member)),
             rule=_procedure_rule(proposal))
    return Message(text=text, header=_("Reminder: P{number}", number=proposal.id),
                   sections=[f">{escape(clip(proposal.text))}"],
                   context=[_("You chose `{slash} notify dm`; `{slash} notify channel` or "
                              "`{slash} notify off` changes how reminders reach you.",
                              slash=slash)],
                   buttons=_buttons(proposal))
