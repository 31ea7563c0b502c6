"""A fake Slack Web API server for tests.

``FakeSlack`` listens on 127.0.0.1 (OS-chosen port) and answers ``/api/<method>`` the way
Slack's Web API does, closely enough for ``slack_sdk.WebClient`` and slack-bolt. Every
request is recorded as a :class:`Call`. Faults (HTTP errors, ``ok: false``, delays,
dropped connections) can be injected per method with :meth:`FakeSlack.fail_next`.

Usage::

    with FakeSlack() as fake:
        client = WebClient(base_url=fake.api_url, token="xoxb-test")
        client.chat_postMessage(channel="C1", text="hi")
        assert fake.posted()[0]["text"] == "hi"

or through the ``fake_slack`` pytest fixture defined at the bottom of this module (import it
into a test module or a conftest to make it available).
"""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from email.parser import BytesParser
from email.policy import HTTP
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qsl, urlsplit

import pytest

__all__ = ["Call", "FakeSlack", "fake_slack"]

BOT_USER_ID = "UBOT"
BOT_ID = "BBOT"
TEAM_ID = "T1"
TEAM_NAME = "Test"

# Form fields whose values are free text and must never be JSON-decoded.
_TEXT_FIELDS = frozenset(
    {"text", "markdown_text", "initial_comment", "title", "alt_text", "fallback", "query"}
)

# Default error names for injected HTTP failures (what Slack puts in the body).
_HTTP_ERRORS = {429: "ratelimited", 500: "internal_error", 503: "service_unavailable"}

Handler = Callable[[dict[str, Any]], dict[str, Any]]


@dataclass
class Call:
    """One request received by the fake.

    ``method`` is the Web API method (``"chat.postMessage"``), or ``"response_url"`` for posts
    to a response URL. ``params`` merges query string and body (form, JSON or multipart),
    with JSON-looking form fields such as ``blocks`` and ``view`` decoded. ``headers`` keeps
    the header names as sent. ``failed`` is True when the fake answered with an error
    (injected, or ``ok: false``). ``delayed`` is the injected delay in seconds, if any.
    """

    method: str
    params: dict[str, Any]
    headers: dict[str, str]
    at: float
    failed: bool = False
    delayed: float = 0.0

    @property
    def token(self) -> str | None:
        """The token the caller used (``Authorization: Bearer`` header or ``token`` param)."""
        for name, value in self.headers.items():
            if name.lower() == "authorization" and value.startswith("Bearer "):
                return value[len("Bearer ") :]
        token = self.params.get("token")
        return token if isinstance(token, str) else None


@dataclass
class _Fault:
    status: int | None
    retry_after: int | float | None
    ok_false_error: str | None
    delay: float | None
    disconnect: bool
    remaining: int


@dataclass
class _Outcome:
    status: int = 200
    payload: dict[str, Any] = field(default_factory=dict)
    headers: dict[str, str] = field(default_factory=dict)
    text: str | None = None  # plain-text body instead of JSON (response_url)
    failed: bool = False
    disconnect: bool = False


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    block_on_close = False

    def __init__(self, fake: FakeSlack) -> None:
        super().__init__(("127.0.0.1", 0), _RequestHandler)
        self.fake = fake


class _RequestHandler(BaseHTTPRequestHandler):
    server: _Server
    protocol_version = "HTTP/1.0"

    def log_message(self, format: str, *args: Any) -> None:
        """Silence the default stderr request log."""

    def do_POST(self) -> None:
        self.server.fake._handle(self)

    def do_GET(self) -> None:
        self.server.fake._handle(self)


def _maybe_json(value: str) -> Any:
    stripped = value.lstrip()
    if not stripped.startswith(("[", "{")):
        return value
    try:
        decoded = json.loads(value)
    except ValueError:
        return value
    return decoded if isinstance(decoded, list | dict) else value


def _parse_form(raw: str, params: dict[str, Any]) -> None:
    for key, value in parse_qsl(raw, keep_blank_values=True):
        decoded = value if key in _TEXT_FIELDS else _maybe_json(value)
        params[key] = decoded  # Slack never repeats a field: last one wins


