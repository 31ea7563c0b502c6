"""Consensus polls, and the register of joint decisions (PRODUCT.md section 4).

One package, one room per kind: ``rules`` (the consensus rule and the rules of a
poll's life, pure), ``queries`` (reads and writes), ``render`` and
``render_decisions`` (plain data in, ``Message`` out), ``service`` and
``service_positions`` (the use-cases), ``commands`` (the ``@command``
registrations) and ``passes`` (the scheduler pass). The council's statements
(``S#``: joint statements adopted by a poll, the Chair's issued at once) have their
``*_statements`` rooms beside them (``render_statements``/``rules_statements`` are a
member's statement on its position); ``service_adoption`` decides what an adopted
poll becomes. Importing the package
registers the commands and the pass; the names other modules use are re-exported
here.
"""

from __future__ import annotations

from bot.polls import commands, commands_breaks, commands_statements, passes
from bot.polls.queries import (
    Awaiting,
    Held,
    awaiting,
    closing_first,
    decision_count,
    open_polls,
    positions_on,
    tally,
)
from bot.polls.queries_statements import statements_between
from bot.polls.render import (
    AMENDMENT_ACTION,
    CONCUR_ACTION,
    CONCUR_NOW_ACTION,
    OBJECT_ACTION,
)
from bot.polls.render_decisions import decision_message
from bot.polls.render_statements import STATEMENT_LABEL
from bot.polls.rules import (
    MAX_AHEAD,
    OPEN,
    REMINDERS,
    WITHDRAWN,
    Mode,
    Outcome,
    Stance,
    concurring,
    objectors,
    outcome,
    silent,
)
from bot.polls.service import POLL_VIEW, areas_of, poll_builder, render_poll, verdict_of
from bot.polls.service_breaks import amendment_form, propose_amendment
from bot.polls.service_positions import PositionForm, position_form, take_position

__all__ = [
    "AMENDMENT_ACTION",
    "CONCUR_ACTION",
    "CONCUR_NOW_ACTION",
    "MAX_AHEAD",
    "OBJECT_ACTION",
    "OPEN",
    "POLL_VIEW",
    "REMINDERS",
    "STATEMENT_LABEL",
    "WITHDRAWN",
    "Awaiting",
    "Held",
    "Mode",
    "Outcome",
    "PositionForm",
    "Stance",
    "amendment_form",
    "areas_of",
    "awaiting",
    "closing_first",
    "commands",
    "commands_breaks",
    "commands_statements",
    "concurring",
    "decision_count",
    "decision_message",
    "objectors",
    "open_polls",
    "outcome",
    "passes",
    "poll_builder",
    "position_form",
    "positions_on",
    "propose_amendment",
    "render_poll",
    "silent",
    "statements_between",
    "take_position",
    "tally",
    "verdict_of",
]
