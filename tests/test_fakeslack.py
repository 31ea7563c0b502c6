"""Tests of the Slack impersonation helpers: tests/fakeslack.py and tests/slackreq.py."""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Iterator, Sequence
from typing import Any
from urllib.parse import parse_qs

import pytest
from slack_bolt import Ack, App, BoltRequest
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError
from slack_sdk.http_retry.builtin_handlers import RateLimitErrorRetryHandler
from slack_sdk.signature import SignatureVerifier
from slack_sdk.webhook import WebhookClient

from tests import slackreq
from tests.fakeslack import Call, FakeSlack, fake_slack

__all__ = ["fake_slack"]  # re-exported fixture, used by the tests below

SECRET = "test-signing-secret"
BLOCKS: list[dict[str, Any]] = [
    {"type": "section", "block_id": "s1", "text": {"type": "mrkdwn", "text": "*hello*"}}
]


def client_for(fake: FakeSlack, **kwargs: Any) -> WebClient:
    return WebClient(base_url=fake.api_url, token="xoxb-test", **kwargs)


# ---------------------------------------------------------------------------- FakeSlack


def test_api_url_has_trailing_slash(fake_slack: FakeSlack) -> None:
    assert fake_slack.api_url == f"http://127.0.0.1:{fake_slack.port}/api/"


def test_post_message_with_blocks_is_recorded_decoded(fake_slack: FakeSlack) -> None:
    client = client_for(fake_slack)
    first = client.chat_postMessage(channel="C1", text="hello", blocks=BLOCKS, thread_ts="1.2")
    second = client.chat_postMessage(channel="C1", text="again")

    assert first["ok"] is True
    assert first["channel"] == "C1"
    assert float(first["ts"]) == pytest.approx(time.time(), abs=60)
    assert float(second["ts"]) > float(first["ts"])
    assert first["message"]["text"] == "hello"
    assert first["message"]["blocks"] == BLOCKS
    assert first["message"]["thread_ts"] == "1.2"

    (call, _) = fake_slack.calls_to("chat.postMessage")
    assert isinstance(call, Call)
    assert call.params["blocks"] == BLOCKS  # form-encoded JSON string, decoded
    assert call.params["text"] == "hello"
    assert call.failed is False
    assert call.token == "xoxb-test"
    assert call.at <= time.time()
    assert [p["text"] for p in fake_slack.posted()] == ["hello", "again"]
    assert fake_slack.message("C1", first["ts"]) == first["message"]


def test_json_body_is_recorded(fake_slack: FakeSlack) -> None:
    client = client_for(fake_slack)
    # slack_sdk sends most methods form-encoded; a few (and other clients) send JSON.
    client.api_call("chat.postMessage", json={"channel": "C9", "text": "j", "blocks": BLOCKS})
    call = fake_slack.calls_to("chat.postMessage")[0]
    assert call.params == {"channel": "C9", "text": "j", "blocks": BLOCKS}
    assert call.headers["Content-Type"].startswith("application/json")


def test_text_that_looks_like_json_stays_text(fake_slack: FakeSlack) -> None:
    client_for(fake_slack).chat_postMessage(channel="C1", text='{"a": 1}')
    assert fake_slack.posted()[0]["text"] == '{"a": 1}'


