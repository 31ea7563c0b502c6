"""Positions by button (issue 13) end to end: the one-click Concur behind Slack's confirm,
and the Concur with statement… form with a statement's kind or its withdrawal."""

from __future__ import annotations

import json
from typing import Any

from sqlmodel import Session, select

from storage.models import Position
from tests.council import CHANNEL, delegate
from tests.e2e import BotServer
from tests.handlers.test_polls_e2e import (
    _click,
    _ephemeral_to,
    _open_poll,
    _opened_view,
    _updates_with,
)
from tests.slackreq import view_submission

RU, FR = delegate("RU"), delegate("FR")


def _submit(bot: BotServer, values: dict[str, Any], user: str,
            metadata: str) -> tuple[int, dict[str, Any]]:
    status, _, raw = bot.send(view_submission("poll_concur_modal", values, user_id=user,
                                              private_metadata=metadata))
    return status, json.loads(raw) if raw.strip() else {}


def _kind(value: str) -> dict[str, Any]:
    return {"statement_kind": {"statement_kind": {
        "type": "static_select", "selected_option": {"value": value}}}}


def test_concur_in_one_click_behind_slacks_confirm_updates_the_poll(
        bot_server: BotServer) -> None:
    ts = _open_poll(bot_server)
    (post,) = [p for p in bot_server.fake.posted() if "Proposal P1" in p["text"]]
    button = next(b for b in post["blocks"] if b["type"] == "actions")["elements"][0]
    assert button["confirm"] == {
        "title": {"type": "plain_text", "text": "Concur with P1? · Approuver P1 ?"},
        "text": {"type": "plain_text", "text": "Concur for your member with version 1 of P1? "
                 "A statement your member has is kept.\n\nApprouver, au nom de votre membre, "
                 "la version 1 de P1 ? Une déclaration déjà faite par votre membre est "
                 "conservée."},
        "confirm": {"type": "plain_text", "text": "Concur"},
        "deny": {"type": "plain_text", "text": "Cancel"},
        "style": "primary",
    }
    # Slack sends the click only once the delegate confirmed.
    assert _click(bot_server, "poll_concur_now", FR, ts, value="1:1") == 200
    update = _updates_with(bot_server, "*Concurred (1):* France")[-1].params
    assert update["channel"] == CHANNEL and update["ts"] == ts
    _ephemeral_to(bot_server, FR, "Recorded: France concurs on P1.")
    assert not bot_server.fake.calls_to("views.open")  # no modal
    # A second click changes nothing twice.
    assert _click(bot_server, "poll_concur_now", FR, ts, value="1:1") == 200
    _ephemeral_to(bot_server, FR, "France already concurs on P1; nothing changed.")
    with Session(bot_server.runtime.engine) as s:
        assert len(list(s.exec(select(Position)))) == 1


def test_a_one_click_concur_on_an_amended_text_is_refused(bot_server: BotServer) -> None:
    ts = _open_poll(bot_server)
    assert _click(bot_server, "poll_concur_now", FR, ts, value="1:2") == 200
    _ephemeral_to(bot_server, FR, "P1 was amended while you were deciding")
    assert _click(bot_server, "poll_concur_now", FR, ts, value="x") == 200
    _ephemeral_to(bot_server, FR, "This button names no poll.")
    with Session(bot_server.runtime.engine) as s:
        assert list(s.exec(select(Position))) == []


def test_the_statement_form_records_a_kind_and_withdraws_it(bot_server: BotServer) -> None:
    ts = _open_poll(bot_server)
    assert _click(bot_server, "poll_concur", FR, ts) == 200
    view = _opened_view(bot_server)
    assert view["callback_id"] == "poll_concur_modal"
    select_block = next(b for b in view["blocks"] if b.get("block_id") == "statement_kind")
    assert [o["text"]["text"] for o in select_block["element"]["options"]] == [
        "Interpretative statement", "Reservation", "Statement for the record"]
    assert not any(b.get("block_id") == "withdraw_statement" for b in view["blocks"])

    values = {**_kind("reservation"), "statement": {"statement": "Subject to ratification."}}
    status, answer = _submit(bot_server, values, FR, view["private_metadata"])
    assert status == 200 and answer == {}
    _updates_with(bot_server, "France, reservation:_ Subject to ratification.")
    _ephemeral_to(bot_server, FR, "Recorded: France concurs on P1.")

    # Opened again: pre-filled with the statement and its kind, and the withdrawal offered.
    assert _click(bot_server, "poll_concur", FR, ts, trigger="trig-2") == 200
    view = _opened_view(bot_server, 2)
    blocks = {b.get("block_id"): b for b in view["blocks"]}
    assert blocks["statement"]["element"]["initial_value"] == "Subject to ratification."
    assert blocks["statement_kind"]["element"]["initial_option"]["value"] == "reservation"
    assert blocks["withdraw_statement"]["element"]["type"] == "checkboxes"

    values = {**_kind("reservation"), "statement": {"statement": "Subject to ratification."},
              "withdraw_statement": {"withdraw_statement": {
                  "type": "checkboxes", "selected_options": [{"value": "withdraw"}]}}}
    status, answer = _submit(bot_server, values, FR, view["private_metadata"])
    assert status == 200 and answer == {}
    _ephemeral_to(bot_server, FR, "without a statement: the statement recorded by")
    with Session(bot_server.runtime.engine) as s:
        (position,) = s.exec(select(Position)).all()
        assert (position.stance, position.statement, position.statement_kind) == (
            "concur", None, None)
