"""Real ``nrc-bot`` processes for the multi-process tests: start, wait, SIGKILL, clean up.

Each process runs in a session (and process group) of its own, so that killing
a ``serve`` kills its gunicorn master and workers together, as a crash of the
machine or container would, and so that cleaning up never touches anything
this test did not start.
"""

from __future__ import annotations

import contextlib
import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Mapping
from pathlib import Path
from typing import IO

from tests.slackreq import post


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def bot_env(**values: str) -> dict[str, str]:
    """The test's environment without any Slack, bot or database setting, plus ``values``."""
    env = {k: v for k, v in os.environ.items()
           if not k.startswith(("SLACK_", "NRC_", "DATABASE_URL", "WEB_CONCURRENCY", "PORT"))}
    env.update(values)
    return env


class BotProcess:
    """One ``python -m bot ARGS`` process (group), its output in ``log_dir/NAME.N.log``."""

    def __init__(self, name: str, args: list[str], env: Mapping[str, str], cwd: Path,
                 log_dir: Path) -> None:
        self.name = name
        self.args = args
        self.env = dict(env)
        self.cwd = cwd
        self.log_dir = log_dir
        self.starts = 0
        self.logs: list[Path] = []
        self.proc: subprocess.Popen[bytes] | None = None
        self._log: IO[bytes] | None = None

    def start(self) -> BotProcess:
        self.starts += 1
        path = self.log_dir / f"{self.name}.{self.starts}.log"
        self.logs.append(path)
        self._log = path.open("wb")
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "bot", *self.args], env=self.env, cwd=self.cwd,
            stdin=subprocess.DEVNULL, stdout=self._log, stderr=subprocess.STDOUT,
            start_new_session=True)
        return self

    @property
    def pid(self) -> int:
        assert self.proc is not None
        return self.proc.pid

    def running(self) -> bool:
        return self.proc is not None and self.proc.poll() is None

    def _signal_group(self, sig: signal.Signals) -> None:
        if self.proc is None:
            return
        with contextlib.suppress(ProcessLookupError):
            os.killpg(self.proc.pid, sig)

    def kill(self) -> None:
        """SIGKILL the whole process group, at once, whatever it is doing."""
        self._signal_group(signal.SIGKILL)
        if self.proc is not None:
            self.proc.wait(timeout=10)
        self._close_log()

    def stop(self, timeout: float = 15) -> None:
        """Terminate the group; kill it if it is still there after ``timeout``."""
        if self.proc is None or self.proc.poll() is not None:
            self._close_log()  # already gone (and its group with it: killed, or exited)
            return
        self._signal_group(signal.SIGTERM)
        with contextlib.suppress(subprocess.TimeoutExpired):
            self.proc.wait(timeout=timeout)
        self._signal_group(signal.SIGKILL)  # the leader, or workers it left behind
        with contextlib.suppress(subprocess.TimeoutExpired):
            self.proc.wait(timeout=10)
        self._close_log()

    def _close_log(self) -> None:
        if self._log is not None:
            self._log.close()
            self._log = None

    def pids(self) -> list[int]:
        """Every live process of the group (a gunicorn master and its workers)."""
        if not self.running():
            return []
        found = []
        for entry in Path("/proc").iterdir():
            if not entry.name.isdigit():
                continue
            try:
                stat = (entry / "stat").read_text()
            except OSError:
                continue
            # pid (comm) state ppid pgrp ...: comm may hold spaces, so split after it
            fields = stat.rsplit(")", 1)[-1].split()
            if len(fields) > 2 and int(fields[2]) == self.pid:
                found.append(int(entry.name))
        return found

    def talking_to(self, port: int) -> bool:
        """Whether a process of the group has an open TCP connection to 127.0.0.1:``port``."""
        inodes = set()
        for pid in self.pids():
            with contextlib.suppress(OSError):
                for fd in Path(f"/proc/{pid}/fd").iterdir():
                    with contextlib.suppress(OSError):
                        target = os.readlink(fd)
                        if target.startswith("socket:["):
                            inodes.add(target[8:-1])
        if not inodes:
            return False
        wanted = f"0100007F:{port:04X}"
        with contextlib.suppress(OSError):
            for line in Path("/proc/net/tcp").read_text().splitlines()[1:]:
                fields = line.split()
                # remote address, state 01 = ESTABLISHED, inode
                if fields[2] == wanted and fields[3] == "01" and fields[9] in inodes:
                    return True
        return False

    def output(self) -> str:
        return "".join(p.read_text(errors="replace") for p in self.logs if p.exists())

    def tail(self, chars: int = 3000) -> str:
        return f"--- {self.name} ---\n{self.output()[-chars:]}"


def stop_all(processes: list[BotProcess], timeout: float = 15) -> None:
    """Terminate every group at once, then wait for each (killing what outlives ``timeout``)."""
    live = [p for p in processes if p.running()]
    for process in live:
        process._signal_group(signal.SIGTERM)
    deadline = time.monotonic() + timeout
    for process in live:
        assert process.proc is not None
        with contextlib.suppress(subprocess.TimeoutExpired):
            process.proc.wait(timeout=max(0.1, deadline - time.monotonic()))
    for process in processes:
        process.stop(timeout=0.1)


def wait_healthy(url: str, process: BotProcess, timeout: float = 60) -> None:
    """Wait until ``GET /healthz`` answers 200 (the database is up and the app loaded)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if not process.running():
            raise AssertionError(f"{process.name} exited early\n{process.tail()}")
        try:
            status, _, _ = post(url + "/healthz", b"", {}, timeout=2)
            if status == 200:
                return
        except OSError:
            pass
        time.sleep(0.1)
    raise AssertionError(f"{process.name} did not become healthy\n{process.tail()}")
