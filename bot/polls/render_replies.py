"""The replies a person alone sees about a poll: opened, recorded, extended, amended, refused."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from bot.messages import Message, count, escape
from bot.polls.render import VERB, clip, working_time_sentence
from bot.polls.render_adopted import Adopted, adopted_as
from bot.polls.render_statements import kind_label
from bot.polls.rules import (
    Stance,
    Stated,
)
from bot.times import slack_date
from storage.models import Member, Proposal
from storage.statuses import ProposalKind


def opened_reply(proposal: Proposal, tz: ZoneInfo, note: str | None = None,
                 slash: str = "/nrc") -> Message:
    what = ", a draft joint statement," if proposal.kind == ProposalKind.JOINT_STATEMENT else ""
    return Message(text=f"Opened *P{proposal.id}*{what} ({proposal.mode} procedure) in the council "
                   f"channel; deadline {slack_date(proposal.deadline, tz)}."
                   + working_time_sentence(note, proposal, tz, slash))


def position_form_message(proposal: Proposal, member: Member, stance: Stance,
                          current: Stated | None, tz: ZoneInfo) -> Message:
    """What a delegate reads before taking a position by button."""
    now = (f"{member.name}'s current position: {current.stance}."
           if current else f"{member.name} has not taken a position yet.")
    title = "Concur with" if stance is Stance.CONCUR else "Object to"
    return Message(text=escape(proposal.text),
                   header=f"{title} P{proposal.id}",
                   context=[f"You act for {escape(member.name)}. {now} "
                            f"Deadline {slack_date(proposal.deadline, tz)}."])


#: A delegation's roles as a refusal names them.
_ROLE_WORDS = {"head": "head of delegation", "deputy": "deputy head of delegation",
               "milrep": "military representative", "expert": "expert"}


def not_authorised(member: Member, role: str | None, authorised: tuple[str, ...]) -> str:
    """"A refusal says who may": "Only the head or the deputy head of delegation may object
    for Russian Federation; you are its expert." """
    words = [f"the {_ROLE_WORDS.get(r, r)}" for r in authorised]
    who = words[0] if len(words) == 1 else ", ".join(words[:-1]) + " or " + words[-1]
    for joint in (" or ", ", "):  # "the head or the deputy head of delegation"
        who = who.replace(f"head of delegation{joint}the deputy", f"head{joint}the deputy")
    you = f"; you are its {_ROLE_WORDS.get(role, role)}" if role else ""
    return f"Only {who} may object for {escape(member.name)}{you}."


def more_time_asked(member: Member, proposal: Proposal, reason: str, tz: ZoneInfo) -> str:
    """The thread reply and the Chair's DM: a member asks for more time, still silent."""
    return (f"{escape(member.name)} asks for more time on P{proposal.id} (version "
            f"{proposal.version}): {escape(reason)}\nIts silence stands; the deadline is "
            f"{slack_date(proposal.deadline, tz)} unless the Chair extends it.")


def more_time_reply(member: Member, proposal: Proposal, *, again: bool, chair: bool) -> Message:
    if again:
        return Message(text=f"{escape(member.name)} has already asked for more time on version "
                            f"{proposal.version} of P{proposal.id}; it was said then.")
    told = "The Chair is told" if chair else "No Chair is set; the poll's thread is told"
    return Message(text=f"{told} that {escape(member.name)} asks for more time on "
                        f"P{proposal.id}; your member's position and the deadline are unchanged.")


def unchanged_reply(member: Member, proposal: Proposal, stance: Stance, kept: bool) -> Message:
    """A position repeated: nothing changed."""
    stands = "; its statement stands" if kept else ""
    return Message(text=f"{member.name} already {VERB[stance]} on P{proposal.id}"
                   f"{stands}; nothing changed.")


def recorded(member: Member, proposal: Proposal, stance: Stance,
             current_stance: str | None, current_user_id: str | None,
             replaced: str | None, *, withdrawn: bool = False) -> str:
    """The sentence that confirms a position, saying what it replaced and whose statement."""
    recorded = f"Recorded: {member.name} {VERB[stance]} on P{proposal.id}"
    if current_stance is None:
        return f"{recorded}."
    whose = (f"the statement recorded by <@{current_user_id}>" if current_user_id
             else "the statement recorded earlier")
    if withdrawn and current_stance == stance == Stance.CONCUR:
        return f"{recorded}, without a statement: {whose} is withdrawn."
    if current_stance == stance == Stance.CONCUR:  # the same position, another statement
        if replaced is not None:
            return f"{recorded} with a new statement, replacing {whose}."
        return f"{recorded}, now with a statement."
    if replaced is not None:
        return f"{recorded}, replacing its earlier concurrence and {whose}."
    return f"{recorded}, replacing its earlier position ({current_stance})."


def decided_reply(recorded: str, proposal: Proposal, adopted: Adopted | None) -> Message:
    """A position that decided the poll: adopted by every member, or blocked."""
    if adopted is not None:
        return Message(text=f"{recorded} Every member has now concurred: P{proposal.id} is "
                       f"adopted as {adopted_as(adopted)}.")
    return Message(text=f"{recorded} Any objection blocks: P{proposal.id} is closed as blocked.")


def extended_text(proposal: Proposal, previous: datetime, tz: ZoneInfo) -> str:
    return (f"The Chair extended the deadline of P{proposal.id} from "
            f"{slack_date(previous, tz)} to {slack_date(proposal.deadline, tz)}.")


def amended_notice(proposal: Proposal, previous: str, reset: int, tz: ZoneInfo) -> Message:
    """The channel's notice of a new version of the text."""
    return Message(
        text=(f"The Chair amended P{proposal.id}: version {proposal.version} of the text is "
              f"now on the table. Every position was reset ({reset} taken); silence restarts "
              f"with the deadline {slack_date(proposal.deadline, tz)}."),
        sections=[f"*New text:* {escape(proposal.text)}",
                  f"*Previous text:* {escape(clip(previous))}"],
    )


def amended_reply(proposal: Proposal, reset: int, tz: ZoneInfo, note: str | None = None,
                  slash: str = "/nrc") -> Message:
    return Message(text=f"Amended P{proposal.id} to version {proposal.version}; "
                   f"{count(reset, 'position')} reset, new deadline {slack_date(proposal.deadline, tz)}."
                   + working_time_sentence(note, proposal, tz, slash))


def _stated(stance: str, statement: str | None, kind: str | None) -> str:
    """A position in a few words: "concur", "concur with a reservation: “…”", "object: “…”"."""
    if not statement:
        return stance
    if stance == Stance.OBJECT:
        return f"object: “{escape(clip(statement))}”"
    label = kind_label(kind).lower()
    return f"concur with {label}: “{escape(clip(statement))}”"


def colleague_changed(member: Member, proposal: Proposal, actor: str, previous: Stated,
                      stance: str, statement: str | None, kind: str | None) -> Message:
    """The DM to the delegate whose position or statement, set for their member, a
    colleague of the same delegation changed: who changed what, old and new."""
    old = _stated(previous.stance, previous.statement, previous.statement_kind)
    new = _stated(stance, statement, kind)
    return Message(text=f"<@{actor}> changed {escape(member.name)}'s position on "
                        f"P{proposal.id}, which you had set: {old} → {new}.")
