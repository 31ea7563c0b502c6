"""Reading and showing times in the council's zone, across daylight-saving changes."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from freezegun import freeze_time

from bot.errors import CommandError
from bot.times import local_text, parse_deadline, parse_duration, parse_when, slack_date, utcnow

BRU = ZoneInfo("Europe/Brussels")


@pytest.mark.parametrize(("text", "expected"), [
    ("2026-12-03 10:00", datetime(2026, 12, 3, 9, 0, tzinfo=UTC)),       # CET, UTC+1
    ("2027-07-01 10:00", datetime(2027, 7, 1, 8, 0, tzinfo=UTC)),        # CEST, UTC+2
    ("2026-12-03T10:00", datetime(2026, 12, 3, 9, 0, tzinfo=UTC)),
    ("2026-12-03T10:00+01:00", datetime(2026, 12, 3, 9, 0, tzinfo=UTC)),
    ("2026-12-03T10:00-05:00", datetime(2026, 12, 3, 15, 0, tzinfo=UTC)),
    ("2026-12-03T10:00Z", datetime(2026, 12, 3, 10, 0, tzinfo=UTC)),
    ("2026-12-3 9:05", datetime(2026, 12, 3, 8, 5, tzinfo=UTC)),
    # Both sides of the spring change (29 March 2026): 10:00 local stays 10:00 local.
    ("2026-03-28 10:00", datetime(2026, 3, 28, 9, 0, tzinfo=UTC)),
    ("2026-03-30 10:00", datetime(2026, 3, 30, 8, 0, tzinfo=UTC)),
    # The autumn change (25 October 2026): 02:30 happens twice; the first is meant.
    ("2026-10-25 02:30", datetime(2026, 10, 25, 0, 30, tzinfo=UTC)),
])
def test_parse_when(text: str, expected: datetime) -> None:
    assert parse_when(text, BRU) == expected


@pytest.mark.parametrize(("text", "message"), [
    ("2027-02-30 10:00", '"2027-02-30 10:00" is not a valid date and time (day is out of range'),
    ("2027-13-01 10:00", '"2027-13-01 10:00" is not a valid date and time (month must be in 1..12'),
    ("2027-03-28 02:30", "2027-03-28 02:30 does not exist in Europe/Brussels: the clocks go"),
    ("2027-03-01", '"2027-03-01" has no time of day'),
    ("tomorrow", '"tomorrow" is not a time'),
    ("2027-03-01 25:00", '"2027-03-01 25:00" is not a valid date and time'),
])
def test_parse_when_refuses_with_one_sentence(text: str, message: str) -> None:
    with pytest.raises(CommandError) as info:
        parse_when(text, BRU)
    assert info.value.message.startswith(message)
    assert info.value.message.endswith(".")


@pytest.mark.parametrize(("text", "expected"), [
    ("48h", timedelta(hours=48)), ("3d", timedelta(days=3)), ("1w", timedelta(weeks=1)),
    ("90m", timedelta(minutes=90)), ("1d12h", timedelta(hours=36)), ("2D", timedelta(days=2)),
])
def test_parse_duration(text: str, expected: timedelta) -> None:
    assert parse_duration(text) == expected


@pytest.mark.parametrize("text", ["0h", "-3d", "h", "3 days", "99999d", ""])
def test_parse_duration_refuses(text: str) -> None:
    with pytest.raises(CommandError):
        parse_duration(text)


@freeze_time("2026-12-01 09:00:00")
def test_deadlines_from_now_or_a_moment() -> None:
    now = utcnow()
    assert now == datetime(2026, 12, 1, 9, 0, tzinfo=UTC)
    assert parse_deadline("48h", BRU, now) == datetime(2026, 12, 3, 9, 0, tzinfo=UTC)
    assert parse_deadline("2026-12-05 18:00", BRU, now) == datetime(2026, 12, 5, 17, 0, tzinfo=UTC)


def test_showing_times() -> None:
    winter = datetime(2026, 12, 3, 9, 0, tzinfo=UTC)
    summer = datetime(2027, 7, 1, 8, 0, tzinfo=UTC)
    assert local_text(winter, BRU) == "Thu 3 Dec 2026, 10:00 CET"
    assert local_text(summer, BRU) == "Thu 1 Jul 2027, 10:00 CEST"
    assert slack_date(winter, BRU) == (
        "<!date^1796288400^{date_short_pretty} {time}|Thu 3 Dec 2026, 10:00 CET>")
