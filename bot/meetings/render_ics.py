"""The iCalendar document of the council's meetings: one for all, one per body.

Each meeting is one VEVENT with a stable UID (``meeting-{id}.{calendar uid}@{council
key}``, the calendar uid being random per council and kept in the database and its
exports, so that two deployments or two councils never collide in a subscriber's
calendar), its start in the council's zone with a VTIMEZONE, and STATUS:CANCELLED
once cancelled, so that subscribed calendars update rather than duplicate. Its
SEQUENCE is the meeting's (raised by each move), one more once cancelled; its
DURATION the meeting's length, its LOCATION the venue.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import icalendar

from bot.i18n import _, named
from bot.messages import plain
from storage.models import Body, Council, Meeting
from storage.statuses import MeetingStatus

PRODID = "-//nrc-bot//Council meetings//EN"


def meeting_uid(meeting: Meeting, council: Council) -> str:
    """Unique across deployments and councils, stable across restarts and exports."""
    return f"meeting-{meeting.id}.{council.calendar_uid}@{council.key}"


def document(council: Council, name: str, meetings: Sequence[Meeting],
             bodies: Mapping[int | None, Body], agendas: Mapping[int | None, Sequence[str]],
             now: datetime | None = None) -> bytes:
    """The calendar ``name`` of these meetings; ``agendas``: each one's agenda lines."""
    tz = ZoneInfo(council.timezone)
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
        cal.add_component(_event(council, meeting, body, agendas[meeting.id], tz, stamp))
    first = min((m.starts_at.astimezone(tz).date() for m in meetings), default=stamp.date())
    cal.add_missing_timezones(first_date=date(first.year, 1, 1))
    if not meetings:  # no event names the zone; still describe it for the calendar's own zone
        cal.add_component(icalendar.Timezone.from_tzid(council.timezone,
                                                       first_date=date(first.year, 1, 1)))
    return bytes(cal.to_ical())


def _event(council: Council, meeting: Meeting, body: Body, agenda_lines: Sequence[str],
           tz: ZoneInfo, stamp: datetime) -> icalendar.Event:
    event = icalendar.Event()
    event.add("uid", meeting_uid(meeting, council))
    event.add("dtstamp", stamp)
    event.add("created", meeting.created_at.replace(microsecond=0))
    # The local wall time with its TZID: 10:00 in Brussels stays 10:00 across the clock change.
    event.add("dtstart", meeting.starts_at.astimezone(tz).replace(microsecond=0))
    event.add("duration", timedelta(minutes=meeting.duration_minutes))
    if meeting.venue:
        event.add("location", meeting.venue)
    prefix = _("Extraordinary: ") if meeting.extraordinary else ""
    event.add("summary", f"{prefix}{meeting.title} (M{meeting.id}, {named(body)})")
    agenda = [plain(line) for line in agenda_lines]
    description = [_("{body}, meeting M{number}.", body=named(body), number=meeting.id)]
    if agenda:
        description += ["", _("Agenda:"), *agenda]
    if meeting.status == MeetingStatus.CANCELLED:
        description += ["", _("Cancelled.") + (f" {meeting.cancel_reason}"
                                               if meeting.cancel_reason else "")]
    event.add("description", "\n".join(description))
    event.add("categories", [body.key])
    if meeting.status == MeetingStatus.CANCELLED:
        event.add("status", "CANCELLED")
        event.add("sequence", meeting.sequence + 1)
    else:
        event.add("status", "CONFIRMED")
        event.add("sequence", meeting.sequence)
    return event
