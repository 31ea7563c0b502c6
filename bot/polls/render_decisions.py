"""The register of joint decisions as the council reads it: plain data in, ``Message`` out.

"Adoption creates joint decision ``D#`` (``JointDecision``) ... ``decisions`` lists
them; ``decisions D2`` shows one with every position." (docs/consensus.md)
"""

from __future__ import annotations

from collections.abc import Mapping
from zoneinfo import ZoneInfo

from bot.messages import Message, count, escape
from bot.polls.queries_register import Paged
from bot.polls.render import Members, area_name, clip
from bot.polls.render_register import chain_section, no_such_page, page_line, supersedes_field
from bot.polls.render_statements import kind_label, statement_line
from bot.polls.rules import Mode, Stance
from bot.times import slack_date
from storage.models import JointDecision


def decision_message(decision: JointDecision, members: Members,
                     tz: ZoneInfo, areas: Mapping[str, str]) -> Message:
    """A joint decision with every member's position, as announced and as listed."""
    fields = [("Adopted", slack_date(decision.adopted_at, tz)),
              ("Procedure", "explicit" if decision.mode == Mode.EXPLICIT else "silence"),
              ("From", f"P{decision.proposal_id}, proposed by <@{decision.proposer_user_id}>")]
    if decision.area:
        fields.append(("Area", area_name(decision.area, areas)))
    fields.extend(supersedes_field(decision.supersedes_id))
    concurred = [r for r in decision.positions if r["stance"] == Stance.CONCUR]
    quiet = [r for r in decision.positions if r["stance"] == "silent"]
    lines = [f"*Concurred ({len(concurred)}):* "
             + (", ".join(escape(r["member"]) for r in concurred) or "_none_")]
    if quiet:
        lines.append(f"*Silent, not objecting ({len(quiet)}):* "
                     + (", ".join(escape(r["member"]) for r in quiet) or "_none_"))
    for r in concurred:  # protocol order: the electorate's, the charter's
        if r.get("statement"):
            lines.append(statement_line(escape(r["member"]), r.get("statement_kind"),
                                        r["statement"]))
    return Message(
        text=escape(decision.text),
        header=f"Joint decision D{decision.id}",
        fields=fields,
        sections=["\n".join(lines)],
        context=["Adopted by consensus. The members “will bear equal responsibility, "
                 "individually and jointly, for their implementation” (Rome Declaration). "
                 f"Raise an implementation issue with `raise D{decision.id} <text>`."],
    )


def _record_lines(decision: JointDecision) -> list[str]:
    """Every member's position, one line each, as kept with the decision."""
    lines = ["*Positions of the members:*"]
    for r in decision.positions:
        line = f"• {escape(r['member'])}: {r['stance']}"
        if r.get("by"):
            line += f" (<@{r['by']}>)"
        if r.get("statement"):
            label = kind_label(r.get("statement_kind")).lower()
            line += f"; {label}: {escape(r['statement'])}"
        lines.append(line)
    return lines


def decision_record_message(decision: JointDecision, members: Members, tz: ZoneInfo,
                            areas: Mapping[str, str], earlier: list[int] | None = None,
                            later: list[int] | None = None) -> Message:
    """One joint decision with every member's position (``decisions D2``), and the chain
    of supersession both ways: ``earlier`` it supersedes, ``later`` superseding it."""
    message = decision_message(decision, members, tz, areas)
    message.sections.append("\n".join(_record_lines(decision)))
    chain = chain_section(earlier or [], later or [])
    if chain:
        message.sections.insert(0, chain)
    return message


def decisions_message(paged: Paged[JointDecision], superseded: Mapping[int, int],
                      tz: ZoneInfo, areas: Mapping[str, str], slash: str,
                      filters: str = "") -> Message:
    """The register of joint decisions (``decisions``), a page of it; ``filters`` the
    options that chose it (``--area sar``), ``superseded`` the later decision by number."""
    if not paged.total:
        return Message(text="No joint decision matches." if filters else
                       "The council has taken no joint decision yet.")
    if not paged.items:
        return Message(text=no_such_page(paged))
    lines = []
    for d in paged.items:
        area = f", {area_name(d.area, areas)}" if d.area else ""
        later = (f", *superseded by D{superseded[d.id]}*"
                 if d.id is not None and d.id in superseded else "")
        lines.append(f"*D{d.id}* (from P{d.proposal_id}, adopted {slack_date(d.adopted_at, tz)}"
                     f"{area}{later}): {escape(clip(d.text, 200))}")
    command = f"{slash} decisions{' ' + filters if filters else ''}"
    context = [f"`{slash} decisions D{paged.items[-1].id}` shows one decision with "
               "every member's position."]
    if paged.pages > 1:
        context.insert(0, page_line(paged, command))
    return Message(text=f"{count(paged.total, 'joint decision')}.", header="Joint decisions",
                   sections=["\n".join(lines)], context=context)
