"""``nrc-bot socket``: Socket Mode, for a council with no public URL."""

from __future__ import annotations

from slack_bolt.adapter.socket_mode import SocketModeHandler

from bot.app import create_bolt_app, slack_client
from bot.runtime import Runtime
from bot.scheduler import start


def run(runtime: Runtime) -> int:
    settings = runtime.settings
    assert settings.app_token, "SLACK_APP_TOKEN is required for Socket Mode"
    app, port = create_bolt_app(runtime)
    start(lambda: runtime.tick(), lambda: runtime.deliver(port),
          tick_seconds=settings.tick_seconds)
    handler = SocketModeHandler(app, settings.app_token,
                                web_client=slack_client(settings, settings.app_token))
    handler.start()
    return 0
