"""The use-cases of a proposal's versions: the Chair revises a text after silence was
broken, and ``polls P3`` shows the history.

"After a poll is blocked or silence is broken, the **Chair may put a revised text under
silence**: ``revise P3 <deadline> <text>`` opens version n+1 of the same proposal (same
P#, a new poll message that links to the earlier one; positions reset; the history of
versions, objections and amendments kept and shown by ``polls P3``)."
"""

from __future__ import annotations

from datetime import datetime

from bot import keys
from bot.context import Context
from bot.errors import CommandError
from bot.i18n import _
from bot.messages import Message
from bot.polls import queries, render, render_history
from bot.polls.rules import OPEN
from bot.polls.rules_breaks import revisable
from bot.polls.service import areas_of, load, poll_key, terms_of
from bot.times import slack_date


def revise(ctx: Context, proposal_id: int, deadline: datetime, text: str) -> Message:
    """Version n+1 of a blocked (or silence-broken) proposal, under silence again."""
    ctx.require("revise")
    proposal = load(ctx, proposal_id)
    if not revisable(proposal.status):
        state = (_("is open; `amend` changes an open poll's text") if proposal.status == OPEN
                 else render.stands(proposal.status))
        raise CommandError(_("P{number} {state}; only a blocked poll, or one whose silence was "
                             "broken, may be revised.", number=proposal.id, state=state))
    if text == proposal.text:
        raise CommandError(_("That is already the text of P{number}; revise it first.",
                             number=proposal.id))
    earlier_key, earlier = poll_key(ctx.session, proposal), proposal.version
    outcome = proposal.status
    proposal.version += 1
    proposal.text = text
    proposal.version_opened_at = ctx.now
    proposal.deadline = deadline
    proposal.status = OPEN
    proposal.closed_at = None
    proposal.outcome_note = None
    queries.add(ctx.session, proposal)
    queries.open_version(ctx.session, proposal, "revise", ctx.actor.user_id)
    ctx.session.flush()
    ctx.audit("poll.revise", {"proposal": proposal.id, "version": proposal.version,
                              "after": outcome, "text": text,
                              "deadline": deadline.isoformat()})
    members = queries.members(ctx.session, ctx.council_id)
    posted = next((v.opened_at for v in reversed(queries.versions(ctx.session, proposal.id))
                   if v.version <= earlier and v.origin != "amend"), proposal.opened_at)
    areas, previous = areas_of(ctx), queries.previous_text(ctx.session, proposal)
    terms = terms_of(ctx, None)
    ctx.post(keys.poll_revision(proposal.id, proposal.version),
             lambda: render.poll_message(proposal, members, {}, ctx.now, ctx.tz, areas,
                                         previous, terms, (earlier, posted)))
    ctx.post(keys.poll_revised(proposal.id, proposal.version),
             lambda: Message(text=_("Revised: see version {version} of P{number}, posted "
                                    "below in this channel.", version=proposal.version,
                                    number=proposal.id)),
             thread_key=earlier_key)
    return Message(text=_("P{number} is under silence again as version {version}, until "
                          "{date}; every position was reset.", number=proposal.id,
                          version=proposal.version, date=slack_date(deadline, ctx.tz)))


def history(ctx: Context, proposal_id: int) -> Message:
    """One poll with its history: versions, objections and amendments."""
    proposal = load(ctx, proposal_id)
    return render_history.history_message(
        proposal, queries.versions(ctx.session, proposal.id),
        queries.all_positions(ctx.session, proposal.id),
        queries.members(ctx.session, ctx.council_id), ctx.tz)
