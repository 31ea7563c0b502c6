"""The event dispatch: handlers run in the publisher's transaction, in order."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from bot import bus


@dataclass(frozen=True)
class Happened:
    what: str


@dataclass(frozen=True)
class Unheard:
    what: str


def test_subscribers_run_in_the_order_they_subscribed_and_only_for_their_kind() -> None:
    heard: list[tuple[str, Any, str]] = []
    ctx: Any = object()  # the dispatch hands the context on untouched

    @bus.subscribe(Happened)
    def first(c: Any, event: Happened) -> None:
        heard.append(("first", c, event.what))

    @bus.subscribe(Happened)
    def second(c: Any, event: Happened) -> None:
        heard.append(("second", c, event.what))

    try:
        bus.publish(ctx, Happened("scheduled"))
        bus.publish(ctx, Unheard("ignored"))
        assert heard == [("first", ctx, "scheduled"), ("second", ctx, "scheduled")]
    finally:
        bus._HANDLERS.pop(Happened)
