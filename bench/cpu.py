"""CPU time by process, read from ``/proc``: where a phase's work was done.

Latency on a shared 2-core machine says how long a request waited, not what it
cost; the CPU seconds each process spent over a phase (user and system, from
``/proc/<pid>/stat``) say what the requests cost, and who paid: the server's
processes, PostgreSQL's backends, the load generator, the harness (the fake Slack).
"""

from __future__ import annotations

import os
from collections.abc import Callable
from dataclasses import dataclass

TICK = os.sysconf("SC_CLK_TCK")
#: Groups in the order the report shows them.
GROUPS = ("server", "postgres", "load", "harness")


def _cpu_seconds(pid: int) -> float | None:
    try:
        with open(f"/proc/{pid}/stat", encoding="ascii", errors="replace") as f:
            fields = f.read().rsplit(")", 1)[-1].split()
    except OSError:
        return None
    return (int(fields[11]) + int(fields[12])) / TICK  # utime + stime


def _comm(pid: int) -> str:
    try:
        with open(f"/proc/{pid}/comm", encoding="ascii", errors="replace") as f:
            return f.read().strip()
    except OSError:
        return ""


def postgres_pids() -> list[int]:
    return [int(e) for e in os.listdir("/proc") if e.isdigit() and _comm(int(e)) == "postgres"]


@dataclass
class CpuMeter:
    """Which processes make up each group, looked up anew at each reading."""

    server: Callable[[], list[int]]
    load: Callable[[], list[int]]
    harness: int

    def read(self) -> dict[int, tuple[str, float]]:
        groups = {"server": self.server(), "postgres": postgres_pids(), "load": self.load(),
                  "harness": [self.harness]}
        found: dict[int, tuple[str, float]] = {}
        for group, pids in groups.items():
            for pid in pids:
                seconds = _cpu_seconds(pid)
                if seconds is not None:
                    found[pid] = (group, seconds)
        return found

    @staticmethod
    def spent(before: dict[int, tuple[str, float]],
              after: dict[int, tuple[str, float]]) -> dict[str, float]:
        """CPU seconds per group between two readings (a process new since counts whole)."""
        totals = dict.fromkeys(GROUPS, 0.0)
        for pid, (group, seconds) in after.items():
            earlier = before.get(pid)
            totals[group] += seconds - (earlier[1] if earlier is not None else 0.0)
        return totals
