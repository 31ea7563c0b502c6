"""The bench's requests for the poll message's buttons (issue 13): what the load sends."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any
from urllib.parse import parse_qs

import pytest

from bench import http_bench
from bench.jobs import BUTTONS, PollRef, form_state, jobs_for, polls_for, submit_jobs
from tests.council import CHANNEL, CODES, delegate
from tests.fakeslack import Call, FakeSlack


@pytest.fixture
def fake() -> Iterator[FakeSlack]:
    slack = FakeSlack().start()
    yield slack
    slack.close()


def _payload(body: bytes) -> dict[str, Any]:
    return dict(json.loads(parse_qs(body.decode())["payload"][0]))


def _posted(fake: FakeSlack) -> PollRef:
    from slack_sdk import WebClient

    blocks = [{"type": "section", "text": {"type": "mrkdwn", "text": "*Concurred (0):* _none_"}}]
    answer = WebClient(token="xoxb-t", base_url=fake.api_url).chat_postMessage(
        channel=CHANNEL, text="Proposal P7", blocks=blocks)
    return PollRef(7, str(answer["channel"]), str(answer["ts"]), version=3)


def test_the_bot_has_every_poll_button_so_every_phase_is_measured() -> None:
    assert http_bench.requests_for(True) == [
        "members", "polls", "concur", "concur-now", "click", "amend-click"]
    assert http_bench.requests_for(False) == ["members"]


def test_the_one_click_concur_names_the_version_and_carries_the_poll_message(
        fake: FakeSlack) -> None:
    poll = _posted(fake)
    jobs = jobs_for("concur-now", 3, [poll], fake)
    payloads = [_payload(j.body) for j in jobs]
    assert [p["actions"][0]["action_id"] for p in payloads] == ["poll_concur_now"] * 3
    assert {p["actions"][0]["value"] for p in payloads} == {"7:3"}
    assert payloads[0]["message"]["ts"] == poll.ts
    assert "*Concurred (0):*" in payloads[0]["message"]["blocks"][0]["text"]["text"]
    assert len({j.user for j in jobs}) == 3  # a different delegate each time on the poll


def test_the_form_buttons_name_the_poll_only(fake: FakeSlack) -> None:
    poll = _posted(fake)
    for request in ("click", "amend-click"):
        action = _payload(jobs_for(request, 1, [poll], fake)[0].body)["actions"][0]
        assert (action["action_id"], action["value"]) == (BUTTONS[request], "7")


def test_an_amendment_closes_its_poll_so_each_request_gets_its_own() -> None:
    assert polls_for("amend-click", 200, 10) == 200
    assert polls_for("concur-now", 200, 10) == 20  # 19 a poll at most, none twice in 2×10


def test_the_amendment_form_is_sent_with_a_text_and_a_reason_the_statement_left_empty(
        fake: FakeSlack) -> None:
    view = {"callback_id": "poll_amendment_modal", "private_metadata": '{"proposal": 7}',
            "blocks": [{"type": "section"},
                       {"type": "input", "block_id": "amendment_text",
                        "element": {"type": "plain_text_input", "action_id": "amendment_text"}},
                       {"type": "input", "block_id": "kind",
                        "element": {"type": "static_select", "action_id": "kind"}}]}
    state = form_state(view, "a text")
    assert state == {"amendment_text": {"amendment_text": {"type": "plain_text_input",
                                                           "value": "a text"}},
                     "kind": {"kind": {"type": "static_select", "value": None}}}
    assert form_state(view, None)["amendment_text"]["amendment_text"]["value"] is None

    click = jobs_for("amend-click", 1, [_posted(fake)], fake)[0]
    opened = Call("views.open", {"view": view}, {}, 0.0)
    [submit] = submit_jobs("amend-submit", [click], {0: opened})
    payload = _payload(submit.body)
    assert payload["type"] == "view_submission"
    assert payload["user"]["id"] == click.user == delegate(CODES[0])
    values = payload["view"]["state"]["values"]["amendment_text"]["amendment_text"]
    assert values["value"].startswith("That the Council take note")
