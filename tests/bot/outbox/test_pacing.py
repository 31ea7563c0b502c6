"""The pacing policy, without a database: buckets per channel and per workspace method."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from bot.outbox.pacing import CHANNEL, METHODS, Bucket, Pacer, Rate
from storage.statuses import OutboxKind

T0 = datetime(2026, 12, 1, 9, 0, tzinfo=UTC)
SECOND = timedelta(seconds=1)


def test_a_channel_has_a_short_burst_then_one_a_second() -> None:
    pacer = Pacer()
    sent = [pacer.admit("T1", "CA", OutboxKind.POST, T0) for _ in range(CHANNEL.burst)]
    assert sent == [None] * CHANNEL.burst
    assert pacer.admit("T1", "CA", OutboxKind.POST, T0) == T0 + SECOND
    assert pacer.admit("T1", "CA", OutboxKind.POST, T0 + SECOND / 2) == T0 + SECOND
    assert pacer.admit("T1", "CA", OutboxKind.POST, T0 + SECOND) is None
    assert pacer.admit("T1", "CA", OutboxKind.POST, T0 + SECOND) == T0 + 2 * SECOND


def test_a_full_channel_does_not_hold_up_another() -> None:
    pacer = Pacer()
    for _ in range(CHANNEL.burst):
        pacer.admit("T1", "CA", OutboxKind.POST, T0)
    assert pacer.admit("T1", "CA", OutboxKind.POST, T0) is not None
    assert pacer.admit("T1", "CB", OutboxKind.POST, T0) is None
    assert pacer.admit("T2", "CC", OutboxKind.DM, T0) is None


def test_a_refusal_takes_no_token() -> None:
    pacer = Pacer(methods={"chat.postMessage": Rate(burst=1, per_minute=60)})
    assert pacer.admit("T1", "CA", OutboxKind.POST, T0) is None
    # The workspace's budget is spent: CB is refused, and its own bucket stays full.
    assert pacer.admit("T1", "CB", OutboxKind.POST, T0) == T0 + SECOND
    for n in range(CHANNEL.burst):
        assert pacer.admit("T1", "CB", OutboxKind.POST, T0 + (n + 1) * SECOND) is None


def test_each_workspace_has_its_own_budget_per_method() -> None:
    budget = METHODS["views.publish"]
    pacer = Pacer()
    for n in range(budget.burst):
        assert pacer.admit("T1", f"U{n}", OutboxKind.HOME, T0) is None
    wait = pacer.admit("T1", "UX", OutboxKind.HOME, T0)
    assert wait == T0 + timedelta(seconds=60 / budget.per_minute)
    assert pacer.admit("T2", "UX", OutboxKind.HOME, T0) is None  # another workspace
    assert pacer.admit("T1", "CA", OutboxKind.UPDATE, T0) is None  # another method
    # App Homes are not channel posts: one viewer's Homes are paced only by the budget.
    assert pacer.admit("T1", "UX", OutboxKind.HOME, wait) is None


def test_a_retry_after_pauses_that_method_for_that_workspace_only() -> None:
    pacer = Pacer()
    pacer.pause("T1", "chat.postMessage", T0 + 30 * SECOND)
    assert pacer.admit("T1", "CA", OutboxKind.POST, T0) == T0 + 30 * SECOND
    assert pacer.admit("T1", "UCHAIR", OutboxKind.DM, T0 + SECOND) == T0 + 30 * SECOND
    assert pacer.admit("T1", "CA", OutboxKind.UPDATE, T0) is None
    assert pacer.admit("T2", "CB", OutboxKind.POST, T0) is None
    pacer.pause("T1", "chat.postMessage", T0 + 5 * SECOND)  # a shorter pause keeps the longer
    assert pacer.admit("T1", "CA", OutboxKind.POST, T0 + 29 * SECOND) == T0 + 30 * SECOND
    assert pacer.admit("T1", "CA", OutboxKind.POST, T0 + 30 * SECOND) is None


def test_a_bucket_refills_up_to_its_burst() -> None:
    bucket = Bucket(Rate(burst=2, per_minute=60), T0)
    bucket.take()
    bucket.take()
    assert bucket.ready(T0) == T0 + SECOND
    assert bucket.ready(T0 + timedelta(hours=1)) is None
    bucket.take()
    bucket.take()
    assert bucket.ready(T0 + timedelta(hours=1)) is not None  # two, not an hour's worth
