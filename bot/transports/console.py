"""The local console: the whole bot in a terminal, no Slack needed.

Lines are ``/nrc …`` commands (the ``/nrc`` may be left out). ``:as USER``
switches the acting user, ``:home`` shows their App Home, ``:tick [TIME]`` runs
a scheduler pass, ``:quit`` ends. Everything the bot would post in the channel or send in a DM
is printed, and each meeting's canvas as its text.

People are named as at a keyboard, ``@ivanov``: the console is a transport, and
turns each ``@name`` into what Slack would send, ``<@UIVANOV01|ivanov>``, with a
console user ID derived from the name (the same name is the same user in every
session), then shows those IDs back as ``@name``. Slack's own mentions and raw
IDs are taken as they are.
"""

from __future__ import annotations

import atexit
import base64
import contextlib
import hashlib
import re
import sys
from collections.abc import Callable
from datetime import datetime
from itertools import count
from pathlib import Path
from typing import TextIO

from sqlmodel import Session

from bot.errors import CommandError
from bot.i18n import N_, NATIVE, OFFERED, _, using
from bot.messages import Message, render_text
from bot.outbox import HOME_SETTLE
from bot.registry import parse_user
from bot.runtime import Runtime

CONSOLE_USER = "UCONSOLE"
CONSOLE_CHANNEL = "CCONSOLE"

#: ``@name`` as typed: not inside a Slack mention, an e-mail address or a word.
_AT_NAME = re.compile(r"(?<![\w<@|&])@(\w(?:[\w.\-]*\w)?)")
_SHOWN_ID = re.compile(r"@([UW][A-Z0-9]{1,20})\b")
#: A mention left as text (a statement quoting one is escaped, so shown literally).
_LITERAL_MENTION = re.compile(r"<@[UW][A-Z0-9]{1,20}\|([^<>|]+)>")
_PLAIN_NAME = re.compile(r"[A-Z0-9]{4,18}")


def console_user(name: str) -> str:
    """The console's user ID for ``@name``: stable across sessions, valid as a Slack ID.

    ``ivanov`` is ``UIVANOV01``. A name that is not four to eighteen plain
    letters and digits gets a short digest instead of ``01`` (its letters kept for
    the eye); a digest never ends in ``01``, so the two forms never meet.
    """
    key = name.casefold()
    upper = key.upper()
    if _PLAIN_NAME.fullmatch(upper):
        return f"U{upper}01"
    letters = re.sub(r"[^A-Z0-9]", "", upper.encode("ascii", "ignore").decode())[:12]
    digest = base64.b32encode(hashlib.sha256(key.encode()).digest()).decode()[:6]
    return f"U{letters}{digest}"


class ConsoleNames:
    """The ``@name`` ↔ console user ID translation, remembering the names seen."""

    def __init__(self) -> None:
        self.names: dict[str, str] = {}

    def user(self, name: str) -> str:
        user_id = console_user(name)
        self.names.setdefault(user_id, name)
        return user_id

    def to_slack(self, line: str) -> str:
        """The line as Slack would send it: each ``@name`` an escaped mention."""
        return _AT_NAME.sub(lambda m: f"<@{self.user(m.group(1))}|{m.group(1)}>", line)

    def show(self, text: str) -> str:
        """Terminal text with the console's users shown by the names they were typed as."""
        text = _LITERAL_MENTION.sub(lambda m: "@" + m.group(1), text)
        return _SHOWN_ID.sub(lambda m: "@" + self.names.get(m.group(1), m.group(1)), text)


BANNER = N_("""{name} console. Type /nrc help for the commands; :as USER acts as another user,
:home shows your App Home, :tick [TIME] runs a scheduler pass, :quit ends. You are {user}{admin}.""")


