"""The use-cases of a poll's life: open, extend, amend, withdraw and close it.

The Rome Declaration: the Council "will operate on the principle of
consensus". A poll is open until one member objects (blocked), every member
concurs (adopted), or its deadline passes (silence procedure: adopted;
explicit procedure: failed). The rule itself is :func:`bot.polls.rules.outcome`;
these use-cases record positions, close polls and say so in the channel, each
change with its audit entry and outbox records in one transaction.

Every change is serialised by the council's write lock (commands run with
``mutates=True``, scheduler passes hold it too), so an objection and the last
concurrence, or a position and the close at the deadline, never both win.
"""

from __future__ import annotations

import functools
from collections.abc import Iterable, Mapping
from datetime import datetime
from zoneinfo import ZoneInfo

from sqlmodel import Session

from bot import keys, outbox
from bot.charter import CharterError, load_charter
from bot.context import Context
from bot.errors import CommandError
from bot.i18n import SOURCE, _, using
from bot.messages import Build, Message
from bot.outbox import OutboxWriter
from bot.permissions import Role
from bot.polls import (
    queries,
    queries_register,
    render,
    render_outcome,
    render_replies,
    service_adoption,
)
from bot.polls.render_adopted import Adopted, adopted_as
from bot.polls.render_register import with_supersedes
from bot.polls.rules import (
    MAX_AHEAD,
    OPEN,
    WITHDRAWN,
    Mode,
    Outcome,
    Terms,
    amended_deadline,
    below_minimum,
    electorate,
    extends,
    in_the_past,
    is_proposer,
    outcome,
    past_its_deadline,
    reminders_passed,
    stances,
    too_far_ahead,
)
from bot.registry import members_of
from bot.times import slack_date
from storage.models import Proposal
from storage.statuses import ProposalKind

#: The outbox view that brings a poll's message up to date when it is delivered.
POLL_VIEW = keys.POLL_VIEW

#: What closing a poll needs: a command's Context or a pass's context alike.
Scope = OutboxWriter


# -- reading --------------------------------------------------------------------------


@functools.lru_cache(maxsize=8)
def _charter_areas(path: str | None) -> dict[str, object]:
    try:
        return {a.key: a for a in load_charter(path).areas}
    except CharterError:
        return {}


def areas_of(scope: Scope) -> dict[str, object]:
    """The areas by key (named in the language of the moment where shown,
    ``render.area_name``): the request's charter, or for a pass the configured one."""
    if isinstance(scope, Context):
        return {a.key: a for a in scope.charter.areas}
    return _charter_areas(getattr(getattr(scope, "settings", None), "charter", None))


def verdict_of(session: Session, proposal: Proposal, now: datetime) -> Outcome:
    """What the consensus rule says of an open poll at ``now``."""
    return outcome(Mode(proposal.mode), proposal.electorate,
                   stances(queries.positions(session, proposal)), now, proposal.deadline)


def render_poll(session: Session, council_id: int, ref: object, now: datetime,
                areas: Mapping[str, object]) -> Message:
    """The poll's message as the records show it now: what :func:`refresh` asks for."""
    return poll_builder(session, council_id, ref, now, areas)()


def poll_builder(session: Session, council_id: int, ref: object, now: datetime,
                 areas: Mapping[str, object]) -> Build:
    """The poll read once from the records, and a builder of its message in the language
    of the moment: the channel's copy is rendered in each official language from one read."""
    row = queries.poll_council_and_positions(session, council_id, ref)
    if row is None:
        return lambda: Message(text=_("This poll is no longer on record."))
    proposal, council, held, opening = row
    shown: render.Positions = held
    if proposal.status != OPEN:  # closed: amendments' reasons and withdrawn objections too
        shown = queries.positions(session, proposal)
    members = queries.council_members(session, council)
    previous, revised = queries.previous_text(session, proposal), revised_from(session, proposal)
    tz = ZoneInfo(council.timezone)

    def build() -> Message:
        return with_supersedes(render.poll_message(
            proposal, members, shown, now, tz, areas, previous, Terms.of(opening), revised),
            proposal.supersedes_id)
    return build


def revised_from(session: Session, proposal: Proposal) -> tuple[int, datetime] | None:
    """The version a revision replaced, and when the poll message of that round was posted."""
    revision = queries.revision(session, proposal)
    if revision is None:
        return None
    rounds = [v for v in queries.versions(session, proposal.id)
              if v.version < revision and v.origin != "amend"]
    return revision - 1, rounds[-1].opened_at if rounds else proposal.opened_at


