"""The secretariat's ``audit`` command: the latest entries and the state of the chain."""

from __future__ import annotations

from sqlalchemy import func
from sqlmodel import col, select

from bot import audit
from bot.audit.render import entry_line
from bot.context import Context
from bot.errors import CommandError
from bot.messages import Message
from bot.registry import command
from storage.models import AuditEntry

DEFAULT_ENTRIES = 20
MAX_ENTRIES = 200


def _count(args: str) -> int:
    text = args.strip()
    if not text:
        return DEFAULT_ENTRIES
    if not text.isdigit() or not 1 <= int(text) <= MAX_ENTRIES:
        raise CommandError(
            f'Give the number of entries as a whole number from 1 to {MAX_ENTRIES}, '
            f'not "{text[:40]}".')
    return int(text)


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
        sections=["\n".join(entry_line(e, ctx.tz) for e in entries)],
        context=[chain, "`nrc-bot export` contains every entry; `nrc-bot audit verify` checks "
                        "the chain."],
    )
