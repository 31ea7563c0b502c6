"""Consensus polls, and the register of joint decisions (PRODUCT.md section 4).

The Rome Declaration: the Council "will operate on the principle of
consensus". A poll is open until one member objects (blocked), every member
concurs (adopted), or its deadline passes (silence procedure: adopted;
explicit procedure: failed). The rule itself is :func:`bot.consensus.outcome`;
this module records positions, closes polls and says so in the channel.

Rules this module keeps:

- **One member, one voice.** Positions belong to members, not people: any
  delegate of a member sets the member's position, and a later one replaces
  the earlier one while the poll is open. Double clicks change nothing twice.
- **The electorate is fixed when the poll opens**: the council's active
  members at that instant (``Proposal.electorate``). A member added later
  takes no position on it; a member deactivated later still counts, so its
  objection still blocks and, in the explicit procedure, its concurrence is
  still needed. Delegates may come and go: a position stays the member's,
  whoever of its delegates took it. An amendment keeps the electorate.
- **Positions are per text version.** ``amend`` makes a new version: every
  position is reset and silence restarts with a fresh deadline of the same
  length as the last one.
- Every change is serialised by the council's write lock (commands run with
  ``mutates=True``, scheduler passes hold it too), so an objection and the
  last concurrence, or a position and the close at the deadline, never both
  win.
"""

from __future__ import annotations

import functools
import json
import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import bindparam, func, insert, literal_column, update
from sqlmodel import Session, col, select

from bot import outbox
from bot.charter import CharterError, load_charter
from bot.commands import command, members_of, parse_ref, split_word, text_argument
from bot.consensus import Mode, Outcome, Stance, concurring, objectors, outcome, silent
from bot.context import Context
from bot.errors import CommandError
from bot.messages import Button, Message, count, escape
from bot.outbox import OutboxWriter
from bot.permissions import Role
from bot.scheduler import PassContext, recorded_keys, scheduled_pass
from bot.times import is_duration, parse_duration, parse_when, slack_date, span_text
from storage.models import (
    AuditEntry,
    Council,
    JointDecision,
    Member,
    Position,
    Proposal,
)
from storage.queries import Page, first_page
from storage.roster import roster_for, roster_of

#: The furthest a deadline may lie ahead.
MAX_AHEAD = timedelta(days=90)
#: Reminders before the deadline, naming the members still silent.
REMINDERS = (timedelta(hours=24), timedelta(hours=1))
WITHDRAWN = "withdrawn"
OPEN = Outcome.OPEN.value

CONCUR_ACTION = "poll_concur"
OBJECT_ACTION = "poll_object"
#: The outbox view that brings a poll's message up to date when it is delivered.
POLL_VIEW = "poll"

_DATE_ONLY = re.compile(r"^\d{4}-\d{1,2}-\d{1,2}$")
_CLOCK = re.compile(r"^\d{1,2}:\d{2}$")
_VERB = {Stance.CONCUR: "concurs", Stance.OBJECT: "objects"}


#: What closing a poll needs: a command's Context or a pass's context alike.
Scope = OutboxWriter


# -- reading the records ------------------------------------------------------


def poll_key(proposal: Proposal) -> str:
    return f"poll:{proposal.id}"


def _members(session: Session, council_id: int) -> dict[int, Member]:
    """Every member, active or not, by id: an electorate may outlive a membership."""
    return roster_for(session, council_id).by_id


def _positions(session: Session, proposal: Proposal) -> dict[int, Position]:
    """The current text version's positions, by member."""
    rows = session.exec(
        select(Position).where(Position.proposal_id == proposal.id,
                               Position.version == proposal.version)
    )
    return {p.member_id: p for p in rows}


def positions_on(session: Session, proposals: list[Proposal]) -> dict[int, dict[int, Position]]:
    """The current text version's positions on each of many polls, in one query."""
    held: dict[int, dict[int, Position]] = {p.id or 0: {} for p in proposals}
    if not proposals:
        return held
    versions = {p.id: p.version for p in proposals}
    for position in session.exec(
            select(Position).where(col(Position.proposal_id).in_(list(versions)))):
        if position.version == versions[position.proposal_id]:
            held[position.proposal_id][position.member_id] = position
    return held


def _stances(positions: dict[int, Position]) -> dict[int, Stance]:
    return {member: Stance(p.stance) for member, p in positions.items()}


def _load(ctx: Context, proposal_id: int) -> Proposal:
    proposal = ctx.session.exec(
        select(Proposal).where(Proposal.council_id == ctx.council_id, Proposal.id == proposal_id)
    ).first()
    if proposal is None:
        raise CommandError(f"There is no proposal P{proposal_id}.")
    return proposal


def _decision_of(session: Session, proposal: Proposal) -> JointDecision | None:
    return session.exec(
        select(JointDecision).where(JointDecision.proposal_id == proposal.id)
    ).first()


def verdict_of(session: Session, proposal: Proposal, now: datetime) -> Outcome:
    """What the consensus rule says of an open poll at ``now``."""
    return outcome(Mode(proposal.mode), proposal.electorate,
                   _stances(_positions(session, proposal)), now, proposal.deadline)


def open_polls(session: Session, council_id: int) -> list[Proposal]:
    """Open polls, oldest first (for ``polls``, the App Home and ``status``)."""
    return list(session.exec(
        select(Proposal)
        .where(Proposal.council_id == council_id, Proposal.status == OPEN)
        .order_by(col(Proposal.id))
    ))


@dataclass(frozen=True)
class Awaiting:
    """The open polls awaiting a member's position: how many, and the first few in full."""

    count: int
    first: list[Proposal]


def awaiting(session: Session, council_id: int, member_id: int, shown: int) -> Awaiting:
    """Open polls on which this member has not yet taken a position, soonest deadline first.

    The member's own positions only (an anti-join), and the electorates of the rest
    to count them: the ``shown`` first are the only polls read in full.
    """
    taken = (select(Position.id)
             .where(Position.proposal_id == Proposal.id, Position.version == Proposal.version,
                    Position.member_id == member_id)
             .exists())
    pending = [proposal_id for proposal_id, electorate in session.execute(
        select(Proposal.id, Proposal.electorate)
        .where(Proposal.council_id == council_id, Proposal.status == OPEN, ~taken)
        .order_by(col(Proposal.deadline), col(Proposal.id))) if member_id in electorate]
    first = {p.id: p for p in session.exec(
        select(Proposal).where(col(Proposal.id).in_(pending[:shown])))} if pending else {}
    return Awaiting(len(pending), [first[i] for i in pending[:shown] if i in first])


