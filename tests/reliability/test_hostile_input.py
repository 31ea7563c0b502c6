"""Hostile and malformed requests through the real HTTP stack (PRODUCT.md section 8).

Signature and time problems get 401, oversized bodies 413, bodies that cannot be
parsed 400; everything Slack could really send gets 200 with a clear ephemeral or
modal error. No request gets a 500 (or any 5xx), none gets "Something went
wrong", and none that is refused or invalid changes the exported state.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from typing import Any
from urllib.parse import parse_qsl, urlencode

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlmodel import Session, col, select

from bot.runtime import SOMETHING_WENT_WRONG
from handlers.shortcuts import RAISE_MODAL
from handlers.submissions import CONCUR_VIEW, NO_REASON, OBJECT_VIEW
from storage.models import Outbox, ProcessedEvent
from tests.council import ADMIN, CHANNEL, OUTSIDER, delegate, seat_council
from tests.e2e import SECRET, BotServer, council_state
from tests.slackreq import (
    app_home_opened,
    block_actions,
    post,
    sign,
    slash_command,
    view_submission,
)

EVENTS = "/slack/events"
MiB = 1024 * 1024


def _send(server: BotServer, body: bytes, headers: dict[str, str]) -> tuple[int, bytes]:
    status, _, raw = post(server.url + EVENTS, body, headers)
    return status, raw


def _settled(server: BotServer) -> str:
    """The exported state once the bot's background work (listeners, delivery) is done:
    nothing in the outbox is being sent or waiting to be, and two reads agree."""
    deadline = time.monotonic() + 10
    last, agreed = "", 0
    while time.monotonic() < deadline:
        server.fake.wait_idle()
        with Session(server.runtime.engine) as session:
            busy = session.exec(select(Outbox.id).where(
                col(Outbox.status).in_(("pending", "sending")))).first() is not None
        now = council_state(server.runtime.engine)
        agreed = agreed + 1 if (now == last and not busy) else 0
        if agreed >= 2:
            return now
        last = now
        time.sleep(0.05)
    return last


def _form(payload: dict[str, Any]) -> bytes:
    return urlencode({"payload": json.dumps(payload)}).encode()


def _payload(body: bytes) -> dict[str, Any]:
    return dict(json.loads(dict(parse_qsl(body.decode()))["payload"]))


def _no_internal_errors(server: BotServer) -> None:
    """Nothing the bot said to anyone (ephemerals, messages, responses) is an internal error."""
    for call in server.fake.calls:
        assert SOMETHING_WENT_WRONG not in json.dumps(call.params), (call.method, call.params)


@pytest.fixture
def seated(bot_server: BotServer) -> BotServer:
    """A council of 20 behind the HTTP stack, with an open poll P1 proposed by Russia."""
    seat_council(bot_server.runtime)
    status, ack = bot_server.command("propose 48h A proposal to click on", user=delegate("RU"))
    assert status == 200 and ack["text"].startswith("Opened *P1*"), ack
    _settled(bot_server)
    bot_server.fake.reset()
    return bot_server


# -- signatures and time ----------------------------------------------------------------


def _setup(user: str = ADMIN) -> bytes:
    return slash_command("setup", user_id=user, channel_id="CHOSTILE1",
                         response_url="https://hooks.slack.com/commands/T1/1/x")


def _forged(body: bytes) -> dict[str, str]:
    return sign(body, "not-the-secret")


def _other_body(body: bytes) -> dict[str, str]:
    return sign(slash_command("help", user_id=OUTSIDER), SECRET)  # a valid signature, elsewhere


def _stale(body: bytes) -> dict[str, str]:
    return sign(body, SECRET, int(time.time()) - 6 * 60)  # a replay, six minutes on


def _just_stale(body: bytes) -> dict[str, str]:
    return sign(body, SECRET, int(time.time()) - 5 * 60 - 10)


def _future(body: bytes) -> dict[str, str]:
    return sign(body, SECRET, int(time.time()) + 6 * 60)


def _without(*names: str) -> Callable[[bytes], dict[str, str]]:
    def headers(body: bytes) -> dict[str, str]:
        signed = sign(body, SECRET)
        return {k: v for k, v in signed.items() if k not in names}
    return headers


def _tampered(name: str, value: str) -> Callable[[bytes], dict[str, str]]:
    def headers(body: bytes) -> dict[str, str]:
        return {**sign(body, SECRET), name: value}
    return headers


SIG = "X-Slack-Signature"
TS = "X-Slack-Request-Timestamp"

REFUSED_401: dict[str, Callable[[bytes], dict[str, str]]] = {
    "forged signature": _forged,
    "signature over a different body": _other_body,
    "replayed, six minutes old": _stale,
    "replayed, five minutes and ten seconds old": _just_stale,
    "timestamp six minutes in the future": _future,
    "no signature": _without(SIG),
    "no timestamp": _without(TS),
    "no signature and no timestamp": _without(SIG, TS),
    "empty signature": _tampered(SIG, ""),
    "signature without its version": _tampered(SIG, "0" * 64),
    "signature of the wrong version": _tampered(SIG, "v1=" + "0" * 64),
    "timestamp that is not a number": _tampered(TS, "yesterday"),
    "timestamp with non-ASCII digits": _tampered(TS, "\u00b2\u00b3"),
    "negative timestamp": _tampered(TS, "-1"),
}


def test_signature_and_time_problems_are_refused_with_401(bot_server: BotServer) -> None:
    seat_council(bot_server.runtime)
    before = _settled(bot_server)
    bot_server.fake.reset()
    for case, headers in REFUSED_401.items():
        body = _setup()
        status, _ = _send(bot_server, body, headers(body))
        assert status == 401, (case, status)
        assert _settled(bot_server) == before, case
        assert not bot_server.fake.calls, case  # nothing posted, not even an ephemeral


def test_the_same_request_correctly_signed_is_accepted(bot_server: BotServer) -> None:
    """The control for the cases above: only the signature or the time was wrong."""
    seat_council(bot_server.runtime)
    before = _settled(bot_server)
    body = _setup()
    status, raw = _send(bot_server, body, sign(body, SECRET, int(time.time()) - 4 * 60))
    assert status == 200 and b"Bound <#CHOSTILE1>" in raw
    assert _settled(bot_server) != before


def test_a_forged_interactive_payload_is_refused(seated: BotServer) -> None:
    before = _settled(seated)
    body = view_submission(OBJECT_VIEW, {"reason": {"reason": "forged objection"}},
                           user_id=delegate("RU"),
                           private_metadata=json.dumps({"proposal": 1, "version": 1,
                                                        "channel": CHANNEL}))
    for headers in (_forged(body), _stale(body), _future(body), _without(SIG)(body)):
        status, _ = _send(seated, body, headers)
        assert status == 401
    assert _settled(seated) == before  # the objection, which would block P1, was not taken


# -- size ---------------------------------------------------------------------------------


def test_oversized_bodies_are_refused_with_413(bot_server: BotServer) -> None:
    seat_council(bot_server.runtime)
    before = _settled(bot_server)
    for signed in (True, False):
        for body in (slash_command("setup " + "x" * MiB, user_id=ADMIN),
                     _form({"type": "block_actions", "padding": "y" * (MiB + 1)})):
            assert len(body) > MiB
            status, _ = _send(bot_server, body, sign(body, SECRET) if signed else {})
            assert status == 413, signed
    assert _settled(bot_server) == before


def test_a_body_of_exactly_one_mebibyte_is_read(bot_server: BotServer) -> None:
    text = "help"
    body = slash_command(text, user_id=OUTSIDER)
    body += b"&pad=" + b"z" * (MiB - len(body) - 5)
    assert len(body) == MiB
    status, raw = _send(bot_server, body, sign(body, SECRET))
    assert status == 200 and b"ephemeral" in raw


# -- malformed bodies ------------------------------------------------------------------------

MALFORMED: dict[str, bytes] = {
    "invalid UTF-8": b"text=\xff\xfe\xfd&command=/nrc",
    "payload that is not JSON": b"payload=not-json",
    "payload that is half JSON": b"payload=%7B%22type%22%3A",
    "payload that is a JSON list": _form([1, 2, 3]),  # type: ignore[arg-type]
    "payload that is a JSON string": urlencode({"payload": '"block_actions"'}).encode(),
    "JSON body that is not JSON": b"{not json",
}


def test_malformed_bodies_get_400(bot_server: BotServer) -> None:
    seat_council(bot_server.runtime)
    before = _settled(bot_server)
    for case, body in MALFORMED.items():
        status, _ = _send(bot_server, body, sign(body, SECRET))
        assert status == 400, (case, status)
        assert _settled(bot_server) == before, case


UNHANDLED: dict[str, bytes] = {
    "empty body": b"",
    "form with no command": b"a=1&b=2",
    "percent soup": b"%%%&&&===%zz",
    "JSON body that is a list": b"[]",
    "unknown interactive type": _form({"type": "no_such_type", "user": {"id": OUTSIDER}}),
    "interactive payload without a type": _form({"user": {"id": OUTSIDER}}),
    "unknown button": block_actions("no_such_action", "1", user_id=delegate("RU"),
                                    channel_id=CHANNEL, message_ts="1.000001"),
    "unknown modal": view_submission("no_such_modal", {}, user_id=delegate("RU")),
    "unknown event": json.dumps({"type": "event_callback", "event_id": "EvX",
                                 "event": {"type": "no_such_event"}}).encode(),
}


def test_requests_no_listener_handles_are_never_a_server_error(bot_server: BotServer) -> None:
    """Bolt answers what nothing listens to with 404 "unhandled request"; never 5xx."""
    seat_council(bot_server.runtime)
    before = _settled(bot_server)
    bot_server.fake.reset()
    for case, body in UNHANDLED.items():
        status, _ = _send(bot_server, body, sign(body, SECRET))
        assert status in (200, 404), (case, status)
        assert _settled(bot_server) == before, case
    _no_internal_errors(bot_server)


def test_a_click_with_no_actions_is_not_a_server_error(seated: BotServer) -> None:
    body = _form({"type": "block_actions", "user": {"id": delegate("RU")}, "actions": [],
                  "container": {"type": "message", "channel_id": CHANNEL}})
    status, _ = _send(seated, body, sign(body, SECRET))
    assert status == 400


# -- interactive payloads Slack could send --------------------------------------------------


def _click(action: str, value: str | None, user: str = "") -> bytes:
    return block_actions(action, value, user_id=user or delegate("RU"), channel_id=CHANNEL,
                         message_ts="1700000000.000100")


def _ephemerals_to(server: BotServer, user: str, count: int = 1) -> list[str]:
    server.fake.wait_for(lambda calls: len([c for c in calls if c.method == "chat.postEphemeral"
                                            and c.params.get("user") == user]) >= count)
    return [e["text"] for e in server.fake.ephemerals() if e.get("user") == user]


@pytest.mark.parametrize("action", ["poll_concur", "poll_object"])
def test_a_click_on_a_poll_that_does_not_exist(seated: BotServer, action: str) -> None:
    before = _settled(seated)
    body = _click(action, "999")
    status, _ = _send(seated, body, sign(body, SECRET))
    assert status == 200
    assert _ephemerals_to(seated, delegate("RU")) == ["There is no proposal P999."]
    assert not seated.fake.calls_to("views.open")
    assert _settled(seated) == before


def test_a_click_whose_value_names_no_poll(seated: BotServer) -> None:
    before = _settled(seated)
    for value in (None, "", "P1", "abc", "-1", "0", "1.5", "P 1", "x" * 3000):
        seated.fake.reset()
        body = _click("poll_concur", value)
        status, _ = _send(seated, body, sign(body, SECRET))
        assert status == 200, value
        [said] = _ephemerals_to(seated, delegate("RU"))
        assert said == "This button names no poll." or said.startswith(
            "There is no proposal P"), (value, said)
        assert not seated.fake.calls_to("views.open"), value
        assert _settled(seated) == before, value
        _no_internal_errors(seated)


def test_a_click_by_someone_in_no_delegation_is_refused_at_once(seated: BotServer) -> None:
    before = _settled(seated)
    body = _click("poll_object", "1", user=OUTSIDER)
    status, _ = _send(seated, body, sign(body, SECRET))
    assert status == 200
    [said] = _ephemerals_to(seated, OUTSIDER)
    assert said.startswith("Only delegations may take positions")
    assert not seated.fake.calls_to("views.open")
    assert _settled(seated) == before


def _metadata(proposal: object = 1, version: object = 1) -> str:
    return json.dumps({"proposal": proposal, "version": version, "channel": CHANNEL})


def _errors(raw: bytes) -> dict[str, str]:
    ack = json.loads(raw)
    assert ack["response_action"] == "errors", ack
    return dict(ack["errors"])


def _without_state(body: bytes) -> bytes:
    payload = _payload(body)
    del payload["view"]["state"]
    return _form(payload)


def test_an_objection_modal_submitted_without_state(seated: BotServer) -> None:
    before = _settled(seated)
    body = _without_state(view_submission(OBJECT_VIEW, {}, user_id=delegate("RU"),
                                          private_metadata=_metadata()))
    status, raw = _send(seated, body, sign(body, SECRET))
    assert status == 200
    assert _errors(raw) == {"reason": NO_REASON}
    assert _settled(seated) == before


@pytest.mark.parametrize("view", [CONCUR_VIEW, OBJECT_VIEW])
def test_a_position_modal_that_lost_its_poll(seated: BotServer, view: str) -> None:
    before = _settled(seated)
    block = "statement" if view == CONCUR_VIEW else "reason"
    for metadata in ("", "not json", "[]", '{"proposal": 1}', '{"proposal": "x", "version": 1}',
                     "null", '{"proposal": [1], "version": 1}'):
        body = view_submission(view, {block: {block: "a reason"}}, user_id=delegate("RU"),
                               private_metadata=metadata)
        status, raw = _send(seated, body, sign(body, SECRET))
        assert status == 200, metadata
        assert "lost track of its poll" in _errors(raw)[block], metadata
        assert _settled(seated) == before, metadata


def test_a_position_modal_on_a_poll_that_does_not_exist(seated: BotServer) -> None:
    before = _settled(seated)
    body = view_submission(CONCUR_VIEW, {}, user_id=delegate("RU"),
                           private_metadata=_metadata(999))
    status, raw = _send(seated, body, sign(body, SECRET))
    assert status == 200
    assert _errors(raw) == {"statement": "There is no proposal P999."}
    assert _settled(seated) == before


def test_a_raise_modal_submitted_without_state(seated: BotServer) -> None:
    before = _settled(seated)
    states: dict[str, dict[str, Any] | None] = {
        "no state": None, "no values": {}, "no choice": {"decision": {}},
        "nothing chosen": {"decision": {"decision": {"type": "static_select",
                                                     "selected_option": None}}},
    }
    for case, state in states.items():
        body = view_submission(RAISE_MODAL, state or {}, user_id=delegate("FR"),
                               private_metadata=json.dumps({"channel": CHANNEL, "link": None}))
        if state is None:
            body = _without_state(body)
        status, raw = _send(seated, body, sign(body, SECRET))
        assert status == 200, case
        assert _errors(raw) == {"decision": "Choose the joint decision."}, case
        assert _settled(seated) == before, case


def _raise_choice(value: str) -> dict[str, Any]:
    return {"decision": {"decision": {"type": "static_select",
                                      "selected_option": {"value": value}}},
            "text": {"text": "An issue"}}


def test_a_raise_modal_on_a_decision_that_does_not_exist(seated: BotServer) -> None:
    before = _settled(seated)
    body = view_submission(RAISE_MODAL, _raise_choice("7"), user_id=delegate("FR"),
                           private_metadata="not json")
    status, raw = _send(seated, body, sign(body, SECRET))
    assert status == 200
    assert _errors(raw)["decision"].startswith("There is no joint decision D7")
    assert _settled(seated) == before


# A number Python's int() takes but the database cannot hold, or a "digit" int() refuses,
# must be refused at the edge (bot.registry.parse_id), never reach the database.
OUT_OF_RANGE = ["99999999999999999999", "\u00b2"]


@pytest.mark.parametrize("value", OUT_OF_RANGE)
def test_a_click_with_an_enormous_poll_number(seated: BotServer, value: str) -> None:
    body = _click("poll_concur", value)
    _send(seated, body, sign(body, SECRET))
    [said] = _ephemerals_to(seated, delegate("RU"))
    assert said != SOMETHING_WENT_WRONG


@pytest.mark.parametrize("value", OUT_OF_RANGE)
def test_a_raise_modal_with_an_impossible_decision_number(seated: BotServer,
                                                         value: str) -> None:
    body = view_submission(RAISE_MODAL, _raise_choice(value), user_id=delegate("FR"))
    status, raw = _send(seated, body, sign(body, SECRET))
    assert status == 200
    assert SOMETHING_WENT_WRONG not in json.dumps(_errors(raw))


def test_a_position_modal_whose_metadata_names_an_enormous_poll(seated: BotServer) -> None:
    body = view_submission(CONCUR_VIEW, {}, user_id=delegate("RU"),
                           private_metadata=_metadata(10**20))
    status, raw = _send(seated, body, sign(body, SECRET))
    assert status == 200
    assert SOMETHING_WENT_WRONG not in json.dumps(_errors(raw))


# -- Slack's retries of one event ------------------------------------------------------------


def test_a_retried_app_home_opened_event_publishes_once(seated: BotServer) -> None:
    user = delegate("RU")
    body = app_home_opened(user, event_id="Ev0HOSTILE1")
    status, _ = _send(seated, body, sign(body, SECRET))
    assert status == 200
    seated.fake.wait_for(lambda calls: any(c.method == "views.publish" for c in calls))
    first = _settled(seated)
    for retry in ("1", "2"):
        headers = {**sign(body, SECRET), "X-Slack-Retry-Num": retry,
                   "X-Slack-Retry-Reason": "http_timeout"}
        status, _ = _send(seated, body, headers)
        assert status == 200
    assert _settled(seated) == first  # the retries changed nothing
    assert len(seated.fake.calls_to("views.publish")) == 1
    with Session(seated.runtime.engine) as session:
        [row] = session.exec(select(Outbox).where(Outbox.key == f"home:{user}")).all()
        assert (row.revision, row.status) == (1, "sent")
        events = session.exec(select(ProcessedEvent)
                              .where(ProcessedEvent.event_id == "Ev0HOSTILE1")).all()
        assert len(events) == 1


def test_a_new_app_home_opened_event_publishes_again(seated: BotServer) -> None:
    """The control: a different event_id is a new opening, and is published."""
    user = delegate("RU")
    for n, event_id in enumerate(("Ev0HOSTILE2", "Ev0HOSTILE3"), start=1):
        body = app_home_opened(user, event_id=event_id)
        assert _send(seated, body, sign(body, SECRET))[0] == 200
        seated.fake.wait_for(lambda calls, n=n: len(
            [c for c in calls if c.method == "views.publish"]) >= n)
    _settled(seated)
    assert len(seated.fake.calls_to("views.publish")) == 2


# -- the interactive surface, fuzzed ---------------------------------------------------------

USERS = [delegate("RU"), delegate("US"), delegate("FR"), "UCHAIRSG", ADMIN, OUTSIDER,
         "UNOBODY01"]


def _known_bug(value: object) -> bool:
    """Numbers the handlers/ bugs above mishandle: kept out so the fuzz finds new things."""
    text = str(value)
    stripped = text.strip().lstrip("+-").replace("_", "")
    try:
        number = int(text)
    except ValueError:
        return any(ch.isdigit() and not ch.isascii() for ch in stripped) and stripped.isdigit()
    return not 0 <= number < 2**31


def _values() -> st.SearchStrategy[str]:
    return st.one_of(
        st.integers(min_value=-5, max_value=2**31 - 1).map(str),
        st.sampled_from(["1", "P1", "", " 1 ", "+1", "1_0", "0x1", "1e3", "null", "[]", "{}",
                         "'; DROP TABLE proposal; --", "%s%n", "\u202e1", "x" * 3000]),
        st.text(max_size=30),
    ).filter(lambda v: not _known_bug(v))


def _state_leaf() -> st.SearchStrategy[Any]:
    return st.one_of(
        st.none(),
        st.text(max_size=50).map(lambda v: {"type": "plain_text_input", "value": v}),
        st.just({"type": "plain_text_input", "value": None}),
        st.just({"type": "plain_text_input"}),
        _values().map(lambda v: {"type": "static_select", "selected_option": {"value": v}}),
        st.just({"type": "static_select", "selected_option": None}),
        st.text(max_size=2000).map(lambda v: {"type": "plain_text_input", "value": v}),
    )


def _state() -> st.SearchStrategy[dict[str, Any]]:
    blocks = st.sampled_from(["statement", "reason", "decision", "text", "other", ""])
    return st.dictionaries(blocks, st.dictionaries(blocks, _state_leaf(), max_size=2),
                           max_size=3)


def _private_metadata() -> st.SearchStrategy[str]:
    proposal = st.one_of(st.integers(min_value=-2, max_value=2**31 - 1), st.just(1),
                         st.sampled_from(["1", "x", None]))
    version = st.one_of(st.integers(min_value=-1, max_value=5), st.just(1), st.just("1"))
    channel = st.sampled_from([CHANNEL, None, "", "CNOWHERE1", 7])
    link = st.sampled_from([None, "https://test.slack.com/archives/C1/p1", "javascript:x", 3])
    as_json = st.fixed_dictionaries({"proposal": proposal, "version": version,
                                     "channel": channel, "link": link}).map(json.dumps)
    return st.one_of(as_json, st.sampled_from(["", "{}", "not json", "null", "[1]"]),
                     st.text(max_size=40))


def _click_body() -> st.SearchStrategy[bytes]:
    return st.builds(
        lambda action, value, user, where: block_actions(
            action, value, user_id=user,
            channel_id=CHANNEL if where else None,
            message_ts="1700000000.000100" if where else None,
            view=None if where else {"id": "V9", "callback_id": "x"}),
        st.sampled_from(["poll_concur", "poll_object"]),
        st.one_of(st.none(), _values()), st.sampled_from(USERS), st.booleans())


def _submission_body() -> st.SearchStrategy[bytes]:
    return st.builds(
        lambda view, state, user, metadata: view_submission(
            view, state, user_id=user, private_metadata=metadata),
        st.sampled_from([CONCUR_VIEW, OBJECT_VIEW, RAISE_MODAL]), _state(),
        st.sampled_from(USERS), _private_metadata())


def test_fuzzed_clicks_and_modal_submissions(bot_server: BotServer) -> None:
    seat_council(bot_server.runtime)
    for line, user in (("propose 48h Fuzz target one", delegate("RU")),
                       ("propose --explicit 72h Fuzz target two", "UCHAIRSG")):
        assert bot_server.command(line, user=user)[1]["text"].startswith("Opened")
    seen: list[int] = []

    @settings(max_examples=120, deadline=None, derandomize=True,
              suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large,
                                     HealthCheck.function_scoped_fixture])
    @given(body=st.one_of(_click_body(), _submission_body()))
    def run(body: bytes) -> None:
        start = time.monotonic()
        status, raw = _send(bot_server, body, sign(body, SECRET))
        assert time.monotonic() - start < 3.0
        assert status == 200, (status, _payload(body))
        assert SOMETHING_WENT_WRONG.encode() not in raw, (_payload(body), raw)
        if raw:
            ack = json.loads(raw)
            if ack.get("response_action") == "errors":
                assert all(isinstance(v, str) and v.strip() for v in ack["errors"].values())
        seen.append(status)

    run()
    bot_server.fake.wait_idle()
    assert len(seen) >= 100
    _no_internal_errors(bot_server)
