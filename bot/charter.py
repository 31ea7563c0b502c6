"""The council's charter: its members, its bodies and their cadence, its areas.

A charter is data, not code (PRODUCT.md section 1): the NRC 2002 charter ships
in the package and is the default; another council loads its own TOML file.
The file is checked completely at load time, because a typo found in the middle
of a council meeting is far worse than one found at start-up. Every error names
the file, the key path (0-based, e.g. ``members[3].alpha3``) and what is wrong.
"""

from __future__ import annotations

import difflib
import os
import re
import tomllib
import zoneinfo
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from importlib import resources
from pathlib import Path
from typing import NoReturn

from bot.lookup import normalise
from bot.times import read_duration as parse_duration

LEVELS = ("summit", "ministerial", "ambassadorial", "committee", "military", "expert")
PERIODS = ("month", "year")

_DEFAULT_TIMEZONE = "Europe/Brussels"
_DEFAULT_NAME = "nrc-2002.toml"
_HIGH_LEVELS = frozenset({"summit", "ministerial"})
_LONG_REMINDERS = (timedelta(days=7), timedelta(hours=24), timedelta(hours=1))
_SHORT_REMINDERS = (timedelta(hours=24), timedelta(hours=1))
_DEFAULT_AT_RISK = {"month": 10, "year": 60}
# at_risk_days must leave part of the shortest period "on track".
_MAX_AT_RISK = {"month": 28, "year": 365}
_MIN_MEMBERS = 2

_KEY = re.compile(r"[a-z0-9]+(?:-[a-z0-9]+)*")
_ISO_CODE = re.compile(r"[A-Za-z]+")
_TOML_WHERE = re.compile(r"^(?P<what>.*?)\s*\((?:at line (?P<line>\d+), column (?P<col>\d+)"
                         r"|at (?P<end>end of document))\)$", re.DOTALL)



class CharterError(Exception):
    """The charter file cannot be used; ``str()`` is "<file>: <key>: <what is wrong>"."""

    def __init__(self, file: str, key: str, problem: str) -> None:
        self.file = file
        self.key = key
        self.problem = problem
        super().__init__(f"{file}: {key}: {problem}" if key else f"{file}: {problem}")


@dataclass(frozen=True)
class MemberSpec:
    """One member of the council: one voice, however many ways it is named."""

    name: str
    alpha2: str
    alpha3: str
    aliases: tuple[str, ...] = ()

    def names(self) -> tuple[str, ...]:
        """Every name a delegate may type for this member, the official one first."""
        return (self.name, self.alpha2, self.alpha3, *self.aliases)


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


@dataclass(frozen=True)
class AreaSpec:
    """An area of cooperation, used to tag proposals, decisions and working groups."""

    key: str
    name: str


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


DEFAULT_CHARTER: str = str(resources.files("bot") / "charters" / _DEFAULT_NAME)
"""Path of the packaged NRC 2002 charter."""


def load_charter(path: str | os.PathLike[str] | None = None) -> Charter:
    """Read and check a charter file; ``None`` means the packaged NRC 2002 charter.

    Raises :class:`CharterError` for the first problem found, so the bot never
    starts on a charter that would misbehave later.
    """
    if path is None:
        file = DEFAULT_CHARTER
        try:
            raw = (resources.files("bot") / "charters" / _DEFAULT_NAME).read_bytes()
        except OSError as exc:  # a broken installation, not a user mistake
            raise CharterError(file, "", f"the packaged charter cannot be read ({exc})") from exc
    else:
        file = os.fspath(path)
        try:
            raw = Path(file).read_bytes()
        except FileNotFoundError:
            raise CharterError(file, "", "no such file") from None
        except IsADirectoryError:
            raise CharterError(file, "", "is a directory, not a charter file") from None
        except OSError as exc:
            raise CharterError(file, "", f"cannot be read ({exc.strerror or exc})") from None
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise CharterError(file, "", f"is not UTF-8 text (bad byte at offset {exc.start})") from None
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise _syntax_error(file, str(exc)) from None
    return _build(data, file)


# --- reading -------------------------------------------------------------------------


