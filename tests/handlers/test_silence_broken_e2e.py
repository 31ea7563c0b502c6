"""Breaking silence end to end: the Propose amendment… button and its modal, and the
Chair's revision in a new poll message, as the fake Slack Web API sees them."""

from __future__ import annotations

import json
from typing import Any

from bot.messages import plain
from tests.council import CHAIR, CHANNEL, delegate
from tests.e2e import BotServer
from tests.fakeslack import Call
from tests.handlers.test_polls_e2e import _click, _open_poll, _opened_view
from tests.slackreq import view_submission

FR, DE = delegate("FR"), delegate("DE")


def _posted_with(bot: BotServer, needle: str) -> dict[str, Any]:
    def found(calls: list[Call]) -> bool:
        return any(c.method == "chat.postMessage" and not c.failed
                   and needle in json.dumps(c.params) for c in calls)

    bot.fake.wait_for(found)
    return next(p for p in bot.fake.posted() if needle in json.dumps(p))


def _submit_amendment(bot: BotServer, metadata: str, text: str, reason: str
                      ) -> tuple[int, dict[str, Any]]:
    status, _, raw = bot.send(view_submission(
        "poll_amendment_modal",
        {"amendment_text": {"amendment_text": text},
         "amendment_reason": {"amendment_reason": reason}},
        user_id=FR, private_metadata=metadata))
    return status, json.loads(raw) if raw.strip() else {}


def test_the_amendment_button_opens_a_form_and_breaks_silence(bot_server: BotServer) -> None:
    ts = _open_poll(bot_server)
    assert _click(bot_server, "poll_amendment", FR, ts) == 200
    view = _opened_view(bot_server)
    assert view["callback_id"] == "poll_amendment_modal"
    assert [b.get("block_id") for b in view["blocks"][-2:]] == ["amendment_text",
                                                                "amendment_reason"]
    assert "Joint statement on search and rescue" in json.dumps(view["blocks"])

    status, answer = _submit_amendment(bot_server, view["private_metadata"], "Add an annex", "")
    assert status == 200 and answer == {"response_action": "errors",
                                        "errors": {"amendment_reason": "Required."}}
    status, answer = _submit_amendment(bot_server, view["private_metadata"],
                                       "Add an annex on exercises", "Our capital asks it.")
    assert status == 200 and answer == {}
    thread = _posted_with(bot_server, "Silence broken by France")
    assert thread["channel"] == CHANNEL and thread["thread_ts"] == ts
    assert "Add an annex on exercises (Our capital asks it.)" in thread["text"]
    dm = _posted_with(bot_server, "revise P1")
    assert dm["channel"] == f"D{CHAIR}"  # the Chair's direct-message channel
    held = bot_server.fake.message(CHANNEL, ts)
    assert held is not None and "silence broken" in json.dumps(held["blocks"])
    assert "poll_amendment" not in json.dumps(held["blocks"])  # closed: no controls


def test_the_chair_revises_in_a_new_message_and_the_old_one_points_to_it(
        bot_server: BotServer) -> None:
    ts = _open_poll(bot_server)
    bot_server.command("object P1 Not acceptable as it stands.", user=DE)
    status, ack = bot_server.command("revise P1 48h Joint statement on search and rescue, "
                                     "with annex", user=CHAIR)
    assert status == 200 and plain(str(ack["text"])).startswith(
        "P1 is under silence again as version 2"), ack
    new = _posted_with(bot_server, "Revises version 1")
    assert new["channel"] == CHANNEL and "thread_ts" not in new
    assert "Proposal P1 (version 2)" in json.dumps(new["blocks"])
    assert "poll_amendment" in json.dumps(new["blocks"])
    pointer = _posted_with(bot_server, "Revised: see version 2")
    assert pointer["thread_ts"] == ts
