"""The register of joint decisions as the council reads it: plain data in, ``Message`` out.

"Adoption creates joint decision ``D#`` (``JointDecision``) ... ``decisions`` lists
them; ``decisions D2`` shows one with every position." (docs/consensus.md)
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from bot.i18n import _, ngettext
from bot.messages import Message, escape
from bot.polls.queries_register import Paged
from bot.polls.render import Members, area_name, clip, mode_word
from bot.polls.render_register import chain_section, no_such_page, page_line, supersedes_field
from bot.polls.render_statements import kind_words, statement_line
from bot.polls.rules import Mode, Stance
from bot.times import slack_date
from storage.models import JointDecision, Statement


def adoption_fields(at: datetime, mode: str | None, proposal_id: int | None, proposer: str,
                    area: str | None, tz: ZoneInfo,
                    areas: Mapping[str, object]) -> list[tuple[str, str]]:
    """When, how and from which poll a joint decision or a joint statement was adopted."""
    fields = [(_("Adopted"), slack_date(at, tz)),
              (_("Procedure"), mode_word(Mode.EXPLICIT.value if mode == Mode.EXPLICIT
                                         else Mode.SILENCE.value)),
              (_("From"), _("P{number}, proposed by <@{user}>", number=proposal_id,
                            user=proposer))]
    if area:
        fields.append((_("Area"), area_name(area, areas)))
    return fields


def decision_message(decision: JointDecision, members: Members,
                     tz: ZoneInfo, areas: Mapping[str, object]) -> Message:
    """A joint decision with every member's position, as announced and as listed."""
    fields = adoption_fields(decision.adopted_at, decision.mode, decision.proposal_id,
                             decision.proposer_user_id, decision.area, tz, areas)
    fields.extend(supersedes_field(decision.supersedes_id))
    return Message(
        text=escape(decision.text),
        header=_("Joint decision D{number}", number=decision.id),
        fields=fields,
        sections=[positions_section(decision.positions)],
        context=[_("Adopted by consensus. The members “will bear equal responsibility, "
                   "individually and jointly, for their implementation” (Rome Declaration). "
                   "Raise an implementation issue with `raise D{number} <text>`.",
                   number=decision.id)],
    )


def positions_section(positions: list[dict[str, Any]]) -> str:
    """Who concurred, who stayed silent, and their statements, as adoption announces them
    (a joint decision's or a joint statement's)."""
    concurred = [r for r in positions if r["stance"] == Stance.CONCUR]
    quiet = [r for r in positions if r["stance"] == "silent"]
    lines = [_("*Concurred ({count}):* {names}", count=len(concurred),
               names=", ".join(escape(r["member"]) for r in concurred) or _("_none_"))]
    if quiet:
        lines.append(_("*Silent, not objecting ({count}):* {names}", count=len(quiet),
                       names=", ".join(escape(r["member"]) for r in quiet) or _("_none_")))
    for r in concurred:  # protocol order: the electorate's, the charter's
        if r.get("statement"):
            lines.append(statement_line(escape(r["member"]), r.get("statement_kind"),
                                        r["statement"]))
    return "\n".join(lines)


def _stance(stance: str) -> str:
    """A recorded stance ("concur", "object", "silent") in the current language."""
    from bot.polls.render_replies import stance_word

    return _("silent") if stance == "silent" else stance_word(stance)


def record_lines(positions: list[dict[str, Any]]) -> list[str]:
    """Every member's position, one line each, as kept with the decision or statement."""
    lines = [_("*Positions of the members:*")]
    for r in positions:
        line = f"• {escape(r['member'])}: {_stance(r['stance'])}"
        if r.get("by"):
            line += f" (<@{r['by']}>)"
        if r.get("statement"):
            label = kind_words(r.get("statement_kind"))
            line += f"; {label}: {escape(r['statement'])}"
        lines.append(line)
    return lines


def decision_record_message(decision: JointDecision, members: Members, tz: ZoneInfo,
                            areas: Mapping[str, object], earlier: list[int] | None = None,
                            later: list[int] | None = None) -> Message:
    """One joint decision with every member's position (``decisions D2``), and the chain
    of supersession both ways: ``earlier`` it supersedes, ``later`` superseding it."""
    message = decision_message(decision, members, tz, areas)
    message.sections.append("\n".join(record_lines(decision.positions)))
    chain = chain_section(earlier or [], later or [])
    if chain:
        message.sections.insert(0, chain)
    return message


def _register_line(entry: JointDecision | Statement, superseded: Mapping[int, int],
                   tz: ZoneInfo, areas: Mapping[str, object]) -> str:
    area = f", {area_name(entry.area, areas)}" if entry.area else ""
    if isinstance(entry, Statement):  # "in the register with the decisions" (issue 14)
        return _("*S{number}* (joint statement, from P{proposal}, adopted {date}{area}): "
                 "{text}", number=entry.id, proposal=entry.proposal_id,
                 date=slack_date(entry.issued_at, tz), area=area,
                 text=escape(clip(entry.text, 200)))
    later = (", " + _("*superseded by D{number}*", number=superseded[entry.id])
             if entry.id is not None and entry.id in superseded else "")
    return _("*D{number}* (from P{proposal}, adopted {date}{area}{later}): {text}",
             number=entry.id, proposal=entry.proposal_id,
             date=slack_date(entry.adopted_at, tz), area=area, later=later,
             text=escape(clip(entry.text, 200)))


def decisions_message(paged: Paged[JointDecision | Statement], superseded: Mapping[int, int],
                      tz: ZoneInfo, areas: Mapping[str, object], slash: str,
                      filters: str = "", statements: int = 0) -> Message:
    """The register (``decisions``), a page of it: the joint decisions and, among them in
    the order adopted, the joint statements (``statements`` of the ``paged.total``);
    ``filters`` the options that chose it (``--area sar``), ``superseded`` the later
    decision by number."""
    if not paged.total:
        return Message(text=_("No joint decision matches.") if filters else
                       _("The council has taken no joint decision yet."))
    if not paged.items:
        return Message(text=no_such_page(paged))
    lines = [_register_line(entry, superseded, tz, areas) for entry in paged.items]
    command = f"{slash} decisions{' ' + filters if filters else ''}"
    last = paged.items[-1]
    context = [_("`{slash} decisions D{number}` shows one decision with every member's "
                 "position.", slash=slash, number=last.id)
               if isinstance(last, JointDecision) else
               _("`{slash} statements S{number}` shows one statement with every member's "
                 "position.", slash=slash, number=last.id)]
    if paged.pages > 1:
        context.insert(0, page_line(paged, command))
    decided = ngettext("{n} joint decision", "{n} joint decisions", paged.total - statements)
    if not statements:
        return Message(text=_("{decisions}.", decisions=decided), header=_("Joint decisions"),
                       sections=["\n".join(lines)], context=context)
    stated = ngettext("{n} joint statement", "{n} joint statements", statements)
    return Message(text=_("{decisions} and {statements}.", decisions=decided,
                          statements=stated),
                   header=_("Joint decisions and statements"), sections=["\n".join(lines)],
                   context=context)
