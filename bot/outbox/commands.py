"""What the bot has said and has yet to say: the ``outbox`` command for the secretariat."""

from __future__ import annotations

from collections import Counter
from datetime import timedelta

from sqlmodel import col, select

from bot.context import Context
from bot.messages import Message, count, escape
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
    summary = ", ".join(f"{totals[s]} {s}" for s in _SUMMED if totals[s]) or "nothing yet"
    lines = []
    for row in rows[:SHOWN]:
        late = (" (late)" if row.status != OutboxStatus.FAILED and ctx.now - row.created_at > STUCK
                else "")
        error = f": {escape(row.last_error[:150])}" if row.last_error else ""
        lines.append(f"• `{row.key}` {row.status}{late}, {count(row.attempts, 'attempt')}, "
                     f"since {slack_date(row.created_at, ctx.tz)}{error}")
    if len(rows) > SHOWN:
        lines.append(f"…and {len(rows) - SHOWN} more.")
    return Message(
        text=f"Outbox: {summary}.",
        header="Outbox",
        sections=["\n".join(lines)] if lines else [],
        context=["Failed messages stay here until `nrc-bot outbox retry` sends them again."]
        if totals[OutboxStatus.FAILED] else [],
    )
