"""The messages of meetings: announcements, agendas, listings, reminders and nudges.

Plain data in (the records already read, the council's zone), ``Message`` out.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo

from bot import cadence
from bot.cadence import Compliance, Verdict
from bot.meetings.rules import nudge_stage
from bot.messages import Message, count, escape
from bot.times import slack_date, span_text
from storage.models import Body, Council, ExtraordinaryRequest, Meeting
from storage.statuses import AgendaState, MeetingStatus

if TYPE_CHECKING:  # the plain records the queries return; render runs no query
    from bot.meetings.queries import AgendaEntry, FeedLink

_ICONS = {Verdict.ON_TRACK: "✅", Verdict.AT_RISK: "⚠️", Verdict.BREACHED: "❌"}
#: Both the announcement of an extraordinary request and its daily recall cite it.
_EXTRAORDINARY_CITATION = ("Rome Declaration: extraordinary meetings \"will take place at the "
                           "request of any Member or the NATO Secretary General\".")


def _capital(text: str) -> str:
    return text[0].upper() + text[1:]


# -- agendas and announcements -----------------------------------------------------------


def agenda_lines(entries: Sequence[AgendaEntry]) -> list[str]:
    """The numbered agenda: items added to it, then open implementation issues put on it."""
    lines: list[str] = []
    for entry in entries:
        who = f" _({entry.who})_" if entry.who is not None else ""
        if entry.resolved:
            lines.append(f"{len(lines) + 1}. ~{escape(entry.text)}~{who} _resolved_")
        elif entry.issue_id is None:
            lines.append(f"{len(lines) + 1}. {escape(entry.text)}{who}{entry.overdue}")
        else:
            lines.append(f"{len(lines) + 1}. Implementation issue I{entry.issue_id}: "
                         f"{escape(entry.text[:300])}{who}")
    return lines


def agenda_heading(meeting: Meeting) -> str:
    """*Agenda* while a draft; then circulated (with its revision) or adopted."""
    if meeting.agenda_state == AgendaState.ADOPTED:
        return "*Agenda* _adopted_"
    if meeting.agenda_state == AgendaState.CIRCULATED:
        revision = f", revision {meeting.agenda_revision}" if meeting.agenda_revision > 1 else ""
        return f"*Agenda* _circulated{revision}_"
    return "*Agenda*"


def agenda_section(meeting: Meeting, entries: Sequence[AgendaEntry], slash: str) -> str:
    lines = agenda_lines(entries)
    heading = agenda_heading(meeting)
    if not lines:
        return f"{heading}\n_No items yet._ Add one: `{slash} agenda M{meeting.id} add <text>`"
    return heading + "\n" + "\n".join(lines)


def announcement(council: Council, meeting: Meeting, body: Body, agenda: str,
                 request: tuple[str, ExtraordinaryRequest] | None, slash: str) -> Message:
    """The channel message of a meeting; rebuilt in place when its agenda or status changes.

    ``request``: the requester's name and the extraordinary request the meeting meets.
    """
    tz = ZoneInfo(council.timezone)
    when = slack_date(meeting.starts_at, tz)
    kind = "Extraordinary meeting" if meeting.extraordinary else "Meeting"
    text = f"*{body.name}* meets {when}."
    if meeting.previous_starts_at is not None and meeting.status != MeetingStatus.CANCELLED:
        text = (f"*{body.name}* meets {when} "
                f"(moved from ~{slack_date(meeting.previous_starts_at, tz)}~).")
    if meeting.venue:
        text += f"\nVenue: {escape(meeting.venue)}"
    if meeting.duration_minutes != DEFAULT_MINUTES:
        text += f"\nLength: {duration_words(meeting.duration_minutes)}"
    if request is not None:
        who, asked = request
        text += f"\nRequested by *{who}*: {escape(asked.reason)}"
    header = f"{kind} M{meeting.id}: {meeting.title}"
    context = [f"Scheduled by <@{meeting.created_by}>. Feeds: `{slash} calendar` (secretariat)."]
    if meeting.status == MeetingStatus.CANCELLED:
        header = f"Cancelled: M{meeting.id}: {meeting.title}"
        reason = f" Reason: {escape(meeting.cancel_reason)}" if meeting.cancel_reason else ""
        text = f"~{text}~\n*This meeting is cancelled.*{reason}"
    return Message(
        text=text,
        header=header,
        fields=[("Body", body.name), ("When", when), ("Meeting", f"M{meeting.id}")],
        sections=[agenda],
        context=context,
    )


#: A meeting's length unless ``--duration`` says otherwise (``Meeting.duration_minutes``).
DEFAULT_MINUTES = 120


def duration_words(minutes: int) -> str:
    """``3 hours``, ``90 minutes``, ``1 hour 30 minutes``."""
    hours, rest = divmod(minutes, 60)
    parts = [count(hours, "hour")] if hours else []
    return " ".join(parts + ([count(rest, "minute")] if rest else []))


def moved_notice(meeting: Meeting, body: Body, old: datetime, tz: ZoneInfo) -> Message:
    """The thread post under a moved meeting's announcement."""
    return Message(text=f"*M{meeting.id}* ({body.name}) moved: now "
                        f"{slack_date(meeting.starts_at, tz)}, not "
                        f"~{slack_date(old, tz)}~.")


