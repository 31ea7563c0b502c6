"""The agenda's states and edits through the core, on both databases (issue 14, item 4)."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlmodel import Session, col, select

from bot.runtime import Runtime
from storage.models import AgendaItem, AuditEntry, Meeting, Outbox
from tests.agenda import make_decision
from tests.council import ADMIN, CHAIR, CHANNEL, OUTSIDER, Clock, delegate, run

RU, US = delegate("RU"), delegate("US")


def _outbox(runtime: Runtime) -> dict[str, Outbox]:
    with Session(runtime.engine) as s:
        return {o.key: o for o in s.exec(select(Outbox).order_by(col(Outbox.id)))}


def _audit(runtime: Runtime) -> list[AuditEntry]:
    with Session(runtime.engine) as s:
        return [e for e in s.exec(select(AuditEntry).order_by(col(AuditEntry.seq)))
                if e.action.startswith("agenda.")]


def _shown(runtime: Runtime) -> list[str]:
    return runtime.run_command(OUTSIDER, CHANNEL, "agenda M1").sections[0].splitlines()


def _meeting(runtime: Runtime) -> Meeting:
    with Session(runtime.engine) as s:
        meeting = s.get(Meeting, 1)
        assert meeting is not None
        return meeting


def _draft(council: Runtime) -> None:
    run(council, CHAIR, "schedule council-amb 2026-12-10 10:00 Monthly meeting")
    run(council, RU, "agenda M1 add Missile defence")
    run(council, US, "agenda M1 add Search and rescue")
    run(council, CHAIR, "agenda M1 add Any other business")


def test_a_delegation_edits_and_removes_only_its_own_items_while_a_draft(
        council: Runtime) -> None:
    _draft(council)
    assert run(council, RU, "agenda M1 edit 1 Missile defence cooperation") == (
        "On the agenda of M1: item 1 now reads “Missile defence cooperation”. The "
        "announcement in the channel shows it.")
    assert run(council, RU, "agenda M1 edit 2 Mine now").startswith(
        "Only the Chair or the secretariat may edit item 2; it is not your delegation's.")
    assert run(council, RU, "agenda M1 remove 3").startswith(
        "Only the Chair or the secretariat may remove item 3; it is not your delegation's.")
    assert run(council, RU, "agenda M1 move 1 2").startswith(
        "Only the Chair or the secretariat may move agenda items.")
    assert run(council, OUTSIDER, "agenda M1 edit 1 x").startswith(
        "Only delegations, the Chair or the secretariat may edit agenda items.")
    assert run(council, US, "agenda M1 remove 2").startswith("On the agenda of M1: item 2 removed")
    assert _shown(council) == ["*Agenda*", "1. Missile defence cooperation _(Russian Federation)_",
                               "2. Any other business"]
    # A draft changes without revisions: nothing is posted in the thread.
    assert not [k for k in _outbox(council) if ":agenda:" in k]
    assert [(e.action, e.details["revision"]) for e in _audit(council)
            if e.action != "agenda.add"] == [("agenda.edit", None), ("agenda.remove", None)]
    assert _audit(council)[-2].details["before"] == "Missile defence"


def test_the_chair_moves_and_refusals_say_what_to_give(council: Runtime) -> None:
    _draft(council)
    assert run(council, CHAIR, "agenda M1 move 3 1").startswith(
        "On the agenda of M1: item 3 (“Any other business”) moved to position 1.")
    assert [line.split(" _(")[0] for line in _shown(council)[1:]] == [
        "1. Any other business", "2. Missile defence", "3. Search and rescue"]
    assert run(council, CHAIR, "agenda M1 move 1 9").startswith(
        '"9" is not a position; give a number from 1 to 3.')
    assert run(council, CHAIR, "agenda M1 move 1 1").startswith(
        "Item 1 is already at position 1.")
    assert run(council, CHAIR, "agenda M1 edit x y").startswith(
        '"x" is not an item number; give a number from 1 to 3.')
    assert run(council, CHAIR, "agenda M1 remove").startswith(
        "Give the number of the item to remove, like agenda M1 remove 2.")
    assert run(council, CHAIR, "agenda M1 move 2").startswith(
        "Give the item and its new position, like agenda M1 move 2 1.")
    assert run(council, ADMIN, "agenda M1 adopt").startswith(
        "The agenda of M1 is still a draft; circulate it first: agenda M1 circulate.")
    assert run(council, ADMIN, "agenda M1 circulate now").startswith('Unexpected "now"')


def test_after_circulation_every_change_is_a_revision_in_the_thread(council: Runtime) -> None:
    _draft(council)
    assert run(council, RU, "agenda M1 circulate").startswith(
        "Only the Chair or the secretariat may circulate agendas.")
    assert run(council, ADMIN, "agenda M1 circulate").startswith("Circulated the agenda of M1")
    rows = _outbox(council)
    assert rows["meeting:1:agenda:1"].thread_key == "meeting:1"
    assert rows["meeting:1:agenda:1"].payload["text"].startswith(
        "The agenda of M1 is circulated (3 items).")
    assert _shown(council)[0] == "*Agenda* _circulated_"
    assert run(council, ADMIN, "agenda M1 circulate").startswith(
        "The agenda of M1 is already circulated")
    # A delegation no longer changes it, not even its own items.
    assert run(council, RU, "agenda M1 edit 1 Changed").startswith(
        "Only the Chair or the secretariat may edit items of the agenda of M1 now that it is "
        "circulated.")
    assert run(council, RU, "agenda M1 add Late item").startswith(
        "Only the Chair or the secretariat may add to the agenda of M1 now that it is "
        "circulated.")
    assert run(council, CHAIR, "agenda M1 move 2 1").endswith(
        "moved to position 1. The announcement in the channel shows it, and its thread "
        "announces revision 2.")
    run(council, CHAIR, "agenda M1 add Date of the next meeting")
    rows = _outbox(council)
    assert rows["meeting:1:agenda:2"].payload["text"] == (
        "Agenda of M1, revision 2: item 2 (“Search and rescue”) moved to position 1.")
    assert rows["meeting:1:agenda:3"].payload["text"] == (
        "Agenda of M1, revision 3: item 4 added (“Date of the next meeting”).")
    assert rows["meeting:1:agenda:3"].thread_key == "meeting:1"
    assert "meeting:1#update" in rows  # the announcement rebuilt in place
    assert _shown(council)[0] == "*Agenda* _circulated, revision 3_"
    assert _meeting(council).agenda_revision == 3
    assert run(council, CHAIR, "agenda M1 adopt").startswith(
        "Recorded the agenda of M1 as adopted")
    assert _outbox(council)["meeting:1:agenda:adopted"].payload["text"] == (
        "The agenda of M1 is adopted (4 items).")
    assert run(council, CHAIR, "agenda M1 edit 1 x").startswith(
        "The agenda of M1 is adopted; it can no longer change.")
    assert [(e.action, e.details.get("revision")) for e in _audit(council)][-4:] == [
        ("agenda.circulate", None), ("agenda.move", 2), ("agenda.add", 3), ("agenda.adopt", 3)]


def test_adopt_is_recorded_at_the_meeting(council: Runtime, clock: Clock) -> None:
    _draft(council)
    run(council, CHAIR, "agenda M1 circulate")
    clock.now = datetime(2026, 12, 10, 9, 5, tzinfo=UTC)  # the meeting has started
    assert run(council, CHAIR, "agenda M1 edit 1 x").startswith(
        "M1 has already taken place; its agenda is closed.")
    assert run(council, CHAIR, "agenda M1 adopt").startswith("Recorded the agenda of M1")
    assert _shown(council)[0] == "*Agenda* _adopted_"


def test_an_issue_line_moves_but_is_not_removed_and_resolving_marks_it(
        council: Runtime) -> None:
    d = make_decision(council)
    run(council, CHAIR, "schedule council-amb 2026-12-10 10:00 Monthly meeting")
    run(council, RU, f"raise D{d} Not implemented.")
    run(council, US, "agenda M1 add Search and rescue")
    assert run(council, CHAIR, "agenda M1 remove 1").startswith(
        "Item 1 is implementation issue I1; it leaves the agenda when the issue is resolved "
        "or withdrawn.")
    assert run(council, CHAIR, "agenda M1 move 1 2").startswith("On the agenda of M1: item 1")
    run(council, CHAIR, "agenda M1 circulate")
    run(council, CHAIR, "resolve I1 Exercise held")
    lines = _shown(council)
    assert lines[0] == "*Agenda* _circulated, revision 2_"
    assert lines[2].startswith("2. ~Implementation issue I1") and lines[2].endswith("_resolved_")
    assert _outbox(council)["meeting:1:agenda:2"].payload["text"] == (
        "Agenda of M1, revision 2: implementation issue I1 is resolved; its item stays on the "
        "agenda, marked resolved.")
    with Session(council.engine) as s:
        assert [i.status for i in s.exec(select(AgendaItem).order_by(col(AgendaItem.position)))
                ] == ["open", "resolved"]


def test_resolving_an_issue_takes_it_off_a_draft_agenda(council: Runtime) -> None:
    d = make_decision(council)
    run(council, CHAIR, "schedule council-amb 2026-12-10 10:00 Monthly meeting")
    run(council, RU, f"raise D{d} Not implemented.")
    run(council, CHAIR, "resolve I1 Exercise held")
    assert _shown(council)[1].startswith("_No items yet._")


def test_withdrawing_an_issue_on_a_circulated_agenda_is_a_revision(council: Runtime) -> None:
    d = make_decision(council)
    run(council, CHAIR, "schedule council-amb 2026-12-10 10:00 Monthly meeting")
    run(council, RU, f"raise D{d} Not implemented.")
    run(council, US, "agenda M1 add Search and rescue")
    run(council, CHAIR, "agenda M1 circulate")
    assert run(council, RU, "withdraw I1").startswith("Withdrew *I1*")
    assert _shown(council) == ["*Agenda* _circulated, revision 2_",
                               "1. Search and rescue _(United States)_"]
    assert _outbox(council)["meeting:1:agenda:2"].payload["text"] == (
        "Agenda of M1, revision 2: implementation issue I1 is withdrawn; its item is taken "
        "off the agenda.")
