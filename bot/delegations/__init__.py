"""The roster: the council channel, the members' delegations and the Chair.

Rooms: ``rules`` (roles, one head per member), ``queries``, ``render``, ``service``
(the use-cases), ``commands`` (registered when this package is imported).
"""

from bot.delegations import commands
from bot.delegations.rules import ROLES

__all__ = ["ROLES", "commands"]
