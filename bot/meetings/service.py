"""The use-cases of bodies and meetings: add a body, schedule, cancel, list.

Each runs in the command's transaction: the change, its audit entry and its
outbox records (announcements) are committed together.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlmodel import Session

from bot import cadence, keys
from bot.bus import MeetingScheduled
from bot.context import Context
from bot.errors import CommandError
from bot.i18n import _, named, ngettext
from bot.issues import DEFAULT_OVERDUE, next_agenda_position
from bot.meetings import (
    queries,
    render,
    render_agenda,
    rules,
    rules_agenda,
    service_agenda,
    service_canvas,
)
from bot.messages import Message, escape
from bot.registry import text_argument
from bot.times import slack_date
from storage.models import AgendaItem, Body, Council, ExtraordinaryRequest, Meeting
from storage.statuses import MeetingStatus, RequestStatus

MAX_LISTED = 25


def agenda_section(session: Session, meeting: Meeting, slash: str,
                   after: timedelta = DEFAULT_OVERDUE) -> str:
    """The agenda section of a meeting's announcement, reminders and ``agenda`` reply
    (``after``: the deployment's overdue period, ``Settings.issue_overdue``)."""
    return render.agenda_section(meeting, queries.agenda_entries(session, meeting, after), slash)


def agenda_lines(session: Session, meeting: Meeting,
                 after: timedelta = DEFAULT_OVERDUE) -> list[str]:
    """The numbered agenda: items added to it, then open implementation issues put on it."""
    return render.agenda_lines(queries.agenda_entries(session, meeting, after))


def announcement(session: Session, council: Council, meeting: Meeting, body: Body,
                 slash: str = "/nrc", after: timedelta = DEFAULT_OVERDUE) -> Message:
    """The channel message of a meeting; rebuilt in place when its agenda or status changes."""
    request: tuple[str, ExtraordinaryRequest] | None = None
    if meeting.request_id is not None:
        asked = session.get(ExtraordinaryRequest, meeting.request_id)
        if asked is not None:
            request = (queries.requester_name(session, council, asked), asked)
    return render.announcement(council, meeting, body,
                               agenda_section(session, meeting, slash, after), request, slash)


def render_meeting(session: Session, council_id: int, meeting_id: object,
                   slash: str = "/nrc", after: timedelta = DEFAULT_OVERDUE) -> Message:
    """The ``meeting`` view: a meeting's announcement as the records stand at delivery (an
    issue that joined its agenda asks for it, through ``keys.MEETING_VIEW``)."""
    council = session.get(Council, council_id)
    meeting = session.get(Meeting, int(str(meeting_id)))
    body = session.get(Body, meeting.body_id) if meeting is not None else None
    if council is None or meeting is None or body is None:
        return Message(text=_("This meeting is no longer in the records."))
    return announcement(session, council, meeting, body, slash, after)


def list_bodies(ctx: Context) -> Message:
    """The bodies, their mandated cadence and how each stands this period."""
    every = queries.bodies_of(ctx.session, ctx.council_id)
    standing = queries.standings(ctx.session, every, ctx.now, ctx.tz)
    return render.bodies_list(
        named(ctx.council),
        [(body, standing[body.id or 0].current if body.id in standing else None)
         for body in every], ctx.tz)


def add_body(ctx: Context, key: str, name: str, cadence_count: int | None,
             cadence_per: str | None, area: str | None, ad_hoc: bool) -> Message:
    """A new committee or working group, announced in the channel.

    "The NRC will ... establish committees or working groups for individual
    subjects or areas, as appropriate, ad hoc or on a permanent basis."
    """
    for other in queries.all_bodies(ctx.session, ctx.council_id):
        if other.key == key:
            raise CommandError(_("There is already a body with the key {key}.", key=key))
        if other.name.casefold() == name.casefold():
            raise CommandError(_('There is already a body named "{name}".',
                                 name=escape(other.name)))
    body = Body(
        council_id=ctx.council_id, ordinal=queries.next_ordinal(ctx.session, ctx.council_id),
        key=key, name=name, level="committee",
        mandate=rules.mandate_of_new_body(cadence_count, cadence_per),
        cadence_count=cadence_count, cadence_per=cadence_per,
        reminders=list(rules.SHORT_REMINDERS),
        at_risk_days=rules.default_at_risk(cadence_per),
        area=area, extraordinary=False, permanent=not ad_hoc, created_at=ctx.now,
    )
    ctx.session.add(body)
    ctx.session.flush()
    ctx.audit("body.add", {"body": key, "name": name, "cadence_count": cadence_count,
                           "cadence_per": cadence_per, "area": area, "permanent": not ad_hoc})
    spec = ctx.charter.area(area) if area else None

    def added() -> Message:
        return render.body_added(name, key, cadence.mandate_words(cadence_count, cadence_per),
                                 ad_hoc, named(spec) if spec else None)

    ctx.post(keys.body(body.id), added)
    return added()


def body_named(ctx: Context, text: str) -> Body:
    """The body a command names, by key or name."""
    return queries.find_body(ctx.session, ctx.council_id, text)


def schedule(ctx: Context, body: Body, starts: datetime, title: str,
             extraordinary: bool, *, venue: str | None = None,
             duration: int | None = None) -> Message:
    """Schedule a meeting of a body and announce it in the council channel.

    An extraordinary Council meeting fulfils the oldest open request for one.
    """
    rules.check_start(starts, ctx.now, ctx.tz)
    rules.check_title(title)
    request: ExtraordinaryRequest | None = None
    if extraordinary:
        if not body.extraordinary:
            holder = queries.extraordinary_body(ctx.session, ctx.council_id)
            if holder is not None:
                raise CommandError(_("The {body} holds no extraordinary meetings; schedule them "
                                     "for {key}.", body=named(body), key=holder.key))
            raise CommandError(_("The {body} holds no extraordinary meetings.", body=named(body)))
        requests = queries.open_requests(ctx.session, ctx.council_id)
        request = requests[0] if requests else None
    clash = queries.clashing_meeting(ctx.session, body, starts)
    if clash is not None:
        raise CommandError(_("M{number} of the {body} already starts at that time.",
                             number=clash.id, body=named(body)))
    if not title:
        title = f"Extraordinary meeting of the {body.name}" if extraordinary else body.name
    meeting = Meeting(council_id=ctx.council_id, body_id=body.id or 0, starts_at=starts,
                      title=title, extraordinary=extraordinary,
                      request_id=request.id if request else None,
                      created_by=ctx.actor.user_id, created_at=ctx.now, venue=venue,
                      duration_minutes=duration or render.DEFAULT_MINUTES)
    ctx.session.add(meeting)
    ctx.session.flush()
    if request is not None:
        request.status = RequestStatus.FULFILLED
        request.fulfilled_at = ctx.now
        ctx.session.add(request)
    ctx.audit("meeting.schedule", {
        "meeting": meeting.id, "body": body.key, "starts_at": starts.isoformat(),
        "title": title, "extraordinary": extraordinary,
        "request": request.id if request else None, "venue": venue,
        "duration_minutes": meeting.duration_minutes})
    ctx.post(keys.meeting(meeting.id),
             lambda: announcement(ctx.session, ctx.council, meeting, body, ctx.slash,
                                  ctx.settings.issue_overdue))
    service_canvas.create_canvas(ctx, meeting.id)
    ctx.publish(MeetingScheduled(meeting.id or 0))  # issues waiting for a Council meeting may join
    note = (" " + _("It fulfils extraordinary request E{number}.", number=request.id)
            if request else "")
    return Message(text=_("Scheduled M{number} ({body}) for {when} and announced it in the "
                          "channel.", number=meeting.id, body=named(body),
                          when=slack_date(starts, ctx.tz)) + note)


def list_meetings(ctx: Context, body_text: str, page: int) -> Message:
    """The upcoming meetings, of every body or of one, ``MAX_LISTED`` at a time."""
    body = queries.find_body(ctx.session, ctx.council_id, body_text) if body_text else None
    scope, body_word = ((_(" of the {body}", body=named(body)), f" {body.key}") if body
                        else ("", ""))
    rows, total = queries.meetings_page(ctx.session, ctx.council_id, ctx.now, body, page,
                                        MAX_LISTED)
    listing = f"`{ctx.slash} meetings{body_word}"
    if not rows:
        if not total:
            return Message(text=_("No meetings{scope} are scheduled. The Chair or the "
                                  "secretariat can add one: `{slash} schedule`.", scope=scope,
                                  slash=ctx.slash))
        pages = -(-total // MAX_LISTED)
        raise CommandError(ngettext("There is {n} page of upcoming meetings; {listing}` shows it.",
                                    "There are {n} pages of upcoming meetings; {listing}` shows "
                                    "the first.", pages, listing=listing))
    one_body = (None if body else
                _("one body's: `{slash} meetings {key}`", slash=ctx.slash, key=rows[0][1].key))
    return render.meetings_list(rows, total, page, MAX_LISTED, scope, listing, one_body, ctx.tz)


def cancel(ctx: Context, token: str, reason: str) -> Message:
    """Cancel a scheduled meeting and announce it; its reminders stop."""
    meeting, body = queries.meeting_of(ctx.session, ctx.council_id, token)
    if reason:
        reason = text_argument(reason, "reason")
    rules.check_cancel(meeting.id, meeting.status, meeting.starts_at, ctx.now)
    meeting.status = MeetingStatus.CANCELLED
    meeting.cancel_reason = reason or None
    ctx.session.add(meeting)
    # "its reminders stop": one already recorded and still waiting is never sent either.
    skipped = queries.skip_pending(ctx.session, ctx.council_id,
                                   keys.meeting_reminder_prefix(meeting.id),
                                   f"cancelled: M{meeting.id}")
    reopened = None
    if meeting.request_id is not None:
        request = ctx.session.get(ExtraordinaryRequest, meeting.request_id)
        if request is not None and rules.reopens_request(request.status):
            request.status = RequestStatus.OPEN
            request.fulfilled_at = None
            ctx.session.add(request)
            reopened = request.id
    ctx.audit("meeting.cancel", {"meeting": meeting.id, "body": body.key, "reason": reason,
                                 "request_reopened": reopened, "reminders_skipped": skipped})
    ctx.update(keys.meeting(meeting.id),
               lambda: announcement(ctx.session, ctx.council, meeting, body, ctx.slash,
                                    ctx.settings.issue_overdue))
    service_canvas.refresh_canvas(ctx, meeting.id)
    ctx.post(keys.meeting_cancelled(meeting.id),
             lambda: render.cancel_notice(meeting, body, reason, reopened, ctx.tz))
    return Message(text=_("Cancelled M{number} and announced it in the channel.",
                          number=meeting.id))


def feed_addresses(ctx: Context) -> Message:
    """The addresses of the iCalendar feeds: all meetings and each body."""
    return render.feed_addresses(ctx.settings.public_url or "", queries.feed_links(ctx.session, ctx.council))


def show_agenda(ctx: Context, token: str, rest: str) -> Message:
    """A meeting's agenda; anyone may read it."""
    ctx.require("agenda")
    if not token:
        raise CommandError(_("Name the meeting, like M3."))
    if rest:
        raise CommandError(_('Unexpected "{text}"; to add an item write agenda {token} add '
                             "<text>.", text=rest[:40], token=token))
    meeting, body = queries.meeting_of(ctx.session, ctx.council_id, token)
    return render.agenda_reply(meeting, body, agenda_section(ctx.session, meeting, ctx.slash, ctx.settings.issue_overdue),
                               ctx.tz)


def add_agenda_item(ctx: Context, token: str, text: str) -> Message:
    """Delegations, the Chair and the secretariat add items until the meeting starts."""
    ctx.require("agenda add")
    meeting, body = queries.meeting_of(ctx.session, ctx.council_id, token)
    text = text_argument(text, "agenda item")
    rules.check_agenda_open(meeting.id, meeting.status, meeting.starts_at, ctx.now)
    service_agenda.check_add(ctx, meeting)
    item = AgendaItem(council_id=ctx.council_id, meeting_id=meeting.id or 0, text=text,
                      added_by=ctx.actor.user_id,
                      member_id=ctx.actor.member.id if ctx.actor.member else None,
                      created_at=ctx.now,
                      position=next_agenda_position(ctx.session, meeting.id or 0))
    ctx.session.add(item)
    ctx.session.flush()
    number = len(agenda_lines(ctx.session, meeting, ctx.settings.issue_overdue))
    if rules_agenda.is_revision(meeting.agenda_state):
        return service_agenda.announce_change(
            ctx, meeting, "agenda.add",
            lambda: _("item {number} added ({text}).", number=number,
                      text=render_agenda.quoted(text)),
            {"item": item.id, "text": text})
    ctx.audit("agenda.add", {"meeting": meeting.id, "item": item.id, "text": text})
    ctx.update(keys.meeting(meeting.id),
               lambda: announcement(ctx.session, ctx.council, meeting, body, ctx.slash,
                                    ctx.settings.issue_overdue))
    service_canvas.refresh_canvas(ctx, meeting.id)
    return Message(text=_("Added item {item} to the agenda of M{number}; the announcement in "
                          "the channel shows it.", item=number, number=meeting.id))
