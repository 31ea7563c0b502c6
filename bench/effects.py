"""The Slack-side effects of a phase, as the fake Slack received them.

A request's effect is what it makes the bot say: the modal's ``views.open`` (found by
its ``trigger_id``) for a click that opens a form, else the poll message's
``chat.update``. Times run from sending the request to the fake's ``Call.at``.
"""

from __future__ import annotations

import json
import re
import time
from collections.abc import Callable

from bench.jobs import Job
from bench.load import Sample
from tests.fakeslack import Call, FakeSlack

#: How long to wait, after a phase, for the Slack-side effects to reach the fake Slack;
#: and how long to wait for a first one before concluding there are none.
EFFECT_WAIT = 20.0
EFFECT_IDLE = 3.0


def _wait(progress: Callable[[], tuple[int, int]], timeout: float = EFFECT_WAIT) -> None:
    """Until every wanted effect is seen, or none came at all within EFFECT_IDLE, or timeout."""
    started = time.monotonic()
    while True:
        found, wanted = progress()
        elapsed = time.monotonic() - started
        if found >= wanted or elapsed >= timeout or (found == 0 and elapsed >= EFFECT_IDLE):
            return
        time.sleep(0.05)


def modals_opened(fake: FakeSlack, jobs: list[Job], samples: list[Sample]) -> dict[int, Call]:
    """The ``views.open`` each good click caused, found by its trigger_id."""
    good = {s.index for s in samples if s.ok}
    wanted = {jobs[i].trigger: i for i in good}

    def found() -> dict[int, Call]:
        calls: dict[int, Call] = {}
        for call in fake.calls_to("views.open"):
            index = wanted.get(str(call.params.get("trigger_id")))
            if index is not None and not call.failed:
                calls.setdefault(index, call)
        return calls

    _wait(lambda: (len(found()), len(good)))
    return found()


_CONCURRED = re.compile(r"\*Concurred \(\d+\):\* ([^\n]*)")


def concurred(call: Call) -> set[str] | None:
    """The members a poll message's ``chat.update`` shows as concurring, or None when the
    update shows no positions (the baseline's fixed text)."""
    blocks = call.params.get("blocks")
    if isinstance(blocks, str):
        blocks = json.loads(blocks)
    for block in blocks if isinstance(blocks, list) else []:
        text = (block.get("text") or {}).get("text") if isinstance(block, dict) else None
        found = _CONCURRED.search(text) if isinstance(text, str) else None
        if found is not None:
            return {name.strip() for name in found.group(1).split(",")}
    return None


def update_times(fake: FakeSlack, jobs: list[Job], samples: list[Sample],
                 by_name: bool = True) -> tuple[list[float], int]:
    """Seconds from each good request to the ``chat.update`` of its poll's message.

    The bot's poll message names the members who concurred: a request's effect is
    the first update, sent after it, that names its member, however many positions
    that update brought at once. An update that names none (the baseline's fixed
    text), or any update when not ``by_name`` (an amendment: the member is not among
    those who concurred, and the poll has that one request), is matched to the
    requests of its message in order instead."""
    good = [s for s in samples if s.ok and jobs[s.index].poll is not None]

    def key(s: Sample) -> tuple[str, str]:
        poll = jobs[s.index].poll
        assert poll is not None
        return poll.channel, poll.ts

    wanted = {key(s) for s in good}

    def updates() -> dict[tuple[str, str], list[tuple[float, set[str] | None]]]:
        seen: dict[tuple[str, str], list[tuple[float, set[str] | None]]] = {}
        for call in fake.calls_to("chat.update"):
            k = (str(call.params.get("channel")), str(call.params.get("ts")))
            if k in wanted and not call.failed:
                seen.setdefault(k, []).append((call.at, concurred(call) if by_name else None))
        for shown in seen.values():
            shown.sort(key=lambda u: u[0])
        return seen

    def effects() -> tuple[list[float], int]:
        seen = updates()
        latencies: list[float] = []
        missing = 0
        by_message: dict[tuple[str, str], list[Sample]] = {}
        for s in good:
            by_message.setdefault(key(s), []).append(s)
        for k, requests in by_message.items():
            shown = seen.get(k, [])
            used: set[int] = set()
            for request in sorted(requests, key=lambda s: s.sent_at):
                member = jobs[request.index].member
                after = [i for i, (at, names) in enumerate(shown) if at >= request.sent_at
                         and (names is None or member in names)]
                if not after:
                    missing += 1
                    continue
                if shown[after[0]][1] is None:  # no names to go by: one update each
                    free = [i for i in after if i not in used]
                    chosen = free[0] if free else after[0]
                    used.add(chosen)
                else:
                    chosen = after[0]
                latencies.append(shown[chosen][0] - request.sent_at)
        return latencies, missing

    _wait(lambda: (len(good) - effects()[1], len(good)))
    time.sleep(0.2)  # a last merged update
    return effects()


