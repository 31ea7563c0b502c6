"""The charter file's schema: pydantic models of its tables, checked completely.

Each table refuses unknown keys (``extra="forbid"``: a typo must not pass
silently) and takes values as TOML wrote them (``strict``: ``"10"`` is not a
number). A check that pydantic cannot express raises :func:`problem` with the
words the charter's author reads; :mod:`bot.charter.load` turns pydantic's
errors into a :class:`~bot.charter.load.CharterError` naming file and key.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, timedelta
from typing import Annotated, Any, Self

from pydantic import (
    AfterValidator,
    BeforeValidator,
    Field,
    field_validator,
    model_validator,
)

from bot.cadence import default_at_risk
from bot.charter.fields import (
    Key,
    Loc,
    Name,
    Names,
    Text,
    _choice,
    _code,
    _founded,
    _Table,
    _text,
    _timezone,
    problem,
)
from bot.charter.practice import CalendarTable, ConsensusTable, MeetingsTable
from bot.charter.spec import (
    LEVELS,
    PERIODS,
    AreaSpec,
    BodySpec,
    Cadence,
    Charter,
    MemberSpec,
)
from bot.i18n import OFFERED, SOURCE
from bot.lookup import normalise
from bot.times import read_duration

DEFAULT_TIMEZONE = "Europe/Brussels"
_HIGH_LEVELS = frozenset({"summit", "ministerial"})
_LONG_REMINDERS = (timedelta(days=7), timedelta(hours=24), timedelta(hours=1))
_SHORT_REMINDERS = (timedelta(hours=24), timedelta(hours=1))
# at_risk_days must leave part of the shortest period "on track".
_MAX_AT_RISK = {"month": 28, "year": 365}
_MIN_MEMBERS = 2

# --- tables --------------------------------------------------------------------------


class CouncilTable(_Table):
    """``[council]``: who the council is and where its clock is."""

    name: Name
    short_name: Name
    chair_title: Text
    timezone: Annotated[str, AfterValidator(_text), AfterValidator(_timezone)] = DEFAULT_TIMEZONE
    founded: Annotated[date | None, BeforeValidator(_founded)] = None
    source: Text | None = None
    #: The council's official languages: channel posts are in each, the first in full.
    languages: list[Annotated[str, AfterValidator(_text), _choice(OFFERED)]] = Field(
        default_factory=lambda: [SOURCE], min_length=1)
    names: Names = Field(default_factory=dict)

    @field_validator("languages")
    @classmethod
    def _once(cls, value: list[str]) -> list[str]:
        for index, lang in enumerate(value):
            if lang in value[:index]:
                raise problem(f'"{lang}" is named twice', (index,))
        return value


class MemberTable(_Table):
    """``[[members]]``: one voice, its ISO codes and the other names delegates type."""

    name: Name
    alpha2: Annotated[str, AfterValidator(_text), _code(2)]
    alpha3: Annotated[str, AfterValidator(_text), _code(3)]
    aliases: list[Name] = Field(default_factory=list)
    names: Names = Field(default_factory=dict)

    def spec(self) -> MemberSpec:
        # Repeating the member's own name or code is harmless: keep it once.
        written = {text.casefold() for text in (self.name, self.alpha2, self.alpha3)}
        aliases: list[str] = []
        for alias in self.aliases:
            if alias.casefold() not in written:
                written.add(alias.casefold())
                aliases.append(alias)
        return MemberSpec(name=self.name, alpha2=self.alpha2, alpha3=self.alpha3,
                          aliases=tuple(aliases), names=dict(self.names))

    def every_name(self) -> Iterable[tuple[Loc, str]]:
        """Every name of this member with its key, for the duplicate check."""
        member = self.spec()
        yield ("name",), member.name
        yield ("alpha2",), member.alpha2
        yield ("alpha3",), member.alpha3
        for index, alias in enumerate(member.aliases):
            yield ("aliases", index), alias
        for lang, name in member.names.items():
            yield ("names", lang), name


class CadenceTable(_Table):
    """``cadence = { count = 1, per = "month" }``: the minimum number of meetings."""

    count: int = Field(ge=1)
    per: Annotated[str, AfterValidator(_text), _choice(PERIODS)]


class AreaTable(_Table):
    """``[[areas]]``: an area of cooperation, to tag proposals, decisions and groups."""

    key: Key
    name: Name
    names: Names = Field(default_factory=dict)

    def spec(self) -> AreaSpec:
        return AreaSpec(key=self.key, name=self.name, names=dict(self.names))


class BodyTable(_Table):
    """``[[bodies]]``: a body of the council, its mandate, cadence and reminders."""

    key: Key
    name: Name
    level: Annotated[str, AfterValidator(_text), _choice(LEVELS)]
    mandate: Text
    cadence: CadenceTable | None = None
    reminders: list[Text] | None = None
    at_risk_days: int | None = Field(default=None, ge=1)
    area: Text | None = None
    extraordinary: bool = False
    names: Names = Field(default_factory=dict)

    @field_validator("reminders")
    @classmethod
    def _leads(cls, texts: list[str] | None) -> list[str] | None:
        """Lead times before a meeting; a repeat would post twice."""
        seen: dict[timedelta, str] = {}
        for index, text in enumerate(texts or ()):
            try:
                lead = read_duration(text)
            except ValueError as exc:
                raise problem(str(exc).rstrip("."), (index,)) from None
            if lead in seen:
                raise problem(f'"{text}" repeats {seen[lead]}; each reminder is sent once',
                              (index,))
            seen[lead] = f'"{text}"'
        return texts

    @model_validator(mode="after")
    def _at_risk_needs_a_cadence(self) -> Self:
        if self.at_risk_days is None:
            return self
        if self.cadence is None:
            raise problem("has no meaning without a cadence; add a cadence or remove "
                          "at_risk_days", ("at_risk_days",))
        maximum = _MAX_AT_RISK[self.cadence.per]
        if self.at_risk_days > maximum:
            raise problem(f"must be at most {maximum}, not {self.at_risk_days}",
                          ("at_risk_days",))
        return self

    def spec(self) -> BodySpec:
        cadence = None if self.cadence is None else Cadence(self.cadence.count, self.cadence.per)
        if self.reminders is not None:
            reminders = tuple(sorted({read_duration(text) for text in self.reminders},
                                     reverse=True))
        else:
            reminders = _LONG_REMINDERS if self.level in _HIGH_LEVELS else _SHORT_REMINDERS
        at_risk_days = self.at_risk_days
        if at_risk_days is None and cadence is not None:
            at_risk_days = default_at_risk(cadence.per)
        return BodySpec(key=self.key, name=self.name, level=self.level, mandate=self.mandate,
                        cadence=cadence, reminders=reminders, at_risk_days=at_risk_days,
                        area=self.area, extraordinary=self.extraordinary,
                        names=dict(self.names))


class CharterFile(_Table):
    """The whole file: ``[council]``, ``[[members]]``, ``[[bodies]]``, ``[[areas]]``,
    ``[consensus]``, ``[calendar]`` and ``[meetings]``."""

    council: CouncilTable
    members: list[MemberTable]
    bodies: list[BodyTable]
    areas: list[AreaTable] = Field(default_factory=list)
    consensus: ConsensusTable = ConsensusTable()
    calendar: CalendarTable | None = None
    meetings: MeetingsTable = MeetingsTable()

    @model_validator(mode="after")
    def _whole_council(self) -> Self:
        """What no single table can check: size, names shared by two entries, references."""
        _no_duplicates("areas", [
            ((i, field), value, area.key)
            for i, area in enumerate(self.areas)
            for field, value in (("key", area.key), ("name", area.name))
        ])
        if len(self.members) < _MIN_MEMBERS:
            raise problem(f"a council needs at least {_MIN_MEMBERS} members; "
                          f"this file has {len(self.members)}", ("members",))
        _no_duplicates("members", [
            ((i, *key), value, member.name)
            for i, member in enumerate(self.members)
            for key, value in member.every_name()
        ])
        area_keys = [area.key for area in self.areas]
        for i, body in enumerate(self.bodies):
            if body.area is not None and body.area not in area_keys:
                known = ", ".join(area_keys) if area_keys else "none are defined"
                raise problem(f'unknown area "{body.area}" (areas: {known})',
                              ("bodies", i, "area"))
        _no_duplicates("bodies", [
            ((i, field), value, body.key)
            for i, body in enumerate(self.bodies)
            for field, value in (("key", body.key), ("name", body.name))
        ])
        extraordinary = [i for i, body in enumerate(self.bodies) if body.extraordinary]
        if len(extraordinary) > 1:
            first, second = extraordinary[:2]
            raise problem(f"only one body can take extraordinary meetings, and "
                          f'bodies[{first}] ("{self.bodies[first].key}") already does',
                          ("bodies", second, "extraordinary"), bare=True)
        return self

    def spec(self, source_path: str) -> Charter:
        return Charter(
            name=self.council.name,
            short_name=self.council.short_name,
            chair_title=self.council.chair_title,
            timezone=self.council.timezone,
            members=tuple(member.spec() for member in self.members),
            bodies=tuple(body.spec() for body in self.bodies),
            areas=tuple(area.spec() for area in self.areas),
            source_path=source_path,
            founded=self.council.founded,
            source=self.council.source,
            min_silence=(read_duration(self.consensus.min_silence)
                         if self.consensus.min_silence else timedelta(0)),
            calendar=self.calendar.spec() if self.calendar else None,
            break_silence=self.consensus.roles(),
            representation_by_other_member=self.meetings.representation_by_other_member,
            languages=tuple(self.council.languages),
            names=dict(self.council.names),
        )


def _no_duplicates(section: str, items: list[tuple[tuple[Any, ...], str, str]]) -> None:
    """Refuse a name that would point to two entries, comparing names as lookups do.

    ``items`` are (key below the section starting with the entry's index, value,
    entry label); one entry may repeat its own names, two entries may not share one.
    """
    seen: dict[str, tuple[int, str]] = {}
    for key, value, label in items:
        index = key[0]
        folded = normalise(value)
        first = seen.get(folded)
        if first is not None and first[0] != index:
            raise problem(f'"{value}" is already used by {section}[{first[0]}] '
                          f'("{first[1]}"); each name must point to one entry',
                          (section, *key), bare=True)
        seen.setdefault(folded, (index, label))
