"""The status dashboard as a read model: its summary counts verdicts, not words."""

from __future__ import annotations

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

from bot.cadence import assess
from bot.views.status import status_board
from storage.models import Body

TZ = ZoneInfo("Europe/Brussels")
NOW = datetime(2026, 12, 25, 9, 0, tzinfo=UTC)  # six days before December closes


def _body(name: str) -> Body:
    return Body(id=1, council_id=1, key="panel", name=name, cadence_count=1, cadence_per="month",
                permanent=True, created_at=datetime(2026, 1, 1, tzinfo=UTC))


def test_the_summary_counts_the_bodies_whose_verdict_is_at_risk() -> None:
    held = assess(1, "month", None, [datetime(2026, 12, 3, 9, 0, tzinfo=UTC)], NOW, TZ)
    short = assess(1, "month", None, [], NOW, TZ)
    assert (held.verdict.value, short.verdict.value) == ("on track", "at risk")
    # A body whose very name says "at risk" is on track: the summary reads the verdict.
    calm = status_board("NATO-Russia Council", NOW, TZ, [(_body("Panel at risk"), held, None)],
                        [], [], 0, 0)
    assert calm.text.endswith(": every body is on its cadence.")
    worried = status_board("NATO-Russia Council", NOW, TZ,
                           [(_body("Panel at risk"), held, None), (_body("Experts"), short, None)],
                           [], [], 2, 1)
    assert worried.text.endswith(": 1 body is at risk.")
    assert worried.context == ["Open consensus polls: 2. Open implementation issues: 1."]
