"""Help and suggestions: two-word commands, and a listing grouped by what a person does."""

from __future__ import annotations

from bot.runtime import Runtime
from tests.council import ADMIN, OUTSIDER, run


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