def poll_key(session: Session, proposal: Proposal) -> str:
    """The outbox key of the poll's message now: the first one, or the latest revision's."""
    revision = queries.revision(session, proposal)
    return keys.poll(proposal.id) if revision is None else keys.poll_revision(proposal.id,
                                                                               revision)


def load(ctx: Context, proposal_id: int) -> Proposal:
    proposal = queries.proposal(ctx.session, ctx.council_id, proposal_id)
    if proposal is None:
        raise CommandError(_("There is no proposal P{number}.", number=proposal_id))
    return proposal


def open_poll(ctx: Context, proposal_id: int) -> Proposal:
    """The poll, if it still takes positions and changes; else say how it ended."""
    return open_poll_and_positions(ctx, proposal_id)[0]


def open_poll_and_positions(ctx: Context,
                            proposal_id: int) -> tuple[Proposal, dict[int, queries.Held]]:
    """:func:`open_poll`, with the current text's positions by member, in one query."""
    row = queries.poll_and_positions(ctx.session, ctx.council_id, proposal_id)
    if row is None:
        raise CommandError(_("There is no proposal P{number}.", number=proposal_id))
    proposal, positions = row
    if proposal.status != OPEN:
        record = (service_adoption.adopted_from(ctx.session, proposal)
                  if proposal.status == Outcome.ADOPTED else None)
        note = render.outcome_text(proposal, queries.members(ctx.session, ctx.council_id),
                                   queries.positions(ctx.session, proposal))
        raise CommandError(render_outcome.closed_sentence(proposal, ctx.tz,
                                                  adopted_as(record) if record else None,
                                                  note))
    if past_its_deadline(proposal.deadline, ctx.now):
        verdict = outcome(Mode(proposal.mode), proposal.electorate, stances(positions),
                          ctx.now, proposal.deadline)
        raise CommandError(render_outcome.closed_at_deadline(proposal, verdict, ctx.tz))
    return proposal, positions


def list_polls(ctx: Context) -> Message:
    """The open polls with every member's position."""
    members = queries.members(ctx.session, ctx.council_id)
    proposals = queries.open_polls(ctx.session, ctx.council_id)
    held = queries.positions_on(ctx.session, proposals)
    return render.polls_message(proposals, members, held, ctx.now, ctx.tz)


# -- telling ----------------------------------------------------------------------------


def homes_of(ctx: Context, member_ids: list[int]) -> list[str]:
    """The App Home lists a member's pending positions: its delegates' Homes, and the
    Chair's and the secretariat's, change with a position.

    Only for a position, which concerns a few people. Opening, amending and
    closing a poll concern every delegate; each Home is rebuilt when its
    viewer opens it (``app_home_opened``).
    """
    return ctx.homes_of(member_ids)


def refresh(scope: Scope, proposal: Proposal, homes: Iterable[str] = ()) -> None:
    """Bring the poll's message in the channel up to date (built when it is delivered),
    and the App Homes of ``homes``."""
    scope.refresh(poll_key(scope.session, proposal), POLL_VIEW, proposal.id, homes=homes)


# -- changes ----------------------------------------------------------------------------


def terms_of(ctx: Context, urgent: str | None) -> Terms:
    """The terms a poll opens under: the Chair's urgency and the charter's working time."""
    calendar = ctx.charter.calendar
    if calendar is None:
        return Terms(urgent=urgent)
    return Terms(urgent=urgent, working_days=calendar.working_days, start=calendar.start,
                 end=calendar.end)


def check_silence(ctx: Context, deadline: datetime, urgent: str | None) -> None:
    """The charter's minimum silence: binding on delegations, the Chair below it only
    with ``--urgent <reason>``.

    The practice of consensus (NATO's silence procedure): "a delegation's silence
    period has a charter minimum (24 h for the NRC)".
    """
    if urgent is not None and not ctx.actor.is_chair:
        raise CommandError(_("Only the Chair may put a text under silence with --urgent."))
    minimum = ctx.charter.min_silence
    if not below_minimum(deadline, ctx.now, minimum) or urgent is not None:
        return
    shortest = render.silence_text(minimum)
    if ctx.actor.is_chair:
        raise CommandError(_("The charter's minimum silence is {shortest}; below it, give "
                             'the reason with --urgent, like --urgent "storm warning".',
                             shortest=shortest))
    raise CommandError(_("A delegation's proposal stays under silence for at least {shortest} "
                         "(the charter's minimum); {date} is sooner.", shortest=shortest,
                         date=slack_date(deadline, ctx.tz)))


