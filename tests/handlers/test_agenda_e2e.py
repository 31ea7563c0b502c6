"""End to end: a circulated agenda revised by a signed slash command; Slack sees the
announcement updated in place and the revision posted in its thread."""

from __future__ import annotations

import json

from tests.council import CHAIR, CHANNEL, delegate, seat_council
from tests.e2e import BotServer
from tests.fakeslack import Call


def _posts(calls: list[Call]) -> list[dict[str, object]]:
    return [c.params for c in calls if c.method == "chat.postMessage"]


def _updates(calls: list[Call]) -> list[dict[str, object]]:
    return [c.params for c in calls if c.method == "chat.update"]


def test_a_revision_updates_the_announcement_and_posts_in_its_thread(
        bot_server: BotServer) -> None:
    seat_council(bot_server.runtime)
    bot_server.command("schedule council-amb 2026-12-10 10:00 Monthly meeting", user=CHAIR)
    bot_server.fake.wait_for(lambda calls: len(_posts(calls)) >= 1)
    bot_server.command("agenda M1 add Search and rescue at sea", user=delegate("NO"))
    bot_server.command("agenda M1 add Missile defence", user=delegate("RU"))
    status, ack = bot_server.command("agenda M1 circulate", user=CHAIR)
    assert status == 200 and ack["text"].startswith("Circulated the agenda of M1")
    status, ack = bot_server.command("agenda M1 move 2 1", user=CHAIR)
    assert status == 200 and ack["text"].endswith("and its thread announces revision 2.")
    calls = bot_server.fake.wait_for(lambda calls: any(
        "revision 2" in str(p.get("text")) for p in _posts(calls)) and any(
        "circulated, revision 2" in json.dumps(u.get("blocks")) for u in _updates(calls)))
    revision = next(p for p in _posts(calls) if "revision 2" in str(p.get("text")))
    assert revision["channel"] == CHANNEL
    assert revision["text"] == (
        "Agenda of M1, revision 2: item 2 (“Missile defence”) moved to position 1.")
    assert revision["thread_ts"] is not None
    circulated = next(p for p in _posts(calls) if "is circulated" in str(p.get("text")))
    assert circulated["thread_ts"] == revision["thread_ts"]
    update = [u for u in _updates(calls)
              if "circulated, revision 2" in json.dumps(u.get("blocks"))][-1]
    assert update["channel"] == CHANNEL and update["ts"] == revision["thread_ts"]
    shown = json.dumps(update["blocks"])
    assert shown.index("1. Missile defence") < shown.index("2. Search and rescue at sea")
