"""The roster use-cases through the core, on SQLite and PostgreSQL."""

from __future__ import annotations

import io
import json
import re

from sqlmodel import Session, col, select

from bot import audit
from bot.exchange import export_state
from bot.runtime import Runtime
from bot.transports.console import Console
from storage.models import AuditEntry, Council, Delegate, Member, Outbox
from tests.council import ADMIN, CHAIR, CHANNEL, OUTSIDER, delegate, run


def _audit_actions(runtime: Runtime) -> list[str]:
    with Session(runtime.engine) as s:
        return [e.action for e in s.exec(select(AuditEntry).order_by(col(AuditEntry.seq)))]


def _posts(runtime: Runtime) -> list[str]:
    with Session(runtime.engine) as s:
        return [o.payload["text"] for o in s.exec(select(Outbox).order_by(col(Outbox.id)))]


def test_setup_binds_the_channel_and_announces(runtime: Runtime) -> None:
    reply = run(runtime, ADMIN, "setup")
    assert reply == f"Bound <#{CHANNEL}> as the council channel."
    with Session(runtime.engine) as s:
        assert s.exec(select(Council)).one().channel_id == CHANNEL
    assert "now the channel of the *NATO-Russia Council*" in _posts(runtime)[0]
    assert _audit_actions(runtime) == ["council.create", "setup"]
    assert run(runtime, ADMIN, "setup") == "This channel is already the council channel."


def test_members_lists_all_twenty_with_delegates(council: Runtime) -> None:
    reply = council.run_command(OUTSIDER, CHANNEL, "members")
    body = reply.sections[0]
    assert reply.text == "The NATO-Russia Council meets at 20."
    assert len(body.splitlines()) == 20
    assert body.splitlines()[0] == f"*Belgium* (BE): <@{delegate('BE')}> (head)"
    assert body.splitlines()[-1].startswith("*Russian Federation* (RU)")
    assert reply.context == [f"Chair (Secretary General): <@{CHAIR}>"]


def test_delegate_add_by_name_code_alias_and_mention(runtime: Runtime) -> None:
    assert run(runtime, ADMIN, "delegate add Russia <@UIVANOV01|ivanov> head") == (
        "<@UIVANOV01> joins the delegation of Russian Federation as head of delegation.")
    assert "United Kingdom as head" in run(runtime, ADMIN, "delegate add uk USMITH001")
    assert "United Kingdom as expert" in run(runtime, ADMIN, "delegate add GBR UJONES001")
    assert "Czech Republic as military" in run(
        runtime, ADMIN, "delegate add czech republic UNOVAK001 milrep")
    with Session(runtime.engine) as s:
        roles = {(d.user_id, d.role) for d in s.exec(select(Delegate))}
    assert roles == {("UIVANOV01", "head"), ("USMITH001", "head"), ("UJONES001", "expert"),
                     ("UNOVAK001", "milrep")}
    assert _audit_actions(runtime).count("delegate.add") == 4


def test_changing_a_role_and_removing(runtime: Runtime) -> None:
    run(runtime, ADMIN, "delegate add France UDUPONT01 head")
    assert run(runtime, ADMIN, "delegate add France UDUPONT01 deputy") == (
        "<@UDUPONT01> is now deputy head of delegation of France. France now has no head of "
        "delegation; `/nrc delegate add France <user> head` names one.")
    assert run(runtime, ADMIN, "delegate add France UDUPONT01 deputy") == (
        "<@UDUPONT01> is already deputy head of delegation of France.")
    assert run(runtime, ADMIN, "delegate remove <@UDUPONT01|dupont>") == (
        "<@UDUPONT01> leaves the delegation of France. France now has no delegate.")
    assert run(runtime, ADMIN, "delegate remove UDUPONT01").startswith("<@UDUPONT01> is in no")


def test_a_user_sits_in_one_delegation_only(runtime: Runtime) -> None:
    run(runtime, ADMIN, "delegate add Germany UMUELLER1")
    before = export_state(runtime.engine)
    reply = run(runtime, ADMIN, "delegate add Poland UMUELLER1")
    assert reply.startswith("<@UMUELLER1> already sits in the delegation of Germany; remove")
    assert "Usage: `/nrc delegate add <member> <user> [head|deputy|milrep|expert]`" in reply
    assert export_state(runtime.engine) == before


def test_chair_is_no_delegate(runtime: Runtime) -> None:
    assert run(runtime, ADMIN, f"chair <@{CHAIR}>") == (
        f"<@{CHAIR}> now chairs the NATO-Russia Council as Secretary General.")
    assert "is the Chair" in run(runtime, ADMIN, f"delegate add Italy {CHAIR}")
    run(runtime, ADMIN, "delegate add Italy UROSSI001")
    assert "sits in a delegation" in run(runtime, ADMIN, "chair UROSSI001")