def check_deadline(ctx: Context, deadline: datetime) -> None:
    """"One in the past or more than 90 days away is refused." (docs/consensus.md)"""
    if in_the_past(deadline, ctx.now):
        raise CommandError(_("The deadline {date} is in the past.",
                             date=slack_date(deadline, ctx.tz)))
    if too_far_ahead(deadline, ctx.now):
        raise CommandError(_("A deadline may be at most {days} days away; {date} is further.",
                             days=MAX_AHEAD.days, date=slack_date(deadline, ctx.tz)))


def check_supersedes(ctx: Context, number: int) -> None:
    """"A decision can be superseded by a later one": it must exist, and not be superseded
    already (the chain stays a line)."""
    if queries.decision(ctx.session, ctx.council_id, number) is None:
        raise CommandError(_("There is no joint decision D{number} to supersede.",
                             number=number))
    later = queries_register.superseded_by(ctx.session, [number])
    if number in later:
        raise CommandError(_("D{number} is already superseded by D{later}; supersede D{later} "
                             "instead.", number=number, later=later[number]))
    pending = queries_register.open_superseding(ctx.session, ctx.council_id, number)
    if pending is not None:
        raise CommandError(_("P{pending}, still open, already proposes to supersede D{number}.",
                             pending=pending, number=number))


def propose(ctx: Context, text: str, area: str | None, mode: Mode,
            deadline: datetime, urgent: str | None = None,
            supersedes: int | None = None,
            kind: ProposalKind = ProposalKind.DECISION) -> Message:
    """Open a consensus poll; its electorate is the members at this moment.

    The typed ``propose``, ``statement joint`` (``kind``: a draft joint statement) and
    the *Open consensus poll* modal all come here, with the same checks: the deadline,
    the minimum silence, the decision superseded.
    """
    check_deadline(ctx, deadline)
    check_silence(ctx, deadline, urgent)
    if supersedes is not None:
        check_supersedes(ctx, supersedes)
    terms = terms_of(ctx, urgent)
    voters = electorate(m.id for m in members_of(ctx))
    if not voters:
        raise CommandError(_("The council has no active members to decide."))
    member = ctx.actor.member
    proposal = Proposal(
        council_id=ctx.council_id, text=text, area=area, mode=mode.value,
        proposer_user_id=ctx.actor.user_id, proposer_member_id=member.id if member else None,
        electorate=voters, version=1, opened_at=ctx.now, version_opened_at=ctx.now,
        deadline=deadline, status=OPEN, supersedes_id=supersedes, kind=kind.value,
    )
    queries.save(ctx.session, proposal)
    queries.open_version(ctx.session, proposal, "open", ctx.actor.user_id)
    ctx.audit(queries.OPENED, {"proposal": proposal.id, "text": text, "area": area,
                               "mode": proposal.mode, "deadline": deadline.isoformat(),
                               "electorate": len(voters), **terms.details(),
                               **({"kind": kind.value} if kind != ProposalKind.DECISION else {}),
                               **({"supersedes": supersedes} if supersedes else {})})
    members, areas = queries.members(ctx.session, ctx.council_id), areas_of(ctx)
    ctx.post(keys.poll(proposal.id), lambda: with_supersedes(render.poll_message(
        proposal, members, {}, ctx.now, ctx.tz, areas, None, terms), supersedes))
    return render_replies.opened_reply(proposal, ctx.tz, terms.note(deadline, ctx.tz), ctx.slash)


def _skip_passed_reminders(ctx: Context, proposal: Proposal) -> None:
    """After an extension, reminders whose moment is already past are recorded as skipped."""
    for ahead in reminders_passed(proposal.deadline, ctx.now):
        outbox.skip(ctx.session, ctx.council_id,
                    keys.poll_reminder(proposal.id, proposal.version, ahead, proposal.deadline),
                    Message(text=f"P{proposal.id} reminder"), ctx.now,
                    "its moment fell before the deadline was moved")


