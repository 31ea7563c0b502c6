"""The meeting rules and wording on plain values: no database, no council."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from bot.cadence import Compliance, Verdict, assess, period_containing
from bot.errors import CommandError
from bot.meetings import rules
from bot.meetings.queries import AgendaEntry
from bot.meetings.render import agenda_lines, lead_words, secretariat_cc

BRU = ZoneInfo("Europe/Brussels")
NOW = datetime(2026, 12, 1, 9, 0, tzinfo=UTC)


def _november_breached() -> Compliance:
    """November 2026 closed with no meeting of a body that must meet monthly."""
    period = period_containing(datetime(2026, 11, 15, tzinfo=UTC), "month", BRU)
    return assess(1, "month", 10, [], NOW, BRU, period)


def test_a_breach_counts_only_for_a_body_older_than_the_at_risk_days() -> None:
    comp = _november_breached()
    assert comp.verdict is Verdict.BREACHED
    assert rules.breach_counts(datetime(2026, 10, 1, tzinfo=UTC), comp)
    # Created in the period's last ten days: it had no fair chance.
    assert not rules.breach_counts(datetime(2026, 11, 25, tzinfo=UTC), comp)


def test_a_breach_does_not_count_while_the_period_is_on_track() -> None:
    period = period_containing(NOW, "month", BRU)
    comp = assess(1, "month", 10, [NOW + timedelta(days=3)], NOW, BRU, period)
    assert not rules.breach_counts(datetime(2020, 1, 1, tzinfo=UTC), comp)


def test_a_meeting_starts_ahead_and_at_most_ten_years_ahead() -> None:
    rules.check_start(NOW + timedelta(minutes=1), NOW, BRU)
    rules.check_start(NOW + rules.MAX_AHEAD, NOW, BRU)
    with pytest.raises(CommandError, match="Tue 1 Dec 2026, 10:00 CET is in the past"):
        rules.check_start(NOW, NOW, BRU)
    with pytest.raises(CommandError, match="at most ten years ahead"):
        rules.check_start(NOW + rules.MAX_AHEAD + timedelta(seconds=1), NOW, BRU)


def test_titles_and_names_have_a_limit() -> None:
    rules.check_title("x" * rules.MAX_TITLE)
    with pytest.raises(CommandError, match="The title is 201 characters long; the limit is 200"):
        rules.check_title("x" * 201)
    with pytest.raises(CommandError, match="The name is 201 characters"):
        rules.check_title("x" * 201, "name")


def test_a_cadence_is_at_most_daily() -> None:
    rules.check_cadence(31, "month")
    rules.check_cadence(366, "year")
    with pytest.raises(CommandError, match="32 meetings a month is too many"):
        rules.check_cadence(32, "month")
    with pytest.raises(CommandError, match="367 meetings a year is too many"):
        rules.check_cadence(367, "year")


def test_body_keys_are_hyphenated_words_and_not_all() -> None:
    rules.check_body_key("wg-sar", "wg-sar")
    for bad in ("wg_sar", "-wg", "wg-", "x" * 65):
        with pytest.raises(CommandError, match="is not a key"):
            rules.check_body_key(bad, bad)
    with pytest.raises(CommandError, match='"all" names the feed of every meeting'):
        rules.check_body_key("all", "ALL")


def test_new_bodies_take_the_default_at_risk_days_of_their_unit() -> None:
    assert rules.default_at_risk("month") == 10
    assert rules.default_at_risk("year") == 60
    assert rules.default_at_risk(None) is None
    assert rules.mandate_of_new_body(None, None).startswith("as the Council sets: ")


def test_a_meeting_is_cancelled_once_and_only_before_it_starts() -> None:
    later = NOW + timedelta(hours=1)
    rules.check_cancel(3, "scheduled", later, NOW)
    with pytest.raises(CommandError, match="M3 is already cancelled"):
        rules.check_cancel(3, "cancelled", later, NOW)
    with pytest.raises(CommandError, match="M3 has already taken place"):
        rules.check_cancel(3, "scheduled", NOW, NOW)


def test_the_agenda_closes_when_the_meeting_starts_or_is_cancelled() -> None:
    later = NOW + timedelta(hours=1)
    rules.check_agenda_open(3, "scheduled", later, NOW)
    with pytest.raises(CommandError, match="M3 is cancelled; its agenda is closed"):
        rules.check_agenda_open(3, "cancelled", later, NOW)
    with pytest.raises(CommandError, match="M3 has already taken place; its agenda is closed"):
        rules.check_agenda_open(3, "scheduled", NOW - timedelta(seconds=1), NOW)


def test_cancelling_its_meeting_reopens_only_a_fulfilled_request() -> None:
    assert rules.reopens_request("fulfilled")
    assert not rules.reopens_request("withdrawn")
    assert not rules.reopens_request("open")


def test_only_an_open_request_can_be_withdrawn() -> None:
    rules.check_withdraw(2, "open", "Chair")
    with pytest.raises(CommandError, match="E2 is already withdrawn"):
        rules.check_withdraw(2, "withdrawn", "Chair")
    with pytest.raises(CommandError, match="the Secretary General may cancel that meeting"):
        rules.check_withdraw(2, "fulfilled", "Secretary General")


def test_an_open_request_is_recalled_once_a_day() -> None:
    assert rules.recall_number(NOW, NOW + timedelta(hours=23, minutes=59)) == 0
    assert rules.recall_number(NOW, NOW + timedelta(days=1)) == 1
    assert rules.recall_number(NOW, NOW + timedelta(days=3, hours=5)) == 3


def test_a_reminder_due_before_the_meeting_was_scheduled_does_not_exist() -> None:
    starts = NOW + timedelta(days=2)
    assert rules.reminder_exists(starts, 24 * 3600, NOW)
    assert rules.reminder_exists(starts, 2 * 24 * 3600, NOW)  # due the moment it was scheduled
    assert not rules.reminder_exists(starts, 7 * 24 * 3600, NOW)


def test_nudges_escalate_to_breach_imminent_in_the_last_days() -> None:
    assert rules.nudge_stage(9, 0) == "first"
    assert rules.nudge_stage(8, 1) == "again"
    assert rules.nudge_stage(3, 0) == "imminent"
    assert rules.nudge_stage(1, 5) == "imminent"


def test_lead_words_say_days_hours_or_minutes() -> None:
    assert lead_words(7 * 86400) == "in 7 days"
    assert lead_words(86400) == "in 24 hours"
    assert lead_words(3600) == "in 1 hour"
    assert lead_words(2 * 86400) == "in 2 days"
    assert lead_words(90 * 60) == "in 1 h 30 min"


def test_the_agenda_numbers_items_then_issues_and_escapes_them() -> None:
    entries = [AgendaEntry("Missile <b>defence</b>", "Russian Federation"),
               AgendaEntry("Search and rescue", None, " _overdue: open 34 days_"),
               AgendaEntry("y" * 400, None, issue_id=7)]
    assert agenda_lines(entries) == [
        "1. Missile &lt;b&gt;defence&lt;/b&gt; _(Russian Federation)_",
        "2. Search and rescue _overdue: open 34 days_",
        f"3. Implementation issue I7: {'y' * 300}"]


def test_the_secretariat_is_copied_three_at_most_in_order() -> None:
    assert secretariat_cc([]) == ""
    assert secretariat_cc(["U4", "U2", "U3", "U1"]) == " cc <@U1> <@U2> <@U3>"