def _parse_multipart(body: bytes, content_type: str, params: dict[str, Any]) -> None:
    message = BytesParser(policy=HTTP).parsebytes(
        b"Content-Type: " + content_type.encode("latin-1") + b"\r\n\r\n" + body
    )
    for part in message.iter_parts():
        name = part.get_param("name", header="content-disposition")
        if not isinstance(name, str):
            continue
        payload = part.get_payload(decode=True)
        data = payload if isinstance(payload, bytes) else b""
        if part.get_filename() is not None:
            params[name] = data
        else:
            text = data.decode("utf-8", "replace")
            params[name] = text if name in _TEXT_FIELDS else _maybe_json(text)


def parse_request(path: str, headers: dict[str, str], body: bytes) -> dict[str, Any]:
    """Decode a request's query string and body into one params dict."""
    params: dict[str, Any] = {}
    query = urlsplit(path).query
    if query:
        _parse_form(query, params)
    if not body:
        return params
    content_type = next((v for k, v in headers.items() if k.lower() == "content-type"), "")
    mime = content_type.split(";")[0].strip().lower()
    if mime == "application/json" or (not mime and body.lstrip().startswith(b"{")):
        try:
            decoded = json.loads(body.decode("utf-8"))
        except ValueError:
            params["_raw"] = body
        else:
            if isinstance(decoded, dict):
                params.update(decoded)
            else:
                params["_json"] = decoded
    elif mime == "multipart/form-data":
        _parse_multipart(body, content_type, params)
    else:
        _parse_form(body.decode("utf-8", "replace"), params)
    return params