def _syntax_error(file: str, message: str) -> CharterError:
    """Turn tomllib's "What (at line 3, column 5)" into "file: line 3, column 5: What"."""
    match = _TOML_WHERE.match(message)
    if match is None:
        return CharterError(file, "TOML syntax", message)
    where = ("end of file" if match["end"]
             else f"line {match['line']}, column {match['col']}")
    return CharterError(file, where, f"TOML syntax error: {match['what']}")


def _join(path: str, name: str) -> str:
    return f"{path}.{name}" if path else name


def _describe(value: object) -> str:
    """How a value the file holds reads in an error: 'the number 5', 'a table'."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return f"the number {value}"
    if isinstance(value, str):
        return f'the text "{value}"'
    if isinstance(value, list):
        return "a list"
    if isinstance(value, dict):
        return "a table"
    if isinstance(value, datetime | date):
        return f"the date {value.isoformat()}"
    return f"the value {value!r}"


class _Scope:
    """One TOML table being read: each error names the file, the key and the entry."""

    def __init__(self, file: str, table: object, path: str, label: str = "") -> None:
        self.file = file
        self.path = path
        self.label = label
        if not isinstance(table, dict):
            self.fail(None, f"must be a table, not {_describe(table)}")
        self.table: dict[str, object] = table

    def fail(self, name: str | None, problem: str) -> NoReturn:
        key = _join(self.path, name) if name else self.path
        suffix = f" (in {self.label})" if self.label else ""
        raise CharterError(self.file, key, problem + suffix)

    def keys(self, required: Sequence[str], optional: Sequence[str] = ()) -> None:
        """Refuse unknown keys first (a typo also makes a key "missing"), then missing ones."""
        allowed = (*required, *optional)
        for name in self.table:
            if name not in allowed:
                close = difflib.get_close_matches(name, allowed, n=1)
                hint = f'; did you mean "{close[0]}"?' if close else ""
                self.fail(name, f"unknown key{hint} (allowed here: {', '.join(allowed)})")
        for name in required:
            if name not in self.table:
                self.fail(name, "required key is missing")

    def text(self, name: str, default: str | None = None) -> str:
        """A non-empty string; surrounding spaces are dropped."""
        value = self.table.get(name, default)
        if not isinstance(value, str):
            self.fail(name, f"must be text, not {_describe(value)}")
        if not value.strip():
            self.fail(name, "must not be empty")
        return value.strip()

    def optional_text(self, name: str) -> str | None:
        return self.text(name) if name in self.table else None

    def name(self, name: str) -> str:
        """Text a delegate may type to name something, so it must hold a letter or digit."""
        value = self.text(name)
        if not normalise(value):
            self.fail(name, f'"{value}" has no letters or digits, so nobody could type it')
        return value

    def slug(self, name: str) -> str:
        value = self.text(name)
        if not _KEY.fullmatch(value):
            self.fail(name, f'"{value}" is not a key; use lowercase letters, digits and '
                            'hyphens, like "council-amb"')
        return value

    def code(self, name: str, length: int) -> str:
        value = self.text(name)
        if len(value) != length or not _ISO_CODE.fullmatch(value) or not value.isascii():
            self.fail(name, f'"{value}" is not a {length}-letter ISO 3166-1 code')
        return value.upper()

    def choice(self, name: str, options: Sequence[str]) -> str:
        value = self.text(name)
        if value not in options:
            self.fail(name, f'"{value}" is not one of: {", ".join(options)}')
        return value

    def integer(self, name: str, minimum: int, maximum: int | None = None) -> int:
        value = self.table.get(name)
        if isinstance(value, bool) or not isinstance(value, int):
            self.fail(name, f"must be a whole number, not {_describe(value)}")
        if value < minimum:
            self.fail(name, f"must be at least {minimum}, not {value}")
        if maximum is not None and value > maximum:
            self.fail(name, f"must be at most {maximum}, not {value}")
        return value

    def boolean(self, name: str, default: bool) -> bool:
        value = self.table.get(name, default)
        if not isinstance(value, bool):
            self.fail(name, f"must be true or false, not {_describe(value)}")
        return value

    def strings(self, name: str) -> list[tuple[str, str]]:
        """A list of strings, each with its own key path for later errors."""
        value = self.table.get(name, [])
        if not isinstance(value, list):
            self.fail(name, f"must be a list of text, not {_describe(value)}")
        items: list[tuple[str, str]] = []
        for index, item in enumerate(value):
            key = f"{name}[{index}]"
            if not isinstance(item, str):
                self.fail(key, f"must be text, not {_describe(item)}")
            if not item.strip():
                self.fail(key, "must not be empty")
            items.append((key, item.strip()))
        return items

    def entries(self, name: str) -> list[tuple[str, object]]:
        """A ``[[name]]`` array of tables, each with its key path."""
        value = self.table.get(name, [])
        if not isinstance(value, list):
            self.fail(name, f"must be a list of [[{name}]] tables, not {_describe(value)}")
        return [(f"{_join(self.path, name)}[{index}]", item) for index, item in enumerate(value)]

    def entry_label(self, kind: str, name: str) -> str:
        """'member "Denmark"': which entry an error is in, when its name is readable."""
        value = self.table.get(name)
        return f'{kind} "{value.strip()}"' if isinstance(value, str) and value.strip() else ""


def _build(data: dict[str, object], file: str) -> Charter:
    top = _Scope(file, data, "")
    top.keys(required=("council", "members", "bodies"), optional=("areas",))

    council = _Scope(file, data["council"], "council")
    council.keys(required=("name", "short_name", "chair_title"),
                 optional=("timezone", "founded", "source"))
    name = council.name("name")
    short_name = council.name("short_name")
    chair_title = council.text("chair_title")
    timezone = council.text("timezone", _DEFAULT_TIMEZONE)
    _check_timezone(council, timezone)
    founded = _founded(council)
    source = council.optional_text("source")

    areas = tuple(_area(file, item, path) for path, item in top.entries("areas"))
    _no_duplicates(file, "areas", [
        (f"areas[{i}].{field}", value, i, area.key)
        for i, area in enumerate(areas)
        for field, value in (("key", area.key), ("name", area.name))
    ])

    members = tuple(_member(file, item, path) for path, item in top.entries("members"))
    if len(members) < _MIN_MEMBERS:
        top.fail("members", f"a council needs at least {_MIN_MEMBERS} members; "
                            f"this file has {len(members)}")
    _no_duplicates(file, "members", [
        (f"members[{i}].{field}", value, i, member.name)
        for i, member in enumerate(members)
        for field, value in _member_fields(member)
    ])

    area_keys = [area.key for area in areas]
    bodies = tuple(_body(file, item, path, area_keys) for path, item in top.entries("bodies"))
    _no_duplicates(file, "bodies", [
        (f"bodies[{i}].{field}", value, i, body.key)
        for i, body in enumerate(bodies)
        for field, value in (("key", body.key), ("name", body.name))
    ])
    extraordinary = [i for i, body in enumerate(bodies) if body.extraordinary]
    if len(extraordinary) > 1:
        first, second = extraordinary[:2]
        raise CharterError(file, f"bodies[{second}].extraordinary",
                           f"only one body can take extraordinary meetings, and "
                           f'bodies[{first}] ("{bodies[first].key}") already does')

    return Charter(
        name=name,
        short_name=short_name,
        chair_title=chair_title,
        timezone=timezone,
        members=members,
        bodies=bodies,
        areas=areas,
        source_path=file,
        founded=founded,
        source=source,
    )


def _check_timezone(council: _Scope, timezone: str) -> None:
    """Check against the tz database now, not when the first reminder is due."""
    try:
        zoneinfo.ZoneInfo(timezone)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError, OSError):
        close = difflib.get_close_matches(timezone, sorted(zoneinfo.available_timezones()), n=1)
        hint = f"; did you mean {close[0]}?" if close else ' (use a name like "Europe/Brussels")'
        council.fail("timezone", f'"{timezone}" is not a known time zone{hint}')


def _founded(council: _Scope) -> date | None:
    value = council.table.get("founded")
    if value is None:
        return None
    if isinstance(value, date) and not isinstance(value, datetime):
        return value
    if isinstance(value, str):
        try:
            return date.fromisoformat(value.strip())
        except ValueError:
            council.fail("founded", f'"{value}" is not a date; write it as YYYY-MM-DD')
    council.fail("founded", f"must be a date like 2002-05-28, not {_describe(value)}")


def _member(file: str, item: object, path: str) -> MemberSpec:
    scope = _Scope(file, item, path)
    scope.label = scope.entry_label("member", "name")
    scope.keys(required=("name", "alpha2", "alpha3"), optional=("aliases",))
    name = scope.name("name")
    alpha2 = scope.code("alpha2", 2)
    alpha3 = scope.code("alpha3", 3)
    written = {text.casefold() for text in (name, alpha2, alpha3)}
    aliases: list[str] = []
    for key, alias in scope.strings("aliases"):
        if not normalise(alias):
            scope.fail(key, f'"{alias}" has no letters or digits, so nobody could type it')
        # Repeating the member's own name or code is harmless: keep it once.
        if alias.casefold() not in written:
            written.add(alias.casefold())
            aliases.append(alias)
    return MemberSpec(name=name, alpha2=alpha2, alpha3=alpha3, aliases=tuple(aliases))


def _member_fields(member: MemberSpec) -> Iterable[tuple[str, str]]:
    yield "name", member.name
    yield "alpha2", member.alpha2
    yield "alpha3", member.alpha3
    for index, alias in enumerate(member.aliases):
        yield f"aliases[{index}]", alias


def _no_duplicates(file: str, section: str, items: list[tuple[str, str, int, str]]) -> None:
    """Refuse a name that would point to two entries, comparing names as lookups do.

    ``items`` are (key path, value, entry index, entry label); one entry may
    repeat its own names, two entries may not share one.
    """
    seen: dict[str, tuple[int, str]] = {}
    for key, value, index, label in items:
        folded = normalise(value)
        first = seen.get(folded)
        if first is not None and first[0] != index:
            raise CharterError(file, key, f'"{value}" is already used by {section}[{first[0]}] '
                                          f'("{first[1]}"); each name must point to one entry')
        seen.setdefault(folded, (index, label))


def _area(file: str, item: object, path: str) -> AreaSpec:
    scope = _Scope(file, item, path)
    scope.label = scope.entry_label("area", "key")
    scope.keys(required=("key", "name"))
    return AreaSpec(key=scope.slug("key"), name=scope.name("name"))


def _body(file: str, item: object, path: str, area_keys: Sequence[str]) -> BodySpec:
    scope = _Scope(file, item, path)
    scope.label = scope.entry_label("body", "key")
    scope.keys(required=("key", "name", "level", "mandate"),
               optional=("cadence", "reminders", "at_risk_days", "area", "extraordinary"))
    key = scope.slug("key")
    level = scope.choice("level", LEVELS)

    cadence: Cadence | None = None
    if "cadence" in scope.table:
        inner = _Scope(file, scope.table["cadence"], _join(path, "cadence"), scope.label)
        inner.keys(required=("count", "per"))
        cadence = Cadence(count=inner.integer("count", minimum=1), per=inner.choice("per", PERIODS))

    if "reminders" in scope.table:
        reminders = _reminders(scope)
    else:
        reminders = _LONG_REMINDERS if level in _HIGH_LEVELS else _SHORT_REMINDERS

    at_risk_days: int | None = None
    if "at_risk_days" in scope.table:
        if cadence is None:
            scope.fail("at_risk_days", "has no meaning without a cadence; add a cadence "
                                       "or remove at_risk_days")
        at_risk_days = scope.integer("at_risk_days", 1, _MAX_AT_RISK[cadence.per])
    elif cadence is not None:
        at_risk_days = _DEFAULT_AT_RISK[cadence.per]

    area: str | None = None
    if "area" in scope.table:
        area = scope.text("area")
        if area not in area_keys:
            known = ", ".join(area_keys) if area_keys else "none are defined"
            scope.fail("area", f'unknown area "{area}" (areas: {known})')

    return BodySpec(
        key=key,
        name=scope.name("name"),
        level=level,
        mandate=scope.text("mandate"),
        cadence=cadence,
        reminders=reminders,
        at_risk_days=at_risk_days,
        area=area,
        extraordinary=scope.boolean("extraordinary", False),
    )


def _reminders(scope: _Scope) -> tuple[timedelta, ...]:
    """Lead times before a meeting, longest first; a repeat would post twice."""
    seen: dict[timedelta, str] = {}
    for key, text in scope.strings("reminders"):
        try:
            lead = parse_duration(text)
        except ValueError as exc:
            scope.fail(key, str(exc).rstrip("."))
        if lead in seen:
            scope.fail(key, f'"{text}" repeats {seen[lead]}; each reminder is sent once')
        seen[lead] = f'"{text}"'
    return tuple(sorted(seen, reverse=True))