def closing_first(session: Session, council_id: int, limit: int) -> Page[Proposal]:
    """The open polls whose deadlines come first, and how many are open."""
    return first_page(session, select(Proposal).where(
        Proposal.council_id == council_id, Proposal.status == OPEN)
        .order_by(col(Proposal.deadline), col(Proposal.id)), limit)


def tally(session: Session, proposals: list[Proposal]) -> dict[int, dict[str, int]]:
    """How many members concurred and objected on each poll's current text (counted in SQL)."""
    counts: dict[int, dict[str, int]] = {p.id or 0: {} for p in proposals}
    if not proposals:
        return counts
    versions = {p.id: p.version for p in proposals}
    for proposal_id, version, stance, n in session.execute(
            select(Position.proposal_id, Position.version, Position.stance, func.count())
            .where(col(Position.proposal_id).in_(list(versions)))
            .group_by(col(Position.proposal_id), col(Position.version), col(Position.stance))):
        if versions[proposal_id] == version:
            counts[proposal_id][stance] = n
    return counts


def decision_count(session: Session, council_id: int) -> int:
    """How many joint decisions the council has taken (for ``status`` and the App Home)."""
    return len(list(session.exec(
        select(JointDecision.id).where(JointDecision.council_id == council_id)
    )))


def _previous_text(session: Session, proposal: Proposal) -> str | None:
    """The text the latest amendment replaced, from the audit log that recorded it."""
    if proposal.version <= 1:
        return None
    entries = session.exec(
        select(AuditEntry)
        .where(AuditEntry.council_id == proposal.council_id, AuditEntry.action == "poll.amend")
        .order_by(col(AuditEntry.seq).desc())
    )
    for entry in entries:
        if entry.details.get("proposal") == proposal.id:
            previous = entry.details.get("previous")
            return str(previous) if previous is not None else None
    return None


# -- what the council sees ----------------------------------------------------


def _name(members: dict[int, Member], member_id: int) -> str:
    member = members.get(member_id)
    return escape(member.name) if member else f"member {member_id}"


def _names(members: dict[int, Member], ids: list[int]) -> str:
    return ", ".join(_name(members, i) for i in ids) if ids else "_none_"


def _proposer(members: dict[int, Member], proposal: Proposal) -> str:
    if proposal.proposer_member_id is not None:
        return f"<@{proposal.proposer_user_id}> ({_name(members, proposal.proposer_member_id)})"
    return f"<@{proposal.proposer_user_id}> (the Chair)"


def _procedure(proposal: Proposal) -> str:
    if proposal.mode == Mode.EXPLICIT:
        return "Explicit: adopted only when every member concurs"
    return "Silence: adopted at the deadline unless a member objects"


def _clip(text: str, limit: int = 300) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _position_lines(members: dict[int, Member], proposal: Proposal,
                    positions: dict[int, Position]) -> list[str]:
    """Concurred (with statements), objecting (with reasons), silent."""
    stances = _stances(positions)
    agreed = concurring(proposal.electorate, stances)
    against = objectors(proposal.electorate, stances)
    quiet = silent(proposal.electorate, stances)
    lines = [f"*Concurred ({len(agreed)}):* {_names(members, agreed)}"]
    for member_id in agreed:
        statement = positions[member_id].statement
        if statement:
            lines.append(f">_{_name(members, member_id)}, statement:_ {escape(statement)}")
    if against:
        lines.append(f"*Objecting ({len(against)}):*")
        lines.extend(f"• *{_name(members, m)}*: {escape(positions[m].statement or '')}"
                     for m in against)
    else:
        lines.append("*Objecting (0):* _none_")
    lines.append(f"*Silent ({len(quiet)}):* {_names(members, quiet)}")
    return lines


def _buttons(proposal: Proposal) -> list[Button]:
    value = str(proposal.id)
    return [Button("Concur", CONCUR_ACTION, value, "primary"),
            Button("Object…", OBJECT_ACTION, value, "danger")]


_HEADLINE = {
    Outcome.ADOPTED.value: "adopted",
    Outcome.BLOCKED.value: "blocked",
    Outcome.FAILED.value: "failed",
    WITHDRAWN: "withdrawn",
}

#: An outcome read as English: "P4 has failed", never "P4 is failed".
_STANDS = {
    Outcome.ADOPTED.value: "is adopted",
    Outcome.BLOCKED.value: "is blocked",
    Outcome.FAILED.value: "has failed",
    WITHDRAWN: "has been withdrawn",
}


def poll_message(session: Session, proposal: Proposal, members: dict[int, Member],
                 positions: dict[int, Position], now: datetime, tz: ZoneInfo,
                 areas: dict[str, str]) -> Message:
    """The poll as posted, and as updated in place after every change."""
    header = f"Proposal P{proposal.id}"
    if proposal.version > 1:
        header += f" (version {proposal.version})"
    if proposal.status != OPEN:
        header += f": {_HEADLINE.get(proposal.status, proposal.status)}"
    fields: list[tuple[str, str]] = [("Proposed by", _proposer(members, proposal)),
                                     ("Procedure", _procedure(proposal))]
    if proposal.status == OPEN:
        left = span_text(proposal.deadline - now)
        fields.append(("Deadline", f"{slack_date(proposal.deadline, tz)} ({left} left)"))
    else:
        assert proposal.closed_at is not None
        fields.append(("Closed", slack_date(proposal.closed_at, tz)))
    if proposal.area:
        fields.append(("Area", _area_name(proposal.area, areas)))
    sections = ["\n".join(_position_lines(members, proposal, positions))]
    if proposal.status != OPEN and proposal.outcome_note:
        sections.append(f"*Outcome:* {proposal.outcome_note}")
    context = []
    if proposal.version > 1:
        context.append(
            f"Version {proposal.version} of the text, amended {slack_date(proposal.version_opened_at, tz)}: "
            "every position taken on the earlier text was reset."
        )
        previous = _previous_text(session, proposal)
        if previous is not None:
            context.append(f"Previous text: {escape(_clip(previous))}")
    if proposal.status == OPEN:
        context.append("Any objection blocks. Positions are per member: any delegate may set "
                       "or change their member's position until the close.")
    return Message(
        text=escape(proposal.text),
        header=header,
        fields=fields,
        sections=sections,
        buttons=_buttons(proposal) if proposal.status == OPEN else [],
        context=context,
    )


