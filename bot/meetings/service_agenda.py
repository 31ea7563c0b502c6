"""The use-cases of an agenda's states and edits: circulate, adopt, remove, move, edit.

The numbers are the lines of the agenda as shown (``agenda M3``). Every line is an
``AgendaItem`` row: an implementation issue joins the agenda as one (``issue_id``);
an issue listed without a row (kept on by older records) is given one before its
line is changed. An issue's line is not removed: the issue is resolved or withdrawn.
Each change is audited; after circulation it is announced as a revision in the
thread of the meeting's announcement, which is rebuilt in place.
"""

from __future__ import annotations

from collections.abc import Callable

from bot import keys
from bot.context import Context
from bot.errors import CommandError
from bot.i18n import _
from bot.meetings import queries, render_agenda, rules, rules_agenda, service_canvas
from bot.messages import Message
from bot.registry import text_argument
from storage.models import AgendaItem, Body, Meeting
from storage.statuses import AgendaState, MeetingStatus


def _privileged(ctx: Context) -> bool:
    return ctx.actor.is_chair or ctx.actor.is_admin


def _items(ctx: Context, meeting: Meeting) -> list[AgendaItem]:
    """The agenda's rows in the order shown; a listed issue without a row is given one."""
    rows: list[AgendaItem] = []
    entries = queries.agenda_entries(ctx.session, meeting, ctx.settings.issue_overdue)
    for position, entry in enumerate(entries, start=1):
        item = ctx.session.get(AgendaItem, entry.item_id) if entry.item_id else None
        if item is None:
            item = AgendaItem(council_id=ctx.council_id, meeting_id=meeting.id or 0,
                              text=f"Implementation issue I{entry.issue_id}: {entry.text[:300]}",
                              added_by=ctx.actor.user_id, member_id=entry.member_id,
                              issue_id=entry.issue_id, created_at=ctx.now)
        item.position = position
        ctx.session.add(item)
        rows.append(item)
    ctx.session.flush()
    return rows


def _open_meeting(ctx: Context, token: str) -> tuple[Meeting, Body]:
    meeting, body = queries.meeting_of(ctx.session, ctx.council_id, token)
    rules.check_agenda_open(meeting.id, meeting.status, meeting.starts_at, ctx.now)
    return meeting, body


def announce_change(ctx: Context, meeting: Meeting, action: str, change: Callable[[], str],
                    detail: dict[str, object]) -> Message:
    """Audit a change, rebuild the announcement in place and, once the agenda is
    circulated, announce it as the next revision in the announcement's thread
    (``change`` says it in the language of the moment: the channel's, the reply's)."""
    revised = rules_agenda.is_revision(meeting.agenda_state)
    if revised:
        meeting.agenda_revision += 1
        ctx.session.add(meeting)
        ctx.session.flush()
    ctx.audit(action, {"meeting": meeting.id, "state": meeting.agenda_state,
                       "revision": meeting.agenda_revision if revised else None, **detail})
    refresh(ctx, meeting)
    if revised:
        ctx.post(keys.agenda_revision(meeting.id, meeting.agenda_revision),
                 lambda: render_agenda.revision_notice(meeting, change()),
                 thread_key=keys.meeting(meeting.id))
    return render_agenda.change_reply(meeting, change(), revised)


def refresh(ctx: Context, meeting: Meeting) -> None:
    """The announcement and the canvas as the records stand at delivery
    (``keys.MEETING_VIEW``, ``keys.MEETING_CANVAS_VIEW``)."""
    ctx.refresh(keys.meeting(meeting.id), keys.MEETING_VIEW, meeting.id)
    service_canvas.refresh_canvas(ctx, meeting.id)


def check_add(ctx: Context, meeting: Meeting) -> None:
    """Who may add in the agenda's state (``agenda <M> add``)."""
    rules_agenda.check_add(meeting.id, meeting.agenda_state, _privileged(ctx))


def circulate(ctx: Context, token: str) -> Message:
    """The Chair or the secretariat circulate the draft; announced in the thread."""
    ctx.require("agenda circulate")
    meeting, _body = _open_meeting(ctx, token)
    rules_agenda.check_circulate(meeting.id, meeting.agenda_state)
    items = _items(ctx, meeting)
    meeting.agenda_state = AgendaState.CIRCULATED
    meeting.agenda_revision = 1
    ctx.session.add(meeting)
    ctx.session.flush()
    ctx.audit("agenda.circulate", {"meeting": meeting.id, "items": len(items)})
    refresh(ctx, meeting)
    ctx.post(keys.agenda_revision(meeting.id, 1),
             lambda: render_agenda.circulated_notice(meeting, len(items)),
             thread_key=keys.meeting(meeting.id))
    return Message(text=_("Circulated the agenda of M{number}; the thread of its announcement "
                          "says so, and later changes are announced as revisions.",
                          number=meeting.id))


