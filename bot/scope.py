"""What every request and every scheduler pass of one deployment shares.

A request's :class:`bot.context.Context` and a pass's
:class:`bot.scheduler.PassContext` both carry one :class:`Scope`: the charter
the deployment runs, its settings, its time zone and its slash command.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from zoneinfo import ZoneInfo

from bot.charter import Charter, load_charter
from bot.settings import Settings


@dataclass(frozen=True)
class Scope:
    """One deployment's charter, settings, time zone and slash command; immutable."""

    charter: Charter
    settings: Settings
    #: The deployment's zone: ``NRC_TIMEZONE``, else the charter's. A council's own
    #: zone (``ctx.tz``) is the one in its database row.
    zone: ZoneInfo
    #: The slash command people type ("/nrc" unless ``NRC_COMMAND`` names another).
    slash: str

    @classmethod
    def of(cls, settings: Settings, charter: Charter | None = None) -> Scope:
        """The scope ``settings`` describe; ``charter`` default: the one they name."""
        charter = charter if charter is not None else _charter(settings.charter)
        return cls(charter=charter, settings=settings,
                   zone=ZoneInfo(settings.timezone or charter.timezone),
                   slash=settings.command)


@functools.lru_cache(maxsize=8)
def _charter(path: str | None) -> Charter:
    """A charter file read once per process: the scope of passes run without a runtime."""
    return load_charter(path)


class Scoped:
    """What a request's ``Context`` and a pass's ``PassContext`` read from their scope."""

    scope: Scope

    @property
    def charter(self) -> Charter:
        return self.scope.charter

    @property
    def settings(self) -> Settings:
        return self.scope.settings

    @property
    def slash(self) -> str:
        """The slash command people type ("/nrc" unless the app names another)."""
        return self.scope.slash