class FakeSlack:
    """A fake Slack Web API on 127.0.0.1, for tests. See the module docstring."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._calls: list[Call] = []
        self._faults: dict[str, list[_Fault]] = {}
        self._handlers: dict[str, Handler] = {}
        self._messages: dict[tuple[str, str], dict[str, Any]] = {}
        self._users: dict[str, dict[str, Any]] = {}
        self._members: dict[str, list[str]] = {}
        self._ts_counter = 0
        self._last_micros = 0
        self._in_flight = 0
        self._view_counter = 0
        self._canvases: dict[str, dict[str, Any]] = {}
        self._canvas_error: str | None = None
        #: ``oauth.v2.access``: what each code installs, and the tokens issued (and revoked).
        self._offers: dict[str, dict[str, Any]] = {}
        self._issued = 0
        self._revoked: set[str] = set()
        self._closing = threading.Event()
        self._server: _Server | None = None
        self._thread: threading.Thread | None = None

    # ------------------------------------------------------------------ lifecycle

    def start(self) -> FakeSlack:
        """Bind to an OS-chosen port and serve in a daemon thread. Idempotent."""
        if self._server is not None:
            return self
        self._closing.clear()
        self._server = _Server(self)
        self._thread = threading.Thread(
            target=self._server.serve_forever,
            kwargs={"poll_interval": 0.05},
            name=f"FakeSlack:{self.port}",
            daemon=True,
        )
        self._thread.start()
        return self

    def close(self) -> None:
        """Stop serving and release the port. Pending delayed answers are cut short."""
        server, thread = self._server, self._thread
        if server is None:
            return
        self._closing.set()
        server.shutdown()
        server.server_close()
        if thread is not None:
            thread.join(timeout=5)
        self._server = None
        self._thread = None

    def __enter__(self) -> FakeSlack:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.close()

    # ------------------------------------------------------------------ addresses

    @property
    def port(self) -> int:
        if self._server is None:
            raise RuntimeError("FakeSlack is not started")
        return int(self._server.server_address[1])

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def api_url(self) -> str:
        """Value for ``WebClient(base_url=...)`` / ``SLACK_API_URL`` (with trailing slash)."""
        return f"{self.base_url}/api/"

    def response_url(self, token: str = "x") -> str:
        """A response_url served by this fake; posts to it are recorded as ``response_url``."""
        return f"{self.base_url}/respond/{token}"

    # ------------------------------------------------------------------ configuration

    def fail_next(
        self,
        method: str,
        *,
        status: int | None = None,
        retry_after: int | float | None = None,
        ok_false_error: str | None = None,
        delay: float | None = None,
        times: int = 1,
        disconnect: bool = False,
    ) -> None:
        """Make the next ``times`` calls to ``method`` misbehave.

        - default / ``status``: answer with HTTP ``status`` (429 when not given), JSON body
          ``{"ok": false, "error": ...}``, plus ``Retry-After`` when ``retry_after`` is given.
        - ``ok_false_error``: answer HTTP 200 ``{"ok": false, "error": ok_false_error}``
          (or with HTTP ``status`` if that is given too).
        - ``delay``: sleep that many seconds before answering. With ``delay`` alone the call
          then succeeds normally (Slack did the work, the client may have timed out); it is
          recorded with ``failed=False`` and ``delayed=delay``.
        - ``disconnect``: close the connection without any answer (connection error).

        Faults queue up: a second ``fail_next`` on the same method applies after the first
        one's ``times`` are used up. ``method`` may be ``"response_url"``.
        """
        if times < 1:
            raise ValueError("times must be >= 1")
        if status is None and ok_false_error is None and delay is None and not disconnect:
            status = 429
        if retry_after is not None and status is None and ok_false_error is None:
            status = 429
        fault = _Fault(status, retry_after, ok_false_error, delay, disconnect, times)
        with self._lock:
            self._faults.setdefault(method, []).append(fault)

    def respond_with(self, method: str, handler: Handler | dict[str, Any]) -> None:
        """Override the answer to ``method``: a fixed JSON dict or ``handler(params) -> dict``.

        Faults from :meth:`fail_next` still take precedence. A returned dict without ``ok`` is
        answered with ``ok: true`` added.
        """
        if isinstance(handler, dict):
            fixed = handler

            def _fixed(_params: dict[str, Any]) -> dict[str, Any]:
                return json.loads(json.dumps(fixed))

            self._handlers[method] = _fixed
        else:
            self._handlers[method] = handler

    def set_user(self, user_id: str, **fields: Any) -> None:
        """Override fields of the ``users.info`` answer for ``user_id`` (e.g. ``tz=...``)."""
        with self._lock:
            self._users.setdefault(user_id, {}).update(fields)

    def set_members(self, channel: str, members: list[str]) -> None:
        """Set what ``conversations.members`` returns for ``channel``."""
        with self._lock:
            self._members[channel] = list(members)

    def refuse_canvases(self, error: str | None = "paid_only") -> None:
        """Make every ``canvases.*`` call answer ``{"ok": false, "error": error}`` from now
        on, as a workspace whose plan has no canvases does (``None``: answer again)."""
        with self._lock:
            self._canvas_error = error

    def offer_install(self, code: str, *, team_id: str | None = TEAM_ID,
                      team_name: str = TEAM_NAME, enterprise_id: str | None = None,
                      enterprise_name: str | None = None, scopes: list[str] | None = None,
                      installer: str = "UINSTALLER", bot_user_id: str = BOT_USER_ID,
                      app_id: str = "A1") -> None:
        """What ``oauth.v2.access`` answers for ``code`` (good once), as after a person
        approved the install in Slack. ``team_id=None`` with ``enterprise_id``: installed
        organisation-wide (Enterprise Grid)."""
        with self._lock:
            self._offers[code] = {
                "team": {"id": team_id, "name": team_name} if team_id else None,
                "enterprise": ({"id": enterprise_id, "name": enterprise_name or enterprise_id}
                               if enterprise_id else None),
                "is_enterprise_install": team_id is None,
                "scope": ",".join(scopes or ["commands", "chat:write"]),
                "authed_user": {"id": installer},
                "bot_user_id": bot_user_id, "app_id": app_id,
            }

    def revoke(self, token: str) -> None:
        """From now on Slack refuses ``token`` (``token_revoked``), as after an uninstall."""
        with self._lock:
            self._revoked.add(token)

    def _oauth_v2_access(self, params: dict[str, Any]) -> dict[str, Any]:
        """Slack's answer to ``oauth.v2.access`` (api.slack.com/methods/oauth.v2.access):
        a fresh bot token for the workspace, or the organisation, the code was issued for."""
        with self._lock:
            offer = self._offers.pop(str(params.get("code") or ""), None)
            if offer is None:
                return {"ok": False, "error": "invalid_code"}
            self._issued += 1
            where = (offer["team"] or offer["enterprise"])["id"]
            return {"ok": True, "access_token": f"xoxb-{where}-{self._issued}",
                    "token_type": "bot", **offer}

    # ------------------------------------------------------------------ inspection

    @property
    def calls(self) -> list[Call]:
        """A snapshot (copy) of every call received so far, in arrival order."""
        with self._lock:
            return list(self._calls)

    def calls_to(self, method: str) -> list[Call]:
        return [c for c in self.calls if c.method == method]

    def posted(self) -> list[dict[str, Any]]:
        """Params of successful ``chat.postMessage`` calls."""
        return [c.params for c in self.calls_to("chat.postMessage") if not c.failed]

    def updated(self) -> list[dict[str, Any]]:
        """Params of successful ``chat.update`` calls."""
        return [c.params for c in self.calls_to("chat.update") if not c.failed]

    def ephemerals(self) -> list[dict[str, Any]]:
        """Params of successful ``chat.postEphemeral`` calls."""
        return [c.params for c in self.calls_to("chat.postEphemeral") if not c.failed]

    def responded(self) -> list[dict[str, Any]]:
        """Bodies posted to response URLs (successful ones)."""
        return [c.params for c in self.calls_to("response_url") if not c.failed]

    def canvas(self, canvas_id: str) -> dict[str, Any] | None:
        """A canvas created through the fake, as it stands after edits: ``title``,
        ``channel_id``, ``markdown`` (its whole document), ``edits`` (how many)."""
        with self._lock:
            found = self._canvases.get(canvas_id)
            return dict(found) if found is not None else None

    def canvases(self) -> dict[str, dict[str, Any]]:
        """Every canvas created through the fake, by id, in the order created."""
        with self._lock:
            return {key: dict(value) for key, value in self._canvases.items()}

    def message(self, channel: str, ts: str) -> dict[str, Any] | None:
        """Current state of a message posted through the fake (after updates), or None."""
        with self._lock:
            msg = self._messages.get((channel, ts))
            return dict(msg) if msg is not None else None

    def reset(self) -> None:
        """Forget calls, pending faults, overrides and stored messages."""
        with self._lock:
            self._calls.clear()
            self._faults.clear()
            self._messages.clear()
            self._users.clear()
            self._members.clear()
            self._canvases.clear()
            self._canvas_error = None
            self._offers.clear()
            self._revoked.clear()
        self._handlers.clear()

    def wait_for(
        self, predicate: Callable[[list[Call]], object], timeout: float = 5.0
    ) -> list[Call]:
        """Poll until ``predicate(calls)`` is truthy; return the calls it accepted.

        Raises AssertionError listing the recorded methods after ``timeout`` seconds.
        """
        deadline = time.monotonic() + timeout
        while True:
            calls = self.calls
            if predicate(calls):
                return calls
            if time.monotonic() >= deadline:
                methods = [c.method + (" (failed)" if c.failed else "") for c in calls]
                raise AssertionError(
                    f"FakeSlack.wait_for timed out after {timeout}s; calls: {methods}"
                )
            time.sleep(0.01)

    # ------------------------------------------------------------------ serving

    def _next_ts(self) -> str:
        # Slack's ts is the posting time, unique per channel: real time, strictly increasing.
        with self._lock:
            self._ts_counter += 1
            micros = max(int(time.time() * 1_000_000), self._last_micros + 100)
            self._last_micros = micros
        return f"{micros // 1_000_000}.{micros % 1_000_000:06d}"

    def _next_view_id(self) -> str:
        with self._lock:
            self._view_counter += 1
            return f"V{self._view_counter:08d}"

    def _take_fault(self, method: str) -> _Fault | None:
        with self._lock:
            queue = self._faults.get(method)
            if not queue:
                return None
            fault = queue[0]
            fault.remaining -= 1
            if fault.remaining <= 0:
                queue.pop(0)
            return fault

    def _handle(self, req: _RequestHandler) -> None:
        with self._lock:
            self._in_flight += 1
        try:
            self._handle_one(req)
        finally:
            with self._lock:
                self._in_flight -= 1

    def wait_idle(self, timeout: float = 10.0) -> None:
        """Wait until no request is being worked on (e.g. a delayed one Slack still takes)."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            with self._lock:
                if self._in_flight == 0:
                    return
            time.sleep(0.01)
        raise AssertionError("the fake Slack is still busy")

    def _handle_one(self, req: _RequestHandler) -> None:
        at = time.time()
        length = int(req.headers.get("Content-Length") or 0)
        body = req.rfile.read(length) if length > 0 else b""
        headers = dict(req.headers.items())
        path = urlsplit(req.path).path
        try:
            params = parse_request(req.path, headers, body)
        except Exception as exc:  # pragma: no cover - malformed test input
            params = {"_raw": body, "_error": repr(exc)}

        if path.startswith("/api/") and len(path) > len("/api/"):
            method = path[len("/api/") :]
        elif path.startswith("/respond/"):
            method = "response_url"
        else:
            method = path

        fault = self._take_fault(method)
        call = Call(method=method, params=params, headers=headers, at=at)
        if fault is not None and fault.delay:
            call.delayed = fault.delay
        with self._lock:
            self._calls.append(call)

        if fault is not None and fault.delay and self._closing.wait(fault.delay):
            call.failed = True
            return  # shutting down: drop the connection

        outcome = self._fault_outcome(method, fault)
        with self._lock:
            revoked = call.token in self._revoked
        if outcome is None and revoked:
            outcome = _Outcome(payload={"ok": False, "error": "token_revoked"}, failed=True)
        if outcome is None:
            outcome = self._answer(method, path, params)
        call.failed = outcome.failed
        if outcome.disconnect:
            return
        self._write(req, outcome)

    def _fault_outcome(self, method: str, fault: _Fault | None) -> _Outcome | None:
        if fault is None:
            return None
        if fault.disconnect:
            return _Outcome(failed=True, disconnect=True)
        if fault.status is None and fault.ok_false_error is None:
            return None  # delay only
        if method == "response_url":
            status = fault.status or 404
            error = fault.ok_false_error or _HTTP_ERRORS.get(status, f"http_{status}")
            headers = self._retry_headers(fault)
            return _Outcome(status=status, text=error, headers=headers, failed=True)
        status = fault.status or 200
        error = fault.ok_false_error or _HTTP_ERRORS.get(status, f"http_{status}")
        return _Outcome(
            status=status,
            payload={"ok": False, "error": error},
            headers=self._retry_headers(fault),
            failed=True,
        )

    @staticmethod
    def _retry_headers(fault: _Fault) -> dict[str, str]:
        if fault.retry_after is None:
            return {}
        value = fault.retry_after
        text = str(int(value)) if float(value).is_integer() else str(value)
        return {"Retry-After": text}

    def _write(self, req: _RequestHandler, outcome: _Outcome) -> None:
        if outcome.text is not None:
            data = outcome.text.encode("utf-8")
            content_type = "text/plain; charset=utf-8"
        else:
            data = json.dumps(outcome.payload).encode("utf-8")
            content_type = "application/json; charset=utf-8"
        try:
            req.send_response(outcome.status)
            req.send_header("Content-Type", content_type)
            req.send_header("Content-Length", str(len(data)))
            for name, value in outcome.headers.items():
                req.send_header(name, value)
            req.end_headers()
            req.wfile.write(data)
        except (BrokenPipeError, ConnectionResetError):
            pass  # the client gave up (timeout): nothing to do

    # ------------------------------------------------------------------ API behaviour

    def _answer(self, method: str, path: str, params: dict[str, Any]) -> _Outcome:
        if method == "response_url":
            return _Outcome(text="ok")
        if not path.startswith("/api/"):
            return _Outcome(status=404, payload={"ok": False, "error": "unknown_path"}, failed=True)
        custom = self._handlers.get(method)
        with self._lock:
            refused = self._canvas_error if method.startswith("canvases.") else None
        if refused is not None:
            payload = {"ok": False, "error": refused}
        elif custom is not None:
            payload = dict(custom(params))
            payload.setdefault("ok", True)
        else:
            builder = _BUILTIN.get(method)
            payload = builder(self, params) if builder is not None else {"ok": True}
        return _Outcome(payload=payload, failed=not payload.get("ok", False))

    def _store_message(self, channel: str, ts: str, params: dict[str, Any]) -> dict[str, Any]:
        message: dict[str, Any] = {
            "type": "message",
            "user": BOT_USER_ID,
            "bot_id": BOT_ID,
            "text": params.get("text", ""),
            "ts": ts,
        }
        for key in ("blocks", "attachments", "thread_ts", "metadata"):
            if params.get(key) is not None:
                message[key] = params[key]
        with self._lock:
            self._messages[(channel, ts)] = message
        return message

    def _auth_test(self, params: dict[str, Any]) -> dict[str, Any]:
        return {
            "ok": True,
            "url": "https://test.slack.com/",
            "team": TEAM_NAME,
            "user": "nrcbot",
            "team_id": TEAM_ID,
            "user_id": BOT_USER_ID,
            "bot_id": BOT_ID,
            "is_enterprise_install": False,
        }

    @staticmethod
    def _channel_of(params: dict[str, Any]) -> str:
        channel = str(params.get("channel") or "")
        if channel[:1] in ("U", "W"):
            return "D" + channel  # posting to a user id lands in the DM with them
        return channel

    def _post_message(self, params: dict[str, Any]) -> dict[str, Any]:
        channel = self._channel_of(params)
        if not channel:
            return {"ok": False, "error": "channel_not_found"}
        if not any(params.get(k) for k in ("text", "blocks", "attachments", "markdown_text")):
            return {"ok": False, "error": "no_text"}
        ts = self._next_ts()
        message = self._store_message(channel, ts, params)
        return {"ok": True, "channel": channel, "ts": ts, "message": message}

    def _update(self, params: dict[str, Any]) -> dict[str, Any]:
        channel = self._channel_of(params)
        ts = str(params.get("ts") or "")
        if not channel:
            return {"ok": False, "error": "channel_not_found"}
        if not ts:
            return {"ok": False, "error": "message_not_found"}
        with self._lock:
            message = self._messages.get((channel, ts))
            if message is not None:
                for key in ("text", "blocks", "attachments", "metadata"):
                    if key in params:
                        message[key] = params[key]
                message = dict(message)
        text = params.get("text", message.get("text", "") if message else "")
        result: dict[str, Any] = {"ok": True, "channel": channel, "ts": ts, "text": text}
        if message is not None:
            result["message"] = message
        return result

    def _delete(self, params: dict[str, Any]) -> dict[str, Any]:
        channel = self._channel_of(params)
        ts = str(params.get("ts") or "")
        with self._lock:
            self._messages.pop((channel, ts), None)
        return {"ok": True, "channel": channel, "ts": ts}

    def _post_ephemeral(self, params: dict[str, Any]) -> dict[str, Any]:
        if not params.get("channel"):
            return {"ok": False, "error": "channel_not_found"}
        if not params.get("user"):
            return {"ok": False, "error": "user_not_in_channel"}
        return {"ok": True, "message_ts": self._next_ts()}

    def _schedule_message(self, params: dict[str, Any]) -> dict[str, Any]:
        channel = self._channel_of(params)
        with self._lock:
            self._ts_counter += 1
            sched_id = f"Q{self._ts_counter:08d}"
        return {
            "ok": True,
            "channel": channel,
            "scheduled_message_id": sched_id,
            "post_at": params.get("post_at"),
            "message": {"type": "message", "text": params.get("text", ""), "bot_id": BOT_ID},
        }

    def _permalink(self, params: dict[str, Any]) -> dict[str, Any]:
        channel = str(params.get("channel") or "C")
        ts = str(params.get("message_ts") or "")
        return {
            "ok": True,
            "channel": channel,
            "permalink": f"https://test.slack.com/archives/{channel}/p{ts.replace('.', '')}",
        }

    def _conversations_open(self, params: dict[str, Any]) -> dict[str, Any]:
        users = params.get("users") or params.get("user") or ""
        if isinstance(users, list):
            users = ",".join(str(u) for u in users)
        ids = [u for u in str(users).split(",") if u]
        if params.get("channel"):
            return {"ok": True, "channel": {"id": str(params["channel"])}}
        if not ids:
            return {"ok": False, "error": "users_list_not_supplied"}
        channel_id = "D" + ids[0] if len(ids) == 1 else "G" + "".join(ids)
        return {"ok": True, "channel": {"id": channel_id}}

    def _conversations_info(self, params: dict[str, Any]) -> dict[str, Any]:
        channel = str(params.get("channel") or "")
        if not channel:
            return {"ok": False, "error": "channel_not_found"}
        return {
            "ok": True,
            "channel": {
                "id": channel,
                "name": channel.lower(),
                "is_channel": channel.startswith("C"),
                "is_im": channel.startswith("D"),
                "is_private": channel.startswith("G"),
                "is_member": True,
            },
        }

    def _history(self, channel: str) -> list[dict[str, Any]]:
        with self._lock:
            found = [dict(m) for (ch, _ts), m in self._messages.items() if ch == channel]
        return sorted(found, key=lambda m: float(m["ts"]), reverse=True)

    def _conversations_history(self, params: dict[str, Any]) -> dict[str, Any]:
        """Top-level messages of a channel, newest first (``oldest`` honoured)."""
        oldest = float(params.get("oldest") or 0)
        messages = [m for m in self._history(self._channel_of(params))
                    if float(m["ts"]) >= oldest
                    and m.get("thread_ts") in (None, m["ts"])]
        return {"ok": True, "messages": messages, "has_more": False}

    def _conversations_replies(self, params: dict[str, Any]) -> dict[str, Any]:
        """A thread: its parent and replies, oldest first."""
        parent = str(params.get("ts") or "")
        messages = [m for m in reversed(self._history(self._channel_of(params)))
                    if m["ts"] == parent or m.get("thread_ts") == parent]
        return {"ok": True, "messages": messages, "has_more": False}

    def _conversations_members(self, params: dict[str, Any]) -> dict[str, Any]:
        with self._lock:
            members = list(self._members.get(str(params.get("channel") or ""), []))
        return {"ok": True, "members": members, "response_metadata": {"next_cursor": ""}}

    def _view(self, params: dict[str, Any], *, view_id: str | None = None) -> dict[str, Any]:
        view = params.get("view")
        result: dict[str, Any] = dict(view) if isinstance(view, dict) else {}
        result["id"] = view_id or self._next_view_id()
        result.setdefault("team_id", TEAM_ID)
        result.setdefault("private_metadata", "")
        result.setdefault("callback_id", "")
        result["hash"] = f"h.{result['id']}"
        if params.get("external_id"):
            result["external_id"] = params["external_id"]
        return {"ok": True, "view": result}

    def _views_open(self, params: dict[str, Any]) -> dict[str, Any]:
        if not params.get("trigger_id") and not params.get("interactivity_pointer"):
            return {"ok": False, "error": "invalid_arguments"}
        return self._view(params)

    def _views_publish(self, params: dict[str, Any]) -> dict[str, Any]:
        if not params.get("user_id"):
            return {"ok": False, "error": "invalid_arguments"}
        return self._view(params)

    def _views_update(self, params: dict[str, Any]) -> dict[str, Any]:
        view_id = params.get("view_id")
        return self._view(params, view_id=str(view_id) if view_id else None)

    def _views_push(self, params: dict[str, Any]) -> dict[str, Any]:
        return self._view(params)

    def _users_info(self, params: dict[str, Any]) -> dict[str, Any]:
        user_id = str(params.get("user") or "")
        if not user_id:
            return {"ok": False, "error": "user_not_found"}
        user: dict[str, Any] = {
            "id": user_id,
            "team_id": TEAM_ID,
            "name": user_id.lower(),
            "real_name": f"User {user_id}",
            "deleted": False,
            "is_bot": user_id == BOT_USER_ID,
            "tz": "Europe/Brussels",
            "tz_label": "Central European Time",
            "tz_offset": 3600,
            "profile": {"real_name": f"User {user_id}", "display_name": user_id.lower()},
        }
        with self._lock:
            user.update(self._users.get(user_id, {}))
        # Slack gives the locale only when asked (``include_locale``); en-US unless set.
        if str(params.get("include_locale", "")).lower() in ("true", "1"):
            user.setdefault("locale", "en-US")
        else:
            user.pop("locale", None)
        return {"ok": True, "user": user}

    def _connections_open(self, params: dict[str, Any]) -> dict[str, Any]:
        return {"ok": False, "error": "not_allowed_token_type"}

    @staticmethod
    def _markdown(params: dict[str, Any]) -> str | None:
        """The Markdown of a ``document_content`` argument; None if it is not one."""
        content = params.get("document_content")
        if not isinstance(content, dict) or content.get("type") != "markdown":
            return None
        markdown = content.get("markdown")
        return markdown if isinstance(markdown, str) else None

    def _canvases_create(self, params: dict[str, Any]) -> dict[str, Any]:
        """A standalone canvas, tabbed in ``channel_id`` when given; ``{"canvas_id": "F…"}``."""
        markdown = self._markdown(params) if "document_content" in params else ""
        if markdown is None:
            return {"ok": False, "error": "invalid_arguments"}
        with self._lock:
            canvas_id = f"F{len(self._canvases) + 1:010d}"
            self._canvases[canvas_id] = {
                "title": str(params.get("title") or ""), "markdown": markdown,
                "channel_id": params.get("channel_id"), "edits": 0}
        return {"ok": True, "canvas_id": canvas_id}

    def _canvases_edit(self, params: dict[str, Any]) -> dict[str, Any]:
        """``changes``: each ``replace`` without a ``section_id`` replaces the whole document;
        ``insert_at_end`` / ``insert_at_start`` add to it."""
        changes = params.get("changes")
        if not isinstance(changes, list) or not changes:
            return {"ok": False, "error": "invalid_arguments"}
        with self._lock:
            canvas = self._canvases.get(str(params.get("canvas_id") or ""))
            if canvas is None:
                return {"ok": False, "error": "canvas_not_found"}
            for change in changes:
                markdown = self._markdown(change) if isinstance(change, dict) else None
                operation = change.get("operation") if isinstance(change, dict) else None
                if markdown is None or operation not in (
                        "replace", "insert_at_end", "insert_at_start"):
                    return {"ok": False, "error": "canvas_editing_failed"}
                if operation == "replace":
                    canvas["markdown"] = markdown
                elif operation == "insert_at_end":
                    canvas["markdown"] += markdown
                else:
                    canvas["markdown"] = markdown + canvas["markdown"]
            canvas["edits"] += 1
        return {"ok": True}

    def _canvases_access_set(self, params: dict[str, Any]) -> dict[str, Any]:
        with self._lock:
            known = str(params.get("canvas_id") or "") in self._canvases
        return {"ok": True} if known else {"ok": False, "error": "canvas_not_found"}