@functools.lru_cache(maxsize=8)
def _charter_areas(path: str | None) -> dict[str, str]:
    try:
        return {a.key: a.name for a in load_charter(path).areas}
    except CharterError:
        return {}


def areas_of(scope: Scope) -> dict[str, str]:
    """Area names by key: the request's charter, or for a pass the configured one."""
    if isinstance(scope, Context):
        return {a.key: a.name for a in scope.charter.areas}
    return _charter_areas(getattr(getattr(scope, "settings", None), "charter", None))


def _area_name(key: str, areas: dict[str, str]) -> str:
    return escape(areas.get(key, key))


def _homes_of(ctx: Context, member_ids: list[int]) -> list[str]:
    """The App Home lists a member's pending positions: its delegates' Homes, and the
    Chair's and the secretariat's, change with a position.

    Only for a position, which concerns a few people. Opening, amending and
    closing a poll concern every delegate; each Home is rebuilt when its
    viewer opens it (``app_home_opened``).
    """
    from bot import home  # the Home reads this module, so it is imported here

    return home.member_homes(ctx, member_ids)


def _refresh(scope: Scope, proposal: Proposal, homes: Iterable[str] = ()) -> None:
    """Bring the poll's message in the channel up to date (built when it is delivered),
    and the App Homes of ``homes``."""
    scope.refresh(poll_key(proposal), POLL_VIEW, proposal.id, homes=homes)


@dataclass(frozen=True)
class Held:
    """A position as the busiest reads carry it (no ORM object): who, which stance, what
    statement. Where a poll is shown or a position taken, this is all that is read."""

    id: int
    member_id: int
    stance: str
    statement: str | None
    user_id: str | None = None


def _held_json(postgresql: bool) -> Any:
    """The current text's positions on the outer query's poll, as one JSON array: one row
    for the poll however many members have spoken, each position decoded once."""
    t = Position.__table__  # type: ignore[attr-defined]
    fields: list[Any] = []
    for name in ("id", "member_id", "stance", "statement", "user_id"):
        fields += [literal_column(f"'{name}'"), t.c[name]]
    agg = (func.json_agg(func.json_build_object(*fields)) if postgresql
           else func.json_group_array(func.json_object(*fields)))
    proposal = Proposal.__table__  # type: ignore[attr-defined]
    return (select(agg).where(t.c.proposal_id == proposal.c.id,
                              t.c.version == proposal.c.version)
            .correlate(proposal).scalar_subquery().label("held"))


@functools.cache
def _poll_and_held(postgresql: bool, with_council: bool) -> Any:
    """A poll with its positions (and its council), in one row: built once per database,
    as the busiest reads of a vote are."""
    query = select(Proposal, *((Council,) if with_council else ()), _held_json(postgresql))
    if with_council:
        query = query.join(Council, Council.id == Proposal.council_id)  # type: ignore[arg-type]
    return query.where(Proposal.council_id == bindparam("council_id"),
                       Proposal.id == bindparam("proposal_id"))


def _held(value: Any) -> dict[int, Held]:
    """The positions of :func:`_held_json`, by member (PostgreSQL hands over the array
    decoded, SQLite as text; no positions: NULL on PostgreSQL)."""
    items = json.loads(value) if isinstance(value, str) else (value or [])
    return {int(i["member_id"]): Held(int(i["id"]), int(i["member_id"]), str(i["stance"]),
                                      i["statement"], i.get("user_id")) for i in items}


def _poll_row(session: Session, council_id: int, proposal_id: object,
              with_council: bool) -> Any:
    query = _poll_and_held(session.get_bind().dialect.name == "postgresql", with_council)
    return session.exec(query, params={"council_id": council_id,
                                       "proposal_id": proposal_id}).first()


def render_poll(session: Session, council_id: int, ref: object, now: datetime,
                areas: dict[str, str]) -> Message:
    """The poll's message as the records show it now: what :func:`_refresh` asks for."""
    row = _poll_row(session, council_id, ref, with_council=True)
    if row is None:
        return Message(text="This poll is no longer on record.")
    proposal, council, held = row
    return poll_message(session, proposal, roster_of(session, council).by_id, _held(held),
                        now, ZoneInfo(council.timezone), areas)


# -- closing --------------------------------------------------------------------


def _record(proposal: Proposal, members: dict[int, Member],
            positions: dict[int, Position]) -> list[dict[str, Any]]:
    """Every member's position as kept with a joint decision: silence included."""
    rows = []
    for member_id in proposal.electorate:
        position = positions.get(member_id)
        member = members.get(member_id)
        rows.append({
            "member_id": member_id,
            "member": member.name if member else str(member_id),
            "stance": position.stance if position else "silent",
            "statement": position.statement if position else None,
            "by": position.user_id if position else None,
            "at": position.at.isoformat() if position else None,
        })
    return rows


def _note(verdict: str, proposal: Proposal, members: dict[int, Member],
          positions: dict[int, Position], by: str | None) -> str:
    stances = _stances(positions)
    if verdict == Outcome.BLOCKED:
        return "; ".join(
            f"{_name(members, m)} objected: “{escape(positions[m].statement or '')}”"
            for m in objectors(proposal.electorate, stances)
        )
    if verdict == Outcome.FAILED:
        quiet = silent(proposal.electorate, stances)
        return (f"not every member concurred by the deadline under the explicit procedure; "
                f"silent: {_names(members, quiet)}")
    if verdict == WITHDRAWN:
        return f"withdrawn by <@{by}>"
    if all(stances.get(m) == Stance.CONCUR for m in proposal.electorate):
        return "every member concurred"
    return "no member objected by the deadline (silence procedure)"


def _close(scope: Scope, proposal: Proposal, verdict: str, *, at: datetime,
           by: str | None = None) -> JointDecision | None:
    """Close a poll once: record the outcome, the decision if adopted, and say so."""
    assert proposal.status == OPEN, "a poll closes once"
    members = _members(scope.session, scope.council_id)
    positions = _positions(scope.session, proposal)
    proposal.status = verdict
    proposal.closed_at = at
    proposal.outcome_note = _note(verdict, proposal, members, positions, by)
    scope.session.add(proposal)
    decision = None
    if verdict == Outcome.ADOPTED:
        decision = JointDecision(
            council_id=scope.council_id, proposal_id=proposal.id or 0, text=proposal.text,
            area=proposal.area, mode=proposal.mode, proposer_user_id=proposal.proposer_user_id,
            proposer_member_id=proposal.proposer_member_id, adopted_at=at,
            positions=_record(proposal, members, positions),
        )
        scope.session.add(decision)
    scope.session.flush()
    areas = areas_of(scope)
    _refresh(scope, proposal)
    scope.post(f"{poll_key(proposal)}:outcome",
               _outcome_reply(proposal, decision), thread_key=poll_key(proposal))
    if decision is not None:
        scope.post(f"decision:{decision.id}",
                   decision_message(decision, members, scope.tz, areas))
    else:
        scope.post(f"{poll_key(proposal)}:closed", _closed_notice(proposal))
    return decision


