"""Outbox keys: each format exactly as rows already in databases carry it (a changed key
would say a reminder twice), and the documentation's table is this module's."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

from bot import keys

AT = datetime(2026, 12, 9, 10, 0, tzinfo=UTC)
ROOT = Path(__file__).resolve().parents[2]


def test_every_key_keeps_the_format_stored_rows_carry() -> None:
    assert keys.channel_bound("C1", AT) == "setup:C1:2026-12-09T10:00:00+00:00"
    assert keys.delegate_seated(4, "head", AT) == "delegate:4:head:2026-12-09T10:00:00+00:00"
    assert keys.delegate_removed(4, AT) == "delegate-remove:4:2026-12-09T10:00:00+00:00"
    assert keys.chair_told(keys.delegate_removed(4, AT)) == (
        "delegate-remove:4:2026-12-09T10:00:00+00:00:chair")
    assert keys.chair_set("U1", AT) == "chair:U1:2026-12-09T10:00:00+00:00"
    assert keys.body(2) == "body:2"
    assert keys.meeting(3) == "meeting:3"
    assert keys.meeting_cancelled(3) == "meeting:3:cancelled"
    assert keys.meeting_reminder(3, 86400) == "meeting:3:remind:86400"
    assert keys.cadence_nudge("council-amb", "2026-12", 7) == "cadence:council-amb:2026-12:7"
    assert keys.cadence_breached("council-amb", "2026-11") == "cadence:council-amb:2026-11:breached"
    assert keys.cadence_nudge("b", "p", 1).startswith(keys.cadence_prefix("b", "p"))
    assert keys.extraordinary(5) == "extraordinary:5"
    assert keys.extraordinary_reminder(5, 2) == "extraordinary:5:remind:2"
    assert keys.extraordinary_withdrawn(5) == "extraordinary:5:withdrawn"
    assert keys.poll(1) == "poll:1"
    assert keys.poll_reminder(1, 2, timedelta(hours=24), AT) == (
        f"poll:1:v2:remind:86400:{int(AT.timestamp())}")
    assert keys.poll_reminder_dm(keys.poll_reminder(1, 2, timedelta(hours=1), AT), "U1") == (
        f"poll:1:v2:remind:3600:{int(AT.timestamp())}:dm:U1")
    assert keys.poll_extended(1, 2, AT) == f"poll:1:v2:extend:{int(AT.timestamp())}"
    assert keys.poll_amended(1, 3) == "poll:1:v3:amended"
    assert keys.poll_more_time(1, 2, 20) == "poll:1:v2:more-time:20"
    assert keys.poll_outcome(1) == "poll:1:outcome"
    assert keys.poll_closed(1) == "poll:1:closed"
    assert keys.decision(6) == "decision:6"
    assert keys.issue(7) == "issue:7"
    assert keys.issue_notice(7) == "issue:7:notice"
    assert keys.issue_resolved(7) == "issue:7:resolved"
    assert keys.issue_withdrawn(7) == "issue:7:withdrawn"
    assert keys.updated("poll:1") == "poll:1#update"
    assert keys.home("U1") == "home:U1"
    assert keys.meeting_reminder(3, 3600, 2) == "meeting:3:remind:3600:s2"
    assert keys.meeting_reminder(3, 3600, 0) == "meeting:3:remind:3600"
    assert keys.meeting_moved(3, 2) == "meeting:3:moved:2"


def test_the_architecture_table_is_the_keys_module() -> None:
    table = keys.table()
    assert table.count("\n") >= 25 and ("| meeting reminder, once per start (once moved, its keys end in `:s{sequence}`, so the "
        "new start gets fresh reminders) | `meeting:{id}:remind:{seconds_before}` |") in table
    architecture = (ROOT / "docs" / "ARCHITECTURE.md").read_text(encoding="utf-8")
    assert table in architecture, "regenerate the table: python -c 'import bot.keys as k; print(k.table())'"
