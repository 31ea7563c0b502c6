"""What one feature must do when another changes, said as an event rather than an import.

A feature that changes something publishes a plain event (``ctx.publish(...)``); the
features that must follow subscribe to it (``@subscribe(MeetingScheduled)``). The
handlers run at once, in the publisher's transaction, in the order they subscribed,
so their changes commit or roll back with the change that caused them. Neither side
imports the other: both import this module.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, TypeVar

if TYPE_CHECKING:
    from bot.context import Context


@dataclass(frozen=True)
class MeetingScheduled:
    """A meeting was scheduled (``schedule``): waiting implementation issues may join it."""

    meeting_id: int


E = TypeVar("E")
Handler = Callable[["Context", Any], None]
_HANDLERS: dict[type, list[Handler]] = {}


def subscribe(kind: type[E]) -> Callable[[Callable[[Context, E], None]],
                                          Callable[[Context, E], None]]:
    """Register the decorated function to run whenever an event of ``kind`` is published."""
    def register(handler: Callable[[Context, E], None]) -> Callable[[Context, E], None]:
        _HANDLERS.setdefault(kind, []).append(handler)
        return handler
    return register


def publish(ctx: Context, event: object) -> None:
    """Run every handler of the event's kind, now, in ``ctx``'s transaction."""
    for handler in _HANDLERS.get(type(event), ()):
        handler(ctx, event)