class ConsolePort:
    """Prints what Slack would show, marking where it would appear."""

    def __init__(self, out: TextIO, names: ConsoleNames | None = None) -> None:
        self.out = out
        self.names = names or ConsoleNames()
        self._ts = count(1)
        self._canvases = count(1)

    def _print(self, where: str, message: Message) -> None:
        body = render_text(message).replace("\n", "\n    ")
        self.out.write(self.names.show(f"[{where}] {body}") + "\n")
        self.out.flush()

    def post(self, channel: str | None, message: Message, thread_ts: str | None,
             key: str) -> tuple[str, str]:
        ts = f"{next(self._ts)}.000000"
        where = "#council" if thread_ts is None else _("#council thread {ts}", ts=thread_ts)
        self._print(f"{where} {ts}", message)
        return channel or CONSOLE_CHANNEL, ts

    def dm(self, user_id: str, message: Message, key: str) -> tuple[str, str]:
        self._print(_("DM to @{user}", user=user_id), message)
        return f"D{user_id}", f"{next(self._ts)}.000000"

    def update(self, channel: str, ts: str, message: Message) -> None:
        self._print(_("#council {ts} updated", ts=ts), message)

    def publish_home(self, user_id: str, message: Message) -> None:
        # Homes change with every position; one line each keeps the transcript readable.
        self.out.write(self.names.show(
            "[" + _("App Home of @{user} updated; :home shows yours", user=user_id) + "]") + "\n")

    def find(self, channel: str, key: str, thread_ts: str | None,
             since: datetime) -> tuple[str, str] | None:
        return None  # a terminal keeps no history to look in

    def _document(self, where: str, markdown: str) -> None:
        """A canvas as its text: the same document Slack shows beside the channel."""
        body = markdown.rstrip("\n").replace("\n", "\n    ")
        self.out.write(self.names.show(f"[{where}]\n    {body}") + "\n")
        self.out.flush()

    def create_canvas(self, channel: str, title: str, markdown: str, key: str) -> str:
        canvas_id = f"FCANVAS{next(self._canvases)}"
        self._document(_("#council canvas {canvas} created: {title}", canvas=canvas_id,
                         title=title), markdown)
        return canvas_id

    def edit_canvas(self, canvas_id: str, markdown: str) -> None:
        self._document(_("#council canvas {canvas} updated", canvas=canvas_id), markdown)


