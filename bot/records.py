"""The council's records as the secretariat reads them: the audit log."""

from __future__ import annotations

import json
from typing import Any

from sqlalchemy import func
from sqlmodel import col, select

from bot import audit
from bot.commands import command
from bot.context import Context
from bot.errors import CommandError
from bot.messages import Message, escape
from bot.times import slack_date
from storage.models import AuditEntry

DEFAULT_ENTRIES = 20
MAX_ENTRIES = 200
DETAILS_LIMIT = 300


def _count(args: str) -> int:
    text = args.strip()
    if not text:
        return DEFAULT_ENTRIES
    if not text.isdigit() or not 1 <= int(text) <= MAX_ENTRIES:
        raise CommandError(
            f'Give the number of entries as a whole number from 1 to {MAX_ENTRIES}, '
            f'not "{text[:40]}".')
    return int(text)


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
    if capacity is None or capacity == audit.SYSTEM:
        return ""  # written before capacities were recorded, or the bot itself
    if capacity.startswith(audit.DELEGATE):
        return f" (delegate of {escape(capacity.removeprefix(audit.DELEGATE))})"
    return {audit.CHAIR: " (the Chair)", audit.SECRETARIAT: " (the secretariat)"}.get(
        capacity, f" ({escape(capacity)})")


def entry_line(entry: AuditEntry, ctx: Context) -> str:
    """``@U (the secretariat) · *delegate.add* · concerns United Kingdom — user=…``.

    Who acted and in which capacity, what, and the member it concerns (left
    out when a delegate acted for their own member).
    """
    actor = "the bot" if entry.actor == audit.SYSTEM else f"<@{entry.actor}>"
    capacity = _capacity(entry.capacity)
    own = entry.capacity is not None and entry.capacity == audit.delegate_of(entry.member or "")
    concerns = f" \u00b7 concerns {escape(entry.member)}" if entry.member and not own else ""
    details = _details(entry.details)
    return (f"`#{entry.seq}` {slack_date(entry.at, ctx.tz)} {actor}{capacity} \u00b7 "
            f"*{entry.action}*{concerns}" + (f" \u2014 {details}" if details else ""))


@command("audit", "audit [N]", examples=("audit", "audit 50"))
def audit_log(ctx: Context, args: str) -> Message:
    """Show the latest entries of the audit log, newest first (secretariat; default 20, at most 200).

    Every state change is recorded with who acted and in which capacity (the
    secretariat, the Chair, a member's delegate), when, what, and the member
    it concerns.
    Each entry carries a SHA-256 over its content and the previous entry's
    hash; `nrc-bot audit verify` checks the whole chain.
    """
    count = _count(args)
    entries = list(ctx.session.exec(
        select(AuditEntry)
        .where(AuditEntry.council_id == ctx.council_id)
        .order_by(col(AuditEntry.seq).desc())
        .limit(count)
    ))
    total = ctx.session.exec(
        select(func.count()).select_from(AuditEntry).where(AuditEntry.council_id == ctx.council_id)
    ).one()
    verdict = audit.verify(ctx.session, ctx.council_id)
    chain = (f"Hash chain intact over all {total} entries."
             if verdict.intact else f"Hash chain BROKEN: {verdict.reason}.")
    if not entries:
        return Message(text="The audit log is empty.", header="Audit log", context=[chain])
    shown = f"the latest {len(entries)}" if len(entries) < total else f"all {len(entries)}"
    return Message(
        header="Audit log",
        text=f"{ctx.council.name}: {shown} of {total} entries, newest first.",
        sections=["\n".join(entry_line(e, ctx) for e in entries)],
        context=[chain, "`nrc-bot export` contains every entry; `nrc-bot audit verify` checks "
                        "the chain."],
    )
