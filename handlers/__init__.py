"""Slack-facing listeners: one module per listener kind, each with ``register``."""

from __future__ import annotations

from slack_bolt import App

from bot.runtime import Runtime
from handlers import actions, attendance, commands, events, shortcuts, submissions
from handlers.slackport import SlackPort


def register_listeners(app: App, runtime: Runtime, port: SlackPort) -> None:
    commands.register(app, runtime, port)
    actions.register(app, runtime, port)
    submissions.register(app, runtime, port)
    events.register(app, runtime, port)
    shortcuts.register(app, runtime, port)
    attendance.register(app, runtime, port)