def _sentence(text: str) -> str:
    """End with one full stop: a quoted reason may bring its own."""
    return text if text.rstrip("”’\"'").endswith((".", "!", "?")) else f"{text}."


def _outcome_reply(proposal: Proposal, decision: JointDecision | None) -> Message:
    """The reply in the poll's thread."""
    note = proposal.outcome_note or ""
    if decision is not None:
        return Message(text=f"*Adopted*: {note}. P{proposal.id} is now "
                       f"joint decision *D{decision.id}*.")
    if proposal.status == WITHDRAWN:
        return Message(text=f"*Withdrawn*, {_sentence(note.removeprefix('withdrawn '))}")
    word = _HEADLINE.get(proposal.status, proposal.status).capitalize()
    return Message(text=f"*{word}*: {_sentence(note)}")


def _closed_notice(proposal: Proposal) -> Message:
    """The channel's own notice of a poll that closed without a decision."""
    note = proposal.outcome_note or ""
    headline = _HEADLINE.get(proposal.status, proposal.status)
    if proposal.status == WITHDRAWN:
        text = f"P{proposal.id} was {_sentence(note)}"
    else:
        text = f"P{proposal.id} {_STANDS.get(proposal.status, 'is ' + headline)}: {_sentence(note)}"
    context = []
    if proposal.status == Outcome.BLOCKED:
        context.append("Any objection blocks. The text may be proposed again as a new poll.")
    return Message(text=text, header=f"P{proposal.id} {headline}",
                   sections=[f">{escape(_clip(proposal.text))}"], context=context)


def decision_message(decision: JointDecision, members: dict[int, Member],
                     tz: ZoneInfo, areas: dict[str, str]) -> Message:
    """A joint decision with every member's position, as announced and as listed."""
    fields = [("Adopted", slack_date(decision.adopted_at, tz)),
              ("Procedure", "explicit" if decision.mode == Mode.EXPLICIT else "silence"),
              ("From", f"P{decision.proposal_id}, proposed by <@{decision.proposer_user_id}>")]
    if decision.area:
        fields.append(("Area", _area_name(decision.area, areas)))
    concurred = [r for r in decision.positions if r["stance"] == Stance.CONCUR]
    quiet = [r for r in decision.positions if r["stance"] == "silent"]
    lines = [f"*Concurred ({len(concurred)}):* "
             + (", ".join(escape(r["member"]) for r in concurred) or "_none_")]
    if quiet:
        lines.append(f"*Silent, not objecting ({len(quiet)}):* "
                     + (", ".join(escape(r["member"]) for r in quiet) or "_none_"))
    for r in concurred:
        if r.get("statement"):
            lines.append(f">_{escape(r['member'])}, statement:_ {escape(r['statement'])}")
    return Message(
        text=escape(decision.text),
        header=f"Joint decision D{decision.id}",
        fields=fields,
        sections=["\n".join(lines)],
        context=["Adopted by consensus. The members “will bear equal responsibility, "
                 "individually and jointly, for their implementation” (Rome Declaration). "
                 f"Raise an implementation issue with `raise D{decision.id} <text>`."],
    )


def _closed_sentence(session: Session, proposal: Proposal, tz: ZoneInfo) -> str:
    """Why a closed poll takes no more positions, naming its outcome."""
    assert proposal.closed_at is not None
    when = slack_date(proposal.closed_at, tz)
    if proposal.status == Outcome.ADOPTED:
        decision = _decision_of(session, proposal)
        as_what = f" as joint decision D{decision.id}" if decision else ""
        return f"P{proposal.id} is closed: it was adopted{as_what} on {when}."
    if proposal.status == Outcome.BLOCKED:
        return (f"P{proposal.id} is closed: it was blocked on {when}; "
                f"{_sentence(proposal.outcome_note or '')}")
    if proposal.status == Outcome.FAILED:
        return (f"P{proposal.id} is closed: it failed on {when}, "
                "when not every member had concurred by the deadline.")
    return f"P{proposal.id} is closed: it was {proposal.outcome_note} on {when}."


def _open_poll(ctx: Context, proposal_id: int) -> Proposal:
    """The poll, if it still takes positions and changes; else say how it ended."""
    return _open_poll_and_positions(ctx, proposal_id)[0]


def _open_poll_and_positions(ctx: Context,
                             proposal_id: int) -> tuple[Proposal, dict[int, Held]]:
    """:func:`_open_poll`, with the current text's positions by member, in one query."""
    row = _poll_row(ctx.session, ctx.council_id, proposal_id, with_council=False)
    if row is None:
        raise CommandError(f"There is no proposal P{proposal_id}.")
    proposal, held = row
    positions = _held(held)
    if proposal.status != OPEN:
        raise CommandError(_closed_sentence(ctx.session, proposal, ctx.tz))
    if ctx.now >= proposal.deadline:
        verdict = outcome(Mode(proposal.mode), proposal.electorate, _stances(positions),
                          ctx.now, proposal.deadline)
        raise CommandError(
            f"P{proposal.id} closed at its deadline, {slack_date(proposal.deadline, ctx.tz)}: "
            f"it {_STANDS[verdict.value]}; the record follows in the channel."
        )
    return proposal, positions


# -- positions ------------------------------------------------------------------


def _electorate_member(ctx: Context, proposal: Proposal) -> Member:
    member = ctx.actor.member
    assert member is not None and member.id is not None  # DELEGATE role implies a member
    if member.id not in proposal.electorate:
        raise CommandError(
            f"{member.name} was not among the members when P{proposal.id} opened; "
            "a poll's electorate is fixed when it opens."
        )
    return member


@dataclass(frozen=True)
class PositionForm:
    """What a delegate sees before taking a position by button."""

    message: Message
    version: int
    statement: str | None = None
    """The member's current statement, to pre-fill the Concur form with: a form left
    empty would otherwise look as if the statement were gone."""


