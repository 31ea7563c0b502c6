"""The replies a person alone sees about a poll: opened, recorded, extended, amended, refused."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from bot.i18n import N_, _, named, ngettext
from bot.messages import Message, escape
from bot.polls.render import clip, mode_word, working_time_sentence
from bot.polls.render_adopted import Adopted, adopted_as
from bot.polls.render_statements import kind_words
from bot.polls.rules import (
    Stance,
    Stated,
)
from bot.times import slack_date
from storage.models import Member, Proposal
from storage.statuses import ProposalKind


def opened_reply(proposal: Proposal, tz: ZoneInfo, note: str | None = None,
                 slash: str = "/nrc") -> Message:
    values = dict(number=proposal.id, mode=mode_word(proposal.mode),
                  date=slack_date(proposal.deadline, tz))
    text = (_("Opened *P{number}*, a draft joint statement, ({mode} procedure) in the council "
              "channel; deadline {date}.", **values)
            if proposal.kind == ProposalKind.JOINT_STATEMENT else
            _("Opened *P{number}* ({mode} procedure) in the council channel; deadline {date}.",
              **values))
    return Message(text=text + working_time_sentence(note, proposal, tz, slash))


def position_form_message(proposal: Proposal, member: Member, stance: Stance,
                          current: Stated | None, tz: ZoneInfo) -> Message:
    """What a delegate reads before taking a position by button."""
    name = named(member)
    now = (_("{member}'s current position: {stance}.", member=name,
             stance=stance_word(current.stance))
           if current else _("{member} has not taken a position yet.", member=name))
    header = (_("Concur with P{number}", number=proposal.id) if stance is Stance.CONCUR
              else _("Object to P{number}", number=proposal.id))
    return Message(text=escape(proposal.text),
                   header=header,
                   context=[_("You act for {member}. {now} Deadline {date}.",
                              member=escape(name), now=now,
                              date=slack_date(proposal.deadline, tz))])


#: A position in a word, as a form and a DM name it.
_STANCE_WORDS = {Stance.CONCUR.value: N_("concur"), Stance.OBJECT.value: N_("object"),
                 Stance.AMEND.value: N_("amend")}


def stance_word(stance: str) -> str:
    word = _STANCE_WORDS.get(stance)
    return _(word) if word else stance


#: A delegation's roles as a refusal names them.
_ROLE_WORDS = {"head": N_("head of delegation"), "deputy": N_("deputy head of delegation"),
               "milrep": N_("military representative"), "expert": N_("expert")}

#: A refusal's sentences, by what its caller says the delegate may not do: with the role
#: the delegate holds, and without one.
_REFUSALS = {
    "object": (N_("Only {who} may object for {member}; you are its {role}."),
               N_("Only {who} may object for {member}.")),
    "propose an amendment": (
        N_("Only {who} may propose an amendment for {member}; you are its {role}."),
        N_("Only {who} may propose an amendment for {member}.")),
    "withdraw its objection": (
        N_("Only {who} may withdraw its objection for {member}; you are its {role}."),
        N_("Only {who} may withdraw its objection for {member}.")),
}


def _role(role: str) -> str:
    word = _ROLE_WORDS.get(role)
    return _(word) if word else role


def not_authorised(member: Member, role: str | None, authorised: tuple[str, ...],
                   doing: str = "object") -> str:
    """"A refusal says who may": "Only the head or the deputy head of delegation may object
    for Russian Federation; you are its expert." """
    words = [_("the {role}", role=_role(r)) for r in authorised]
    who = (words[0] if len(words) == 1 else
           _("{some} or {last}", some=", ".join(words[:-1]), last=words[-1]))
    for joint in (" or ", ", "):  # "the head or the deputy head of delegation"
        who = who.replace(f"head of delegation{joint}the deputy", f"head{joint}the deputy")
    with_role, without = _REFUSALS[doing]
    if role:
        return _(with_role, who=who, member=escape(named(member)), role=_role(role))
    return _(without, who=who, member=escape(named(member)))


def more_time_asked(member: Member, proposal: Proposal, reason: str, tz: ZoneInfo) -> str:
    """The thread reply and the Chair's DM: a member asks for more time, still silent."""
    return _("{member} asks for more time on P{number} (version {version}): {reason}\nIts "
             "silence stands; the deadline is {date} unless the Chair extends it.",
             member=escape(named(member)), number=proposal.id, version=proposal.version,
             reason=escape(reason), date=slack_date(proposal.deadline, tz))


def more_time_reply(member: Member, proposal: Proposal, *, again: bool, chair: bool) -> Message:
    name = escape(named(member))
    if again:
        return Message(text=_("{member} has already asked for more time on version {version} "
                              "of P{number}; it was said then.", member=name,
                              version=proposal.version, number=proposal.id))
    if chair:
        return Message(text=_("The Chair is told that {member} asks for more time on "
                              "P{number}; your member's position and the deadline are "
                              "unchanged.", member=name, number=proposal.id))
    return Message(text=_("No Chair is set; the poll's thread is told that {member} asks for "
                          "more time on P{number}; your member's position and the deadline "
                          "are unchanged.", member=name, number=proposal.id))


