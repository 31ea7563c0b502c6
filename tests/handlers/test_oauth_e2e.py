"""End to end, OAuth mode: installed through Slack's flow on the real HTTP stack, each
workspace's token from the bot's database, an uninstall holding the council's messages
and a re-install sending them (fake Web API: ``oauth.v2.access``, the events)."""

from __future__ import annotations

import html
import json
import re
import urllib.error
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

import pytest
from sqlalchemy import select
from sqlalchemy.engine import Engine

from bot.runtime import Runtime
from bot.transports.oauth import describe
from bot.transports.web import CouncilApp
from storage import installations as tables
from storage.models import Council, Outbox
from storage.statuses import OutboxStatus
from tests.council import ADMIN, CHANNEL, Clock, make_runtime
from tests.e2e import SECRET, council_state, serve_in_thread
from tests.fakeslack import FakeSlack
from tests.slackreq import app_uninstalled, post, sign, slash_command, tokens_revoked

CLIENT_ID = "1111.2222"
IVANOV = "<@UIVANOV01|ivanov>"
_OPENER = urllib.request.build_opener(urllib.request.ProxyHandler({}))


@dataclass
class OAuthServer:
    url: str
    runtime: Runtime
    fake: FakeSlack
    app: CouncilApp

    def get(self, path: str, cookie: str | None = None) -> tuple[int, dict[str, str], str]:
        request = urllib.request.Request(self.url + path, headers={"Cookie": cookie} if cookie
                                         else {})
        try:
            with _OPENER.open(request, timeout=10) as response:
                return (response.status, {k.lower(): v for k, v in response.headers.items()},
                        response.read().decode())
        except urllib.error.HTTPError as exc:
            return exc.code, {k.lower(): v for k, v in exc.headers.items()}, exc.read().decode()

    def begin(self) -> tuple[str, str]:
        """``/slack/install``: the Add to Slack link's state and the browser's cookie."""
        status, headers, page = self.get("/slack/install")
        assert status == 200
        link = html.unescape(re.search(r'href="(https://slack.com/oauth/v2/authorize[^"]+)"',
                                       page).group(1))  # type: ignore[union-attr]
        assert f"client_id={CLIENT_ID}" in link and "scope=canvases:write,channels:history" in link
        state = re.search(r"[?&]state=([^&]+)", link).group(1)  # type: ignore[union-attr]
        cookie = headers["set-cookie"].split(";")[0]
        assert cookie == f"slack-app-oauth-state={state}"
        return state, cookie

    def install(self, code: str, **offer: Any) -> tuple[int, str]:
        """The whole flow: the link, Slack's approval (``offer``), the redirect back."""
        self.fake.offer_install(code, **offer)
        state, cookie = self.begin()
        status, _, page = self.get(f"/slack/oauth_redirect?code={code}&state={state}", cookie)
        return status, page

    def command(self, text: str, *, team_id: str = "T1", channel: str = CHANNEL,
                **kwargs: Any) -> dict[str, Any]:
        body = slash_command(text, user_id=ADMIN, channel_id=channel, team_id=team_id,
                             response_url=self.fake.response_url(), **kwargs)
        status, _, raw = post(self.url + "/slack/events", body, sign(body, SECRET))
        assert status == 200, raw
        return dict(json.loads(raw or b"{}"))

    def event(self, body: bytes) -> None:
        status, _, raw = post(self.url + "/slack/events", body, sign(body, SECRET))
        assert status == 200, raw

    def posts(self, count: int) -> list[tuple[str | None, str]]:
        """(token, text) of the first ``count`` posts, once there are that many."""
        calls = self.fake.wait_for(lambda calls: len(
            [c for c in calls if c.method == "chat.postMessage"]) >= count)
        return [(c.token, str(c.params["text"])) for c in calls
                if c.method == "chat.postMessage"]


