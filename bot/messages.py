"""What the bot says, in a form neither Slack nor the console owns.

Text is Slack mrkdwn (mentions ``<@U1>``, dates ``<!date^…|fallback>``): the
Slack renderer passes it through, :func:`plain` turns it into terminal text.
"""

from __future__ import annotations

import html
import re
from dataclasses import asdict, dataclass, field
from typing import Any


@dataclass(frozen=True)
class Button:
    label: str
    action_id: str
    value: str
    style: str | None = None  # "primary" | "danger"


@dataclass
class Message:
    text: str
    header: str | None = None
    fields: list[tuple[str, str]] = field(default_factory=list)
    sections: list[str] = field(default_factory=list)
    buttons: list[Button] = field(default_factory=list)
    context: list[str] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        data = asdict(self)
        data["fields"] = [list(pair) for pair in self.fields]
        return data

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Message:
        return cls(
            text=data["text"],
            header=data.get("header"),
            fields=[(label, value) for label, value in data.get("fields", [])],
            sections=list(data.get("sections", [])),
            buttons=[Button(**b) for b in data.get("buttons", [])],
            context=list(data.get("context", [])),
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


def count(number: int, singular: str, plural: str | None = None) -> str:
    """``1 joint decision``, ``2 joint decisions``: the plural form chosen, never bracketed.

    ``plural`` is given where English does not simply add an s ("1 reply", "2 replies").
    """
    noun = singular if number == 1 else (plural or singular + "s")
    return f"{number} {noun}"


def render_text(message: Message) -> str:
    """The whole message as terminal text (the console's renderer)."""
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
