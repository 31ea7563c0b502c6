"""The use-case of a position: a delegate concurs or objects for its member.

**One member, one voice.** Positions belong to members, not people: any delegate
of a member sets the member's position, and a later one replaces the earlier one
while the poll is open. Double clicks change nothing twice. Commands and buttons
both come here.
"""

from __future__ import annotations

from dataclasses import dataclass

from bot import keys
from bot.context import Context
from bot.errors import CommandError, Refused
from bot.i18n import N_, _, named
from bot.messages import Message
from bot.polls import queries, render_replies
from bot.polls.rules import (
    Mode,
    Outcome,
    Stance,
    in_electorate,
    may_break_silence,
    outcome,
    stances,
)
from bot.polls.rules_statements import kind_of, next_statement, replaced_statement
from bot.polls.service import close, homes_of, open_poll_and_positions, poll_key, refresh
from bot.polls.service_adoption import audit_details
from bot.registry import text_argument
from storage.models import Member, Proposal


def _electorate_member(ctx: Context, proposal: Proposal) -> Member:
    member = ctx.actor.member
    assert member is not None and member.id is not None  # DELEGATE role implies a member
    if not in_electorate(member.id, proposal.electorate):
        raise CommandError(_(
            "{member} was not among the members when P{number} opened; a poll's electorate "
            "is fixed when it opens.", member=named(member), number=proposal.id))
    return member


def _authorised(ctx: Context, stance: Stance) -> None:
    """Refuse an objection by a delegate the charter does not let break silence."""
    member, role = ctx.actor.member, ctx.actor.delegate_role
    authorised = ctx.charter.break_silence
    if member is not None and not may_break_silence(stance, role, authorised):
        raise Refused(render_replies.not_authorised(member, role, authorised))


@dataclass(frozen=True)
class PositionForm:
    """What a delegate sees before taking a position by button."""

    message: Message
    version: int
    statement: str | None = None
    """The member's current statement, to pre-fill the Concur form with: a form left
    empty would otherwise look as if the statement were gone."""
    statement_kind: str | None = None
    """The kind of that statement (a ``StatementKind``), to pre-select."""


def position_form(ctx: Context, proposal_id: int, stance: Stance | str) -> PositionForm:
    """Check that this user may take a position on this poll now; show what they answer to.

    Read-only: the buttons call it before opening a modal, so that a refusal
    comes at once and not after the delegate has written a statement.
    """
    stance = Stance(stance)
    ctx.require(stance.value)
    _authorised(ctx, stance)
    proposal, positions = open_poll_and_positions(ctx, proposal_id)
    member = _electorate_member(ctx, proposal)
    current = positions.get(member.id or 0)
    held = (current if current and current.statement and stance is Stance.CONCUR
            and current.stance == Stance.CONCUR else None)
    return PositionForm(
        render_replies.position_form_message(proposal, member, stance, current, ctx.tz),
        proposal.version,
        held.statement if held else None,
        kind_of(held.statement_kind).value if held else None,
    )


