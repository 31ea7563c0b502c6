"""The local console: the whole bot in a terminal, no Slack needed.

Lines are ``/nrc …`` commands (the ``/nrc`` may be left out). ``:as USER``
switches the acting user, ``:home`` shows their App Home, ``:tick [TIME]`` runs
a scheduler pass, ``:quit`` ends. Everything the bot would post in the channel or send in a DM is printed.
"""

from __future__ import annotations

import sys
from datetime import datetime
from itertools import count
from typing import TextIO

from sqlmodel import Session

from bot.commands import parse_user
from bot.errors import CommandError
from bot.messages import Message, render_text
from bot.outbox import HOME_SETTLE
from bot.runtime import Runtime

CONSOLE_USER = "UCONSOLE"
CONSOLE_CHANNEL = "CCONSOLE"

BANNER = """{name} console. Type /nrc help for the commands; :as USER acts as another user,
:home shows your App Home, :tick [TIME] runs a scheduler pass, :quit ends. You are {user}{admin}."""


class ConsolePort:
    """Prints what Slack would show, marking where it would appear."""

    def __init__(self, out: TextIO) -> None:
        self.out = out
        self._ts = count(1)

    def _print(self, where: str, message: Message) -> None:
        body = render_text(message).replace("\n", "\n    ")
        self.out.write(f"[{where}] {body}\n")
        self.out.flush()

    def post(self, channel: str | None, message: Message, thread_ts: str | None,
             key: str) -> tuple[str, str]:
        ts = f"{next(self._ts)}.000000"
        where = "#council" if thread_ts is None else f"#council thread {thread_ts}"
        self._print(f"{where} {ts}", message)
        return channel or CONSOLE_CHANNEL, ts

    def dm(self, user_id: str, message: Message, key: str) -> tuple[str, str]:
        self._print(f"DM to @{user_id}", message)
        return f"D{user_id}", f"{next(self._ts)}.000000"

    def update(self, channel: str, ts: str, message: Message) -> None:
        self._print(f"#council {ts} updated", message)

    def publish_home(self, user_id: str, message: Message) -> None:
        # Homes change with every position; one line each keeps the transcript readable.
        self.out.write(f"[App Home of @{user_id} updated; :home shows yours]\n")

    def find(self, channel: str, key: str, thread_ts: str | None,
             since: datetime) -> tuple[str, str] | None:
        return None  # a terminal keeps no history to look in


class Console:
    def __init__(self, runtime: Runtime, user: str | None, out: TextIO) -> None:
        self.runtime = runtime
        self.user = user or CONSOLE_USER
        # The console's own user stands for the secretariat unless --as says otherwise.
        self.extra_admins = frozenset({CONSOLE_USER})
        self.out = out
        self.port = ConsolePort(out)

    def say(self, text: str) -> None:
        self.out.write(text + "\n")
        self.out.flush()

    def handle(self, line: str) -> bool:
        """Run one line; False when the console should end."""
        line = line.strip()
        if not line or line.startswith("#"):
            return True
        if line.startswith(":"):
            return self._meta(line)
        slash = self.runtime.settings.command
        if line.split()[0] == slash:
            line = line[len(slash):].strip()
        elif line.startswith("/"):
            self.say(f"Only {slash} commands here; try {slash} help.")
            return True
        reply = self.runtime.run_command(self.user, CONSOLE_CHANNEL, line or "help",
                                         admins=self.extra_admins)
        self.say(render_text(reply))
        # One person at a terminal, no rate limit: App Homes need not settle.
        self.runtime.deliver(self.port, self.runtime.clock() + HOME_SETTLE)
        return True

    def _meta(self, line: str) -> bool:
        word, _, rest = line.partition(" ")
        if word in (":quit", ":q", ":exit"):
            return False
        if word == ":as":
            try:
                self.user = parse_user(rest.strip()) if rest.strip() else CONSOLE_USER
            except CommandError as exc:
                self.say(exc.message)
                return True
            self.say(f"You are now @{self.user}.")
            return True
        if word == ":tick":
            try:
                self.say(self.runtime.tick_and_deliver(self.port, rest.strip() or None))
            except CommandError as exc:
                self.say(exc.message)
            return True
        if word == ":home":
            with Session(self.runtime.engine) as session:
                council = self.runtime.council_for(session, CONSOLE_CHANNEL)
                assert council.id is not None
                home = self.runtime.render_home(session, council.id, self.user,
                                                 self.runtime.clock())
            self.say(render_text(home))
            return True
        self.say("Console commands: :as USER, :home, :tick [TIME], :quit.")
        return True

    def run(self, stdin: TextIO) -> int:
        interactive = stdin.isatty()
        if interactive:
            admin = " (secretariat)" if self.user == CONSOLE_USER else ""
            self.say(BANNER.format(name=self.runtime.charter.name, user=f"@{self.user}",
                                   admin=admin))
        self.runtime.deliver(self.port)
        while True:
            if interactive:
                self.out.write(f"{self.runtime.settings.command}> ")
                self.out.flush()
            line = stdin.readline()
            if not line:
                break
            if not interactive:
                self.say(f"> {line.rstrip()}")
            if not self.handle(line):
                break
        return 0


def main(runtime: Runtime, user: str | None) -> int:
    return Console(runtime, user, sys.stdout).run(sys.stdin)
