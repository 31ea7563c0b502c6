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
from bot.i18n import N_, _, named, ngettext
from bot.meetings.rules import nudge_stage
from bot.messages import Message, escape
from bot.times import slack_date, span_text
from storage.models import Body, Council, ExtraordinaryRequest, Meeting
from storage.statuses import AgendaState, MeetingStatus

if TYPE_CHECKING:  # the plain records the queries return; render runs no query
    from bot.meetings.queries import AgendaEntry, FeedLink

_ICONS = {Verdict.ON_TRACK: "✅", Verdict.AT_RISK: "⚠️", Verdict.BREACHED: "❌"}
#: Both the announcement of an extraordinary request and its daily recall cite it.
_EXTRAORDINARY_CITATION = N_("Rome Declaration: extraordinary meetings \"will take place at "
                             "the request of any Member or the NATO Secretary General\".")


def _capital(text: str) -> str:
    return text[0].upper() + text[1:]


# -- agendas and announcements -----------------------------------------------------------


def agenda_lines(entries: Sequence[AgendaEntry]) -> list[str]:
    """The numbered agenda: items added to it, then open implementation issues put on it."""
    lines: list[str] = []
    for entry in entries:
        who = f" _({entry.who})_" if entry.who is not None else ""
        if entry.resolved:
            lines.append(f"{len(lines) + 1}. ~{escape(entry.text)}~{who} " + _("_resolved_"))
        elif entry.issue_id is None:
            lines.append(f"{len(lines) + 1}. {escape(entry.text)}{who}{entry.overdue}")
        else:
            lines.append(f"{len(lines) + 1}. " + _(
                "Implementation issue I{number}: {text}", number=entry.issue_id,
                text=escape(entry.text[:300])) + who)
    return lines


def agenda_heading(meeting: Meeting) -> str:
    """*Agenda* while a draft; then circulated (with its revision) or adopted."""
    if meeting.agenda_state == AgendaState.ADOPTED:
        return _("*Agenda* _adopted_")
    if meeting.agenda_state == AgendaState.CIRCULATED:
        if meeting.agenda_revision > 1:
            return _("*Agenda* _circulated, revision {revision}_",
                     revision=meeting.agenda_revision)
        return _("*Agenda* _circulated_")
    return _("*Agenda*")


def agenda_section(meeting: Meeting, entries: Sequence[AgendaEntry], slash: str) -> str:
    lines = agenda_lines(entries)
    heading = agenda_heading(meeting)
    if not lines:
        return heading + "\n" + _("_No items yet._ Add one: `{slash} agenda M{number} add <text>`",
                                  slash=slash, number=meeting.id)
    return heading + "\n" + "\n".join(lines)


def announcement(council: Council, meeting: Meeting, body: Body, agenda: str,
                 request: tuple[str, ExtraordinaryRequest] | None, slash: str) -> Message:
    """The channel message of a meeting; rebuilt in place when its agenda or status changes.

    ``request``: the requester's name and the extraordinary request the meeting meets.
    """
    tz = ZoneInfo(council.timezone)
    when = slack_date(meeting.starts_at, tz)
    name = named(body)
    text = _("*{body}* meets {when}.", body=name, when=when)
    if meeting.previous_starts_at is not None and meeting.status != MeetingStatus.CANCELLED:
        text = _("*{body}* meets {when} (moved from ~{before}~).", body=name, when=when,
                 before=slack_date(meeting.previous_starts_at, tz))
    if meeting.venue:
        text += "\n" + _("Venue: {venue}", venue=escape(meeting.venue))
    if meeting.duration_minutes != DEFAULT_MINUTES:
        text += "\n" + _("Length: {length}", length=duration_words(meeting.duration_minutes))
    if request is not None:
        who, asked = request
        text += "\n" + _("Requested by *{who}*: {reason}", who=who, reason=escape(asked.reason))
    header = (_("Extraordinary meeting M{number}: {title}", number=meeting.id,
                title=meeting.title) if meeting.extraordinary
              else _("Meeting M{number}: {title}", number=meeting.id, title=meeting.title))
    context = [_("Scheduled by <@{user}>. Feeds: `{slash} calendar` (secretariat).",
                 user=meeting.created_by, slash=slash)]
    if meeting.status == MeetingStatus.CANCELLED:
        header = _("Cancelled: M{number}: {title}", number=meeting.id, title=meeting.title)
        reason = (" " + _("Reason: {reason}", reason=escape(meeting.cancel_reason))
                  if meeting.cancel_reason else "")
        text = f"~{text}~\n" + _("*This meeting is cancelled.*") + reason
    return Message(
        text=text,
        header=header,
        fields=[(_("Body"), name), (_("When"), when), (_("Meeting"), f"M{meeting.id}")],
        sections=[agenda],
        context=context,
    )


