"""Polls end to end: signed button clicks and modal submissions, Slack's answers recorded.

The real HTTP stack (Bolt behind the WSGI app) on 127.0.0.1 talks to the fake
Slack Web API; what a delegate would see is read from the fake's recorded
``views.open``, ``chat.update``, ``chat.postMessage`` and ``chat.postEphemeral``.
"""

from __future__ import annotations

import json
import threading
from typing import Any

from sqlmodel import Session, select

from bot.outbox import HOME_SETTLE
from storage.models import JointDecision, Outbox, Position
from tests.council import ADMIN, CHAIR, CHANNEL, CODES, OUTSIDER, delegate, run, seat_council
from tests.e2e import BotServer, council_state
from tests.fakeslack import Call
from tests.slackreq import block_actions, view_submission

RU, FR, US = delegate("RU"), delegate("FR"), delegate("US")


def _open_poll(bot: BotServer, line: str = "propose 48h Joint statement on search and rescue"
               ) -> str:
    """Open P1 by slash command; return the ts of the poll message Slack holds."""
    seat_council(bot.runtime)
    status, ack = bot.command(line, user=RU)
    assert status == 200 and str(ack["text"]).startswith("Opened *P1*"), ack

    def settled(_calls: list[Call]) -> Outbox | None:
        with Session(bot.runtime.engine) as s:
            row = s.exec(select(Outbox).where(Outbox.key == "poll:1")).one()
        return row if row.ts else None

    bot.fake.wait_for(settled)  # posted, and its ts recorded
    row = settled([])
    assert row is not None and row.ts and row.posted_channel == CHANNEL
    held = bot.fake.message(CHANNEL, row.ts)
    assert held is not None and "Proposal P1" in held["text"]
    return row.ts


def _click(bot: BotServer, action_id: str, user: str, ts: str, value: str = "1",
           trigger: str = "trig-1") -> int:
    status, _, _ = bot.send(block_actions(action_id, value, user_id=user, channel_id=CHANNEL,
                                          message_ts=ts, trigger_id=trigger))
    return status


def _submit(bot: BotServer, callback: str, block: str, value: str, user: str,
            metadata: str) -> tuple[int, dict[str, Any]]:
    status, _, raw = bot.send(view_submission(callback, {block: {block: value}}, user_id=user,
                                              private_metadata=metadata))
    return status, json.loads(raw) if raw.strip() else {}


def _opened_view(bot: BotServer, count: int = 1) -> dict[str, Any]:
    calls = bot.fake.wait_for(lambda calls: len([c for c in calls if c.method == "views.open"])
                              >= count)
    return [c for c in calls if c.method == "views.open"][count - 1].params["view"]


def _updates_with(bot: BotServer, needle: str) -> list[Call]:
    calls = bot.fake.wait_for(lambda calls: any(
        c.method == "chat.update" and needle in json.dumps(c.params.get("blocks")) for c in calls))
    return [c for c in calls if c.method == "chat.update"
            and needle in json.dumps(c.params.get("blocks"))]


def _ephemeral_to(bot: BotServer, user: str, needle: str) -> dict[str, Any]:
    calls = bot.fake.wait_for(lambda calls: any(
        c.method == "chat.postEphemeral" and c.params.get("user") == user
        and needle in str(c.params.get("text")) for c in calls))
    return next(c.params for c in calls if c.method == "chat.postEphemeral"
                and c.params.get("user") == user and needle in str(c.params.get("text")))


def test_the_poll_is_posted_with_real_buttons(bot_server: BotServer) -> None:
    _open_poll(bot_server)
    (post,) = [p for p in bot_server.fake.posted() if "Proposal P1" in p["text"]]
    actions = next(b for b in post["blocks"] if b["type"] == "actions")
    assert [(e["action_id"], e["value"], e["text"]["text"]) for e in actions["elements"]] == [
        ("poll_concur_now", "1:1", "Concur · Approuver"),
        ("poll_concur", "1", "Concur with statement… · Approuver avec déclaration…"),
        ("poll_object", "1", "Object… · Objecter…"),
        ("poll_amendment", "1", "Propose amendment… · Proposer un amendement…")]