def test_refusals_say_why_and_change_nothing(council: Runtime) -> None:
    before = export_state(council.engine)
    cases = {
        (OUTSIDER, "setup"): "Only the secretariat may bind the council channel.",
        (delegate("RU"), "delegate add France UX0000001"): "Only the secretariat may add delegates.",
        (CHAIR, "delegate remove UDEL0FR1"): "Only the secretariat may remove delegates.",
        (delegate("US"), f"chair {delegate('US')}"): "Only the secretariat may set the Chair.",
    }
    for (user, line), expected in cases.items():
        assert run(council, user, line).startswith(expected), line
    assert export_state(council.engine) == before


def test_bad_input_gets_one_sentence_and_usage(runtime: Runtime) -> None:
    before = export_state(runtime.engine)
    usage = "Usage: `/nrc delegate add <member> <user> [head|deputy|milrep|expert]`"
    cases = {
        "delegate add": "Name the member and the user.",
        "delegate add Germany": "Name the user to add",
        "delegate add Germny UABCDEF12": 'No member matches "Germny". Did you mean Germany?',
        "delegate add Atlantis UABCDEF12": 'No member matches "Atlantis".',
        "delegate add UABCDEF12 Germany": "Name the member before the user.",
        "delegate add Germany UABCDEF12 boss": '"boss" is not a role',
        "delegate add " + "x" * 10_000 + " UABCDEF12": "No member matches",
        "delegate add 🇩🇪 UABCDEF12": 'No member matches "🇩🇪".',
    }
    for line, expected in cases.items():
        reply = run(runtime, ADMIN, line)
        first, second = reply.split("\n")
        assert first.startswith(expected), (line, reply)
        assert first.endswith((".", "?")) and len(first) < 300
        assert second == usage
    assert run(runtime, ADMIN, "frobnicate now").startswith('There is no command "frobnicate".')
    assert 'Did you mean "members"?' in run(runtime, ADMIN, "membres")
    assert run(runtime, ADMIN, "chair bob").startswith("Name a user as a mention")
    assert export_state(runtime.engine) == before


def test_every_change_is_audited_and_the_chain_holds(council: Runtime) -> None:
    with Session(council.engine) as s:
        council_id = s.exec(select(Council.id)).one()
        entries = list(s.exec(select(AuditEntry).order_by(col(AuditEntry.seq))))
        assert [e.action for e in entries] == (
            ["council.create", "setup", "chair.set"] + ["delegate.add"] * 20)
        ru = entries[-1]
        assert ru.actor == ADMIN and ru.member == "Russian Federation"
        assert ru.details == {"user": delegate("RU"), "role": "head", "changed": False}
        assert audit.verify(s, council_id).intact
        json.dumps([e.details for e in entries])


def test_help_lists_commands_and_explains_one(runtime: Runtime) -> None:
    reply = runtime.run_command(OUTSIDER, CHANNEL, "help")
    listing = "\n".join(reply.sections)
    for usage in ("members", "polls", "decisions [D | --area A] [--text words] [--page N]", "issues", "status"):
        assert f"`/nrc {usage}" in listing
    # What an outsider may not do is one line (issue 11, item 10), not "(not for you)" marks.
    assert reply.sections[-1].startswith("Also for delegations, the Chair and the secretariat: ")
    for name in ("setup", "delegate add", "delegate remove", "chair"):
        assert f" {name}," in reply.sections[-1] and f"`/nrc {name}" not in listing
    one = runtime.run_command(OUTSIDER, CHANNEL, "help delegate add")
    assert one.header == "Help: delegate add"
    assert "first delegate" in one.text and "Examples:" in one.text
    assert "naming a new head makes the previous one deputy" in one.text


# -- one head of delegation per member (issue 11, item 15) ----------------------------

RU = delegate("RU")


def _roles(runtime: Runtime, alpha2: str) -> dict[str, str]:
    with Session(runtime.engine) as s:
        member = s.exec(select(Member).where(Member.alpha2 == alpha2)).one()
        return {d.user_id: d.role for d in s.exec(
            select(Delegate).where(Delegate.member_id == member.id))}


def _members_line(runtime: Runtime, name: str) -> str:
    listing = runtime.run_command(OUTSIDER, CHANNEL, "members").sections[0]
    return next(line for line in listing.splitlines() if line.startswith(f"*{name}*"))


def _entries(runtime: Runtime) -> list[AuditEntry]:
    with Session(runtime.engine) as s:
        return list(s.exec(select(AuditEntry).order_by(col(AuditEntry.seq))))


def test_a_new_head_makes_the_old_head_deputy(council: Runtime) -> None:
    assert _members_line(council, "Russian Federation").endswith(f"<@{RU}> (head)")  # cached
    reply = run(council, ADMIN, "delegate add Russia UKOZLOV01 head")
    said = ("<@UKOZLOV01> joins the delegation of Russian Federation as head of delegation; "
            f"<@{RU}>, its head until now, is now deputy head of delegation.")
    assert reply == said
    assert _posts(council)[-1] == said
    assert _roles(council, "RU") == {RU: "deputy", "UKOZLOV01": "head"}
    assert _members_line(council, "Russian Federation") == (
        f"*Russian Federation* (RU): <@UKOZLOV01> (head), <@{RU}> (deputy)")
    demoted, added = _entries(council)[-2:]
    assert (demoted.action, demoted.details) == ("delegate.add", {
        "user": RU, "role": "deputy", "changed": True, "succeeded_by": "UKOZLOV01"})
    assert (added.action, added.details) == ("delegate.add", {
        "user": "UKOZLOV01", "role": "head", "changed": False})
    assert demoted.member == added.member == "Russian Federation"
    # Promoting the deputy back does the same the other way round.
    assert run(council, ADMIN, f"delegate add Russia {RU} head") == (
        f"<@{RU}> is now head of delegation of Russian Federation; "
        "<@UKOZLOV01>, its head until now, is now deputy head of delegation.")
    assert _roles(council, "RU") == {RU: "head", "UKOZLOV01": "deputy"}