class Console:
    def __init__(self, runtime: Runtime, user: str | None, out: TextIO,
                 lang: str | None = None) -> None:
        self.runtime = runtime
        runtime.pacer = None  # a terminal has no rate limits: everything shows at once
        if lang is not None:
            runtime.readers.fixed = lang
        self.names = ConsoleNames()
        self.user = self._user(user) if user else CONSOLE_USER
        # The console's own user stands for the secretariat unless --as says otherwise.
        self.extra_admins = frozenset({CONSOLE_USER})
        self.out = out
        self.port = ConsolePort(out, self.names)

    def _user(self, token: str) -> str:
        """``@name``, a Slack mention or a raw ID as the user acting."""
        return parse_user(self.names.to_slack(token.strip()))

    def say(self, text: str) -> None:
        self.out.write(self.names.show(text) + "\n")
        self.out.flush()

    def language(self) -> str:
        """The language the console answers the acting user in now."""
        return self.runtime.readers.of(self.user)

    def handle(self, line: str) -> bool:
        """Run one line; False when the console should end."""
        with using(self.language()):
            return self._handle(line)

    def _handle(self, line: str) -> bool:
        line = line.strip()
        if not line or line.startswith("#"):
            return True
        if line.startswith(":"):
            return self._meta(line)
        slash = self.runtime.settings.command
        if line.split()[0] == slash:
            line = line[len(slash):].strip()
        elif line.startswith("/"):
            self.say(_("Only {command} commands here; try {command} help.", command=slash))
            return True
        line = self.names.to_slack(line)
        reply = self.runtime.run_command(self.user, CONSOLE_CHANNEL, line or "help",
                                         admins=self.extra_admins)
        self.say(render_text(reply))
        # One person at a terminal, no rate limit: App Homes need not settle.
        self.runtime.deliver(self.port, self.runtime.clock() + HOME_SETTLE)
        return True

    def _meta(self, line: str) -> bool:
        # A console command may carry a comment, as in the README: `:home   # your App Home`.
        word, _sep, rest = re.sub(r"\s+#.*$", "", line).partition(" ")
        if word in (":quit", ":q", ":exit"):
            return False
        if word == ":as":
            try:
                self.user = self._user(rest) if rest.strip() else CONSOLE_USER
            except CommandError as exc:
                self.say(exc.message)
                return True
            with using(self.language()):
                self.say(_("You are now @{user}.", user=self.user))
            return True
        if word == ":tick":
            try:
                self.say(self.runtime.tick_and_deliver(self.port, rest.strip() or None))
            except CommandError as exc:
                self.say(exc.message)
            return True
        if word == ":lang":
            choice = rest.strip().lower()
            if choice not in (*OFFERED, "auto"):
                self.say(_("Languages: {languages}, or auto (your stored choice, else the "
                           "council's first language).", languages=", ".join(OFFERED)))
                return True
            self.runtime.readers.fixed = None if choice == "auto" else choice
            with using(self.runtime.readers.of(self.user)) as now:
                self.say(_("The console now answers in {language}.", language=NATIVE[now]))
            return True
        if word == ":home":
            with Session(self.runtime.engine) as session, \
                    using(self.runtime.readers.of(self.user)):
                council = self.runtime.council_for(session, CONSOLE_CHANNEL)
                assert council.id is not None
                home = self.runtime.render_home(session, council.id, self.user,
                                                 self.runtime.clock())
            self.say(render_text(home))
            return True
        self.say(_("Console commands: :as USER, :home, :lang en|fr|ru|auto, :tick [TIME], :quit."))
        return True

    def run(self, stdin: TextIO, read: Callable[[str], str] | None = None) -> int:
        """Read lines until :quit, Ctrl-D or the end of the input; the exit status.

        At a terminal the line is read with ``read`` (default ``input``, with
        readline's editing and history when the platform has it); Ctrl-C
        abandons the line, as in a shell. Piped input is read line by line and
        echoed; Ctrl-C there ends the session (status 130).
        """
        interactive = stdin.isatty()
        if interactive:
            with using(self.language()):
                admin = _(" (secretariat)") if self.user == CONSOLE_USER else ""
                self.say(_(BANNER, name=self.runtime.charter.name, user=f"@{self.user}",
                           admin=admin))
            if read is None:
                _line_editing()
                read = input
        with using(self.language()):
            self.runtime.deliver(self.port)
        prompt = f"{self.runtime.settings.command}> "
        while True:
            try:
                if interactive:
                    assert read is not None
                    line = read(prompt)
                else:
                    line = stdin.readline()
                    if not line:
                        break
                    self.say(f"> {line.rstrip()}")
                if not self.handle(line):
                    break
            except EOFError:  # Ctrl-D
                self.say("")
                break
            except KeyboardInterrupt:  # Ctrl-C: what was being typed (or run) is dropped
                self.say("")
                if not interactive:
                    return 130
        return 0


HISTORY = Path("~/.nrc_history")


def _line_editing() -> None:
    """Arrow keys, editing and a history kept across sessions, where readline exists."""
    try:
        import readline
    except ImportError:  # Windows without pyreadline: plain input still works
        return
    history = HISTORY.expanduser()
    with contextlib.suppress(OSError):
        readline.read_history_file(history)
    readline.set_history_length(1000)

    def save() -> None:
        with contextlib.suppress(OSError):
            readline.write_history_file(history)

    atexit.register(save)


def main(runtime: Runtime, user: str | None, lang: str | None = None) -> int:
    try:
        console = Console(runtime, user, sys.stdout, lang)
    except CommandError as exc:
        print(f"nrc-bot: --as: {exc.message}", file=sys.stderr)
        return 2
    try:
        return console.run(sys.stdin)
    except KeyboardInterrupt:  # between lines, e.g. while the outbox is delivered at start
        print()
        return 130