def position_form(ctx: Context, proposal_id: int, stance: Stance | str) -> PositionForm:
    """Check that this user may take a position on this poll now; show what they answer to.

    Read-only: the buttons call it before opening a modal, so that a refusal
    comes at once and not after the delegate has written a statement.
    """
    stance = Stance(stance)
    ctx.require(stance.value)
    proposal, positions = _open_poll_and_positions(ctx, proposal_id)
    member = _electorate_member(ctx, proposal)
    current = positions.get(member.id or 0)
    now = (f"{member.name}'s current position: {current.stance}."
           if current else f"{member.name} has not taken a position yet.")
    title = "Concur with" if stance is Stance.CONCUR else "Object to"
    return PositionForm(
        Message(text=escape(proposal.text),
                header=f"{title} P{proposal.id}",
                context=[f"You act for {escape(member.name)}. {now} "
                         f"Deadline {slack_date(proposal.deadline, ctx.tz)}."]),
        proposal.version,
        current.statement if current and stance is Stance.CONCUR
        and current.stance == Stance.CONCUR else None,
    )


_POSITIONS: Any = Position.__table__  # type: ignore[attr-defined]
#: A position written through the table: a position is one statement, no ORM bookkeeping.
_NEW_POSITION = insert(_POSITIONS).returning(_POSITIONS.c.id)
_CHANGED_POSITION = (update(_POSITIONS).where(_POSITIONS.c.id == bindparam("position_id"))
                     .values({name: bindparam(name)
                              for name in ("stance", "statement", "user_id", "at")}))


def take_position(ctx: Context, proposal_id: int, stance: Stance | str, text: str | None,
                  *, version: int | None = None) -> Message:
    """Set the actor's member's position; close the poll if that decides it.

    Commands and buttons both come here. ``text`` is the statement of a
    concurrence (optional) or the reason of an objection (required).
    ``version`` is the text version the delegate saw (buttons): a position on
    a text that was amended meanwhile is refused rather than moved onto the
    new text.
    """
    stance = Stance(stance)
    ctx.require(stance.value)
    proposal, positions = _open_poll_and_positions(ctx, proposal_id)
    member = _electorate_member(ctx, proposal)
    assert member.id is not None
    if version is not None and version != proposal.version:
        raise CommandError(
            f"P{proposal.id} was amended while you were deciding: version {proposal.version} "
            "is now on the table; read it and take your position again."
        )
    current = positions.get(member.id)
    kept = _kept_statement(stance, text, current)
    if stance is Stance.OBJECT:
        statement: str | None = text_argument(text or "", "reason for the objection")
    elif kept is not None:
        statement = kept
    else:
        statement = text_argument(text, "statement") if text and text.strip() else None
    if current is not None and current.stance == stance and current.statement == statement:
        stands = "; its statement stands" if kept is not None else ""
        return Message(text=f"{member.name} already {_VERB[stance]} on P{proposal.id}"
                       f"{stands}; nothing changed.")
    previous = current.stance if current else None
    taken = {"stance": stance.value, "statement": statement, "user_id": ctx.actor.user_id,
             "at": ctx.now}
    if current is None:
        position_id = ctx.session.execute(_NEW_POSITION, {
            "council_id": ctx.council_id, "proposal_id": proposal.id, "version": proposal.version,
            "member_id": member.id, **taken}).scalar_one()
    else:
        position_id = current.id
        ctx.session.execute(_CHANGED_POSITION, {"position_id": position_id, **taken})
    replaced = (current.statement if current is not None and current.stance == Stance.CONCUR
                and current.statement and statement != current.statement else None)
    ctx.audit(f"poll.{stance.value}", {"proposal": proposal.id, "version": proposal.version,
                                        "statement": statement, "replaces": previous,
                                        "statement_kept": kept is not None,
                                        "statement_replaced": replaced}, member)
    positions[member.id] = Held(position_id, member.id, stance.value, statement,
                                ctx.actor.user_id)
    verdict = outcome(Mode(proposal.mode), proposal.electorate, _stances(positions), ctx.now,
                      proposal.deadline)
    recorded = _recorded(member, proposal, stance, current, replaced)
    if verdict is Outcome.OPEN:
        _refresh(ctx, proposal, _homes_of(ctx, [member.id]))
        return Message(text=recorded)
    decision = _close(ctx, proposal, verdict.value, at=ctx.now)
    ctx.audit("poll.close", {"proposal": proposal.id, "version": proposal.version,
                             "outcome": verdict.value,
                             "decision": decision.id if decision else None}, member)
    if decision is not None:
        return Message(text=f"{recorded} Every member has now concurred: P{proposal.id} is "
                       f"adopted as joint decision D{decision.id}.")
    return Message(text=f"{recorded} Any objection blocks: P{proposal.id} is closed as blocked.")


def _recorded(member: Member, proposal: Proposal, stance: Stance, current: Held | None,
              replaced: str | None) -> str:
    """The sentence that confirms a position, saying what it replaced and whose statement."""
    recorded = f"Recorded: {member.name} {_VERB[stance]} on P{proposal.id}"
    if current is None:
        return f"{recorded}."
    whose = (f"the statement recorded by <@{current.user_id}>" if current.user_id
             else "the statement recorded earlier")
    if current.stance == stance == Stance.CONCUR:  # the same position, another statement
        if replaced is not None:
            return f"{recorded} with a new statement, replacing {whose}."
        return f"{recorded}, now with a statement."
    if replaced is not None:
        return f"{recorded}, replacing its earlier concurrence and {whose}."
    return f"{recorded}, replacing its earlier position ({current.stance})."


def _kept_statement(stance: Stance, text: str | None, current: Held | None) -> str | None:
    """The member's statement that a bare concurrence keeps, or None.

    A statement is part of the record ("an interpretative statement or a reservation
    ... kept with the decision"): a delegate repeating the concurrence without one
    confirms the member's position, and only an explicit new statement replaces it.
    """
    if stance is not Stance.CONCUR or (text and text.strip()) or current is None:
        return None
    return current.statement if current.stance == Stance.CONCUR else None


# -- parsing ----------------------------------------------------------------------