def test_builtin_responses(fake_slack: FakeSlack) -> None:
    client = client_for(fake_slack)
    auth = client.auth_test()
    assert (auth["user_id"], auth["bot_id"], auth["team_id"], auth["team"]) == (
        "UBOT",
        "BBOT",
        "T1",
        "Test",
    )

    posted = client.chat_postMessage(channel="C1", text="v1")
    updated = client.chat_update(channel="C1", ts=posted["ts"], text="v2", blocks=BLOCKS)
    assert (updated["channel"], updated["ts"], updated["text"]) == ("C1", posted["ts"], "v2")
    assert fake_slack.updated()[0]["blocks"] == BLOCKS
    stored = fake_slack.message("C1", posted["ts"])
    assert stored is not None
    assert stored["text"] == "v2"

    eph = client.chat_postEphemeral(channel="C1", user="U1", text="psst")
    assert eph["message_ts"]

    link = client.chat_getPermalink(channel="C1", message_ts="1700000000.000100")
    assert link["permalink"].startswith("https://test.slack.com/archives/C1/p")

    assert client.conversations_open(users="U7")["channel"]["id"] == "DU7"

    view = {"type": "modal", "callback_id": "cb", "title": {"type": "plain_text", "text": "T"}}
    opened = client.views_open(trigger_id="t1", view=view)
    assert opened["view"]["id"].startswith("V")
    assert opened["view"]["callback_id"] == "cb"
    assert fake_slack.calls_to("views.open")[0].params["view"] == view
    pushed = client.views_push(trigger_id="t1", view=view)
    assert pushed["view"]["id"] != opened["view"]["id"]
    assert (
        client.views_update(view_id=opened["view"]["id"], view=view)["view"]["id"]
        == (opened["view"]["id"])
    )
    home = {"type": "home", "blocks": BLOCKS}
    assert client.views_publish(user_id="U1", view=home)["view"]["id"]

    user = client.users_info(user="U5")["user"]
    assert (user["id"], user["tz"]) == ("U5", "Europe/Brussels")
    assert user["name"] and user["real_name"]
    fake_slack.set_user("U5", tz="America/New_York")
    assert client.users_info(user="U5")["user"]["tz"] == "America/New_York"

    assert client.api_call("reactions.add", params={"name": "x"})["ok"] is True


def test_respond_with_overrides(fake_slack: FakeSlack) -> None:
    fake_slack.respond_with("conversations.members", {"members": ["U1", "U2"]})
    fake_slack.respond_with("users.lookupByEmail", lambda p: {"user": {"id": "U-" + p["email"]}})
    client = client_for(fake_slack)
    assert client.conversations_members(channel="C1")["members"] == ["U1", "U2"]
    assert client.users_lookupByEmail(email="a@b")["user"]["id"] == "U-a@b"


def test_ok_false_for_bad_arguments(fake_slack: FakeSlack) -> None:
    with pytest.raises(SlackApiError) as info:
        client_for(fake_slack).chat_postMessage(channel="", text="x")
    assert info.value.response["error"] == "channel_not_found"
    assert fake_slack.calls_to("chat.postMessage")[0].failed is True
    assert fake_slack.posted() == []


def test_socket_mode_connections_open_is_refused(fake_slack: FakeSlack) -> None:
    with pytest.raises(SlackApiError):
        client_for(fake_slack).apps_connections_open(app_token="xapp-1")


def test_rate_limit_is_retried_by_rate_limit_handler(fake_slack: FakeSlack) -> None:
    fake_slack.fail_next("chat.postMessage", status=429, retry_after=1)
    client = client_for(fake_slack, retry_handlers=[RateLimitErrorRetryHandler(max_retry_count=1)])
    started = time.monotonic()
    response = client.chat_postMessage(channel="C1", text="hi")
    assert response["ok"] is True
    assert time.monotonic() - started >= 0.9  # honoured Retry-After
    calls = fake_slack.calls_to("chat.postMessage")
    assert [c.failed for c in calls] == [True, False]
    assert len(fake_slack.posted()) == 1


def test_rate_limit_without_handler_raises(fake_slack: FakeSlack) -> None:
    fake_slack.fail_next("chat.postMessage", retry_after=30)
    with pytest.raises(SlackApiError) as info:
        client_for(fake_slack).chat_postMessage(channel="C1", text="hi")
    assert info.value.response.status_code == 429
    assert info.value.response["error"] == "ratelimited"
    assert info.value.response.headers["Retry-After"] == "30"


