"""Pacing what the bot says, so that one council's burst does not hold up another's.

Slack's rule for ``chat.postMessage``: "about one message per second per channel, with
short bursts", and beside it a workspace-wide limit ("several hundred messages per
minute"); every other method has a per-workspace budget by tier (``chat.update`` tier
3, 50+ a minute; ``views.publish`` tier 4, 100+ a minute). Each is a token bucket here:
a burst of a few, then the rate. A 429's ``Retry-After`` pauses that method for that
workspace until then. Pure: the moments come from the caller (the moment a delivery
is "as of"), nothing sleeps.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from storage.statuses import OutboxKind


@dataclass(frozen=True)
class Rate:
    """A token bucket's shape: ``burst`` sends at once, then ``per_minute``."""

    burst: int
    per_minute: float


#: "About one message per second per channel, with short bursts" (chat.postMessage).
CHANNEL = Rate(burst=3, per_minute=60)

#: Per workspace and method: Slack's tiers, kept a little under their floor.
METHODS: dict[str, Rate] = {
    "chat.postMessage": Rate(burst=30, per_minute=300),  # "several hundred per minute"
    "chat.update": Rate(burst=10, per_minute=50),  # tier 3
    "conversations.open": Rate(burst=10, per_minute=50),  # tier 3
    "views.publish": Rate(burst=20, per_minute=100),  # tier 4
    "canvases.create": Rate(burst=5, per_minute=20),  # tier 2
    "canvases.edit": Rate(burst=10, per_minute=50),  # tier 3
}

#: The Web API methods delivering a row of each kind calls (its first names the row's
#: method when the port does not say which one refused).
METHODS_OF: dict[str, tuple[str, ...]] = {
    OutboxKind.POST: ("chat.postMessage",),
    OutboxKind.DM: ("chat.postMessage", "conversations.open"),
    OutboxKind.UPDATE: ("chat.update",),
    OutboxKind.HOME: ("views.publish",),
    OutboxKind.CANVAS: ("canvases.create",),
    OutboxKind.CANVAS_EDIT: ("canvases.edit",),
}

#: The kinds that say something new in a channel, paced by its bucket (``CHANNEL``).
IN_CHANNEL = frozenset({OutboxKind.POST, OutboxKind.DM})


class Bucket:
    """Tokens refilled at ``rate``, at most ``rate.burst``; full when first used."""

    def __init__(self, rate: Rate, now: datetime) -> None:
        self.rate = rate
        self.tokens = float(rate.burst)
        self.at = now

    def _refill(self, now: datetime) -> None:
        if now > self.at:
            gained = (now - self.at).total_seconds() * self.rate.per_minute / 60
            self.tokens = min(float(self.rate.burst), self.tokens + gained)
            self.at = now

    def ready(self, now: datetime) -> datetime | None:
        """None if a token is there at ``now``; else the moment one will be."""
        self._refill(now)
        if self.tokens >= 1:
            return None
        wait = (1 - self.tokens) * 60 / self.rate.per_minute
        return max(now, self.at) + timedelta(seconds=wait)

    def take(self) -> None:
        self.tokens -= 1


class Pacer:
    """One process's buckets: per channel, and per (workspace, method); its pauses."""

    def __init__(self, channel: Rate = CHANNEL,
                 methods: dict[str, Rate] | None = None) -> None:
        self.channel = channel
        self.methods = METHODS if methods is None else methods
        self._channels: dict[str, Bucket] = {}
        self._budgets: dict[tuple[str | None, str], Bucket] = {}
        self._paused: dict[tuple[str | None, str], datetime] = {}

    def admit(self, team: str | None, channel: str | None, kind: str,
              now: datetime) -> datetime | None:
        """Take the tokens to send a row of ``kind`` to ``channel`` in workspace ``team``
        now (None), or say when to try again (nothing taken)."""
        methods = METHODS_OF.get(kind, ())
        buckets: list[Bucket] = []
        later: list[datetime] = []
        for method in methods:
            until = self._paused.get((team, method))
            if until is not None and until > now:
                later.append(until)
            rate = self.methods.get(method)
            if rate is not None:
                buckets.append(self._budgets.setdefault((team, method), Bucket(rate, now)))
        if channel is not None and kind in IN_CHANNEL:
            buckets.append(self._channels.setdefault(channel, Bucket(self.channel, now)))
        later.extend(when for when in (b.ready(now) for b in buckets) if when is not None)
        if later:
            return max(later)
        for bucket in buckets:
            bucket.take()
        return None

    def pause(self, team: str | None, method: str, until: datetime) -> None:
        """Slack answered 429 with Retry-After: nothing more of ``method`` for ``team``
        until ``until``."""
        key = (team, method)
        self._paused[key] = max(until, self._paused.get(key, until))