@pytest.fixture
def oauth_server(engine: Engine, fake_slack: FakeSlack, clock: Clock) -> Iterator[OAuthServer]:
    runtime = make_runtime(engine, clock, client_id=CLIENT_ID, client_secret="s3cret",
                           signing_secret=SECRET, api_url=fake_slack.api_url)
    assert runtime.settings.oauth and runtime.settings.mode == "serve"
    app = CouncilApp(runtime)
    url, server = serve_in_thread(app)
    yield OAuthServer(url, runtime, fake_slack, app)
    server.shutdown()
    server.server_close()
    runtime.close()


def _bots(engine: Engine) -> list[dict[str, Any]]:
    with engine.connect() as connection:
        return [dict(row) for row in connection.execute(
            select(tables.BOTS).order_by(tables.BOTS.c.installed_at)).mappings()]


def _council(engine: Engine) -> Council:
    with engine.connect() as connection:
        row = connection.execute(select(Council.__table__)).mappings().one()  # type: ignore[attr-defined]
    return Council(**row)


def test_installed_through_the_flow_the_council_speaks_with_its_workspace_token(
        oauth_server: OAuthServer) -> None:
    status, page = oauth_server.install("code-1", team_id="T1", team_name="NRC",
                                        scopes=["commands", "chat:write"])
    assert status == 200 and "Thank you!" in page
    (access,) = oauth_server.fake.calls_to("oauth.v2.access")
    assert access.params["code"] == "code-1"
    (bot,) = _bots(oauth_server.runtime.engine)
    assert (bot["team_id"], bot["bot_token"], bot["bot_scopes"], bot["client_id"]) == (
        "T1", "xoxb-T1-1", "commands,chat:write", CLIENT_ID)

    ack = oauth_server.command("setup")
    assert ack["text"] == f"Bound <#{CHANNEL}> as the council channel."
    oauth_server.command(f"delegate add Russia {IVANOV} head")
    posts = oauth_server.posts(2)
    assert [token for token, _ in posts] == ["xoxb-T1-1", "xoxb-T1-1"]
    assert posts[1][1] == ("<@UIVANOV01> joins the delegation of Russian Federation as head "
                           "of delegation.")
    council = _council(oauth_server.runtime.engine)
    assert (council.team_id, council.enterprise_id, council.held_since) == ("T1", None, None)

    # Installed again with one more scope: the new token and scopes answer from now on.
    status, _ = oauth_server.install("code-2", team_id="T1", team_name="NRC",
                                     scopes=["commands", "chat:write", "canvases:write"])
    assert status == 200
    latest = _bots(oauth_server.runtime.engine)[-1]
    assert (latest["bot_token"], latest["bot_scopes"]) == (
        "xoxb-T1-2", "commands,chat:write,canvases:write")
    oauth_server.command("delegate add France <@UDUPONT01|dupont> head")
    assert oauth_server.posts(3)[2][0] == "xoxb-T1-2"


def test_an_organisation_wide_install_serves_a_council_in_any_of_its_workspaces(
        oauth_server: OAuthServer) -> None:
    status, _ = oauth_server.install("code-e", team_id=None, enterprise_id="E1",
                                     enterprise_name="Alliance")
    assert status == 200
    (bot,) = _bots(oauth_server.runtime.engine)
    assert (bot["enterprise_id"], bot["team_id"], bot["is_enterprise_install"]) == (
        "E1", None, True)
    ack = oauth_server.command("setup", team_id="T7", enterprise_id="E1",
                                 is_enterprise_install=True)
    assert ack["text"] == f"Bound <#{CHANNEL}> as the council channel."
    assert oauth_server.posts(1)[0][0] == "xoxb-E1-1"
    council = _council(oauth_server.runtime.engine)
    assert (council.team_id, council.enterprise_id) == ("T7", "E1")


