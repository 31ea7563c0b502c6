"""gunicorn processes as the Procfile's ``web`` line starts them, and their peak memory."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BOT_APP = "bot.transports.web:create_app()"
BASELINE_APP = "bench.baseline:create_app()"
_OPENER = urllib.request.build_opener(urllib.request.ProxyHandler({}))


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def gunicorn_command(app: str, port: int) -> list[str]:
    """The Procfile's ``web`` command, bound to 127.0.0.1 (``--bind`` overrides the config)."""
    return [sys.executable, "-m", "gunicorn", "--config", "python:bot.transports.gunicorn_conf",
            "--bind", f"127.0.0.1:{port}", app]


def _children(pid: int) -> list[int]:
    found: list[int] = []
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat", encoding="ascii", errors="replace") as f:
                stat = f.read()
        except OSError:
            continue
        # pid (comm) state ppid ...: comm may hold spaces, so split after the last ')'.
        fields = stat.rsplit(")", 1)[-1].split()
        if len(fields) > 1 and fields[1] == str(pid):
            found.append(int(entry))
    return sorted(found)


def _status_kb(pid: int, key: str) -> int | None:
    try:
        with open(f"/proc/{pid}/status", encoding="ascii", errors="replace") as f:
            for line in f:
                if line.startswith(key + ":"):
                    return int(line.split()[1])
    except OSError:
        return None
    return None


@dataclass
class Server:
    """One gunicorn master and its workers on 127.0.0.1."""

    name: str
    app: str
    env: dict[str, str]
    log_path: Path
    port: int = field(default_factory=free_port)
    process: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self, timeout: float = 90.0) -> Server:
        env = dict(self.env, PORT=str(self.port))
        self.log = open(self.log_path, "ab")  # noqa: SIM115  (closed in stop())
        self.process = subprocess.Popen(gunicorn_command(self.app, self.port), env=env, cwd=ROOT,
                                        stdout=self.log, stderr=subprocess.STDOUT,
                                        stdin=subprocess.DEVNULL)
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"{self.name}: gunicorn exited with {self.process.returncode}; "
                                   f"see {self.log_path}")
            if self._healthy() and len(self.workers()) >= self.expected_workers():
                return self
            time.sleep(0.2)
        self.stop()
        raise RuntimeError(f"{self.name}: not healthy after {timeout:.0f} s; see {self.log_path}")

    def expected_workers(self) -> int:
        return int(self.env.get("WEB_CONCURRENCY", "2"))

    def _healthy(self) -> bool:
        try:
            with _OPENER.open(self.url + "/healthz", timeout=2) as response:
                return bool(response.status == 200)
        except (OSError, urllib.error.URLError):
            return False

    def workers(self) -> list[int]:
        return _children(self.process.pid) if self.process is not None else []

    def processes(self) -> list[int]:
        """The master and its workers: the server, as far as CPU time goes."""
        return [self.process.pid, *self.workers()] if self.process is not None else []

    def peak_rss_kb(self) -> dict[str, int]:
        """VmHWM (peak resident set) of the master and of each worker, in kB."""
        if self.process is None:
            return {}
        peaks: dict[str, int] = {}
        master = _status_kb(self.process.pid, "VmHWM")
        if master is not None:
            peaks["master"] = master
        for i, pid in enumerate(self.workers(), start=1):
            value = _status_kb(pid, "VmHWM")
            if value is not None:
                peaks[f"worker {i}"] = value
        return peaks

    def stop(self) -> None:
        process = self.process
        if process is None:
            return
        if process.poll() is None:
            process.send_signal(signal.SIGTERM)
            try:
                process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait(timeout=10)
        self.process = None
        self.log.close()