#: A meeting's length unless ``--duration`` says otherwise (``Meeting.duration_minutes``).
DEFAULT_MINUTES = 120


def duration_words(minutes: int) -> str:
    """``3 hours``, ``90 minutes``, ``1 hour 30 minutes``."""
    hours, rest = divmod(minutes, 60)
    parts = [ngettext("{n} hour", "{n} hours", hours)] if hours else []
    return " ".join(parts + ([ngettext("{n} minute", "{n} minutes", rest)] if rest else []))


def moved_notice(meeting: Meeting, body: Body, old: datetime, tz: ZoneInfo) -> Message:
    """The thread post under a moved meeting's announcement."""
    return Message(text=_("*M{number}* ({body}) moved: now {when}, not ~{before}~.",
                          number=meeting.id, body=named(body),
                          when=slack_date(meeting.starts_at, tz), before=slack_date(old, tz)))


def agenda_reply(meeting: Meeting, body: Body, agenda: str, tz: ZoneInfo) -> Message:
    values = {"title": escape(meeting.title), "body": named(body),
              "when": slack_date(meeting.starts_at, tz)}
    return Message(
        text=(_("*{title}* (cancelled): {body}, {when}.", **values)
              if meeting.status == MeetingStatus.CANCELLED
              else _("*{title}*: {body}, {when}.", **values)),
        header=_("Agenda of M{number}", number=meeting.id),
        sections=[agenda],
    )


def cancel_notice(meeting: Meeting, body: Body, reason: str, reopened: int | None,
                  tz: ZoneInfo) -> Message:
    why = " " + _("Reason: {reason}", reason=escape(reason)) if reason else ""
    text = _("*M{number}* ({body}, {when}) is cancelled.", number=meeting.id, body=named(body),
             when=slack_date(meeting.starts_at, tz)) + why
    if reopened is not None:
        text += "\n" + _("Extraordinary request E{number} is open again until a new meeting is "
                         "scheduled.", number=reopened)
    return Message(text=text)


# -- bodies, listings, the dashboard -----------------------------------------------------


def verdict_line(comp: Compliance | None, tz: ZoneInfo) -> str:
    if comp is None:
        return _("no minimum")
    text = f"{_ICONS[comp.verdict]} {cadence.verdict_words(comp.verdict)}: {comp.summary()}"
    if comp.verdict is Verdict.AT_RISK:
        text += "; " + ngettext("{missing} more needed, {n} day left",
                                "{missing} more needed, {n} days left",
                                cadence.days_left(comp, tz), missing=comp.missing)
    return text


def bodies_list(council_name: str, bodies: Sequence[tuple[Body, Compliance | None]],
                tz: ZoneInfo) -> Message:
    rows = []
    for body, comp in bodies:
        words = cadence.mandate_words(body.cadence_count, body.cadence_per)
        kind = "" if body.permanent else ", " + _("ad hoc")
        area = ", " + _("area {area}", area=body.area) if body.area else ""
        rows.append(f"*{named(body)}* (`{body.key}`{kind}{area}): {words}\n"
                    f"    {verdict_line(comp, tz)}")
    return Message(
        text=_("The bodies of the {council} and their mandated cadence.", council=council_name),
        header=_("Bodies"),
        sections=["\n".join(rows)],
        context=[_("At risk: the period is running out and too few meetings are scheduled. "
                   "A meeting whose start has passed counts as held unless it was cancelled.")],
    )


def body_added(name: str, key: str, mandate: str, ad_hoc: bool, area_name: str | None) -> Message:
    area_text = ", " + _("area: {area}", area=area_name) if area_name else ""
    values = {"name": escape(name), "key": key, "mandate": mandate}
    text = (_("New ad hoc body: *{name}* (`{key}`), meeting {mandate}", **values) if ad_hoc
            else _("New permanent body: *{name}* (`{key}`), meeting {mandate}", **values))
    return Message(text=f"{text}{area_text}.")


