"""Reading times the council types and showing times the council reads.

Times are in the council's zone (default Europe/Brussels) unless they carry an
offset. Slack shows each reader a date in their own zone (``<!date^…>``); the
fallback text, and the console, show the council's local time with its zone.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from bot.errors import CommandError

_DURATION_PART = re.compile(r"(\d+)\s*(w|d|h|m)", re.IGNORECASE)
_DURATION = re.compile(r"^\s*(?:\d+\s*[wdhm]\s*)+$", re.IGNORECASE)
_UNITS = {"w": timedelta(weeks=1), "d": timedelta(days=1), "h": timedelta(hours=1), "m": timedelta(minutes=1)}
_LOCAL = re.compile(r"^(\d{4})-(\d{1,2})-(\d{1,2})[ T](\d{1,2}):(\d{2})$")
_MAX_DURATION = timedelta(days=3650)

TIME_FORMS = "a time like 2026-12-03 10:00, or 2026-12-03T10:00+01:00 with an offset"


def utcnow() -> datetime:
    """The system clock, aware. freezegun patches it in tests."""
    return datetime.now(UTC)


def is_duration(text: str) -> bool:
    return bool(_DURATION.match(text))


def parse_duration(text: str) -> timedelta:
    """``48h``, ``3d``, ``1w``, ``90m``, ``1d12h``."""
    if not is_duration(text):
        raise CommandError(f'"{text}" is not a duration; write it like 48h, 3d or 1w.')
    total = sum((int(n) * _UNITS[unit.lower()] for n, unit in _DURATION_PART.findall(text)),
                timedelta())
    if total <= timedelta(0):
        raise CommandError("A duration must be longer than zero.")
    if total > _MAX_DURATION:
        raise CommandError("A duration may not exceed ten years.")
    return total


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
                    raise CommandError(f'"{text}" has no time of day; write it as {TIME_FORMS}.')
                local = parsed.replace(tzinfo=tz)
            else:
                return parsed.astimezone(UTC)
    except ValueError as exc:
        reason = str(exc).rstrip(".")
        if match or re.match(r"^\d{4}-\d{1,2}-\d{1,2}", text):
            raise CommandError(f'"{text}" is not a valid date and time ({reason}).') from None
        raise CommandError(f'"{text}" is not a time; write {TIME_FORMS}.') from None
    # A wall-clock time in the spring-forward gap does not survive a round trip.
    round_trip = local.astimezone(UTC).astimezone(tz)
    if round_trip.replace(tzinfo=None) != local.replace(tzinfo=None):
        raise CommandError(
            f'{text} does not exist in {tz.key}: the clocks go forward then; choose another time.'
        )
    return local.astimezone(UTC)


def parse_deadline(text: str, tz: ZoneInfo, now: datetime) -> datetime:
    """A deadline: a duration from now (``48h``) or a moment."""
    if is_duration(text):
        return now + parse_duration(text)
    return parse_when(text, tz)


def local_text(moment: datetime, tz: ZoneInfo) -> str:
    """``Thu 3 Dec 2026, 10:00 CET``: the council's own reading of a moment."""
    local = moment.astimezone(tz)
    return f"{local:%a} {local.day} {local:%b %Y, %H:%M} {local.tzname()}"


def slack_date(moment: datetime, tz: ZoneInfo) -> str:
    """A date each Slack reader sees in their own zone, the council's time as fallback."""
    stamp = int(moment.timestamp())
    return f"<!date^{stamp}^{{date_short_pretty}} {{time}}|{local_text(moment, tz)}>"


def span_text(delta: timedelta) -> str:
    """``2 d 4 h``: how long until something, for people, not machines."""
    seconds = int(delta.total_seconds())
    if seconds <= 0:
        return "now"
    days, rest = divmod(seconds, 86400)
    hours, rest = divmod(rest, 3600)
    minutes = rest // 60
    parts = [f"{days} d" if days else "", f"{hours} h" if hours else ""]
    if not days:
        parts.append(f"{minutes} min" if minutes else "")
    return " ".join(p for p in parts if p) or "under a minute"
