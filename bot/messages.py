"""What the bot says, in a form neither Slack nor the console owns.

Text is Slack mrkdwn (mentions ``<@U1>``, dates ``<!date^…|fallback>``): the
Slack renderer passes it through, :func:`plain` turns it into terminal text.
"""

from __future__ import annotations

import html
import re
from collections.abc import Callable, Iterable
from dataclasses import asdict, dataclass, field, replace
from typing import Any

from bot.i18n import using


@dataclass(frozen=True)
class Confirm:
    """The dialog Slack shows before a button's click is sent (Block Kit's ``confirm``):
    plain text, the same for everyone who sees the button."""

    title: str
    text: str
    confirm: str
    deny: str = "Cancel"


@dataclass(frozen=True)
class Button:
    label: str
    action_id: str
    value: str
    style: str | None = None  # "primary" | "danger"
    confirm: Confirm | None = None

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Button:
        confirm = data.get("confirm")
        return cls(data["label"], data["action_id"], data["value"], data.get("style"),
                   Confirm(**confirm) if confirm else None)


@dataclass
class Message:
    text: str
    header: str | None = None
    fields: list[tuple[str, str]] = field(default_factory=list)
    sections: list[str] = field(default_factory=list)
    buttons: list[Button] = field(default_factory=list)
    context: list[str] = field(default_factory=list)
    #: The same message in the council's other official languages, in the same structure
    #: (a channel post: the first language in full, each other below a divider).
    also: list[Message] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        data = asdict(self)
        data["fields"] = [list(pair) for pair in self.fields]
        data["also"] = [other.to_dict() for other in self.also]
        if not self.also:
            del data["also"]
        return data

    def alone(self) -> Message:
        """This message in its first language only."""
        return replace(self, also=[])

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Message:
        return cls(
            text=data["text"],
            header=data.get("header"),
            fields=[(label, value) for label, value in data.get("fields", [])],
            sections=list(data.get("sections", [])),
            buttons=[Button.from_dict(b) for b in data.get("buttons", [])],
            context=list(data.get("context", [])),
            also=[cls.from_dict(other) for other in data.get("also", [])],
        )


_DATE = re.compile(r"<!date\^[^|>]*\|([^>]*)>")
_USER = re.compile(r"<@([UW][A-Z0-9]+)(?:\|([^>]*))?>")
_CHANNEL = re.compile(r"<#([CG][A-Z0-9]+)(?:\|([^>]*))?>")
_LINK = re.compile(r"<(https?://[^|>]+)\|([^>]*)>")
_SPECIAL = re.compile(r"<!(here|channel|everyone)>")
_BOLD = re.compile(r"(?<![\w*])\*([^*\n]+)\*(?![\w*])")
_ITALIC = re.compile(r"(?<![\w_])_([^_\n]+)_(?![\w_])")


def plain(text: str) -> str:
    """Slack mrkdwn as a terminal shows it: dates by their fallback, mentions by @id."""
    text = _DATE.sub(lambda m: m.group(1), text)
    text = _USER.sub(lambda m: "@" + (m.group(2) or m.group(1)), text)
    text = _CHANNEL.sub(lambda m: "#" + (m.group(2) or m.group(1)), text)
    text = _LINK.sub(lambda m: f"{m.group(2)} ({m.group(1)})", text)
    text = _SPECIAL.sub(lambda m: "@" + m.group(1), text)
    text = _BOLD.sub(r"\1", text)
    text = _ITALIC.sub(r"\1", text)
    return html.unescape(text)


def escape(text: str) -> str:
    """User text made inert for mrkdwn: no stray mentions, links or markup injection."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


# What must never be cut in two: an escape, or an angle-bracket token (a mention
# <@U1>, a date <!date^…|…>, a link <http…|…>, a channel <#C1>).
_ATOM = re.compile(r"&(?:amp|lt|gt);|<[^<>\n]*>")
ELLIPSIS = "\u2026"


def _safe_cuts(text: str, limit: int) -> list[bool]:
    """``safe[p]`` for ``0 <= p <= limit``: may the text be cut before index p?"""
    safe = [True] * (limit + 1)
    for atom in _ATOM.finditer(text):
        if atom.start() >= limit:
            break
        for p in range(atom.start() + 1, min(atom.end(), limit + 1)):
            safe[p] = False
    return safe


def _cut(text: str, limit: int, *, forced: bool = True) -> tuple[int, int]:
    """Where to cut ``text`` (longer than ``limit``): (end of the chunk, start of the rest).

    Preferably at a line break, else at a space, in the second half of the
    limit (that one whitespace character is dropped); else as late as possible
    between two characters that are not inside an escape or a token. A single
    token longer than the limit is cut at the limit if ``forced`` (the text
    must go on), else the cut is made before it (0 at the start).
    """
    safe = _safe_cuts(text, limit)
    for blank in ("\n", " "):
        for at in range(limit, max(limit // 2, 1) - 1, -1):
            if text[at] == blank and safe[at]:
                return at, at + 1
    at = next((p for p in range(limit, 0, -1) if safe[p]), limit if forced else 0)
    return at, at


def split_mrkdwn(text: str, limit: int) -> list[str]:
    """Long mrkdwn in pieces of at most ``limit`` characters, none cut inside an escape.

    Joining the pieces gives back the text, with one space or line break
    between two pieces where the cut was made at one (it is dropped: each
    piece is shown as a block of its own).
    """
    pieces: list[str] = []
    while len(text) > limit:
        end, start = _cut(text, limit)
        pieces.append(text[:end])
        text = text[start:]
    if text or not pieces:
        pieces.append(text)
    return pieces


def clip(text: str, limit: int) -> str:
    """``text`` cut to ``limit`` characters, ending in "…", never inside an escape or token."""
    if len(text) <= limit:
        return text
    end, _ = _cut(text, limit - 1, forced=False)
    return text[:end].rstrip() + ELLIPSIS


def count(number: int, singular: str, plural: str | None = None) -> str:
    """``1 joint decision``, ``2 joint decisions``: the plural form chosen, never bracketed.

    ``plural`` is given where English does not simply add an s ("1 reply", "2 replies").
    """
    noun = singular if number == 1 else (plural or singular + "s")
    return f"{number} {noun}"


#: Builds a message in the language of the moment (``bot.i18n.using``): what a channel
#: post or a person's message is recorded as, so that it is rendered once per language.
Build = Callable[[], Message]


def in_languages(build: Build | Message, languages: Iterable[str]) -> Message:
    """``build`` rendered in each language, the first in full and the others as ``also``;
    a message already built is taken as it is."""
    if isinstance(build, Message):
        return build
    rendered = []
    for lang in dict.fromkeys(languages):
        with using(lang):
            rendered.append(build())
    return replace(rendered[0], also=rendered[1:]) if rendered else build()


def in_language(build: Build | Message, lang: str | None) -> Message:
    """``build`` rendered in one person's language (a message already built as it is)."""
    if isinstance(build, Message):
        return build
    with using(lang):
        return build()


def render_text(message: Message) -> str:
    """The whole message as terminal text (the console's renderer): each official language
    in turn, below a rule."""
    if message.also:
        return "\n  ----\n".join(render_text(m) for m in (message.alone(), *message.also))
    lines: list[str] = []
    if message.header:
        lines.append(f"== {message.header} ==")
    lines.append(message.text)
    lines.extend(f"  {label}: {value}" for label, value in message.fields)
    lines.extend(message.sections)
    if message.buttons:
        lines.append("  " + "  ".join(f"[{b.label}]" for b in message.buttons))
    lines.extend(f"  ({c})" for c in message.context)
    return plain("\n".join(lines))
