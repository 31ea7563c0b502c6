"""The app factory: a Bolt app wired to the core, for HTTP and Socket Mode alike."""

from __future__ import annotations

import logging

from slack_bolt import App
from slack_sdk import WebClient
from slack_sdk.http_retry.builtin_handlers import (
    ConnectionErrorRetryHandler,
    RateLimitErrorRetryHandler,
    ServerErrorRetryHandler,
)

from bot.runtime import Runtime
from bot.settings import Settings
from handlers import register_listeners
from handlers.slackport import SlackPort


def slack_client(settings: Settings, token: str | None = None) -> WebClient:
    """A Web API client on ``SLACK_API_URL`` that rides out rate limits and blips.

    slack-sdk retries connection errors by default; rate limits (honouring
    Retry-After) and 5xx answers are added here. What still fails is retried
    later by the outbox.
    """
    return WebClient(
        token=token or settings.bot_token,
        base_url=settings.api_url,
        timeout=10,
        retry_handlers=[
            ConnectionErrorRetryHandler(max_retry_count=2),
            RateLimitErrorRetryHandler(max_retry_count=2),
            ServerErrorRetryHandler(max_retry_count=2),
        ],
    )


def create_bolt_app(runtime: Runtime) -> tuple[App, SlackPort]:
    settings = runtime.settings
    client = slack_client(settings)
    app = App(
        client=client,
        signing_secret=settings.signing_secret,
        token_verification_enabled=False,
        logger=logging.getLogger("slack_bolt"),
    )
    port = SlackPort(client)
    register_listeners(app, runtime, port)
    return app, port
