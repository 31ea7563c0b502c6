"""Meetings, agendas, bodies and extraordinary requests through the core, on both databases."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlmodel import Session, col, select

from bot.exchange import export_state
from bot.runtime import Runtime
from storage.models import AuditEntry, Body, ExtraordinaryRequest, Meeting, Outbox
from tests.agenda import make_meeting
from tests.council import ADMIN, CHAIR, CHANNEL, OUTSIDER, Clock, delegate, run

USAGE = "Usage: `/nrc schedule <body> <when> [title] [--venue V] [--duration 3h] [--extraordinary]`"


def _outbox(runtime: Runtime) -> dict[str, Outbox]:
    with Session(runtime.engine) as s:
        return {o.key: o for o in s.exec(select(Outbox).where(Outbox.status != "sent")
                                         .order_by(col(Outbox.id)))}


def _audit(runtime: Runtime) -> list[AuditEntry]:
    with Session(runtime.engine) as s:
        return list(s.exec(select(AuditEntry).order_by(col(AuditEntry.seq))))


def _meeting(runtime: Runtime, number: int) -> Meeting:
    with Session(runtime.engine) as s:
        meeting = s.get(Meeting, number)
        assert meeting is not None
        return meeting


def test_schedule_announces_with_slack_dates_and_replies(council: Runtime) -> None:
    reply = run(council, CHAIR, "schedule council-amb 2026-12-10 10:00 Monthly meeting")
    stamp = int(datetime(2026, 12, 10, 9, 0, tzinfo=UTC).timestamp())
    when = f"<!date^{stamp}^{{date_short_pretty}} {{time}}|Thu 10 Dec 2026, 10:00 CET>"
    assert reply == (f"Scheduled M1 (Council, Ambassadors) for {when} "
                     "and announced it in the channel.")
    post = _outbox(council)["meeting:1"]
    assert post.kind == "post" and post.channel is None  # the council channel
    assert post.payload["header"] == "Meeting M1: Monthly meeting"
    assert post.payload["text"] == f"*Council, Ambassadors* meets {when}."
    assert ["When", when] in post.payload["fields"]
    assert "No items yet" in post.payload["sections"][0]
    meeting = _meeting(council, 1)
    assert meeting.starts_at == datetime(2026, 12, 10, 9, 0, tzinfo=UTC)
    assert (meeting.status, meeting.created_by, meeting.extraordinary) == (
        "scheduled", CHAIR, False)
    entry = _audit(council)[-1]
    assert entry.action == "meeting.schedule" and entry.actor == CHAIR
    assert entry.details == {"meeting": 1, "body": "council-amb",
                             "starts_at": "2026-12-10T09:00:00+00:00", "title": "Monthly meeting",
                             "extraordinary": False, "request": None, "venue": None,
                             "duration_minutes": 120}


def test_schedule_takes_an_offset_and_names_bodies_forgivingly(council: Runtime) -> None:
    assert run(council, ADMIN, "schedule Preparatory Committee 2026-12-03T10:00+00:00").startswith(
        "Scheduled M1 (Preparatory Committee)")
    assert run(council, ADMIN, "schedule PREPCOM 2026-12-04T10:00+00:00").startswith(
        "Scheduled M2 (Preparatory Committee)")
    assert run(council, ADMIN, "schedule 2026-12-04 10:00").startswith(
        "Name the body before the time of the meeting.")
    meeting = _meeting(council, 1)
    assert meeting.starts_at == datetime(2026, 12, 3, 10, 0, tzinfo=UTC)
    assert meeting.title == "Preparatory Committee"  # no title given: the body's name


def test_bad_schedules_are_refused_and_change_nothing(council: Runtime) -> None:
    before = export_state(council.engine)
    cases = {
        "schedule": "Name the body and the time of the meeting.",
        "schedule council-amb": "Give the date and time of the meeting",
        "schedule atlantis 2027-01-10 10:00": 'No body matches "atlantis".',
        "schedule council-amb 2027-02-30 10:00": '"2027-02-30 10:00" is not a valid date and time',
        "schedule council-amb 2026-11-30 10:00": "Mon 30 Nov 2026, 10:00 CET is in the past; "
                                                 "choose a later time.",
        "schedule council-amb 2027-03-28 02:30": "2027-03-28 02:30 does not exist in "
                                                 "Europe/Brussels",
        "schedule council-amb 2027-01-10": '"2027-01-10" has no time of day',
        "schedule council-amb tomorrow": '"tomorrow" is not a time',
        "schedule council-amb 2040-01-10 10:00": "A meeting may be scheduled at most ten years",
        "schedule council-amb 2027-01-10 10:00 Talks --urgent": 'There is no option "--urgent".',
        "schedule prepcom 2027-01-10 10:00 --extraordinary": "The Preparatory Committee holds no "
                                                             "extraordinary meetings; schedule "
                                                             "them for council-amb.",
        "schedule council-amb 2027-01-10 10:00 " + "x" * 201: "The title is 201 characters long",
    }
    for line, expected in cases.items():
        first, *rest = run(council, CHAIR, line).split("\n")
        assert first.startswith(expected), (line, first)
        assert rest == [USAGE], line
    assert run(council, delegate("FR"), "schedule council-amb 2027-01-10 10:00").startswith(
        "Only the Chair or the secretariat may schedule meetings.")
    assert export_state(council.engine) == before


def test_the_same_body_cannot_meet_twice_at_once(council: Runtime) -> None:
    run(council, CHAIR, "schedule milreps 2026-12-10 10:00")
    assert run(council, CHAIR, "schedule milreps 2026-12-10T09:00Z").startswith(
        "M1 of the Military representatives already starts at that time.")
    assert run(council, CHAIR, "schedule chiefs 2026-12-10 10:00").startswith("Scheduled M2")


def test_meetings_lists_upcoming_in_order_by_body(council: Runtime, clock: Clock) -> None:
    run(council, CHAIR, "schedule council-amb 2026-12-17 10:00 December Council")
    run(council, CHAIR, "schedule prepcom 2026-12-03 15:00 Preparation")
    run(council, CHAIR, "schedule council-amb 2026-12-02 10:00 Soon over")
    run(council, CHAIR, "cancel M2")
    clock.now = datetime(2026, 12, 2, 12, 0, tzinfo=UTC)
    reply = council.run_command(OUTSIDER, CHANNEL, "meetings")
    lines = reply.sections[0].splitlines()
    assert len(lines) == 1 and lines[0].startswith("*M1* <!date^")
    assert lines[0].endswith("Thu 17 Dec 2026, 10:00 CET>: December Council (Council, Ambassadors)")
    run(council, CHAIR, "schedule prepcom 2026-12-15 15:00 <!channel> & co")
    listing = council.run_command(OUTSIDER, CHANNEL, "meetings prepcom").sections[0]
    assert listing.splitlines() == [
        listing.splitlines()[0]] and "&lt;!channel&gt; &amp; co (Preparatory Committee)" in listing
    assert run(council, OUTSIDER, "meetings experts").startswith(
        "No meetings of the Military experts are scheduled.")


def test_meetings_says_the_total_and_pages_through_the_rest(council: Runtime) -> None:
    """42 upcoming meetings: the first 25, the total, and how to see the rest."""
    first = datetime(2026, 12, 7, 9, 0, tzinfo=UTC)
    for n in range(42):
        make_meeting(council, "council-amb" if n % 3 else "prepcom", first + timedelta(days=n))
    reply = council.run_command(OUTSIDER, CHANNEL, "meetings")
    assert reply.text == "42 upcoming meetings."
    lines = reply.sections[0].splitlines()
    assert len(lines) == 25 and lines[0].startswith("*M1* ") and lines[-1].startswith("*M25* ")
    assert reply.context == ["Meetings 1–25 of 42 are shown. The next page: `/nrc meetings page 2`; "
                             "one body's: `/nrc meetings prepcom`."]

    last = council.run_command(OUTSIDER, CHANNEL, "meetings page 2")
    assert last.text == "42 upcoming meetings."
    lines = last.sections[0].splitlines()
    assert len(lines) == 17 and lines[0].startswith("*M26* ") and lines[-1].startswith("*M42* ")
    assert last.context == ["Meetings 26–42 of 42 are shown. The first page: `/nrc meetings`; "
                            "one body's: `/nrc meetings council-amb`."]

    body = council.run_command(OUTSIDER, CHANNEL, "meetings council-amb")
    assert body.text == "28 upcoming meetings of the Council, Ambassadors."
    assert len(body.sections[0].splitlines()) == 25
    assert body.context == ["Meetings 1–25 of 28 are shown. "
                            "The next page: `/nrc meetings council-amb page 2`."]
    rest = council.run_command(OUTSIDER, CHANNEL, "meetings Council, Ambassadors page 2")
    assert len(rest.sections[0].splitlines()) == 3
    assert rest.context == ["Meetings 26–28 of 28 are shown. "
                            "The first page: `/nrc meetings council-amb`."]
    few = council.run_command(OUTSIDER, CHANNEL, "meetings prepcom")
    assert few.text == "14 upcoming meetings of the Preparatory Committee." and few.context == []


def test_meetings_refuses_a_page_that_is_not_there(council: Runtime) -> None:
    make_meeting(council, "council-amb", datetime(2026, 12, 7, 9, 0, tzinfo=UTC))
    usage = "Usage: `/nrc meetings [body] [page N]`"
    assert run(council, OUTSIDER, "meetings page 2") == (
        f"There is 1 page of upcoming meetings; `/nrc meetings` shows it.\n{usage}")
    for line in ("meetings page", "meetings page two", "meetings page 0", "meetings page -1"):
        assert run(council, OUTSIDER, line) == (
            f"Give the page as a number from 1, like page 2.\n{usage}"), line
    assert run(council, OUTSIDER, "meetings experts page 2").startswith(
        "No meetings of the Military experts are scheduled.")
    one = council.run_command(OUTSIDER, CHANNEL, "help meetings").text
    assert "`/nrc meetings [body] [page N]`" in one and "`meetings council-amb page 2`" in one
    assert "25 at a time" in one


def test_cancel_updates_the_announcement_and_posts_a_notice(council: Runtime) -> None:
    run(council, CHAIR, "schedule council-amb 2026-12-10 10:00 Monthly meeting")
    assert run(council, ADMIN, "cancel M1 Postponed to <@UX>") == (
        "Cancelled M1 and announced it in the channel.")
    rows = _outbox(council)
    assert rows["meeting:1#update"].target_key == "meeting:1"
    assert rows["meeting:1#update"].payload["header"] == "Cancelled: M1: Monthly meeting"
    notice = rows["meeting:1:cancelled"].payload["text"]
    assert notice.startswith("*M1* (Council, Ambassadors, <!date^")
    assert notice.endswith("is cancelled. Reason: Postponed to &lt;@UX&gt;")
    meeting = _meeting(council, 1)
    assert (meeting.status, meeting.cancel_reason) == ("cancelled", "Postponed to <@UX>")
    assert run(council, ADMIN, "cancel M1").startswith("M1 is already cancelled.")
    assert run(council, ADMIN, "cancel M9").startswith("There is no meeting M9.")
    assert run(council, ADMIN, "cancel soon").startswith('Name the meeting by its number, like M3')
    assert run(council, delegate("RU"), "cancel 1").startswith(
        "Only the Chair or the secretariat may cancel meetings.")
    assert _audit(council)[-1].details == {"meeting": 1, "body": "council-amb",
                                           "reason": "Postponed to <@UX>",
                                           "request_reopened": None,
                                           "reminders_skipped": 0}


def test_a_meeting_that_has_started_counts_as_held_and_stays(council: Runtime,
                                                             clock: Clock) -> None:
    run(council, CHAIR, "schedule council-amb 2026-12-02 10:00")
    clock.now = datetime(2026, 12, 2, 9, 30, tzinfo=UTC)
    assert run(council, CHAIR, "cancel M1").startswith("M1 has already taken place.")
    bodies = council.run_command(OUTSIDER, CHANNEL, "bodies").sections[0]
    amb = bodies.split("*Council, Ambassadors*")[1].split("\n*")[0]
    assert "✅ on track: 1 held, 0 scheduled of 1 required (December 2026)" in amb


def test_agenda_shows_to_anyone_and_takes_items_from_delegations(council: Runtime) -> None:
    run(council, CHAIR, "schedule council-amb 2026-12-10 10:00 Monthly meeting")
    assert run(council, delegate("RU"), "agenda M1 add Missile defence <b>talks</b>") == (
        "Added item 1 to the agenda of M1; the announcement in the channel shows it.")
    run(council, CHAIR, "agenda 1 add Search and rescue at sea")
    shown = council.run_command(OUTSIDER, CHANNEL, "agenda M1")
    assert shown.header == "Agenda of M1"
    assert shown.sections[0].splitlines() == [
        "*Agenda*", "1. Missile defence &lt;b&gt;talks&lt;/b&gt; _(Russian Federation)_",
        "2. Search and rescue at sea"]
    update = _outbox(council)["meeting:1#update"]
    assert update.payload["sections"] == shown.sections
    assert run(council, OUTSIDER, "agenda M1 add Something").startswith(
        "Only delegations, the Chair or the secretariat may add agenda items.")
    assert run(council, delegate("US"), "agenda M1 add").startswith("Give the agenda item.")
    assert run(council, delegate("US"), "agenda M1 something").startswith('Unexpected "something"')
    assert run(council, OUTSIDER, "agenda").startswith("Name the meeting, like M3.")
    assert "Usage: `/nrc agenda <M> [add <text> | edit <n> <text> | move <n> <position> | remove <n> | circulate | adopt]`" in run(
        council, OUTSIDER, "agenda M7")
    run(council, CHAIR, "cancel M1")
    assert run(council, delegate("US"), "agenda M1 add Late").startswith(
        "M1 is cancelled; its agenda is closed.")
    actions = [e.action for e in _audit(council)]
    assert actions.count("agenda.add") == 2
    assert _audit(council)[-3].member == "Russian Federation"


def test_extraordinary_request_is_announced_and_the_chair_told(council: Runtime) -> None:
    reply = run(council, delegate("RU"), "extraordinary Consultations on <the crisis>")
    assert reply == "Your request (E1) is announced in the channel and the Secretary General " \
                    "is notified."
    rows = _outbox(council)
    text = rows["extraordinary:1"].payload["text"]
    assert text.startswith("*Russian Federation* requests an extraordinary meeting of the "
                           "*Council, Ambassadors*")
    assert "Consultations on &lt;the crisis&gt;" in text
    dm = rows["extraordinary:1:chair"]
    assert dm.kind == "dm" and dm.channel == CHAIR
    assert "--extraordinary" in dm.payload["text"]
    assert run(council, delegate("RU"), "extraordinary Again").startswith(
        "Russian Federation already has extraordinary request E1 open")
    assert run(council, OUTSIDER, "extraordinary Please").startswith(
        "Only delegations or the Chair may request an extraordinary meeting.")
    assert run(council, ADMIN, "extraordinary Please").startswith("Only delegations or the Chair")
    assert run(council, delegate("FR"), "extraordinary").startswith(
        "Give the reason for the extraordinary meeting.")
    # The Secretary General may ask too; no DM to himself.
    assert run(council, CHAIR, "extraordinary Urgent consultations").startswith("Your request (E2)")
    rows = _outbox(council)
    assert rows["extraordinary:2"].payload["text"].startswith("*The Secretary General* requests")
    assert "extraordinary:2:chair" not in rows
    entry = next(e for e in _audit(council) if e.action == "extraordinary.request")
    assert entry.member == "Russian Federation" and entry.actor == delegate("RU")


def test_scheduling_extraordinary_fulfils_the_oldest_request(council: Runtime) -> None:
    run(council, delegate("RU"), "extraordinary Crisis consultations")
    run(council, delegate("PL"), "extraordinary Exercise notification")
    reply = run(council, CHAIR, "schedule council-amb 2026-12-04 10:00 --extraordinary")
    assert reply.endswith("It fulfils extraordinary request E1.")
    meeting = _meeting(council, 1)
    assert meeting.extraordinary and meeting.request_id == 1
    assert meeting.title == "Extraordinary meeting of the Council, Ambassadors"
    post = _outbox(council)["meeting:1"].payload
    assert post["header"] == "Extraordinary meeting M1: Extraordinary meeting of the Council, " \
                             "Ambassadors"
    assert "Requested by *Russian Federation*: Crisis consultations" in post["text"]
    with Session(council.engine) as s:
        statuses = [r.status for r in s.exec(select(ExtraordinaryRequest)
                                             .order_by(col(ExtraordinaryRequest.id)))]
    assert statuses == ["fulfilled", "open"]
    # Cancelling it puts the request back: the meeting "will take place".
    run(council, CHAIR, "cancel M1")
    with Session(council.engine) as s:
        request = s.get(ExtraordinaryRequest, 1)
        assert request is not None and (request.status, request.fulfilled_at) == ("open", None)
    assert "Extraordinary request E1 is open again" in _outbox(
        council)["meeting:1:cancelled"].payload["text"]


def test_body_add_creates_a_working_group_the_council_can_schedule(council: Runtime) -> None:
    reply = run(council, ADMIN, "body add wg-sar Working group on search and rescue "
                                "--cadence 1/month --area sar")
    assert reply == ("New permanent body: *Working group on search and rescue* (`wg-sar`), "
                     "meeting at least once a month, area: Search and rescue at sea.")
    assert _outbox(council)["body:9"].payload["text"] == reply
    with Session(council.engine) as s:
        body = s.exec(select(Body).where(Body.key == "wg-sar")).one()
    assert (body.cadence_count, body.cadence_per, body.at_risk_days, body.area) == (
        1, "month", 10, "sar")
    assert (body.ordinal, body.permanent, body.reminders) == (9, True, [86400, 3600])
    assert run(council, ADMIN, "body add tmd-x Missile defence experts --ad-hoc").startswith(
        "New ad hoc body: *Missile defence experts* (`tmd-x`), meeting as appropriate")
    assert run(council, CHAIR, "schedule wg-sar 2026-12-08 10:00").startswith("Scheduled M1")
    bodies = council.run_command(OUTSIDER, CHANNEL, "bodies").sections[0]
    assert "*Working group on search and rescue* (`wg-sar`, area sar): at least once a month" \
        in bodies
    assert "*Missile defence experts* (`tmd-x`, ad hoc): as appropriate (no minimum)" in bodies
    assert [e.action for e in _audit(council)][-3:] == ["body.add", "body.add",
                                                       "meeting.schedule"]


def test_body_add_refuses_bad_input(council: Runtime) -> None:
    before = export_state(council.engine)
    cases = {
        "body add": "Give the new body's key and name.",
        "body add wg-x": "Give the new body's name after its key.",
        "body add WG_X Name": '"WG_X" is not a key',
        "body add all Everything": '"all" names the feed of every meeting',
        "body add prepcom Another": "There is already a body with the key prepcom.",
        "body add wg-x chiefs of staff": 'There is already a body named "Chiefs of Staff".',
        "body add wg-x Name --cadence weekly": '"weekly" is not a cadence',
        "body add wg-x Name --cadence 40/month": "40 meetings a month is too many.",
        "body add wg-x Name --area space": 'There is no area "space"',
        "body add wg-x Name --area": "Give a value after --area.",
        "body add wg-x Name --colour red": 'There is no option "--colour".',
    }
    for line, expected in cases.items():
        assert run(council, ADMIN, line).startswith(expected), line
    assert run(council, CHAIR, "body add wg-x Name").startswith(
        "Only the secretariat may add committees and working groups.")
    assert export_state(council.engine) == before


def test_bodies_and_status_follow_the_clock(council: Runtime, clock: Clock) -> None:
    clock.now = datetime(2026, 12, 22, 9, 0, tzinfo=UTC)
    status = council.run_command(OUTSIDER, CHANNEL, "status")
    assert status.header == "Status"
    assert status.text.endswith("bodies are at risk.")
    amb = next(line for line in status.sections[0].splitlines() if "Ambassadors" in line)
    assert amb == ("*Council, Ambassadors*: ⚠️ at risk: 0 held, 0 scheduled of 1 required "
                   "(December 2026); 1 more needed, 10 days left")
    clock.now = datetime(2026, 12, 31, 9, 0, tzinfo=UTC)
    status = council.run_command(OUTSIDER, CHANNEL, "status")
    amb = next(line for line in status.sections[0].splitlines() if "Ambassadors" in line)
    assert amb.endswith("; 1 more needed, 1 day left")
    clock.now = datetime(2026, 12, 22, 9, 0, tzinfo=UTC)
    run(council, CHAIR, "schedule council-amb 2026-12-28 10:00")
    run(council, delegate("DE"), "extraordinary Consultations")
    status = council.run_command(OUTSIDER, CHANNEL, "status")
    amb = next(line for line in status.sections[0].splitlines() if "Ambassadors" in line)
    assert "✅ on track: 0 held, 1 scheduled of 1 required (December 2026)" in amb
    assert status.sections[1].startswith("*Next meetings*\n*M1* <!date^")
    assert status.sections[2].splitlines()[1].startswith("E1. Germany, <!date^")
    assert status.context == ["Open consensus polls: 0. Open implementation issues: 0."]
    assert "hosg" not in status.sections[0]  # no cadence, no verdict


def test_calendar_shows_the_feed_addresses_to_the_secretariat(council: Runtime) -> None:
    with Session(council.engine) as s:
        from storage.models import Council

        token = s.exec(select(Council.ics_token)).one()
    reply = council.run_command(ADMIN, CHANNEL, "calendar")
    lines = reply.sections[0].splitlines()
    assert lines[0] == f"• All meetings: `/calendar/{token}/all.ics`"
    assert f"• Council, Ambassadors: `/calendar/{token}/council-amb.ics`" in lines
    assert len(lines) == 9
    assert run(council, delegate("RU"), "calendar").startswith(
        "Only the secretariat may read the calendar feed addresses.")


def test_help_lists_the_meeting_commands(council: Runtime) -> None:
    # Help is grouped by who may act (issue 11, item 10): the secretariat's and the Chair's
    # listings together name every meeting command with its usage.
    listing = "\n".join(section for user in (ADMIN, CHAIR)
                        for section in council.run_command(user, CHANNEL, "help").sections)
    for usage in ("bodies", "body add <key> <name>", "schedule <body> <when> [title]",
                  "meetings [body] [page N]", "cancel <M> [reason]", "agenda <M> [add <text> | edit <n>",
                  "extraordinary <reason>", "status", "calendar"):
        assert f"`/nrc {usage}" in listing, usage
    assert ("`/nrc schedule <body> <when> [title] [--venue V] [--duration 3h] [--extraordinary]`: "
            "Schedule a meeting") in listing


def test_every_example_outside_polls_names_what_the_charter_has(council: Runtime) -> None:
    """An example a diplomat copies names a body, member and area the default charter has."""
    from bot.registry import REGISTRY

    polls = {"propose", "concur", "object", "extend", "amend", "polls", "withdraw", "decisions"}
    missing = ("No body matches", "No member matches", "There is no area")
    run(council, delegate("DE"), "extraordinary Consultations")  # what --extraordinary fulfils
    tried = 0
    for name, cmd in REGISTRY.items():
        for example in () if name in polls else cmd.examples:
            reply = run(council, ADMIN if name != "agenda" else CHAIR, example)
            assert not reply.startswith(missing), (example, reply)
            tried += 1
    assert tried >= 15


def test_an_extraordinary_request_is_named_e_and_can_be_withdrawn(council: Runtime,
                                                                   clock: Clock) -> None:
    """Issue 11, item 12: E<n>, withdrawn by the requesting delegation or the Chair."""
    ru, ru_deputy = delegate("RU"), delegate("RU", 2)
    run(council, ADMIN, f"delegate add Russia {ru_deputy} deputy")
    assert run(council, ru, "extraordinary Crisis consultations").startswith(
        "Your request (E1) is announced")
    assert _outbox(council)["extraordinary:1"].payload["header"] == (
        "Extraordinary meeting requested (E1)")
    assert run(council, ru, "extraordinary Again").startswith(
        "Russian Federation already has extraordinary request E1 open")
    run(council, delegate("PL"), "extraordinary Exercise notification")
    assert run(council, ru, "withdraw 1") == (
        "Say what to withdraw by its prefix: P1 for a poll, I1 for an implementation issue "
        "or E1 for an extraordinary request.\nUsage: `/nrc withdraw <P|I|E>`")
    assert run(council, delegate("FR"), "withdraw E1").startswith(
        "Only the Chair or the requesting delegation may withdraw this extraordinary request.")
    assert run(council, OUTSIDER, "withdraw E1").startswith("Only the Chair or the requesting")
    assert run(council, ru_deputy, "withdraw E1") == "Withdrew E1."  # same delegation
    notice = _outbox(council)["extraordinary:1:withdrawn"]
    assert notice.thread_key == "extraordinary:1"
    assert notice.payload["text"] == (
        f"E1, the request of *Russian Federation* for an extraordinary meeting, was withdrawn "
        f"by <@{ru_deputy}>; no meeting is to be scheduled for it.")
    entry = _audit(council)[-1]
    assert (entry.action, entry.member, entry.details) == (
        "extraordinary.withdraw", "Russian Federation", {"request": 1})
    assert run(council, ru, "withdraw E1").startswith("E1 is already withdrawn.")
    assert run(council, ru, "withdraw E9").startswith("There is no extraordinary request E9.")
    status = council.run_command(OUTSIDER, CHANNEL, "status")
    requests = next(s for s in status.sections if s.startswith("*Extraordinary"))
    assert requests.splitlines()[1:] == [requests.splitlines()[1]]
    assert requests.splitlines()[1].startswith("E2. Poland, <!date^")
    # The daily recall stops for E1 and goes on for E2, named E2.
    clock.now = clock.now + timedelta(days=1, hours=1)
    council.tick()
    rows = _outbox(council)
    assert not [k for k in rows if k.startswith("extraordinary:1:remind:")]
    assert rows["extraordinary:2:remind:1"].payload["header"] == (
        "Extraordinary meeting still to be scheduled (E2)")
    # The Chair may withdraw any request; scheduling then fulfils none.
    assert run(council, CHAIR, "withdraw E2") == "Withdrew E2."
    assert "fulfils" not in run(council, CHAIR,
                                "schedule council-amb 2026-12-09 10:00 --extraordinary")
