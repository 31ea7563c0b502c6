"""A canvas per meeting: created when the meeting is scheduled, its document replaced
whenever the meeting or its agenda changes.

Both are outbox rows naming the view (``keys.MEETING_CANVAS_VIEW``), rendered when they
are delivered, so the canvas shows the records as they are then and a burst of changes
becomes one ``canvases.edit``. Other features add their sections to the document by
appending to :data:`CANVAS_SECTIONS` (the meeting's record, once finalised, registers
its own, and calls :func:`refresh_canvas`).
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from sqlmodel import Session

from bot import keys
from bot.issues import DEFAULT_OVERDUE
from bot.meetings import queries, render_canvas
from bot.messages import Message
from bot.outbox import OutboxWriter
from storage.models import Body, Council, Meeting

#: A section another feature adds to a meeting's canvas: ``(session, meeting, tz)`` to
#: Markdown, or None when it has nothing to show (yet). In the order registered.
CanvasSection = Callable[[Session, Meeting, ZoneInfo], str | None]
CANVAS_SECTIONS: list[CanvasSection] = []


def create_canvas(writer: OutboxWriter, meeting_id: int | None) -> None:
    """The meeting's canvas, created once in the council channel when it is delivered."""
    writer.canvas(keys.meeting_canvas(meeting_id), keys.MEETING_CANVAS_VIEW, meeting_id)


def refresh_canvas(writer: OutboxWriter, meeting_id: int | None) -> None:
    """Replace the meeting's canvas with the records as they stand when it is delivered
    (after its creation; a burst of changes is one edit)."""
    writer.edit_canvas(keys.meeting_canvas(meeting_id), keys.MEETING_CANVAS_VIEW, meeting_id)


def canvas_view(session: Session, council_id: int, meeting_id: object, now: datetime,
                  slash: str = "/nrc", after: timedelta = DEFAULT_OVERDUE) -> Message:
    """The ``meeting-canvas`` view: the document as the records stand at delivery."""
    council = session.get(Council, council_id)
    meeting = session.get(Meeting, int(str(meeting_id)))
    body = session.get(Body, meeting.body_id) if meeting is not None else None
    if council is None or meeting is None or body is None or meeting.council_id != council_id:
        return render_canvas.missing(meeting_id)
    tz = ZoneInfo(council.timezone)
    sections = [text for section in CANVAS_SECTIONS
                if (text := section(session, meeting, tz))]
    return render_canvas.document(meeting, body, queries.agenda_entries(session, meeting, after),
                                  tz, now, slash, sections)
