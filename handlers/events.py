"""Events API listeners: the App Home, and a person's profile changed."""

from __future__ import annotations

import logging
from typing import Any

from slack_bolt import App

from bot.runtime import ErrorReply, Runtime
from bot.views.home import home_opened
from handlers.slackport import SlackPort

log = logging.getLogger(__name__)


def register(app: App, runtime: Runtime, port: SlackPort) -> None:
    @app.event("app_home_opened")
    def on_home_opened(event: dict[str, Any], body: dict[str, Any]) -> None:
        """Publish the viewer's Home; Slack's retries of one event publish nothing twice."""
        if event.get("tab", "home") != "home":
            return  # the Messages tab: nothing to publish
        user_id = str(event.get("user") or "")
        if not user_id:
            return
        event_id = str(body.get("event_id") or "") or None
        reply = runtime.run_action(user_id, None, lambda ctx: home_opened(ctx, event_id),
                                   mutates=False, writes=True)
        if isinstance(reply, ErrorReply):
            log.warning("App Home for %s not published: %s", user_id, reply.text)
            return
        runtime.deliver_soon(port)

    @app.event("user_change")
    def on_user_change(event: dict[str, Any]) -> None:
        """Slack says a person changed (their language among other things): ask Slack for
        their locale again at their next request."""
        user = event.get("user") or {}
        user_id = str(user.get("id") or "") if isinstance(user, dict) else ""
        if user_id:
            runtime.forget_locale(user_id)