def test_server_error_raises(fake_slack: FakeSlack) -> None:
    fake_slack.fail_next("chat.update", status=500, times=2)
    client = client_for(fake_slack)
    for _ in range(2):
        with pytest.raises(SlackApiError) as info:
            client.chat_update(channel="C1", ts="1.1", text="x")
        assert info.value.response.status_code == 500
    assert client.chat_update(channel="C1", ts="1.1", text="x")["ok"] is True
    assert [c.failed for c in fake_slack.calls_to("chat.update")] == [True, True, False]
    assert len(fake_slack.updated()) == 1


def test_ok_false_error_raises(fake_slack: FakeSlack) -> None:
    fake_slack.fail_next("views.open", ok_false_error="expired_trigger_id")
    with pytest.raises(SlackApiError) as info:
        client_for(fake_slack).views_open(trigger_id="t1", view={"type": "modal"})
    assert info.value.response.status_code == 200
    assert info.value.response["error"] == "expired_trigger_id"
    assert fake_slack.calls_to("views.open")[0].failed is True


def test_faults_apply_only_to_their_method(fake_slack: FakeSlack) -> None:
    fake_slack.fail_next("chat.update", status=500)
    assert client_for(fake_slack).chat_postMessage(channel="C1", text="x")["ok"] is True


def test_delay_makes_client_time_out(fake_slack: FakeSlack) -> None:
    fake_slack.fail_next("chat.postMessage", delay=1.0)
    # urllib takes a float timeout; slack_sdk's hint says int.
    client = WebClient(base_url=fake_slack.api_url, token="xoxb-test", timeout=0.2)  # type: ignore[arg-type]
    with pytest.raises(TimeoutError):
        client.chat_postMessage(channel="C1", text="slow")
    call = fake_slack.calls_to("chat.postMessage")[0]
    assert call.delayed == 1.0
    assert client.chat_postMessage(channel="C1", text="fast")["ok"] is True


def test_disconnect_is_a_connection_error(fake_slack: FakeSlack) -> None:
    fake_slack.fail_next("chat.postMessage", disconnect=True)
    with pytest.raises(OSError):
        client_for(fake_slack, retry_handlers=[]).chat_postMessage(channel="C1", text="x")
    assert fake_slack.calls_to("chat.postMessage")[0].failed is True

    # WebClient's default ConnectionErrorRetryHandler retries once.
    fake_slack.reset()
    fake_slack.fail_next("chat.postMessage", disconnect=True)
    assert client_for(fake_slack).chat_postMessage(channel="C1", text="x")["ok"] is True
    assert [c.failed for c in fake_slack.calls_to("chat.postMessage")] == [True, False]


def test_close_does_not_wait_for_delayed_calls() -> None:
    fake = FakeSlack().start()
    fake.fail_next("chat.postMessage", delay=30)
    client = WebClient(base_url=fake.api_url, token="xoxb-test", timeout=5, retry_handlers=[])
    errors: list[BaseException] = []

    def call() -> None:
        try:
            client.chat_postMessage(channel="C1", text="x")
        except Exception as exc:
            errors.append(exc)

    worker = threading.Thread(target=call)
    worker.start()
    fake.wait_for(lambda calls: len(calls) == 1)
    started = time.monotonic()
    fake.close()
    worker.join(timeout=5)
    assert time.monotonic() - started < 3
    assert not worker.is_alive()
    assert errors


def test_response_url_is_recorded(fake_slack: FakeSlack) -> None:
    url = fake_slack.response_url("abc")
    assert url.startswith(fake_slack.base_url + "/respond/")
    response = WebhookClient(url).send(text="done", replace_original=True)
    assert (response.status_code, response.body) == (200, "ok")
    (call,) = fake_slack.calls_to("response_url")
    assert call.params["text"] == "done"
    assert fake_slack.responded() == [call.params]


def test_response_url_failure(fake_slack: FakeSlack) -> None:
    fake_slack.fail_next("response_url", ok_false_error="expired_url")
    response = WebhookClient(fake_slack.response_url()).send(text="late")
    assert (response.status_code, response.body) == (404, "expired_url")
    assert fake_slack.responded() == []


