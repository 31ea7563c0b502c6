"""The consensus rule and the rules of a poll's life: pure functions on plain values.

The Rome Declaration: the Council "will operate on the principle of
consensus", and its members "will take joint decisions and will bear equal
responsibility, individually and jointly, for their implementation". One
member, one voice: a single objection blocks.

Nothing here touches the database, Slack or the clock; callers pass plain
values (member ids, their stances, ``now`` and the deadline) and get a verdict.

Rules kept here, each quoted beside the function that implements it:

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
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime, time, timedelta
from enum import StrEnum
from typing import Any, Protocol
from zoneinfo import ZoneInfo

from bot.i18n import N_, _
from storage.statuses import ProposalStatus, StatementKind

#: The furthest a deadline may lie ahead.
MAX_AHEAD = timedelta(days=90)
#: Reminders before the deadline, naming the members still silent.
REMINDERS = (timedelta(hours=24), timedelta(hours=1))
WITHDRAWN = ProposalStatus.WITHDRAWN
#: ``weekday()``'s days in the council's working language (not the process's locale).
#: "falls on a Saturday": a whole sentence each, as other languages decline the day.
_FALLS_ON = (N_("falls on a Monday"), N_("falls on a Tuesday"), N_("falls on a Wednesday"),
             N_("falls on a Thursday"), N_("falls on a Friday"), N_("falls on a Saturday"),
             N_("falls on a Sunday"))


class Mode(StrEnum):
    """How silence counts."""

    SILENCE = "silence"  # silence is consent: adopted at the deadline unless someone objects
    EXPLICIT = "explicit"  # silence is not consent: every member must concur


class Stance(StrEnum):
    CONCUR = "concur"
    OBJECT = "object"
    AMEND = "amend"  # a proposed amendment: breaks silence as an objection does, but does not block


class Outcome(StrEnum):
    """The consensus rule's verdict on a poll: each is the proposal's status it gives."""

    OPEN = ProposalStatus.OPEN
    ADOPTED = ProposalStatus.ADOPTED
    BLOCKED = ProposalStatus.BLOCKED
    FAILED = ProposalStatus.FAILED
    SILENCE_BROKEN = ProposalStatus.SILENCE_BROKEN


OPEN = ProposalStatus.OPEN


def outcome(mode: Mode, electorate: Iterable[int], positions: Mapping[int, Stance],
            now: datetime, deadline: datetime) -> Outcome:
    """The state of a poll at ``now``.

    - Any objection by a member of the electorate blocks, at once and for good,
      whatever the mode and whatever the time.
    - Otherwise a proposed amendment breaks silence, at once: "silence is broken as by
      an objection (the poll closes as *silence broken*)".
    - Every member concurring adopts at once, in either mode.
    - At or after the deadline: silence procedure adopts (no one objected),
      explicit procedure fails (not everyone concurred).
    - Otherwise the poll is open.

    Positions of members outside the electorate do not count: the electorate
    is fixed when the poll opens.
    """
    voters = set(electorate)
    stances = [stance for member, stance in positions.items() if member in voters]
    if any(stance == Stance.OBJECT for stance in stances):
        return Outcome.BLOCKED
    if any(stance == Stance.AMEND for stance in stances):
        return Outcome.SILENCE_BROKEN
    if all(positions.get(member) == Stance.CONCUR for member in voters):
        return Outcome.ADOPTED
    if now >= deadline:
        return Outcome.ADOPTED if mode == Mode.SILENCE else Outcome.FAILED
    return Outcome.OPEN


def silent(electorate: Iterable[int], positions: Mapping[int, Stance]) -> list[int]:
    """Members of the electorate with no position yet, in the electorate's order."""
    return [member for member in electorate if member not in positions]


def objectors(electorate: Iterable[int], positions: Mapping[int, Stance]) -> list[int]:
    """Members of the electorate who object, in the electorate's order."""
    return [member for member in electorate if positions.get(member) == Stance.OBJECT]


def amenders(electorate: Iterable[int], positions: Mapping[int, Stance]) -> list[int]:
    """Members of the electorate who proposed an amendment, in electorate order."""
    return [member for member in electorate if positions.get(member) == Stance.AMEND]


def concurring(electorate: Iterable[int], positions: Mapping[int, Stance]) -> list[int]:
    """Members of the electorate who concur, in the electorate's order."""
    return [member for member in electorate if positions.get(member) == Stance.CONCUR]