def unchanged_reply(member: Member, proposal: Proposal, stance: Stance, kept: bool) -> Message:
    """A position repeated: nothing changed."""
    values = dict(member=named(member), number=proposal.id)
    if stance is Stance.CONCUR:
        text = (_("{member} already concurs on P{number}; its statement stands; nothing "
                  "changed.", **values) if kept else
                _("{member} already concurs on P{number}; nothing changed.", **values))
    else:
        text = (_("{member} already objects on P{number}; its statement stands; nothing "
                  "changed.", **values) if kept else
                _("{member} already objects on P{number}; nothing changed.", **values))
    return Message(text=text)


def recorded(member: Member, proposal: Proposal, stance: Stance,
             current_stance: str | None, current_user_id: str | None,
             replaced: str | None, *, withdrawn: bool = False) -> str:
    """The sentence that confirms a position, saying what it replaced and whose statement."""
    recorded = (_("Recorded: {member} concurs on P{number}", member=named(member),
                  number=proposal.id) if stance is Stance.CONCUR else
                _("Recorded: {member} objects on P{number}", member=named(member),
                  number=proposal.id))
    if current_stance is None:
        return _("{recorded}.", recorded=recorded)
    whose = (_("the statement recorded by <@{user}>", user=current_user_id) if current_user_id
             else _("the statement recorded earlier"))
    if withdrawn and current_stance == stance == Stance.CONCUR:
        return _("{recorded}, without a statement: {whose} is withdrawn.", recorded=recorded,
                 whose=whose)
    if current_stance == stance == Stance.CONCUR:  # the same position, another statement
        if replaced is not None:
            return _("{recorded} with a new statement, replacing {whose}.", recorded=recorded,
                     whose=whose)
        return _("{recorded}, now with a statement.", recorded=recorded)
    if replaced is not None:
        return _("{recorded}, replacing its earlier concurrence and {whose}.",
                 recorded=recorded, whose=whose)
    return _("{recorded}, replacing its earlier position ({stance}).", recorded=recorded,
             stance=stance_word(current_stance))


def decided_reply(recorded: str, proposal: Proposal, adopted: Adopted | None) -> Message:
    """A position that decided the poll: adopted by every member, or blocked."""
    if adopted is not None:
        return Message(text=_("{recorded} Every member has now concurred: P{number} is "
                              "adopted as {adopted}.", recorded=recorded, number=proposal.id,
                              adopted=adopted_as(adopted)))
    return Message(text=_("{recorded} Any objection blocks: P{number} is closed as blocked.",
                          recorded=recorded, number=proposal.id))


def extended_text(proposal: Proposal, previous: datetime, tz: ZoneInfo) -> str:
    return _("The Chair extended the deadline of P{number} from {previous} to {date}.",
             number=proposal.id, previous=slack_date(previous, tz),
             date=slack_date(proposal.deadline, tz))


def amended_notice(proposal: Proposal, previous: str, reset: int, tz: ZoneInfo) -> Message:
    """The channel's notice of a new version of the text."""
    return Message(
        text=_("The Chair amended P{number}: version {version} of the text is now on the "
               "table. Every position was reset ({reset} taken); silence restarts with the "
               "deadline {date}.", number=proposal.id, version=proposal.version, reset=reset,
               date=slack_date(proposal.deadline, tz)),
        sections=[_("*New text:* {text}", text=escape(proposal.text)),
                  _("*Previous text:* {text}", text=escape(clip(previous)))],
    )


def amended_reply(proposal: Proposal, reset: int, tz: ZoneInfo, note: str | None = None,
                  slash: str = "/nrc") -> Message:
    return Message(text=ngettext("Amended P{number} to version {version}; {n} position reset, "
                                 "new deadline {date}.",
                                 "Amended P{number} to version {version}; {n} positions reset, "
                                 "new deadline {date}.", reset, number=proposal.id,
                                 version=proposal.version,
                                 date=slack_date(proposal.deadline, tz))
                   + working_time_sentence(note, proposal, tz, slash))


def _stated(stance: str, statement: str | None, kind: str | None) -> str:
    """A position in a few words: "concur", "concur with a reservation: “…”", "object: “…”"."""
    if not statement:
        return stance_word(stance)
    if stance == Stance.OBJECT:
        return _("object: “{reason}”", reason=escape(clip(statement)))
    return _("concur with {kind}: “{statement}”", kind=kind_words(kind),
             statement=escape(clip(statement)))


def colleague_changed(member: Member, proposal: Proposal, actor: str, previous: Stated,
                      stance: str, statement: str | None, kind: str | None) -> Message:
    """The DM to the delegate whose position or statement, set for their member, a
    colleague of the same delegation changed: who changed what, old and new."""
    old = _stated(previous.stance, previous.statement, previous.statement_kind)
    new = _stated(stance, statement, kind)
    return Message(text=_("<@{user}> changed {member}'s position on P{number}, which you had "
                          "set: {old} → {new}.", user=actor, member=escape(named(member)),
                          number=proposal.id, old=old, new=new))
