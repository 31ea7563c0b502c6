"""The rules of meetings, bodies and extraordinary requests, on plain values.

The Rome Declaration sets each body's rhythm ("Meetings of the Council at
Ambassadorial level will be held at least once a month"); the rules that judge
it are pure functions in :mod:`bot.cadence`. These are the rules around them:
when a meeting may be scheduled, cancelled or given agenda items, when a
period's breach counts, and how often an open extraordinary request is
recalled. A meeting is scheduled or cancelled; one whose start has passed
counts as held unless it was cancelled.
"""

from __future__ import annotations

import re
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from bot import cadence
from bot.cadence import Compliance, Verdict
from bot.errors import CommandError
from bot.i18n import SOURCE, _, using
from bot.times import local_text
from storage.statuses import MeetingStatus, RequestStatus

MAX_TITLE = 200
MAX_AHEAD = timedelta(days=3650)
#: New bodies are reminded a day and an hour before each meeting.
SHORT_REMINDERS = (24 * 3600, 3600)
#: The most meetings a cadence may ask for, per unit.
MAX_CADENCE = {"month": 31, "year": 366}
#: Extraordinary requests are recalled this often until a meeting is scheduled.
EXTRAORDINARY_EVERY = timedelta(days=1)
#: A breach notice still goes out this long after its period closed (downtime).
BREACH_GRACE = timedelta(days=1)

_KEY = re.compile(r"[a-z0-9]+(?:-[a-z0-9]+)*")


def breach_counts(created_at: datetime, compliance: Compliance) -> bool:
    """A closed period counts as breached only if the body existed before it turned at risk.

    A body created (or a council set up) in the last days of a period had no
    fair chance to meet its cadence there.
    """
    return compliance.verdict is Verdict.BREACHED and created_at < compliance.at_risk_from


def check_start(starts: datetime, now: datetime, tz: ZoneInfo) -> None:
    """A meeting is scheduled ahead, at most ten years ahead."""
    if starts <= now:
        raise CommandError(_("{when} is in the past; choose a later time.",
                             when=local_text(starts, tz)))
    if starts - now > MAX_AHEAD:
        raise CommandError(_("A meeting may be scheduled at most ten years ahead."))


def check_title(title: str, what: str = "title") -> None:
    if len(title) > MAX_TITLE:
        values = {"length": len(title), "limit": MAX_TITLE}
        raise CommandError(
            _("The name is {length} characters long; the limit is {limit}.", **values)
            if what == "name" else
            _("The venue is {length} characters long; the limit is {limit}.", **values)
            if what == "venue" else
            _("The title is {length} characters long; the limit is {limit}.", **values))


def check_cadence(cadence_count: int, cadence_per: str) -> None:
    """A body meets at least once, and at most once a day, in its unit."""
    if cadence_count > MAX_CADENCE["month" if cadence_per == "month" else "year"]:
        raise CommandError(_("{count} meetings a month is too many.", count=cadence_count)
                           if cadence_per == "month" else
                           _("{count} meetings a year is too many.", count=cadence_count))


def check_body_key(key: str, given: str) -> None:
    """Lowercase words joined by hyphens; ``all`` names the feed of every meeting."""
    if len(key) > 64 or not _KEY.fullmatch(key):
        raise CommandError(_('"{given}" is not a key; use lowercase words joined by hyphens, '
                             "like wg-sar.", given=given[:40]))
    if key == "all":
        raise CommandError(_('"all" names the feed of every meeting; choose another key.'))


def default_at_risk(cadence_per: str | None) -> int | None:
    """A new body takes its unit's default lead (:func:`bot.cadence.default_at_risk`);
    one without a cadence is never at risk and has none."""
    return cadence.default_at_risk(cadence_per) if cadence_per else None


def mandate_of_new_body(cadence_count: int | None, cadence_per: str | None) -> str:
    """"The NRC will ... establish committees or working groups ... as appropriate":
    the Council sets a new body's rhythm."""
    with using(SOURCE):  # kept in the records as the charter's mandates are written
        return "as the Council sets: " + cadence.mandate_words(cadence_count, cadence_per)


