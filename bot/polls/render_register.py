"""The register over time, as the council reads it: closed polls, pages, supersession.

"A decision can be superseded by a later one (``propose --supersedes D3 …``): the
register shows the chain both ways and ``decisions`` marks the superseded one.
Decisions are never deleted." (issue 13)
"""

from __future__ import annotations

from typing import Any
from zoneinfo import ZoneInfo

from bot.messages import Message, count, escape
from bot.polls.queries_register import Paged
from bot.polls.render import clip
from bot.polls.rules import Outcome
from bot.times import slack_date
from storage.models import Proposal

_OUTCOME = {Outcome.ADOPTED.value: "adopted", Outcome.BLOCKED.value: "blocked",
            Outcome.FAILED.value: "failed", "withdrawn": "withdrawn"}


def page_line(paged: Paged[Any], next_line: str) -> str:
    """"page 1 of 3; next: polls --closed --page 2", or only "page 3 of 3"."""
    text = f"page {paged.page} of {paged.pages}"
    if paged.page < paged.pages:
        text += f"; next: `{next_line} --page {paged.page + 1}`"
    return text


def no_such_page(paged: Paged[Any]) -> str:
    return f"There is no page {paged.page}; the list has {paged.pages}."


def supersedes_field(supersedes_id: int | None) -> list[tuple[str, str]]:
    """The field a poll and a decision show when they supersede an earlier decision."""
    return [("Supersedes", f"D{supersedes_id}")] if supersedes_id is not None else []


def with_supersedes(message: Message, supersedes_id: int | None) -> Message:
    """``message`` with the "Supersedes D3" field, if it supersedes one."""
    message.fields.extend(supersedes_field(supersedes_id))
    return message


def chain_section(earlier: list[int], later: list[int]) -> str | None:
    """The chain of supersession both ways, for ``decisions D3``."""
    lines = []
    if later:
        lines.append("*Superseded by:* " + " → ".join(f"D{n}" for n in later))
    if earlier:
        lines.append("*Supersedes:* " + " → ".join(f"D{n}" for n in earlier))
    return "\n".join(lines) or None


def closed_polls_message(paged: Paged[Proposal], adopted: dict[int, str], tz: ZoneInfo,
                         slash: str) -> Message:
    """``polls --closed``: closed polls, newest first, with their outcome and closing date;
    ``adopted``: what each adopted one became ("D4", "S2"), by proposal."""
    if not paged.total:
        return Message(text="No poll has closed yet.")
    if not paged.items:
        return Message(text=no_such_page(paged))
    lines = []
    for p in paged.items:
        outcome = _OUTCOME.get(p.status, p.status)
        if p.id in adopted:
            outcome += f" as {adopted[p.id]}"
        when = slack_date(p.closed_at, tz) if p.closed_at is not None else "?"
        lines.append(f"*P{p.id}* ({outcome}, closed {when}): {escape(clip(p.text, 200))}")
    return Message(text=f"{count(paged.total, 'closed poll')}, newest first.", header="Closed polls",
                   sections=["\n".join(lines)],
                   context=[page_line(paged, f"{slash} polls --closed")])
