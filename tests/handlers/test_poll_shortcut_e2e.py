"""End to end: the global shortcut *Open consensus poll*, its modal and its submission.

Signed Slack requests against the real HTTP server; the fake Web API records views.open
and the poll posted in the council channel.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlmodel import Session, select

from bot.transports.bolt_app import slack_client
from handlers.slackport import SlackPort
from storage.models import Proposal
from tests.council import CHAIR, CHANNEL, OUTSIDER, Clock, delegate, seat_council
from tests.e2e import BotServer
from tests.slackreq import global_shortcut, view_submission

FR = delegate("FR")


def _opened(server: BotServer, trigger: str) -> dict[str, Any]:
    calls = server.fake.wait_for(lambda calls: any(
        c.method == "views.open" and c.params["trigger_id"] == trigger for c in calls))
    [view] = [c.params["view"] for c in calls
              if c.method == "views.open" and c.params["trigger_id"] == trigger]
    return dict(view)


def _blocks(view: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {b["block_id"]: b for b in view["blocks"] if "block_id" in b}


def _state(text: str, deadline: datetime, *, procedure: str = "silence", area: str | None = None,
           urgent: str | None = None) -> dict[str, Any]:
    state: dict[str, Any] = {
        "text": {"text": text},
        "deadline": {"deadline": {"type": "datetimepicker",
                                  "selected_date_time": int(deadline.timestamp())}},
        "procedure": {"procedure": {"type": "radio_buttons",
                                    "selected_option": {"value": procedure}}},
        "area": {"area": {"type": "static_select",
                          "selected_option": {"value": area} if area else None}},
    }
    if urgent is not None:
        state["urgent"] = {"urgent": urgent}
    return state


def _submit(server: BotServer, user: str, state: dict[str, Any]) -> Any:
    status, _, raw = server.send(view_submission("open_poll_modal", state, user_id=user))
    assert status == 200
    return json.loads(raw) if raw not in (b"", b"{}") else None


def test_the_shortcut_opens_the_form_and_its_submission_posts_the_poll(
        bot_server: BotServer, clock: Clock) -> None:
    seat_council(bot_server.runtime)
    status, _, _ = bot_server.send(global_shortcut("open_poll", user_id=FR, trigger_id="trig-1"))
    assert status == 200
    view = _opened(bot_server, "trig-1")
    assert view["callback_id"] == "open_poll_modal"
    blocks = _blocks(view)
    assert list(blocks) == ["text", "deadline", "procedure", "area"]  # no urgency: not the Chair
    picker = blocks["deadline"]["element"]
    assert picker["type"] == "datetimepicker"
    first = datetime.fromtimestamp(picker["initial_date_time"], UTC)
    assert clock.now + timedelta(hours=24) < first <= clock.now + timedelta(hours=24, minutes=30)
    assert blocks["procedure"]["element"]["type"] == "radio_buttons"
    assert {"value": "sar"} in [{"value": o["value"]} for o in blocks["area"]["element"]["options"]]

    deadline = clock.now + timedelta(hours=48)
    assert _submit(bot_server, FR, _state("Joint statement on rescue at sea", deadline,
                                          procedure="explicit", area="sar")) is None
    with Session(bot_server.runtime.engine) as s:
        proposal = s.exec(select(Proposal)).one()
    assert (proposal.text, proposal.mode, proposal.area, proposal.proposer_user_id) == (
        "Joint statement on rescue at sea", "explicit", "sar", FR)
    assert proposal.deadline == deadline
    bot_server.runtime.deliver(SlackPort(slack_client(bot_server.runtime.settings)))
    calls = bot_server.fake.wait_for(lambda calls: any(
        c.method == "chat.postMessage" and c.params.get("channel") == CHANNEL
        and "Proposal P1" in json.dumps(c.params.get("blocks")) for c in calls))
    told = [c.params for c in calls
            if c.method == "chat.postMessage" and c.params.get("channel") == FR]
    assert told and told[0]["text"].startswith("Opened *P1* (explicit procedure)")


def test_a_refused_submission_shows_the_error_on_its_field(
        bot_server: BotServer, clock: Clock) -> None:
    seat_council(bot_server.runtime)
    soon = clock.now + timedelta(hours=6)
    answer = _submit(bot_server, FR, _state("Text", soon))
    assert answer["response_action"] == "errors"
    assert list(answer["errors"]) == ["deadline"]
    assert answer["errors"]["deadline"].startswith(
        "A delegation's proposal stays under silence for at least 24 hours")
    answer = _submit(bot_server, FR, _state("Text", clock.now - timedelta(hours=1)))
    assert answer["errors"]["deadline"].endswith("is in the past.")
    answer = _submit(bot_server, FR, _state("   ", clock.now + timedelta(hours=48)))
    assert answer["errors"] == {"text": "Give the text of the proposal."}
    answer = _submit(bot_server, OUTSIDER, _state("Text", clock.now + timedelta(hours=48)))
    assert list(answer["errors"]) == ["text"]
    assert answer["errors"]["text"].startswith("Only delegations or the Chair may open")
    with Session(bot_server.runtime.engine) as s:
        assert s.exec(select(Proposal)).all() == []


def test_the_chair_sees_urgency_and_may_go_below_the_minimum_with_a_reason(
        bot_server: BotServer, clock: Clock) -> None:
    seat_council(bot_server.runtime)
    bot_server.send(global_shortcut("open_poll", user_id=CHAIR, trigger_id="trig-c"))
    assert "urgent" in _blocks(_opened(bot_server, "trig-c"))
    soon = clock.now + timedelta(hours=6)
    answer = _submit(bot_server, CHAIR, _state("Rescue operation", soon, urgent=""))
    assert list(answer["errors"]) == ["urgent"]
    assert _submit(bot_server, CHAIR, _state("Rescue operation", soon,
                                             urgent="ferry in distress")) is None
    with Session(bot_server.runtime.engine) as s:
        assert s.exec(select(Proposal)).one().deadline == soon


def test_someone_who_may_not_propose_is_told_why_in_a_modal(bot_server: BotServer) -> None:
    seat_council(bot_server.runtime)
    bot_server.send(global_shortcut("open_poll", user_id=OUTSIDER, trigger_id="trig-o"))
    view = _opened(bot_server, "trig-o")
    assert "callback_id" not in view
    assert "Only delegations or the Chair may open consensus polls" in json.dumps(view["blocks"])


def test_the_form_is_in_the_language_its_reader_chose(bot_server: BotServer,
                                                      clock: Clock) -> None:
    """Issue 15: a delegate who reads the bot in French gets the form, and what the form
    says back, in French; the area's name is the charter's French one."""
    seat_council(bot_server.runtime)
    assert "français" in bot_server.runtime.run_command(FR, CHANNEL, "language fr").text
    bot_server.send(global_shortcut("open_poll", user_id=FR, trigger_id="trig-fr"))
    view = _opened(bot_server, "trig-fr")
    assert (view["title"]["text"], view["submit"]["text"], view["close"]["text"]) == (
        "Consultation", "Ouvrir", "Annuler")
    blocks = _blocks(view)
    assert blocks["text"]["label"]["text"] == "Texte de la proposition"
    assert blocks["deadline"]["label"]["text"] == "Échéance"
    assert blocks["deadline"]["hint"]["text"] == "Au plus 90 jours à l'avance."
    options = [o["text"]["text"] for o in blocks["procedure"]["element"]["options"]]
    assert options[0].startswith("Procédure d'approbation tacite : ")
    assert blocks["area"]["label"]["text"] == "Domaine de coopération"
    assert {"text": {"type": "plain_text", "text": "Recherche et sauvetage en mer"},
            "value": "sar"} in blocks["area"]["element"]["options"]
    assert "Toute objection bloque." in json.dumps(view, ensure_ascii=False)
    state = _state("Texte", clock.now + timedelta(hours=48))
    del state["deadline"]
    assert _submit(bot_server, FR, state)["errors"] == {"deadline": "Choisissez l'échéance."}
