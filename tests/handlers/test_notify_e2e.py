"""End to end: a delegate chooses ``notify dm`` by a signed slash command; the poll's
reminder then reaches them by direct message, and the others in the channel, once."""

from __future__ import annotations

import json
from datetime import timedelta

from bot.transports.bolt_app import slack_client
from handlers.slackport import SlackPort
from tests.council import CHANNEL, CODES, Clock, delegate, run, seat_council
from tests.e2e import BotServer
from tests.fakeslack import Call

RU, US, FR = delegate("RU"), delegate("US"), delegate("FR")


def _posts(calls: list[Call]) -> list[dict[str, object]]:
    return [c.params for c in calls if c.method == "chat.postMessage"]


def _reminders(calls: list[Call]) -> list[dict[str, object]]:
    return [p for p in _posts(calls) if "Reminder: P1" in json.dumps(p.get("blocks"))]


def test_a_head_who_chose_dm_is_messaged_once_the_others_mentioned(bot_server: BotServer,
                                                                   clock: Clock) -> None:
    seat_council(bot_server.runtime)
    status, ack = bot_server.command("notify dm", user=RU)
    assert status == 200 and ack["response_type"] == "ephemeral"
    assert str(ack["text"]).startswith("From now on the poll reminders reach you by direct "
                                       "message (`notify dm`) when Russian Federation")
    status, ack = bot_server.command("notify", user=US)
    assert str(ack["text"]).startswith("The poll reminders mention you in the council channel")
    status, ack = bot_server.command("notify sms", user=US)
    assert status == 200 and str(ack["text"]) == (
        '"sms" is not a choice; use dm, channel or off.\nUsage: `/nrc notify [dm|channel|off]`')

    start = clock.now
    assert run(bot_server.runtime, FR, "propose 48h Text").startswith("Opened *P1*")
    for code in CODES[:-2]:
        run(bot_server.runtime, delegate(code), "concur P1")
    clock.now = start + timedelta(hours=24, minutes=1)
    port = SlackPort(slack_client(bot_server.runtime.settings))
    assert bot_server.runtime.tick(clock.now).recorded["polls"] == 2
    bot_server.runtime.deliver(port)
    calls = bot_server.fake.wait_for(lambda calls: len(_reminders(calls)) >= 2)
    channel = [p for p in _reminders(calls) if p["channel"] == CHANNEL]
    direct = [p for p in _reminders(calls) if p["channel"] != CHANNEL]
    assert len(channel) == 1 and len(direct) == 1
    blocks = json.dumps(channel[0]["blocks"])
    assert f"<@{US}>" in blocks and f"<@{RU}>" not in blocks and "Russian Federation" in blocks
    assert "Russian Federation has not taken a position yet" in str(direct[0]["text"])
    assert any(c.method == "conversations.open" and c.params.get("users") == RU for c in calls)

    # The pass again, and delivery again, say nothing twice.
    assert bot_server.runtime.tick(clock.now).recorded["polls"] == 0
    bot_server.runtime.deliver(port)
    assert len(_reminders(bot_server.fake.calls)) == 2
