"""Everything the bot says goes through the outbox.

A use-case records what must be said in the same transaction as the change
that causes it (``record``); delivery happens afterwards, by whichever process
claims the row first (``delivery``), through a ``Port`` (Slack, or the console).
The row's unique key is what makes a reminder or an announcement impossible to
send twice. The secretariat's ``outbox`` command is in ``commands``.
"""

from bot.outbox.delivery import (
    Claim,
    DeliveryReport,
    Renderer,
    Renderers,
    _claim,
    deliver,
)
from bot.outbox.pacing import Pacer
from bot.outbox.port import (
    BATCH,
    DUE,
    HOME_SETTLE,
    LEASE,
    MAX_ATTEMPTS,
    WAIT,
    Due,
    PermanentError,
    Port,
    TransientError,
    Unavailable,
    Waiting,
)
from bot.outbox.record import (
    OutboxWriter,
    canvas,
    dm,
    due_in,
    edit_canvas,
    post,
    publish_homes,
    refresh_view,
    skip,
    update_message,
)
from bot.outbox.settle import _settle, retry_failed

__all__ = [
    "BATCH", "DUE", "HOME_SETTLE", "LEASE", "MAX_ATTEMPTS", "WAIT", "Claim", "DeliveryReport",
    "Due", "OutboxWriter", "Pacer", "PermanentError", "Port", "Renderer", "Renderers", "TransientError",
    "Unavailable", "Waiting", "_claim", "_settle", "canvas", "deliver", "dm", "due_in",
    "edit_canvas", "post", "publish_homes", "refresh_view", "retry_failed", "skip",
    "update_message",
]
