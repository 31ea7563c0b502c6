"""What the bot has said and has yet to say: the ``outbox`` command for the secretariat."""

from __future__ import annotations

from collections import Counter
from datetime import timedelta

from sqlmodel import col, select

from bot.context import Context
from bot.i18n import N_, _, ngettext
from bot.messages import Message, escape
from bot.registry import command
from bot.times import slack_date
from storage.models import Outbox
from storage.statuses import OutboxStatus

STUCK = timedelta(minutes=5)
SHOWN = 10
#: The rows listed: still to go out, or refused.
_WAITING = (OutboxStatus.PENDING, OutboxStatus.SENDING, OutboxStatus.FAILED)
#: The order of the summary's totals.
_SUMMED = (OutboxStatus.SENT, OutboxStatus.PENDING, OutboxStatus.SENDING, OutboxStatus.FAILED,
           OutboxStatus.SKIPPED)
#: "{n} sent" …: each status in the summary, a count before it.
_STATUS_COUNT: dict[str, str] = {
    OutboxStatus.SENT: N_("{n} sent"),
    OutboxStatus.PENDING: N_("{n} pending"),
    OutboxStatus.SENDING: N_("{n} sending"),
    OutboxStatus.FAILED: N_("{n} failed"),
    OutboxStatus.SKIPPED: N_("{n} skipped"),
}
_STATUS: dict[str, str] = {OutboxStatus.SENT: N_("sent"), OutboxStatus.PENDING: N_("pending"),
           OutboxStatus.SENDING: N_("sending"), OutboxStatus.FAILED: N_("failed"),
           OutboxStatus.SKIPPED: N_("skipped")}


@command("outbox", "outbox", examples=("outbox",))
def outbox_status(ctx: Context, args: str) -> Message:
    """Show messages waiting to go out or refused by Slack.

    Failed messages are kept, not dropped; `nrc-bot outbox retry` sends them again.
    """
    rows = list(ctx.session.exec(
        select(Outbox).where(Outbox.council_id == ctx.council_id,
                             col(Outbox.status).in_(_WAITING))
        .order_by(col(Outbox.id))
    ))
    totals = Counter(ctx.session.exec(
        select(Outbox.status).where(Outbox.council_id == ctx.council_id)
    ))
    summary = ", ".join(_(_STATUS_COUNT[s], n=totals[s]) for s in _SUMMED
                        if totals[s]) or _("nothing yet")
    lines = []
    for row in rows[:SHOWN]:
        late = (" " + _("(late)")
                if row.status != OutboxStatus.FAILED and ctx.now - row.created_at > STUCK
                else "")
        error = f": {escape(row.last_error[:150])}" if row.last_error else ""
        status = _(_STATUS[row.status]) if row.status in _STATUS else row.status
        lines.append(f"• `{row.key}` {status}{late}, "
                     + ngettext("{n} attempt", "{n} attempts", row.attempts) + ", "
                     + _("since {when}", when=slack_date(row.created_at, ctx.tz)) + error)
    if len(rows) > SHOWN:
        lines.append(ngettext("…and {n} more.", "…and {n} more.", len(rows) - SHOWN))
    return Message(
        text=_("Outbox: {summary}.", summary=summary),
        header=_("Outbox"),
        sections=["\n".join(lines)] if lines else [],
        context=[_("Failed messages stay here until `nrc-bot outbox retry` sends them again.")]
        if totals[OutboxStatus.FAILED] else [],
    )
