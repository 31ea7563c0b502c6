"""The charter's tables of practice: ``[consensus]`` (the silence procedure: its minimum
and who may break it), ``[calendar]`` (the council's working days and hours) and
``[meetings]`` (who may represent a member at a meeting)."""

from __future__ import annotations

from datetime import time
from typing import Annotated

from pydantic import AfterValidator, Field, field_validator

from bot.charter.fields import _choice, _Table, _text, problem
from bot.charter.spec import DEFAULT_BREAK_SILENCE, DELEGATION_ROLES, WEEKDAYS, Calendar
from bot.times import read_duration


def _silence(value: str) -> str:
    try:
        read_duration(value)
    except ValueError as exc:
        raise problem(str(exc).rstrip(".")) from None
    return value


def _span(value: str) -> tuple[time, time]:
    start, end = (time.fromisoformat(f"{part.strip():0>5}") for part in value.split("-"))
    return start, end


def _hours(value: str) -> str:
    """``"09:00-18:00"``: the working day, its start before its end."""
    try:
        start, end = _span(value)
    except ValueError:
        raise problem(f'"{value}" is not a span of hours; write it like "09:00-18:00"') from None
    if start >= end:
        raise problem(f'"{value}" ends before it starts; write it like "09:00-18:00"')
    return value.strip()


EVERYONE = "all"


class ConsensusTable(_Table):
    """``[consensus]``: the charter's rules of the silence procedure.

    ``min_silence``: the shortest silence a delegation may propose ("24h" for the NRC).
    ``break_silence = ["head", "deputy"]`` (the default) or ``"all"``: a member's
    delegation decides by its authorised delegates; every delegate may concur.
    """

    min_silence: Annotated[str, AfterValidator(_text), AfterValidator(_silence)] | None = None
    break_silence: list[str] | str = Field(default_factory=lambda: list(DEFAULT_BREAK_SILENCE))

    @field_validator("break_silence")
    @classmethod
    def _roles(cls, value: list[str] | str) -> list[str] | str:
        options = f'{", ".join(DELEGATION_ROLES)}, or "{EVERYONE}" alone'
        if isinstance(value, str):
            if value != EVERYONE:
                raise problem(f'"{value}" is not a list of roles; use a list of '
                              f'{options}')
            return value
        if not value:
            raise problem("must name at least one role; nobody could object, and an "
                          "objection is what consensus protects")
        seen: set[str] = set()
        for index, role in enumerate(value):
            if role == EVERYONE and len(value) > 1:
                raise problem(f'"{EVERYONE}" already names every role; write it alone',
                              (index,))
            if role != EVERYONE and role not in DELEGATION_ROLES:
                raise problem(f'"{role}" is not one of: {options}', (index,))
            if role in seen:
                raise problem(f'"{role}" is named twice', (index,))
            seen.add(role)
        return value

    def roles(self) -> tuple[str, ...]:
        """The roles allowed, in a delegation's order; "all" is every role."""
        named = self.break_silence
        if named == EVERYONE or named == [EVERYONE]:
            return DELEGATION_ROLES
        return tuple(role for role in DELEGATION_ROLES if role in named)


class CalendarTable(_Table):
    """``[calendar]``: the council's working days (a repeat is harmless) and hours, in its
    time zone."""

    working_days: list[Annotated[str, AfterValidator(_text), _choice(WEEKDAYS)]] = Field(
        min_length=1)
    working_hours: Annotated[str, AfterValidator(_text), AfterValidator(_hours)]

    def spec(self) -> Calendar:
        start, end = _span(self.working_hours)
        return Calendar(working_days=tuple(sorted({WEEKDAYS.index(d) for d in self.working_days})),
                        start=start, end=end)


class MeetingsTable(_Table):
    """``[meetings]``: ``representation_by_other_member``: whether a member may be recorded
    as represented at a meeting by another member's delegation (false for the NRC, whose
    members act "in their national capacities")."""

    representation_by_other_member: bool = False
