"""What the council sees of polls and joint decisions: plain data in, ``Message`` out.

"The poll message is updated in place after every change: members concurred (with
statements), members objecting (with reasons), members silent, the deadline and time
left, the text version and the previous text." (docs/consensus.md)
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from bot.messages import Button, Message, count, escape
from bot.polls.render_statements import concur_confirm, statement_line
from bot.polls.rules import (
    OPEN,
    WITHDRAWN,
    Mode,
    Outcome,
    Stance,
    Stated,
    Terms,
    amenders,
    concurring,
    every_member_concurred,
    objectors,
    silent,
    stances,
)
from bot.times import slack_date, span_text
from storage.models import Member, Proposal
from storage.statuses import ProposalKind

CONCUR_NOW_ACTION = "poll_concur_now"  # one click, behind Slack's confirm dialog
CONCUR_ACTION = "poll_concur"  # opens the form: a statement, its kind, or its withdrawal
OBJECT_ACTION = "poll_object"
AMENDMENT_ACTION = "poll_amendment"

VERB = {Stance.CONCUR: "concurs", Stance.OBJECT: "objects"}

_HEADLINE: dict[str, str] = {
    Outcome.ADOPTED.value: "adopted",
    Outcome.BLOCKED.value: "blocked",
    Outcome.FAILED.value: "failed",
    WITHDRAWN: "withdrawn",
    Outcome.SILENCE_BROKEN.value: "silence broken",
}

#: An outcome read as English: "P4 has failed", never "P4 is failed".
STANDS: dict[str, str] = {
    Outcome.ADOPTED.value: "is adopted",
    Outcome.BLOCKED.value: "is blocked",
    Outcome.FAILED.value: "has failed",
    WITHDRAWN: "has been withdrawn",
    Outcome.SILENCE_BROKEN.value: "has had its silence broken",
}

Members = Mapping[int, Member]
Positions = Mapping[int, Stated]


def _name(members: Members, member_id: int) -> str:
    member = members.get(member_id)
    return escape(member.name) if member else f"member {member_id}"


def _names(members: Members, ids: list[int]) -> str:
    return ", ".join(_name(members, i) for i in ids) if ids else "_none_"


def _proposer(members: Members, proposal: Proposal) -> str:
    if proposal.proposer_member_id is not None:
        return f"<@{proposal.proposer_user_id}> ({_name(members, proposal.proposer_member_id)})"
    return f"<@{proposal.proposer_user_id}> (the Chair)"


def _procedure(proposal: Proposal) -> str:
    if proposal.mode == Mode.EXPLICIT:
        return "Explicit: adopted only when every member concurs"
    return "Silence: adopted at the deadline unless a member objects"


def clip(text: str, limit: int = 300) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def area_name(key: str, areas: Mapping[str, str]) -> str:
    return escape(areas.get(key, key))


def _position_lines(members: Members, proposal: Proposal, positions: Positions) -> list[str]:
    """Concurred (with statements), objecting (with reasons), silent."""
    held = stances(positions)
    agreed = concurring(proposal.electorate, held)
    against = objectors(proposal.electorate, held)
    quiet = silent(proposal.electorate, held)
    lines = [f"*Concurred ({len(agreed)}):* {_names(members, agreed)}"]
    for member_id in agreed:  # protocol order: the electorate's, the charter's
        position = positions[member_id]
        if position.statement:
            lines.append(statement_line(_name(members, member_id), position.statement_kind,
                                        position.statement))
    if against:
        lines.append(f"*Objecting ({len(against)}):*")
        lines.extend(f"• *{_name(members, m)}*: {escape(positions[m].statement or '')}"
                     f"{_withdrawn(positions[m])}" for m in against)
    else:
        lines.append("*Objecting (0):* _none_")
    amending = amenders(proposal.electorate, held)
    if amending:
        lines.append(f"*Amendments ({len(amending)}):*")
        lines.extend(f"• *{_name(members, m)}*: {amendment_words(positions[m])}"
                     for m in amending)
    lines.append(f"*Silent ({len(quiet)}):* {_names(members, quiet)}")
    return lines


def _withdrawn(position: Stated) -> str:
    """" (withdrawn <date>)" after an objection its member withdrew."""
    at = getattr(position, "withdrawn_at", None)
    return f" _(withdrawn {at:%Y-%m-%d})_" if isinstance(at, datetime) else ""


def amendment_words(position: Stated) -> str:
    """A proposed amendment as the poll shows it: "<text> (reason)"."""
    reason = getattr(position, "reason", None)
    text = escape(position.statement or "")
    return f"{text} ({escape(reason)})" if reason else text


def _buttons(proposal: Proposal) -> list[Button]:
    """The poll's buttons, in the order shown; a later control is one more entry here."""
    value = str(proposal.id)
    return [Button("Concur", CONCUR_NOW_ACTION, f"{proposal.id}:{proposal.version}", "primary",
                   concur_confirm(proposal)),
            Button("Concur with statement…", CONCUR_ACTION, value),
            Button("Object…", OBJECT_ACTION, value, "danger")]


