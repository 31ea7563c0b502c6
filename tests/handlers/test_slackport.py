"""The Slack port: Web API calls, slack-sdk's retries, and what the outbox is told."""

from __future__ import annotations

import pytest
from slack_sdk import WebClient

from bot.messages import Button, Message
from bot.outbox import PermanentError, TransientError, Unavailable, Waiting
from bot.settings import Settings
from bot.transports.bolt_app import slack_client
from handlers.slackport import SlackPort
from tests.fakeslack import FakeSlack

MESSAGE = Message(text="Poll P1 is open.", header="Poll P1",
                  buttons=[Button("Concur", "poll_concur", "1", "primary")])


def _port(fake: FakeSlack) -> SlackPort:
    return SlackPort(slack_client(Settings(bot_token="xoxb-test", api_url=fake.api_url)))


def test_post_thread_update_dm_and_home(fake_slack: FakeSlack) -> None:
    port = _port(fake_slack)
    channel, ts = port.post("C1", MESSAGE, None, "poll:1")
    assert channel == "C1" and ts
    port.post("C1", Message(text="reply"), ts, "poll:1:reply")
    port.update("C1", ts, Message(text="Poll P1 is adopted."))
    port.dm("UCHAIRSG", Message(text="psst"), "dm:1")
    port.publish_home("UDEL0RU1", Message(text="home"))
    methods = [c.method for c in fake_slack.calls]
    assert methods == ["chat.postMessage", "chat.postMessage", "chat.update",
                       "conversations.open", "chat.postMessage", "views.publish"]
    first = fake_slack.calls[0].params
    assert first["text"] == "Poll P1: Poll P1 is open."
    assert first["blocks"][-1]["elements"][0]["action_id"] == "poll_concur"
    assert fake_slack.calls[1].params["thread_ts"] == ts
    assert fake_slack.calls[4].params["channel"] == "DUCHAIRSG"
    assert fake_slack.calls[5].params["view"]["type"] == "home"
    assert fake_slack.calls[0].headers.get("Authorization") == "Bearer xoxb-test"
    assert first["metadata"] == {"event_type": "nrc_outbox", "event_payload": {"key": "poll:1"}}


def test_find_sees_what_was_posted_with_a_key(fake_slack: FakeSlack) -> None:
    from datetime import UTC, datetime

    port = _port(fake_slack)
    since = datetime.now(UTC)
    _, ts = port.post("C1", MESSAGE, None, "poll:1")
    _, reply = port.post("C1", Message(text="reply"), ts, "poll:1:reply")
    _, dm = port.dm("UCHAIRSG", Message(text="psst"), "dm:1")
    assert port.find("C1", "poll:1", None, since) == ("C1", ts)
    assert port.find("C1", "poll:1:reply", ts, since) == ("C1", reply)
    assert port.find("UCHAIRSG", "dm:1", None, since) == ("DUCHAIRSG", dm)
    assert port.find("C1", "poll:2", None, since) is None


def test_rate_limits_are_retried_by_slack_sdk(fake_slack: FakeSlack) -> None:
    port = _port(fake_slack)
    fake_slack.fail_next("chat.postMessage", status=429, retry_after=0, times=2)
    port.post("C1", MESSAGE, None, "k")
    calls = fake_slack.calls_to("chat.postMessage")
    assert [c.failed for c in calls] == [True, True, False]


def test_the_outboxs_client_leaves_a_429_to_the_outbox(fake_slack: FakeSlack) -> None:
    """A sleep in the courier would hold up every council: the outbox pauses that method
    for that workspace instead (``bot.outbox.pacing``)."""
    settings = Settings(bot_token="xoxb-test", api_url=fake_slack.api_url)
    port = SlackPort(slack_client(settings, wait_out_rate_limits=False))
    fake_slack.fail_next("chat.postMessage", status=429, retry_after=30)
    with pytest.raises(TransientError) as info:
        port.post("C1", MESSAGE, None, "k")
    assert (info.value.retry_after, info.value.method) == (30, "chat.postMessage")
    assert len(fake_slack.calls_to("chat.postMessage")) == 1


def test_server_errors_go_back_to_the_outbox_not_retried_blindly(fake_slack: FakeSlack) -> None:
    port = _port(fake_slack)
    fake_slack.fail_next("chat.postMessage", status=503)
    with pytest.raises(TransientError, match="HTTP 503"):
        port.post("C1", MESSAGE, None, "k")
    assert len(fake_slack.calls_to("chat.postMessage")) == 1


def test_what_slack_sdk_cannot_fix_goes_back_to_the_outbox(fake_slack: FakeSlack) -> None:
    port = _port(fake_slack)
    fake_slack.fail_next("chat.postMessage", status=429, retry_after=1, times=3)
    with pytest.raises(TransientError) as info:
        port.post("C1", MESSAGE, None, "k")
    assert info.value.retry_after == 1 and info.value.method == "chat.postMessage"
    fake_slack.fail_next("chat.postMessage", ok_false_error="channel_not_found")
    with pytest.raises(PermanentError, match="channel_not_found"):
        port.post("C1", MESSAGE, None, "k")
    fake_slack.fail_next("chat.postMessage", ok_false_error="ratelimited")
    with pytest.raises(TransientError):
        port.post("C1", MESSAGE, None, "k")
    with pytest.raises(Waiting):
        port.post(None, MESSAGE, None, "k")


def test_timeouts_are_transient(fake_slack: FakeSlack) -> None:
    port = SlackPort(WebClient(token="xoxb-test", base_url=fake_slack.api_url, timeout=0.3,
                               retry_handlers=[]))
    fake_slack.fail_next("chat.postMessage", delay=1.0)
    with pytest.raises(TransientError):
        port.post("C1", MESSAGE, None, "k")
    fake_slack.fail_next("chat.postMessage", disconnect=True)
    with pytest.raises(TransientError):
        port.post("C1", MESSAGE, None, "k")


def test_canvases_are_created_in_the_channel_and_replaced_whole(fake_slack: FakeSlack) -> None:
    port = _port(fake_slack)
    canvas_id = port.create_canvas("C1", "M1: Monthly meeting", "# M1\n", "meeting:1:canvas")
    port.edit_canvas(canvas_id, "# M1\n1. Item\n")
    assert fake_slack.canvas(canvas_id) == {"title": "M1: Monthly meeting", "channel_id": "C1",
                                            "markdown": "# M1\n1. Item\n", "edits": 1}
    [edit] = fake_slack.calls_to("canvases.edit")
    assert edit.params["changes"] == [{"operation": "replace", "document_content": {
        "type": "markdown", "markdown": "# M1\n1. Item\n"}}]
    with pytest.raises(PermanentError) as missing:
        port.edit_canvas("F404", "x")
    assert not isinstance(missing.value, Unavailable)  # a lost canvas, not a plan without them
    for error in ("paid_only", "feature_not_enabled", "not_allowed_token_type"):
        fake_slack.refuse_canvases(error)
        with pytest.raises(Unavailable, match=f"canvases.create: {error}"):
            port.create_canvas("C1", "M2", "# M2\n", "meeting:2:canvas")
