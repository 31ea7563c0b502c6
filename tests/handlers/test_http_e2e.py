"""End to end: signed Slack requests to the real HTTP stack, posts seen in a fake Slack."""

from __future__ import annotations

import json
import time

from bot.runtime import SOMETHING_WENT_WRONG
from tests.council import ADMIN, CHANNEL, OUTSIDER, seat_council
from tests.e2e import BotServer, council_state
from tests.slackreq import post, sign, slash_command, url_verification


def _text(ack: dict[str, object]) -> str:
    return str(ack.get("text", ""))


def test_help_is_an_ephemeral_reply_with_blocks(bot_server: BotServer) -> None:
    status, ack = bot_server.command("help", user=OUTSIDER)
    assert status == 200
    assert ack["response_type"] == "ephemeral"
    assert ack["blocks"][0] == {"type": "header",
                                "text": {"type": "plain_text", "text": "Commands", "emoji": True}}
    listing = json.dumps(ack["blocks"])
    assert "/nrc members" in listing and "Also for delegations, the Chair and the secretariat: " \
        "propose, statement joint, concur" in listing  # what an outsider may not do, on one line


def test_setup_and_delegates_are_announced_in_the_channel(bot_server: BotServer) -> None:
    status, ack = bot_server.command("setup")
    assert status == 200 and _text(ack) == f"Bound <#{CHANNEL}> as the council channel."
    bot_server.command("delegate add Russia <@UIVANOV01|ivanov> head")
    calls = bot_server.fake.wait_for(lambda calls: len(
        [c for c in calls if c.method == "chat.postMessage"]) >= 2)
    posts = [c.params for c in calls if c.method == "chat.postMessage"]
    assert [p["channel"] for p in posts] == [CHANNEL, CHANNEL]
    assert "now the channel of the" in posts[0]["text"]
    assert posts[1]["text"] == (
        "<@UIVANOV01> joins the delegation of Russian Federation as head of delegation.")
    assert posts[1]["blocks"][0]["text"]["text"] == posts[1]["text"]
    time.sleep(0.2)  # nothing else arrives: each announcement is posted once
    assert len(bot_server.fake.calls_to("chat.postMessage")) == 2


def test_members_lists_the_twenty(bot_server: BotServer) -> None:
    seat_council(bot_server.runtime)
    status, ack = bot_server.command("members", user=OUTSIDER)
    assert status == 200
    listing = ack["blocks"][2]["text"]["text"]
    assert len(listing.splitlines()) == 20 and "*Russian Federation* (RU)" in listing


def test_bad_input_is_a_clear_ephemeral_error_and_changes_nothing(bot_server: BotServer) -> None:
    seat_council(bot_server.runtime)
    before = council_state(bot_server.runtime.engine)
    for line in ["", "frobnicate", "delegate add", "delegate add Narnia UABCDEF12",
                 "delegate add " + "é" * 10_000, "chair \u202e\u0000\U0001f600",
                 "delegate remove <@UNOBODY01|nobody>", "setup extra words"]:
        status, ack = bot_server.command(line, user=ADMIN if line else OUTSIDER)
        assert status == 200, line
        assert ack["response_type"] == "ephemeral"
        text = _text(ack)
        assert text and "Traceback" not in text and SOMETHING_WENT_WRONG not in text, (line, text)
    status, ack = bot_server.command("delegate add Narnia UABCDEF12")
    assert _text(ack) == ('No member matches "Narnia".\n'
                          "Usage: `/nrc delegate add <member> <user> [head|deputy|milrep|expert]`")
    assert council_state(bot_server.runtime.engine) == before


def test_forged_and_stale_requests_are_refused(bot_server: BotServer) -> None:
    status, _ = bot_server.command("setup", secret="not-the-secret")
    assert status == 401
    status, _ = bot_server.command("setup", timestamp=int(time.time()) - 6 * 60)
    assert status == 401
    body = slash_command("setup", user_id=ADMIN, channel_id=CHANNEL)
    status, _, _ = post(bot_server.url + "/slack/events", body, {})  # unsigned
    assert status == 401
    status, _ = bot_server.command("setup", timestamp=int(time.time()) - 4 * 60)
    assert status == 200  # within Slack's five minutes
    assert len(bot_server.fake.calls_to("chat.postMessage")) <= 1


def test_oversized_bodies_are_refused(bot_server: BotServer) -> None:
    body = slash_command("help " + "x" * (1024 * 1024 + 10), user_id=ADMIN)
    status, _, _ = post(bot_server.url + "/slack/events", body, sign(body, "e2e-signing-secret"))
    assert status == 413


def test_url_verification_and_health(bot_server: BotServer) -> None:
    status, _, raw = bot_server.send(url_verification("abc123"))
    assert status == 200 and b"abc123" in raw
    status, _, raw = post(bot_server.url + "/healthz", b"", {})
    assert status == 200 and json.loads(raw) == {"ok": True, "database": "up"}
    status, _, _ = post(bot_server.url + "/nowhere", b"", {})
    assert status == 404