def agenda_reply(meeting: Meeting, body: Body, agenda: str, tz: ZoneInfo) -> Message:
    status = " (cancelled)" if meeting.status == MeetingStatus.CANCELLED else ""
    return Message(
        text=f"*{escape(meeting.title)}*{status}: {body.name}, "
             f"{slack_date(meeting.starts_at, tz)}.",
        header=f"Agenda of M{meeting.id}",
        sections=[agenda],
    )


def cancel_notice(meeting: Meeting, body: Body, reason: str, reopened: int | None,
                  tz: ZoneInfo) -> Message:
    why = f" Reason: {escape(reason)}" if reason else ""
    text = (f"*M{meeting.id}* ({body.name}, {slack_date(meeting.starts_at, tz)}) "
            f"is cancelled.{why}")
    if reopened is not None:
        text += f"\nExtraordinary request E{reopened} is open again until a new meeting is scheduled."
    return Message(text=text)


# -- bodies, listings, the dashboard -----------------------------------------------------


def verdict_line(comp: Compliance | None, tz: ZoneInfo) -> str:
    if comp is None:
        return "no minimum"
    text = f"{_ICONS[comp.verdict]} {comp.verdict.value}: {comp.summary()}"
    if comp.verdict is Verdict.AT_RISK:
        text += f"; {comp.missing} more needed, {count(cadence.days_left(comp, tz), 'day')} left"
    return text


def bodies_list(council_name: str, bodies: Sequence[tuple[Body, Compliance | None]],
                tz: ZoneInfo) -> Message:
    rows = []
    for body, comp in bodies:
        words = cadence.mandate_words(body.cadence_count, body.cadence_per)
        kind = "" if body.permanent else ", ad hoc"
        area = f", area {body.area}" if body.area else ""
        rows.append(f"*{body.name}* (`{body.key}`{kind}{area}): {words}\n"
                    f"    {verdict_line(comp, tz)}")
    return Message(
        text=f"The bodies of the {council_name} and their mandated cadence.",
        header="Bodies",
        sections=["\n".join(rows)],
        context=["At risk: the period is running out and too few meetings are scheduled. "
                 "A meeting whose start has passed counts as held unless it was cancelled."],
    )


def body_added(name: str, key: str, mandate: str, ad_hoc: bool, area_name: str | None) -> Message:
    kind = "ad hoc" if ad_hoc else "permanent"
    area_text = f", area: {area_name}" if area_name else ""
    return Message(text=f"New {kind} body: *{escape(name)}* (`{key}`), meeting {mandate}{area_text}.")


