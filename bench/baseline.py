"""The baseline: a bare Bolt app under the same gunicorn settings as the bot.

One slash command that acknowledges with a fixed text, and one button
(``poll_concur``) that acknowledges. So that each Slack-side effect the bot has
gets a lower bound to compare with, the button then does what the bot's Concur
button does after its acknowledgement, with fixed content: it opens a modal
(one ``views.open``); the modal's submission acknowledges and updates the
message the button sat on (one ``chat.update``). No database, no rendering.

gunicorn loads it as ``bench.baseline:create_app()``; the environment is the
bot's (``SLACK_SIGNING_SECRET``, ``SLACK_BOT_TOKEN``, ``SLACK_API_URL``).
"""

from __future__ import annotations

import json
import logging
import os
from collections.abc import Callable, Iterable
from typing import Any

from slack_bolt import Ack, App
from slack_bolt.adapter.wsgi import SlackRequestHandler
from slack_sdk import WebClient

FIXED_TEXT = "Baseline: acknowledged."
MODAL = "poll_concur_modal"
StartResponse = Callable[..., Any]


class BaselineApp:
    """``POST /slack/events`` to Bolt, ``GET /healthz`` answered at once."""

    def __init__(self, app: App) -> None:
        self.slack = SlackRequestHandler(app, path="/slack/events")

    def __call__(self, environ: dict[str, Any], start_response: StartResponse) -> Iterable[bytes]:
        if environ.get("PATH_INFO") == "/healthz":
            body = b'{"ok":true}'
            start_response("200 OK", [("Content-Type", "application/json"),
                                      ("Content-Length", str(len(body)))])
            return [body]
        return self.slack(environ, start_response)


def create_bolt_app(signing_secret: str, token: str, api_url: str,
                    command: str = "/nrc") -> App:
    client = WebClient(token=token, base_url=api_url, timeout=10)
    app = App(client=client, signing_secret=signing_secret, token_verification_enabled=False,
              logger=logging.getLogger("slack_bolt"))

    @app.command(command)
    def on_command(ack: Ack) -> None:
        ack(response_type="ephemeral", text=FIXED_TEXT)

    @app.action("poll_concur")
    def on_click(ack: Ack, body: dict[str, Any], client: WebClient) -> None:
        ack()
        container = body.get("container") or {}
        metadata = {"channel": container.get("channel_id"), "ts": container.get("message_ts")}
        client.views_open(trigger_id=str(body.get("trigger_id", "")), view={
            "type": "modal", "callback_id": MODAL, "private_metadata": json.dumps(metadata),
            "title": {"type": "plain_text", "text": "Baseline"},
            "submit": {"type": "plain_text", "text": "Concur"},
            "blocks": [{"type": "section", "text": {"type": "mrkdwn", "text": FIXED_TEXT}}],
        })

    @app.view(MODAL)
    def on_submit(ack: Ack, view: dict[str, Any], client: WebClient) -> None:
        ack()
        metadata = json.loads(view.get("private_metadata") or "{}")
        if metadata.get("channel") and metadata.get("ts"):
            client.chat_update(channel=metadata["channel"], ts=metadata["ts"], text=FIXED_TEXT)

    return app


def create_app() -> BaselineApp:
    """The WSGI application gunicorn loads (``bench.baseline:create_app()``)."""
    app = create_bolt_app(
        signing_secret=os.environ["SLACK_SIGNING_SECRET"],
        token=os.environ.get("SLACK_BOT_TOKEN", "xoxb-bench"),
        api_url=os.environ.get("SLACK_API_URL", "http://127.0.0.1:9/api/"),
        command=os.environ.get("NRC_COMMAND") or "/nrc",
    )
    return BaselineApp(app)
