"""Scheduler passes that keep the council on its cadence.

Three passes, each idempotent through its outbox keys (docs/ARCHITECTURE.md):

* ``meeting reminders``: before each meeting, at its body's offsets
  (``meeting:{id}:remind:{seconds}``); a reminder whose moment passed more than
  its grace ago (after downtime) is recorded as skipped, not sent.
* ``cadence nudges``: while a body is at risk, a nudge in the channel
  mentioning the Chair, daily (weekly over long lead times), its wording
  escalating as the period runs out (``cadence:{body}:{period}:{n}``); when a
  period closes short, a breach notice (``cadence:{body}:{period}:breached``).
* ``extraordinary reminders``: daily until an extraordinary Council meeting is
  scheduled (``extraordinary:{id}:remind:{n}``).
"""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import func
from sqlmodel import col, select

from bot import cadence
from bot.cadence import Compliance, Verdict
from bot.meetings import (
    agenda_section,
    bodies_of,
    body_compliance,
    breach_counts,
    requester_name,
)
from bot.messages import Message, escape
from bot.scheduler import PassContext, disposition, grace_for, scheduled_pass
from bot.times import slack_date, span_text
from storage.models import Body, ExtraordinaryRequest, Meeting, Outbox

#: Extraordinary requests are recalled this often until a meeting is scheduled.
EXTRAORDINARY_EVERY = timedelta(days=1)
#: A breach notice still goes out this long after its period closed (downtime).
BREACH_GRACE = timedelta(days=1)


def _slash(pctx: PassContext) -> str:
    return str(getattr(pctx.settings, "command", None) or "/nrc")


def _grace(pctx: PassContext, ahead: timedelta) -> timedelta:
    """The scheduler's default grace, unless the settings carry their own.

    ``grace_long`` (reminders a day or more ahead) and ``grace_short`` (the
    others), as timedeltas, override 6 h and 15 min when Settings define them.
    """
    default = grace_for(ahead)
    name = "grace_long" if ahead >= timedelta(days=1) else "grace_short"
    configured = getattr(pctx.settings, name, None)
    return configured if isinstance(configured, timedelta) else default


def _existing(pctx: PassContext, keys: list[str]) -> set[str]:
    """Keys already recorded, so a pass does not rebuild messages it will not send."""
    if not keys:
        return set()
    return set(pctx.session.exec(select(Outbox.key).where(
        Outbox.council_id == pctx.council_id, col(Outbox.key).in_(keys))))


def _count_prefixed(pctx: PassContext, prefix: str) -> int:
    """How many messages were recorded (sent or skipped) under keys starting with ``prefix``."""
    return int(pctx.session.exec(select(func.count()).select_from(Outbox).where(
        Outbox.council_id == pctx.council_id, col(Outbox.key).startswith(prefix))).one())


def lead_words(seconds: int) -> str:
    """``in 7 days``, ``in 24 hours``, ``in 1 hour``, ``in 90 minutes``."""
    if seconds % 86400 == 0 and seconds >= 2 * 86400:
        return f"in {seconds // 86400} days"
    if seconds % 3600 == 0:
        hours = seconds // 3600
        return f"in {hours} hour{'s' if hours != 1 else ''}"
    return f"in {span_text(timedelta(seconds=seconds))}"


def reminder_message(pctx: PassContext, meeting: Meeting, body: Body, seconds: int) -> Message:
    """A reminder names the meeting, the body, the local time and the agenda."""
    when = slack_date(meeting.starts_at, pctx.tz)
    kind = "Extraordinary meeting" if meeting.extraordinary else "Meeting"
    return Message(
        header=f"Reminder: M{meeting.id} {lead_words(seconds)}",
        text=f"{kind} *M{meeting.id}* of the *{body.name}*, {escape(meeting.title)}, "
             f"starts {when}.",
        fields=[("Body", body.name), ("When", when), ("Meeting", f"M{meeting.id}")],
        sections=[agenda_section(pctx.session, meeting, _slash(pctx))],
    )


@scheduled_pass("meeting reminders")
def meeting_reminders(pctx: PassContext) -> int:
    """Record each meeting reminder that is due; skip the stale ones."""
    rows = list(pctx.session.exec(
        select(Meeting, Body).join(Body, Body.id == Meeting.body_id)  # type: ignore[arg-type]
        .where(Meeting.council_id == pctx.council_id, Meeting.status == "scheduled",
               col(Meeting.starts_at) > pctx.now)
        .order_by(col(Meeting.starts_at))))
    due: list[tuple[str, Meeting, Body, int]] = []
    for meeting, body in rows:
        for seconds, moment in cadence.reminder_moments(meeting.starts_at, body.reminders,
                                                        meeting.created_at):
            if disposition(moment, pctx.now, _grace(pctx, timedelta(seconds=seconds))) == "wait":
                continue
            due.append((f"meeting:{meeting.id}:remind:{seconds}", meeting, body, seconds))
    done = _existing(pctx, [key for key, *_ in due])
    recorded = 0
    for key, meeting, body, seconds in due:
        if key in done:
            continue
        ahead = timedelta(seconds=seconds)
        recorded += pctx.remind(key, meeting.starts_at - ahead,
                                reminder_message(pctx, meeting, body, seconds), _grace(pctx, ahead))
    return recorded


def _chair(pctx: PassContext) -> str:
    chair = pctx.council.chair_user_id
    return f"<@{chair}>" if chair else f"The {pctx.council.chair_title} (not yet set)"