def check_cancel(number: int | None, status: str, starts_at: datetime, now: datetime) -> None:
    """A meeting is cancelled once, and only before it starts (then it counts as held)."""
    if status == MeetingStatus.CANCELLED:
        raise CommandError(_("M{number} is already cancelled.", number=number))
    if starts_at <= now:
        raise CommandError(_("M{number} has already taken place.", number=number))


def check_reschedule(number: int | None, status: str, starts_at: datetime,
                     new_start: datetime, now: datetime) -> None:
    """A meeting is moved only before it starts, unless it is cancelled, and to another
    time ("reschedule <M> <when>": the Chair, the secretariat)."""
    if status == MeetingStatus.CANCELLED:
        raise CommandError(_("M{number} is cancelled; schedule a new meeting instead.",
                             number=number))
    if starts_at <= now:
        raise CommandError(_("M{number} has already taken place.", number=number))
    if new_start == starts_at:
        raise CommandError(_("M{number} already starts at that time.", number=number))


#: "--duration 3h", "--duration 90m", "--duration 1h30m"
_DURATION = re.compile(r"(?:(\d{1,2})h)?(?:(\d{1,3})m)?", re.IGNORECASE)
MAX_DURATION_MINUTES = 24 * 60


def parse_duration(text: str) -> int:
    """A meeting's length in minutes, from ``3h``, ``90m`` or ``1h30m``: at most a day."""
    found = _DURATION.fullmatch(text.strip())
    if not text.strip() or found is None or not any(found.groups()):
        raise CommandError(_('"{text}" is not a duration; write it like 3h, 90m or 1h30m.',
                             text=text[:30]))
    minutes = int(found.group(1) or 0) * 60 + int(found.group(2) or 0)
    if not 0 < minutes <= MAX_DURATION_MINUTES:
        raise CommandError(_("A meeting lasts more than no time and at most 24 hours."))
    return minutes


def check_agenda_open(number: int | None, status: str, starts_at: datetime,
                      now: datetime) -> None:
    """The agenda is open until the meeting starts, unless it is cancelled."""
    if status == MeetingStatus.CANCELLED:
        raise CommandError(_("M{number} is cancelled; its agenda is closed.", number=number))
    if starts_at <= now:
        raise CommandError(_("M{number} has already taken place; its agenda is closed.",
                             number=number))


def reopens_request(request_status: str) -> bool:
    """The declaration says the extraordinary meeting "will take place": cancelling it
    puts a fulfilled request back among those to be met."""
    return request_status == RequestStatus.FULFILLED


def check_withdraw(number: int, status: str, chair_title: str) -> None:
    """Only an open request can be withdrawn; a fulfilled one has its meeting."""
    if status == RequestStatus.WITHDRAWN:
        raise CommandError(_("E{number} is already withdrawn.", number=number))
    if status != RequestStatus.OPEN:
        raise CommandError(_("E{number} is fulfilled: its meeting is scheduled; the {chair} may "
                             "cancel that meeting.", number=number, chair=chair_title))


def recall_number(created_at: datetime, now: datetime) -> int:
    """How many recalls an open request has had due: "... extraordinary meetings, which
    will take place at the request of any Member": the Chair is reminded daily."""
    return int((now - created_at) / EXTRAORDINARY_EVERY)


def reminder_exists(starts_at: datetime, seconds: int, created_at: datetime) -> bool:
    """A reminder whose moment came before the meeting was scheduled does not exist."""
    return starts_at - timedelta(seconds=seconds) >= created_at


def nudge_stage(days_left: int, earlier: int) -> str:
    """Nudges escalate: "at risk" first, then "still at risk", then "breach imminent"
    in the last days of the period (``cadence.URGENT_DAYS``)."""
    if days_left <= cadence.URGENT_DAYS:
        return "imminent"
    return "first" if earlier == 0 else "again"
