"""Moving a meeting: ``reschedule <M> <when>`` (the Chair, the secretariat); and the
"Schedule a meeting" shortcut's form.

The announcement is updated in place, the old time struck through, and a short
"moved" post goes in its thread. The reminders for the old start that wait in the
outbox are marked skipped in the same transaction; the new start's reminders have
keys of their own (``keys.meeting_reminder`` with the meeting's ``sequence``), so each
is sent once, whichever process records it. The iCalendar event keeps its UID and
its SEQUENCE rises. The cadence verdicts read ``starts_at``, so they follow the move.
"""

from __future__ import annotations

from datetime import datetime

from bot import keys
from bot.context import Context
from bot.errors import CommandError
from bot.i18n import _, named
from bot.meetings import queries, render, rules, service, service_canvas
from bot.meetings.service import announcement
from bot.messages import Message
from bot.times import slack_date


def reschedule(ctx: Context, token: str, starts: datetime) -> Message:
    """Move a scheduled meeting to another time and announce it."""
    meeting, body = queries.meeting_of(ctx.session, ctx.council_id, token)
    rules.check_reschedule(meeting.id, meeting.status, meeting.starts_at, starts, ctx.now)
    rules.check_start(starts, ctx.now, ctx.tz)
    clash = queries.clashing_meeting(ctx.session, body, starts)
    if clash is not None:
        raise CommandError(_("M{number} of the {body} already starts at that time.",
                             number=clash.id, body=named(body)))
    old = meeting.starts_at
    skipped = queries.skip_pending(ctx.session, ctx.council_id,
                                   keys.meeting_reminder_prefix(meeting.id),
                                   f"moved: M{meeting.id} now starts {starts.isoformat()}")
    meeting.previous_starts_at = old
    meeting.starts_at = starts
    meeting.sequence += 1
    ctx.session.add(meeting)
    ctx.session.flush()
    ctx.audit("meeting.reschedule", {"meeting": meeting.id, "body": body.key,
                                     "from": old.isoformat(), "to": starts.isoformat(),
                                     "sequence": meeting.sequence,
                                     "reminders_skipped": skipped})
    ctx.update(keys.meeting(meeting.id),
               lambda: announcement(ctx.session, ctx.council, meeting, body, ctx.slash,
                                    ctx.settings.issue_overdue))
    service_canvas.refresh_canvas(ctx, meeting.id)
    ctx.post(keys.meeting_moved(meeting.id, meeting.sequence),
             lambda: render.moved_notice(meeting, body, old, ctx.tz),
             thread_key=keys.meeting(meeting.id))
    return Message(text=_("Moved M{number} ({body}) to {when}; the announcement in the "
                          "channel shows it.", number=meeting.id, body=named(body),
                          when=slack_date(starts, ctx.tz)))


def schedule_form(ctx: Context) -> list[tuple[int, str]]:
    """Check the actor may schedule meetings, and list the bodies to choose from (the
    "Schedule a meeting" shortcut asks before opening its modal, so a refusal comes at
    once): (id, name), charter bodies first."""
    ctx.require("schedule")
    return [(body.id or 0, named(body))
            for body in queries.bodies_of(ctx.session, ctx.council_id)]


def schedule_from_form(ctx: Context, body_id: int, starts: datetime, title: str,
                       venue: str, duration: str) -> Message:
    """The modal's submission: the same use-case as ``schedule``, the fields checked as
    the command checks its words."""
    ctx.require("schedule")
    body = next((b for b in queries.bodies_of(ctx.session, ctx.council_id) if b.id == body_id),
                None)
    if body is None:
        raise CommandError(_("That body is no longer in the records; choose another."))
    title = " ".join(title.split())
    rules.check_title(title)
    place = " ".join(venue.split()) or None
    if place is not None:
        rules.check_title(place, "venue")
    minutes = rules.parse_duration(duration) if duration.strip() else None
    return service.schedule(ctx, body, starts, title, False, venue=place, duration=minutes)
