"""The local console: how a person at a terminal names people and ends a session."""

from __future__ import annotations

import io
import os
import select
import sys
import time
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy.engine import Engine

from bot.errors import CommandError
from bot.registry import parse_user
from bot.runtime import Runtime
from bot.transports.console import Console, console_user
from tests.council import Clock, make_runtime


@pytest.fixture
def rt(sqlite_engine: Engine) -> Iterator[Runtime]:
    runtime = make_runtime(sqlite_engine, Clock(datetime(2026, 12, 1, 9, 0, tzinfo=UTC)))
    runtime.prepare()
    yield runtime
    runtime.close()


def _console(runtime: Runtime, user: str | None = None) -> tuple[Console, io.StringIO]:
    out = io.StringIO()
    return Console(runtime, user, out), out


def test_a_plain_at_name_names_a_console_user(rt: Runtime) -> None:
    console, out = _console(rt)
    console.handle("/nrc setup")
    console.handle("/nrc delegate add Russia @ivanov head")
    console.handle(":as @ivanov")
    console.handle("/nrc members")
    text = out.getvalue()
    assert "Name the user" not in text
    assert "@ivanov joins the delegation of Russian Federation as head of delegation." in text
    assert "You are now @ivanov." in text
    assert "Russian Federation (RU): @ivanov (head)" in text
    # As that delegate: a position is theirs, not the secretariat's.
    console.handle("/nrc propose 2026-12-10 12:00 Joint statement on maritime safety")
    console.handle("/nrc concur P1 We welcome it, as @smith said.")
    text = out.getvalue()
    assert "Proposed by: @ivanov (Russian Federation)" in text
    assert "Recorded: Russian Federation concurs on P1." in text
    assert "statement: We welcome it, as @smith said." in text


def test_console_ids_are_stable_valid_and_distinct() -> None:
    ivanov = console_user("ivanov")
    assert ivanov == console_user("ivanov") == console_user("Ivanov")
    assert ivanov == "UIVANOV01"  # what README's `:as UIVANOV01` acts as
    assert parse_user(ivanov) == ivanov and len(ivanov) >= 7
    others = {console_user(n) for n in ("i.vanov", "ivanov_", "a", "x" * 40, "x" * 41, "müller")}
    assert len(others) == 6 and ivanov not in others
    for user in others:
        assert parse_user(user) == user and len(user) >= 7


def test_at_ivanov_and_the_raw_id_act_as_the_same_delegate(rt: Runtime) -> None:
    console, out = _console(rt)
    console.handle("setup")
    console.handle("delegate add Russia @ivanov")
    console.handle(":as UIVANOV01")
    assert "You are now @ivanov." in out.getvalue()
    console.handle(":as <@UIVANOV01|ivanov>")
    console.handle(":as @nobody-in-particular")
    assert "You are now @nobody-in-particular." in out.getvalue()
    console.handle(":as USA")
    assert 'Name a user as a mention (@someone) or a Slack ID such as U0123ABCD, not "USA".' \
        in out.getvalue()


def test_the_cli_as_option_takes_an_at_name(rt: Runtime) -> None:
    console, _ = _console(rt, "@ivanov")
    assert console.user == "UIVANOV01"
    console, _ = _console(rt, "UIVANOV01")
    assert console.user == "UIVANOV01"
    with pytest.raises(CommandError):
        _console(rt, "ivanov")


def test_slack_still_refuses_a_bare_at_name(rt: Runtime) -> None:
    rt.run_command("UADMIN01", "CCONSOLE", "setup")
    reply = rt.run_command("UADMIN01", "CCONSOLE", "delegate add Russia @ivanov head")
    assert "Name the user to add" in reply.text


class _Keyboard:
    """A fake ``input``: the lines in turn, an exception where one is given."""

    def __init__(self, *keys: str | BaseException) -> None:
        self.keys = list(keys)
        self.prompts: list[str] = []

    def __call__(self, prompt: str) -> str:
        self.prompts.append(prompt)
        key = self.keys.pop(0)
        if isinstance(key, BaseException):
            raise key
        return key


