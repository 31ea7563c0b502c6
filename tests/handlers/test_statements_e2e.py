"""The council's statements end to end (issue 14): signed slash commands and a button
click through the real HTTP stack; what the council sees is read from the fake Slack."""

from __future__ import annotations

import json
from typing import Any

from sqlmodel import Session, select

from storage.models import Outbox
from tests.council import CHAIR, CHANNEL, CODES, delegate, run, seat_council
from tests.e2e import BotServer
from tests.fakeslack import Call
from tests.slackreq import block_actions

RU, FR = delegate("RU"), delegate("FR")


def _post_with(bot: BotServer, needle: str, *, thread: bool = False) -> dict[str, Any]:
    def found(calls: list[Call]) -> list[dict[str, Any]]:
        return [c.params for c in calls if c.method == "chat.postMessage" and not c.failed
                and needle in json.dumps([c.params.get("text"), c.params.get("blocks")])
                and ("thread_ts" in c.params) == thread]

    bot.fake.wait_for(found)
    return found(bot.fake.calls)[0]


def _poll_ts(bot: BotServer) -> str:
    def settled(_calls: list[Call]) -> str | None:
        with Session(bot.runtime.engine) as s:
            return s.exec(select(Outbox.ts).where(Outbox.key == "poll:1")).one()

    bot.fake.wait_for(settled)
    ts = settled([])
    assert ts is not None
    return ts


def test_a_draft_joint_statement_adopted_is_posted_as_joint_statement_s1(
        bot_server: BotServer) -> None:
    seat_council(bot_server.runtime)
    status, ack = bot_server.command(
        "statement joint 48h The members condemn attacks on shipping.", user=RU)
    assert status == 200 and str(ack["text"]).startswith("Opened *P1*, a draft joint statement")
    poll = _post_with(bot_server, "Draft joint statement P1")
    actions = next(b for b in poll["blocks"] if b["type"] == "actions")
    assert [e["action_id"] for e in actions["elements"]][:3] == [
        "poll_concur_now", "poll_concur", "poll_object"]
    ts = _poll_ts(bot_server)
    for code in CODES[:-1]:
        run(bot_server.runtime, delegate(code), "concur P1")
    status, _, _ = bot_server.send(block_actions("poll_concur_now", "1:1", user_id=RU,
                                                 channel_id=CHANNEL, message_ts=ts))
    assert status == 200
    announced = _post_with(bot_server, "Joint statement S1 adopted")
    assert announced["channel"] == CHANNEL
    body = json.dumps(announced["blocks"])
    assert "The members condemn attacks on shipping." in body and "Concurred (20)" in body
    outcome = _post_with(bot_server, "joint statement *S1*", thread=True)
    assert outcome["thread_ts"] == ts
    assert outcome["text"] == "*Adopted*: every member concurred. P1 is now joint statement *S1*."
    assert not [p for p in bot_server.fake.posted() if "Joint decision" in json.dumps(p)]


def test_the_chairs_statement_is_posted_at_once_labelled_and_refused_to_others(
        bot_server: BotServer) -> None:
    seat_council(bot_server.runtime)
    status, ack = bot_server.command("statement chair Words of a delegation", user=FR)
    assert status == 200
    assert str(ack["text"]).startswith("Only the Chair may issue the Chair's statements.")
    status, ack = bot_server.command(
        "statement chair The Chair welcomes the resumption of contacts.", user=CHAIR)
    assert status == 200 and str(ack["text"]).startswith("Issued *Chair's statement S1*")
    posted = _post_with(bot_server, "Chair's statement S1")
    assert posted["channel"] == CHANNEL
    body = json.dumps(posted["blocks"], ensure_ascii=False)
    assert "The Chair welcomes the resumption of contacts." in body
    assert ("issued on the Chair's own responsibility; not a decision of the Council"
            in body)
    assert not [p for p in bot_server.fake.posted() if "Words of a delegation" in json.dumps(p)]
