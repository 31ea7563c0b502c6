"""The HTTP transport: a WSGI app for gunicorn.

``POST /slack/events`` goes to Bolt's WSGI adapter (signature and timestamp
checks included); so, in OAuth mode, do ``GET /slack/install`` and
``/slack/oauth_redirect`` (Bolt's flow); ``GET /healthz`` says whether the database
answers.
"""

from __future__ import annotations

import io
import json
import logging
from collections.abc import Callable, Iterable
from typing import Any
from urllib.parse import parse_qs

from slack_bolt.adapter.wsgi import SlackRequestHandler
from sqlalchemy import text

from bot.meetings import calendar_app
from bot.runtime import Runtime
from bot.settings import Settings
from bot.transports.bolt_app import create_bolt_app

log = logging.getLogger(__name__)

MAX_BODY = 1024 * 1024
StartResponse = Callable[..., Any]
WSGIApp = Callable[[dict[str, Any], StartResponse], Iterable[bytes]]


def _respond(start_response: StartResponse, status: str, body: bytes,
             content_type: str = "application/json") -> list[bytes]:
    start_response(status, [("Content-Type", content_type), ("Content-Length", str(len(body)))])
    return [body]


def _drain(environ: dict[str, Any], length: int) -> None:
    """Read (and drop) a refused body, so the client hears the refusal, up to a cap."""
    remaining = min(length, 8 * MAX_BODY)
    stream = environ["wsgi.input"]
    while remaining > 0:
        chunk = stream.read(min(65536, remaining))
        if not chunk:
            break
        remaining -= len(chunk)


def _clicks_nothing(body: bytes) -> bool:
    """A ``block_actions`` payload with no action in it (Slack never sends one)."""
    if not body.startswith(b"payload="):
        return False
    try:
        payload = json.loads(parse_qs(body.decode())["payload"][0])
    except (ValueError, KeyError, IndexError, UnicodeDecodeError):
        return False
    return (isinstance(payload, dict) and payload.get("type") == "block_actions"
            and not payload.get("actions"))


class CouncilApp:
    """Routes the few paths the bot serves; everything Slack sends goes to Bolt."""

    def __init__(self, runtime: Runtime) -> None:
        self.runtime = runtime
        bolt, self.port = create_bolt_app(runtime)
        self.slack = SlackRequestHandler(bolt, path="/slack/events")
        self.routes: dict[str, WSGIApp] = {}
        self.routes["/calendar/"] = calendar_app(runtime)

    def __call__(self, environ: dict[str, Any], start_response: StartResponse) -> Iterable[bytes]:
        path = environ.get("PATH_INFO", "")
        method = environ.get("REQUEST_METHOD", "GET")
        try:
            if path == "/slack/events":
                if method != "POST":
                    return _respond(start_response, "405 Method Not Allowed", b'{"ok":false}')
                length = int(environ.get("CONTENT_LENGTH") or 0)
                if length > MAX_BODY:
                    _drain(environ, length)
                    return _respond(start_response, "413 Payload Too Large",
                                    b'{"ok":false,"error":"body too large"}')
                stamp = str(environ.get("HTTP_X_SLACK_REQUEST_TIMESTAMP", ""))
                if not (stamp.isascii() and stamp.isdigit()):  # Bolt's int() would answer 500
                    return _respond(start_response, "401 Unauthorized", b'{"ok":false}')
                body = environ["wsgi.input"].read(length) if length else b""
                if _clicks_nothing(body):  # Bolt's matcher would index actions[0]: a 500
                    return _respond(start_response, "400 Bad Request", b'{"ok":false}')
                environ["wsgi.input"] = io.BytesIO(body)
                try:
                    return self.slack(environ, start_response)
                except (ValueError, TypeError, AttributeError):  # a body Bolt cannot parse
                    return _respond(start_response, "400 Bad Request", b'{"ok":false}')
            settings = self.runtime.settings
            if settings.oauth and path in (settings.install_path, settings.redirect_path):
                if method != "GET":
                    return _respond(start_response, "405 Method Not Allowed", b'{"ok":false}')
                return self.slack(environ, start_response)  # Bolt's OAuth flow
            if path == "/healthz":
                return self.health(start_response)
            for prefix, app in self.routes.items():
                if path.startswith(prefix):
                    return app(environ, start_response)
            return _respond(start_response, "404 Not Found", b'{"ok":false,"error":"not found"}')
        except Exception:
            log.exception("HTTP %s %s failed", method, path)
            return _respond(start_response, "503 Service Unavailable",
                            b'{"ok":false,"error":"temporarily unavailable"}')

    def health(self, start_response: StartResponse) -> list[bytes]:
        try:
            with self.runtime.engine.connect() as connection:
                connection.execute(text("SELECT 1"))
        except Exception as exc:
            body = json.dumps({"ok": False, "database": str(exc)[:200]}).encode()
            return _respond(start_response, "503 Service Unavailable", body)
        return _respond(start_response, "200 OK", b'{"ok":true,"database":"up"}')


def create_app(settings: Settings | None = None) -> CouncilApp:
    """The WSGI application gunicorn loads (``bot.transports.web:create_app()``)."""
    runtime = Runtime(settings or Settings.from_env()).prepare()
    return CouncilApp(runtime)
