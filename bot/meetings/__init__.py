"""Meetings of the council's bodies, their agendas, extraordinary requests, compliance.

The Rome Declaration sets each body's rhythm ("Meetings of the Council at
Ambassadorial level will be held at least once a month"); the rules that judge
it are pure functions in :mod:`bot.cadence`, and this package feeds them the
meetings on record. A meeting is scheduled or cancelled; one whose start has
passed counts as held unless it was cancelled.

Rooms: ``rules`` and ``rules_agenda`` (pure), ``queries``, ``render``,
``render_agenda``, ``render_ics`` (the iCalendar document) and ``render_canvas`` (a
meeting's canvas, in Markdown), ``service`` (bodies,
meetings, agendas), ``service_agenda`` (the agenda's states and edits: circulate,
adopt, edit, move, remove, revisions), ``service_requests``
(extraordinary requests), ``service_calendar`` (the feeds, served over HTTP and by
``nrc-bot ics``), ``service_canvas`` (a canvas per meeting, and the sections other
features add to it), ``rules_record``, ``queries_record``, ``render_record`` and
``service_record`` (attendance and the record of a meeting, its revisions),
``commands``, ``commands_record`` and ``passes`` (the three scheduler passes).
Importing the package registers the commands and the passes.
"""

from __future__ import annotations

from bot.meetings import commands, commands_record, passes  # registers commands and passes
from bot.meetings.queries import (
    FeedLink,
    Standing,
    bodies_of,
    body_compliance,
    feed_links,
    find_body,
    meeting_of,
    requester_name,
    standings,
)
from bot.meetings.render_ics import meeting_uid
from bot.meetings.render_record import ATTENDANCE_ACTION, record_markdown
from bot.meetings.rules import breach_counts
from bot.meetings.service import agenda_lines, agenda_section, announcement
from bot.meetings.service_calendar import UnknownFeed, calendar_app, feed
from bot.meetings.service_canvas import CANVAS_SECTIONS, CanvasSection, refresh_canvas
from bot.meetings.service_move import schedule_form, schedule_from_form
from bot.meetings.service_record import attendance_form, attendance_from_form
from bot.meetings.service_requests import withdraw_request

__all__ = [
    "ATTENDANCE_ACTION",
    "CANVAS_SECTIONS",
    "CanvasSection",
    "FeedLink",
    "Standing",
    "UnknownFeed",
    "agenda_lines",
    "agenda_section",
    "announcement",
    "attendance_form",
    "attendance_from_form",
    "bodies_of",
    "body_compliance",
    "breach_counts",
    "calendar_app",
    "commands",
    "commands_record",
    "feed",
    "feed_links",
    "find_body",
    "meeting_of",
    "meeting_uid",
    "passes",
    "record_markdown",
    "refresh_canvas",
    "requester_name",
    "schedule_form",
    "schedule_from_form",
    "standings",
    "withdraw_request",
]
