"""Delivering canvases: created once, edits coalesced and waiting for the canvas, and a
workspace without canvases told once."""

from __future__ import annotations

from sqlmodel import Session, col, select

from bot import keys
from bot.messages import Message
from bot.outbox import Unavailable
from bot.runtime import Runtime
from storage.models import Outbox
from tests.council import CHAIR, delegate, run, seat_council


class CanvasPort:
    """Records posts and canvases; ``refuse`` makes every canvas call Unavailable."""

    def __init__(self, refuse: str | None = None) -> None:
        self.refuse = refuse
        self.calls: list[tuple[str, str]] = []
        self.documents: dict[str, str] = {}
        self._n = 0

    def post(self, channel: str | None, message: Message, thread_ts: str | None,
             key: str) -> tuple[str, str]:
        self._n += 1
        self.calls.append(("post", message.text))
        return channel or "C", f"{self._n}.0"

    def dm(self, user_id: str, message: Message, key: str) -> tuple[str, str]:
        return self.post("D" + user_id, message, None, key)

    def update(self, channel: str, ts: str, message: Message) -> None:
        self.calls.append(("update", ts))

    def publish_home(self, user_id: str, message: Message) -> None:
        pass

    def find(self, *args: object) -> None:
        return None

    def create_canvas(self, channel: str, title: str, markdown: str, key: str) -> str:
        if self.refuse:
            raise Unavailable(f"canvases.create: {self.refuse}")
        canvas_id = f"F{len(self.documents) + 1}"
        self.documents[canvas_id] = markdown
        self.calls.append(("create", f"{channel} {title}"))
        return canvas_id

    def edit_canvas(self, canvas_id: str, markdown: str) -> None:
        if self.refuse:
            raise Unavailable(f"canvases.edit: {self.refuse}")
        self.documents[canvas_id] = markdown
        self.calls.append(("edit", canvas_id))


def _row(runtime: Runtime, key: str) -> Outbox:
    with Session(runtime.engine) as session:
        return session.exec(select(Outbox).where(col(Outbox.key) == key)).one()


def test_a_burst_of_changes_is_one_edit_of_the_canvas_created_once(runtime: Runtime) -> None:
    seat_council(runtime)
    run(runtime, CHAIR, "schedule council-amb 2026-12-10 10:00 Monthly meeting")
    port = CanvasPort()
    runtime.deliver(port)
    assert [c for c in port.calls if c[0] != "post"] == [
        ("create", "CCOUNCIL1 M1: Monthly meeting")]
    canvas = _row(runtime, keys.meeting_canvas(1))
    assert (canvas.status, canvas.ts, canvas.posted_channel) == ("sent", "F1", "CCOUNCIL1")
    for text in ("Search and rescue at sea", "Missile defence", "Exercise report"):
        run(runtime, delegate("NO"), f"agenda M1 add {text}")
    runtime.deliver(port)
    assert [c for c in port.calls if c[0] in ("create", "edit")] == [
        ("create", "CCOUNCIL1 M1: Monthly meeting"), ("edit", "F1")]
    assert "3. Exercise report (open; added by Norway)" in port.documents["F1"]
    runtime.deliver(port)
    assert len([c for c in port.calls if c[0] == "edit"]) == 1


def test_an_edit_waits_for_its_canvas_and_a_refusal_is_said_once(runtime: Runtime) -> None:
    seat_council(runtime)
    run(runtime, CHAIR, "schedule council-amb 2026-12-10 10:00 Monthly meeting")
    run(runtime, delegate("NO"), "agenda M1 add Search and rescue at sea")
    port = CanvasPort(refuse="paid_only")
    report = runtime.deliver(port)
    assert report.skipped == 2 and report.failed == 0
    notices = [text for kind, text in port.calls if "meetings have no canvas" in text]
    assert len(notices) == 1 and "`canvases.create: paid_only`" in notices[0]
    edit = _row(runtime, keys.updated(keys.meeting_canvas(1)))
    assert (edit.status, edit.last_error) == ("skipped", "canvases are unavailable on this "
                                                         "workspace")
    assert _row(runtime, keys.meeting_canvas(1)).last_error == "canvases.create: paid_only"
    run(runtime, CHAIR, "schedule council-amb 2026-12-17 10:00 Second meeting")
    port.calls.clear()
    runtime.deliver(port)
    assert _row(runtime, keys.meeting_canvas(2)).status == "skipped"
    assert [kind for kind, _ in port.calls] == ["post"]  # the announcement; no canvas, no notice