def take_position(ctx: Context, proposal_id: int, stance: Stance | str, text: str | None,
                  *, version: int | None = None, kind: str | None = None,
                  withdraw_statement: bool = False) -> Message:
    """Set the actor's member's position; close the poll if that decides it.

    Commands and buttons both come here. ``text`` is the statement of a
    concurrence (optional; ``kind`` a ``StatementKind``, interpretative by
    default) or the reason of an objection (required). ``withdraw_statement``
    concurs without the member's statement. ``version`` is the text version
    the delegate saw (buttons): a position on a text that was amended meanwhile
    is refused rather than moved onto the new text.
    """
    stance = Stance(stance)
    ctx.require(stance.value)
    _authorised(ctx, stance)
    proposal, positions = open_poll_and_positions(ctx, proposal_id)
    member = _electorate_member(ctx, proposal)
    assert member.id is not None
    if version is not None and version != proposal.version:
        raise CommandError(_(
            "P{number} was amended while you were deciding: version {version} is now on the "
            "table; read it and take your position again.", number=proposal.id,
            version=proposal.version))
    current = positions.get(member.id)
    current_stance = current.stance if current else None
    current_statement = current.statement if current else None
    current_kind = (kind_of(current.statement_kind).value if current and current.statement
                    else None)
    if stance is Stance.OBJECT:
        text = text_argument(text or "", N_("reason for the objection"))
    elif text and text.strip():
        text = text_argument(text, N_("statement"))
    statement, statement_kind, kept = next_statement(
        stance, text, kind, withdraw_statement, current_stance, current_statement,
        current_kind)
    if withdraw_statement and not current_statement:
        withdraw_statement = False  # nothing to withdraw: a bare concurrence
    if (current is not None and current.stance == stance and current.statement == statement
            and current_kind == statement_kind):
        return render_replies.unchanged_reply(member, proposal, stance, kept)
    if current is None:
        position_id = queries.insert_position(
            ctx.session, council_id=ctx.council_id, proposal_id=proposal.id,
            version=proposal.version, member_id=member.id, stance=stance.value,
            statement=statement, statement_kind=statement_kind, user_id=ctx.actor.user_id,
            at=ctx.now)
    else:
        position_id = current.id
        queries.change_position(ctx.session, position_id, stance=stance.value,
                                statement=statement, statement_kind=statement_kind,
                                user_id=ctx.actor.user_id, at=ctx.now)
    replaced = replaced_statement(current_stance, current_statement, statement, current_kind,
                                  statement_kind)
    colleague = (current.user_id if current is not None and current.user_id
                 and current.user_id != ctx.actor.user_id else None)
    ctx.audit(f"poll.{stance.value}", {"proposal": proposal.id, "version": proposal.version,
                                        "statement": statement,
                                        "statement_kind": statement_kind,
                                        "replaces": current_stance,
                                        "statement_kept": kept,
                                        "statement_replaced": replaced,
                                        "statement_withdrawn": withdraw_statement,
                                        "previous_by": current.user_id if current else None},
              member)
    if colleague is not None and current is not None:
        ctx.dm(keys.poll_position_changed(proposal.id, member.id, colleague, ctx.now), colleague,
               lambda: render_replies.colleague_changed(
                   member, proposal, ctx.actor.user_id, current, stance.value, statement,
                   statement_kind))
    positions[member.id] = queries.Held(position_id, member.id, stance.value, statement,
                                        ctx.actor.user_id, statement_kind)
    verdict = outcome(Mode(proposal.mode), proposal.electorate, stances(positions), ctx.now,
                      proposal.deadline)
    recorded = render_replies.recorded(member, proposal, stance, current_stance,
                                       current.user_id if current else None, replaced,
                                       withdrawn=withdraw_statement)
    if verdict is Outcome.OPEN:
        refresh(ctx, proposal, homes_of(ctx, [member.id]))
        return Message(text=recorded)
    decision = close(ctx, proposal, verdict.value, at=ctx.now)
    ctx.audit("poll.close", {"proposal": proposal.id, "version": proposal.version,
                             "outcome": verdict.value,
                             **audit_details(decision)}, member)
    return render_replies.decided_reply(recorded, proposal, decision)


def ask_more_time(ctx: Context, proposal_id: int, reason: str) -> Message:
    """A member asks for more time without breaking silence: the Chair is told, the poll's
    thread says so; no position and no deadline changes (the Chair may ``extend``).

    Said once per member and text version: the thread reply's key is the record of it.
    """
    proposal, _held = open_poll_and_positions(ctx, proposal_id)
    member = _electorate_member(ctx, proposal)
    reason = text_argument(reason, N_("reason for more time"))
    key = keys.poll_more_time(proposal.id, proposal.version, member.id)

    def asked() -> Message:
        return Message(text=render_replies.more_time_asked(member, proposal, reason, ctx.tz))

    if not ctx.post(key, asked, thread_key=poll_key(ctx.session, proposal)):
        return render_replies.more_time_reply(member, proposal, again=True, chair=True)
    chair = ctx.council.chair_user_id
    if chair:
        ctx.dm(keys.chair_told(key), chair, asked)
    ctx.audit("poll.more_time", {"proposal": proposal.id, "version": proposal.version,
                                 "reason": reason, "chair_told": chair}, member)
    return render_replies.more_time_reply(member, proposal, again=False, chair=bool(chair))
