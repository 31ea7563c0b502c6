"""One poll with its history (``polls P3``): plain data in, ``Message`` out.

"the history of versions, objections and amendments kept and shown by ``polls P3``"
"""

from __future__ import annotations

from collections.abc import Mapping
from zoneinfo import ZoneInfo

from bot.i18n import N_, _, named
from bot.messages import Message, escape
from bot.polls.render import amendment_words, clip, headline
from bot.polls.rules import Stance
from bot.times import slack_date
from storage.models import Member, Position, Proposal, ProposalVersion

_ORIGIN = {"open": N_("opened"), "amend": N_("amended by the Chair"),
           "revise": N_("revised by the Chair")}

#: A version's or a poll's state, as the history words it.
_STATE = {"open": N_("open"), "amended": N_("amended"), "revised": N_("revised")}


def _state(status: str) -> str:
    word = _STATE.get(status)
    return _(word) if word else headline(status).replace("_", " ")


def _name(members: Mapping[int, Member], member_id: int) -> str:
    member = members.get(member_id)
    return escape(named(member)) if member else _("member {number}", number=member_id)


def _version_section(version: ProposalVersion, positions: list[Position],
                     members: Mapping[int, Member], tz: ZoneInfo) -> str:
    ended = (f"{_state(version.outcome)} {slack_date(version.closed_at, tz)}"
             if version.outcome and version.closed_at else _("open"))
    origin = _ORIGIN.get(version.origin)
    lines = [_("*Version {version}* ({origin} {opened}, deadline {deadline}, outcome: "
               "{ended})", version=version.version,
               origin=_(origin) if origin else version.origin,
               opened=slack_date(version.opened_at, tz),
               deadline=slack_date(version.deadline, tz), ended=ended),
             f">{escape(clip(version.text))}"]
    for p in positions:
        if p.stance == Stance.OBJECT:
            withdrawn = (" " + _("_(withdrawn {date})_", date=slack_date(p.withdrawn_at, tz))
                         if p.withdrawn_at else "")
            lines.append(_("• {member} objected: {reason}{withdrawn}",
                           member=_name(members, p.member_id),
                           reason=escape(p.statement or ''), withdrawn=withdrawn))
        elif p.stance == Stance.AMEND:
            lines.append(_("• {member} proposed an amendment: {amendment}",
                           member=_name(members, p.member_id),
                           amendment=amendment_words(p)))
    return "\n".join(lines)


def history_message(proposal: Proposal, versions: list[ProposalVersion],
                    positions: list[Position], members: Mapping[int, Member],
                    tz: ZoneInfo) -> Message:
    """Each version (text, origin, opened, deadline, outcome), its objections (with
    withdrawn marks) and its amendments."""
    sections = [_version_section(v, [p for p in positions if p.version == v.version],
                                 members, tz) for v in versions]
    status = _state(proposal.status)
    if not sections:
        sections = [f">{escape(clip(proposal.text))}\n"
                    + _("_No version history was kept for this poll (it opened before "
                        "versions were recorded)._")]
    return Message(text=_("P{number}: {status}, version {version}.", number=proposal.id,
                          status=status, version=proposal.version),
                   header=_("Proposal P{number}: history", number=proposal.id),
                   sections=sections)
