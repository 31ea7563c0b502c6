"""Reading the register over time: decisions filtered and paged, one decision with its
chain of supersession, the closed polls.

"A decision can be superseded by a later one ... the register shows the chain both
ways and ``decisions`` marks the superseded one. Decisions are never deleted."
"``polls --closed`` (paged) lists closed polls with their outcome; ``decisions`` can
filter by area and by text." (issue 13)
"""

from __future__ import annotations

from bot.context import Context
from bot.errors import CommandError
from bot.i18n import _
from bot.messages import Message
from bot.polls import queries, queries_register, queries_statements
from bot.polls.render_decisions import decision_record_message
from bot.polls.render_register import closed_polls_message
from bot.polls.service import areas_of


def show_decision(ctx: Context, number: int) -> Message:
    """One joint decision with every member's position and the chain both ways."""
    members = queries.members(ctx.session, ctx.council_id)
    decision = queries.decision(ctx.session, ctx.council_id, number)
    if decision is None:
        raise CommandError(_("There is no joint decision D{number}.", number=number))
    earlier, later = queries_register.chain(ctx.session, ctx.council_id, decision)
    return decision_record_message(decision, members, ctx.tz, areas_of(ctx), earlier, later)


def closed_polls(ctx: Context, page: int = 1) -> Message:
    """The closed polls, newest first, with their outcome and closing date."""
    paged = queries_register.closed_polls_page(ctx.session, ctx.council_id, page)
    ids = [p.id for p in paged.items if p.id is not None]
    adopted = {p: f"D{d}" for p, d in queries_register.decisions_from(ctx.session, ids).items()}
    adopted.update((p, f"S{n}") for p, n in
                   queries_statements.statements_from(ctx.session, ids).items())
    return closed_polls_message(paged, adopted, ctx.tz, ctx.slash)