def _take_deadline(ctx: Context, text: str, *, base: datetime | None = None
                   ) -> tuple[datetime, str]:
    """A deadline at the start of ``text`` (``48h``, ``2026-12-03 10:00``, ISO), and the rest.

    A duration counts from ``base`` (an extension: from the current deadline), else from now.
    """
    words = text.split()
    if not words:
        raise CommandError("Give the deadline, as a duration like 48h or a time like "
                           "2026-12-03 10:00.")
    first = words[0]
    if is_duration(first):
        deadline, used = (base or ctx.now) + parse_duration(first), 1
    elif _DATE_ONLY.match(first) and len(words) > 1 and _CLOCK.match(words[1]):
        deadline, used = parse_when(f"{first} {words[1]}", ctx.tz), 2
    elif re.match(r"^\d{4}-", first):
        deadline, used = parse_when(first, ctx.tz), 1
    else:
        raise CommandError(f'Start with the deadline, as a duration (48h, 3d) or a time '
                           f'(2026-12-03 10:00), not "{first[:40]}".')
    rest = text.strip()
    for _ in range(used):
        parts = rest.split(None, 1)
        rest = parts[1] if len(parts) > 1 else ""
    _check_deadline(ctx, deadline)
    return deadline, rest.strip()


def _check_deadline(ctx: Context, deadline: datetime) -> None:
    if deadline <= ctx.now:
        raise CommandError(f"The deadline {slack_date(deadline, ctx.tz)} is in the past.")
    if deadline - ctx.now > MAX_AHEAD:
        raise CommandError(f"A deadline may be at most {MAX_AHEAD.days} days away; "
                           f"{slack_date(deadline, ctx.tz)} is further.")


def _proposal_ref(token: str) -> int:
    if not token:
        raise CommandError("Name the proposal, like P3.")
    return parse_ref(token, "P", "proposal")


# -- commands -------------------------------------------------------------------


@command("propose", "propose [--explicit] [--area A] <deadline> <text>", mutates=True,
         examples=("propose 48h Joint statement on search and rescue at sea",
                   "propose --explicit --area terrorism 2026-12-10 18:00 Common threat assessment"))
def propose(ctx: Context, args: str) -> Message:
    """Open a consensus poll: any member's objection blocks.

    Silence procedure (default): adopted at the deadline unless a member
    objects, and at once when every member concurs. --explicit: adopted only
    when every member concurs; at the deadline it fails otherwise. The
    deadline is a duration (48h, 3d) or a time, at most 90 days away. The
    electorate is the members at the moment the poll opens.
    """
    explicit, area = False, None
    rest = args.strip()
    while rest.startswith("--"):
        flag, rest = split_word(rest)
        name, _, value = flag.partition("=")
        if name == "--explicit" and not value:
            explicit = True
        elif name == "--area":
            if not value:
                value, rest = split_word(rest)
            spec = ctx.charter.area(value) if value else None
            if spec is None:
                known = ", ".join(a.key for a in ctx.charter.areas) or "none"
                raise CommandError(f'"{value[:40]}" is not an area of cooperation; '
                                   f"the areas are: {known}." if value else
                                   f"Name the area after --area; the areas are: {known}.")
            area = spec.key
        else:
            raise CommandError(f'Unknown option "{flag[:40]}"; propose takes --explicit '
                               "and --area <area>.")
    deadline, text = _take_deadline(ctx, rest)
    text = text_argument(text, "text of the proposal")
    electorate = [m.id for m in members_of(ctx) if m.id is not None]
    if not electorate:
        raise CommandError("The council has no active members to decide.")
    member = ctx.actor.member
    proposal = Proposal(
        council_id=ctx.council_id, text=text, area=area,
        mode=(Mode.EXPLICIT if explicit else Mode.SILENCE).value,
        proposer_user_id=ctx.actor.user_id, proposer_member_id=member.id if member else None,
        electorate=electorate, version=1, opened_at=ctx.now, version_opened_at=ctx.now,
        deadline=deadline, status=OPEN,
    )
    ctx.session.add(proposal)
    ctx.session.flush()
    ctx.audit("poll.open", {"proposal": proposal.id, "text": text, "area": area,
                            "mode": proposal.mode, "deadline": deadline.isoformat(),
                            "electorate": len(electorate)})
    members = _members(ctx.session, ctx.council_id)
    ctx.post(poll_key(proposal), poll_message(ctx.session, proposal, members, {}, ctx.now,
                                              ctx.tz, areas_of(ctx)))
    return Message(text=f"Opened *P{proposal.id}* ({proposal.mode} procedure) in the council "
                   f"channel; deadline {slack_date(deadline, ctx.tz)}.")


@command("concur", "concur <P> [statement]", mutates=True,
         examples=("concur P3", "concur P3 We read paragraph 2 as applying to exercises only."))
def concur(ctx: Context, args: str) -> Message:
    """Concur, for your member, with a proposal; optionally with a statement.

    A statement (an interpretative statement or a reservation) is shown on the
    poll and kept with the decision. A later position of your member replaces
    this one while the poll is open.
    """
    token, rest = split_word(args)
    return take_position(ctx, _proposal_ref(token), Stance.CONCUR, rest)


@command("object", "object <P> <reason>", mutates=True,
         examples=("object P3 The text prejudges the outcome of the arms control talks.",))
def object_(ctx: Context, args: str) -> Message:
    """Object, for your member, to a proposal, giving the reason. Any objection blocks."""
    token, rest = split_word(args)
    return take_position(ctx, _proposal_ref(token), Stance.OBJECT, rest)


@command("extend", "extend <P> <deadline>", mutates=True,
         examples=("extend P3 72h", "extend P3 2026-12-10 18:00"))
def extend(ctx: Context, args: str) -> Message:
    """Move an open poll's deadline later (the Chair). Positions stand.

    A duration extends the current deadline by that much (`extend P3 72h` on a
    deadline of Monday 18:00 gives Thursday 18:00); a time sets the new deadline.
    """
    token, rest = split_word(args)
    proposal = _open_poll(ctx, _proposal_ref(token))
    deadline, extra = _take_deadline(ctx, rest, base=proposal.deadline)
    if extra:
        raise CommandError(f'Unexpected "{extra[:40]}" after the deadline.')
    if deadline <= proposal.deadline:
        raise CommandError(f"P{proposal.id}'s deadline is already "
                           f"{slack_date(proposal.deadline, ctx.tz)}; extend moves it later.")
    previous = proposal.deadline
    proposal.deadline = deadline
    ctx.session.add(proposal)
    ctx.audit("poll.extend", {"proposal": proposal.id, "version": proposal.version,
                              "from": previous.isoformat(), "to": deadline.isoformat()})
    _skip_passed_reminders(ctx, proposal)
    text = (f"The Chair extended the deadline of P{proposal.id} from "
            f"{slack_date(previous, ctx.tz)} to {slack_date(deadline, ctx.tz)}.")
    ctx.post(f"{poll_key(proposal)}:v{proposal.version}:extend:{int(deadline.timestamp())}",
             Message(text=text), thread_key=poll_key(proposal))
    _refresh(ctx, proposal)
    return Message(text=text)


