"""The register over time, as the council reads it: closed polls, pages, supersession.

"A decision can be superseded by a later one (``propose --supersedes D3 …``): the
register shows the chain both ways and ``decisions`` marks the superseded one.
Decisions are never deleted." (issue 13)
"""

from __future__ import annotations

from typing import Any
from zoneinfo import ZoneInfo

from bot.i18n import N_, _, ngettext
from bot.messages import Message, escape
from bot.polls.queries_register import Paged
from bot.polls.render import clip
from bot.polls.rules import Outcome
from bot.times import slack_date
from storage.models import Proposal

_OUTCOME = {Outcome.ADOPTED.value: N_("adopted"), Outcome.BLOCKED.value: N_("blocked"),
            Outcome.FAILED.value: N_("failed"), "withdrawn": N_("withdrawn"),
            Outcome.SILENCE_BROKEN.value: N_("silence_broken")}


def page_line(paged: Paged[Any], next_line: str) -> str:
    """"page 1 of 3; next: polls --closed --page 2", or only "page 3 of 3"."""
    text = _("page {page} of {pages}", page=paged.page, pages=paged.pages)
    if paged.page < paged.pages:
        text += _("; next: `{command} --page {page}`", command=next_line, page=paged.page + 1)
    return text


def no_such_page(paged: Paged[Any]) -> str:
    return _("There is no page {page}; the list has {pages}.", page=paged.page,
             pages=paged.pages)


def supersedes_field(supersedes_id: int | None) -> list[tuple[str, str]]:
    """The field a poll and a decision show when they supersede an earlier decision."""
    return [(_("Supersedes"), f"D{supersedes_id}")] if supersedes_id is not None else []


def with_supersedes(message: Message, supersedes_id: int | None) -> Message:
    """``message`` with the "Supersedes D3" field, if it supersedes one."""
    message.fields.extend(supersedes_field(supersedes_id))
    return message


def chain_section(earlier: list[int], later: list[int]) -> str | None:
    """The chain of supersession both ways, for ``decisions D3``."""
    lines = []
    if later:
        lines.append(_("*Superseded by:* {chain}", chain=" → ".join(f"D{n}" for n in later)))
    if earlier:
        lines.append(_("*Supersedes:* {chain}", chain=" → ".join(f"D{n}" for n in earlier)))
    return "\n".join(lines) or None


def closed_polls_message(paged: Paged[Proposal], adopted: dict[int, str], tz: ZoneInfo,
                         slash: str) -> Message:
    """``polls --closed``: closed polls, newest first, with their outcome and closing date;
    ``adopted``: what each adopted one became ("D4", "S2"), by proposal."""
    if not paged.total:
        return Message(text=_("No poll has closed yet."))
    if not paged.items:
        return Message(text=no_such_page(paged))
    lines = []
    for p in paged.items:
        word = _OUTCOME.get(p.status)
        outcome = _(word) if word else p.status
        if p.id in adopted:
            outcome = _("{outcome} as {record}", outcome=outcome, record=adopted[p.id])
        when = slack_date(p.closed_at, tz) if p.closed_at is not None else "?"
        lines.append(_("*P{number}* ({outcome}, closed {date}): {text}", number=p.id,
                       outcome=outcome, date=when, text=escape(clip(p.text, 200))))
    return Message(text=ngettext("{n} closed poll, newest first.",
                                 "{n} closed polls, newest first.", paged.total),
                   header=_("Closed polls"),
                   sections=["\n".join(lines)],
                   context=[page_line(paged, f"{slash} polls --closed")])