class _Tty(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_ctrl_c_abandons_the_line_and_ctrl_d_ends_cleanly(rt: Runtime) -> None:
    console, out = _console(rt)
    keyboard = _Keyboard("members", KeyboardInterrupt(), "bodies", EOFError())
    assert console.run(_Tty(), keyboard) == 0
    text = out.getvalue()
    assert "Traceback" not in text and "KeyboardInterrupt" not in text
    assert "The NATO-Russia Council meets at 20." in text
    assert "== Bodies ==" in text  # the session went on after Ctrl-C
    assert keyboard.prompts == ["/nrc> "] * 4
    assert text.endswith("\n")


def test_ctrl_c_on_piped_input_ends_without_a_traceback(rt: Runtime) -> None:
    class Interrupted(io.StringIO):
        def readline(self, size: int | None = -1) -> str:
            raise KeyboardInterrupt

    console, out = _console(rt)
    assert console.run(Interrupted()) == 130
    assert "Traceback" not in out.getvalue()


def test_up_arrow_recalls_the_last_line_under_a_terminal(tmp_path: Path) -> None:
    pty = pytest.importorskip("pty")
    env = {k: v for k, v in os.environ.items() if not k.startswith(("SLACK_", "NRC_"))}
    env.update({"DATABASE_URL": f"sqlite:///{tmp_path / 'nrc.db'}", "HOME": str(tmp_path),
                "TERM": "xterm"})
    pid, fd = pty.fork()
    if pid == 0:  # the child: the console on the pseudo-terminal
        os.chdir(tmp_path)
        os.execve(sys.executable, [sys.executable, "-m", "bot", "console"], env)
    seen = b""

    def read_until(marker: bytes, times: int = 1) -> None:
        nonlocal seen
        deadline = time.monotonic() + 60
        while seen.count(marker) < times:
            assert time.monotonic() < deadline, seen.decode(errors="replace")
            if select.select([fd], [], [], 1)[0]:
                try:
                    seen += os.read(fd, 65536)
                except OSError:
                    break

    read_until(b"/nrc> ")
    os.write(fd, b"members\r")
    read_until(b"meets at 20.")
    read_until(b"/nrc> ", 2)
    os.write(fd, b"\x1b[A\r")  # up arrow, enter: members again
    read_until(b"meets at 20.", 2)
    read_until(b"/nrc> ", 3)
    os.write(fd, b"half a line")
    read_until(b"half a line")  # readline has it (echoed) before Ctrl-C abandons it
    os.write(fd, b"\x03")
    read_until(b"/nrc> ", 4)
    os.write(fd, b"\x04")  # Ctrl-D ends
    _, status = os.waitpid(pid, 0)
    try:
        while select.select([fd], [], [], 0.2)[0]:
            seen += os.read(fd, 65536)
    except OSError:
        pass
    os.close(fd)
    text = seen.decode(errors="replace")
    assert "^[[A" not in text and "Traceback" not in text and "no command" not in text
    assert os.waitstatus_to_exitcode(status) == 0
    assert "members" in (tmp_path / ".nrc_history").read_text()


def test_a_meetings_canvas_is_shown_as_its_text(rt: Runtime) -> None:
    console, out = _console(rt)
    console.handle("/nrc setup")
    console.handle("/nrc schedule council-amb 2026-12-10 10:00 Monthly meeting")
    created = out.getvalue()
    head, _, document = created.partition("[#council canvas FCANVAS")
    assert "Scheduled M1" in head
    assert document.split("\n")[:4] == [
        "1 created: M1: Monthly meeting]",
        "    > Kept by nrc-bot from the council's records: an edit made here by hand is "
        "overwritten at the next change. The records are the authority; `/nrc agenda M1` "
        "shows them.",
        "    ",
        "    # Meeting M1: Monthly meeting"]
    assert "    ## Agenda (draft)\n    \n    _No items yet._\n" in document
    console.handle("/nrc agenda M1 add Search and rescue at sea")
    edited = out.getvalue()[len(created):]
    assert "[#council canvas FCANVAS1 updated]\n    > Kept by nrc-bot" in edited
    assert ("    1. Search and rescue at sea (open; added by the Chair or the secretariat)\n"
            in edited)


def test_the_console_answers_in_the_language_given_with_lang(rt: Runtime) -> None:
    """``nrc-bot console --lang fr``: replies, the console's own lines and the App Home
    in French; ``:lang ru`` turns it to Russian, ``:lang auto`` back to the stored choice."""
    out = io.StringIO()
    console = Console(rt, None, out, "fr")
    console.handle("/nrc setup")
    console.handle(":as @ivanov")
    console.handle(":nonsense")
    console.handle("/x")
    text = out.getvalue()
    assert "Vous êtes désormais @ivanov." in text
    assert "Commandes de la console : :as USER, :home, :lang en|fr|ru|auto" in text
    assert "Seules les commandes /nrc sont acceptées ici ; essayez /nrc help." in text
    console.handle(":home")
    assert "== Conseil OTAN-Russie ==" in out.getvalue()
    console.handle(":lang ru")
    console.handle(":home")
    console.handle(":lang xx")
    text = out.getvalue()
    assert "Консоль теперь отвечает на языке: русский." in text
    assert "== Совет Россия–НАТО ==" in text
    assert "Языки: en, fr, ru или auto" in text
    console.handle(":lang auto")
    console.handle(":as @smith")
    assert out.getvalue().endswith("You are now @smith.\n")