def test_concur_button_opens_a_modal_and_its_submission_updates_the_poll(
        bot_server: BotServer) -> None:
    ts = _open_poll(bot_server)
    assert _click(bot_server, "poll_concur", FR, ts) == 200
    view = _opened_view(bot_server)
    assert view["callback_id"] == "poll_concur_modal"
    assert view["title"]["text"] == "Concur with P1" and view["submit"]["text"] == "Concur"
    assert json.loads(view["private_metadata"]) == {"proposal": 1, "version": 1,
                                                     "channel": CHANNEL}
    field = view["blocks"][-1]
    assert field["block_id"] == "statement" and field["optional"] is True
    assert "Joint statement on search and rescue" in json.dumps(view["blocks"])
    assert bot_server.fake.calls_to("views.open")[0].params["trigger_id"] == "trig-1"

    status, answer = _submit(bot_server, "poll_concur_modal", "statement",
                             "France reads it as <covering> exercises only.", FR,
                             view["private_metadata"])
    assert status == 200 and answer == {}  # the modal closes
    update = _updates_with(bot_server, "*Concurred (1):* France")[-1].params
    assert update["channel"] == CHANNEL and update["ts"] == ts
    blocks = json.dumps(update["blocks"])
    assert "France reads it as &lt;covering&gt; exercises only." in blocks
    assert "*Silent (19):*" in blocks
    held = bot_server.fake.message(CHANNEL, ts)
    assert held is not None and held["blocks"] == update["blocks"]  # what Slack now shows
    reply = _ephemeral_to(bot_server, FR, "Recorded: France concurs on P1.")
    assert reply["channel"] == CHANNEL

    # Slack retries the same submission: one position, nothing changed twice.
    status, _ = _submit(bot_server, "poll_concur_modal", "statement",
                        "France reads it as <covering> exercises only.", FR,
                        view["private_metadata"])
    assert status == 200
    _ephemeral_to(bot_server, FR, "France already concurs on P1; nothing changed.")
    with Session(bot_server.runtime.engine) as s:
        assert len(list(s.exec(select(Position)))) == 1


def test_the_concur_form_is_prefilled_with_the_members_statement(bot_server: BotServer) -> None:
    """Issue 11, item 1: the form shows the member's statement to keep or edit."""
    ts = _open_poll(bot_server)
    said = "France reads it as <covering> exercises only."
    bot_server.command(f"concur P1 {said}", user=FR)
    assert _click(bot_server, "poll_concur", FR, ts) == 200
    view = _opened_view(bot_server)
    field = view["blocks"][-1]
    assert field["element"]["initial_value"] == said  # plain text: shown as typed
    assert _click(bot_server, "poll_concur", US, ts, trigger="trig-2") == 200
    assert "initial_value" not in _opened_view(bot_server, 2)["blocks"][-1]["element"]

    # The field submitted empty is a bare concurrence: the statement stands.
    status, answer = _submit(bot_server, "poll_concur_modal", "statement", "", FR,
                             view["private_metadata"])
    assert status == 200 and answer == {}
    _ephemeral_to(bot_server, FR, "France already concurs on P1; its statement stands")
    held = bot_server.fake.message(CHANNEL, ts)
    assert held is not None and "exercises only." in json.dumps(held["blocks"])
    # An edited statement replaces it, and the poll shows the new one.
    status, _ = _submit(bot_server, "poll_concur_modal", "statement", "France reads it anew.",
                        FR, view["private_metadata"])
    assert status == 200
    _ephemeral_to(bot_server, FR, "Recorded: France concurs on P1 with a new statement, "
                  f"replacing the statement recorded by <@{FR}>.")
    update = _updates_with(bot_server, "France reads it anew.")[-1].params
    assert "exercises only." not in json.dumps(update["blocks"])


def test_the_objection_modal_requires_a_reason_then_blocks_the_poll(
        bot_server: BotServer) -> None:
    ts = _open_poll(bot_server)
    assert _click(bot_server, "poll_object", US, ts) == 200
    view = _opened_view(bot_server)
    assert view["callback_id"] == "poll_object_modal" and view["submit"]["text"] == "Object"
    field = view["blocks"][-1]
    assert field["block_id"] == "reason" and field["optional"] is False

    before = council_state(bot_server.runtime.engine)
    status, answer = _submit(bot_server, "poll_object_modal", "reason", "   ", US,
                             view["private_metadata"])
    assert status == 200
    assert answer["response_action"] == "errors"
    assert answer["errors"]["reason"].startswith("Give the reason for the objection")
    assert council_state(bot_server.runtime.engine) == before

    status, answer = _submit(bot_server, "poll_object_modal", "reason",
                             "The text prejudges the talks.", US, view["private_metadata"])
    assert status == 200 and answer == {}
    update = _updates_with(bot_server, "*United States*: The text prejudges the talks.")[-1]
    assert update.params["ts"] == ts
    assert '"type": "actions"' not in json.dumps(update.params["blocks"])  # no more buttons
    assert "Proposal P1: blocked" in json.dumps(update.params["blocks"])
    calls = bot_server.fake.wait_for(lambda calls: any(
        c.method == "chat.postMessage" and c.params.get("thread_ts") == ts for c in calls))
    thread = [c.params for c in calls if c.method == "chat.postMessage"
              and c.params.get("thread_ts") == ts]
    assert thread[0]["text"] == "*Blocked*: United States objected: “The text prejudges the talks.”"
    notice = bot_server.fake.wait_for(lambda calls: any(
        c.method == "chat.postMessage" and "P1 is blocked" in str(c.params.get("text"))
        and "thread_ts" not in c.params for c in calls))
    assert notice

    # After the close a click is refused at once, naming the outcome, and opens nothing.
    assert _click(bot_server, "poll_concur", FR, ts, trigger="trig-2") == 200
    refusal = _ephemeral_to(bot_server, FR, "P1 is closed: it was blocked")
    assert "United States objected" in refusal["text"]
    assert len(bot_server.fake.calls_to("views.open")) == 1


