"""Help and suggestions: two-word commands, and a listing grouped by what a person does."""

from __future__ import annotations

from bot.runtime import Runtime
from tests.council import ADMIN, CHAIR, CHANNEL, OUTSIDER, delegate, run


def test_help_on_the_first_word_of_two_word_commands(runtime: Runtime) -> None:
    reply = runtime.run_command(OUTSIDER, "", "help delegate")
    assert reply.header == "Help: delegate"
    assert "`/nrc delegate add <member> <user> [head|deputy|milrep|expert]`" in reply.text
    assert "`/nrc delegate remove <user>`: Remove a user from their delegation." in reply.text
    body = runtime.run_command(OUTSIDER, "", "help body")
    assert body.header == "Help: body" and "`/nrc body add <key> <name>" in body.text
    assert "There is no command" not in body.text


def test_a_typo_in_the_second_word_suggests_the_two_word_command(runtime: Runtime) -> None:
    assert run(runtime, ADMIN, "delegate ad Spain UGARCIA01").split("\n") == [
        'There is no command "delegate ad". Did you mean "delegate add"?',
        "Usage: `/nrc delegate add <member> <user> [head|deputy|milrep|expert]`",
    ]
    assert run(runtime, ADMIN, "delegate").split("\n")[0] == (
        'There is no command "delegate"; say "delegate add" or "delegate remove".')
    assert run(runtime, ADMIN, "help delegate rmove").startswith(
        'There is no command "delegate rmove". Did you mean "delegate remove"?')
    assert run(runtime, ADMIN, "delegat add Spain UGARCIA01").startswith(
        'There is no command "delegat". Did you mean "delegate add"?')
    assert run(runtime, ADMIN, "bdy add wg Working group").startswith(
        'There is no command "bdy". Did you mean "body add"?')
    for line in ("delegate ad Spain UGARCIA01", "delegate", "body ad x", "help delegate rmove"):
        typed = line.split()[0] if not line.startswith("help") else "delegate"
        assert f'Did you mean "{typed}"?' not in run(runtime, ADMIN, line)


def _listing(runtime: Runtime, user: str) -> tuple[list[str], str]:
    reply = runtime.run_command(user, CHANNEL, "help")
    assert reply.header == "Commands"
    return reply.sections, "\n".join(reply.sections)


def test_help_for_a_delegate_groups_what_they_do_and_collapses_the_rest(council: Runtime) -> None:
    sections, text = _listing(council, delegate("FR"))
    titles = [s.split("\n")[0] for s in sections]
    assert titles == ["*Positions and polls*", "*Meetings*", "*Implementation issues*",
                      "*The record*", sections[-1].split("\n")[0]]
    assert sections[0].split("\n")[1] == (
        "• `/nrc propose [--explicit] [--area A] [--urgent <reason>] [--supersedes D] "
        "<deadline> <text>`: "
        + council.run_command(ADMIN, CHANNEL, "help propose").text.split("\n")[1])
    assert ("`/nrc concur <P> [--reservation|--interpretative|--for-the-record] [statement]`"
            in sections[0])
    assert "`/nrc raise <D> <text>`" in sections[2]
    assert "not for you" not in text and "`/nrc extend" not in text and "`/nrc setup" not in text
    assert sections[-1] == (
        "Also for the Chair and the secretariat: extend, amend, revise, statement chair, "
        "schedule, reschedule, "
        "cancel, resolve, "
        "setup, delegate add, delegate remove, chair, body add, calendar, audit, outbox "
        "(`/nrc help <command>` explains one).")


def test_help_for_the_chair_and_the_secretariat(council: Runtime) -> None:
    sections, text = _listing(council, CHAIR)
    assert "`/nrc extend <P> <deadline>`" in sections[0] and "`/nrc schedule" in text
    assert "`/nrc concur" not in text and "`/nrc setup" not in text
    assert sections[-1].startswith("Also for delegations and the secretariat: concur, object, "
                                   "more-time, amendment, withdraw-objection, notify, raise, "
                                   "setup, ")
    sections, text = _listing(council, ADMIN)
    assert sections[-2].startswith("*The secretariat's tools*\n• `/nrc setup`")
    assert "`/nrc outbox`" in sections[-2] and "`/nrc schedule" in text
    assert sections[-1] == ("Also for delegations and the Chair: propose, statement joint, "
                            "concur, object, more-time, amendment, withdraw-objection, extend, "
                            "amend, revise, statement chair, notify, extraordinary, raise "
                            "(`/nrc help <command>` explains one).")


def test_every_command_is_in_one_help_group() -> None:
    from bot.registry import HELP_GROUPS, REGISTRY

    listed = [name for _, names in HELP_GROUPS for name in names]
    assert sorted(listed) == sorted(n for n in REGISTRY if n != "help")
