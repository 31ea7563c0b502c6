"""What the council sees of polls and joint decisions: plain data in, ``Message`` out.

"The poll message is updated in place after every change: members concurred (with
statements), members objecting (with reasons), members silent, the deadline and time
left, the text version and the previous text." (docs/consensus.md)
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from bot.i18n import N_, SOURCE, _, current, named, ngettext
from bot.messages import Button, Message, escape
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

VERB = {Stance.CONCUR: N_("concurs"), Stance.OBJECT: N_("objects")}

_HEADLINE: dict[str, str] = {
    Outcome.ADOPTED.value: N_("adopted"),
    Outcome.BLOCKED.value: N_("blocked"),
    Outcome.FAILED.value: N_("failed"),
    WITHDRAWN: N_("withdrawn"),
    Outcome.SILENCE_BROKEN.value: N_("silence broken"),
}

#: An outcome read as English: "P4 has failed", never "P4 is failed".
STANDS: dict[str, str] = {
    Outcome.ADOPTED.value: N_("is adopted"),
    Outcome.BLOCKED.value: N_("is blocked"),
    Outcome.FAILED.value: N_("has failed"),
    WITHDRAWN: N_("has been withdrawn"),
    Outcome.SILENCE_BROKEN.value: N_("has had its silence broken"),
}

#: A poll's procedure in a word, as the list of polls names it.
MODE_WORD: dict[str, str] = {Mode.SILENCE.value: N_("silence"),
                             Mode.EXPLICIT.value: N_("explicit")}

#: Who withdrew a poll, in its recorded outcome ("withdrawn by <@U1>").
_BY = re.compile(r"<@([UW][A-Z0-9]+)>")


def headline(status: str) -> str:
    """A closed poll's outcome in a word or two, in the current language."""
    word = _HEADLINE.get(status)
    return _(word) if word else status


def stands(status: str) -> str:
    """"is adopted", "has failed": an outcome in a sentence, in the current language."""
    words = STANDS.get(status)
    return _(words) if words else _("is {outcome}", outcome=headline(status))


def mode_word(mode: str) -> str:
    words = MODE_WORD.get(mode)
    return _(words) if words else mode

Members = Mapping[int, Member]
Positions = Mapping[int, Stated]


def _name(members: Members, member_id: int) -> str:
    member = members.get(member_id)
    return escape(named(member)) if member else _("member {number}", number=member_id)


def _names(members: Members, ids: list[int]) -> str:
    return ", ".join(_name(members, i) for i in ids) if ids else _("_none_")


def _proposer(members: Members, proposal: Proposal) -> str:
    if proposal.proposer_member_id is not None:
        return f"<@{proposal.proposer_user_id}> ({_name(members, proposal.proposer_member_id)})"
    return _("<@{user}> (the Chair)", user=proposal.proposer_user_id)


def _procedure(proposal: Proposal) -> str:
    if proposal.mode == Mode.EXPLICIT:
        return _("Explicit: adopted only when every member concurs")
    return _("Silence: adopted at the deadline unless a member objects")


def clip(text: str, limit: int = 300) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def area_name(key: str, areas: Mapping[str, object]) -> str:
    """An area of cooperation by name, in the current language when ``areas`` holds the
    charter's areas (their ``names``), else as given."""
    area = areas.get(key, key)
    return escape(area if isinstance(area, str) else named(area))


def _position_lines(members: Members, proposal: Proposal, positions: Positions) -> list[str]:
    """Concurred (with statements), objecting (with reasons), silent."""
    held = stances(positions)
    agreed = concurring(proposal.electorate, held)
    against = objectors(proposal.electorate, held)
    quiet = silent(proposal.electorate, held)
    lines = [_("*Concurred ({count}):* {names}", count=len(agreed),
               names=_names(members, agreed))]
    for member_id in agreed:  # protocol order: the electorate's, the charter's
        position = positions[member_id]
        if position.statement:
            lines.append(statement_line(_name(members, member_id), position.statement_kind,
                                        position.statement))
    if against:
        lines.append(_("*Objecting ({count}):*", count=len(against)))
        lines.extend(f"• *{_name(members, m)}*: {escape(positions[m].statement or '')}"
                     f"{_withdrawn(positions[m])}" for m in against)
    else:
        lines.append(_("*Objecting (0):* _none_"))
    amending = amenders(proposal.electorate, held)
    if amending:
        lines.append(_("*Amendments ({count}):*", count=len(amending)))
        lines.extend(f"• *{_name(members, m)}*: {amendment_words(positions[m])}"
                     for m in amending)
    lines.append(_("*Silent ({count}):* {names}", count=len(quiet),
                   names=_names(members, quiet)))
    return lines


