"""The slash command: parse nothing here, hand the line to the core, show the reply."""

from __future__ import annotations

import logging
from typing import Any

from slack_bolt import Ack, App

from bot.i18n import _
from bot.messages import Message
from bot.runtime import SOMETHING_WENT_WRONG, Runtime
from handlers.blocks import notification_text, to_blocks
from handlers.slackport import SlackPort

log = logging.getLogger(__name__)


def ack_with(ack: Ack, reply: Message) -> None:
    """An ephemeral reply, shown only to the person who asked."""
    ack(response_type="ephemeral", text=notification_text(reply), blocks=to_blocks(reply))


def register(app: App, runtime: Runtime, port: SlackPort) -> None:
    @app.command(runtime.settings.command)
    def on_command(ack: Ack, command: dict[str, Any]) -> None:
        try:
            reply = runtime.run_command(
                str(command.get("user_id", "")),
                command.get("channel_id"),
                str(command.get("text") or ""),
            )
        except Exception:
            log.exception("slash command failed: %r", command.get("text"))
            reply = Message(text=_(SOMETHING_WENT_WRONG))
        ack_with(ack, reply)
        runtime.deliver_soon(port)
