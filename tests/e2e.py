"""The bot's real HTTP stack on 127.0.0.1, talking to a fake Slack Web API."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from socketserver import ThreadingMixIn
from typing import Any
from wsgiref.simple_server import WSGIRequestHandler, WSGIServer, make_server

import pytest
from sqlalchemy.engine import Engine

from bot.exchange import export_state
from bot.runtime import Runtime
from bot.transports.web import CouncilApp
from tests.council import ADMIN, CHANNEL, Clock, make_runtime
from tests.fakeslack import FakeSlack
from tests.slackreq import post, sign, slash_command

SECRET = "e2e-signing-secret"


class _ThreadingServer(ThreadingMixIn, WSGIServer):
    daemon_threads = True


class _Quiet(WSGIRequestHandler):
    def log_message(self, format: str, *args: Any) -> None:
        pass


@dataclass
class BotServer:
    url: str
    runtime: Runtime
    fake: FakeSlack

    def send(self, body: bytes, *, timestamp: int | None = None, secret: str = SECRET,
             path: str = "/slack/events") -> tuple[int, dict[str, str], bytes]:
        return post(self.url + path, body, sign(body, secret, timestamp))

    def command(self, text: str, user: str = ADMIN, channel: str = CHANNEL,
                **kwargs: Any) -> tuple[int, dict[str, Any]]:
        """A signed slash command; returns the HTTP status and the JSON acknowledgement."""
        status, _, raw = self.send(
            slash_command(text, user_id=user, channel_id=channel,
                          response_url=self.fake.response_url()), **kwargs)
        try:
            return status, json.loads(raw or b"{}")
        except json.JSONDecodeError:
            return status, {"raw": raw.decode(errors="replace")}


def serve_in_thread(app: CouncilApp) -> tuple[str, _ThreadingServer]:
    server = make_server("127.0.0.1", 0, app, server_class=_ThreadingServer,
                         handler_class=_Quiet)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return f"http://127.0.0.1:{server.server_port}", server  # type: ignore[return-value]


@pytest.fixture
def bot_server(engine: Engine, fake_slack: FakeSlack, clock: Clock) -> Iterator[BotServer]:
    runtime = make_runtime(engine, clock, bot_token="xoxb-test", signing_secret=SECRET,
                           api_url=fake_slack.api_url)
    url, server = serve_in_thread(CouncilApp(runtime))
    yield BotServer(url, runtime, fake_slack)
    server.shutdown()
    server.server_close()
    # Its delivery thread must not outlive the test: the next test's rows reuse the ids.
    runtime.close()


def council_state(engine: Engine) -> str:
    """The council's records as ``export`` writes them, without what the bot keeps of
    each person's Slack language (asked of Slack at their first request, not a change
    of the council's)."""
    data = json.loads(export_state(engine))
    data["tables"].pop("userlanguage", None)
    return json.dumps(data, sort_keys=True)
