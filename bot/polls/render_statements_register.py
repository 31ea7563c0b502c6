"""The council's statements as the channel and the register show them: plain data in,
``Message`` out.

"``statement joint <text>`` opens a consensus poll whose adoption produces a *joint
statement* (numbered ``S#``, in the register with the decisions); ``statement chair
<text>`` (Chair only) publishes a *Chair's statement* at once, clearly labelled as
issued on the Chair's own responsibility." (issue 14)

Not a member's statement on its position (``render_statements``).
"""

from __future__ import annotations

from collections.abc import Mapping
from zoneinfo import ZoneInfo

from bot.i18n import N_, _, ngettext
from bot.messages import Message, escape
from bot.polls.queries_register import Paged
from bot.polls.render import clip
from bot.polls.render_decisions import adoption_fields, positions_section, record_lines
from bot.polls.render_register import no_such_page, page_line
from bot.times import slack_date
from storage.models import Statement
from storage.statuses import StatementType

#: The label every Chair's statement carries, wherever it is shown (translated where shown:
#: ``_(CHAIR_LABEL)``).
CHAIR_LABEL = N_("Chair's statement — issued on the Chair's own responsibility; "
                 "not a decision of the Council.")
#: What a joint statement is, under its announcement.
JOINT_NOTE = N_("Adopted by consensus: a joint statement of the Council. Joint statements "
                "and the Chair's statements are numbered in one series, S1, S2, …")


def _is_joint(statement: Statement) -> bool:
    return statement.kind == StatementType.JOINT


def joint_statement_message(statement: Statement, tz: ZoneInfo,
                            areas: Mapping[str, object], *, announced: bool = True) -> Message:
    """A joint statement with every member's position: "Joint statement S4 adopted" as
    announced in the channel, "Joint statement S4" as the register shows it."""
    fields = adoption_fields(statement.issued_at, statement.mode, statement.proposal_id,
                             statement.issued_by, statement.area, tz, areas)
    return Message(text=escape(statement.text),
                   header=_("Joint statement S{number} adopted", number=statement.id)
                   if announced else _("Joint statement S{number}", number=statement.id),
                   fields=fields, sections=[positions_section(statement.positions)],
                   context=[_(JOINT_NOTE)])


def chair_statement_message(statement: Statement, tz: ZoneInfo) -> Message:
    """A Chair's statement, labelled as the Chair's own: posted at once, no consensus."""
    label = _(CHAIR_LABEL)
    return Message(text=escape(statement.text),
                   header=_("Chair's statement S{number}", number=statement.id),
                   fields=[(_("Issued by"), _("<@{user}>, the Chair", user=statement.issued_by)),
                           (_("Issued"), slack_date(statement.issued_at, tz))],
                   sections=[f"_{label}_"], context=[label])


def statement_record_message(statement: Statement, tz: ZoneInfo,
                             areas: Mapping[str, object]) -> Message:
    """One statement (``statements S4``): a joint one with every member's position."""
    if not _is_joint(statement):
        return chair_statement_message(statement, tz)
    message = joint_statement_message(statement, tz, areas, announced=False)
    message.sections.append("\n".join(record_lines(statement.positions)))
    return message


def _line(statement: Statement, tz: ZoneInfo) -> str:
    when = slack_date(statement.issued_at, tz)
    if _is_joint(statement):
        what = _("joint statement, from P{number}, adopted {date}",
                 number=statement.proposal_id, date=when)
    else:
        what = _("Chair's statement, issued {date} by <@{user}>", date=when,
                 user=statement.issued_by)
    return f"*S{statement.id}* ({what}): {escape(clip(statement.text, 200))}"


def statements_message(paged: Paged[Statement], tz: ZoneInfo, slash: str) -> Message:
    """``statements``: both types of statement in their one series, oldest first."""
    if not paged.total:
        return Message(text=_("The council has issued no statement yet."))
    if not paged.items:
        return Message(text=no_such_page(paged))
    context = [_("`{slash} statements S{number}` shows one statement. A Chair's statement is "
                 "issued on the Chair's own responsibility; a joint statement is adopted by "
                 "consensus.", slash=slash, number=paged.items[-1].id)]
    if paged.pages > 1:
        context.insert(0, page_line(paged, f"{slash} statements"))
    return Message(text=ngettext("{n} statement.", "{n} statements.", paged.total),
                   header=_("Statements"),
                   sections=["\n".join(_line(s, tz) for s in paged.items)], context=context)


def chair_statement_reply(statement: Statement) -> Message:
    """What the Chair alone reads after issuing a statement."""
    return Message(text=_("Issued *Chair's statement S{number}* in the council channel, on "
                          "your own responsibility; it is not a decision of the Council.",
                          number=statement.id))
