"""The use-cases of the council's statements: the Chair's statement issued at once, and
the statements read back (``statements``, ``statements S4``, the register).

"``statement chair <text>`` (Chair only) publishes a *Chair's statement* at once,
clearly labelled as issued on the Chair's own responsibility." (issue 14) A joint
statement is adopted by a poll (``service_adoption``); a Chair's statement needs no
consensus and is not a decision of the Council. Both are numbered in one ``S#`` series.
"""

from __future__ import annotations

from bot import keys
from bot.context import Context
from bot.errors import CommandError
from bot.i18n import _
from bot.messages import Message
from bot.polls import queries_register, queries_statements
from bot.polls.render_decisions import decisions_message
from bot.polls.render_statements_register import (
    chair_statement_message,
    chair_statement_reply,
    statement_record_message,
    statements_message,
)
from bot.polls.service import areas_of
from storage.models import Statement
from storage.statuses import StatementType


def issue_chair_statement(ctx: Context, text: str) -> Message:
    """Publish the Chair's statement in the council channel at once, with its ``S#``."""
    statement = queries_statements.save(ctx.session, Statement(
        council_id=ctx.council_id, kind=StatementType.CHAIR.value, text=text,
        issued_by=ctx.actor.user_id, issued_at=ctx.now))
    ctx.audit("statement.chair", {"statement": statement.id, "text": text})
    ctx.post(keys.statement(statement.id), lambda: chair_statement_message(statement, ctx.tz))
    return chair_statement_reply(statement)


def show_statement(ctx: Context, number: int) -> Message:
    """One statement: a joint one with every member's position, or the Chair's."""
    statement = queries_statements.statement(ctx.session, ctx.council_id, number)
    if statement is None:
        raise CommandError(_("There is no statement S{number}.", number=number))
    return statement_record_message(statement, ctx.tz, areas_of(ctx))


def list_statements(ctx: Context, page: int = 1) -> Message:
    """Both types of statement in their one series, oldest first, ten a page."""
    paged = queries_statements.statements_page(ctx.session, ctx.council_id, page)
    return statements_message(paged, ctx.tz, ctx.slash)


def list_register(ctx: Context, *, area: str | None = None, text: str | None = None,
                  page: int = 1) -> Message:
    """The register, a page of it: the joint decisions and among them the joint
    statements, filtered by area and by text."""
    paged, statements = queries_statements.register_page(ctx.session, ctx.council_id,
                                                         area=area, text=text, page=page)
    superseded = queries_register.superseded_by(
        ctx.session, [d.id for d in paged.items if d.id is not None
                      and not isinstance(d, Statement)])
    filters = " ".join(([f"--area {area}"] if area else [])
                       + ([f'--text "{text}"'] if text else []))
    return decisions_message(paged, superseded, ctx.tz, areas_of(ctx) if paged.items else {},
                             ctx.slash, filters, statements)
