"""The pure rules of implementation issues: plain values and a ``now``, no database."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from bot.issues.rules import (
    CARRY_OVER,
    DEFAULT_OVERDUE,
    EXCERPT,
    OPEN,
    RESOLVED,
    WITHDRAWN,
    announced_decision,
    days_open,
    is_council_key,
    is_overdue,
    is_raiser,
    issue_fingerprint,
    needs_meeting,
    plain_link,
    shorten,
)

NOW = datetime(2026, 12, 5, 9, 0, tzinfo=UTC)


@dataclass
class Issue:
    status: str
    created_at: datetime


def test_the_same_words_from_the_same_member_on_the_same_decision_are_one_issue() -> None:
    first = issue_fingerprint(2, 7, "The exercise  has not\nbeen scheduled.")
    assert first == issue_fingerprint(2, 7, "the EXERCISE has not been scheduled.")
    assert first != issue_fingerprint(3, 7, "The exercise has not been scheduled.")
    assert first != issue_fingerprint(2, 8, "The exercise has not been scheduled.")
    assert first != issue_fingerprint(2, 7, "The exercise has been scheduled.")


def test_the_default_overdue_period_is_thirty_days() -> None:
    assert timedelta(days=30) == DEFAULT_OVERDUE


def test_an_open_issue_is_overdue_once_open_the_whole_period() -> None:
    after = timedelta(days=30)
    assert is_overdue(Issue(OPEN, NOW - after), NOW, after)
    assert is_overdue(Issue(OPEN, NOW - after - timedelta(days=4)), NOW, after)
    assert not is_overdue(Issue(OPEN, NOW - after + timedelta(seconds=1)), NOW, after)
    for closed in (RESOLVED, WITHDRAWN):
        assert not is_overdue(Issue(closed, NOW - timedelta(days=90)), NOW, after)


def test_days_open_counts_whole_days_and_never_below_zero() -> None:
    assert days_open(Issue(OPEN, NOW - timedelta(days=34, hours=23)), NOW) == 34
    assert days_open(Issue(OPEN, NOW - timedelta(hours=23)), NOW) == 0
    assert days_open(Issue(OPEN, NOW + timedelta(days=2)), NOW) == 0


def test_shorten_puts_text_on_one_line_and_cuts_it_with_an_ellipsis() -> None:
    assert shorten("Not\n  implemented  yet.") == "Not implemented yet."
    exact = "x" * EXCERPT
    assert shorten(exact) == exact
    assert shorten("word " * 10, 11) == "word word\u2026"  # no space before the ellipsis
    assert len(shorten("y" * 500)) == EXCERPT and shorten("y" * 500).endswith("\u2026")


def test_only_council_bodies_are_the_council() -> None:
    assert is_council_key("council-amb") and is_council_key("council-fm")
    assert not is_council_key("prepcom") and not is_council_key("the-council-amb")


def test_an_issue_waits_for_a_meeting_until_placed_on_one_ahead() -> None:
    assert needs_meeting(None, None, NOW)  # never placed
    assert needs_meeting("cancelled", NOW + timedelta(days=3), NOW)
    assert not needs_meeting("scheduled", NOW + timedelta(days=3), NOW)
    # Held: it stays on its meeting for a day after the meeting began, then moves on.
    assert not needs_meeting("scheduled", NOW - CARRY_OVER + timedelta(minutes=1), NOW)
    assert needs_meeting("scheduled", NOW - CARRY_OVER, NOW)
    assert timedelta(hours=24) == CARRY_OVER


def test_only_a_plain_https_link_is_kept() -> None:
    link = "https://test.slack.com/archives/CCOUNCIL1/p1700000000000100"
    assert plain_link(link) == link
    assert plain_link(None) is None
    for bad in ("http://example.org/x", "https://x|<!channel>", "https://a b",
                "https://" + "a" * 491, "javascript:alert(1)"):
        assert plain_link(bad) is None, bad


def test_the_raiser_is_any_delegate_of_the_raising_member() -> None:
    assert is_raiser(4, 4)
    assert not is_raiser(5, 4)
    assert not is_raiser(None, 4)


def test_a_decision_announcement_key_names_its_decision() -> None:
    assert announced_decision("decision:12") == 12
    assert announced_decision("decision:12:update") is None
    assert announced_decision(None) is None
