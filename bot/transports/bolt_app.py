"""The app factory: a Bolt app wired to the core, for HTTP and Socket Mode alike."""

from __future__ import annotations

import contextlib
import logging
import os
import threading
from collections.abc import Callable, Iterator
from urllib.error import URLError

from slack_bolt import App
from slack_bolt.authorization import AuthorizeResult
from slack_sdk import WebClient
from slack_sdk.http_retry import RetryHandler
from slack_sdk.http_retry.builtin_handlers import (
    ConnectionErrorRetryHandler,
    RateLimitErrorRetryHandler,
)

from bot.i18n import _, using
from bot.runtime import Runtime
from bot.settings import Settings
from bot.transports.installations import CouncilInstallationStore, InstalledPort
from bot.transports.oauth import (
    authorize,
    oauth_settings,
    register_installation_events,
    team_stamp,
)
from handlers import register_listeners
from handlers.slackport import SlackPort, locale_source


def slack_client(settings: Settings, token: str | None = None,
                 timeout: float = 10, *, wait_out_rate_limits: bool = True) -> WebClient:
    """A Web API client on ``SLACK_API_URL`` that rides out rate limits and blips.

    slack-sdk retries here only what Slack certainly did not act on: a 429
    (honouring Retry-After) and a request that could not be sent at all
    (``URLError``: refused, unreachable). A reset, a timeout or a 5xx may come
    after Slack posted the message; those go back to the outbox, which looks
    for the message before posting it again. The outbox's own client does not wait
    out a 429 (``wait_out_rate_limits=False``): sleeping there would hold up every
    other council's delivery; the outbox pauses that method for that workspace
    instead (``bot.outbox.pacing``).
    """
    retries: list[RetryHandler] = [
        ConnectionErrorRetryHandler(max_retry_count=2, error_types=[URLError])]
    if wait_out_rate_limits:
        retries.append(RateLimitErrorRetryHandler(max_retry_count=2))
    return WebClient(
        token=token or settings.bot_token,
        base_url=settings.api_url,
        timeout=int(timeout) if timeout >= 1 else timeout,  # type: ignore[arg-type]
        retry_handlers=retries,
    )


def bot_identity(client: WebClient, token: str | None) -> Callable[..., AuthorizeResult]:
    """Bolt's authorization: the bot's token, with its identity from ``auth.test``, once.

    Bolt's own single-team authorization asks Slack on the first request and
    answers 500 while Slack is unreachable; here the token alone serves until
    Slack answers, so the council's commands never depend on that call.
    """
    known: list[AuthorizeResult] = []
    lock = threading.Lock()

    def authorize(enterprise_id: str | None, team_id: str | None,
                  logger: logging.Logger) -> AuthorizeResult:
        with lock:
            if not known:
                try:
                    known.append(AuthorizeResult.from_auth_test_response(
                        bot_token=token, auth_test_response=client.auth_test()))
                except Exception as exc:
                    logger.warning("auth.test failed (%s); acting with the token alone", exc)
                    return AuthorizeResult(enterprise_id=enterprise_id, team_id=team_id,
                                           bot_token=token)
            return known[0]

    return authorize


@contextlib.contextmanager
def _without_oauth_variables() -> Iterator[None]:
    """Bolt turns its OAuth flow on, with file stores, whenever ``SLACK_CLIENT_ID`` and
    ``SLACK_CLIENT_SECRET`` are in the environment (slack-bolt 1.30, ``App.__init__``):
    with a bot token set, one workspace it is, as before, whatever else is exported."""
    names = ("SLACK_CLIENT_ID", "SLACK_CLIENT_SECRET")
    saved = {name: os.environ.pop(name) for name in names if name in os.environ}
    try:
        yield
    finally:
        os.environ.update(saved)


def create_bolt_app(runtime: Runtime) -> tuple[App, SlackPort]:
    settings = runtime.settings
    client = slack_client(settings)
    if settings.oauth:
        return _oauth_app(runtime, client)
    with _without_oauth_variables():
        app = App(
            client=client,
            signing_secret=settings.signing_secret,
            authorize=bot_identity(client, settings.bot_token),
            logger=logging.getLogger("slack_bolt"),
        )
    port = SlackPort(slack_client(settings, wait_out_rate_limits=False))
    # A person's Slack language, asked before their first answer and then once a day: a
    # short timeout, so that a slow Slack costs the language, not the acknowledgement.
    runtime.readers.source = locale_source(slack_client(settings, timeout=2))
    register_listeners(app, runtime, port)
    return app, port


def delivery_port(runtime: Runtime) -> SlackPort | None:
    """The outbox's port to Slack for this deployment: one token, or each council's
    workspace's (OAuth); None with neither (what is due is recorded, not sent)."""
    settings = runtime.settings
    if settings.bot_token:
        # The outbox leaves a 429 to its pacing (a pause for that workspace), rather than
        # sleeping in the courier, which would hold up every other council.
        return SlackPort(slack_client(settings, wait_out_rate_limits=False))
    if not settings.oauth:
        return None
    assert settings.client_id
    return InstalledPort(settings, runtime.engine,
                         CouncilInstallationStore(settings.client_id, runtime.engine),
                         lambda token: slack_client(settings, token=token,
                                                    wait_out_rate_limits=False))


def not_installed(runtime: Runtime) -> str:
    """What a person of a workspace with no installation is told, privately (Bolt posts it
    to the command's response URL), in the council's first official language: the
    bot knows no token there to ask Slack for theirs."""
    with using(runtime.charter.languages[0]):
        return _("nrc-bot is not installed in this workspace, so nothing was done. An "
                 "administrator of the workspace can install it from {path}.",
                 path=runtime.settings.install_path)


def _oauth_app(runtime: Runtime, client: WebClient) -> tuple[App, SlackPort]:
    settings = runtime.settings
    flow = oauth_settings(settings, runtime.engine, client, runtime.clock)
    app = App(client=client, signing_secret=settings.signing_secret, oauth_settings=flow,
              # An Authorize instance, which Bolt takes beside oauth_settings (a function
              # it refuses there); its annotation says only Callable.
              authorize=authorize(flow, client),  # type: ignore[arg-type]
              user_facing_authorize_error_message=not_installed(runtime),
              logger=logging.getLogger("slack_bolt"))
    store = flow.installation_store
    assert isinstance(store, CouncilInstallationStore)
    port = InstalledPort(settings, runtime.engine, store,
                         lambda token: slack_client(settings, token=token,
                                                    wait_out_rate_limits=False))
    app.use(team_stamp(runtime))
    register_installation_events(app, runtime, store)
    register_listeners(app, runtime, port)
    return app, port