@command("amend", "amend <P> <text>", mutates=True,
         examples=("amend P3 Joint statement on search and rescue at sea, with annex",))
def amend(ctx: Context, args: str) -> Message:
    """Replace an open poll's text (the Chair): every position is reset, silence restarts.

    The new version gets a fresh deadline as long as the last one was.
    """
    token, rest = split_word(args)
    proposal = _open_poll(ctx, _proposal_ref(token))
    text = text_argument(rest, "new text")
    if text == proposal.text:
        raise CommandError(f"That is already the text of P{proposal.id}.")
    period = min(proposal.deadline - proposal.version_opened_at, MAX_AHEAD)
    previous, reset = proposal.text, len(_positions(ctx.session, proposal))
    proposal.text = text
    proposal.version += 1
    proposal.version_opened_at = ctx.now
    proposal.deadline = ctx.now + period
    ctx.session.add(proposal)
    ctx.audit("poll.amend", {"proposal": proposal.id, "version": proposal.version,
                             "previous": previous, "text": text,
                             "deadline": proposal.deadline.isoformat(), "positions_reset": reset})
    _refresh(ctx, proposal)
    ctx.post(f"{poll_key(proposal)}:v{proposal.version}:amended", Message(
        text=(f"The Chair amended P{proposal.id}: version {proposal.version} of the text is "
              f"now on the table. Every position was reset ({reset} taken); silence restarts "
              f"with the deadline {slack_date(proposal.deadline, ctx.tz)}."),
        sections=[f"*New text:* {escape(text)}", f"*Previous text:* {escape(_clip(previous))}"],
    ))
    return Message(text=f"Amended P{proposal.id} to version {proposal.version}; "
                   f"{count(reset, 'position')} reset, new deadline {slack_date(proposal.deadline, ctx.tz)}.")


@command("polls", "polls", examples=("polls",))
def polls(ctx: Context, args: str) -> Message:
    """List the open polls with every member's position."""
    if args.strip():
        raise CommandError(f'Unexpected "{args.strip()[:40]}"; polls takes nothing more.')
    members = _members(ctx.session, ctx.council_id)
    sections = []
    proposals = open_polls(ctx.session, ctx.council_id)
    held = positions_on(ctx.session, proposals)
    for proposal in proposals:
        positions = held[proposal.id or 0]
        state = ("closing" if ctx.now >= proposal.deadline
                 else f"{span_text(proposal.deadline - ctx.now)} left")
        version = f", version {proposal.version}" if proposal.version > 1 else ""
        head = (f"*P{proposal.id}* ({proposal.mode}{version}, deadline "
                f"{slack_date(proposal.deadline, ctx.tz)}, {state}): {escape(_clip(proposal.text, 200))}")
        sections.append("\n".join([head, *_position_lines(members, proposal, positions)]))
    if not sections:
        return Message(text="No poll is open.")
    return Message(text=f"{count(len(sections), 'open poll')}.", header="Open polls", sections=sections)


@command("withdraw", "withdraw <P|I|E>", action=None, mutates=True,
         examples=("withdraw P3", "withdraw I2", "withdraw E1"))
def withdraw(ctx: Context, args: str) -> Message:
    """Withdraw an open poll (its proposer's delegation or the Chair), an implementation
    issue, or an extraordinary request (the requesting delegation or the Chair)."""
    token, rest = split_word(args)
    if not token:
        raise CommandError("Name the poll (P3), the implementation issue (I3) or the "
                           "extraordinary request (E3) to withdraw.")
    if rest:
        raise CommandError(f'Unexpected "{rest[:40]}" after {token[:20]}.')
    if token.isdigit():  # three kinds of thing can be withdrawn: the prefix says which
        raise CommandError(f"Say what to withdraw by its prefix: P{token} for a poll, I{token} "
                           f"for an implementation issue or E{token} for an extraordinary "
                           "request.")
    if token[:1] in ("I", "i"):
        from bot.issues import withdraw_issue

        return withdraw_issue(ctx, parse_ref(token, "I", "implementation issue"))
    if token[:1] in ("E", "e"):
        from bot.meetings import withdraw_request

        return withdraw_request(ctx, parse_ref(token, "E", "extraordinary request"))
    if token[:1] in ("D", "d"):
        raise CommandError("A joint decision stands; only polls (P3), implementation "
                           "issues (I3) and extraordinary requests (E3) can be withdrawn.")
    proposal = _load(ctx, _proposal_ref(token))
    ctx.require("withdraw proposal", *((Role.PROPOSER,) if _proposed(ctx, proposal) else ()))
    proposal = _open_poll(ctx, proposal.id or 0)
    _close(ctx, proposal, WITHDRAWN, at=ctx.now, by=ctx.actor.user_id)
    ctx.audit("poll.withdraw", {"proposal": proposal.id, "version": proposal.version})
    return Message(text=f"Withdrew P{proposal.id}.")


def _proposed(ctx: Context, proposal: Proposal) -> bool:
    """The proposer: the user who opened it, or any delegate of the member they opened it for."""
    if ctx.actor.user_id == proposal.proposer_user_id:
        return True
    member = ctx.actor.member
    return (member is not None and proposal.proposer_member_id is not None
            and member.id == proposal.proposer_member_id)


@command("decisions", "decisions [D]", examples=("decisions", "decisions D2"))
def decisions(ctx: Context, args: str) -> Message:
    """List the joint decisions, or show one with every member's position."""
    members = _members(ctx.session, ctx.council_id)
    token, rest = split_word(args)
    if rest:
        raise CommandError(f'Unexpected "{rest[:40]}" after {token[:20]}.')
    if token:
        number = parse_ref(token, "D", "joint decision")
        decision = ctx.session.exec(
            select(JointDecision).where(JointDecision.council_id == ctx.council_id,
                                        JointDecision.id == number)
        ).first()
        if decision is None:
            raise CommandError(f"There is no joint decision D{number}.")
        message = decision_message(decision, members, ctx.tz, areas_of(ctx))
        message.sections.append("\n".join(_record_lines(decision)))
        return message
    rows = list(ctx.session.exec(
        select(JointDecision).where(JointDecision.council_id == ctx.council_id)
        .order_by(col(JointDecision.id))
    ))
    if not rows:
        return Message(text="The council has taken no joint decision yet.")
    lines = []
    for d in rows:
        area = f", {_area_name(d.area, areas_of(ctx))}" if d.area else ""
        lines.append(f"*D{d.id}* (from P{d.proposal_id}, adopted {slack_date(d.adopted_at, ctx.tz)}"
                     f"{area}): {escape(_clip(d.text, 200))}")
    return Message(text=f"{count(len(rows), 'joint decision')}.", header="Joint decisions",
                   sections=["\n".join(lines)],
                   context=[f"`{ctx.slash} decisions D{rows[-1].id}` shows one decision with "
                            "every member's position."])


