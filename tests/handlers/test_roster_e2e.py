"""End to end: the roster's changes through signed requests, as the fake Slack records them."""

from __future__ import annotations

from tests.council import ADMIN, CHAIR, CHANNEL, delegate, seat_council
from tests.e2e import BotServer
from tests.fakeslack import Call

RU = delegate("RU")


def _posts(calls: list[Call]) -> list[dict[str, object]]:
    return [c.params for c in calls if c.method == "chat.postMessage"]


def test_a_new_head_is_announced_with_the_old_one_now_deputy(bot_server: BotServer) -> None:
    seat_council(bot_server.runtime)
    status, ack = bot_server.command("delegate add Russia UKOZLOV01 head", user=ADMIN)
    said = ("<@UKOZLOV01> joins the delegation of Russian Federation as head of delegation; "
            f"<@{RU}>, its head until now, is now deputy head of delegation.")
    assert status == 200 and ack["text"] == said
    calls = bot_server.fake.wait_for(lambda calls: any(p["text"] == said
                                                       for p in _posts(calls)))
    announcement = next(p for p in _posts(calls) if p["text"] == said)
    assert announcement["channel"] == CHANNEL


def test_removing_the_last_delegate_tells_the_channel_and_the_chair(bot_server: BotServer) -> None:
    seat_council(bot_server.runtime)
    status, ack = bot_server.command("propose 48h Joint statement on search and rescue",
                                     user=delegate("FR"))
    assert status == 200 and ack["text"].startswith("Opened *P1*")
    status, ack = bot_server.command(f"delegate remove <@{RU}>", user=ADMIN)
    assert status == 200 and ack["text"] == (
        f"<@{RU}> leaves the delegation of Russian Federation. Russian Federation now has no "
        "delegate: nobody can take its position on 1 open poll, P1. "
        "The Secretary General is told.")
    dm_text = (f"Russian Federation has no delegate any more: <@{ADMIN}> removed <@{RU}>, its "
               "last. Nobody can take its position on 1 open poll: P1. "
               "`/nrc delegate add Russian Federation <user> head` seats one (secretariat).")
    left = (f"<@{RU}> leaves the delegation of Russian Federation. "
            "Russian Federation now has no delegate.")
    # The announcement and the DM are delivered separately: wait for both.
    calls = bot_server.fake.wait_for(lambda calls: {dm_text, left} <= {
        str(p["text"]) for p in _posts(calls)})
    assert any(c.method == "conversations.open" and c.params.get("users") == CHAIR
               for c in calls)
    direct = next(p for p in _posts(calls) if p["text"] == dm_text)
    assert direct["channel"] != CHANNEL
    channel = [p["text"] for p in _posts(calls) if p["channel"] == CHANNEL]
    assert left in channel
