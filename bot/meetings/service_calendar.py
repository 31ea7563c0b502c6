"""iCalendar feeds of the council's meetings: one for all, one per body.

Served by ``nrc-bot serve`` under ``/calendar/{token}/all.ics`` and
``/calendar/{token}/{body}.ics`` (the token, ``Council.ics_token``, makes the
addresses unguessable), and written by ``nrc-bot ics [body]``. The document
itself is built by :mod:`bot.meetings.render_ics`.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from datetime import datetime
from typing import Any

from sqlmodel import Session

from bot.i18n import _, named
from bot.meetings import queries, render_ics
from bot.meetings.service import agenda_lines
from storage.models import Council

_PATH = re.compile(r"^/calendar/([A-Za-z0-9_-]{8,64})/([a-z0-9]+(?:-[a-z0-9]+)*)\.ics$")


class UnknownFeed(LookupError):
    """No such body in this council."""


def feed(session: Session, council: Council, body_key: str | None = None,
         now: datetime | None = None) -> bytes:
    """The iCalendar document of every meeting of the council, or of one body."""
    assert council.id is not None
    bodies = {b.id: b for b in queries.all_bodies(session, council.id)}
    chosen = None
    name = _("{council}: all meetings", council=named(council))
    if body_key is not None:
        chosen = next((b for b in queries.bodies_of(session, council.id) if b.key == body_key),
                      None)
        if chosen is None:
            raise UnknownFeed(body_key)
        name = f"{named(council)}: {named(chosen)}"
    meetings = queries.feed_meetings(session, council.id, chosen)
    agendas = {meeting.id: agenda_lines(session, meeting) for meeting in meetings}
    return render_ics.document(council, name, meetings, bodies, agendas, now)


StartResponse = Callable[..., Any]


def calendar_app(runtime: Any) -> Callable[[dict[str, Any], StartResponse], Iterable[bytes]]:
    """The WSGI sub-app for ``GET /calendar/{token}/{all|body}.ics``."""

    def app(environ: dict[str, Any], start_response: StartResponse) -> Iterable[bytes]:
        def respond(status: str, body: bytes, content_type: str = "text/plain; charset=utf-8",
                    ) -> list[bytes]:
            start_response(status, [("Content-Type", content_type),
                                    ("Content-Length", str(len(body))),
                                    ("Cache-Control", "private, max-age=300")])
            return [] if environ.get("REQUEST_METHOD") == "HEAD" else [body]

        if environ.get("REQUEST_METHOD", "GET") not in ("GET", "HEAD"):
            return respond("405 Method Not Allowed", b"GET only\n")
        match = _PATH.match(environ.get("PATH_INFO", ""))
        if not match:
            return respond("404 Not Found", b"not found\n")
        token, which = match.groups()
        with Session(runtime.engine) as session:
            council = queries.council_by_token(session, token)
            if council is None:
                return respond("404 Not Found", b"not found\n")
            try:
                document = feed(session, council, None if which == "all" else which,
                                runtime.clock())
            except UnknownFeed:
                return respond("404 Not Found", b"not found\n")
        return respond("200 OK", document, "text/calendar; charset=utf-8")

    return app
