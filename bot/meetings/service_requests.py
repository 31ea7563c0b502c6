"""The use-cases of extraordinary requests: request a meeting, withdraw the request.

"... extraordinary meetings, which will take place at the request of any
Member or the NATO Secretary General." A request stays open until a meeting
is scheduled for it (``schedule ... --extraordinary`` fulfils the oldest).
"""

from __future__ import annotations

from bot import keys
from bot.context import Context
from bot.errors import CommandError
from bot.i18n import _, named
from bot.meetings import queries, render, rules
from bot.messages import Message
from bot.permissions import Role
from storage.models import ExtraordinaryRequest, Member
from storage.statuses import RequestStatus


def request_meeting(ctx: Context, reason: str) -> Message:
    """Request an extraordinary meeting of the Council, for your member or as the Chair.

    The Chair is told at once and reminded daily until the meeting is scheduled.
    """
    as_member = ctx.actor.member if Role.DELEGATE in ctx.actor.roles else None
    for request in queries.open_requests(ctx.session, ctx.council_id):
        if request.member_id == (as_member.id if as_member else None):
            who = (named(as_member) if as_member
                   else _("The {chair}", chair=render.chair_title(ctx.council)))
            raise CommandError(_("{who} already has extraordinary request E{number} open, "
                                 "waiting for a meeting to be scheduled.", who=who,
                                 number=request.id))
    body = queries.extraordinary_body(ctx.session, ctx.council_id)
    if body is None:
        raise CommandError(_("No body of this council holds extraordinary meetings."))
    request = ExtraordinaryRequest(council_id=ctx.council_id,
                                   member_id=as_member.id if as_member else None,
                                   requested_by=ctx.actor.user_id, reason=reason,
                                   created_at=ctx.now)
    ctx.session.add(request)
    ctx.session.flush()
    ctx.audit("extraordinary.request", {"request": request.id, "reason": reason}, as_member)
    chair = ctx.council.chair_user_id
    ctx.post(keys.extraordinary(request.id), lambda: render.request_announcement(
        request.id, queries.requester_name(ctx.session, ctx.council, request), body,
        ctx.actor.user_id, reason, render.chair_mention(ctx.council), ctx.slash))
    if chair and chair != ctx.actor.user_id:
        ctx.dm(keys.chair_told(keys.extraordinary(request.id)), chair,
               lambda: render.request_to_chair(
                   queries.requester_name(ctx.session, ctx.council, request), body, reason,
                   ctx.slash))
    return Message(text=_("Your request (E{number}) is announced in the channel and the "
                          "{chair} is notified.", number=request.id,
                          chair=render.chair_title(ctx.council)))


def withdraw_request(ctx: Context, number: int) -> Message:
    """``withdraw E<n>``: the requesting delegation or the Chair withdraws an open request.

    It is announced under the request's announcement; the daily recall stops, and
    ``status`` no longer lists it.
    """
    request = ctx.session.get(ExtraordinaryRequest, number)
    if request is None or request.council_id != ctx.council_id:
        raise CommandError(_("There is no extraordinary request E{number}.", number=number))
    member = ctx.actor.member
    requester = (ctx.actor.user_id == request.requested_by
                 or (request.member_id is not None and member is not None
                     and member.id == request.member_id and Role.DELEGATE in ctx.actor.roles))
    ctx.require("withdraw request", *((Role.REQUESTER,) if requester else ()))
    rules.check_withdraw(number, request.status, render.chair_title(ctx.council))
    request.status = RequestStatus.WITHDRAWN
    ctx.session.add(request)
    requested_for = (ctx.session.get(Member, request.member_id)
                     if request.member_id is not None else None)
    ctx.audit("extraordinary.withdraw", {"request": number}, requested_for)
    ctx.post(keys.extraordinary_withdrawn(number),
             lambda: render.request_withdrawn(
                 number, queries.requester_name(ctx.session, ctx.council, request),
                 ctx.actor.user_id),
             thread_key=keys.extraordinary(number))
    return Message(text=_("Withdrew E{number}.", number=number))