def meeting_line(meeting: Meeting, body: Body, tz: ZoneInfo) -> str:
    mark = " _(extraordinary)_" if meeting.extraordinary else ""
    return (f"*M{meeting.id}* {slack_date(meeting.starts_at, tz)}: "
            f"{escape(meeting.title)} ({body.name}){mark}")


def meetings_list(rows: Sequence[tuple[Meeting, Body]], total: int, page: int, per_page: int,
                  scope: str, listing: str, one_body: str | None, tz: ZoneInfo) -> Message:
    """One page of upcoming meetings; the context says how to see the others.

    ``listing``: the command that lists them (without its closing backtick);
    ``one_body``: how to list one body's, when every body's are shown.
    """
    lines = [meeting_line(meeting, body, tz) for meeting, body in rows]
    context = []
    if total > per_page:
        first = (page - 1) * per_page + 1
        ways = []
        if first + len(rows) <= total:
            ways.append(f"The next page: {listing} page {page + 1}`")
        else:
            ways.append(f"The first page: {listing}`")
        if one_body is not None:
            ways.append(one_body)
        context.append(f"Meetings {first}\u2013{first + len(rows) - 1} of {total} are shown. "
                       + "; ".join(ways) + ".")
    return Message(text=f"{count(total, 'upcoming meeting')}{scope}.", header="Meetings",
                   sections=["\n".join(lines)], context=context)



def feed_addresses(base: str, links: Sequence[FeedLink]) -> Message:
    lines = [f"• {link.name}: `{base}{link.path}`" for link in links]
    context = ["Anyone with an address can read the calendar: share it with the delegations "
               "only."]
    if not base:
        context.append("The addresses are relative to where `nrc-bot serve` answers; set "
                       "NRC_PUBLIC_URL to show them in full.")
    return Message(text="Subscribe to these in any calendar application.",
                   header="Calendar feeds", sections=["\n".join(lines)], context=context)


# -- extraordinary requests --------------------------------------------------------------


def _schedule_hint(slash: str, body_key: str) -> str:
    return f"`{slash} schedule {body_key} <when> --extraordinary`"


def request_announcement(number: int | None, who: str, body: Body, user_id: str, reason: str,
                         chair_text: str, slash: str) -> Message:
    return Message(
        header=f"Extraordinary meeting requested (E{number})",
        text=f"*{_capital(who)}* requests an extraordinary meeting of the "
             f"*{body.name}* (<@{user_id}>).\n*Reason:* {escape(reason)}",
        context=[f"{chair_text} is asked to schedule it: "
                 f"{_schedule_hint(slash, body.key)}. {_EXTRAORDINARY_CITATION}"],
    )


def request_to_chair(who: str, body: Body, reason: str, slash: str) -> Message:
    return Message(
        text=f"*{_capital(who)}* requests an extraordinary meeting of the "
             f"*{body.name}*: {escape(reason)}\nSchedule it with "
             f"{_schedule_hint(slash, body.key)}; "
             "I will remind the channel daily until it is scheduled.")


def request_withdrawn(number: int, who: str, user_id: str) -> Message:
    return Message(
        text=f"E{number}, the request of *{_capital(who)}* for an extraordinary "
             f"meeting, was withdrawn by <@{user_id}>; no meeting is to be "
             "scheduled for it.")


def request_recall(request: ExtraordinaryRequest, who: str, n: int, chair: str, where: str,
                   slash: str, tz: ZoneInfo) -> Message:
    return Message(
        header=f"Extraordinary meeting still to be scheduled (E{request.id})",
        text=(f"The extraordinary meeting requested by *{who}* "
              f"{slack_date(request.created_at, tz)} is not yet scheduled "
              f"({count(n, 'day')} ago). *Reason:* {escape(request.reason)}\n"
              f"{chair}: {_schedule_hint(slash, where)}."),
        # "... extraordinary meetings, which will take place at the request of any
        # Member or the NATO Secretary General."
        context=[_EXTRAORDINARY_CITATION],
    )


