"""End to end: implementation issues, the App Home and the audit log over signed Slack requests.

The real WSGI app on 127.0.0.1, a fake Slack Web API recording every call.
"""

from __future__ import annotations

import json
from typing import Any

from sqlmodel import Session, select

from bot.outbox import HOME_SETTLE
from bot.transports.bolt_app import slack_client
from handlers.slackport import SlackPort
from storage.models import ImplementationIssue, Outbox
from tests.council import ADMIN, CHAIR, CHANNEL, CODES, OUTSIDER, delegate, run, seat_council
from tests.e2e import BotServer
from tests.fakeslack import Call
from tests.slackreq import app_home_opened, message_action, view_submission

RU, FR = delegate("RU"), delegate("FR")
DECISION_TEXT = "Joint search and rescue exercise at sea in 2027."


def deliver(server: BotServer) -> None:
    """Send everything the outbox holds now, in this thread."""
    server.runtime.deliver(SlackPort(slack_client(server.runtime.settings)))


def ts_of(server: BotServer, key: str) -> str:
    with Session(server.runtime.engine) as s:
        row = s.exec(select(Outbox).where(Outbox.key == key)).one()
    assert row.ts, f"{key} was not posted"
    return row.ts


def adopt_decision(server: BotServer) -> str:
    """Seat the council, adopt D1 by every member's concurrence; return its announcement's ts."""
    rt = server.runtime
    seat_council(rt)
    assert run(rt, FR, f"propose 48h {DECISION_TEXT}").startswith("Opened *P1*")
    for code in CODES:
        run(rt, delegate(code), "concur P1")
    deliver(server)
    return ts_of(server, "decision:1")


def posts(calls: list[Call], **match: Any) -> list[dict[str, Any]]:
    found = []
    for call in calls:
        if call.method != "chat.postMessage":
            continue
        if all(call.params.get(k) == v for k, v in match.items()):
            found.append(call.params)
    return found


def published(calls: list[Call], user: str) -> list[dict[str, Any]]:
    return [c.params["view"] for c in calls
            if c.method == "views.publish" and c.params.get("user_id") == user]


def text_of(view_or_post: dict[str, Any]) -> str:
    return json.dumps(view_or_post.get("blocks", []), ensure_ascii=False)


def audit_lines(server: BotServer, n: int) -> list[str]:
    status, ack = server.command(f"audit {n}", user=ADMIN)
    assert status == 200
    return "\n".join(b["text"]["text"] for b in ack["blocks"]
                     if b["type"] == "section" and "text" in b).splitlines()[1:]