def test_uninstalled_the_councils_messages_wait_and_a_reinstall_sends_them(
        oauth_server: OAuthServer) -> None:
    runtime, fake = oauth_server.runtime, oauth_server.fake
    oauth_server.install("code-1", team_id="T1", team_name="NRC")
    oauth_server.command("setup")
    oauth_server.posts(1)

    fake.revoke("xoxb-T1-1")
    oauth_server.event(app_uninstalled(event_id="Ev1", team_id="T1"))
    assert _bots(runtime.engine) == []
    held = _council(runtime.engine).held_since
    assert held == runtime.clock()
    # The council goes on (its records are kept); what it says waits, unclaimed.
    reply = runtime.run_command(ADMIN, CHANNEL, f"delegate add Russia {IVANOV} head")
    assert "Russian Federation" in reply.text
    for minutes in (0, 1, 30):
        report = runtime.deliver(oauth_server.app.port, runtime.clock() + timedelta(minutes=minutes))
        assert (report.sent, report.deferred, report.retried, report.failed) == (0, 0, 0, 0)
    with runtime.engine.connect() as connection:
        waiting = connection.execute(select(Outbox.status, Outbox.attempts)  # type: ignore[call-overload]
                                     .where(Outbox.status != OutboxStatus.SENT)).all()
    assert [tuple(row) for row in waiting] == [(OutboxStatus.PENDING, 0)]
    assert len(fake.calls_to("chat.postMessage")) == 1

    assert describe(runtime.engine, CLIENT_ID) == [
        "T1: uninstalled, messages held since 2026-12-01 09:00 UTC\n"
        "  council nrc (NATO-Russia Council), 1 message waiting"]

    status, _ = oauth_server.install("code-2", team_id="T1", team_name="NRC")
    assert status == 200 and _council(runtime.engine).held_since is None
    report = runtime.deliver(oauth_server.app.port)
    assert report.sent == 1
    token, text = oauth_server.posts(2)[1]
    assert token == "xoxb-T1-2" and "joins the delegation of Russian Federation" in text


def test_a_revoked_bot_token_holds_delivery_as_an_uninstall_does(
        oauth_server: OAuthServer) -> None:
    oauth_server.install("code-1", team_id="T1")
    oauth_server.command("setup")
    oauth_server.posts(1)
    oauth_server.event(tokens_revoked(event_id="Ev2", oauth=["UINSTALLER"]))
    assert _council(oauth_server.runtime.engine).held_since is None  # a person's token only
    oauth_server.event(tokens_revoked(event_id="Ev3", bot=["UBOT"]))
    assert _council(oauth_server.runtime.engine).held_since is not None
    assert _bots(oauth_server.runtime.engine) == []


def test_a_wrong_or_expired_state_is_refused(oauth_server: OAuthServer, clock: Clock) -> None:
    oauth_server.fake.offer_install("code-1")
    state, cookie = oauth_server.begin()
    status, _, page = oauth_server.get(
        "/slack/oauth_redirect?code=code-1&state=forged", "slack-app-oauth-state=forged")
    assert status == 401 and "invalid_state: The state parameter is no longer valid." in page
    status, _, page = oauth_server.get(f"/slack/oauth_redirect?code=code-1&state={state}")
    assert status == 400 and "invalid_browser" in page  # not the browser that began
    clock.now += timedelta(minutes=11)  # a state is good for ten minutes
    status, _, page = oauth_server.get(f"/slack/oauth_redirect?code=code-1&state={state}", cookie)
    assert status == 401 and "invalid_state" in page
    assert oauth_server.fake.calls_to("oauth.v2.access") == []
    assert _bots(oauth_server.runtime.engine) == []


def test_a_team_with_no_installation_is_answered_privately_and_nothing_changes(
        oauth_server: OAuthServer) -> None:
    """"A request signed correctly but for a team with no installation gets a clear
    private answer and changes nothing" (issue 16)."""
    before = council_state(oauth_server.runtime.engine)
    assert oauth_server.command("setup", team_id="T9") == {}  # acknowledged, nothing shown
    oauth_server.fake.wait_for(lambda calls: oauth_server.fake.responded())
    (answer,) = oauth_server.fake.responded()
    assert answer["text"] == ("nrc-bot is not installed in this workspace, so nothing was "
                              "done. An administrator of the workspace can install it from "
                              "/slack/install.")
    assert answer.get("response_type", "ephemeral") == "ephemeral"
    assert council_state(oauth_server.runtime.engine) == before
    assert oauth_server.fake.calls_to("chat.postMessage") == []