def test_wait_for_and_reset(fake_slack: FakeSlack) -> None:
    client = client_for(fake_slack)
    timer = threading.Timer(0.1, lambda: client.chat_postMessage(channel="C1", text="later"))
    timer.start()
    calls = fake_slack.wait_for(lambda cs: any(c.method == "chat.postMessage" for c in cs))
    timer.join()
    assert calls[-1].params["text"] == "later"

    fake_slack.fail_next("auth.test")
    fake_slack.reset()
    assert fake_slack.calls == []
    assert client.auth_test()["ok"] is True  # fault forgotten too
    with pytest.raises(AssertionError, match=r"auth\.test"):
        fake_slack.wait_for(lambda cs: len(cs) > 5, timeout=0.1)


def test_context_manager_releases_port() -> None:
    with FakeSlack() as fake:
        url = fake.api_url
        assert WebClient(base_url=url).auth_test()["ok"] is True
    with pytest.raises(OSError):
        WebClient(base_url=url, timeout=1, retry_handlers=[]).auth_test()


# ---------------------------------------------------------------------------- slackreq


def test_sign_verifies_with_slack_sdk() -> None:
    body = slackreq.slash_command("hello")
    headers = slackreq.sign(body, SECRET)
    verifier = SignatureVerifier(SECRET)
    assert verifier.is_valid_request(body, headers)
    assert verifier.is_valid(
        body=body,
        timestamp=headers["X-Slack-Request-Timestamp"],
        signature=headers["X-Slack-Signature"],
    )
    assert headers["Content-Type"] == "application/x-www-form-urlencoded"
    assert not SignatureVerifier("other").is_valid_request(body, headers)
    stale = slackreq.sign(body, SECRET, timestamp=int(time.time()) - 3600)
    assert not verifier.is_valid_request(body, stale)


def test_sign_json_content_type() -> None:
    body = slackreq.url_verification("chal")
    assert slackreq.sign(body, SECRET)["Content-Type"] == "application/json"


def test_slash_command_is_form_encoded() -> None:
    fields = parse_qs(slackreq.slash_command("vote yes", user_id="U9", channel_id="C7").decode())
    assert fields["command"] == ["/nrc"]
    assert fields["text"] == ["vote yes"]
    assert fields["user_id"] == ["U9"]
    assert fields["channel_id"] == ["C7"]
    assert fields["response_url"][0].startswith("https://")


def test_post_does_not_raise_on_http_errors(fake_slack: FakeSlack) -> None:
    fake_slack.fail_next("auth.test", status=503)
    status, headers, body = slackreq.post(fake_slack.api_url + "auth.test", b"", {})
    assert status == 503
    assert headers["Content-Type"].startswith("application/json")
    assert json.loads(body) == {"ok": False, "error": "service_unavailable"}
    status, _, body = slackreq.post(fake_slack.api_url + "auth.test", b"x=1", {})
    assert status == 200
    assert json.loads(body)["user_id"] == "UBOT"


# ---------------------------------------------------------------------------- Bolt routing


@pytest.fixture
def bolt(fake_slack: FakeSlack) -> Iterator[tuple[App, dict[str, list[dict[str, Any]]]]]:
    app = App(
        token="xoxb-test",
        signing_secret=SECRET,
        client=WebClient(base_url=fake_slack.api_url, token="xoxb-test"),
        process_before_response=True,
    )
    seen: dict[str, list[dict[str, Any]]] = {}

    def record(kind: str, body: dict[str, Any]) -> None:
        seen.setdefault(kind, []).append(body)

    @app.command("/nrc")
    def on_command(ack: Ack, body: dict[str, Any]) -> None:
        ack()
        record("command", body)

    @app.action("vote_yes")
    def on_action(ack: Ack, body: dict[str, Any]) -> None:
        ack()
        record("action", body)

    @app.action("pick")
    def on_select(ack: Ack, body: dict[str, Any]) -> None:
        ack()
        record("select", body)

    @app.view("propose")
    def on_view(ack: Ack, body: dict[str, Any]) -> None:
        ack()
        record("view", body)

    @app.shortcut("raise_objection")
    def on_shortcut(ack: Ack, body: dict[str, Any]) -> None:
        ack()
        record("shortcut", body)

    @app.shortcut("new_item")
    def on_global_shortcut(ack: Ack, body: dict[str, Any]) -> None:
        ack()
        record("global_shortcut", body)

    @app.event("app_home_opened")
    def on_home(event: dict[str, Any]) -> None:
        record("home", event)

    yield app, seen


