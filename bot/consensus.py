"""The consensus rule: one pure function decides every poll.

The Rome Declaration: the Council "will operate on the principle of
consensus", and its members "will take joint decisions and will bear equal
responsibility, individually and jointly, for their implementation". One
member, one voice: a single objection blocks.

Nothing here touches the database, Slack or the clock; callers pass plain
values (member ids, their stances, ``now`` and the deadline) and get a verdict.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import datetime
from enum import StrEnum


class Mode(StrEnum):
    """How silence counts."""

    SILENCE = "silence"  # silence is consent: adopted at the deadline unless someone objects
    EXPLICIT = "explicit"  # silence is not consent: every member must concur


class Stance(StrEnum):
    CONCUR = "concur"
    OBJECT = "object"


class Outcome(StrEnum):
    OPEN = "open"
    ADOPTED = "adopted"
    BLOCKED = "blocked"
    FAILED = "failed"


def outcome(mode: Mode, electorate: Iterable[int], positions: Mapping[int, Stance],
            now: datetime, deadline: datetime) -> Outcome:
    """The state of a poll at ``now``.

    - Any objection by a member of the electorate blocks, at once and for good,
      whatever the mode and whatever the time.
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


def concurring(electorate: Iterable[int], positions: Mapping[int, Stance]) -> list[int]:
    """Members of the electorate who concur, in the electorate's order."""
    return [member for member in electorate if positions.get(member) == Stance.CONCUR]
