"""A council of 20 in one line: ``seat_council(runtime)``."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import update
from sqlalchemy.engine import Engine

from bot.charter import load_charter
from bot.runtime import Runtime
from bot.settings import Settings
from storage.engine import transaction
from storage.models import Outbox

ADMIN = "UADMIN01"
CHAIR = "UCHAIRSG"
OUTSIDER = "UOUTSIDE"
CHANNEL = "CCOUNCIL1"
CHARTER = load_charter()

CODES = ("BE", "CA", "CZ", "DK", "FR", "DE", "GR", "HU", "IS", "IT", "LU", "NL", "NO", "PL",
         "PT", "ES", "TR", "GB", "US", "RU")


def delegate(alpha2: str, n: int = 1) -> str:
    """The Slack ID of a member's n-th delegate, e.g. ``UDEL0RU1``."""
    return f"UDEL0{alpha2}{n}"


def run(runtime: Runtime, user: str, line: str, channel: str = CHANNEL) -> str:
    """Run a command and return the reply text."""
    return runtime.run_command(user, channel, line).text


def seat_council(runtime: Runtime, *, deliver: bool = False) -> None:
    """Bind the channel, seat the Chair and a head of delegation for each of the 20."""
    run(runtime, ADMIN, "setup")
    run(runtime, ADMIN, f"chair {CHAIR}")
    for code in CODES:
        reply = run(runtime, ADMIN, f"delegate add {code} {delegate(code)} head")
        assert "joins the delegation" in reply, reply
    if not deliver:
        # The seating happened "earlier": its announcements are not what a test looks at.
        with transaction(runtime.engine) as session:
            session.execute(update(Outbox).values(status="sent"))


class Clock:
    """An injected clock the tests move by hand."""

    def __init__(self, now: datetime) -> None:
        self.now = now

    def __call__(self) -> datetime:
        return self.now


def make_runtime(engine: Engine, clock: Clock | None = None, *, pacing: bool = False,
                 **settings: object) -> Runtime:
    """A runtime on a clock the test moves by hand: unpaced unless asked (``pacing``),
    as a clock that stands still between two moves would never refill a bucket."""
    options: dict[str, object] = {"admin_users": frozenset({ADMIN})}
    options.update(settings)
    runtime = Runtime(Settings(**options), charter=CHARTER, engine=engine,  # type: ignore[arg-type]
                      clock=clock or Clock(datetime(2026, 12, 1, 9, 0, tzinfo=UTC)),
                      pacing=pacing)
    return runtime.prepare()
