"""The polls' scheduler pass: close the polls whose deadline has come, remind the silent.

"24 h and 1 h before the deadline the pass posts a reminder naming the members still
silent (never those who have taken a position); in the explicit procedure it mentions
their delegates." (docs/consensus.md)
"""

from __future__ import annotations

from datetime import datetime

from sqlmodel import Session

from bot import keys
from bot.polls import queries
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
from bot.polls.service import close, refresh, reminder_message
from bot.scheduler import PassContext, recorded_keys, scheduled_pass
from bot.settings import Settings


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
                                      "decision": decision.id if decision else None})
            recorded += 2
            continue
        if not silent(proposal.electorate, stances(held)):
            continue
        for ahead in REMINDERS:
            key = reminders.get((proposal.id, ahead))
            if key is None or key in done:
                continue  # not yet due, or before the poll (or this version) opened, or recorded
            message = reminder_message(pctx, proposal, members, held)
            sent = pctx.remind(key, proposal.deadline - ahead, message, pctx.grace(ahead))
            if sent:  # the time left on the poll itself
                refresh(pctx, proposal)
            recorded += sent
    return recorded