def meeting_line(meeting: Meeting, body: Body, tz: ZoneInfo) -> str:
    mark = " " + _("_(extraordinary)_") if meeting.extraordinary else ""
    return (f"*M{meeting.id}* {slack_date(meeting.starts_at, tz)}: "
            f"{escape(meeting.title)} ({named(body)}){mark}")


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
            ways.append(_("The next page: {listing} page {page}`", listing=listing,
                          page=page + 1))
        else:
            ways.append(_("The first page: {listing}`", listing=listing))
        if one_body is not None:
            ways.append(one_body)
        context.append(_("Meetings {first}\u2013{last} of {total} are shown.", first=first,
                         last=first + len(rows) - 1, total=total) + " "
                       + "; ".join(ways) + ".")
    return Message(text=ngettext("{n} upcoming meeting{scope}.", "{n} upcoming meetings{scope}.",
                                 total, scope=scope),
                   header=_("Meetings"), sections=["\n".join(lines)], context=context)



def feed_addresses(base: str, links: Sequence[FeedLink]) -> Message:
    lines = [f"• {link.name}: `{base}{link.path}`" for link in links]
    context = [_("Anyone with an address can read the calendar: share it with the delegations "
                 "only.")]
    if not base:
        context.append(_("The addresses are relative to where `nrc-bot serve` answers; set "
                         "NRC_PUBLIC_URL to show them in full."))
    return Message(text=_("Subscribe to these in any calendar application."),
                   header=_("Calendar feeds"), sections=["\n".join(lines)], context=context)


# -- extraordinary requests --------------------------------------------------------------


def _schedule_hint(slash: str, body_key: str) -> str:
    return f"`{slash} schedule {body_key} <when> --extraordinary`"


def request_announcement(number: int | None, who: str, body: Body, user_id: str, reason: str,
                         chair_text: str, slash: str) -> Message:
    return Message(
        header=_("Extraordinary meeting requested (E{number})", number=number),
        text=_("*{who}* requests an extraordinary meeting of the *{body}* (<@{user}>).",
               who=_capital(who), body=named(body), user=user_id)
             + "\n" + _("*Reason:* {reason}", reason=escape(reason)),
        context=[_("{chair} is asked to schedule it: {hint}.", chair=chair_text,
                   hint=_schedule_hint(slash, body.key)) + " " + _(_EXTRAORDINARY_CITATION)],
    )


def request_to_chair(who: str, body: Body, reason: str, slash: str) -> Message:
    return Message(
        text=_("*{who}* requests an extraordinary meeting of the *{body}*: {reason}",
               who=_capital(who), body=named(body), reason=escape(reason))
             + "\n" + _("Schedule it with {hint}; I will remind the channel daily until it is "
                        "scheduled.", hint=_schedule_hint(slash, body.key)))


def request_withdrawn(number: int, who: str, user_id: str) -> Message:
    return Message(
        text=_("E{number}, the request of *{who}* for an extraordinary meeting, was withdrawn "
               "by <@{user}>; no meeting is to be scheduled for it.", number=number,
               who=_capital(who), user=user_id))


def request_recall(request: ExtraordinaryRequest, who: str, n: int, chair: str, where: str,
                   slash: str, tz: ZoneInfo) -> Message:
    return Message(
        header=_("Extraordinary meeting still to be scheduled (E{number})", number=request.id),
        text=(ngettext("The extraordinary meeting requested by *{who}* {when} is not yet "
                       "scheduled ({n} day ago).",
                       "The extraordinary meeting requested by *{who}* {when} is not yet "
                       "scheduled ({n} days ago).", n, who=who,
                       when=slack_date(request.created_at, tz))
              + " " + _("*Reason:* {reason}", reason=escape(request.reason)) + "\n"
              + f"{chair}: {_schedule_hint(slash, where)}."),
        # "... extraordinary meetings, which will take place at the request of any
        # Member or the NATO Secretary General."
        context=[_(_EXTRAORDINARY_CITATION)],
    )


# -- reminders and nudges ----------------------------------------------------------------


def chair_mention(council: Council) -> str:
    chair = council.chair_user_id
    return (f"<@{chair}>" if chair
            else _("The {chair} (not yet set)", chair=chair_title(council)))


#: The chair's titles a charter may give, translated where shown (:func:`chair_title`).
_CHAIR_TITLES = (N_("Chair"), N_("Secretary General"), N_("President"))


