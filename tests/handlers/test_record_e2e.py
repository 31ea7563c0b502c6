"""End to end: attendance recorded by command and by the form, then the record finalised
and posted in the council channel (issue 14, "Attendance and the record")."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

from sqlmodel import Session, select

from bot.transports.bolt_app import slack_client
from handlers.slackport import SlackPort
from storage.models_record import Attendance
from tests.council import ADMIN, CHAIR, CHANNEL, CODES, Clock, delegate, seat_council
from tests.e2e import BotServer
from tests.slackreq import block_actions, view_submission

FR, US = delegate("FR"), delegate("US")


def _open_form(bot_server: BotServer, user: str) -> dict[str, object]:
    status, _, _ = bot_server.send(block_actions(
        "meeting_attendance", "1", user_id=user, channel_id=CHANNEL,
        message_ts="1700000000.000200", trigger_id="trig-a"))
    assert status == 200
    calls = bot_server.fake.wait_for(lambda calls: any(c.method == "views.open"
                                                       for c in calls))
    [opened] = [c.params for c in calls if c.method == "views.open"]
    assert opened["trigger_id"] == "trig-a"
    view = opened["view"]
    assert isinstance(view, dict)
    return view


def _submit(bot_server: BotServer, view: dict[str, object], chosen: dict[str, list[str]],
            absent: list[str]) -> tuple[int, bytes]:
    values: dict[str, object] = {
        block: {"users": {"type": "multi_users_select", "selected_users": users}}
        for block, users in chosen.items()}
    values["absent"] = {"members": {"type": "multi_static_select",
                                    "selected_options": [{"value": v} for v in absent]}}
    status, _, raw = bot_server.send(view_submission(
        "meeting_attendance_modal", values, user_id=ADMIN,
        private_metadata=str(view["private_metadata"]),
        blocks=view["blocks"]))  # type: ignore[arg-type]
    return status, raw


def test_attendance_by_the_form_then_the_record_posted(bot_server: BotServer,
                                                       clock: Clock) -> None:
    runtime = bot_server.runtime
    seat_council(runtime)
    status, ack = bot_server.command("schedule council-amb 2026-12-02 10:00 Monthly meeting",
                                     user=CHAIR)
    assert status == 200
    clock.now = datetime(2026, 12, 2, 9, 10, tzinfo=UTC)

    status, ack = bot_server.command("attendance M1", user=ADMIN)
    assert ack["text"].startswith("Attendance at M1 (Council, Ambassadors, ")
    button = next(b for b in ack["blocks"] if b["type"] == "actions")["elements"][0]
    assert (button["text"]["text"], button["action_id"], button["value"]) == (
        "Record attendance…", "meeting_attendance", "1")

    # A delegation may not open the form: the refusal is said to the clicker alone.
    status, _, _ = bot_server.send(block_actions(
        "meeting_attendance", "1", user_id=FR, channel_id=CHANNEL,
        message_ts="1700000000.000200"))
    calls = bot_server.fake.wait_for(lambda calls: any(
        c.method == "chat.postEphemeral" and c.params.get("user") == FR for c in calls))
    refusal = next(c.params for c in calls if c.method == "chat.postEphemeral")
    assert refusal["text"] == "Only the Chair or the secretariat may record attendance."

    view = _open_form(bot_server, ADMIN)
    assert view["callback_id"] == "meeting_attendance_modal"
    blocks = view["blocks"]
    assert isinstance(blocks, list)
    inputs = [b for b in blocks if b["type"] == "input"]
    assert [b["label"]["text"] for b in inputs[:2]] == ["Belgium", "Canada"]
    assert len(inputs) == 21 and inputs[-1]["block_id"] == "absent"
    assert len(inputs[-1]["element"]["options"]) == 20
    france = next(b for b in inputs if b["label"]["text"] == "France")
    assert france["element"]["type"] == "multi_users_select"
    beneath = blocks[blocks.index(france) + 1]
    assert beneath["elements"][0]["text"] == f"Delegates: <@{FR}>"

    # Someone who is not France's delegate: the error is on France's field.
    status, raw = _submit(bot_server, view, {france["block_id"]: [US]}, [])
    error = json.loads(raw)
    assert error == {"response_action": "errors", "errors": {
        france["block_id"]: f"@{US} is not a delegate of France; add them with delegate add "
                            "first, or name one of its delegates."}}

    chosen = {b["block_id"]: [delegate(code)]
              for b, code in zip(inputs[:-1], CODES, strict=True) if code != "IS"}
    iceland = next(o["value"] for o in inputs[-1]["element"]["options"]
                   if o["text"]["text"] == "Iceland")
    status, raw = _submit(bot_server, view, chosen, [iceland])
    assert status == 200 and raw in (b"", b"{}")
    with Session(runtime.engine) as s:
        rows = s.exec(select(Attendance)).all()
    assert len(rows) == 20
    assert sorted(r.status for r in rows).count("absent") == 1

    # Reopened, the form shows what is recorded.
    bot_server.fake.reset()
    view = _open_form(bot_server, ADMIN)
    inputs = [b for b in view["blocks"] if b["type"] == "input"]  # type: ignore[union-attr]
    assert inputs[0]["element"]["initial_users"] == [delegate("BE")]
    assert [o["text"]["text"] for o in inputs[-1]["element"]["initial_options"]] == ["Iceland"]

    status, ack = bot_server.command("record M1 item 1 Nothing", user=ADMIN)
    assert ack["text"].startswith("The agenda of M1 has no items to record an outcome for.")
    clock.now += timedelta(hours=1)
    status, ack = bot_server.command("record M1 final", user=CHAIR)
    assert ack["text"] == ("The record of M1 is final and posted in the channel; "
                           "`/nrc records` lists it.")
    runtime.deliver(SlackPort(slack_client(runtime.settings)))
    calls = bot_server.fake.wait_for(lambda calls: any(
        c.method == "chat.postMessage" and "Record of M1" in json.dumps(c.params.get("blocks"))
        for c in calls))
    [posted] = [c.params for c in calls if c.method == "chat.postMessage"
                and "Record of M1" in json.dumps(c.params.get("blocks"))]
    assert posted["channel"] == CHANNEL
    text = json.dumps(posted["blocks"])
    assert "19 of 20 members represented, 1 absent" in text and "Iceland: absent" in text
    assert f"France: <@{FR}> (head of delegation)" in text
    # The meeting's canvas gains the record (a view of the records: the same words).
    calls = bot_server.fake.wait_for(lambda calls: any(
        c.method == "canvases.edit" and "Record of M1" in json.dumps(c.params)
        for c in calls))
    edit = [c.params for c in calls if c.method == "canvases.edit"][-1]
    markdown = edit["changes"][0]["document_content"]["markdown"]  # type: ignore[index]
    assert "## Record of M1: Council, Ambassadors" in markdown
    assert "- Iceland: absent" in markdown
    assert f"- France: ![](@{FR}) (head of delegation)" in markdown