def every_member_concurred(electorate: Iterable[int], positions: Mapping[int, Stance]) -> bool:
    """Whether the poll was adopted by every member's concurrence (not by silence).

    "Every member of the electorate concurs: **adopted**, at once, in either mode."
    """
    return all(positions.get(member) == Stance.CONCUR for member in electorate)


# -- the electorate ---------------------------------------------------------------


def electorate(active_member_ids: Iterable[int | None]) -> list[int]:
    """The members who decide a poll about to open, in the council's order.

    "The electorate is fixed when the poll opens: the council's active members at
    that instant, stored in ``Proposal.electorate``."
    """
    return [member_id for member_id in active_member_ids if member_id is not None]


def in_electorate(member_id: int, electorate: Iterable[int]) -> bool:
    """Whether this member takes a position on the poll.

    "A member added later takes no position on a poll already open (its delegates
    are told so)."
    """
    return member_id in electorate


def is_proposer(user_id: str, member_id: int | None, proposer_user_id: str,
                proposer_member_id: int | None) -> bool:
    """The proposer: the user who opened it, or any delegate of the member they opened it for.

    "``withdraw <P>`` | the proposer's delegation, the Chair | closed as withdrawn"
    """
    if user_id == proposer_user_id:
        return True
    return (member_id is not None and proposer_member_id is not None
            and member_id == proposer_member_id)


def may_break_silence(stance: Stance, role: str | None, authorised: Collection[str]) -> bool:
    """Whether this delegate may take this position for its member.

    "Each member's delegation decides by its authorised delegates: by default the
    head and the deputy head may object …; every delegate may concur. The charter
    sets this (``[consensus] break_silence``)."
    """
    return stance is Stance.CONCUR or role in authorised


# -- deadlines --------------------------------------------------------------------


def in_the_past(deadline: datetime, now: datetime) -> bool:
    """A deadline that may not be set.

    "one in the past or more than 90 days away is refused."
    """
    return deadline <= now


def too_far_ahead(deadline: datetime, now: datetime) -> bool:
    """A deadline that may not be set.

    "one in the past or more than 90 days away is refused."
    """
    return deadline - now > MAX_AHEAD


def below_minimum(deadline: datetime, now: datetime, minimum: timedelta) -> bool:
    """A silence shorter than the charter's minimum.

    The practice of consensus: "a delegation's silence period has a charter minimum
    (24 h for the NRC)", so that every capital has time to read the text; the Chair
    may shorten it only with ``--urgent <reason>``, which the poll shows.
    """
    return deadline - now < minimum


def working_time_note(deadline: datetime, zone: ZoneInfo, working_days: Iterable[int],
                      start: time, end: time) -> str | None:
    """Why a deadline falls outside the council's working time, or None.

    "A deadline that falls on a weekend or outside the charter's working hours is
    accepted but the reply and the poll say so ("falls on a Saturday"), so the Chair
    can correct it." The day and hour are the council's own (Europe/Brussels for the
    NRC), summer time or not: ``astimezone`` applies the offset of that very date.
    """
    local = deadline.astimezone(zone)
    if local.weekday() not in set(working_days):
        return _(_FALLS_ON[local.weekday()])
    if not start <= local.time().replace(tzinfo=None) <= end:
        return _("falls at {time}, outside working hours ({start}-{end})",
                 time=f"{local:%H:%M}", start=f"{start:%H:%M}", end=f"{end:%H:%M}")
    return None


@dataclass(frozen=True)
class Terms:
    """What a poll opened under besides its text: the Chair's urgency, and the council's
    working days and hours then (kept with the poll's opening in the audit trail, so a
    poll message rebuilt at delivery shows the same notes)."""

    urgent: str | None = None
    working_days: tuple[int, ...] = ()
    start: time | None = None
    end: time | None = None

    def note(self, deadline: datetime, zone: ZoneInfo) -> str | None:
        """The working-time note of ``deadline`` (:func:`working_time_note`), if any."""
        if self.start is None or self.end is None:
            return None
        return working_time_note(deadline, zone, self.working_days, self.start, self.end)

    def details(self) -> dict[str, Any]:
        """The terms as the audit entry of the opening keeps them."""
        kept: dict[str, Any] = {}
        if self.urgent is not None:
            kept["urgent"] = self.urgent
        if self.start is not None and self.end is not None:
            kept["working_days"] = list(self.working_days)
            kept["working_hours"] = f"{self.start:%H:%M}-{self.end:%H:%M}"
        return kept

    @classmethod
    def of(cls, details: Mapping[str, Any] | None) -> Terms:
        """The terms an opening's audit entry kept (none kept: no urgency, no calendar)."""
        if not details:
            return cls()
        urgent = details.get("urgent")
        hours = details.get("working_hours")
        if not isinstance(hours, str) or "-" not in hours:
            return cls(urgent=urgent)
        start, end = (time.fromisoformat(part) for part in hours.split("-", 1))
        return cls(urgent=urgent, working_days=tuple(details.get("working_days", ())),
                   start=start, end=end)


