"""What a loaded charter is: the council, its members, bodies and areas, immutable.

These are the objects the rest of the bot reads; :mod:`bot.charter.schema`
checks a charter file and builds them, :mod:`bot.charter.load` reads the file.
"""

from __future__ import annotations

import zoneinfo
from dataclasses import dataclass, field
from datetime import date, time, timedelta

LEVELS = ("summit", "ministerial", "ambassadorial", "committee", "military", "expert")
PERIODS = ("month", "year")
#: The days of the week as a charter names them, Monday first (``datetime.weekday()``).
WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
#: The roles in a member's delegation (``delegate add … head|deputy|milrep|expert``).
DELEGATION_ROLES = ("head", "deputy", "milrep", "expert")
#: "By default the head and the deputy head may object or propose an amendment; every
#: delegate may concur."
DEFAULT_BREAK_SILENCE = ("head", "deputy")


@dataclass(frozen=True)
class MemberSpec:
    """One member of the council: one voice, however many ways it is named."""

    name: str
    alpha2: str
    alpha3: str
    aliases: tuple[str, ...] = ()
    #: The member's name in other languages (``Allemagne``, ``Германия``).
    names: dict[str, str] = field(default_factory=dict, compare=False, hash=False)

    def every_name(self) -> tuple[str, ...]:
        """Every name a delegate may type for this member, the official one first."""
        return (self.name, self.alpha2, self.alpha3, *self.aliases, *self.names.values())


@dataclass(frozen=True)
class Cadence:
    """The minimum number of meetings a body must hold in each period."""

    count: int
    per: str

    def __post_init__(self) -> None:
        if isinstance(self.count, bool) or not isinstance(self.count, int) or self.count < 1:
            raise ValueError(f"A cadence needs a count of at least 1, not {self.count!r}.")
        if self.per not in PERIODS:
            raise ValueError(f'A cadence is per "month" or per "year", not {self.per!r}.')

    def describe(self) -> str:
        """The cadence in the declaration's own words: "at least twice a year"."""
        times = {1: "once", 2: "twice"}.get(self.count, f"{self.count} times")
        return f"at least {times} a {self.per}"


@dataclass(frozen=True)
class BodySpec:
    """A body of the council (Ambassadors, Preparatory Committee, ...) and its mandate."""

    key: str
    name: str
    level: str
    mandate: str
    cadence: Cadence | None
    reminders: tuple[timedelta, ...]
    at_risk_days: int | None
    area: str | None = None
    extraordinary: bool = False
    names: dict[str, str] = field(default_factory=dict, compare=False, hash=False)


@dataclass(frozen=True)
class AreaSpec:
    """An area of cooperation, used to tag proposals, decisions and working groups."""

    key: str
    name: str
    names: dict[str, str] = field(default_factory=dict, compare=False, hash=False)


@dataclass(frozen=True)
class Calendar:
    """When the council's staff work: the days (``weekday()`` numbers) and the hours.

    A deadline outside them is lawful, but the Chair is told, so that a poll does not
    close on a Saturday by accident (``bot.polls.rules.working_time_note``).
    """

    working_days: tuple[int, ...]
    start: time
    end: time


@dataclass(frozen=True)
class Charter:
    """A whole council as its charter file defines it; immutable once loaded."""

    name: str
    short_name: str
    chair_title: str
    timezone: str
    members: tuple[MemberSpec, ...]
    bodies: tuple[BodySpec, ...]
    areas: tuple[AreaSpec, ...]
    source_path: str
    founded: date | None = None
    source: str | None = None
    #: The shortest silence a delegation may propose (``[consensus] min_silence``);
    #: zero when the charter sets none. The Chair goes below it only with ``--urgent``.
    min_silence: timedelta = timedelta(0)
    #: ``[calendar]``: None when the charter names no working days and hours.
    calendar: Calendar | None = None
    break_silence: tuple[str, ...] = DEFAULT_BREAK_SILENCE
    """The delegation roles that may break silence (object); every role may concur."""
    #: ``[meetings] representation_by_other_member``: may a member be recorded as
    #: represented at a meeting by another member's delegation?
    representation_by_other_member: bool = False
    #: ``[council] languages``: the official languages, the first in full in every post.
    languages: tuple[str, ...] = ("en",)
    #: ``[council] names``: the council's name in other languages.
    names: dict[str, str] = field(default_factory=dict, compare=False, hash=False)

    def body(self, key: str) -> BodySpec | None:
        """The body with this key, or None; keys are lowercase, so case is forgiven."""
        wanted = key.strip().lower()
        return next((body for body in self.bodies if body.key == wanted), None)

    def area(self, key: str) -> AreaSpec | None:
        """The area with this key, or None; keys are lowercase, so case is forgiven."""
        wanted = key.strip().lower()
        return next((area for area in self.areas if area.key == wanted), None)

    def zone(self) -> zoneinfo.ZoneInfo:
        """The council's time zone, already checked when the charter was loaded."""
        return zoneinfo.ZoneInfo(self.timezone)
