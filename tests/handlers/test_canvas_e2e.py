"""End to end: a meeting scheduled by a signed slash command gets a canvas in the council
channel holding its agenda, edited when the agenda changes; on a workspace without
canvases the meeting goes on and the secretariat is told once."""

from __future__ import annotations

import json

from sqlmodel import Session, select

from bot import keys
from storage.models import Outbox
from tests.council import ADMIN, CHAIR, CHANNEL, delegate, seat_council
from tests.e2e import BotServer
from tests.fakeslack import Call

KEPT_BY = ("> Kept by nrc-bot from the council's records: an edit made here by hand is "
           "overwritten at the next change.")


def _params(calls: list[Call], method: str) -> list[dict[str, object]]:
    return [c.params for c in calls if c.method == method and not c.failed]


def _markdown(params: dict[str, object]) -> str:
    content = params["document_content"]
    assert isinstance(content, dict) and content["type"] == "markdown"
    return str(content["markdown"])


def _status(bot_server: BotServer, key: str) -> str | None:
    with Session(bot_server.runtime.engine) as session:
        return session.exec(select(Outbox.status).where(Outbox.key == key)).first()


def test_a_meeting_gets_a_canvas_with_its_agenda_edited_when_the_agenda_changes(
        bot_server: BotServer) -> None:
    seat_council(bot_server.runtime)
    status, ack = bot_server.command("schedule council-amb 2026-12-10 10:00 Monthly meeting",
                                     user=CHAIR)
    assert status == 200 and ack["text"].startswith("Scheduled M1")
    calls = bot_server.fake.wait_for(lambda calls: _params(calls, "canvases.create"))
    [created] = _params(calls, "canvases.create")
    assert created["channel_id"] == CHANNEL and created["title"] == "M1: Monthly meeting"
    document = _markdown(created)
    assert document.startswith(KEPT_BY)
    assert "# Meeting M1: Monthly meeting" in document
    assert "## Agenda (draft)\n\n_No items yet._" in document
    [canvas_id] = bot_server.fake.canvases()

    status, ack = bot_server.command("agenda M1 add Search and rescue at sea",
                                     user=delegate("NO"))
    assert status == 200 and ack["text"].startswith("Added item 1 to the agenda of M1")
    calls = bot_server.fake.wait_for(lambda calls: _params(calls, "canvases.edit"))
    [edit] = _params(calls, "canvases.edit")
    assert edit["canvas_id"] == canvas_id
    [change] = edit["changes"]  # type: ignore[misc]
    assert change["operation"] == "replace" and "section_id" not in change
    replaced = _markdown(change)
    assert replaced.startswith(KEPT_BY)
    assert "## Agenda (draft)\n\n1. Search and rescue at sea (open; added by Norway)" in replaced
    assert bot_server.fake.canvas(canvas_id)["markdown"] == replaced  # type: ignore[index]
    assert len(_params(bot_server.fake.calls, "canvases.create")) == 1


def test_without_canvases_the_meeting_goes_on_and_the_secretariat_is_told_once(
        bot_server: BotServer) -> None:
    seat_council(bot_server.runtime)
    bot_server.fake.refuse_canvases("paid_only")
    bot_server.command("schedule council-amb 2026-12-10 10:00 Monthly meeting", user=CHAIR)
    calls = bot_server.fake.wait_for(lambda calls: any(
        "meetings have no canvas" in str(p.get("text")) for p in _params(calls, "chat.postMessage")))
    status, ack = bot_server.command("agenda M1 add Search and rescue at sea",
                                     user=delegate("NO"))
    assert status == 200 and ack["text"].startswith("Added item 1 to the agenda of M1")
    status, ack = bot_server.command("schedule council-amb 2026-12-17 10:00 Second meeting",
                                     user=CHAIR)
    assert status == 200 and ack["text"].startswith("Scheduled M2")
    calls = bot_server.fake.wait_for(lambda calls: any(
        "1. Search and rescue at sea" in json.dumps(u.get("blocks"))
        for u in _params(calls, "chat.update")) and any(
        "Second meeting" in json.dumps(p.get("blocks")) for p in _params(calls, "chat.postMessage")))
    bot_server.fake.wait_for(lambda _: all(
        _status(bot_server, key) == "skipped"
        for key in (keys.meeting_canvas(1), keys.updated(keys.meeting_canvas(1)),
                    keys.meeting_canvas(2))))
    calls = bot_server.fake.calls
    canvases = [c for c in calls if c.method.startswith("canvases.")]
    assert [(c.method, c.failed) for c in canvases] == [("canvases.create", True)]
    notices = [p for p in _params(calls, "chat.postMessage")
               if "meetings have no canvas" in str(p.get("text"))]
    assert len(notices) == 1
    assert notices[0]["channel"] == CHANNEL
    assert str(notices[0]["text"]).startswith(
        f"<@{ADMIN}>: meetings have no canvas on this workspace (Slack answered "
        "`canvases.create: paid_only`")