def test_outsiders_clicks_are_refused_and_open_nothing(bot_server: BotServer) -> None:
    ts = _open_poll(bot_server)
    for action in ("poll_concur", "poll_object"):
        assert _click(bot_server, action, OUTSIDER, ts) == 200
    _ephemeral_to(bot_server, OUTSIDER, "Only delegations may take positions")
    bot_server.fake.wait_for(lambda calls: len(
        [c for c in calls if c.method == "chat.postEphemeral"]) >= 2)
    assert bot_server.fake.calls_to("views.open") == []
    # and a forged submission for the poll is refused inside the modal
    metadata = json.dumps({"proposal": 1, "version": 1, "channel": CHANNEL})
    status, answer = _submit(bot_server, "poll_concur_modal", "statement", "", OUTSIDER, metadata)
    assert status == 200 and answer["response_action"] == "errors"
    assert answer["errors"]["statement"].startswith("Only delegations may take positions")
    with Session(bot_server.runtime.engine) as s:
        assert list(s.exec(select(Position))) == []


def test_the_last_concurrence_by_button_adopts_and_announces_the_decision(
        bot_server: BotServer) -> None:
    ts = _open_poll(bot_server)
    for code in CODES[:-1]:
        assert run(bot_server.runtime, delegate(code), "concur P1").startswith("Recorded")
    assert _click(bot_server, "poll_concur", RU, ts) == 200
    view = _opened_view(bot_server)
    status, answer = _submit(bot_server, "poll_concur_modal", "statement", "", RU,
                             view["private_metadata"])
    assert status == 200 and answer == {}
    _ephemeral_to(bot_server, RU, "P1 is adopted as joint decision D1.")
    calls = bot_server.fake.wait_for(lambda calls: any(
        c.method == "chat.postMessage" and "Joint decision D1" in str(c.params.get("text"))
        for c in calls))
    announcement = next(c.params for c in calls if c.method == "chat.postMessage"
                        and "Joint decision D1" in str(c.params.get("text")))
    assert "thread_ts" not in announcement
    thread = bot_server.fake.wait_for(lambda calls: any(
        c.method == "chat.postMessage" and c.params.get("thread_ts") == ts
        and "*Adopted*" in str(c.params.get("text")) for c in calls))
    assert thread
    _updates_with(bot_server, "Proposal P1: adopted")
    with Session(bot_server.runtime.engine) as s:
        (decision,) = s.exec(select(JointDecision)).all()
    assert len(decision.positions) == 20


def test_a_modal_for_an_amended_text_is_refused_inside_the_modal(bot_server: BotServer) -> None:
    ts = _open_poll(bot_server)
    assert _click(bot_server, "poll_concur", FR, ts) == 200
    view = _opened_view(bot_server)
    _, ack = bot_server.command("amend P1 A different text", user="UCHAIRSG")
    assert str(ack["text"]).startswith("Amended P1 to version 2")
    _, answer = _submit(bot_server, "poll_concur_modal", "statement", "", FR,
                             view["private_metadata"])
    assert answer["response_action"] == "errors"
    assert "was amended while you were deciding" in answer["errors"]["statement"]


