"""``nrc-bot socket``: Socket Mode, for a council with no public URL."""

from __future__ import annotations

from slack_bolt import App
from slack_bolt.adapter.socket_mode import SocketModeHandler

from bot.runtime import Runtime
from bot.scheduler import start
from bot.transports.bolt_app import create_bolt_app, slack_client


def build_handler(runtime: Runtime, app: App | None = None) -> SocketModeHandler:
    """The Socket Mode handler for ``app`` (default: a new Bolt app), not yet connected.

    ``apps.connections.open`` goes to ``SLACK_API_URL`` with the app-level token.
    """
    settings = runtime.settings
    assert settings.app_token, "SLACK_APP_TOKEN is required for Socket Mode"
    if app is None:
        app, _ = create_bolt_app(runtime)
    return SocketModeHandler(app, settings.app_token,
                             web_client=slack_client(settings, settings.app_token))


def run(runtime: Runtime) -> int:
    settings = runtime.settings
    assert settings.app_token, "SLACK_APP_TOKEN is required for Socket Mode"
    app, port = create_bolt_app(runtime)
    start(lambda: runtime.tick(), lambda: runtime.deliver(port),
          tick_seconds=settings.tick_seconds,
          deliver_seconds=settings.deliver_seconds)
    build_handler(runtime, app).start()  # type: ignore[no-untyped-call]
    return 0
