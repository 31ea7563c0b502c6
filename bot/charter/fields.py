"""The building blocks of the charter's schema: the words a problem is said in, the
checks of text, keys, codes and zones, and the strict table every model derives from."""

from __future__ import annotations

import difflib
import re
import zoneinfo
from datetime import date, datetime
from typing import Annotated

from pydantic import AfterValidator, BaseModel, ConfigDict
from pydantic_core import PydanticCustomError

from bot.i18n import OFFERED
from bot.lookup import normalise

_KEY = re.compile(r"[a-z0-9]+(?:-[a-z0-9]+)*")
_ISO_CODE = re.compile(r"[A-Za-z]+")

Loc = tuple[str | int, ...]


def problem(text: str, at: Loc = (), *, bare: bool = False) -> PydanticCustomError:
    """A charter problem in the author's words, at ``at`` below the table checked.

    ``bare``: the message is complete as it is, without "(in member ...)".
    """
    return PydanticCustomError("charter", text, {"at": at, "bare": bare})


def describe(value: object) -> str:
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


# --- values --------------------------------------------------------------------------


def _text(value: str) -> str:
    """A non-empty string; surrounding spaces are dropped."""
    if not value.strip():
        raise problem("must not be empty")
    return value.strip()


def _typable(value: str) -> str:
    """Text a delegate may type to name something, so it must hold a letter or digit."""
    if not normalise(value):
        raise problem(f'"{value}" has no letters or digits, so nobody could type it')
    return value


def _slug(value: str) -> str:
    if not _KEY.fullmatch(value):
        raise problem(f'"{value}" is not a key; use lowercase letters, digits and hyphens, '
                      'like "council-amb"')
    return value


def _code(length: int) -> AfterValidator:
    def check(value: str) -> str:
        if len(value) != length or not _ISO_CODE.fullmatch(value) or not value.isascii():
            raise problem(f'"{value}" is not a {length}-letter ISO 3166-1 code')
        return value.upper()

    return AfterValidator(check)


def _choice(options: tuple[str, ...]) -> AfterValidator:
    def check(value: str) -> str:
        if value not in options:
            raise problem(f'"{value}" is not one of: {", ".join(options)}')
        return value

    return AfterValidator(check)


def _timezone(value: str) -> str:
    """Check against the tz database now, not when the first reminder is due."""
    try:
        zoneinfo.ZoneInfo(value)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError, OSError):
        close = difflib.get_close_matches(value, sorted(zoneinfo.available_timezones()), n=1)
        hint = f"; did you mean {close[0]}?" if close else ' (use a name like "Europe/Brussels")'
        raise problem(f'"{value}" is not a known time zone{hint}') from None
    return value


def _founded(value: object) -> object:
    """A TOML date (``2002-05-28``) or the same written as text."""
    if isinstance(value, date) and not isinstance(value, datetime):
        return value
    if isinstance(value, str):
        try:
            return date.fromisoformat(value.strip())
        except ValueError:
            raise problem(f'"{value}" is not a date; write it as YYYY-MM-DD') from None
    raise problem(f"must be a date like 2002-05-28, not {describe(value)}")


Text = Annotated[str, AfterValidator(_text)]
Name = Annotated[str, AfterValidator(_text), AfterValidator(_typable)]
Key = Annotated[str, AfterValidator(_text), AfterValidator(_slug)]


class _Table(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True, frozen=True)




def _languages(value: dict[str, str]) -> dict[str, str]:
    """``names = { fr = "Allemagne", ru = "Германия" }``: keys are offered languages."""
    for lang in value:
        if lang not in OFFERED:
            raise problem(f'"{lang}" is not an offered language ({", ".join(OFFERED)})',
                          (lang,))
    return value


#: A name in other languages: ``names = { fr = "…", ru = "…" }``.
Names = Annotated[dict[str, Name], AfterValidator(_languages)]