def _withdrawn(position: Stated) -> str:
    """" (withdrawn <date>)" after an objection its member withdrew."""
    at = getattr(position, "withdrawn_at", None)
    if not isinstance(at, datetime):
        return ""
    return " " + _("_(withdrawn {date})_", date=f"{at:%Y-%m-%d}")


def amendment_words(position: Stated) -> str:
    """A proposed amendment as the poll shows it: "<text> (reason)"."""
    reason = getattr(position, "reason", None)
    text = escape(position.statement or "")
    return f"{text} ({escape(reason)})" if reason else text


def _buttons(proposal: Proposal) -> list[Button]:
    """The poll's buttons, in the order shown; a later control is one more entry here."""
    value = str(proposal.id)
    return [Button(_("Concur"), CONCUR_NOW_ACTION, f"{proposal.id}:{proposal.version}",
                   "primary", concur_confirm(proposal)),
            Button(_("Concur with statement…"), CONCUR_ACTION, value),
            Button(_("Object…"), OBJECT_ACTION, value, "danger")]


def _amendment_buttons(proposal: Proposal) -> list[Button]:
    """The third control: breaking silence with a text rather than an objection."""
    return [Button(_("Propose amendment…"), AMENDMENT_ACTION, str(proposal.id))]


def silence_text(minimum: timedelta) -> str:
    """The charter's minimum silence as people say it: "24 hours", "2 days"."""
    hours, rest = divmod(int(minimum.total_seconds()), 3600)
    if rest:
        return span_text(minimum)
    if hours % 24 == 0 and hours > 24:
        return ngettext("{n} day", "{n} days", hours // 24)
    return ngettext("{n} hour", "{n} hours", hours)


def working_time_sentence(note: str | None, proposal: Proposal, tz: ZoneInfo,
                          slash: str) -> str:
    """What the Chair reads when a deadline falls outside working time, or nothing.

    The deadline stands (it is lawful); the sentence only lets the Chair correct it.
    """
    if note is None:
        return ""
    return " " + _("Note: by the council's clock ({zone}) the deadline {note}; the Chair can "
                   "move it with `{slash} extend P{number} <deadline>`.", zone=tz.key,
                   note=note, slash=slash, number=proposal.id)


def poll_message(proposal: Proposal, members: Members, positions: Positions, now: datetime,
                 tz: ZoneInfo, areas: Mapping[str, object], previous: str | None,
                 terms: Terms | None = None,
                 revised: tuple[int, datetime] | None = None) -> Message:
    """The poll as posted, and as updated in place after every change.

    ``revised``: the version the Chair's revision replaced and when its message was posted.

    ``previous`` is the text the latest amendment replaced, if any; ``terms`` what it
    opened under: the Chair's urgency and the working time its deadline is read against.
    """
    terms = terms or Terms()
    header = (_("Draft joint statement P{number}", number=proposal.id)
              if proposal.kind == ProposalKind.JOINT_STATEMENT
              else _("Proposal P{number}", number=proposal.id))
    if proposal.version > 1:
        header = _("{header} (version {version})", header=header, version=proposal.version)
    if proposal.status != OPEN:
        header = _("{header}: {outcome}", header=header, outcome=headline(proposal.status))
    fields: list[tuple[str, str]] = [(_("Proposed by"), _proposer(members, proposal)),
                                     (_("Procedure"), _procedure(proposal))]
    if terms.urgent:
        fields.append((_("Urgent"), escape(terms.urgent)))
    note = terms.note(proposal.deadline, tz) if proposal.status == OPEN else None
    if proposal.status == OPEN:
        left = span_text(proposal.deadline - now)
        deadline = _("{date} ({left} left)", date=slack_date(proposal.deadline, tz), left=left)
        fields.append((_("Deadline"), _("{deadline}; it {note}", deadline=deadline, note=note)
                       if note else deadline))
    else:
        assert proposal.closed_at is not None
        fields.append((_("Closed"), slack_date(proposal.closed_at, tz)))
    if proposal.area:
        fields.append((_("Area"), area_name(proposal.area, areas)))
    sections = ["\n".join(_position_lines(members, proposal, positions))]
    if proposal.status != OPEN and proposal.outcome_note:
        sections.append(_("*Outcome:* {note}",
                          note=outcome_text(proposal, members, positions)))
    context = []
    if revised is not None:
        context.append(_("Revises version {version}, posted {date} in this channel.",
                         version=revised[0], date=slack_date(revised[1], tz)))
    if proposal.version > 1:
        when = slack_date(proposal.version_opened_at, tz)
        context.append(
            _("Version {version} of the text, revised {date}: every position taken on the "
              "earlier text was reset.", version=proposal.version, date=when)
            if revised and revised[0] == proposal.version - 1 else
            _("Version {version} of the text, amended {date}: every position taken on the "
              "earlier text was reset.", version=proposal.version, date=when)
        )
        if previous is not None:
            context.append(_("Previous text: {text}", text=escape(clip(previous))))
    if proposal.status == OPEN:
        context.append(_("Any objection blocks. Positions are per member: any delegate may set "
                         "or change their member's position until the close."))
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
        state = (_("closing") if now >= proposal.deadline
                 else _("{left} left", left=span_text(proposal.deadline - now)))
        mode = mode_word(proposal.mode)
        if proposal.version > 1:
            mode = _("{mode}, version {version}", mode=mode, version=proposal.version)
        head = _("*P{number}* ({mode}, deadline {date}, {state}): {text}", number=proposal.id,
                 mode=mode, date=slack_date(proposal.deadline, tz), state=state,
                 text=escape(clip(proposal.text, 200)))
        sections.append("\n".join([head, *_position_lines(members, proposal, positions)]))
    if not sections:
        return Message(text=_("No poll is open."))
    return Message(text=ngettext("{n} open poll.", "{n} open polls.", len(sections)),
                   header=_("Open polls"), sections=sections)


# -- closing ------------------------------------------------------------------------


def outcome_note(verdict: str, proposal: Proposal, members: Members, positions: Positions,
                 by: str | None) -> str:
    """The outcome as the poll records it: why it closed."""
    held = stances(positions)
    if verdict == Outcome.BLOCKED:
        return "; ".join(
            _("{member} objected: “{reason}”", member=_name(members, m),
              reason=escape(positions[m].statement or ''))
            for m in objectors(proposal.electorate, held)
        )
    if verdict == Outcome.FAILED:
        quiet = silent(proposal.electorate, held)
        return _("not every member concurred by the deadline under the explicit procedure; "
                 "silent: {names}", names=_names(members, quiet))
    if verdict == WITHDRAWN:
        return _("withdrawn by <@{user}>", user=by)
    if verdict == Outcome.SILENCE_BROKEN:
        return "; ".join(
            _("Silence broken by {member}: amendment {amendment}", member=_name(members, m),
              amendment=amendment_words(positions[m]))
            for m in amenders(proposal.electorate, held))
    if every_member_concurred(proposal.electorate, held):
        return _("every member concurred")
    return _("no member objected by the deadline (silence procedure)")


def outcome_text(proposal: Proposal, members: Members, positions: Positions) -> str:
    """A closed poll's outcome in the current language: the note recorded at the close
    (in the source language), worded again from the positions in another."""
    note = proposal.outcome_note or ""
    if current() == SOURCE or proposal.status == OPEN or not note:
        return note
    by = _BY.search(note) if proposal.status == WITHDRAWN else None
    return outcome_note(proposal.status, proposal, members, positions,
                        by.group(1) if by else None)


def sentence(text: str) -> str:
    """End with one full stop: a quoted reason may bring its own."""
    ending = text.rstrip("”’\"'»\u00a0 ")
    return text if ending.endswith((".", "!", "?")) else f"{text}."


def withdrawn_by(note: str) -> str | None:
    """Who withdrew a poll, as its recorded outcome names them."""
    by = _BY.search(note)
    return by.group(1) if by else None
