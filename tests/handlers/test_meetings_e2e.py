"""End to end: a meeting scheduled by a signed request, announced, then recalled once."""

from __future__ import annotations

import json
from datetime import UTC, datetime

from bot.transports.bolt_app import slack_client
from handlers.slackport import SlackPort
from tests.council import CHAIR, CHANNEL, Clock, delegate, seat_council
from tests.e2e import BotServer
from tests.fakeslack import Call

STAMP = int(datetime(2026, 12, 10, 9, 0, tzinfo=UTC).timestamp())
WHEN = f"<!date^{STAMP}^{{date_short_pretty}} {{time}}|Thu 10 Dec 2026, 10:00 CET>"


def _posts(calls: list[Call]) -> list[dict[str, object]]:
    return [c.params for c in calls if c.method == "chat.postMessage"]


def test_schedule_announce_tick_and_remind_once(bot_server: BotServer, clock: Clock) -> None:
    seat_council(bot_server.runtime)
    status, ack = bot_server.command("schedule council-amb 2026-12-10 10:00 Monthly meeting",
                                     user=CHAIR)
    assert status == 200 and ack["response_type"] == "ephemeral"
    assert ack["text"] == (f"Scheduled M1 (Council, Ambassadors) for {WHEN} "
                           "and announced it in the channel.")
    calls = bot_server.fake.wait_for(lambda calls: len(_posts(calls)) >= 1)
    announcement = _posts(calls)[0]
    assert announcement["channel"] == CHANNEL
    blocks = announcement["blocks"]
    assert isinstance(blocks, list)
    assert blocks[0] == {"type": "header", "text": {"type": "plain_text",
                                                    "text": "Meeting M1: Monthly meeting",
                                                    "emoji": True}}
    assert blocks[1]["text"]["text"] == f"*Council, Ambassadors* meets {WHEN}."
    fields = [f["text"] for f in blocks[2]["fields"]]
    assert fields == ["*Body*\nCouncil, Ambassadors", f"*When*\n{WHEN}", "*Meeting*\nM1"]
    assert blocks[3]["text"]["text"].startswith("*Agenda*\n_No items yet._")

    # An agenda item from a delegation updates the announcement in place.
    status, ack = bot_server.command("agenda M1 add Search and rescue at sea",
                                     user=delegate("NO"))
    assert status == 200 and ack["text"].startswith("Added item 1 to the agenda of M1")
    calls = bot_server.fake.wait_for(
        lambda calls: any(c.method == "chat.update" for c in calls))
    update = next(c.params for c in calls if c.method == "chat.update")
    assert update["channel"] == CHANNEL
    assert "1. Search and rescue at sea _(Norway)_" in json.dumps(update["blocks"])

    # The day before, a pass records the reminder; the clock process delivers it.
    clock.now = datetime(2026, 12, 9, 9, 0, 5, tzinfo=UTC)
    report = bot_server.runtime.tick(clock.now)
    assert report.recorded["meeting reminders"] == 1
    port = SlackPort(slack_client(bot_server.runtime.settings))
    assert bot_server.runtime.deliver(port).sent >= 1
    calls = bot_server.fake.wait_for(lambda calls: any(
        "Reminder: M1" in json.dumps(p.get("blocks")) for p in _posts(calls)))
    reminders = [p for p in _posts(calls) if "Reminder: M1" in json.dumps(p.get("blocks"))]
    assert len(reminders) == 1
    reminder = reminders[0]
    assert reminder["channel"] == CHANNEL
    assert reminder["text"].startswith("Reminder: M1 in 24 hours: Meeting *M1* of the "
                                       "*Council, Ambassadors*, Monthly meeting, starts")
    assert "1. Search and rescue at sea _(Norway)_" in json.dumps(reminder["blocks"])

    # Ticking again, and delivering again, posts nothing twice.
    assert bot_server.runtime.tick(clock.now).recorded["meeting reminders"] == 0
    assert bot_server.runtime.deliver(port).sent == 0
    posts = _posts(bot_server.fake.calls)
    assert sum("Reminder: M1" in json.dumps(p.get("blocks")) for p in posts) == 1


def test_extraordinary_request_reaches_the_channel_and_the_chair(bot_server: BotServer,
                                                                 clock: Clock) -> None:
    seat_council(bot_server.runtime)
    status, ack = bot_server.command("extraordinary Consultations on a crisis",
                                     user=delegate("RU"))
    assert status == 200 and ack["text"].startswith("Your request (E1) is announced")
    calls = bot_server.fake.wait_for(lambda calls: len(_posts(calls)) >= 2)
    channel = [p for p in _posts(calls) if p["channel"] == CHANNEL]
    assert channel[0]["text"].startswith("Extraordinary meeting requested (E1): "
                                         "*Russian Federation* requests")
    direct = [p for p in _posts(calls) if p["channel"] != CHANNEL]
    assert len(direct) == 1 and "Consultations on a crisis" in str(direct[0]["text"])
    assert any(c.method == "conversations.open" and c.params.get("users") == CHAIR
               for c in calls)
    # A day later the channel is reminded, once.
    clock.now = datetime(2026, 12, 2, 9, 0, 30, tzinfo=UTC)
    bot_server.runtime.tick(clock.now)
    bot_server.runtime.tick(clock.now)
    bot_server.runtime.deliver(SlackPort(slack_client(bot_server.runtime.settings)))
    calls = bot_server.fake.wait_for(lambda calls: any(
        "still to be scheduled" in str(p["text"]) for p in _posts(calls)))
    assert sum("still to be scheduled" in str(p["text"]) for p in _posts(calls)) == 1
