"""Reading times the council types and showing times the council reads.

Times are in the council's zone (default Europe/Brussels) unless they carry an
offset. Slack shows each reader a date in their own zone (``<!date^…>``); the
fallback text, and the console, show the council's local time with its zone.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from babel.dates import format_datetime

from bot.errors import CommandError
from bot.i18n import N_, _, current

_DURATION = re.compile(r"(?:[0-9]+\s*[wdhm]\s*)+")
_DURATION_PART = re.compile(r"([0-9]+)\s*([wdhm])")
_UNIT_MINUTES = {"w": 7 * 24 * 60, "d": 24 * 60, "h": 60, "m": 1}
_MAX_DURATION_DAYS = 3650
_DURATION_FORMS = N_("write it like 48h, 3d, 90m, 1w or 1d12h")
_LOCAL = re.compile(r"^(\d{4})-(\d{1,2})-(\d{1,2})[ T](\d{1,2}):(\d{2})$")

#: How to write a moment; a constant translated where it is shown (``_(TIME_FORMS)``).
TIME_FORMS = N_("a time like 2026-12-03 10:00, or 2026-12-03T10:00+01:00 with an offset")


def utcnow() -> datetime:
    """The system clock, aware. freezegun patches it in tests."""
    return datetime.now(UTC)


def is_duration(text: str) -> bool:
    return bool(_DURATION.fullmatch(text.strip().lower()))


def read_duration(text: str) -> timedelta:
    """Read a lead time as people write it: ``48h``, ``3d``, ``90m``, ``1w``, ``1d12h``.

    Refuses zero, negative and absurd (over ten years) values, because each of
    them is a mistake in a reminder or deadline, never an intention.
    """
    shown = text.strip()
    cleaned = shown.lower()
    if not cleaned:
        raise ValueError(_("A duration is empty; {forms}.", forms=_(_DURATION_FORMS)))
    if cleaned.startswith("-") and _DURATION.fullmatch(cleaned[1:].strip()):
        raise ValueError(_('"{shown}" is negative; a duration must be longer than zero.',
                           shown=shown))
    if not _DURATION.fullmatch(cleaned):
        raise ValueError(_('"{shown}" is not a duration; {forms}.', shown=shown,
                           forms=_(_DURATION_FORMS)))
    parts = _DURATION_PART.findall(cleaned)
    units = [unit for _number, unit in parts]
    repeated = sorted({unit for unit in units if units.count(unit) > 1})
    if repeated:
        raise ValueError(_('"{shown}" gives the unit "{unit}" twice; {forms}.', shown=shown,
                           unit=repeated[0], forms=_(_DURATION_FORMS)))
    too_long = _('"{shown}" is longer than ten years ({days} days).', shown=shown,
                 days=_MAX_DURATION_DAYS)
    if any(len(number.lstrip("0")) > 9 for number, _unit in parts):
        raise ValueError(too_long)
    minutes = sum(int(number) * _UNIT_MINUTES[unit] for number, unit in parts)
    if minutes == 0:
        raise ValueError(_('"{shown}" is zero; a duration must be longer than zero.',
                           shown=shown))
    if minutes > _MAX_DURATION_DAYS * _UNIT_MINUTES["d"]:
        raise ValueError(too_long)
    return timedelta(minutes=minutes)


def parse_duration(text: str) -> timedelta:
    """A duration typed in a command; a refusal is the user's one-sentence error."""
    try:
        return read_duration(text)
    except ValueError as exc:
        raise CommandError(str(exc)) from None


def parse_when(text: str, tz: ZoneInfo) -> datetime:
    """A moment typed by a person, as an aware UTC datetime.

    Local times that do not exist (the spring-forward gap) are refused; local
    times that happen twice (the autumn fall-back) mean the first of the two.
    """
    text = text.strip()
    match = _LOCAL.match(text)
    try:
        if match:
            year, month, day, hour, minute = (int(g) for g in match.groups())
            local = datetime(year, month, day, hour, minute, tzinfo=tz)
        else:
            parsed = datetime.fromisoformat(text.replace("Z", "+00:00"))
            if parsed.tzinfo is None:
                if len(text) <= 10:
                    raise CommandError(_('"{text}" has no time of day; write it as {forms}.',
                                         text=text, forms=_(TIME_FORMS)))
                local = parsed.replace(tzinfo=tz)
            else:
                return parsed.astimezone(UTC)
    except ValueError as exc:
        reason = str(exc).rstrip(".")
        if match or re.match(r"^\d{4}-\d{1,2}-\d{1,2}", text):
            raise CommandError(_('"{text}" is not a valid date and time ({reason}).',
                                 text=text, reason=reason)) from None
        raise CommandError(_('"{text}" is not a time; write {forms}.', text=text,
                             forms=_(TIME_FORMS))) from None
    # A wall-clock time in the spring-forward gap does not survive a round trip.
    round_trip = local.astimezone(UTC).astimezone(tz)
    if round_trip.replace(tzinfo=None) != local.replace(tzinfo=None):
        raise CommandError(
            _("{text} does not exist in {zone}: the clocks go forward then; choose another time.",
              text=text, zone=tz.key)
        )
    return local.astimezone(UTC)


def parse_deadline(text: str, tz: ZoneInfo, now: datetime) -> datetime:
    """A deadline: a duration from now (``48h``) or a moment."""
    if is_duration(text):
        return now + parse_duration(text)
    return parse_when(text, tz)


#: How a moment reads in each language besides English (Babel's CLDR patterns): "jeudi 14
#: janvier 2027, 10:00 CET", "четверг, 14 января 2027 г., 10:00 CET".
_MOMENT = {"fr": "EEEE d MMMM y, HH:mm", "ru": "EEEE, d MMMM y 'г'., HH:mm"}


def local_text(moment: datetime, tz: ZoneInfo) -> str:
    """``Thu 3 Dec 2026, 10:00 CET``: the council's own reading of a moment, in the
    language being rendered."""
    local = moment.astimezone(tz)
    pattern = _MOMENT.get(current())
    if pattern is not None:
        return f"{format_datetime(local, pattern, locale=current())} {local.tzname()}"
    return f"{local:%a} {local.day} {local:%b %Y, %H:%M} {local.tzname()}"


def slack_date(moment: datetime, tz: ZoneInfo) -> str:
    """A date each Slack reader sees in their own zone, the council's time as fallback."""
    stamp = int(moment.timestamp())
    return f"<!date^{stamp}^{{date_short_pretty}} {{time}}|{local_text(moment, tz)}>"


def span_text(delta: timedelta) -> str:
    """``2 d 4 h``: how long until something, for people, not machines."""
    seconds = int(delta.total_seconds())
    if seconds <= 0:
        return _("now")
    days, rest = divmod(seconds, 86400)
    hours, rest = divmod(rest, 3600)
    minutes = rest // 60
    parts = [_("{n} d", n=days) if days else "", _("{n} h", n=hours) if hours else ""]
    if not days:
        parts.append(_("{n} min", n=minutes) if minutes else "")
    return " ".join(p for p in parts if p) or _("under a minute")
