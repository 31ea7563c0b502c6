"""The council's charter: its members, its bodies and their cadence, its areas.

A charter is data, not code (PRODUCT.md section 1): the NRC 2002 charter ships
in the package and is the default; another council loads its own TOML file.

- :mod:`bot.charter.spec`: the loaded charter's objects (``Charter``, ``MemberSpec``...);
- :mod:`bot.charter.schema`: the file's schema, pydantic models checked completely;
- :mod:`bot.charter.load`: reading a file and naming what is wrong with it.
"""

from __future__ import annotations

from bot.charter.load import DEFAULT_CHARTER, CharterError, load_charter
from bot.charter.spec import (
    LEVELS,
    PERIODS,
    WEEKDAYS,
    AreaSpec,
    BodySpec,
    Cadence,
    Calendar,
    Charter,
    MemberSpec,
)
from bot.times import read_duration as parse_duration

__all__ = [
    "DEFAULT_CHARTER",
    "LEVELS",
    "PERIODS",
    "WEEKDAYS",
    "AreaSpec",
    "BodySpec",
    "Cadence",
    "Calendar",
    "Charter",
    "CharterError",
    "MemberSpec",
    "load_charter",
    "parse_duration",
]
