"""The use-cases of breaking silence otherwise than by objecting: a member proposes an
amendment, or withdraws its objection.

"Any authorised delegate may **propose an amendment**: silence is broken as by an
objection (the poll closes as *silence broken*, with the member, the amendment text
and the reason), the Chair is told by DM, and the channel sees it in the poll's thread."

"The objecting member may **withdraw its objection** while the Chair has not revised
or closed the matter; that alone does not reopen the poll (the Chair decides)."
"""

from __future__ import annotations

from bot import keys
from bot.context import Context
from bot.errors import CommandError, Refused
from bot.i18n import N_, _, named
from bot.messages import Message
from bot.polls import queries, render, render_replies
from bot.polls.rules import (
    Mode,
    Outcome,
    Stance,
    may_break_silence,
    outcome,
    stances,
)
from bot.polls.rules_breaks import objection_withdrawable
from bot.polls.service import close, load, open_poll_and_positions, poll_key, refresh
from bot.polls.service_adoption import audit_details
from bot.polls.service_positions import _electorate_member
from bot.registry import text_argument
from bot.times import slack_date
from storage.models import Member

#: The permission row of a proposed amendment (``amend`` is the Chair's own, on an open poll).
AMENDMENT = "amendment"


def _authorised(ctx: Context, doing: str) -> None:
    member, role = ctx.actor.member, ctx.actor.delegate_role
    authorised = ctx.charter.break_silence
    if member is not None and not may_break_silence(Stance.AMEND, role, authorised):
        raise Refused(render_replies.not_authorised(member, role, authorised, doing))


def amendment_form(ctx: Context, proposal_id: int) -> tuple[Message, int]:
    """Check that this user may propose an amendment on this poll now (read-only, for the
    button before its form opens); what they answer to, and the text version."""
    ctx.require(AMENDMENT)
    _authorised(ctx, "propose an amendment")
    proposal, _held = open_poll_and_positions(ctx, proposal_id)
    member = _electorate_member(ctx, proposal)
    return (Message(text=_("*P{number}*, version {version}, for {member}:",
                           number=proposal.id, version=proposal.version, member=named(member))
                    + f"\n>{render.clip(proposal.text)}",
                    context=[_("Proposing an amendment breaks silence: the poll closes at once "
                               "and the Chair decides what follows.")]),
            proposal.version)


def propose_amendment(ctx: Context, proposal_id: int, text: str, reason: str, *,
                      version: int | None = None) -> Message:
    """Break silence with an amendment: recorded as the member's position, the poll closes
    (silence broken, or blocked if a member objected), the Chair is told."""
    ctx.require(AMENDMENT)
    _authorised(ctx, "propose an amendment")
    proposal, positions = open_poll_and_positions(ctx, proposal_id)
    member = _electorate_member(ctx, proposal)
    assert member.id is not None
    if version is not None and version != proposal.version:
        raise CommandError(_("P{number} was amended while you were writing: version "
                             "{version} is now on the table; read it first.",
                             number=proposal.id, version=proposal.version))
    text = text_argument(text, N_("text of the amendment"))
    reason = text_argument(reason, N_("reason for the amendment"))
    current = positions.get(member.id)
    if current is None:
        position_id = queries.insert_position(
            ctx.session, council_id=ctx.council_id, proposal_id=proposal.id,
            version=proposal.version, member_id=member.id, stance=Stance.AMEND.value,
            statement=text, user_id=ctx.actor.user_id, at=ctx.now)
    else:
        position_id = current.id
        queries.change_position(ctx.session, position_id, stance=Stance.AMEND.value,
                                statement=text, user_id=ctx.actor.user_id, at=ctx.now)
    queries.set_reason(ctx.session, position_id, reason)
    positions[member.id] = queries.Held(position_id, member.id, Stance.AMEND.value, text,
                                        ctx.actor.user_id)
    verdict = outcome(Mode(proposal.mode), proposal.electorate, stances(positions), ctx.now,
                      proposal.deadline)
    ctx.audit("poll.amendment", {"proposal": proposal.id, "version": proposal.version,
                                 "text": text, "reason": reason,
                                 "replaces": current.stance if current else None}, member)
    decision = close(ctx, proposal, verdict.value, at=ctx.now)
    ctx.audit("poll.close", {"proposal": proposal.id, "version": proposal.version,
                             "outcome": verdict.value,
                             **audit_details(decision)}, member)
    chair = ctx.council.chair_user_id
    if chair:
        key = keys.poll_outcome(proposal.id, queries.revision(ctx.session, proposal))
        members = queries.members(ctx.session, ctx.council_id)
        shown = queries.positions(ctx.session, proposal)
        ctx.dm(keys.chair_told(key), chair, lambda: Message(
            text=f"P{proposal.id}: "
                 f"{render.sentence(render.outcome_text(proposal, members, shown))} "
                 + _("`{slash} revise P{number} <deadline> <text>` puts a revised text under "
                     "silence.", slash=ctx.slash, number=proposal.id)))
    said = (_("silence is broken") if verdict is Outcome.SILENCE_BROKEN
            else _("P{number} stays blocked by an objection", number=proposal.id))
    values = dict(member=named(member), number=proposal.id, said=said)
    return Message(text=_("Recorded {member}'s amendment to P{number}: {said}; the Chair is "
                          "told.", **values) if chair else
                   _("Recorded {member}'s amendment to P{number}: {said}; the Chair decides "
                     "what follows.", **values))