_BUILTIN: dict[str, Callable[[FakeSlack, dict[str, Any]], dict[str, Any]]] = {
    "auth.test": FakeSlack._auth_test,
    "oauth.v2.access": FakeSlack._oauth_v2_access,
    "chat.postMessage": FakeSlack._post_message,
    "chat.update": FakeSlack._update,
    "chat.delete": FakeSlack._delete,
    "chat.postEphemeral": FakeSlack._post_ephemeral,
    "chat.scheduleMessage": FakeSlack._schedule_message,
    "chat.getPermalink": FakeSlack._permalink,
    "conversations.open": FakeSlack._conversations_open,
    "conversations.info": FakeSlack._conversations_info,
    "conversations.members": FakeSlack._conversations_members,
    "conversations.history": FakeSlack._conversations_history,
    "conversations.replies": FakeSlack._conversations_replies,
    "views.open": FakeSlack._views_open,
    "views.publish": FakeSlack._views_publish,
    "views.update": FakeSlack._views_update,
    "views.push": FakeSlack._views_push,
    "users.info": FakeSlack._users_info,
    "apps.connections.open": FakeSlack._connections_open,
    "canvases.create": FakeSlack._canvases_create,
    "canvases.edit": FakeSlack._canvases_edit,
    "canvases.access.set": FakeSlack._canvases_access_set,
}


@pytest.fixture
def fake_slack() -> Iterator[FakeSlack]:
    """A started FakeSlack, closed after the test."""
    fake = FakeSlack().start()
    try:
        yield fake
    finally:
        fake.close()
