"""The record of a meeting in ``nrc-bot report``: its latest final revision under the
meeting, in Markdown and HTML (issue 14: "the agenda and record of each meeting")."""

from __future__ import annotations

from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

from sqlmodel import Session

from bot.runtime import Runtime
from bot.views.report import build_report
from bot.views.report_layout import to_html, to_markdown
from tests.council import ADMIN, CHAIR, CODES, Clock, delegate, run

TZ = ZoneInfo("Europe/Brussels")


def _report(council: Runtime) -> tuple[str, str]:
    with Session(council.engine) as session:
        row = council.council_for(session, None)
        report = build_report(session, row, council.charter, date(2026, 12, 1),
                              date(2026, 12, 31), TZ, now=council.clock())
    return to_markdown(report), to_html(report)


def test_a_final_record_shows_under_its_meeting(council: Runtime, clock: Clock) -> None:
    run(council, CHAIR, "schedule council-amb 2026-12-02 10:00 Monthly meeting")
    run(council, delegate("RU"), "agenda M1 add Missile defence")
    clock.now = datetime(2026, 12, 2, 9, 30, tzinfo=UTC)
    md, _ = _report(council)
    assert "Record of M1" not in md  # not final: the agenda only
    for code in CODES:
        run(council, ADMIN, f"attendance M1 {code} " +
            ("absent" if code == "IS" else delegate(code)))
    run(council, ADMIN, "record M1 item 1 The Council heard a briefing.")
    assert run(council, CHAIR, "record M1 final").startswith("The record of M1 is final")
    run(council, ADMIN, "record M1 item 1 The Council heard a <b>briefing</b> and will return to it.")
    md, html = _report(council)
    assert "Record of M1" in md
    assert "Attendance: 19 of 20 members represented, 1 absent." in md
    assert "| Iceland | absent |" in md
    assert f"| France | {delegate('FR')} (head of delegation) |" in md
    assert ("1. Missile defence (Russian Federation) — outcome: The Council heard a "
            "\\<b\\>briefing\\</b\\> and will return to it.") in md
    assert "Revision" in md and "outcome of item 1" in md  # the correction, revision 2
    assert "&lt;b&gt;briefing&lt;/b&gt;" in html and "<b>briefing" not in html
    assert "Record of M1" in html and "Iceland" in html
