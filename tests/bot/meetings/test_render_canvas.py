"""A meeting's canvas document, rendered from plain records: no database."""

from __future__ import annotations

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

from bot.meetings.queries import AgendaEntry
from bot.meetings.render_canvas import document, plain_line, unavailable_notice
from storage.models import Body, Meeting
from storage.statuses import AgendaState, MeetingStatus

BRUSSELS = ZoneInfo("Europe/Brussels")
STARTS = datetime(2026, 12, 10, 9, 0, tzinfo=UTC)
BEFORE = datetime(2026, 12, 4, 9, 0, tzinfo=UTC)
BODY = Body(id=1, council_id=1, ordinal=1, key="council-amb", name="Council at Ambassadorial level",
            level="council", mandate="", created_at=BEFORE)


def _meeting(**fields: object) -> Meeting:
    values: dict[str, object] = {"id": 3, "council_id": 1, "body_id": 1, "starts_at": STARTS,
                                 "title": "Monthly meeting", "created_by": "UCHAIRSG",
                                 "created_at": BEFORE}
    values.update(fields)
    return Meeting(**values)


ENTRIES = [AgendaEntry("Search and rescue at sea", "Norway", item_id=1, member_id=12),
           AgendaEntry("Missile defence", None, item_id=2),
           AgendaEntry("Exercise report", "Russia", item_id=3, resolved=True),
           AgendaEntry("Late notification", "France", issue_id=5, member_id=5)]


def test_the_first_line_says_who_keeps_it_and_that_a_hand_edit_is_overwritten() -> None:
    text = document(_meeting(), BODY, [], BRUSSELS, BEFORE).text
    first = text.splitlines()[0]
    assert first == ("> Kept by nrc-bot from the council's records: an edit made here by hand "
                     "is overwritten at the next change. The records are the authority; "
                     "`/nrc agenda M3` shows them.")
    assert "_No items yet._" in text and "## Agenda (draft)" in text


def test_the_document_holds_the_meeting_and_its_items_in_order_with_status_and_author() -> None:
    meeting = _meeting(venue="NATO HQ, Brussels", duration_minutes=180,
                       agenda_state=AgendaState.CIRCULATED, agenda_revision=2)
    shown = document(meeting, BODY, ENTRIES, BRUSSELS, BEFORE)
    assert shown.header == "M3: Monthly meeting"
    assert shown.text.splitlines()[2:] == [
        "# Meeting M3: Monthly meeting",
        "",
        "- **Body:** Council at Ambassadorial level",
        "- **When:** Thu 10 Dec 2026, 10:00 CET",
        "- **Venue:** NATO HQ, Brussels",
        "- **Length:** 3 hours",
        "- **Status:** scheduled",
        "",
        "## Agenda (circulated, revision 2)",
        "",
        "1. Search and rescue at sea (open; added by Norway)",
        "2. Missile defence (open; added by the Chair or the secretariat)",
        "3. ~~Exercise report~~ (resolved; added by Russia)",
        "4. Implementation issue I5: Late notification (open; added by France)",
    ]


def test_a_moved_then_cancelled_meeting_says_so() -> None:
    moved = document(_meeting(previous_starts_at=BEFORE), BODY, [], BRUSSELS, BEFORE).text
    assert "- **Moved from:** ~~Fri 4 Dec 2026, 10:00 CET~~" in moved
    cancelled = document(_meeting(status=MeetingStatus.CANCELLED, cancel_reason="No quorum"),
                         BODY, [], BRUSSELS, BEFORE).text
    assert "- **Status:** **cancelled**: No quorum" in cancelled
    held = document(_meeting(agenda_state=AgendaState.ADOPTED, agenda_revision=1), BODY, [],
                    BRUSSELS, STARTS).text
    assert "- **Status:** held" in held and "## Agenda (adopted, revision 1)" in held


def test_sections_other_features_add_come_after_the_agenda() -> None:
    text = document(_meeting(), BODY, ENTRIES[:1], BRUSSELS, BEFORE,
                    sections=["## Record\n\nAdopted D4.\n"]).text
    assert text.endswith("1. Search and rescue at sea (open; added by Norway)\n\n"
                         "## Record\n\nAdopted D4.\n")


def test_user_text_cannot_format_the_document() -> None:
    assert plain_line("*Bold* claim\n# heading ~~gone~~") == (
        "\\*Bold\\* claim # heading \\~\\~gone\\~\\~")
    shown = document(_meeting(title="~Struck *all*"), BODY, [], BRUSSELS, BEFORE)
    assert "# Meeting M3: \\~Struck \\*all\\*" in shown.text


def test_the_secretariat_is_told_why_and_that_nothing_else_changes() -> None:
    notice = unavailable_notice("canvases.create: paid_only", ["UADMIN02", "UADMIN01"])
    assert notice.text.startswith("<@UADMIN01> <@UADMIN02>: meetings have no canvas on this "
                                  "workspace (Slack answered `canvases.create: paid_only`")
    assert notice.text.endswith("the announcements in this channel hold every agenda.")
