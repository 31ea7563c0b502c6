"""Where the outbox's messages go (Slack, or the console), and how a send can fail."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Protocol

from bot.messages import Message

LEASE = timedelta(seconds=60)
WAIT = timedelta(seconds=15)
MAX_ATTEMPTS = 8
BATCH = 50
#: A change's refresh of an App Home waits this long before it is built, so that a
#: burst of changes (twenty positions in a minute) publishes each Home once every few
#: seconds, not once per change: Slack allows ``views.publish`` about a hundred times
#: a minute (tier 4), and a Home is rebuilt in full. A Home its viewer has just
#: opened is built at once.
HOME_SETTLE = timedelta(seconds=5)
#: ``Session.info`` key: the moments the rows this unit of work recorded are due.
#: The process that committed it wakes its courier for each (``Runtime``).
DUE = "nrc_outbox_due"

class TransientError(Exception):
    """Slack could not take it now (429, 5xx, network): try again later.

    ``retry_after``: Slack's Retry-After (a 429); ``method``: the Web API method that
    answered it, paused for the workspace until then (``pacing.Pacer.pause``).
    """

    def __init__(self, message: str, retry_after: float | None = None,
                 method: str | None = None) -> None:
        super().__init__(message)
        self.retry_after = retry_after
        self.method = method


class Waiting(Exception):
    """Not sendable yet (no council channel bound, thread parent unsent): no attempt used."""


class PermanentError(Exception):
    """Slack refused it for good (e.g. channel_not_found): retrying will not help."""


class Unavailable(PermanentError):
    """The workspace cannot have it at all (canvases on a plan without them): the bot
    carries on without, and says so once."""


class Port(Protocol):
    """Where messages go: Slack, or the console.

    ``key`` travels with each message (Slack keeps it as message metadata) so
    that after a crash :meth:`find` can tell whether a message already went out.
    """

    def post(self, channel: str | None, message: Message, thread_ts: str | None,
             key: str) -> tuple[str, str]:
        """Post in a channel (``None``: no channel bound yet); return (channel, ts)."""
        ...

    def dm(self, user_id: str, message: Message, key: str) -> tuple[str, str]: ...

    def update(self, channel: str, ts: str, message: Message) -> None: ...

    def publish_home(self, user_id: str, message: Message) -> None: ...

    def find(self, channel: str, key: str, thread_ts: str | None,
             since: datetime) -> tuple[str, str] | None:
        """The (channel, ts) of a message posted with ``key``, if it went out."""
        ...

    def create_canvas(self, channel: str, title: str, markdown: str, key: str) -> str:
        """Create a canvas in the channel holding ``markdown``; return its id."""
        ...

    def edit_canvas(self, canvas_id: str, markdown: str) -> None:
        """Replace a canvas's whole document with ``markdown``."""
        ...


def port_for(port: Port, council_id: int) -> Port:
    """The port that speaks for the council: with the app installed in many workspaces
    (OAuth), Slack's port answers with one holding the token of the council's workspace
    (``for_council``, which raises :class:`Waiting` when there is none); otherwise the
    port itself."""
    route = getattr(port, "for_council", None)
    return port if route is None else route(council_id)


@dataclass(frozen=True, order=True)
class Due:
    """An outbox row a unit of work recorded: when it is due, its id, whether an App Home."""

    at: datetime
    row_id: int
    home: bool = False