def test_demoting_the_head_warns_that_the_member_has_none(council: Runtime) -> None:
    reply = run(council, ADMIN, f"delegate add Russia {RU} deputy")
    assert reply == (f"<@{RU}> is now deputy head of delegation of Russian Federation. "
                     "Russian Federation now has no head of delegation; "
                     "`/nrc delegate add Russian Federation <user> head` names one.")
    assert _posts(council)[-1] == (f"<@{RU}> is now deputy head of delegation of Russian "
                                   "Federation. Russian Federation now has no head of delegation.")
    assert _roles(council, "RU") == {RU: "deputy"}
    assert _members_line(council, "Russian Federation").endswith(f"<@{RU}> (deputy)")
    assert _entries(council)[-1].details == {"user": RU, "role": "deputy", "changed": True,
                                             "no_head": True}


def test_removing_the_head_names_who_still_acts(council: Runtime) -> None:
    run(council, ADMIN, "delegate add Russia UKOZLOV01 deputy")
    reply = run(council, ADMIN, f"delegate remove {RU}")
    assert reply == (f"<@{RU}> leaves the delegation of Russian Federation. Russian Federation "
                     "now has no head of delegation; <@UKOZLOV01> (deputy) still acts for it. "
                     "`/nrc delegate add Russian Federation <user> head` names one.")
    assert _posts(council)[-1] == (
        f"<@{RU}> leaves the delegation of Russian Federation. Russian Federation now has no "
        "head of delegation; <@UKOZLOV01> (deputy) still acts for it.")
    assert _members_line(council, "Russian Federation").endswith("<@UKOZLOV01> (deputy)")


def test_removing_the_last_delegate_with_polls_open_tells_the_chair(council: Runtime) -> None:
    run(council, delegate("FR"), "propose 48h Joint statement on search and rescue")
    run(council, delegate("DE"), "propose --explicit 3d Common threat assessment")
    out = io.StringIO()
    console = Console(council, ADMIN, out)
    console.handle(f"/nrc delegate remove {RU}")
    text = out.getvalue()  # the console shows a mention as @U…
    assert text.startswith(
        f"@{RU} leaves the delegation of Russian Federation. Russian Federation now has "
        "no delegate: nobody can take its position on 2 open polls, P1 and P2. "
        "The Secretary General is told.\n")
    assert (f"[DM to @{CHAIR}] Russian Federation has no delegate any more: @{ADMIN} removed "
            f"@{RU}, its last. Nobody can take its position on 2 open polls: P1 and P2. "
            "`/nrc delegate add Russian Federation <user> head` seats one (secretariat).\n") in text
    assert re.search(r"\[#council [0-9.]+\] " + re.escape(
        f"@{RU} leaves the delegation of Russian Federation. Russian Federation now has no "
        "delegate.\n"), text)
    entry = _entries(council)[-1]
    assert (entry.action, entry.member) == ("delegate.remove", "Russian Federation")
    assert entry.details == {"user": RU, "role": "head", "last_delegate": True,
                             "open_polls": [1, 2], "chair_told": CHAIR}
    assert _members_line(council, "Russian Federation").endswith("_no delegates yet_")


def test_removing_the_last_delegate_without_a_chair_says_so(runtime: Runtime) -> None:
    run(runtime, ADMIN, "setup")
    run(runtime, ADMIN, f"delegate add Russia {RU}")
    run(runtime, ADMIN, "delegate add France UDUPONT01")
    # With no poll open, the last delegate's removal is said plainly.
    run(runtime, ADMIN, "delegate add Spain UGARCIA01")
    assert run(runtime, ADMIN, "delegate remove UGARCIA01") == (
        "<@UGARCIA01> leaves the delegation of Spain. Spain now has no delegate.")
    run(runtime, "UDUPONT01", "propose 48h Joint statement on search and rescue")
    assert run(runtime, ADMIN, f"delegate remove {RU}") == (
        f"<@{RU}> leaves the delegation of Russian Federation. Russian Federation now has no "
        "delegate: nobody can take its position on 1 open poll, P1. No Secretary General is "
        "set to be told; `/nrc chair <user>` sets one.")
    with Session(runtime.engine) as s:
        assert not [o for o in s.exec(select(Outbox)) if o.kind == "dm"]
    assert _entries(runtime)[-1].details == {"user": RU, "role": "head", "last_delegate": True,
                                             "open_polls": [1], "chair_told": None}
