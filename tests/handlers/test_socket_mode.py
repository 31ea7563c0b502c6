"""End to end over Socket Mode: the real handler, a fake Socket Mode server, a fake Web API."""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any
from urllib.parse import parse_qsl

import pytest
from slack_bolt.adapter.socket_mode import SocketModeHandler
from sqlalchemy.engine import Engine

from bot.runtime import Runtime
from bot.transports.socket_mode import build_handler
from tests.council import ADMIN, CHANNEL, OUTSIDER, Clock, make_runtime, seat_council
from tests.fakeslack import Call, FakeSlack
from tests.fakesocket import FakeSocketMode
from tests.slackreq import slash_command

APP_TOKEN = "xapp-test"
BOT_TOKEN = "xoxb-test"
WAIT = 15.0  # generous bounds for busy CI machines; a passing run takes well under a second


@dataclass
class SocketBot:
    runtime: Runtime
    handler: SocketModeHandler
    server: FakeSocketMode
    fake: FakeSlack

    def command(self, text: str, user: str, channel: str = CHANNEL) -> dict[str, Any]:
        """Push a ``/nrc`` slash command envelope; return the client's ack."""
        payload = dict(parse_qsl(slash_command(
            text, user_id=user, channel_id=channel,
            response_url=self.fake.response_url()).decode("utf-8")))
        envelope_id = self.server.send_envelope("slash_commands", payload, timeout=WAIT)
        return self.server.wait_for_ack(envelope_id, timeout=WAIT)


@pytest.fixture
def socket_bot(engine: Engine, fake_slack: FakeSlack, clock: Clock) -> Iterator[SocketBot]:
    runtime = make_runtime(engine, clock, bot_token=BOT_TOKEN, app_token=APP_TOKEN,
                           api_url=fake_slack.api_url)
    with FakeSocketMode() as server:
        fake_slack.respond_with("apps.connections.open", server.connections_open)
        handler = build_handler(runtime)
        try:
            handler.connect()  # the client's own threads serve; start() would block here
            server.wait_for_connection(timeout=WAIT)
            assert handler.client.is_connected()
            yield SocketBot(runtime, handler, server, fake_slack)
        finally:
            close_handler(handler, server)
            runtime.close()


def until(condition: Callable[[], bool], server: FakeSocketMode, timeout: float = WAIT) -> None:
    """Wait for ``condition``, pinging the client meanwhile.

    slack_sdk's builtin client closes or replaces a connection only once its receiver lets go
    of the socket, which it does when data arrives or after 3 seconds: the pings make it prompt.
    """
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, f"not done within {timeout}s"
        server.ping()
        time.sleep(0.05)  # poll interval of a bounded wait


def close_handler(handler: SocketModeHandler, server: FakeSocketMode) -> None:
    closer = threading.Thread(target=handler.close, name="close-handler", daemon=True)
    closer.start()
    until(lambda: not closer.is_alive(), server)


def _posts_of(text: str, calls: list[Call]) -> list[Call]:
    return [c for c in calls
            if c.method == "chat.postMessage" and not c.failed and c.params.get("text") == text]


def test_slash_commands_are_served_over_socket_mode(socket_bot: SocketBot) -> None:
    fake, server = socket_bot.fake, socket_bot.server

    # The WebSocket URL came from apps.connections.open on SLACK_API_URL, with the app token.
    opens = fake.calls_to("apps.connections.open")
    assert len(opens) == 1
    assert {k.lower(): v for k, v in opens[0].headers.items()}["authorization"] == (
        f"Bearer {APP_TOKEN}")
    assert server.connection_count == 1 and server.refused == []

    # /nrc help from an outsider: the ack carries the ephemeral reply.
    ack = socket_bot.command("help", user=OUTSIDER)
    assert set(ack) == {"envelope_id", "payload"}
    reply = ack["payload"]
    assert reply["response_type"] == "ephemeral"
    assert reply["blocks"][0] == {"type": "header",
                                  "text": {"type": "plain_text", "text": "Commands",
                                           "emoji": True}}
    assert "/nrc polls" in json.dumps(
        reply["blocks"])

    # An admin adds a delegate: the ack says so, and the channel hears it through the Web API.
    seat_council(socket_bot.runtime)
    ack = socket_bot.command("delegate add Spain UGARCIA01 expert", user=ADMIN)
    announcement = "<@UGARCIA01> joins the delegation of Spain as expert."
    assert ack["payload"]["response_type"] == "ephemeral"
    assert ack["payload"]["text"] == announcement
    # (The help command's own outbox pass runs after its ack and may still catch the seating
    # announcements before seat_council marks them sent: look for this announcement only.)
    calls = fake.wait_for(lambda calls: _posts_of(announcement, calls), timeout=WAIT)
    (post,) = _posts_of(announcement, calls)
    assert post.params["channel"] == CHANNEL
    assert post.token == BOT_TOKEN  # the app token only opens the socket

    # Each envelope was acknowledged exactly once; nothing went to the response URL.
    assert len([r for r in server.received if "envelope_id" in r.message]) == 2
    assert fake.calls_to("response_url") == []


def test_a_disconnect_notice_moves_the_bot_to_a_new_connection(socket_bot: SocketBot) -> None:
    server, fake = socket_bot.server, socket_bot.fake
    first = socket_bot.handler.client.session_id()
    server.send_disconnect()
    server.wait_for_connection(count=2, timeout=WAIT)
    until(lambda: socket_bot.handler.client.session_id() != first, server)
    assert socket_bot.handler.client.is_connected()
    until(lambda: server.open_connections == 1, server)
    assert [c.token for c in fake.calls_to("apps.connections.open")] == [APP_TOKEN, APP_TOKEN]

    ack = socket_bot.command("help", user=OUTSIDER)
    assert ack["payload"]["response_type"] == "ephemeral"
    assert [r.connection for r in server.received if "envelope_id" in r.message] == [2]