def test_a_modal_submitted_after_the_close_names_the_outcome_in_plain_text(
        bot_server: BotServer) -> None:
    ts = _open_poll(bot_server)
    assert _click(bot_server, "poll_concur", FR, ts) == 200
    view = _opened_view(bot_server)
    _, ack = bot_server.command("object P1 Not acceptable.", user=US)
    assert str(ack["text"]).endswith("closed as blocked.")
    _, answer = _submit(bot_server, "poll_concur_modal", "statement", "", FR,
                        view["private_metadata"])
    error = answer["errors"]["statement"]
    assert error.startswith("P1 is closed: it was blocked on Tue 1 Dec 2026, 10:00 CET; "
                            "United States objected: “Not acceptable.”"), error
    assert "<!date" not in error


def test_a_click_from_the_app_home_answers_in_a_direct_message(bot_server: BotServer) -> None:
    ts = _open_poll(bot_server)
    status, _, _ = bot_server.send(block_actions(
        "poll_concur", "1", user_id=FR, channel_id=None, message_ts=None,
        view={"id": "VHOME1", "type": "home"}, trigger_id="trig-home"))
    assert status == 200
    view = _opened_view(bot_server)
    assert json.loads(view["private_metadata"])["channel"] is None
    _, answer = _submit(bot_server, "poll_concur_modal", "statement", "", FR,
                        view["private_metadata"])
    assert answer == {}
    calls = bot_server.fake.wait_for(lambda calls: any(
        c.method == "chat.postMessage" and c.params.get("channel") == FR
        and "Recorded: France concurs" in str(c.params.get("text")) for c in calls))
    assert calls
    assert _updates_with(bot_server, "*Concurred (1):* France")[-1].params["ts"] == ts


def test_a_burst_of_positions_ends_in_one_message_and_one_home_per_viewer(
        bot_server: BotServer) -> None:
    """Twelve delegations concur at once: the poll message ends up showing all twelve, and
    the Chair's App Home, which every position concerns, is published once after the burst."""
    ts = _open_poll(bot_server)
    fake = bot_server.fake
    codes = CODES[:12]
    threads = [threading.Thread(target=bot_server.command, args=("concur P1",),
                                kwargs={"user": delegate(code)}) for code in codes]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    with Session(bot_server.runtime.engine) as s:
        assert len(s.exec(select(Position)).all()) == 12

    def shown(calls: list[Call]) -> bool:
        held = fake.message(CHANNEL, ts)
        return held is not None and "Concurred (12)" in json.dumps(held.get("blocks"))

    fake.wait_for(shown)
    updates = [c for c in fake.calls_to("chat.update") if c.params.get("ts") == ts]
    assert 1 <= len(updates) <= 12  # positions close together share an update
    homes = fake.wait_for(lambda calls: any(c.method == "views.publish"
                                            and c.params.get("user_id") == CHAIR
                                            for c in calls),
                          timeout=HOME_SETTLE.total_seconds() + 5)
    assert [c.params["user_id"] for c in homes if c.method == "views.publish"].count(CHAIR) == 1
    # The Home waited for the burst to settle; the poll message did not.
    first = min(c.at for c in homes if c.method == "views.publish")
    assert first - min(c.at for c in updates) >= HOME_SETTLE.total_seconds() / 2


def test_a_long_escaped_poll_text_is_split_between_escapes(bot_server: BotServer) -> None:
    """Issue 11, item 2: no section ends in ``&gt`` with the next beginning ``;``."""
    raw = "R&D<&>&<>" * 200  # 1,800 characters; 6,600 once escaped
    _open_poll(bot_server, f"propose 48h {raw}")
    (post,) = [p for p in bot_server.fake.posted() if "Proposal P1" in p["text"]]
    # The text in the first official language (the second follows below a divider).
    blocks = post["blocks"]
    first = blocks[:next((i for i, b in enumerate(blocks) if b["type"] == "divider"),
                         len(blocks))]
    texts = [b["text"]["text"] for b in first
             if b["type"] == "section" and "text" in b and "R&amp;D" in b["text"]["text"]]
    assert len(texts) == 3 and all(len(t) <= 3000 for t in texts)
    assert "".join(texts) == raw.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    for text in texts:
        debris = text.replace("&amp;", "").replace("&lt;", "").replace("&gt;", "")
        assert "&" not in debris and ";" not in debris, text[:40] + "…" + text[-40:]
    fallback = str(post["text"])  # chat.postMessage's text, cut to 3,000 with an ellipsis
    assert len(fallback) <= 3000 and fallback.endswith("\u2026")
    debris = fallback[:-1].replace("&amp;", "").replace("&lt;", "").replace("&gt;", "")
    assert "&" not in debris and ";" not in debris


# -- who opens a silence procedure, and for how long (issue 13) -------------------------