def chair_title(council: Council) -> str:
    """The council's chair's title in the language being rendered, where it is a known
    one; else as the charter writes it."""
    title = council.chair_title
    return _(title) if title in _CHAIR_TITLES else title


def secretariat_cc(admins: Sequence[str]) -> str:
    listed = sorted(admins)[:3]
    return (" cc " + " ".join(f"<@{a}>" for a in listed)) if listed else ""


def lead_words(seconds: int) -> str:
    """``in 7 days``, ``in 24 hours``, ``in 1 hour``, ``in 90 minutes``."""
    if seconds % 86400 == 0 and seconds >= 2 * 86400:
        return ngettext("in {n} day", "in {n} days", seconds // 86400)
    if seconds % 3600 == 0:
        return ngettext("in {n} hour", "in {n} hours", seconds // 3600)
    return _("in {span}", span=span_text(timedelta(seconds=seconds)))


def reminder_message(meeting: Meeting, body: Body, seconds: int, agenda: str,
                     tz: ZoneInfo) -> Message:
    """A reminder names the meeting, the body, the local time and the agenda."""
    when = slack_date(meeting.starts_at, tz)
    name = named(body)
    values = {"number": meeting.id, "body": name, "title": escape(meeting.title), "when": when}
    return Message(
        header=_("Reminder: M{number} {lead}", number=meeting.id, lead=lead_words(seconds)),
        text=(_("Extraordinary meeting *M{number}* of the *{body}*, {title}, starts {when}.",
                **values) if meeting.extraordinary
              else _("Meeting *M{number}* of the *{body}*, {title}, starts {when}.", **values)),
        fields=[(_("Body"), name), (_("When"), when), (_("Meeting"), f"M{meeting.id}")],
        sections=[agenda],
    )


def nudge_message(body: Body, comp: Compliance, n: int, chair: str, cc: str, slash: str,
                  tz: ZoneInfo) -> Message:
    """Escalates: at risk, then reminders, then "breach imminent" in the last days.

    ``n`` counts the nudges already recorded for this body and period.
    """
    left = cadence.days_left(comp, tz)
    mandate = cadence.mandate_words(body.cadence_count, body.cadence_per)
    name = named(body)
    short = _("{held} held and {scheduled} scheduled of {required} required in {period}",
              held=comp.held, scheduled=comp.scheduled, required=comp.required,
              period=comp.period.label)
    ask = ngettext("{chair}, please schedule a meeting: `{slash} schedule {key} <when>`.",
                   "{chair}, please schedule {n} meetings: `{slash} schedule {key} <when>`.",
                   comp.missing, chair=chair, slash=slash, key=body.key) + cc
    stage = nudge_stage(left, n)
    if stage == "imminent":
        header = _("Breach imminent: {body}", body=name)
        text = "🚨 " + ngettext("*{body}* will breach its mandate, {mandate}, in {n} day: "
                                "{short}.",
                                "*{body}* will breach its mandate, {mandate}, in {n} days: "
                                "{short}.", left, body=name, mandate=mandate, short=short)
    elif stage == "first":
        header = _("Cadence at risk: {body}", body=name)
        text = "⚠️ " + _("*{body}* is at risk of missing its mandate, {mandate}: {short}.",
                         body=name, mandate=mandate, short=short)
    else:
        header = _("Still at risk: {body} (reminder {number})", body=name, number=n + 1)
        text = "⚠️ " + ngettext("*{body}* is still at risk, {n} day before {period} ends: "
                                "{short}.",
                                "*{body}* is still at risk, {n} days before {period} ends: "
                                "{short}.", left, body=name, period=comp.period.label,
                                short=short)
    return Message(header=header, text=f"{text} {ask}",
                   context=[_("Mandate: {mandate}", mandate=escape(body.mandate)),
                            _("This reminder repeats until enough meetings are scheduled.")])


def breach_message(body: Body, comp: Compliance, chair: str, cc: str) -> Message:
    mandate = cadence.mandate_words(body.cadence_count, body.cadence_per)
    name = named(body)
    return Message(
        header=_("Cadence breached: {body}", body=name),
        text="❌ " + _("*{body}* did not meet its mandate, {mandate}, in {period}: {held} held "
                      "of {required} required. For the record: {chair}", body=name,
                      mandate=mandate, period=comp.period.label, held=comp.held,
                      required=comp.required, chair=chair) + cc,
        context=[_("Mandate: {mandate}", mandate=escape(body.mandate))],
    )
