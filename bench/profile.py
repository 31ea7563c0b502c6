"""``--profile``: where the bot's CPU goes under load, sampled by py-spy.

py-spy attaches to each gunicorn worker (``--gil``: only the thread holding the
GIL is sampled, so the samples are CPU, not waiting; blocking, so that every
stack is whole) for one extra phase after
the measured ones, so that its overhead never touches the reported figures. The
samples are summed into what a request costs: answering it (``Runtime._run``),
and delivering what it recorded (the courier: claiming, rendering, calling Slack,
settling), the rest being Bolt and gunicorn around them.
"""

from __future__ import annotations

import shutil
import signal
import subprocess
import sys
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

#: Where a sample is charged: the first of these frames found in its stack, by order.
BUCKETS = (
    ("deliver: render App Homes", "render_home (bot/home.py"),
    ("deliver: render poll messages", "render_poll (bot/polls/service.py"),
    ("deliver: call Slack", "SlackPort._call (handlers/slackport.py"),
    ("deliver: claim rows", "_claim (bot/outbox/delivery.py"),
    ("deliver: settle rows", "_settle (bot/outbox/settle.py"),
    ("deliver: other", "Runtime._courier_loop (bot/runtime.py"),
    ("answer: the command or action", "Runtime._run (bot/runtime.py"),
    ("elsewhere: Bolt, gunicorn", ""),
)
#: Frames under which the time is SQL (SQLAlchemy and psycopg).
SQL = ("sqlalchemy/", "psycopg/")
OURS = ("bot/", "handlers/", "storage/")


@dataclass
class Profile:
    samples: int = 0
    buckets: Counter[str] = field(default_factory=Counter)
    sql: Counter[str] = field(default_factory=Counter)  # SQL samples inside each bucket
    functions: Counter[str] = field(default_factory=Counter)  # our functions, inclusive
    note: str = ""

    def lines(self, top: int = 15) -> list[str]:
        if not self.samples:
            return [f"- No profile: {self.note or 'no samples'}."]
        out = ["| where | share of CPU samples | of which SQL (SQLAlchemy, psycopg) |",
               "|---|--:|--:|"]
        for name, _ in BUCKETS:
            n = self.buckets.get(name, 0)
            if n:
                out.append(f"| {name} | {100 * n / self.samples:.1f}% "
                           f"| {100 * self.sql.get(name, 0) / self.samples:.1f}% |")
        out += ["", f"The bot's own functions, inclusive share of the {self.samples:,} samples:",
                "", "| function | share |", "|---|--:|"]
        out += [f"| `{name}` | {100 * n / self.samples:.1f}% |"
                for name, n in self.functions.most_common(top)]
        return out


def _frame(frame: str) -> str:
    """``name (path/file.py:12)`` → ``name (path/file.py``: a function, not a line."""
    return frame.rsplit(":", 1)[0] if frame.endswith(")") else frame


def summarise(raw: Path, profile: Profile) -> None:
    """Add the samples of one py-spy ``--format raw`` file."""
    for line in raw.read_text(encoding="utf-8", errors="replace").splitlines():
        stack, _, count = line.rpartition(" ")
        if not stack or not count.isdigit():
            continue
        n = int(count)
        frames = [_frame(f) for f in stack.split(";")]
        profile.samples += n
        bucket = next(name for name, marker in BUCKETS
                      if not marker or any(marker in f for f in frames))
        profile.buckets[bucket] += n
        if any(any(s in f for s in SQL) for f in frames):
            profile.sql[bucket] += n
        for f in dict.fromkeys(frames):
            name, _, path = f.partition(" (")
            if path.startswith(OURS):
                profile.functions[f"{name} ({path})"] += n


def record(pids: list[int], workdir: Path, run: object) -> Profile:
    """Sample ``pids`` while ``run()`` runs; return what the samples say."""
    profile = Profile()
    beside = Path(sys.executable).with_name("py-spy")  # the virtualenv's, not on PATH
    spy = str(beside) if beside.exists() else shutil.which("py-spy")
    if spy is None:
        profile.note = "py-spy is not installed (it comes with the dev extras)"
        run()  # type: ignore[operator]
        return profile
    outputs, spies = [], []
    for pid in pids:
        out = workdir / f"profile-{pid}.txt"
        outputs.append(out)
        spies.append(subprocess.Popen(
            # Blocking (the default): each sample pauses the worker, for whole stacks; the
            # phase is not measured, so its latency may suffer.
            [spy, "record", "--pid", str(pid), "--rate", "100", "--gil",
             "--format", "raw", "--output", str(out)],
            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE))
    time.sleep(1.0)  # attached before the load starts
    try:
        run()  # type: ignore[operator]
    finally:
        for s in spies:
            s.send_signal(signal.SIGINT)
        errors = []
        for s in spies:
            try:
                _, err = s.communicate(timeout=30)
            except subprocess.TimeoutExpired:
                s.kill()
                _, err = s.communicate()
            if s.returncode not in (0, None) and err:
                errors.append(err.decode(errors="replace").strip().splitlines()[-1])
    for out in outputs:
        if out.exists():
            summarise(out, profile)
    if not profile.samples and errors:
        profile.note = f"py-spy could not sample the workers ({errors[0][:200]})"
    return profile
