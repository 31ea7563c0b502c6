"""The outbox's Slack port: turns delivery into Web API calls, and errors into retries."""

from __future__ import annotations

import logging
import urllib.error
from collections.abc import Callable
from datetime import datetime

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError, SlackRequestError

from bot.messages import Message
from bot.outbox import PermanentError, TransientError, Unavailable, Waiting
from handlers.blocks import fits, home_view, notification_text, to_blocks

log = logging.getLogger(__name__)

#: Message metadata type carrying the outbox key of everything the bot posts.
METADATA_TYPE = "nrc_outbox"

#: Slack's answers that mean "not now" rather than "never".
TRANSIENT_ERRORS = {"ratelimited", "internal_error", "fatal_error", "service_unavailable",
                    "request_timeout", "team_added_to_org"}

#: Slack's answers to ``canvases.*`` that mean the workspace cannot have canvases (its
#: plan, its settings, or a token that may not): the bot carries on without them.
CANVAS_UNAVAILABLE = {"not_allowed_token_type", "feature_not_enabled", "paid_only",
                      "canvas_disabled_user_team", "team_tier_cannot_create_channel_canvases",
                      "free_teams_cannot_edit_standalone_canvases", "restricted_action"}


def _retry_after(error: SlackApiError) -> float | None:
    value = error.response.headers.get("Retry-After") or error.response.headers.get("retry-after")
    try:
        return float(value) if value is not None else None
    except (TypeError, ValueError):
        return None


#: Slack's answers that mean the token is gone (the app uninstalled, its token revoked).
REVOKED_ERRORS = {"token_revoked", "invalid_auth", "account_inactive", "not_authed",
                  "team_not_found"}


class SlackPort:
    """``revoked_waits``: a token Slack refuses leaves the row waiting, not failed (with
    the app installed by OAuth, Slack's ``app_uninstalled`` event is on its way and holds
    the council's delivery; a re-install sends the row); ``on_revoked`` is told."""

    def __init__(self, client: WebClient, *, revoked_waits: bool = False,
                 on_revoked: Callable[[], None] | None = None) -> None:
        self.client = client
        self.revoked_waits = revoked_waits
        self.on_revoked = on_revoked

    def _call(self, method: str, **params: object) -> dict[str, object]:
        try:
            response = self.client.api_call(method, json=params)
        except SlackApiError as exc:
            status = exc.response.status_code
            error = str(exc.response.get("error", "")) if exc.response.data else ""
            if status == 429 or status >= 500 or error in TRANSIENT_ERRORS:
                raise TransientError(f"{method}: HTTP {status} {error}".strip(),
                                     _retry_after(exc), method) from exc
            if self.revoked_waits and error in REVOKED_ERRORS:
                if self.on_revoked is not None:
                    self.on_revoked()
                raise Waiting(f"{method}: {error}; waiting for the app to be installed "
                              "again") from exc
            if method.startswith("canvases.") and error in CANVAS_UNAVAILABLE:
                raise Unavailable(f"{method}: {error}") from exc
            raise PermanentError(f"{method}: {error or status}") from exc
        except (urllib.error.URLError, SlackRequestError, TimeoutError, ConnectionError, OSError) as exc:
            raise TransientError(f"{method}: {exc}") from exc
        return dict(response.data) if isinstance(response.data, dict) else {}

    def post(self, channel: str | None, message: Message, thread_ts: str | None,
             key: str) -> tuple[str, str]:
        if channel is None:
            raise Waiting("no council channel yet: an admin must run setup in it")
        params: dict[str, object] = {
            "channel": channel,
            "text": notification_text(message),
            "blocks": to_blocks(message),
            "unfurl_links": False,
            "unfurl_media": False,
            "metadata": {"event_type": METADATA_TYPE, "event_payload": {"key": key}},
        }
        if thread_ts:
            params["thread_ts"] = thread_ts
        data = self._call("chat.postMessage", **params)
        posted = str(data["channel"]), str(data["ts"])
        if not fits(message):
            # Too long for one message in every official language: the others follow in
            # its thread, each carrying the key with its language (found after a crash).
            for other in message.also:
                self._call("chat.postMessage", channel=posted[0], thread_ts=thread_ts or posted[1],
                           text=notification_text(other), blocks=to_blocks(other),
                           unfurl_links=False, unfurl_media=False,
                           metadata={"event_type": METADATA_TYPE,
                                     "event_payload": {"key": f"{key}#language"}})
        return posted

    def _dm_channel(self, user_id: str) -> str:
        opened = self._call("conversations.open", users=user_id)
        channel = opened.get("channel")
        channel_id = channel.get("id") if isinstance(channel, dict) else None
        if not channel_id:
            raise PermanentError(f"conversations.open gave no channel for {user_id}")
        return str(channel_id)

    def dm(self, user_id: str, message: Message, key: str) -> tuple[str, str]:
        return self.post(self._dm_channel(user_id), message, None, key)

    def find(self, channel: str, key: str, thread_ts: str | None,
             since: datetime) -> tuple[str, str] | None:
        """Look in the channel (or thread) for a message that carries ``key``."""
        if channel[:1] in ("U", "W"):
            channel = self._dm_channel(channel)
        if thread_ts:
            data = self._call("conversations.replies", channel=channel, ts=thread_ts,
                              include_all_metadata=True, limit=200)
        else:
            oldest = f"{since.timestamp() - 600:.6f}"  # allow for clock skew
            data = self._call("conversations.history", channel=channel, oldest=oldest,
                              include_all_metadata=True, limit=200)
        messages = data.get("messages")
        for found in messages if isinstance(messages, list) else []:
            metadata = found.get("metadata") or {}
            if (metadata.get("event_type") == METADATA_TYPE
                    and (metadata.get("event_payload") or {}).get("key") == key):
                return channel, str(found["ts"])
        return None

    def update(self, channel: str, ts: str, message: Message) -> None:
        self._call("chat.update", channel=channel, ts=ts, text=notification_text(message),
                   blocks=to_blocks(message))

    def publish_home(self, user_id: str, message: Message) -> None:
        self._call("views.publish", user_id=user_id, view=home_view(message))

    def create_canvas(self, channel: str, title: str, markdown: str, key: str) -> str:
        """A canvas tabbed in the council channel (``channel_id``: required on free plans,
        and it gives the channel's members access)."""
        data = self._call("canvases.create", title=title, channel_id=channel,
                          document_content={"type": "markdown", "markdown": markdown})
        canvas_id = data.get("canvas_id")
        if not canvas_id:
            raise PermanentError("canvases.create gave no canvas_id")
        return str(canvas_id)

    def edit_canvas(self, canvas_id: str, markdown: str) -> None:
        """The whole document replaced: the records are the authority, not the canvas."""
        self._call("canvases.edit", canvas_id=canvas_id, changes=[
            {"operation": "replace",
             "document_content": {"type": "markdown", "markdown": markdown}}])


def locale_source(client: WebClient) -> Callable[[str], str | None]:
    """How the core asks Slack for a person's locale (``users.info`` with
    ``include_locale``); None when Slack cannot say now (the records keep the answer a
    day, so a failure costs one request's language, never the request)."""
    def locale_of(user_id: str) -> str | None:
        try:
            data = client.users_info(user=user_id, include_locale=True).data
        except (SlackApiError, SlackRequestError, urllib.error.URLError, OSError) as exc:
            log.warning("users.info for %s failed: %s", user_id, exc)
            return None
        user = data.get("user") if isinstance(data, dict) else None
        locale = user.get("locale") if isinstance(user, dict) else None
        return str(locale) if locale else None
    return locale_of