def test_raise_by_command_threads_under_the_decision_and_joins_the_agenda(
        bot_server: BotServer) -> None:
    decision_ts = adopt_decision(bot_server)
    rt = bot_server.runtime
    assert run(rt, CHAIR, "schedule council-amb 2026-12-17 10:00").startswith("Scheduled M1")
    status, ack = bot_server.command("raise D1 The exercise was not held <!here>.", user=RU)
    assert status == 200 and ack["response_type"] == "ephemeral"
    assert ack["text"].startswith("Raised *I1* for Russian Federation on joint decision *D1*")
    deliver(bot_server)
    calls = bot_server.fake.wait_for(
        lambda calls: posts(calls, thread_ts=decision_ts) and posts(calls, channel="D" + CHAIR))
    [issue] = [p for p in posts(calls, thread_ts=decision_ts) if "raises an issue" in p["text"]]
    assert issue["channel"] == CHANNEL
    assert "*Russian Federation* (<@UDEL0RU1>) raises an issue on the implementation of joint " \
           "decision *D1*" in issue["text"]
    assert "&lt;!here&gt;" in issue["text"] and "<!here>" not in issue["text"]
    [notice] = [p for p in posts(calls, channel=CHANNEL)
                if "raised implementation issue *I1*" in p.get("text", "")]
    assert "thread_ts" not in notice
    [dm] = posts(calls, channel="D" + CHAIR)
    assert "`/nrc resolve I1 <note>`" in dm["text"]
    # On the agenda of M1: the announcement is updated in place, and `agenda` lists it.
    update = [c for c in calls if c.method == "chat.update"
              and c.params["ts"] == ts_of(bot_server, "meeting:1")]
    assert "Implementation issue I1 on joint decision D1" in text_of(update[-1].params)
    _, agenda = bot_server.command("agenda M1", user=OUTSIDER)
    assert ("1. Implementation issue I1 on joint decision D1: The exercise was not held "
            "&lt;!here&gt;. _(Russian Federation)_") in text_of(agenda)
    # The raising delegate's Home now lists the issue.
    bot_server.fake.wait_for(lambda calls: any(
        "*I1* on D1 (Russian Federation)" in text_of(v) for v in published(calls, RU)),
        timeout=HOME_SETTLE.total_seconds() + 5)

    status, ack = bot_server.command("resolve I1 Not allowed.", user=RU)
    assert ack["text"] == ("Only the Chair or the secretariat may resolve implementation issues.\n"
                           "Usage: `/nrc resolve <I> <note>`")
    status, ack = bot_server.command("resolve I1 The exercise is now set for March.", user=CHAIR)
    assert ack["text"] == "Resolved *I1*; the note is posted in the thread under D1."
    deliver(bot_server)
    calls = bot_server.fake.wait_for(lambda calls: any(
        "is resolved" in p["text"] for p in posts(calls, thread_ts=decision_ts)))
    [resolved] = [p for p in posts(calls, thread_ts=decision_ts) if "is resolved" in p["text"]]
    assert ">The exercise is now set for March." in resolved["text"]
    lines = audit_lines(bot_server, 2)
    assert f"<@{CHAIR}> (the Chair) \u00b7 *issue.resolve* \u00b7 concerns Russian Federation" \
        in lines[0]
    assert f"<@{RU}> (delegate of Russian Federation) \u00b7 *issue.raise* \u2014 issue=1 " \
        "decision=1" in lines[1]


def test_raise_by_the_message_shortcut(bot_server: BotServer) -> None:
    decision_ts = adopt_decision(bot_server)
    fake = bot_server.fake
    status, _, _ = bot_server.send(message_action(
        "raise_issue", user_id=FR, channel_id=CHANNEL, message_ts=decision_ts,
        message_text="The rescue vessels were not made available.", trigger_id="trig-1"))
    assert status == 200
    calls = fake.wait_for(lambda calls: any(c.method == "views.open" for c in calls))
    [permalink] = [c for c in calls if c.method == "chat.getPermalink"]
    assert (permalink.params["channel"], permalink.params["message_ts"]) == (CHANNEL, decision_ts)
    [opened] = [c for c in calls if c.method == "views.open"]
    assert opened.params["trigger_id"] == "trig-1"
    modal = opened.params["view"]
    assert modal["callback_id"] == "raise_issue_modal"
    select_ = modal["blocks"][1]["element"]
    assert select_["type"] == "static_select"
    assert select_["options"][0]["text"]["text"] == f"D1: {DECISION_TEXT}"
    assert select_["initial_option"]["value"] == "1"  # shortcut on the decision's own message
    link = f"https://test.slack.com/archives/{CHANNEL}/p{decision_ts.replace('.', '')}"
    assert modal["blocks"][2]["element"]["initial_value"] == (
        f"The rescue vessels were not made available.\n\n{link}")

    # Submitted without a decision: the modal says what is missing, nothing is recorded.
    status, _, raw = bot_server.send(view_submission(
        "raise_issue_modal", {"decision": {"decision": {"type": "static_select",
                                                        "selected_option": None}},
                              "text": {"text": "x"}},
        user_id=FR, private_metadata=modal["private_metadata"]))
    assert status == 200
    assert json.loads(raw) == {"response_action": "errors",
                               "errors": {"decision": "Choose the joint decision."}}
    status, _, raw = bot_server.send(view_submission(
        "raise_issue_modal",
        {"decision": {"decision": {"type": "static_select",
                                   "selected_option": {"value": "1"}}},
         "text": {"text": f"Vessels were not made available.\n\n{link}"}},
        user_id=FR, private_metadata=modal["private_metadata"]))
    assert status == 200 and raw in (b"", b"{}")
    with Session(bot_server.runtime.engine) as s:
        issue = s.exec(select(ImplementationIssue)).one()
    assert (issue.raised_by, issue.decision_id, issue.source_link) == (FR, 1, link)
    deliver(bot_server)
    calls = fake.wait_for(lambda calls: any(
        "raises an issue" in p["text"] for p in posts(calls, thread_ts=decision_ts))
        and any(c.method == "chat.postEphemeral" for c in calls))
    [thread] = [p for p in posts(calls, thread_ts=decision_ts) if "raises an issue" in p["text"]]
    assert "*France* (<@UDEL0FR1>) raises an issue" in thread["text"]
    [told] = [c.params for c in calls if c.method == "chat.postEphemeral"]
    assert (told["channel"], told["user"]) == (CHANNEL, FR)
    assert told["text"].startswith("Raised *I1* for France")
    [line] = audit_lines(bot_server, 1)
    assert f"<@{FR}> (delegate of France) \u00b7 *issue.raise*" in line and f"source={link}" in line

    # Someone outside the delegations is told why at once, in a modal.
    bot_server.send(message_action("raise_issue", user_id=OUTSIDER, channel_id=CHANNEL,
                                   message_ts=decision_ts, message_text="x", trigger_id="trig-2"))
    calls = fake.wait_for(lambda calls: any(
        c.method == "views.open" and c.params["trigger_id"] == "trig-2" for c in calls))
    [refusal] = [c.params["view"] for c in calls
                 if c.method == "views.open" and c.params["trigger_id"] == "trig-2"]
    assert "callback_id" not in refusal
    assert ("Only delegations may raise implementation issues; you are not in a member's "
            "delegation.") in text_of(refusal)


