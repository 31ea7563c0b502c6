"""Delivering canvases: create one in the channel, replace its document, or do without.

A canvas row (``OutboxKind.CANVAS``) is created once, whichever process claims it; the
canvas's id is kept in the row's ``ts``. An edit (``OutboxKind.CANVAS_EDIT``) waits
until its canvas exists. When Slack answers that the workspace has no canvases
(:class:`Unavailable`), the row is skipped and the secretariat is told once: the notice's
key (``keys.canvas_unavailable``) is unique in the council, so "once" holds across
replicas, and while it exists later canvas rows are skipped without asking Slack.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from sqlalchemy.engine import Engine
from sqlmodel import Session, select

from bot import keys
from bot.messages import Message
from bot.outbox.port import Port, Waiting
from bot.outbox.record import post
from storage.engine import reading, transaction
from storage.models import Outbox
from storage.statuses import OutboxKind, OutboxStatus

#: Settled with the row when it is skipped because the workspace has no canvases.
UNAVAILABLE = "canvases are unavailable on this workspace"


class Skipped(Exception):
    """Not to be sent at all (its reason is kept in ``last_error``)."""


def _said(session: Session, council_id: int) -> bool:
    """Whether the council was told its workspace has no canvases (so none is tried)."""
    return session.execute(select(Outbox.id).where(
        Outbox.council_id == council_id, Outbox.key == keys.canvas_unavailable())).first() is not None


def _canvas_of(session: Session, council_id: int, key: str) -> tuple[str, str]:
    """(channel, canvas id) of the canvas ``key``; Waiting until created, Skipped if it
    never will be."""
    found = session.execute(
        select(Outbox.status, Outbox.posted_channel, Outbox.ts)
        .where(Outbox.council_id == council_id, Outbox.key == key)).first()
    if found is not None and found.ts:
        return str(found.posted_channel or ""), str(found.ts)
    if found is None or found.status in (OutboxStatus.SKIPPED, OutboxStatus.FAILED):
        raise Skipped(f"its canvas {key} was not created")
    raise Waiting(f"waiting for the canvas {key} to be created")


def send(engine: Engine, port: Port, row: Outbox, channel: str | None,
         render: Callable[[Session], Message]) -> tuple[str, str]:
    """Create the canvas or replace its document; (channel, canvas id)."""
    with reading(engine) as session:
        if _said(session, row.council_id):
            raise Skipped(UNAVAILABLE)
        target = (_canvas_of(session, row.council_id, row.target_key or "")
                  if row.kind == OutboxKind.CANVAS_EDIT else None)
        document = render(session)
    if target is not None:
        port.edit_canvas(target[1], _markdown(document))
        return target
    if channel is None:
        raise Waiting("no council channel yet: an admin must run setup in it")
    return channel, port.create_canvas(channel, document.header or "Meeting", _markdown(document),
                                       row.key)


def unavailable(engine: Engine, row: Outbox, now: datetime, reason: str,
                render: Callable[[Session], Message] | None) -> int | None:
    """Record, once in the council, the secretariat's notice that canvases are unavailable
    (``render`` builds it; without one, a plain sentence); the new row's id, if this
    call recorded it."""
    with transaction(engine) as session:
        notice = (render(session) if render is not None else Message(
            text=f"Meetings have no canvas: Slack answered {reason}. The channel's "
                 "announcements still hold every agenda."))
        recorded = post(session, row.council_id, keys.canvas_unavailable(), notice,
                        now)
        if not recorded:
            return None
        return int(session.execute(select(Outbox.id).where(
            Outbox.council_id == row.council_id,
            Outbox.key == keys.canvas_unavailable())).scalar_one())


def _markdown(document: Message) -> str:
    """The canvas's document: each official language in turn, below a rule."""
    return "\n\n---\n\n".join(m.text for m in (document, *document.also))
