"""The database briefly unavailable: a polite "try again", never a 500, and recovery."""

from __future__ import annotations

import json
from collections.abc import Iterator

import pytest
from sqlalchemy.engine import make_url

from bot.runtime import TRY_AGAIN
from bot.transports.web import CouncilApp
from storage.engine import make_engine
from tests.council import ADMIN, CHANNEL, OUTSIDER, Clock, make_runtime, seat_council
from tests.e2e import SECRET, serve_in_thread
from tests.fakeslack import FakeSlack
from tests.pgproxy import PgProxy
from tests.slackreq import post, sign, slash_command

pytestmark = pytest.mark.postgres


@pytest.fixture
def proxy(postgres_url: str) -> Iterator[tuple[PgProxy, str]]:
    url = make_url(postgres_url)
    proxy = PgProxy(url.host or "127.0.0.1", url.port or 5432)
    proxied = url.set(host="127.0.0.1", port=proxy.port).render_as_string(hide_password=False)
    yield proxy, proxied
    proxy.close()


def test_requests_during_an_outage_get_try_again_and_the_bot_recovers(
    postgres_engine: object, proxy: tuple[PgProxy, str], fake_slack: FakeSlack, clock: Clock,
) -> None:
    from tests.conftest import _truncate

    _truncate(postgres_engine)  # type: ignore[arg-type]
    pg, url = proxy
    engine = make_engine(url, connect_args={"connect_timeout": 3})
    runtime = make_runtime(engine, clock, bot_token="xoxb-test", signing_secret=SECRET,
                           api_url=fake_slack.api_url)
    seat_council(runtime)
    http_url, server = serve_in_thread(CouncilApp(runtime))

    def command(text: str, user: str = OUTSIDER) -> tuple[int, str]:
        body = slash_command(text, user_id=user, channel_id=CHANNEL)
        status, _, raw = post(http_url + "/slack/events", body, sign(body, SECRET))
        return status, json.loads(raw).get("text", "") if raw.startswith(b"{") else ""

    try:
        assert command("members")[1] == "Members: The NATO-Russia Council meets at 20."
        pg.cut()
        for text, user in (("members", OUTSIDER), ("delegate add Spain UGARCIA01", ADMIN)):
            status, reply = command(text, user)
            assert status == 200
            assert reply == TRY_AGAIN
        status, _, raw = post(http_url + "/healthz", b"", {})
        assert status == 503 and json.loads(raw)["ok"] is False
        pg.restore()
        # No restart: checkout notices the closed connections and the pool reconnects.
        assert command("members")[1] == "Members: The NATO-Russia Council meets at 20."
        status, reply = command("delegate add Spain UGARCIA01", ADMIN)
        assert reply == "<@UGARCIA01> joins the delegation of Spain as expert."
        fake_slack.wait_for(lambda calls: any(
            c.method == "chat.postMessage" and "UGARCIA01" in str(c.params.get("text"))
            for c in calls))
    finally:
        server.shutdown()
        server.server_close()
        runtime.close()
        engine.dispose()