def test_the_shortcut_prefills_what_a_person_reads_not_slacks_escapes(
        bot_server: BotServer) -> None:
    """Issue 11, item 3: ``&gt; quote <@U01>`` is shown as ``> quote @name``."""
    decision_ts = adopt_decision(bot_server)
    fake = bot_server.fake
    ivanov = delegate("RU")

    def users_info(params: dict[str, Any]) -> dict[str, Any]:  # as Slack answers users.info
        if params.get("user") != ivanov:
            return {"ok": False, "error": "user_not_found"}
        return {"ok": True, "user": {"id": ivanov, "name": "iivanov", "real_name": "Ivan Ivanov",
                                     "profile": {"display_name": "Ivanov",
                                                 "real_name": "Ivan Ivanov"}}}

    fake.respond_with("users.info", users_info)
    escaped = ("&gt; quote <@" + ivanov + "> &amp; <@UDEL0FR1|dupont> in <#CCOUNCIL1|nrc>, "
               "R&amp;D &lt;b&gt; at <https://nato.int/x|the record> <!here> "
               "<!date^1796025600^{date_short}|17 Dec 2026> <@UGONE001>")
    bot_server.send(message_action("raise_issue", user_id=FR, channel_id=CHANNEL,
                                   message_ts=decision_ts, message_text=escaped,
                                   trigger_id="trig-9"))
    calls = fake.wait_for(lambda calls: any(c.method == "views.open" for c in calls))
    [opened] = [c for c in calls if c.method == "views.open"]
    link = f"https://test.slack.com/archives/{CHANNEL}/p{decision_ts.replace('.', '')}"
    assert opened.params["view"]["blocks"][2]["element"]["initial_value"] == (
        "> quote @Ivanov & @dupont in #nrc, R&D <b> at the record (https://nato.int/x) @here "
        f"17 Dec 2026 @UGONE001\n\n{link}")
    # A mention that carries its name needs no look-up (the language look-ups, which ask
    # for the locale, are the clicker's own, not the prefill's).
    assert sorted(c.params["user"] for c in calls if c.method == "users.info"
                  and not c.params.get("include_locale")) == [ivanov, "UGONE001"]