def adopt(ctx: Context, token: str) -> Message:
    """The agenda is adopted at the meeting (the Chair or the secretariat record it)."""
    ctx.require("agenda adopt")
    meeting, _body = queries.meeting_of(ctx.session, ctx.council_id, token)
    if meeting.status == MeetingStatus.CANCELLED:
        raise CommandError(_("M{number} is cancelled; its agenda is closed.", number=meeting.id))
    rules_agenda.check_adopt(meeting.id, meeting.agenda_state)
    items = _items(ctx, meeting)
    meeting.agenda_state = AgendaState.ADOPTED
    ctx.session.add(meeting)
    ctx.session.flush()
    ctx.audit("agenda.adopt", {"meeting": meeting.id, "items": len(items),
                               "revision": meeting.agenda_revision})
    refresh(ctx, meeting)
    ctx.post(keys.agenda_adopted(meeting.id),
             lambda: render_agenda.adopted_notice(meeting, len(items)),
             thread_key=keys.meeting(meeting.id))
    return Message(text=_("Recorded the agenda of M{number} as adopted; the thread of its "
                          "announcement says so.", number=meeting.id))


def _item_for(ctx: Context, meeting: Meeting, number: str, doing: str,
              ) -> tuple[list[AgendaItem], int]:
    ctx.require(f"agenda {doing}")
    items = _items(ctx, meeting)
    index = rules_agenda.item_index(number, len(items))
    item = items[index]
    member = ctx.actor.member
    own = member is not None and item.member_id == member.id
    rules_agenda.check_change(meeting.id, meeting.agenda_state, _privileged(ctx), own, doing,
                              index + 1)
    return items, index


def remove(ctx: Context, token: str, number: str) -> Message:
    """Take an item off the agenda; an issue's line goes when the issue is resolved."""
    meeting, _body = _open_meeting(ctx, token)
    items, index = _item_for(ctx, meeting, number, "remove")
    item = items[index]
    if item.issue_id is not None:
        raise CommandError(_("Item {item} is implementation issue I{issue}; it leaves the "
                             "agenda when the issue is resolved or withdrawn.", item=index + 1,
                             issue=item.issue_id))
    text = item.text
    ctx.session.delete(item)
    for position, other in enumerate(items[:index] + items[index + 1:], start=1):
        other.position = position
        ctx.session.add(other)
    ctx.session.flush()
    return announce_change(ctx, meeting, "agenda.remove",
                           lambda: _("item {number} removed ({text}).", number=index + 1,
                                     text=render_agenda.quoted(text)),
                           {"item": item.id, "number": index + 1, "text": text})


def move(ctx: Context, token: str, number: str, position: str) -> Message:
    """Move an item to another place on the agenda (the Chair, the secretariat)."""
    meeting, _body = _open_meeting(ctx, token)
    items, index = _item_for(ctx, meeting, number, "move")
    to = rules_agenda.item_index(position, len(items), "a position")
    if to == index:
        raise CommandError(_("Item {item} is already at position {position}.", item=index + 1,
                             position=to + 1))
    order = rules_agenda.moved(list(range(len(items))), index, to)
    for place, old in enumerate(order, start=1):
        items[old].position = place
        ctx.session.add(items[old])
    ctx.session.flush()
    item = items[index]
    moved_text = item.text
    return announce_change(ctx, meeting, "agenda.move",
                           lambda: _("item {number} ({text}) moved to position {position}.",
                                     number=index + 1, text=render_agenda.quoted(moved_text),
                                     position=to + 1),
                           {"item": item.id, "from": index + 1, "to": to + 1})


def edit(ctx: Context, token: str, number: str, text: str) -> Message:
    """Change an item's text."""
    meeting, _body = _open_meeting(ctx, token)
    items, index = _item_for(ctx, meeting, number, "edit")
    text = text_argument(text, "new text of the item")
    item = items[index]
    if item.text == text:
        raise CommandError(_("Item {item} already reads so.", item=index + 1))
    before = item.text
    item.text = text
    item.edited_at = ctx.now
    ctx.session.add(item)
    ctx.session.flush()
    return announce_change(ctx, meeting, "agenda.edit",
                           lambda: _("item {number} now reads {text}.", number=index + 1,
                                     text=render_agenda.quoted(text)),
                           {"item": item.id, "number": index + 1, "before": before,
                            "text": text})

