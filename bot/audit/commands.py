"""The secretariat's ``audit`` command: the latest entries and the state of the chain."""

from __future__ import annotations

from sqlalchemy import func
from sqlmodel import col, select

from bot import audit
from bot.audit.render import entry_line
from bot.context import Context
from bot.errors import CommandError
from bot.i18n import _, named, ngettext
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
            _('Give the number of entries as a whole number from 1 to {most}, not "{shown}".',
              most=MAX_ENTRIES, shown=text[:40]))
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
    chain = (ngettext("Hash chain intact over all {n} entries.",
                      "Hash chain intact over all {n} entries.", total)
             if verdict.intact else _("Hash chain BROKEN: {reason}.", reason=verdict.reason))
    if not entries:
        return Message(text=_("The audit log is empty."), header=_("Audit log"),
                       context=[chain])
    if len(entries) < total:
        text = ngettext("{council}: the latest {shown} of {n} entries, newest first.",
                        "{council}: the latest {shown} of {n} entries, newest first.", total,
                        council=named(ctx.council), shown=len(entries))
    else:
        text = ngettext("{council}: all {shown} of {n} entries, newest first.",
                        "{council}: all {shown} of {n} entries, newest first.", total,
                        council=named(ctx.council), shown=len(entries))
    return Message(
        header=_("Audit log"),
        text=text,
        sections=["\n".join(entry_line(e, ctx.tz) for e in entries)],
        context=[chain, _("`nrc-bot export` contains every entry; `nrc-bot audit verify` "
                          "checks the chain.")],
    )
