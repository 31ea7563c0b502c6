"""An audit entry as the secretariat reads it: who, in which capacity, what, about whom."""

from __future__ import annotations

import json
from typing import Any
from zoneinfo import ZoneInfo

from bot.audit.chain import CHAIR, DELEGATE, SECRETARIAT, SYSTEM, delegate_of
from bot.i18n import _
from bot.messages import escape
from bot.times import slack_date
from storage.models import AuditEntry

DETAILS_LIMIT = 300


def _details(details: dict[str, Any]) -> str:
    parts = []
    for key, value in details.items():
        if value is None or value == []:
            continue  # "nothing" says less than leaving it out
        shown = value if isinstance(value, str) else json.dumps(value, ensure_ascii=False)
        parts.append(f"{key}={shown}")
    text = " ".join(" ".join(parts).split())
    if len(text) > DETAILS_LIMIT:
        text = text[: DETAILS_LIMIT - 1] + "\u2026"
    return escape(text)


def _capacity(capacity: str | None) -> str:
    if capacity is None or capacity == SYSTEM:
        return ""  # written before capacities were recorded, or the bot itself
    if capacity.startswith(DELEGATE):
        return " " + _("(delegate of {member})",
                       member=escape(capacity.removeprefix(DELEGATE)))
    if capacity == CHAIR:
        return " " + _("(the Chair)")
    if capacity == SECRETARIAT:
        return " " + _("(the secretariat)")
    return f" ({escape(capacity)})"


def entry_line(entry: AuditEntry, tz: ZoneInfo) -> str:
    """``@U (the secretariat) · *delegate.add* · concerns United Kingdom — user=…``.

    Who acted and in which capacity, what, and the member it concerns (left
    out when a delegate acted for their own member).
    """
    actor = _("the bot") if entry.actor == SYSTEM else f"<@{entry.actor}>"
    capacity = _capacity(entry.capacity)
    own = entry.capacity is not None and entry.capacity == delegate_of(entry.member or "")
    concerns = (" \u00b7 " + _("concerns {member}", member=escape(entry.member))
                if entry.member and not own else "")
    details = _details(entry.details)
    return (f"`#{entry.seq}` {slack_date(entry.at, tz)} {actor}{capacity} \u00b7 "
            f"*{entry.action}*{concerns}" + (f" \u2014 {details}" if details else ""))