def extend(ctx: Context, proposal: Proposal, deadline: datetime) -> Message:
    """Move an open poll's deadline later. Positions stand."""
    if not extends(proposal.deadline, deadline):
        raise CommandError(_("P{number}'s deadline is already {date}; extend moves it later.",
                             number=proposal.id, date=slack_date(proposal.deadline, ctx.tz)))
    previous = proposal.deadline
    proposal.deadline = deadline
    queries.add(ctx.session, proposal)
    ctx.audit("poll.extend", {"proposal": proposal.id, "version": proposal.version,
                              "from": previous.isoformat(), "to": deadline.isoformat()})
    _skip_passed_reminders(ctx, proposal)
    ctx.post(keys.poll_extended(proposal.id, proposal.version, deadline),
             lambda: Message(text=render_replies.extended_text(proposal, previous, ctx.tz)),
             thread_key=poll_key(ctx.session, proposal))
    refresh(ctx, proposal)
    note = terms_of(ctx, None).note(deadline, ctx.tz)
    text = render_replies.extended_text(proposal, previous, ctx.tz)
    return Message(text=text + render.working_time_sentence(note, proposal, ctx.tz, ctx.slash))


def amend(ctx: Context, proposal: Proposal, text: str) -> Message:
    """Replace an open poll's text: every position is reset, silence restarts."""
    if text == proposal.text:
        raise CommandError(_("That is already the text of P{number}.", number=proposal.id))
    deadline = amended_deadline(proposal.deadline, proposal.version_opened_at, ctx.now)
    previous, reset = proposal.text, len(queries.positions(ctx.session, proposal))
    queries.end_version(ctx.session, proposal, "amended", ctx.now)
    proposal.text = text
    proposal.version += 1
    proposal.version_opened_at = ctx.now
    proposal.deadline = deadline
    queries.add(ctx.session, proposal)
    queries.open_version(ctx.session, proposal, "amend", ctx.actor.user_id)
    ctx.audit("poll.amend", {"proposal": proposal.id, "version": proposal.version,
                             "previous": previous, "text": text,
                             "deadline": proposal.deadline.isoformat(), "positions_reset": reset})
    refresh(ctx, proposal)
    ctx.post(keys.poll_amended(proposal.id, proposal.version),
             lambda: render_replies.amended_notice(proposal, previous, reset, ctx.tz))
    note = terms_of(ctx, None).note(deadline, ctx.tz)
    return render_replies.amended_reply(proposal, reset, ctx.tz, note, ctx.slash)


def withdraw_poll(ctx: Context, proposal_id: int) -> Message:
    """Withdraw an open poll (its proposer's delegation or the Chair)."""
    proposal = load(ctx, proposal_id)
    member = ctx.actor.member
    proposed = is_proposer(ctx.actor.user_id, member.id if member is not None else None,
                           proposal.proposer_user_id, proposal.proposer_member_id)
    ctx.require("withdraw proposal", *((Role.PROPOSER,) if proposed else ()))
    proposal = open_poll(ctx, proposal.id or 0)
    close(ctx, proposal, WITHDRAWN, at=ctx.now, by=ctx.actor.user_id)
    ctx.audit("poll.withdraw", {"proposal": proposal.id, "version": proposal.version})
    return Message(text=_("Withdrew P{number}.", number=proposal.id))


def close(scope: Scope, proposal: Proposal, verdict: str, *, at: datetime,
          by: str | None = None) -> Adopted | None:
    """Close a poll once: record the outcome, and if adopted what it becomes (a joint
    decision, or a joint statement: ``service_adoption``), and say so."""
    assert proposal.status == OPEN, "a poll closes once"
    members = queries.members(scope.session, scope.council_id)
    positions = queries.positions(scope.session, proposal)
    proposal.status = verdict
    proposal.closed_at = at
    with using(SOURCE):  # the record's words; shown in each language by render.outcome_text
        proposal.outcome_note = render.outcome_note(verdict, proposal, members, positions, by)
    record = (service_adoption.adopted_record(scope.council_id, proposal, members, positions, at)
              if verdict == Outcome.ADOPTED else None)
    queries.end_version(scope.session, proposal, verdict, at)
    queries.save(scope.session, proposal, *((record,) if record is not None else ()))
    refresh(scope, proposal)
    revision = queries.revision(scope.session, proposal)
    scope.post(keys.poll_outcome(proposal.id, revision),
               lambda: render_outcome.outcome_reply(
                   proposal, adopted_as(record, bold=True) if record else None,
                   render.outcome_text(proposal, members, positions)),
               thread_key=poll_key(scope.session, proposal))
    if record is not None:
        service_adoption.announce(scope, record, members, areas_of(scope))
    else:
        scope.post(keys.poll_closed(proposal.id, revision), lambda: render_outcome.closed_notice(
            proposal, render.outcome_text(proposal, members, positions)))
    return record
