"""One poll with its history (``polls P3``): plain data in, ``Message`` out.

"the history of versions, objections and amendments kept and shown by ``polls P3``"
"""

from __future__ import annotations

from collections.abc import Mapping
from zoneinfo import ZoneInfo

from bot.messages import Message, escape
from bot.polls.render import amendment_words, clip
from bot.polls.rules import Stance
from bot.times import slack_date
from storage.models import Member, Position, Proposal, ProposalVersion

_ORIGIN = {"open": "opened", "amend": "amended by the Chair", "revise": "revised by the Chair"}


def _name(members: Mapping[int, Member], member_id: int) -> str:
    member = members.get(member_id)
    return escape(member.name) if member else f"member {member_id}"


def _version_section(version: ProposalVersion, positions: list[Position],
                     members: Mapping[int, Member], tz: ZoneInfo) -> str:
    ended = (f"{version.outcome.replace('_', ' ')} {slack_date(version.closed_at, tz)}"
             if version.outcome and version.closed_at else "open")
    lines = [f"*Version {version.version}* ({_ORIGIN.get(version.origin, version.origin)} "
             f"{slack_date(version.opened_at, tz)}, deadline {slack_date(version.deadline, tz)}"
             f", outcome: {ended})",
             f">{escape(clip(version.text))}"]
    for p in positions:
        if p.stance == Stance.OBJECT:
            withdrawn = (f" _(withdrawn {slack_date(p.withdrawn_at, tz)})_"
                         if p.withdrawn_at else "")
            lines.append(f"• {_name(members, p.member_id)} objected: "
                         f"{escape(p.statement or '')}{withdrawn}")
        elif p.stance == Stance.AMEND:
            lines.append(f"• {_name(members, p.member_id)} proposed an amendment: "
                         f"{amendment_words(p)}")
    return "\n".join(lines)


def history_message(proposal: Proposal, versions: list[ProposalVersion],
                    positions: list[Position], members: Mapping[int, Member],
                    tz: ZoneInfo) -> Message:
    """Each version (text, origin, opened, deadline, outcome), its objections (with
    withdrawn marks) and its amendments."""
    sections = [_version_section(v, [p for p in positions if p.version == v.version],
                                 members, tz) for v in versions]
    status = proposal.status.replace("_", " ")
    if not sections:
        sections = [f">{escape(clip(proposal.text))}\n_No version history was kept for this "
                    "poll (it opened before versions were recorded)._"]
    return Message(text=f"P{proposal.id}: {status}, version {proposal.version}.",
                   header=f"Proposal P{proposal.id}: history", sections=sections)
