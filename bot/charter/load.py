"""Reading a charter file: bytes, then TOML, then the schema; every refusal named.

The file is checked completely at load time, because a typo found in the middle
of a council meeting is far worse than one found at start-up. Every error names
the file, the key path (0-based, e.g. ``members[3].alpha3``) and what is wrong.
"""

from __future__ import annotations

import difflib
import os
import re
import tomllib
from importlib import resources
from pathlib import Path

from pydantic import BaseModel, ValidationError
from pydantic_core import ErrorDetails

from bot.charter.fields import Loc, describe
from bot.charter.practice import CalendarTable, ConsensusTable
from bot.charter.schema import (
    AreaTable,
    BodyTable,
    CadenceTable,
    CharterFile,
    CouncilTable,
    MemberTable,
)
from bot.charter.spec import Charter

_DEFAULT_NAME = "nrc-2002.toml"
_TOML_WHERE = re.compile(r"^(?P<what>.*?)\s*\((?:at line (?P<line>\d+), column (?P<col>\d+)"
                         r"|at (?P<end>end of document))\)$", re.DOTALL)

#: The table at each key path (list indexes left out), for "allowed here: ...".
_TABLES: dict[tuple[str, ...], type[BaseModel]] = {
    (): CharterFile,
    ("council",): CouncilTable,
    ("members",): MemberTable,
    ("bodies",): BodyTable,
    ("bodies", "cadence"): CadenceTable,
    ("areas",): AreaTable,
    ("consensus",): ConsensusTable,
    ("calendar",): CalendarTable,
}
#: Which entry an error is in: 'member "Denmark"', by the key that names the entry.
_ENTRIES = {"members": ("member", "name"), "bodies": ("body", "key"), "areas": ("area", "key")}
#: Most telling first, as a reader goes through the file: the outer tables first, and in
#: each table its keys before their values; a typo makes a key both unknown and missing,
#: and "unknown" says why.
_RANK = {"extra_forbidden": 0, "missing": 1}


class CharterError(Exception):
    """The charter file cannot be used; ``str()`` is "<file>: <key>: <what is wrong>"."""

    def __init__(self, file: str, key: str, problem: str) -> None:
        self.file = file
        self.key = key
        self.problem = problem
        super().__init__(f"{file}: {key}: {problem}" if key else f"{file}: {problem}")


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
    try:
        checked = CharterFile.model_validate(data)
    except ValidationError as exc:
        raise _charter_error(file, data, exc) from None
    return checked.spec(file)


def _syntax_error(file: str, message: str) -> CharterError:
    """Turn tomllib's "What (at line 3, column 5)" into "file: line 3, column 5: What"."""
    match = _TOML_WHERE.match(message)
    if match is None:
        return CharterError(file, "TOML syntax", message)
    where = ("end of file" if match["end"]
             else f"line {match['line']}, column {match['col']}")
    return CharterError(file, where, f"TOML syntax error: {match['what']}")


def _charter_error(file: str, data: object, exc: ValidationError) -> CharterError:
    """The most telling of pydantic's errors, in the charter author's words."""
    error = min(exc.errors(), key=lambda e: (len(e["loc"]), _RANK.get(e["type"], len(_RANK))))
    ctx = error.get("ctx") or {}
    loc: Loc = (*error["loc"], *ctx.get("at", ()))
    text = _problem(error, loc)
    label = "" if ctx.get("bare") else _entry_label(data, loc)
    return CharterError(file, _key(loc), text + (f" (in {label})" if label else ""))


def _problem(error: ErrorDetails, loc: Loc) -> str:
    """What is wrong, for the error types a charter file can cause."""
    kind, value, ctx = error["type"], error["input"], error.get("ctx") or {}
    if kind == "missing":
        return "required key is missing"
    if kind == "extra_forbidden":
        allowed = list(_TABLES[_shape(loc[:-1])].model_fields)
        close = difflib.get_close_matches(str(loc[-1]), allowed, n=1)
        hint = f'; did you mean "{close[0]}"?' if close else ""
        return f"unknown key{hint} (allowed here: {', '.join(allowed)})"
    if kind in ("model_type", "dict_type", "model_attributes_type"):
        return f"must be a table, not {describe(value)}"
    if kind == "list_type":
        name = str(loc[-1])
        if len(loc) == 1 and name in _ENTRIES:
            return f"must be a list of [[{name}]] tables, not {describe(value)}"
        return f"must be a list of text, not {describe(value)}"
    if kind == "string_type":
        return f"must be text, not {describe(value)}"
    if kind == "int_type":
        return f"must be a whole number, not {describe(value)}"
    if kind == "bool_type":
        return f"must be true or false, not {describe(value)}"
    if kind == "greater_than_equal":
        return f"must be at least {ctx['ge']}, not {value}"
    return error["msg"]


def _shape(loc: Loc) -> tuple[str, ...]:
    return tuple(part for part in loc if isinstance(part, str))


def _key(loc: Loc) -> str:
    """``("members", 1, "alpha3")`` -> ``members[1].alpha3``."""
    key = ""
    for part in loc:
        key += f"[{part}]" if isinstance(part, int) else (f".{part}" if key else part)
    return key


def _entry_label(data: object, loc: Loc) -> str:
    """'member "Bravo"' for a key inside that entry; nothing for the entry itself."""
    if len(loc) < 3 or not isinstance(loc[1], int) or loc[0] not in _ENTRIES:
        return ""
    kind, naming = _ENTRIES[str(loc[0])]
    entries = data.get(loc[0]) if isinstance(data, dict) else None
    entry = entries[loc[1]] if isinstance(entries, list) and loc[1] < len(entries) else None
    value = entry.get(naming) if isinstance(entry, dict) else None
    return f'{kind} "{value.strip()}"' if isinstance(value, str) and value.strip() else ""
