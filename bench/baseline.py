"""The baseline: a bare Bolt app under the same gunicorn settings as the bot.

One slash command that acknowledges with a fixed text, and the poll message's
buttons, each of which acknowledges. So that each Slack-side effect the bot has
gets a lower bound to compare with, each button then does what the bot's does
after its acknowledgement, with fixed content: *Concur* (``poll_concur_now``)
updates the message it sat on (one ``chat.update``); *Concur with statement…*
(``poll_concur``) and *Propose amendment…* (``poll_amendment``) open a modal (one
``views.open``), whose submission acknowledges and updates the message the button
sat on (one ``chat.update``). No database, no rendering.

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
#: The buttons that open a modal, and the modal's callback id.
MODALS = {"poll_concur": "poll_concur_modal", "poll_amendment": "poll_amendment_modal"}
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

    def update(client: WebClient, channel: object, ts: object) -> None:
        if channel and ts:
            client.chat_update(channel=str(channel), ts=str(ts), text=FIXED_TEXT)

    @app.action("poll_concur_now")
    def on_concur_now(ack: Ack, body: dict[str, Any], client: WebClient) -> None:
        ack()
        container = body.get("container") or {}
        update(client, container.get("channel_id"), container.get("message_ts"))

    def opener(callback_id: str) -> Callable[[Ack, dict[str, Any], WebClient], None]:
        def on_click(ack: Ack, body: dict[str, Any], client: WebClient) -> None:
            ack()
            container = body.get("container") or {}
            metadata = {"channel": container.get("channel_id"),
                        "ts": container.get("message_ts")}
            client.views_open(trigger_id=str(body.get("trigger_id", "")), view={
                "type": "modal", "callback_id": callback_id,
                "private_metadata": json.dumps(metadata),
                "title": {"type": "plain_text", "text": "Baseline"},
                "submit": {"type": "plain_text", "text": "Submit"},
                "blocks": [{"type": "section", "text": {"type": "mrkdwn", "text": FIXED_TEXT}}],
            })
        return on_click

    def on_submit(ack: Ack, view: dict[str, Any], client: WebClient) -> None:
        ack()
        metadata = json.loads(view.get("private_metadata") or "{}")
        update(client, metadata.get("channel"), metadata.get("ts"))

    for action, callback_id in MODALS.items():
        app.action(action)(opener(callback_id))
        app.view(callback_id)(on_submit)

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
