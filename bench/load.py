"""The load generator. It runs in its own process (never the servers' or the fake Slack's),
with one thread per concurrent client, and sends each request signed as Slack signs it."""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass

from tests.slackreq import post, sign

#: Slack gives an app this long to acknowledge.
SLACK_DEADLINE = 3.0
_ERROR_MARKERS = (b"Something went wrong", b"records are unavailable")


@dataclass(frozen=True)
class Sample:
    """One request: when it left (wall clock, comparable with ``Call.at``), how long the
    acknowledgement took, the HTTP status, and whether the answer was a good one."""

    index: int
    sent_at: float
    seconds: float
    status: int
    ok: bool
    detail: str = ""


def drive(url: str, secret: str, bodies: list[bytes], concurrency: int,
          timeout: float = 30.0, budget: float | None = None) -> tuple[list[Sample], float]:
    """Send every body to ``url`` from ``concurrency`` threads; return the samples and the
    wall time from the first send to the last answer.

    With ``budget`` (seconds), no request is sent after that long: a slow server then
    gets fewer requests rather than an unbounded run (the samples say how many)."""
    lock = threading.Lock()
    stop_at = time.perf_counter() + budget if budget else float("inf")
    next_index = iter(range(len(bodies)))
    samples: list[Sample] = []

    def client() -> None:
        while True:
            with lock:
                index = next(next_index, None) if time.perf_counter() < stop_at else None
            if index is None:
                return
            body = bodies[index]
            headers = sign(body, secret)
            sent_at = time.time()
            started = time.perf_counter()
            try:
                status, _, answer = post(url, body, headers, timeout=timeout)
                detail = ""
            except OSError as exc:
                status, answer, detail = 0, b"", f"{type(exc).__name__}: {exc}"
            seconds = time.perf_counter() - started
            ok = status == 200 and not any(m in answer for m in _ERROR_MARKERS)
            if not ok and not detail:
                detail = f"HTTP {status}: {answer[:200].decode('utf-8', 'replace')}"
            with lock:
                samples.append(Sample(index, sent_at, seconds, status, ok, detail))

    threads = [threading.Thread(target=client, daemon=True)
               for _ in range(max(1, min(concurrency, len(bodies))))]
    began = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return sorted(samples, key=lambda s: s.index), time.perf_counter() - began
