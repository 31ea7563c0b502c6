"""iCalendar feeds of the council's meetings: one for all, one per body.

Served by ``nrc-bot serve`` under ``/calendar/{token}/all.ics`` and
``/calendar/{token}/{body}.ics`` (the token, ``Council.ics_token``, makes the
addresses unguessable), and written by ``nrc-bot ics [body]``. Each meeting is
one VEVENT with a stable UID (``meeting-{id}.{calendar uid}@{council key}``, the
calendar uid being random per council and kept in the database and its exports, so
that two deployments or two councils never collide in a subscriber's calendar), its
start in the
council's zone with a VTIMEZONE, and STATUS:CANCELLED once cancelled, so that
subscribed calendars update rather than duplicate.
"""

from __future__ import annotations

import hmac
import re
from collections.abc import Callable, Iterable
from datetime import UTC, date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import icalendar
from sqlmodel import Session, col, select

from bot.meetings import agenda_lines, bodies_of
from bot.messages import plain
from storage.models import Body, Council, Meeting

#: Meetings carry no end time; calendars are shown this long a block.
DEFAULT_DURATION = timedelta(hours=2)
PRODID = "-//nrc-bot//Council meetings//EN"

_PATH = re.compile(r"^/calendar/([A-Za-z0-9_-]{8,64})/([a-z0-9]+(?:-[a-z0-9]+)*)\.ics$")


class UnknownFeed(LookupError):
    """No such body in this council."""


def meeting_uid(meeting: Meeting, council: Council) -> str:
    """Unique across deployments and councils, stable across restarts and exports."""
    return f"meeting-{meeting.id}.{council.calendar_uid}@{council.key}"


def feed(session: Session, council: Council, body_key: str | None = None,
         now: datetime | None = None) -> bytes:
    """The iCalendar document of every meeting of the council, or of one body."""
    assert council.id is not None
    tz = ZoneInfo(council.timezone)
    bodies = {b.id: b for b in session.exec(select(Body).where(Body.council_id == council.id))}
    query = select(Meeting).where(Meeting.council_id == council.id)
    name = f"{council.name}: all meetings"
    if body_key is not None:
        chosen = next((b for b in bodies_of(session, council.id) if b.key == body_key), None)
        if chosen is None:
            raise UnknownFeed(body_key)
        query = query.where(Meeting.body_id == chosen.id)
        name = f"{council.name}: {chosen.name}"
    meetings = list(session.exec(query.order_by(col(Meeting.starts_at), col(Meeting.id))))

    cal = icalendar.Calendar()
    cal.add("prodid", PRODID)
    cal.add("version", "2.0")
    cal.add("calscale", "GREGORIAN")
    cal.add("method", "PUBLISH")
    cal.add("x-wr-calname", name)
    cal.add("x-wr-timezone", council.timezone)
    stamp = (now or datetime.now(UTC)).astimezone(UTC).replace(microsecond=0)
    for meeting in meetings:
        body = bodies[meeting.body_id]
        cal.add_component(_event(session, council, meeting, body, tz, stamp))
    first = min((m.starts_at.astimezone(tz).date() for m in meetings), default=stamp.date())
    cal.add_missing_timezones(first_date=date(first.year, 1, 1))
    if not meetings:  # no event names the zone; still describe it for the calendar's own zone
        cal.add_component(icalendar.Timezone.from_tzid(council.timezone,
                                                       first_date=date(first.year, 1, 1)))
    return bytes(cal.to_ical())


def _event(session: Session, council: Council, meeting: Meeting, body: Body, tz: ZoneInfo,
           stamp: datetime) -> icalendar.Event:
    event = icalendar.Event()
    event.add("uid", meeting_uid(meeting, council))
    event.add("dtstamp", stamp)
    event.add("created", meeting.created_at.replace(microsecond=0))
    # The local wall time with its TZID: 10:00 in Brussels stays 10:00 across the clock change.
    event.add("dtstart", meeting.starts_at.astimezone(tz).replace(microsecond=0))
    event.add("duration", DEFAULT_DURATION)
    prefix = "Extraordinary: " if meeting.extraordinary else ""
    event.add("summary", f"{prefix}{meeting.title} (M{meeting.id}, {body.name})")
    agenda = [plain(line) for line in agenda_lines(session, meeting)]
    description = [f"{body.name}, meeting M{meeting.id}."]
    if agenda:
        description += ["", "Agenda:", *agenda]
    if meeting.status == "cancelled":
        description += ["", "Cancelled." + (f" {meeting.cancel_reason}"
                                            if meeting.cancel_reason else "")]
    event.add("description", "\n".join(description))
    event.add("categories", [body.key])
    if meeting.status == "cancelled":
        event.add("status", "CANCELLED")
        event.add("sequence", 1)
    else:
        event.add("status", "CONFIRMED")
        event.add("sequence", 0)
    return event


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
            council = _council_by_token(session, token)
            if council is None:
                return respond("404 Not Found", b"not found\n")
            try:
                document = feed(session, council, None if which == "all" else which,
                                runtime.clock())
            except UnknownFeed:
                return respond("404 Not Found", b"not found\n")
        return respond("200 OK", document, "text/calendar; charset=utf-8")

    return app


def _council_by_token(session: Session, token: str) -> Council | None:
    """The council whose feed token this is; compared in constant time."""
    for council in session.exec(select(Council)):
        if hmac.compare_digest(council.ics_token.encode(), token.encode()):
            return council
    return None
