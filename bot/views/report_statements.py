"""The report's section on the council's statements (``S#``) issued in the period.

"``statement joint <text>`` opens a consensus poll whose adoption produces a *joint
statement* (numbered ``S#``, in the register with the decisions); ``statement chair
<text>`` (Chair only) publishes a *Chair's statement* at once, clearly labelled as
issued on the Chair's own responsibility." (issue 14) The report shows a joint
statement as it shows a joint decision, with every member's position in the
charter's order; a Chair's statement carries the label it carries in the channel.

Added to the report through :data:`bot.views.report.PERIOD_SECTIONS`; this module
reads only the statements, so that ``report`` may import it.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any
from zoneinfo import ZoneInfo

from sqlmodel import Session, col, select

from bot.i18n import N_, _, named
from bot.polls import statements_between
from bot.polls.render_statements import kind_label
from bot.polls.render_statements_register import CHAIR_LABEL
from bot.times import local_text
from bot.views.report_doc import Block, Fields, Paragraph, ReportSection, Table, day_text
from storage.models import Council, Member, Statement
from storage.statuses import StatementType

if TYPE_CHECKING:
    from bot.views.report import Span

#: A member's position on a joint decision or a joint statement, as the record words it.
STANCE_WORDS = {"concur": N_("concurred"), "silent": N_("silent, not objecting")}

_INTRO = N_("Joint statements are adopted by consensus, as joint decisions are: every "
          "member's position in the charter's order, with its statement and the "
          "statement's kind. The Chair's statements are issued on the Chair's own "
          "responsibility and are not decisions of the Council. Both are numbered in one "
          "series, S1, S2, …")


def position_blocks(rows: Sequence[tuple[str, str, str | None, str | None]]) -> list[Block]:
    """The tally and the table of positions: (member, stance, statement kind, statement)."""
    if not rows:
        return []
    stances = Counter(stance for _member, stance, _kind, _text in rows)
    return [Paragraph(_("Concurred: {concurred}. Silent, not objecting: {silent}.",
                        concurred=stances["concur"], silent=stances["silent"])),
            Table([_("Member"), _("Position"), _("Statement")],
                  [[member, _(STANCE_WORDS[stance]) if stance in STANCE_WORDS else stance,
                    f"{kind_label(kind)}: {text}" if text else ""]
                   for member, stance, kind, text in rows])]


def _member(members: Mapping[int, Member], row: Mapping[str, Any]) -> str:
    """A position row's member, named in the language of the moment (else as recorded)."""
    member = members.get(int(row.get("member_id") or 0))
    return named(member) if member else str(row.get("member", ""))


def _joint(s: Statement, members: Mapping[int, Member], chair: str,
           tz: ZoneInfo) -> ReportSection:
    order = {m_id: (m.ordinal, m_id) for m_id, m in members.items()}

    def place(row: Mapping[str, Any]) -> tuple[int, int]:
        member_id = int(row.get("member_id") or 0)
        return order.get(member_id, (10**6, member_id))

    proposer = members.get(s.proposer_member_id or 0)
    pairs = [(_("Adopted"), local_text(s.issued_at, tz)),
             (_("Procedure"), _("explicit") if s.mode == "explicit" else _("silence")),
             (_("Proposed by"), named(proposer) if proposer else chair)]
    if s.proposal_id is not None:
        pairs.append((_("From"), f"P{s.proposal_id}"))
    if s.area:
        pairs.append((_("Area"), s.area))
    rows = [(_member(members, r), str(r.get("stance", "")), r.get("statement_kind"),
             r.get("statement")) for r in sorted(s.positions, key=place)]
    return ReportSection(f"s{s.id}", _("S{statement}: joint statement, adopted {day}",
                                       statement=s.id, day=day_text(s.issued_at.astimezone(tz))),
                         [Paragraph(s.text, quote=True), Fields(pairs), *position_blocks(rows)])


def _chair(s: Statement, chair: str, tz: ZoneInfo) -> ReportSection:
    return ReportSection(f"s{s.id}", _("S{statement}: Chair's statement, issued {day}",
                                       statement=s.id, day=day_text(s.issued_at.astimezone(tz))),
                         [Paragraph(s.text, quote=True),
                          Fields([(_("Issued"), local_text(s.issued_at, tz)),
                                  (_("Issued by"), chair)]),
                          Paragraph(_(CHAIR_LABEL))])


def statements_section(session: Session, council: Council, span: Span,
                       tz: ZoneInfo) -> ReportSection:
    """The joint and the Chair's statements issued in the period, in their one series."""
    statements = statements_between(session, council.id or 0, span.start, span.end)
    members = {m.id or 0: m for m in session.exec(
        select(Member).where(Member.council_id == council.id).order_by(col(Member.ordinal)))}
    chair = (_("the Chair ({chair_title})", chair_title=council.chair_title)
             if council.chair_title else _("the Chair"))
    parts = [_joint(s, members, chair, tz) if s.kind == StatementType.JOINT
             else _chair(s, chair, tz) for s in statements]
    return ReportSection("statements", _("Joint and Chair's statements"),
                         [Paragraph(_(_INTRO))] if parts else [], parts=parts,
                         empty=_("No statement was issued in the period."))