def test_withdraw_is_for_the_raising_delegation(bot_server: BotServer) -> None:
    decision_ts = adopt_decision(bot_server)
    bot_server.command("raise D1 Not carried out.", user=RU)
    _, ack = bot_server.command("withdraw I1", user=FR)
    assert ack["text"].startswith("Only the Chair, the secretariat or the raising delegation "
                                  "may withdraw this issue.")
    _, ack = bot_server.command("withdraw I1", user=RU)
    assert ack["text"] == "Withdrew *I1* (raised by Russian Federation on D1)."
    _, ack = bot_server.command("resolve I1 late", user=CHAIR)
    assert ack["text"].startswith("I1 is already withdrawn.")
    deliver(bot_server)
    calls = bot_server.fake.wait_for(lambda calls: any(
        "withdrawn" in p["text"] for p in posts(calls, thread_ts=decision_ts)))
    [reply] = [p for p in posts(calls, thread_ts=decision_ts) if "withdrawn" in p["text"]]
    assert reply["text"] == (f"Implementation issue *I1* was withdrawn by <@{RU}> for "
                             "Russian Federation; it is off the agenda.")
    lines = audit_lines(bot_server, 2)
    assert f"<@{RU}> (delegate of Russian Federation) \u00b7 *issue.withdraw*" in lines[0]
    assert "*issue.raise*" in lines[1]


def test_the_app_home_is_published_for_a_delegate(bot_server: BotServer) -> None:
    adopt_decision(bot_server)
    rt = bot_server.runtime
    run(rt, FR, "propose 72h Common assessment of terrorist threats.")
    run(rt, RU, "raise D1 Not carried out.")
    deliver(bot_server)
    fake = bot_server.fake
    before = len(published(fake.calls, RU))
    status, _, _ = bot_server.send(app_home_opened(RU, event_id="Ev0001"))
    assert status == 200
    calls = fake.wait_for(lambda calls: len(published(calls, RU)) == before + 1)
    view = published(calls, RU)[-1]
    assert view["type"] == "home"
    assert view["blocks"][0] == {"type": "header", "text": {
        "type": "plain_text", "text": "NATO-Russia Council", "emoji": True}}
    body = text_of(view)
    assert "You act for *Russian Federation* as head of delegation." in body
    assert "*P2*: Common assessment of terrorist threats." in body
    assert "*I1* on D1 (Russian Federation): Not carried out." in body
    [actions] = [b for b in view["blocks"] if b["type"] == "actions"]
    assert [(e["action_id"], e["value"]) for e in actions["elements"]] == [
        ("poll_concur", "2"), ("poll_object", "2")]
    # Slack retries the same event: nothing is published twice. Another event does publish.
    bot_server.send(app_home_opened(RU, event_id="Ev0001"))
    bot_server.send(app_home_opened(OUTSIDER, event_id="Ev0002"))
    bot_server.send(app_home_opened(CHAIR, event_id="Ev0003"))
    calls = fake.wait_for(lambda calls: published(calls, OUTSIDER) and published(calls, CHAIR))
    assert "You are not in a member\u2019s delegation" in text_of(published(calls, OUTSIDER)[-1])
    assert "The council at a glance, for the Secretary General." in text_of(
        published(calls, CHAIR)[-1])
    bot_server.send(app_home_opened(RU, event_id="Ev0004"))
    calls = fake.wait_for(lambda calls: len(published(calls, RU)) >= before + 2)
    assert len(published(calls, RU)) == before + 2


def test_the_shortcut_says_so_when_slack_cannot_open_the_form(bot_server: BotServer) -> None:
    decision_ts = adopt_decision(bot_server)
    bot_server.fake.fail_next("views.open", ok_false_error="expired_trigger_id")
    status, _, _ = bot_server.send(message_action(
        "raise_issue", user_id=RU, channel_id=CHANNEL, message_ts=decision_ts,
        message_text="Late."))
    assert status == 200
    calls = bot_server.fake.wait_for(
        lambda calls: any(c.method == "chat.postEphemeral" for c in calls))
    [told] = [c.params for c in calls if c.method == "chat.postEphemeral"]
    assert (told["channel"], told["user"]) == (CHANNEL, RU)
    assert told["text"] == ("Slack could not open the form; try the shortcut again, or use "
                            "`/nrc raise <D> <text>`.")
    with Session(bot_server.runtime.engine) as s:
        assert s.exec(select(ImplementationIssue)).all() == []