def _secretariat(pctx: PassContext) -> str:
    admins = sorted(getattr(pctx.settings, "admin_users", None) or ())[:3]
    return (" cc " + " ".join(f"<@{a}>" for a in admins)) if admins else ""


def nudge_message(pctx: PassContext, body: Body, comp: Compliance, n: int) -> Message:
    """Escalates: at risk, then reminders, then "breach imminent" in the last days.

    ``n`` counts the nudges already recorded for this body and period.
    """
    left = cadence.days_left(comp, pctx.tz)
    mandate = cadence.mandate_words(body.cadence_count, body.cadence_per)
    short = (f"{comp.held} held and {comp.scheduled} scheduled of {comp.required} required "
             f"in {comp.period.label}")
    ask = (f"{_chair(pctx)}, please schedule {'a meeting' if comp.missing == 1 else f'{comp.missing} meetings'}: "
           f"`{_slash(pctx)} schedule {body.key} <when>`.{_secretariat(pctx)}")
    if left <= cadence.URGENT_DAYS:
        header = f"Breach imminent: {body.name}"
        text = (f"🚨 *{body.name}* will breach its mandate, {mandate}, in "
                f"{left} day{'s' if left != 1 else ''}: {short}. {ask}")
    elif n == 0:
        header = f"Cadence at risk: {body.name}"
        text = f"⚠️ *{body.name}* is at risk of missing its mandate, {mandate}: {short}. {ask}"
    else:
        header = f"Still at risk: {body.name} (reminder {n + 1})"
        text = (f"⚠️ *{body.name}* is still at risk, {left} days before {comp.period.label} "
                f"ends: {short}. {ask}")
    return Message(header=header, text=text,
                   context=[f"Mandate: {escape(body.mandate)}", "This reminder repeats until "
                            "enough meetings are scheduled."])


def breach_message(pctx: PassContext, body: Body, comp: Compliance) -> Message:
    mandate = cadence.mandate_words(body.cadence_count, body.cadence_per)
    return Message(
        header=f"Cadence breached: {body.name}",
        text=(f"❌ *{body.name}* did not meet its mandate, {mandate}, in {comp.period.label}: "
              f"{comp.held} held of {comp.required} required. For the record: "
              f"{_chair(pctx)}{_secretariat(pctx)}"),
        context=[f"Mandate: {escape(body.mandate)}"],
    )


@scheduled_pass("cadence nudges")
def cadence_nudges(pctx: PassContext) -> int:
    """Nudge while a body is at risk; say so once when a period closed short."""
    recorded = 0
    for body in bodies_of(pctx.session, pctx.council_id):
        comp = body_compliance(pctx.session, body, pctx.now, pctx.tz)
        if comp is None:
            continue
        latest = cadence.latest_nudge(comp, pctx.tz)
        if latest is not None:
            n, moment, following = latest
            key = f"cadence:{body.key}:{comp.period.key}:{n}"
            if not _existing(pctx, [key]):
                earlier = _count_prefixed(pctx, f"cadence:{body.key}:{comp.period.key}:")
                # A nudge stays relevant until the next one is due, never longer.
                recorded += pctx.remind(key, moment, nudge_message(pctx, body, comp, earlier),
                                        following - moment - timedelta(microseconds=1))
        before = body_compliance(pctx.session, body, pctx.now, pctx.tz, previous=True)
        if before is not None and before.verdict is Verdict.BREACHED and breach_counts(body, before):
            key = f"cadence:{body.key}:{before.period.key}:breached"
            if not _existing(pctx, [key]):
                recorded += pctx.remind(key, before.period.end, breach_message(pctx, body, before),
                                        BREACH_GRACE)
    return recorded


@scheduled_pass("extraordinary reminders")
def extraordinary_reminders(pctx: PassContext) -> int:
    """Recall each open extraordinary request daily until its meeting is scheduled."""
    recorded = 0
    body = pctx.session.exec(select(Body).where(
        Body.council_id == pctx.council_id, col(Body.extraordinary).is_(True))).first()
    requests = pctx.session.exec(
        select(ExtraordinaryRequest).where(ExtraordinaryRequest.council_id == pctx.council_id,
                                           ExtraordinaryRequest.status == "open")
        .order_by(col(ExtraordinaryRequest.id)))
    for request in requests:
        n = int((pctx.now - request.created_at) / EXTRAORDINARY_EVERY)
        if n < 1:
            continue
        key = f"extraordinary:{request.id}:remind:{n}"
        if _existing(pctx, [key]):
            continue
        who = requester_name(pctx.session, pctx.council, request)
        where = body.key if body else "<body>"
        message = Message(
            header=f"Extraordinary meeting still to be scheduled ({request.id})",
            text=(f"The extraordinary meeting requested by *{who}* "
                  f"{slack_date(request.created_at, pctx.tz)} is not yet scheduled "
                  f"({n} day{'s' if n != 1 else ''} ago). *Reason:* {escape(request.reason)}\n"
                  f"{_chair(pctx)}: `{_slash(pctx)} schedule {where} <when> --extraordinary`."),
            # "... extraordinary meetings, which will take place at the request of any
            # Member or the NATO Secretary General."
            context=["Rome Declaration: extraordinary meetings \"will take place at the request "
                     "of any Member or the NATO Secretary General\"."],
        )
        recorded += pctx.remind(key, request.created_at + n * EXTRAORDINARY_EVERY, message,
                                EXTRAORDINARY_EVERY - timedelta(microseconds=1))
    return recorded
