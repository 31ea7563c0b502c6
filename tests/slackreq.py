"""Builders of correctly signed Slack requests: what Slack itself sends to the bot.

Body builders return the raw ``bytes`` Slack would POST (form-encoded for slash commands and
interactivity, JSON for the Events API); :func:`sign` makes the matching headers and
:func:`post` sends them to a real HTTP server::

    body = slash_command("help", response_url=fake.response_url())
    status, headers, data = post(url, body, sign(body, SECRET))

For in-process dispatch: ``app.dispatch(BoltRequest(body=body.decode(), headers=sign(...)))``.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import time
import urllib.error
import urllib.request
from typing import Any
from urllib.parse import urlencode

__all__ = [
    "API_APP_ID",
    "VERIFICATION_TOKEN",
    "app_home_opened",
    "block_actions",
    "event_callback",
    "global_shortcut",
    "message_action",
    "post",
    "sign",
    "slash_command",
    "url_verification",
    "view_submission",
]

API_APP_ID = "A1"
VERIFICATION_TOKEN = "verification-token"  # deprecated by Slack, still sent
TEAM_DOMAIN = "test"

_FORM = "application/x-www-form-urlencoded"
_JSON = "application/json"


# ---------------------------------------------------------------------------- signing


def sign(body: bytes, secret: str, timestamp: int | None = None) -> dict[str, str]:
    """Headers Slack sends with ``body``: v0 signature, timestamp and Content-Type.

    The Content-Type is JSON when the body is a JSON object (Events API), form otherwise.
    ``timestamp`` defaults to now (Bolt refuses requests older than five minutes).
    """
    ts = int(time.time()) if timestamp is None else int(timestamp)
    base = b"v0:" + str(ts).encode("ascii") + b":" + body
    digest = hmac.new(secret.encode("utf-8"), base, hashlib.sha256).hexdigest()
    content_type = _JSON if body.lstrip().startswith(b"{") else _FORM
    return {
        "X-Slack-Request-Timestamp": str(ts),
        "X-Slack-Signature": f"v0={digest}",
        "Content-Type": content_type,
    }


# ---------------------------------------------------------------------------- helpers


def _ts_now() -> str:
    return f"{time.time():.6f}"


def _user(user_id: str, user_name: str | None, team_id: str) -> dict[str, Any]:
    name = user_name or user_id.lower()
    return {"id": user_id, "username": name, "name": name, "team_id": team_id}


def _team(team_id: str) -> dict[str, Any]:
    return {"id": team_id, "domain": TEAM_DOMAIN}


def _payload_form(payload: dict[str, Any]) -> bytes:
    return urlencode({"payload": json.dumps(payload, separators=(",", ":"))}).encode("utf-8")


def _default_response_url(team_id: str) -> str:
    return f"https://hooks.slack.com/actions/{team_id}/1/xyz"


def _state_values(values: dict[str, Any]) -> dict[str, Any]:
    """Slack-shaped ``view.state.values``; a bare string leaf means a plain_text_input."""
    result: dict[str, Any] = {}
    for block_id, actions in values.items():
        result[block_id] = {
            action_id: (
                {"type": "plain_text_input", "value": value} if isinstance(value, str) else value
            )
            for action_id, value in actions.items()
        }
    return result


# ---------------------------------------------------------------------------- slash commands


def slash_command(
    text: str,
    *,
    user_id: str = "U1",
    user_name: str = "someone",
    channel_id: str = "C1",
    team_id: str = "T1",
    command: str = "/nrc",
    response_url: str | None = None,
    trigger_id: str = "t1",
    channel_name: str | None = None,
    enterprise_id: str | None = None,
    is_enterprise_install: bool = False,
) -> bytes:
    """A slash command invocation, form-encoded like Slack sends it (from a workspace of
    an Enterprise Grid organisation: ``enterprise_id``)."""
    if channel_name is None:
        channel_name = "directmessage" if channel_id.startswith("D") else channel_id.lower()
    fields = {
        "token": VERIFICATION_TOKEN,
        "team_id": team_id,
        "team_domain": TEAM_DOMAIN,
        "channel_id": channel_id,
        "channel_name": channel_name,
        "user_id": user_id,
        "user_name": user_name,
        "command": command,
        "text": text,
        "api_app_id": API_APP_ID,
        "is_enterprise_install": "true" if is_enterprise_install else "false",
        "response_url": response_url or f"https://hooks.slack.com/commands/{team_id}/1/xyz",
        "trigger_id": trigger_id,
    }
    if enterprise_id:
        fields["enterprise_id"] = enterprise_id
        fields["enterprise_name"] = enterprise_id.lower()
    return urlencode(fields).encode("utf-8")


# ---------------------------------------------------------------------------- interactivity


def block_actions(
    action_id: str,
    value: str | None,
    *,
    user_id: str,
    channel_id: str | None,
    message_ts: str | None,
    message: dict[str, Any] | None = None,
    block_id: str = "b",
    trigger_id: str = "t1",
    team_id: str = "T1",
    response_url: str | None = None,
    user_name: str | None = None,
    action_type: str = "button",
    view: dict[str, Any] | None = None,
    state_values: dict[str, Any] | None = None,
) -> bytes:
    """A ``block_actions`` interaction (a button click or menu choice).

    From a message: give ``channel_id`` and ``message_ts`` (``message`` defaults to a bot
    message with that ts). From a modal or App Home: pass ``channel_id=None,
    message_ts=None`` and ``view`` (a view dict with at least an ``id``).
    ``action_type="static_select"`` sends ``selected_option`` instead of ``value``.
    """
    action: dict[str, Any] = {
        "type": action_type,
        "action_id": action_id,
        "block_id": block_id,
        "action_ts": _ts_now(),
    }
    if action_type == "button":
        action["text"] = {"type": "plain_text", "text": action_id, "emoji": True}
        if value is not None:
            action["value"] = value
    elif action_type in ("static_select", "external_select", "overflow", "radio_buttons"):
        action["selected_option"] = {
            "text": {"type": "plain_text", "text": value or "", "emoji": True},
            "value": value,
        }
    elif value is not None:
        action["value"] = value

    payload: dict[str, Any] = {
        "type": "block_actions",
        "user": _user(user_id, user_name, team_id),
        "api_app_id": API_APP_ID,
        "token": VERIFICATION_TOKEN,
        "trigger_id": trigger_id,
        "team": _team(team_id),
        "enterprise": None,
        "is_enterprise_install": False,
        "state": {"values": _state_values(state_values or {})},
        "actions": [action],
    }
    if message_ts is not None and channel_id is not None:
        payload["container"] = {
            "type": "message",
            "message_ts": message_ts,
            "channel_id": channel_id,
            "is_ephemeral": False,
        }
        payload["channel"] = {"id": channel_id, "name": channel_id.lower()}
        payload["message"] = message or {
            "type": "message",
            "user": "UBOT",
            "bot_id": "BBOT",
            "text": "",
            "ts": message_ts,
            "blocks": [],
        }
        payload["response_url"] = response_url or _default_response_url(team_id)
    elif view is not None:
        view_id = str(view.get("id", "V1"))
        payload["container"] = {"type": "view", "view_id": view_id}
        payload["view"] = {"id": view_id, "team_id": team_id, "type": "modal", **view}
        if channel_id is not None:
            payload["channel"] = {"id": channel_id, "name": channel_id.lower()}
        if response_url is not None:
            payload["response_url"] = response_url
    else:
        raise ValueError("block_actions needs channel_id and message_ts, or view")
    return _payload_form(payload)


def view_submission(
    callback_id: str,
    state_values: dict[str, Any],
    *,
    user_id: str,
    private_metadata: str = "",
    team_id: str = "T1",
    view_id: str = "V1",
    user_name: str | None = None,
    trigger_id: str = "t1",
    blocks: list[dict[str, Any]] | None = None,
    response_urls: list[dict[str, Any]] | None = None,
) -> bytes:
    """A modal submission.

    ``state_values`` is Slack's ``view.state.values``:
    ``{block_id: {action_id: {"type": "plain_text_input", "value": "..."}}}``; a plain string
    leaf is accepted as shorthand for a plain_text_input value.
    """
    payload = {
        "type": "view_submission",
        "team": _team(team_id),
        "user": _user(user_id, user_name, team_id),
        "api_app_id": API_APP_ID,
        "token": VERIFICATION_TOKEN,
        "trigger_id": trigger_id,
        "view": {
            "id": view_id,
            "team_id": team_id,
            "type": "modal",
            "blocks": blocks or [],
            "private_metadata": private_metadata,
            "callback_id": callback_id,
            "state": {"values": _state_values(state_values)},
            "hash": f"h.{view_id}",
            "title": {"type": "plain_text", "text": "Modal", "emoji": True},
            "clear_on_close": False,
            "notify_on_close": False,
            "close": None,
            "submit": {"type": "plain_text", "text": "Submit", "emoji": True},
            "previous_view_id": None,
            "root_view_id": view_id,
            "app_id": API_APP_ID,
            "external_id": "",
            "app_installed_team_id": team_id,
            "bot_id": "BBOT",
        },
        "response_urls": response_urls or [],
        "is_enterprise_install": False,
        "enterprise": None,
    }
    return _payload_form(payload)


def message_action(
    callback_id: str,
    *,
    user_id: str,
    channel_id: str,
    message_ts: str,
    message_text: str,
    team_id: str = "T1",
    trigger_id: str = "t1",
    message_user: str = "U2",
    user_name: str | None = None,
    response_url: str | None = None,
    message: dict[str, Any] | None = None,
) -> bytes:
    """A message shortcut (``type: message_action``) on a message by ``message_user``."""
    payload = {
        "type": "message_action",
        "token": VERIFICATION_TOKEN,
        "action_ts": _ts_now(),
        "team": _team(team_id),
        "user": _user(user_id, user_name, team_id),
        "channel": {"id": channel_id, "name": channel_id.lower()},
        "is_enterprise_install": False,
        "enterprise": None,
        "callback_id": callback_id,
        "trigger_id": trigger_id,
        "response_url": response_url or _default_response_url(team_id),
        "message_ts": message_ts,
        "message": message
        or {
            "type": "message",
            "user": message_user,
            "ts": message_ts,
            "text": message_text,
        },
    }
    return _payload_form(payload)


def global_shortcut(
    callback_id: str,
    *,
    user_id: str,
    team_id: str = "T1",
    trigger_id: str = "t1",
    user_name: str | None = None,
) -> bytes:
    """A global shortcut (``type: shortcut``)."""
    payload = {
        "type": "shortcut",
        "token": VERIFICATION_TOKEN,
        "action_ts": _ts_now(),
        "team": _team(team_id),
        "user": _user(user_id, user_name, team_id),
        "is_enterprise_install": False,
        "enterprise": None,
        "callback_id": callback_id,
        "trigger_id": trigger_id,
    }
    return _payload_form(payload)


# ---------------------------------------------------------------------------- Events API


def event_callback(
    event: dict[str, Any],
    *,
    event_id: str,
    team_id: str = "T1",
    event_time: int | None = None,
    enterprise_id: str | None = None,
    is_enterprise_install: bool = False,
) -> bytes:
    """An Events API envelope around ``event`` (JSON body)."""
    body: dict[str, Any] = {
        "token": VERIFICATION_TOKEN,
        "team_id": team_id,
        "api_app_id": API_APP_ID,
        "event": event,
        "type": "event_callback",
        "event_id": event_id,
        "event_time": int(time.time()) if event_time is None else event_time,
        "authorizations": [
            {
                "enterprise_id": enterprise_id,
                "team_id": None if is_enterprise_install else team_id,
                "user_id": "UBOT",
                "is_bot": True,
                "is_enterprise_install": is_enterprise_install,
            }
        ],
        "enterprise_id": enterprise_id,
        "is_enterprise_install": is_enterprise_install,
        "is_ext_shared_channel": False,
        "event_context": f"4-{event_id}",
    }
    return json.dumps(body).encode("utf-8")


def app_home_opened(
    user_id: str, *, event_id: str, tab: str = "home", team_id: str = "T1"
) -> bytes:
    """An ``app_home_opened`` event for ``user_id``."""
    event = {
        "type": "app_home_opened",
        "user": user_id,
        "channel": "D" + user_id,
        "tab": tab,
        "event_ts": _ts_now(),
    }
    return event_callback(event, event_id=event_id, team_id=team_id)


def app_uninstalled(*, event_id: str, team_id: str = "T1", enterprise_id: str | None = None,
                    is_enterprise_install: bool = False) -> bytes:
    """Slack's ``app_uninstalled``: the app was removed from the workspace (or, installed
    organisation-wide, from the organisation)."""
    return event_callback({"type": "app_uninstalled"}, event_id=event_id, team_id=team_id,
                          enterprise_id=enterprise_id,
                          is_enterprise_install=is_enterprise_install)


def tokens_revoked(*, event_id: str, bot: list[str] | None = None,
                   oauth: list[str] | None = None, team_id: str = "T1") -> bytes:
    """Slack's ``tokens_revoked``: the bot's token (``bot``: bot user ids) or people's
    tokens (``oauth``: user ids) no longer work."""
    tokens = {k: v for k, v in (("bot", bot), ("oauth", oauth)) if v}
    return event_callback({"type": "tokens_revoked", "tokens": tokens},
                          event_id=event_id, team_id=team_id)


def url_verification(challenge: str) -> bytes:
    """The Events API URL verification handshake (JSON body)."""
    body = {"token": VERIFICATION_TOKEN, "challenge": challenge, "type": "url_verification"}
    return json.dumps(body).encode("utf-8")


# ---------------------------------------------------------------------------- transport

_OPENER = urllib.request.build_opener(urllib.request.ProxyHandler({}))


def post(
    url: str, body: bytes, headers: dict[str, str], timeout: float = 10
) -> tuple[int, dict[str, str], bytes]:
    """POST ``body`` to ``url``; return (status, headers, body). Never raises on HTTP errors
    (connection errors still raise). Environment proxies are ignored."""
    request = urllib.request.Request(url, data=body, headers=headers, method="POST")
    try:
        with _OPENER.open(request, timeout=timeout) as response:
            return response.status, dict(response.headers.items()), response.read()
    except urllib.error.HTTPError as err:
        with err:
            return err.code, dict(err.headers.items()), err.read()