def _poll_post(bot: BotServer) -> dict[str, Any]:
    bot.fake.wait_for(lambda _calls: any("Proposal P1" in p["text"] for p in bot.fake.posted()))
    return next(p for p in bot.fake.posted() if "Proposal P1" in p["text"])


def test_a_delegations_short_silence_is_refused_over_slack(bot_server: BotServer) -> None:
    seat_council(bot_server.runtime)
    before = council_state(bot_server.runtime.engine)
    status, ack = bot_server.command("propose 6h Joint statement", user=RU)
    assert status == 200
    text = str(ack["text"])
    assert text.startswith("A delegation's proposal stays under silence for at least 24 hours "
                           "(the charter's minimum); "), text
    assert text.endswith("Usage: `/nrc propose [--explicit] [--area A] [--urgent <reason>] "
        "[--supersedes D] <deadline> <text>`")
    assert council_state(bot_server.runtime.engine) == before
    assert not [p for p in bot_server.fake.posted() if "Proposal" in p["text"]]


def test_the_chairs_urgent_poll_shows_its_reason_after_every_update(
        bot_server: BotServer) -> None:
    seat_council(bot_server.runtime)
    status, ack = bot_server.command(
        "propose --urgent \u201cferry in distress\u201d 6h Joint search and rescue operation",
        user=CHAIR)
    assert status == 200 and str(ack["text"]).startswith("Opened *P1*"), ack
    post = _poll_post(bot_server)
    assert "ferry in distress" in json.dumps(post["blocks"]) and "Urgent" in json.dumps(
        post["blocks"])
    status, ack = bot_server.command("concur P1", user=FR)  # the poll is rebuilt from records
    assert status == 200 and str(ack["text"]).startswith("Recorded"), ack
    update = _updates_with(bot_server, "*Concurred (1):* France")[-1].params
    assert "ferry in distress" in json.dumps(update["blocks"])


def test_a_saturday_deadline_is_said_in_the_reply_and_on_the_poll(bot_server: BotServer) -> None:
    seat_council(bot_server.runtime)
    status, ack = bot_server.command("propose 2026-12-05 12:00 Joint statement", user=RU)
    assert status == 200
    assert "the deadline falls on a Saturday; the Chair can move it with " \
           "`/nrc extend P1 <deadline>`." in str(ack["text"]), ack
    assert "it falls on a Saturday" in json.dumps(_poll_post(bot_server)["blocks"])


def test_an_experts_object_click_is_refused_saying_who_may(bot_server: BotServer) -> None:
    ts = _open_poll(bot_server)
    expert = delegate("RU", 2)
    run(bot_server.runtime, ADMIN, f"delegate add Russia {expert} expert")
    assert _click(bot_server, "poll_object", expert, ts) == 200
    _ephemeral_to(bot_server, expert, "Only the head or the deputy head of delegation may "
                                      "object for Russian Federation; you are its expert.")
    assert bot_server.fake.calls_to("views.open") == []
    metadata = json.dumps({"proposal": 1, "version": 1, "channel": CHANNEL})
    status, answer = _submit(bot_server, "poll_object_modal", "reason", "No.", expert, metadata)
    assert status == 200 and answer["response_action"] == "errors"
    assert answer["errors"]["reason"].startswith("Only the head or the deputy head")
    with Session(bot_server.runtime.engine) as s:
        assert list(s.exec(select(Position))) == []


def test_more_time_tells_the_chair_and_the_polls_thread(bot_server: BotServer) -> None:
    ts = _open_poll(bot_server)
    status, ack = bot_server.command("more-time P1 Our capital needs until Friday.", user=FR)
    assert status == 200 and ack["response_type"] == "ephemeral"
    assert ack["text"].startswith("The Chair is told that France asks for more time on P1")

    def posts(calls: list[Call], **match: Any) -> list[dict[str, Any]]:
        return [c.params for c in calls if c.method == "chat.postMessage"
                and all(c.params.get(k) == v for k, v in match.items())]

    calls = bot_server.fake.wait_for(
        lambda calls: posts(calls, thread_ts=ts) and posts(calls, channel="D" + CHAIR))
    [thread] = posts(calls, thread_ts=ts)
    [dm] = posts(calls, channel="D" + CHAIR)
    for said in (thread, dm):
        assert said["text"].startswith("France asks for more time on P1 (version 1): Our capital")
    _, again = bot_server.command("more-time P1 Still.", user=FR)
    assert again["text"].startswith("France has already asked for more time on version 1")
    with Session(bot_server.runtime.engine) as s:
        assert list(s.exec(select(Position))) == []