def duration_deadline(duration: timedelta, now: datetime, base: datetime | None) -> datetime:
    """A deadline given as a duration: from the current deadline when extending, else now.

    "a duration such as ``72h`` extends the current deadline by that much, a time sets it"
    """
    return (base or now) + duration


def extends(current: datetime, new: datetime) -> bool:
    """Whether ``new`` is a lawful extension of the ``current`` deadline.

    "``extend <P> <deadline>`` | the Chair | the deadline moves later"
    """
    return new > current


def past_its_deadline(deadline: datetime, now: datetime) -> bool:
    """A poll takes no more positions or changes once its deadline has come.

    "After the close (or once the deadline has passed, even before the pass has run)
    every position, extension, amendment and withdrawal is refused with a sentence
    naming the outcome."
    """
    return now >= deadline


def amended_deadline(deadline: datetime, version_opened_at: datetime, now: datetime) -> datetime:
    """The deadline of an amended text.

    "``amend <P> <text>`` | the Chair | version ``n+1`` of the text; every position is
    reset; a fresh deadline as long as the last one"
    """
    return now + min(deadline - version_opened_at, MAX_AHEAD)


def closing_moment(deadline: datetime, now: datetime) -> datetime:
    """When a poll closed by the pass is recorded as closed (and a decision adopted).

    "the adoption time (the deadline itself when silence adopted it, even if the
    pass ran later)"
    """
    return deadline if now >= deadline else now


# -- reminders --------------------------------------------------------------------


def reminders_due(deadline: datetime, opened: datetime, now: datetime) -> list[timedelta]:
    """The reminders (by lead) whose moment has come, in :data:`REMINDERS`' order.

    "A reminder whose moment falls before the poll (or its current text version)
    opened is never recorded."
    """
    return [ahead for ahead in REMINDERS if opened < deadline - ahead <= now]


def reminders_passed(deadline: datetime, now: datetime) -> list[timedelta]:
    """The reminders of a new deadline whose moment is already past.

    "reminders of the new deadline whose moment had already passed when the Chair
    extended it are recorded as skipped at once."
    """
    return [ahead for ahead in REMINDERS if deadline - ahead <= now]


# -- the record ---------------------------------------------------------------------


class Stated(Protocol):
    """A member's position as the rules read it: its stance and its statement."""

    @property
    def stance(self) -> str: ...

    @property
    def statement(self) -> str | None: ...

    @property
    def statement_kind(self) -> str | None: ...


class Taken(Stated, Protocol):
    """A position with who took it and when, as a joint decision keeps it."""

    @property
    def user_id(self) -> str | None: ...

    @property
    def at(self) -> datetime: ...


def stances(positions: Mapping[int, Stated]) -> dict[int, Stance]:
    """The members' stances, by member: what the consensus rule counts."""
    return {member: Stance(p.stance) for member, p in positions.items()}


def decision_record(electorate: Iterable[int], names: Mapping[int, str],
                    positions: Mapping[int, Taken]) -> list[dict[str, Any]]:
    """Every member's position as kept with a joint decision: silence included.

    "every member's position of the electorate — ``concur`` (with any statement, the
    delegate and the time) or ``silent``."; a statement with its kind (one recorded
    without a kind is an interpretative statement, as ``rules_statements.kind_of`` reads it).
    """
    rows = []
    for member_id in electorate:
        position = positions.get(member_id)
        rows.append({
            "member_id": member_id,
            "member": names.get(member_id, str(member_id)),
            "stance": position.stance if position else "silent",
            "statement": position.statement if position else None,
            "statement_kind": (StatementKind(position.statement_kind
                                             or StatementKind.INTERPRETATIVE).value
                               if position and position.statement else None),
            "by": position.user_id if position else None,
            "at": position.at.isoformat() if position else None,
        })
    return rows