def withdraw_objection(ctx: Context, proposal_id: int) -> Message:
    """Withdraw the actor's member's objection to a blocked poll; the poll stays blocked."""
    ctx.require("withdraw-objection")
    _authorised(ctx, "withdraw its objection")
    proposal = load(ctx, proposal_id)
    member = ctx.actor.member
    assert member is not None and member.id is not None
    held = queries.positions(ctx.session, proposal)
    position = held.get(member.id)
    if position is None or position.stance != Stance.OBJECT:
        objecting = [ctx.session.get(Member, m) for m, p in held.items()
                     if p.stance == Stance.OBJECT]
        names = ", ".join(named(m) for m in objecting if m is not None)
        if names:  # the objection is another member's: say whose it is, as a refusal does
            raise Refused(_("Only the delegation of the member that objected ({names}) may "
                            "withdraw its objection to P{number}.", names=names,
                            number=proposal.id))
        raise CommandError(_("{member} has no objection to P{number} to withdraw.",
                             member=named(member), number=proposal.id))
    if position.withdrawn_at is not None:
        raise CommandError(_("{member} already withdrew its objection to P{number} on {date}.",
                             member=named(member), number=proposal.id,
                             date=slack_date(position.withdrawn_at, ctx.tz)))
    if not objection_withdrawable(proposal.status, position.stance, position.version,
                                  proposal.version, False):
        raise CommandError(_("P{number} is not blocked; an objection is withdrawn only while "
                             "the poll stays blocked and the Chair has not revised it.",
                             number=proposal.id))
    position.withdrawn_at, position.withdrawn_by = ctx.now, ctx.actor.user_id
    queries.add(ctx.session, position)
    ctx.audit("poll.withdraw_objection", {"proposal": proposal.id, "version": proposal.version,
                                          "position": position.id}, member)
    def text() -> str:
        return _("{member} withdrew its objection to P{number}. The poll stays blocked; the "
                 "Chair decides whether to revise it.", member=named(member),
                 number=proposal.id)

    key = keys.poll_withdrawn_objection(proposal.id, proposal.version, member.id)
    ctx.post(key, lambda: Message(text=text()), thread_key=poll_key(ctx.session, proposal))
    chair = ctx.council.chair_user_id
    if chair:
        ctx.dm(keys.chair_told(key), chair, lambda: Message(
            text=text() + " " + _("`{slash} revise P{number} <deadline> <text>` puts a revised "
                                  "text under silence.", slash=ctx.slash,
                                  number=proposal.id)))
    refresh(ctx, proposal)
    return Message(text=text())