def dispatch(app: App, body: bytes, secret: str = SECRET) -> tuple[int, str]:
    headers: dict[str, str | Sequence[str]] = dict(slackreq.sign(body, secret))
    response = app.dispatch(BoltRequest(body=body.decode("utf-8"), headers=headers))
    return response.status, response.body


def test_auth_test_called_at_app_construction(fake_slack: FakeSlack, bolt: tuple[App, Any]) -> None:
    assert fake_slack.calls_to("auth.test")


def test_bolt_routes_slash_command(bolt: tuple[App, Any]) -> None:
    app, seen = bolt
    assert dispatch(app, slackreq.slash_command("status", user_id="U3"))[0] == 200
    (body,) = seen["command"]
    assert (body["text"], body["user_id"]) == ("status", "U3")


def test_bolt_routes_block_actions(bolt: tuple[App, Any]) -> None:
    app, seen = bolt
    body = slackreq.block_actions(
        "vote_yes", "item-7", user_id="U4", channel_id="C2", message_ts="1700000000.000100"
    )
    assert dispatch(app, body)[0] == 200
    (payload,) = seen["action"]
    assert payload["actions"][0]["value"] == "item-7"
    assert payload["container"]["message_ts"] == "1700000000.000100"
    assert payload["channel"]["id"] == "C2"
    assert payload["user"]["id"] == "U4"

    select = slackreq.block_actions(
        "pick",
        "opt-2",
        user_id="U4",
        channel_id=None,
        message_ts=None,
        view={"id": "V9", "callback_id": "propose"},
        action_type="static_select",
    )
    assert dispatch(app, select)[0] == 200
    (payload,) = seen["select"]
    assert payload["actions"][0]["selected_option"]["value"] == "opt-2"
    assert payload["view"]["id"] == "V9"


def test_bolt_routes_view_submission(bolt: tuple[App, Any]) -> None:
    app, seen = bolt
    values = {"title": {"title_input": {"type": "plain_text_input", "value": "Agenda"}}}
    body = slackreq.view_submission("propose", values, user_id="U5", private_metadata='{"c": "C1"}')
    assert dispatch(app, body)[0] == 200
    (payload,) = seen["view"]
    assert payload["view"]["state"]["values"] == values
    assert payload["view"]["private_metadata"] == '{"c": "C1"}'
    short = slackreq.view_submission("propose", {"b": {"a": "x"}}, user_id="U5")
    assert dispatch(app, short)[0] == 200
    assert seen["view"][1]["view"]["state"]["values"]["b"]["a"]["value"] == "x"


def test_bolt_routes_message_shortcut(bolt: tuple[App, Any]) -> None:
    app, seen = bolt
    body = slackreq.message_action(
        "raise_objection",
        user_id="U6",
        channel_id="C3",
        message_ts="1700000000.000200",
        message_text="the proposal",
    )
    assert dispatch(app, body)[0] == 200
    (payload,) = seen["shortcut"]
    assert payload["type"] == "message_action"
    assert payload["message"]["text"] == "the proposal"
    assert dispatch(app, slackreq.global_shortcut("new_item", user_id="U6"))[0] == 200
    assert seen["global_shortcut"][0]["type"] == "shortcut"