def _amendment_buttons(proposal: Proposal) -> list[Button]:
    """The third control: breaking silence with a text rather than an objection."""
    return [Button("Propose amendment…", AMENDMENT_ACTION, str(proposal.id))]


def silence_text(minimum: timedelta) -> str:
    """The charter's minimum silence as people say it: "24 hours", "2 days"."""
    hours, rest = divmod(int(minimum.total_seconds()), 3600)
    if rest:
        return span_text(minimum)
    if hours % 24 == 0 and hours > 24:
        return count(hours // 24, "day")
    return count(hours, "hour")


def working_time_sentence(note: str | None, proposal: Proposal, tz: ZoneInfo,
                          slash: str) -> str:
    """What the Chair reads when a deadline falls outside working time, or nothing.

    The deadline stands (it is lawful); the sentence only lets the Chair correct it.
    """
    if note is None:
        return ""
    return (f" Note: by the council's clock ({tz.key}) the deadline {note}; the Chair can "
            f"move it with `{slash} extend P{proposal.id} <deadline>`.")


def poll_message(proposal: Proposal, members: Members, positions: Positions, now: datetime,
                 tz: ZoneInfo, areas: Mapping[str, str], previous: str | None,
                 terms: Terms | None = None,
                 revised: tuple[int, datetime] | None = None) -> Message:
    """The poll as posted, and as updated in place after every change.

    ``revised``: the version the Chair's revision replaced and when its message was posted.

    ``previous`` is the text the latest amendment replaced, if any; ``terms`` what it
    opened under: the Chair's urgency and the working time its deadline is read against.
    """
    terms = terms or Terms()
    header = (f"Draft joint statement P{proposal.id}"
              if proposal.kind == ProposalKind.JOINT_STATEMENT else f"Proposal P{proposal.id}")
    if proposal.version > 1:
        header += f" (version {proposal.version})"
    if proposal.status != OPEN:
        header += f": {_HEADLINE.get(proposal.status, proposal.status)}"
    fields: list[tuple[str, str]] = [("Proposed by", _proposer(members, proposal)),
                                     ("Procedure", _procedure(proposal))]
    if terms.urgent:
        fields.append(("Urgent", escape(terms.urgent)))
    note = terms.note(proposal.deadline, tz) if proposal.status == OPEN else None
    if proposal.status == OPEN:
        left = span_text(proposal.deadline - now)
        deadline = f"{slack_date(proposal.deadline, tz)} ({left} left)"
        fields.append(("Deadline", f"{deadline}; it {note}" if note else deadline))
    else:
        assert proposal.closed_at is not None
        fields.append(("Closed", slack_date(proposal.closed_at, tz)))
    if proposal.area:
        fields.append(("Area", area_name(proposal.area, areas)))
    sections = ["\n".join(_position_lines(members, proposal, positions))]
    if proposal.status != OPEN and proposal.outcome_note:
        sections.append(f"*Outcome:* {proposal.outcome_note}")
    context = []
    if revised is not None:
        context.append(f"Revises version {revised[0]}, posted {slack_date(revised[1], tz)} "
                       "in this channel.")
    if proposal.version > 1:
        context.append(
            f"Version {proposal.version} of the text, "
            f"{'revised' if revised and revised[0] == proposal.version - 1 else 'amended'} "
            f"{slack_date(proposal.version_opened_at, tz)}: "
            "every position taken on the earlier text was reset."
        )
        if previous is not None:
            context.append(f"Previous text: {escape(clip(previous))}")
    if proposal.status == OPEN:
        context.append("Any objection blocks. Positions are per member: any delegate may set "
                       "or change their member's position until the close.")
    return Message(
        text=escape(proposal.text),
        header=header,
        fields=fields,
        sections=sections,
        buttons=[*_buttons(proposal), *_amendment_buttons(proposal)]
        if proposal.status == OPEN else [],
        context=context,
    )


def polls_message(proposals: list[Proposal], members: Members,
                  held: Mapping[int, Positions], now: datetime, tz: ZoneInfo) -> Message:
    """The open polls with every member's position (``polls``)."""
    sections = []
    for proposal in proposals:
        positions = held[proposal.id or 0]
        state = ("closing" if now >= proposal.deadline
                 else f"{span_text(proposal.deadline - now)} left")
        version = f", version {proposal.version}" if proposal.version > 1 else ""
        head = (f"*P{proposal.id}* ({proposal.mode}{version}, deadline "
                f"{slack_date(proposal.deadline, tz)}, {state}): {escape(clip(proposal.text, 200))}")
        sections.append("\n".join([head, *_position_lines(members, proposal, positions)]))
    if not sections:
        return Message(text="No poll is open.")
    return Message(text=f"{count(len(sections), 'open poll')}.", header="Open polls", sections=sections)


# -- closing ------------------------------------------------------------------------


def outcome_note(verdict: str, proposal: Proposal, members: Members, positions: Positions,
                 by: str | None) -> str:
    """The outcome as the poll records it: why it closed."""
    held = stances(positions)
    if verdict == Outcome.BLOCKED:
        return "; ".join(
            f"{_name(members, m)} objected: “{escape(positions[m].statement or '')}”"
            for m in objectors(proposal.electorate, held)
        )
    if verdict == Outcome.FAILED:
        quiet = silent(proposal.electorate, held)
        return (f"not every member concurred by the deadline under the explicit procedure; "
                f"silent: {_names(members, quiet)}")
    if verdict == WITHDRAWN:
        return f"withdrawn by <@{by}>"
    if verdict == Outcome.SILENCE_BROKEN:
        return "; ".join(
            f"Silence broken by {_name(members, m)}: amendment {amendment_words(positions[m])}"
            for m in amenders(proposal.electorate, held))
    if every_member_concurred(proposal.electorate, held):
        return "every member concurred"
    return "no member objected by the deadline (silence procedure)"


def sentence(text: str) -> str:
    """End with one full stop: a quoted reason may bring its own."""
    return text if text.rstrip("”’\"'").endswith((".", "!", "?")) else f"{text}."


def outcome_reply(proposal: Proposal, adopted: str | None) -> Message:
    """The reply in the poll's thread; ``adopted``: what it became ("joint decision *D4*")."""
    note = proposal.outcome_note or ""
    if adopted is not None:
        return Message(text=f"*Adopted*: {note}. P{proposal.id} is now {adopted}.")
    if proposal.status == WITHDRAWN:
        return Message(text=f"*Withdrawn*, {sentence(note.removeprefix('withdrawn '))}")
    if proposal.status == Outcome.SILENCE_BROKEN:
        return Message(text=sentence(note))
    word = _HEADLINE.get(proposal.status, proposal.status).capitalize()
    return Message(text=f"*{word}*: {sentence(note)}")


def closed_notice(proposal: Proposal) -> Message:
    """The channel's own notice of a poll that closed without a decision."""
    note = proposal.outcome_note or ""
    headline = _HEADLINE.get(proposal.status, proposal.status)
    if proposal.status == WITHDRAWN:
        text = f"P{proposal.id} was {sentence(note)}"
    elif proposal.status == Outcome.SILENCE_BROKEN:
        text = f"P{proposal.id}: {sentence(note)}"
    else:
        text = f"P{proposal.id} {STANDS.get(proposal.status, 'is ' + headline)}: {sentence(note)}"
    context = []
    if proposal.status == Outcome.BLOCKED:
        context.append("Any objection blocks. The Chair may put a revised text under silence "
                       "(`revise`), or it may be proposed again as a new poll.")
    if proposal.status == Outcome.SILENCE_BROKEN:
        context.append("The Chair may put a revised text under silence (`revise`).")
    return Message(text=text, header=f"P{proposal.id} {headline}",
                   sections=[f">{escape(clip(proposal.text))}"], context=context)


def closed_sentence(proposal: Proposal, tz: ZoneInfo, adopted: str | None) -> str:
    """Why a closed poll takes no more positions, naming its outcome (and, if adopted,
    ``adopted``, what it became: "joint decision D4")."""
    assert proposal.closed_at is not None
    when = slack_date(proposal.closed_at, tz)
    if proposal.status == Outcome.ADOPTED:
        as_what = f" as {adopted}" if adopted is not None else ""
        return f"P{proposal.id} is closed: it was adopted{as_what} on {when}."
    if proposal.status == Outcome.BLOCKED:
        return (f"P{proposal.id} is closed: it was blocked on {when}; "
                f"{sentence(proposal.outcome_note or '')}")
    if proposal.status == Outcome.SILENCE_BROKEN:
        return (f"P{proposal.id} is closed: its silence was broken on {when}; "
                f"{sentence(proposal.outcome_note or '')}")
    if proposal.status == Outcome.FAILED:
        return (f"P{proposal.id} is closed: it failed on {when}, "
                "when not every member had concurred by the deadline.")
    return f"P{proposal.id} is closed: it was {proposal.outcome_note} on {when}."


def closed_at_deadline(proposal: Proposal, verdict: Outcome, tz: ZoneInfo) -> str:
    """Why a poll past its deadline, not yet closed by the pass, takes nothing more."""
    return (f"P{proposal.id} closed at its deadline, {slack_date(proposal.deadline, tz)}: "
            f"it {STANDS[verdict.value]}; the record follows in the channel.")


# -- reminders ----------------------------------------------------------------------


def _procedure_rule(proposal: Proposal) -> str:
    if proposal.mode == Mode.EXPLICIT:
        return "Under the explicit procedure it is adopted only if every member concurs."
    return "Under the silence procedure it is adopted then unless a member objects."


def _addressed_line(members: Members, member_id: int, mentions: Mapping[int, list[str]],
                    nobody: str) -> str:
    """``• *Member*: <@U…>``; the name alone when everyone it addresses chose ``dm`` or
    ``off``; ``nobody`` when it has no one to address."""
    if member_id not in mentions:
        return f"• *{_name(members, member_id)}*: {nobody}"
    users = ", ".join(f"<@{u}>" for u in mentions[member_id])
    return f"• *{_name(members, member_id)}*" + (f": {users}" if users else "")


def reminder_message(proposal: Proposal, members: Members, positions: Positions,
                     now: datetime, tz: ZoneInfo,
                     delegates: Mapping[int, list[str]] | None) -> Message:
    """Names the members still silent, with the delegates to mention (``delegates``: user
    ids by member, for each member that has someone the reminder addresses; None: the
    names alone, in the silence procedure)."""
    quiet = silent(proposal.electorate, stances(positions))
    left = span_text(proposal.deadline - now)
    when = slack_date(proposal.deadline, tz)
    if delegates is None and proposal.mode != Mode.EXPLICIT:
        named = _names(members, quiet)
    else:
        nobody = ("_no delegates_" if proposal.mode == Mode.EXPLICIT
                  else "_no head of delegation_")
        named = "\n".join(_addressed_line(members, m, delegates or {}, nobody) for m in quiet)
    text = (f"P{proposal.id} closes {when} ({left} left). {_procedure_rule(proposal)} "
            f"Still silent ({len(quiet)}):")
    return Message(text=text, header=f"Reminder: P{proposal.id}",
                   sections=[named, f">{escape(clip(proposal.text))}"],
                   buttons=_buttons(proposal))


def reminder_dm(proposal: Proposal, member: Member, now: datetime, tz: ZoneInfo,
                slash: str) -> Message:
    """The reminder as a direct message to a delegate who chose ``notify dm``."""
    text = (f"P{proposal.id} closes {slack_date(proposal.deadline, tz)} "
            f"({span_text(proposal.deadline - now)} left) and {escape(member.name)} has not "
            f"taken a position yet. {_procedure_rule(proposal)}")
    return Message(text=text, header=f"Reminder: P{proposal.id}",
                   sections=[f">{escape(clip(proposal.text))}"],
                   context=[f"You chose `{slash} notify dm`; `{slash} notify channel` or "
                            f"`{slash} notify off` changes how reminders reach you."],
                   buttons=_buttons(proposal))
