"""The polls' scheduler pass: close the polls whose deadline has come, remind the silent.

"24 h and 1 h before the deadline the pass posts a reminder naming the members still
silent (never those who have taken a position)"; it addresses each one's head of
delegation (in the explicit procedure, every delegate), each as they chose with
``notify``: a mention in the channel, a direct message, or neither. (docs/consensus.md)
"""

from __future__ import annotations

import functools
from collections.abc import Iterable, Sequence
from datetime import datetime, timedelta

from sqlmodel import Session

from bot import keys
from bot.polls import queries
from bot.polls.render import Members, Positions
from bot.polls.render_reminders import reminder_dm
from bot.polls.render_reminders import reminder_message as render_reminder
from bot.polls.rules import (
    REMINDERS,
    Mode,
    Outcome,
    closing_moment,
    outcome,
    past_its_deadline,
    reminders_due,
    silent,
    stances,
)
from bot.polls.service import close, refresh
from bot.polls.service_adoption import audit_details
from bot.scheduler import PassContext, recorded_keys, scheduled_pass
from bot.settings import Settings
from storage.models import Delegate, Notify, Proposal
from storage.roster import roster_for

#: The roles of ``bot.delegations.rules.ROLES`` a reminder addresses in the silence
#: procedure: "the heads of delegations", the head; a member without one, its deputies.
HEAD, DEPUTY = "head", "deputy"


def addressed(delegates: Sequence[Delegate], mode: Mode) -> list[Delegate]:
    """Whom a reminder addresses for one silent member (its delegates, longest seated
    first): in the explicit procedure every delegate, as it always mentioned them;
    otherwise the head of delegation, or without one the deputy heads."""
    if mode == Mode.EXPLICIT:
        return list(delegates)
    heads = [d for d in delegates if d.role == HEAD]
    return heads or [d for d in delegates if d.role == DEPUTY]


def recipients(delegates: Iterable[Delegate], quiet: Iterable[int], mode: Mode
               ) -> tuple[dict[int, list[str]], list[tuple[int, str]]]:
    """The users to mention in the channel's reminder, by silent member (a member with
    no one to address is left out), and the (member, user) pairs to send it by DM: each
    addressed delegate as they chose (``channel``, ``dm``; ``off``: neither)."""
    seated: dict[int, list[Delegate]] = {}
    for d in delegates:
        seated.setdefault(d.member_id, []).append(d)
    mentions: dict[int, list[str]] = {}
    direct: list[tuple[int, str]] = []
    for member_id in quiet:
        chosen = addressed(seated.get(member_id, []), mode)
        if not chosen:
            continue
        mentions[member_id] = [d.user_id for d in chosen if d.notify == Notify.CHANNEL]
        direct += [(member_id, d.user_id) for d in chosen if d.notify == Notify.DM]
    return mentions, direct


def _remind(pctx: PassContext, key: str, proposal: Proposal, ahead: timedelta,
            members: Members, held: Positions) -> int:
    """Record one reminder of a poll in the channel and, once it is recorded to be sent,
    its direct messages (each its own key, so neither is sent twice)."""
    quiet = silent(proposal.electorate, stances(held))
    mode = Mode(proposal.mode)
    mentions, direct = recipients(roster_for(pctx.session, pctx.council_id).delegates,
                                  quiet, mode)
    moment, grace = proposal.deadline - ahead, pctx.grace(ahead)
    sent = pctx.remind(key, moment, lambda: render_reminder(
        proposal, members, held, pctx.now, pctx.tz, mentions), grace)
    if not sent:
        return 0
    refresh(pctx, proposal)  # the time left on the poll itself
    for member_id, user_id in direct:
        sent += pctx.remind(keys.poll_reminder_dm(key, user_id), moment,
                            functools.partial(reminder_dm, proposal, members[member_id],
                                              pctx.now, pctx.tz, pctx.slash),
                            grace, dm_to=user_id)
    return sent


def _polls_due(session: Session, now: datetime, settings: Settings) -> set[int]:
    """Councils with a poll whose deadline has come, or a reminder whose moment has, not
    yet recorded: one query for the open polls with a deadline within the longest
    reminder lead (the deadline index), one for the reminders already recorded.

    A poll that its positions decide before the deadline (an objection, or every member
    concurring) is closed by the position itself, in the same transaction
    (``take_position``), so it is not looked for here.
    """
    due: set[int] = set()
    wanted: set[tuple[int, str]] = set()
    for proposal_id, council_id, version, deadline, opened in queries.open_within(
            session, now, max(REMINDERS)):
        if past_its_deadline(deadline, now):
            due.add(council_id)
            continue
        for ahead in reminders_due(deadline, opened, now):
            wanted.add((council_id, keys.poll_reminder(proposal_id, version, ahead, deadline)))
    return due | {council_id for council_id, _ in wanted - recorded_keys(session, wanted)}


@scheduled_pass("polls", due=_polls_due)
def poll_pass(pctx: PassContext) -> int:
    """Close the polls whose deadline has come (once), and remind the silent."""
    proposals = queries.open_polls(pctx.session, pctx.council_id)
    if not proposals:
        return 0
    members = queries.members(pctx.session, pctx.council_id)
    positions = queries.positions_on(pctx.session, proposals)
    reminders = {(proposal.id, ahead): keys.poll_reminder(proposal.id, proposal.version, ahead,
                                                    proposal.deadline)
                 for proposal in proposals
                 for ahead in reminders_due(proposal.deadline, proposal.version_opened_at,
                                            pctx.now)}
    done = {key for _, key in recorded_keys(
        pctx.session, [(pctx.council_id, key) for key in reminders.values()])}
    recorded = 0
    for proposal in proposals:
        held = positions[proposal.id or 0]
        verdict = outcome(Mode(proposal.mode), proposal.electorate, stances(held), pctx.now,
                          proposal.deadline)
        if verdict is not Outcome.OPEN:
            at = closing_moment(proposal.deadline, pctx.now)
            decision = close(pctx, proposal, verdict.value, at=at)
            pctx.audit("poll.close", {"proposal": proposal.id, "version": proposal.version,
                                      "outcome": verdict.value,
                                      **audit_details(decision)})
            recorded += 2
            continue
        if not silent(proposal.electorate, stances(held)):
            continue
        for ahead in REMINDERS:
            key = reminders.get((proposal.id, ahead))
            if key is None or key in done:
                continue  # not yet due, or before the poll (or this version) opened, or recorded
            recorded += _remind(pctx, key, proposal, ahead, members, held)
    return recorded