def _record_lines(decision: JointDecision) -> list[str]:
    """Every member's position, one line each, as kept with the decision."""
    lines = ["*Positions of the members:*"]
    for r in decision.positions:
        line = f"• {escape(r['member'])}: {r['stance']}"
        if r.get("by"):
            line += f" (<@{r['by']}>)"
        if r.get("statement"):
            line += f"; statement: {escape(r['statement'])}"
        lines.append(line)
    return lines


# -- the scheduler ----------------------------------------------------------------


def _reminder_key(proposal: Proposal, ahead: timedelta) -> str:
    """One reminder per version, offset and deadline: an extension earns fresh ones."""
    return (f"{poll_key(proposal)}:v{proposal.version}:remind:{int(ahead.total_seconds())}"
            f":{int(proposal.deadline.timestamp())}")


def _skip_passed_reminders(ctx: Context, proposal: Proposal) -> None:
    """After an extension, reminders whose moment is already past are recorded as skipped."""
    for ahead in REMINDERS:
        if proposal.deadline - ahead <= ctx.now:
            outbox.skip(ctx.session, ctx.council_id, _reminder_key(proposal, ahead),
                        Message(text=f"P{proposal.id} reminder"), ctx.now,
                        "its moment fell before the deadline was moved")


def reminder_message(session: Session, proposal: Proposal, members: dict[int, Member],
                     positions: dict[int, Position], now: datetime, tz: ZoneInfo) -> Message:
    """Names the members still silent; in the explicit procedure, mentions their delegates."""
    quiet = silent(proposal.electorate, _stances(positions))
    left = span_text(proposal.deadline - now)
    when = slack_date(proposal.deadline, tz)
    if proposal.mode == Mode.EXPLICIT:
        delegates: dict[int, list[str]] = {}
        for d in roster_for(session, proposal.council_id).delegates:
            delegates.setdefault(d.member_id, []).append(f"<@{d.user_id}>")
        named = "\n".join(
            f"• *{_name(members, m)}*: {', '.join(delegates.get(m, [])) or '_no delegates_'}"
            for m in quiet)
        text = (f"P{proposal.id} closes {when} ({left} left). Under the explicit procedure it "
                f"is adopted only if every member concurs. Still silent ({len(quiet)}):")
    else:
        named = _names(members, quiet)
        text = (f"P{proposal.id} closes {when} ({left} left). Under the silence procedure it "
                f"is adopted then unless a member objects. Still silent ({len(quiet)}):")
    return Message(text=text, header=f"Reminder: P{proposal.id}",
                   sections=[named, f">{escape(_clip(proposal.text))}"],
                   buttons=_buttons(proposal))


def _polls_due(session: Session, now: datetime, settings: object) -> set[int]:
    """Councils with a poll whose deadline has come, or a reminder whose moment has, not
    yet recorded: one query for the open polls with a deadline within the longest
    reminder lead (the deadline index), one for the reminders already recorded.

    A poll that its positions decide before the deadline (an objection, or every member
    concurring) is closed by the position itself, in the same transaction
    (``take_position``), so it is not looked for here.
    """
    due: set[int] = set()
    keys: set[tuple[int, str]] = set()
    for proposal_id, council_id, version, deadline, opened in session.execute(
            select(Proposal.id, Proposal.council_id, Proposal.version, Proposal.deadline,
                   Proposal.version_opened_at)
            .where(Proposal.status == OPEN, col(Proposal.deadline) <= now + max(REMINDERS))):
        if deadline <= now:
            due.add(council_id)
            continue
        for ahead in REMINDERS:
            moment = deadline - ahead
            if opened < moment <= now:
                keys.add((council_id, f"poll:{proposal_id}:v{version}:remind:"
                                      f"{int(ahead.total_seconds())}:{int(deadline.timestamp())}"))
    return due | {council_id for council_id, _ in keys - recorded_keys(session, keys)}


@scheduled_pass("polls", due=_polls_due)
def poll_pass(pctx: PassContext) -> int:
    """Close the polls whose deadline has come (once), and remind the silent."""
    proposals = open_polls(pctx.session, pctx.council_id)
    if not proposals:
        return 0
    members = _members(pctx.session, pctx.council_id)
    positions = positions_on(pctx.session, proposals)
    reminders = {(proposal.id, ahead): _reminder_key(proposal, ahead)
                 for proposal in proposals for ahead in REMINDERS
                 if proposal.version_opened_at < proposal.deadline - ahead <= pctx.now}
    done = {key for _, key in recorded_keys(
        pctx.session, [(pctx.council_id, key) for key in reminders.values()])}
    recorded = 0
    for proposal in proposals:
        held = positions[proposal.id or 0]
        verdict = outcome(Mode(proposal.mode), proposal.electorate, _stances(held), pctx.now,
                          proposal.deadline)
        if verdict is not Outcome.OPEN:
            at = proposal.deadline if pctx.now >= proposal.deadline else pctx.now
            decision = _close(pctx, proposal, verdict.value, at=at)
            pctx.audit("poll.close", {"proposal": proposal.id, "version": proposal.version,
                                      "outcome": verdict.value,
                                      "decision": decision.id if decision else None})
            recorded += 2
            continue
        if not silent(proposal.electorate, _stances(held)):
            continue
        for ahead in REMINDERS:
            key = reminders.get((proposal.id, ahead))
            if key is None or key in done:
                continue  # not yet due, or before the poll (or this version) opened, or recorded
            message = reminder_message(pctx.session, proposal, members, held, pctx.now, pctx.tz)
            sent = pctx.remind(key, proposal.deadline - ahead, message, pctx.grace(ahead))
            if sent:  # the time left on the poll itself
                _refresh(pctx, proposal)
            recorded += sent
    return recorded