def test_bolt_routes_events(bolt: tuple[App, Any]) -> None:
    app, seen = bolt
    assert dispatch(app, slackreq.app_home_opened("U8", event_id="Ev1"))[0] == 200
    event = {"type": "app_home_opened", "user": "U9", "channel": "DU9", "tab": "home"}
    assert dispatch(app, slackreq.event_callback(event, event_id="Ev2"))[0] == 200
    assert [e["user"] for e in seen["home"]] == ["U8", "U9"]


def test_bolt_url_verification(bolt: tuple[App, Any]) -> None:
    app, _ = bolt
    status, body = dispatch(app, slackreq.url_verification("c-123"))
    assert status == 200
    assert json.loads(body) == {"challenge": "c-123"}


def test_bolt_rejects_bad_signature(bolt: tuple[App, Any]) -> None:
    app, seen = bolt
    assert dispatch(app, slackreq.slash_command("x"), secret="wrong")[0] == 401
    assert "command" not in seen


def test_bolt_unhandled_request_is_404(bolt: tuple[App, Any]) -> None:
    app, _ = bolt
    body = slackreq.block_actions(
        "nobody_listens", "v", user_id="U1", channel_id="C1", message_ts="1.1"
    )
    assert dispatch(app, body)[0] == 404


def test_bolt_without_token_verification_skips_auth_test_at_construction(
    fake_slack: FakeSlack,
) -> None:
    app = App(
        token="xoxb-test",
        signing_secret=SECRET,
        client=WebClient(base_url=fake_slack.api_url, token="xoxb-test"),
        token_verification_enabled=False,
    )
    assert fake_slack.calls_to("auth.test") == []
    handled: list[str] = []

    @app.command("/nrc")
    def on_command(ack: Ack, respond: Any, command: dict[str, Any]) -> None:
        ack()
        handled.append(command["text"])  # before respond: the test wakes on the response
        respond(f"got {command['text']}")

    body = slackreq.slash_command("hi", response_url=fake_slack.response_url("r1"))
    assert dispatch(app, body)[0] == 200
    fake_slack.wait_for(lambda calls: any(c.method == "response_url" for c in calls))
    assert fake_slack.responded()[0]["text"] == "got hi"
    assert handled == ["hi"]


def test_canvases_are_created_edited_and_refused_as_slack_documents(
        fake_slack: FakeSlack) -> None:
    client = WebClient(base_url=fake_slack.api_url, token="xoxb-test")
    created = client.api_call("canvases.create", json={
        "title": "M1: Monthly", "channel_id": "C1",
        "document_content": {"type": "markdown", "markdown": "# Agenda\n"}})
    canvas_id = created["canvas_id"]
    assert canvas_id.startswith("F")
    client.api_call("canvases.edit", json={"canvas_id": canvas_id, "changes": [
        {"operation": "replace", "document_content": {"type": "markdown",
                                                      "markdown": "# Agenda\n1. Item\n"}}]})
    assert fake_slack.canvas(canvas_id) == {"title": "M1: Monthly", "channel_id": "C1",
                                            "markdown": "# Agenda\n1. Item\n", "edits": 1}
    with pytest.raises(SlackApiError) as missing:
        client.api_call("canvases.edit", json={"canvas_id": "F404", "changes": [
            {"operation": "replace", "document_content": {"type": "markdown", "markdown": ""}}]})
    assert missing.value.response["error"] == "canvas_not_found"
    fake_slack.refuse_canvases("paid_only")
    with pytest.raises(SlackApiError) as refused:
        client.api_call("canvases.create", json={"title": "M2"})
    assert refused.value.response["error"] == "paid_only"
    assert [c.method for c in fake_slack.calls] == ["canvases.create", "canvases.edit",
                                                    "canvases.edit", "canvases.create"]
    assert [c.failed for c in fake_slack.calls] == [False, False, True, True]
    assert list(fake_slack.canvases()) == [canvas_id]