# -- reminders and nudges ----------------------------------------------------------------


def chair_mention(council: Council) -> str:
    chair = council.chair_user_id
    return f"<@{chair}>" if chair else f"The {council.chair_title} (not yet set)"


def secretariat_cc(admins: Sequence[str]) -> str:
    listed = sorted(admins)[:3]
    return (" cc " + " ".join(f"<@{a}>" for a in listed)) if listed else ""


def lead_words(seconds: int) -> str:
    """``in 7 days``, ``in 24 hours``, ``in 1 hour``, ``in 90 minutes``."""
    if seconds % 86400 == 0 and seconds >= 2 * 86400:
        return f"in {seconds // 86400} days"
    if seconds % 3600 == 0:
        hours = seconds // 3600
        return f"in {hours} hour{'s' if hours != 1 else ''}"
    return f"in {span_text(timedelta(seconds=seconds))}"


def reminder_message(meeting: Meeting, body: Body, seconds: int, agenda: str,
                     tz: ZoneInfo) -> Message:
    """A reminder names the meeting, the body, the local time and the agenda."""
    when = slack_date(meeting.starts_at, tz)
    kind = "Extraordinary meeting" if meeting.extraordinary else "Meeting"
    return Message(
        header=f"Reminder: M{meeting.id} {lead_words(seconds)}",
        text=f"{kind} *M{meeting.id}* of the *{body.name}*, {escape(meeting.title)}, "
             f"starts {when}.",
        fields=[("Body", body.name), ("When", when), ("Meeting", f"M{meeting.id}")],
        sections=[agenda],
    )


def nudge_message(body: Body, comp: Compliance, n: int, chair: str, cc: str, slash: str,
                  tz: ZoneInfo) -> Message:
    """Escalates: at risk, then reminders, then "breach imminent" in the last days.

    ``n`` counts the nudges already recorded for this body and period.
    """
    left = cadence.days_left(comp, tz)
    mandate = cadence.mandate_words(body.cadence_count, body.cadence_per)
    short = (f"{comp.held} held and {comp.scheduled} scheduled of {comp.required} required "
             f"in {comp.period.label}")
    ask = (f"{chair}, please schedule {'a meeting' if comp.missing == 1 else f'{comp.missing} meetings'}: "
           f"`{slash} schedule {body.key} <when>`.{cc}")
    stage = nudge_stage(left, n)
    if stage == "imminent":
        header = f"Breach imminent: {body.name}"
        text = (f"🚨 *{body.name}* will breach its mandate, {mandate}, in "
                f"{count(left, 'day')}: {short}. {ask}")
    elif stage == "first":
        header = f"Cadence at risk: {body.name}"
        text = f"⚠️ *{body.name}* is at risk of missing its mandate, {mandate}: {short}. {ask}"
    else:
        header = f"Still at risk: {body.name} (reminder {n + 1})"
        text = (f"⚠️ *{body.name}* is still at risk, {left} days before {comp.period.label} "
                f"ends: {short}. {ask}")
    return Message(header=header, text=text,
                   context=[f"Mandate: {escape(body.mandate)}", "This reminder repeats until "
                            "enough meetings are scheduled."])


def breach_message(body: Body, comp: Compliance, chair: str, cc: str) -> Message:
    mandate = cadence.mandate_words(body.cadence_count, body.cadence_per)
    return Message(
        header=f"Cadence breached: {body.name}",
        text=(f"❌ *{body.name}* did not meet its mandate, {mandate}, in {comp.period.label}: "
              f"{comp.held} held of {comp.required} required. For the record: "
              f"{chair}{cc}"),
        context=[f"Mandate: {escape(body.mandate)}"],
    )
