"""A fake Slack Socket Mode server for tests.

``FakeSocketMode`` is a websocket server on 127.0.0.1 (OS-chosen port) that speaks to a Socket
Mode client the way Slack's ``wss-primary.slack.com/link/`` endpoint does:

- ``apps.connections.open`` hands out a one-time ``ws://…/link/?ticket=…`` URL: make the fake
  Web API answer with :meth:`FakeSocketMode.connections_open`; a connection with a ticket that
  was never issued is refused with HTTP 401, as Slack refuses a stale ticket;
- on connect it sends ``{"type": "hello", …}``; websocket pings are answered (and sent every
  20 seconds) by the ``websockets`` library, like Slack does;
- :meth:`FakeSocketMode.send_envelope` pushes ``slash_commands``, ``interactive`` and
  ``events_api`` envelopes to the newest connection;
- every text message the client sends back (acks: ``{"envelope_id", "payload"?}``) is recorded,
  and :meth:`FakeSocketMode.wait_for_ack` waits for one;
- :meth:`FakeSocketMode.send_disconnect` sends Slack's ``disconnect`` message (the client is
  expected to open a new connection).

The server runs in a daemon thread with its own event loop. Usage::

    with FakeSocketMode() as server:
        fake_slack.respond_with("apps.connections.open", server.connections_open)
        handler.connect()
        envelope_id = server.send_envelope("slash_commands", {...})
        ack = server.wait_for_ack(envelope_id)

Needs ``websockets`` 13 or later (its ``websockets.asyncio`` implementation).
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import threading
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from http import HTTPStatus
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest
from websockets.asyncio.server import ServerConnection, serve
from websockets.exceptions import ConnectionClosed
from websockets.http11 import Request, Response

__all__ = ["FakeSocketMode", "Received", "fake_socket_mode"]

APP_ID = "A1"
HOST = "applink-fake-1"

# What Slack puts in ``accepts_response_payload`` for each envelope type.
_ACCEPTS_RESPONSE_PAYLOAD = {"slash_commands": True, "interactive": True, "events_api": False}


@dataclass(frozen=True)
class Received:
    """One text message from the client: ``message`` is its decoded JSON (``{}`` if none)."""

    message: dict[str, Any]
    raw: str
    at: float
    connection: int  # 1 for the first connection, 2 for the next, ...


class FakeSocketMode:
    """A fake Socket Mode websocket server on 127.0.0.1. See the module docstring."""

    def __init__(self, *, app_id: str = APP_ID, path: str = "/link/") -> None:
        self.app_id = app_id
        self.path = path
        self._cond = threading.Condition()
        self._tickets: set[str] = set()
        self._refused: list[str] = []
        self._connections: list[tuple[int, ServerConnection]] = []  # open ones, in order
        self._connection_count = 0
        self._received: list[Received] = []
        self._sent: list[dict[str, Any]] = []
        self._loop: asyncio.AbstractEventLoop | None = None
        self._stop: asyncio.Event | None = None
        self._thread: threading.Thread | None = None
        self._ready = threading.Event()
        self._error: BaseException | None = None
        self._port: int | None = None

    # ------------------------------------------------------------------ lifecycle

    def start(self, timeout: float = 5.0) -> FakeSocketMode:
        """Bind to an OS-chosen port and serve in a daemon thread. Idempotent."""
        if self._thread is not None:
            return self
        self._ready.clear()
        self._error = None
        self._thread = threading.Thread(target=self._run, name="FakeSocketMode", daemon=True)
        self._thread.start()
        if not self._ready.wait(timeout):
            raise RuntimeError("FakeSocketMode did not start in time")
        if self._error is not None:
            self._thread.join(timeout)
            self._thread = None
            raise RuntimeError("FakeSocketMode failed to start") from self._error
        return self

    def close(self, timeout: float = 5.0) -> None:
        """Close every connection (code 1001, as a restarting server does) and stop serving."""
        thread, loop, stop = self._thread, self._loop, self._stop
        if thread is None:
            return
        if loop is not None and stop is not None and not loop.is_closed():
            with contextlib.suppress(RuntimeError):  # the loop already ended
                loop.call_soon_threadsafe(stop.set)
        thread.join(timeout)
        self._thread = None
        self._loop = None
        self._stop = None
        self._port = None

    def __enter__(self) -> FakeSocketMode:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.close()

    def _run(self) -> None:
        try:
            asyncio.run(self._main())
        except BaseException as exc:  # reported by start() when it happens at start-up
            self._error = exc
            self._ready.set()

    async def _main(self) -> None:
        self._loop = asyncio.get_running_loop()
        self._stop = asyncio.Event()
        async with serve(self._serve_connection, "127.0.0.1", 0,
                         process_request=self._check_ticket, close_timeout=1) as server:
            self._port = int(next(iter(server.sockets)).getsockname()[1])
            self._ready.set()
            await self._stop.wait()

    # ------------------------------------------------------------------ addresses

    @property
    def port(self) -> int:
        if self._port is None:
            raise RuntimeError("FakeSocketMode is not started")
        return self._port

    def issue_url(self) -> str:
        """A new one-time websocket URL, as ``apps.connections.open`` returns it."""
        ticket = uuid.uuid4().hex
        with self._cond:
            self._tickets.add(ticket)
        return f"ws://127.0.0.1:{self.port}{self.path}?ticket={ticket}&app_id={self.app_id}"

    def connections_open(self, params: dict[str, Any]) -> dict[str, Any]:
        """An ``apps.connections.open`` answer, for ``FakeSlack.respond_with``."""
        return {"ok": True, "url": self.issue_url()}

    # ------------------------------------------------------------------ server side

    def _check_ticket(self, connection: ServerConnection, request: Request) -> Response | None:
        url = urlsplit(request.path)
        ticket = (parse_qs(url.query).get("ticket") or [""])[0]
        with self._cond:
            valid = url.path == self.path and ticket in self._tickets
            if valid:
                self._tickets.discard(ticket)  # one connection per ticket
            else:
                self._refused.append(request.path)
                self._cond.notify_all()
        if valid:
            return None
        return connection.respond(HTTPStatus.UNAUTHORIZED, "invalid ticket\n")

    async def _serve_connection(self, ws: ServerConnection) -> None:
        with self._cond:
            self._connection_count += 1
            number = self._connection_count
            num_connections = len(self._connections) + 1
        await ws.send(json.dumps({
            "type": "hello",
            "num_connections": num_connections,
            "debug_info": {"host": HOST, "build_number": 1,
                           "approximate_connection_time": 18060},
            "connection_info": {"app_id": self.app_id},
        }))
        with self._cond:
            self._connections.append((number, ws))
            self._cond.notify_all()
        try:
            async for data in ws:
                raw = data if isinstance(data, str) else data.decode("utf-8", "replace")
                try:
                    decoded = json.loads(raw)
                except ValueError:
                    decoded = None
                message = decoded if isinstance(decoded, dict) else {}
                with self._cond:
                    self._received.append(Received(message, raw, time.time(), number))
                    self._cond.notify_all()
        except ConnectionClosed:
            pass
        finally:
            with self._cond:
                self._connections = [(n, c) for n, c in self._connections if c is not ws]
                self._cond.notify_all()

    # ------------------------------------------------------------------ pushing to the client

    def wait_for_connection(self, count: int = 1, timeout: float = 5.0) -> None:
        """Wait until ``count`` connections in all have been greeted with ``hello``."""
        with self._cond:
            if not self._cond.wait_for(
                lambda: self._connection_count >= count and bool(self._connections),
                timeout,
            ):
                raise AssertionError(
                    f"no Socket Mode connection #{count} within {timeout}s "
                    f"(connections so far: {self._connection_count}, refused: {self._refused})")

    def _send(self, message: dict[str, Any], timeout: float) -> int:
        """Send ``message`` on the newest open connection; return that connection's number."""
        self.wait_for_connection(timeout=timeout)
        loop = self._loop
        if loop is None:
            raise RuntimeError("FakeSocketMode is not started")
        with self._cond:
            number, ws = self._connections[-1]
            self._sent.append(message)
        asyncio.run_coroutine_threadsafe(ws.send(json.dumps(message)), loop).result(timeout)
        return number

    def send_envelope(self, type: str, payload: dict[str, Any], envelope_id: str | None = None,
                      *, accepts_response_payload: bool | None = None,
                      retry_attempt: int | None = None, retry_reason: str | None = None,
                      timeout: float = 5.0) -> str:
        """Push an envelope (``slash_commands``, ``interactive``, ``events_api``); return its id.

        ``accepts_response_payload`` defaults to what Slack sends for the type: true for slash
        commands and interactivity, false for events (which also carry ``retry_attempt`` and
        ``retry_reason``, 0 and "" unless given).
        """
        envelope_id = envelope_id or str(uuid.uuid4())
        accepts = (_ACCEPTS_RESPONSE_PAYLOAD.get(type, True)
                   if accepts_response_payload is None else accepts_response_payload)
        envelope: dict[str, Any] = {
            "envelope_id": envelope_id,
            "type": type,
            "payload": payload,
            "accepts_response_payload": accepts,
        }
        if type == "events_api" or retry_attempt is not None or retry_reason is not None:
            envelope["retry_attempt"] = retry_attempt or 0
            envelope["retry_reason"] = retry_reason or ""
        self._send(envelope, timeout)
        return envelope_id

    def ping(self, timeout: float = 5.0) -> int:
        """Send a websocket ping on every open connection; return how many were pinged.

        Slack pings too. slack_sdk's builtin client holds its receive lock while it waits
        (up to 3 seconds) for data, and closing or replacing a connection waits for that
        lock: a ping wakes it at once.
        """
        loop = self._loop
        if loop is None or loop.is_closed():
            return 0
        with self._cond:
            connections = [ws for _, ws in self._connections]

        async def _ping_all() -> None:
            for ws in connections:
                with contextlib.suppress(ConnectionClosed):
                    await ws.ping()

        asyncio.run_coroutine_threadsafe(_ping_all(), loop).result(timeout)
        return len(connections)

    def send_disconnect(self, reason: str = "warning", timeout: float = 5.0) -> None:
        """Slack's notice that the connection will soon be closed: the client should reconnect."""
        self._send({"type": "disconnect", "reason": reason, "debug_info": {"host": HOST}},
                   timeout)

    # ------------------------------------------------------------------ inspection

    @property
    def received(self) -> list[Received]:
        """A snapshot of every text message the client sent, in arrival order."""
        with self._cond:
            return list(self._received)

    @property
    def sent(self) -> list[dict[str, Any]]:
        """A snapshot of every message pushed with send_envelope / send_disconnect."""
        with self._cond:
            return list(self._sent)

    @property
    def connection_count(self) -> int:
        """How many connections were accepted (and greeted) so far."""
        with self._cond:
            return self._connection_count

    @property
    def open_connections(self) -> int:
        with self._cond:
            return len(self._connections)

    @property
    def refused(self) -> list[str]:
        """Request paths of connections refused for a bad ticket or path."""
        with self._cond:
            return list(self._refused)

    def acks(self, envelope_id: str) -> list[dict[str, Any]]:
        """Every message the client sent for ``envelope_id``."""
        return [r.message for r in self.received if r.message.get("envelope_id") == envelope_id]

    def wait_for_ack(self, envelope_id: str, timeout: float = 5.0) -> dict[str, Any]:
        """Wait for the client's acknowledgement of ``envelope_id`` and return it.

        Raises AssertionError listing what the client did send after ``timeout`` seconds.
        """
        def first() -> dict[str, Any] | None:
            for r in self._received:
                if r.message.get("envelope_id") == envelope_id:
                    return r.message
            return None

        with self._cond:
            if self._cond.wait_for(lambda: first() is not None, timeout):
                ack = first()
                assert ack is not None
                return ack
            raws = [r.raw[:200] for r in self._received]
        raise AssertionError(f"no ack for envelope {envelope_id} within {timeout}s; "
                             f"received: {raws}")


@pytest.fixture
def fake_socket_mode() -> Iterator[FakeSocketMode]:
    """A started FakeSocketMode, closed after the test."""
    server = FakeSocketMode().start()
    try:
        yield server
    finally:
        server.close()
