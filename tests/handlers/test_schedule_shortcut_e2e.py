"""End to end: the "Schedule a meeting" shortcut's modal, and a meeting moved by command."""

from __future__ import annotations

import json
from datetime import UTC, datetime

from sqlmodel import Session, select

from bot.manifest import manifest
from bot.transports.bolt_app import slack_client
from handlers.slackport import SlackPort
from storage.models import Meeting
from tests.council import CHAIR, CHANNEL, delegate, seat_council
from tests.e2e import BotServer
from tests.slackreq import global_shortcut, view_submission

START = int(datetime(2027, 3, 10, 9, 0, tzinfo=UTC).timestamp())  # 10:00 CET


def _submit(server: BotServer, user: str, body: str | None, when: int | None,
            title: str = "", venue: str = "", duration: str = "") -> tuple[int, bytes]:
    values = {
        "body": {"body": {"type": "static_select",
                          "selected_option": {"value": body} if body else None}},
        "when": {"when": {"type": "datetimepicker", "selected_date_time": when}},
        "title": {"title": title}, "venue": {"venue": venue}, "duration": {"duration": duration},
    }
    status, _, raw = server.send(view_submission("schedule_meeting_modal", values, user_id=user))
    return status, raw


def test_the_manifest_declares_the_global_shortcut() -> None:
    shortcuts = manifest("https://bot.example")["features"]["shortcuts"]
    assert {"name": "Schedule a meeting", "type": "global", "callback_id": "schedule_meeting",
            "description": "Schedule a meeting of a council body and announce it"} in shortcuts


def test_schedule_a_meeting_by_the_shortcut(bot_server: BotServer) -> None:
    seat_council(bot_server.runtime)
    fake = bot_server.fake
    status, _, _ = bot_server.send(global_shortcut("schedule_meeting", user_id=CHAIR,
                                                   trigger_id="trig-s"))
    assert status == 200
    calls = fake.wait_for(lambda calls: any(c.method == "views.open" for c in calls))
    [opened] = [c.params for c in calls if c.method == "views.open"]
    modal = opened["view"]
    assert (opened["trigger_id"], modal["callback_id"]) == ("trig-s", "schedule_meeting_modal")
    assert [b["block_id"] for b in modal["blocks"]] == ["body", "when", "title", "venue",
                                                        "duration"]
    assert modal["blocks"][1]["element"]["type"] == "datetimepicker"
    options = modal["blocks"][0]["element"]["options"]
    amb = next(o["value"] for o in options if o["text"]["text"] == "Council, Ambassadors")

    # Errors are shown on the field they concern; nothing is scheduled.
    assert json.loads(_submit(bot_server, CHAIR, None, START)[1]) == {
        "response_action": "errors", "errors": {"body": "Choose the body that meets."}}
    assert json.loads(_submit(bot_server, CHAIR, amb, None)[1]) == {
        "response_action": "errors", "errors": {"when": "Choose the date and time."}}
    past = int(datetime(2026, 11, 2, 9, 0, tzinfo=UTC).timestamp())
    error = json.loads(_submit(bot_server, CHAIR, amb, past)[1])
    assert list(error["errors"]) == ["when"] and "is in the past" in error["errors"]["when"]
    error = json.loads(_submit(bot_server, CHAIR, amb, START, duration="long")[1])
    assert error["errors"] == {"duration": '"long" is not a duration; write it like 3h, 90m '
                                           "or 1h30m."}
    with Session(bot_server.runtime.engine) as s:
        assert s.exec(select(Meeting)).all() == []

    status, raw = _submit(bot_server, CHAIR, amb, START, "Monthly meeting", "NATO HQ", "3h")
    assert status == 200 and raw in (b"", b"{}")
    with Session(bot_server.runtime.engine) as s:
        meeting = s.exec(select(Meeting)).one()
    assert (meeting.title, meeting.venue, meeting.duration_minutes, meeting.starts_at) == (
        "Monthly meeting", "NATO HQ", 180, datetime(2027, 3, 10, 9, 0, tzinfo=UTC))
    port = SlackPort(slack_client(bot_server.runtime.settings))
    bot_server.runtime.deliver(port)
    calls = fake.wait_for(lambda calls: any(
        c.method == "chat.postMessage" and c.params.get("channel") == CHANNEL
        and "Venue: NATO HQ" in json.dumps(c.params.get("blocks")) for c in calls)
        and any(c.method == "chat.postMessage" and c.params.get("channel") == CHAIR
                for c in calls))
    [told] = [c.params for c in calls if c.method == "chat.postMessage"
              and c.params.get("channel") == CHAIR]
    assert told["text"].startswith("Scheduled M1 (Council, Ambassadors) for ")

    # A delegation is told why at once, in a modal without a form.
    bot_server.send(global_shortcut("schedule_meeting", user_id=delegate("RU"),
                                    trigger_id="trig-r"))
    calls = fake.wait_for(lambda calls: any(
        c.method == "views.open" and c.params["trigger_id"] == "trig-r" for c in calls))
    [refusal] = [c.params["view"] for c in calls
                 if c.method == "views.open" and c.params["trigger_id"] == "trig-r"]
    assert "callback_id" not in refusal
    assert "Only the Chair or the secretariat may schedule meetings." in json.dumps(refusal)


def test_reschedule_updates_the_announcement_and_posts_in_its_thread(
        bot_server: BotServer) -> None:
    seat_council(bot_server.runtime)
    bot_server.command("schedule council-amb 2027-03-10 10:00 Monthly meeting", user=CHAIR)
    port = SlackPort(slack_client(bot_server.runtime.settings))
    bot_server.runtime.deliver(port)
    bot_server.fake.wait_for(lambda calls: any(c.method == "chat.postMessage" for c in calls))
    status, ack = bot_server.command("reschedule M1 2027-03-12 15:00", user=CHAIR)
    assert status == 200 and ack["text"].startswith("Moved M1 (Council, Ambassadors) to ")
    bot_server.runtime.deliver(port)
    calls = bot_server.fake.wait_for(lambda calls: any(c.method == "chat.update" for c in calls)
                                     and any(c.method == "chat.postMessage"
                                             and c.params.get("thread_ts") for c in calls))
    update = next(c.params for c in calls if c.method == "chat.update")
    assert "(moved from ~<!date^" in json.dumps(update["blocks"])
    [moved] = [c.params for c in calls if c.method == "chat.postMessage"
               and c.params.get("thread_ts")]
    assert moved["thread_ts"] == update["ts"]  # under the announcement it updated
    assert moved["text"].startswith("*M1* (Council, Ambassadors) moved: now <!date^")
