"""The poll commands: parse the arguments, call the service.

"The deadline is a duration (``48h``, ``3d``, ``1d12h``) or a time (``2026-12-03 10:00``
in the council's zone, or ISO with an offset); one in the past or more than 90 days
away is refused." (docs/consensus.md)
"""

from __future__ import annotations

import re
from datetime import datetime

from bot.context import Context
from bot.errors import CommandError
from bot.messages import Message
from bot.polls import service, service_breaks, service_versions
from bot.polls.rules import (
    MAX_AHEAD,
    Mode,
    Stance,
    duration_deadline,
    in_the_past,
    too_far_ahead,
)
from bot.polls.service_positions import ask_more_time, take_position
from bot.registry import command, parse_ref, split_word, text_argument
from bot.times import is_duration, parse_duration, parse_when, slack_date

_DATE_ONLY = re.compile(r"^\d{4}-\d{1,2}-\d{1,2}$")
_CLOCK = re.compile(r"^\d{1,2}:\d{2}$")


# -- parsing ----------------------------------------------------------------------


def _take_deadline(ctx: Context, text: str, *, base: datetime | None = None
                   ) -> tuple[datetime, str]:
    """A deadline at the start of ``text`` (``48h``, ``2026-12-03 10:00``, ISO), and the rest.

    A duration counts from ``base`` (an extension: from the current deadline), else from now.
    """
    words = text.split()
    if not words:
        raise CommandError("Give the deadline, as a duration like 48h or a time like "
                           "2026-12-03 10:00.")
    first = words[0]
    if is_duration(first):
        deadline, used = duration_deadline(parse_duration(first), ctx.now, base), 1
    elif _DATE_ONLY.match(first) and len(words) > 1 and _CLOCK.match(words[1]):
        deadline, used = parse_when(f"{first} {words[1]}", ctx.tz), 2
    elif re.match(r"^\d{4}-", first):
        deadline, used = parse_when(first, ctx.tz), 1
    else:
        raise CommandError(f'Start with the deadline, as a duration (48h, 3d) or a time '
                           f'(2026-12-03 10:00), not "{first[:40]}".')
    rest = text.strip()
    for _ in range(used):
        parts = rest.split(None, 1)
        rest = parts[1] if len(parts) > 1 else ""
    _check_deadline(ctx, deadline)
    return deadline, rest.strip()


def _check_deadline(ctx: Context, deadline: datetime) -> None:
    if in_the_past(deadline, ctx.now):
        raise CommandError(f"The deadline {slack_date(deadline, ctx.tz)} is in the past.")
    if too_far_ahead(deadline, ctx.now):
        raise CommandError(f"A deadline may be at most {MAX_AHEAD.days} days away; "
                           f"{slack_date(deadline, ctx.tz)} is further.")


def _proposal_ref(token: str) -> int:
    if not token:
        raise CommandError("Name the proposal, like P3.")
    return parse_ref(token, "P", "proposal")


# -- commands -------------------------------------------------------------------


#: The poll shows the Chair's reason for urgency in full: a line, not a memorandum.
_MAX_REASON = 200
_QUOTES = {'"': '"', "\u201c": "\u201d", "'": "'", "\u2018": "\u2019"}


def _take_reason(rest: str) -> tuple[str, str]:
    """The reason after ``--urgent``: one word, or words in quotes (Slack sends curly ones)."""
    rest = rest.strip()
    close = _QUOTES.get(rest[:1])
    if close is None:
        return split_word(rest)
    end = rest.find(close, 1)
    if end < 0:
        raise CommandError(f"Close the quotes around the reason after --urgent ({close}).")
    return rest[1:end].strip(), rest[end + 1:].strip()


# The usage line stays as tests/bot/test_help.py pins it; --urgent is in the help text,
# its example, and the refusal that asks for it.
@command("propose", "propose [--explicit] [--area A] <deadline> <text>", mutates=True,
         examples=("propose 48h Joint statement on search and rescue at sea",
                   "propose --explicit --area terrorism 2026-12-10 18:00 Common threat assessment",
                   'propose --urgent "ferry in distress" 6h Joint search and rescue operation'))
def propose(ctx: Context, args: str) -> Message:
    """Open a consensus poll: any member's objection blocks.

    Silence procedure (default): adopted at the deadline unless a member
    objects, and at once when every member concurs. --explicit: adopted only
    when every member concurs; at the deadline it fails otherwise. The
    deadline is a duration (48h, 3d) or a time, at most 90 days away. The
    electorate is the members at the moment the poll opens.

    A delegation's deadline is at least the charter's minimum silence (24 hours
    for the NRC); the Chair may set a shorter one with --urgent <reason> (quoted
    if it has spaces), which the poll shows. A deadline on a weekend or outside
    working hours is accepted, and the reply and the poll say so.
    """
    explicit, area, urgent = False, None, None
    rest = args.strip()
    while rest.startswith("--"):
        flag, rest = split_word(rest)
        name, _, value = flag.partition("=")
        if name == "--explicit" and not value:
            explicit = True
        elif name == "--area":
            if not value:
                value, rest = split_word(rest)
            spec = ctx.charter.area(value) if value else None
            if spec is None:
                known = ", ".join(a.key for a in ctx.charter.areas) or "none"
                raise CommandError(f'"{value[:40]}" is not an area of cooperation; '
                                   f"the areas are: {known}." if value else
                                   f"Name the area after --area; the areas are: {known}.")
            area = spec.key
        elif name == "--urgent":
            if value:
                urgent = value
            else:
                urgent, rest = _take_reason(rest)
            if not urgent or urgent.startswith("--"):
                raise CommandError('Give the reason after --urgent, like --urgent "storm warning".')
            if len(urgent) > _MAX_REASON:
                raise CommandError(f"The reason after --urgent is {len(urgent)} characters; "
                                   f"the limit is {_MAX_REASON}.")
        else:
            raise CommandError(f'Unknown option "{flag[:40]}"; propose takes --explicit, '
                               "--area <area> and --urgent <reason>.")
    deadline, text = _take_deadline(ctx, rest)
    text = text_argument(text, "text of the proposal")
    return service.propose(ctx, text, area, Mode.EXPLICIT if explicit else Mode.SILENCE,
                           deadline, urgent)


@command("concur", "concur <P> [statement]", mutates=True,
         examples=("concur P3", "concur P3 We read paragraph 2 as applying to exercises only."))
def concur(ctx: Context, args: str) -> Message:
    """Concur, for your member, with a proposal; optionally with a statement.

    A statement (an interpretative statement or a reservation) is shown on the
    poll and kept with the decision. A later position of your member replaces
    this one while the poll is open.
    """
    token, rest = split_word(args)
    return take_position(ctx, _proposal_ref(token), Stance.CONCUR, rest)


@command("object", "object <P> <reason>", mutates=True,
         examples=("object P3 The text prejudges the outcome of the arms control talks.",))
def object_(ctx: Context, args: str) -> Message:
    """Object, for your member, to a proposal, giving the reason. Any objection blocks."""
    token, rest = split_word(args)
    return take_position(ctx, _proposal_ref(token), Stance.OBJECT, rest)


@command("more-time", "more-time <P> <reason>", mutates=True, action="concur",
         examples=("more-time P3 Our capital needs until Friday to clear the text.",))
def more_time(ctx: Context, args: str) -> Message:
    """Ask the Chair, for your member, for more time on a poll, without breaking silence.

    The Chair is told and may extend the deadline; your member's position and the
    deadline stay as they are.
    """
    token, rest = split_word(args)
    return ask_more_time(ctx, _proposal_ref(token), rest)


@command("extend", "extend <P> <deadline>", mutates=True,
         examples=("extend P3 72h", "extend P3 2026-12-10 18:00"))
def extend(ctx: Context, args: str) -> Message:
    """Move an open poll's deadline later (the Chair). Positions stand.

    A duration extends the current deadline by that much (`extend P3 72h` on a
    deadline of Monday 18:00 gives Thursday 18:00); a time sets the new deadline.
    """
    token, rest = split_word(args)
    proposal = service.open_poll(ctx, _proposal_ref(token))
    deadline, extra = _take_deadline(ctx, rest, base=proposal.deadline)
    if extra:
        raise CommandError(f'Unexpected "{extra[:40]}" after the deadline.')
    return service.extend(ctx, proposal, deadline)


@command("amend", "amend <P> <text>", mutates=True,
         examples=("amend P3 Joint statement on search and rescue at sea, with annex",))
def amend(ctx: Context, args: str) -> Message:
    """Replace an open poll's text (the Chair): every position is reset, silence restarts.

    The new version gets a fresh deadline as long as the last one was.
    """
    token, rest = split_word(args)
    proposal = service.open_poll(ctx, _proposal_ref(token))
    return service.amend(ctx, proposal, text_argument(rest, "new text"))


@command("amendment", "amendment <P> <text> --reason <reason>", mutates=True,
         examples=("amendment P3 Replace 'condemns' by 'deplores' --reason Our parliament "
                   "has not yet qualified the event.",))
def amendment(ctx: Context, args: str) -> Message:
    """Propose, for your member, an amendment to a poll: it breaks silence.

    The poll closes at once as silence broken (an objection still blocks), with the
    amendment's text and reason; the Chair is told and may revise the text. Only the
    roles the charter names may break silence.
    """
    token, rest = split_word(args)
    text, marker, reason = rest.partition("--reason")
    if not marker or not reason.strip():
        raise CommandError("Give the reason after the text, like: amendment P3 <text> "
                           "--reason <reason>.")
    return service_breaks.propose_amendment(ctx, _proposal_ref(token),
                                            text_argument(text, "text of the amendment"),
                                            reason.strip())


@command("revise", "revise <P> <deadline> <text>", mutates=True,
         examples=("revise P3 48h Joint statement on search and rescue at sea, as amended",))
def revise(ctx: Context, args: str) -> Message:
    """Put a revised text under silence after a poll was blocked or its silence broken
    (the Chair).

    Opens version n+1 of the same proposal in a new poll message; every position is
    reset. The charter's minimum silence does not bind the Chair here.
    """
    token, rest = split_word(args)
    number = _proposal_ref(token)
    deadline, text = _take_deadline(ctx, rest)
    return service_versions.revise(ctx, number, deadline, text_argument(text, "revised text"))


@command("withdraw-objection", "withdraw-objection <P>", mutates=True,
         examples=("withdraw-objection P3",))
def withdraw_objection(ctx: Context, args: str) -> Message:
    """Withdraw, for your member, its objection to a blocked poll.

    The poll stays blocked (the Chair decides whether to revise it); the Chair is told.
    """
    token, rest = split_word(args)
    if rest:
        raise CommandError(f'Unexpected "{rest[:40]}" after {token[:20]}.')
    return service_breaks.withdraw_objection(ctx, _proposal_ref(token))


@command("polls", "polls [P]", examples=("polls", "polls P3"))
def polls(ctx: Context, args: str) -> Message:
    """List the open polls with every member's position, or show one poll's history."""
    token, rest = split_word(args)
    if token[:1] in ("P", "p") and not rest:
        return service_versions.history(ctx, _proposal_ref(token))
    if args.strip():
        raise CommandError(f'Unexpected "{args.strip()[:40]}"; polls takes nothing more.')
    return service.list_polls(ctx)


@command("decisions", "decisions [D]", examples=("decisions", "decisions D2"))
def decisions(ctx: Context, args: str) -> Message:
    """List the joint decisions, or show one with every member's position."""
    token, rest = split_word(args)
    if rest:
        raise CommandError(f'Unexpected "{rest[:40]}" after {token[:20]}.')
    if token:
        return service.show_decision(ctx, parse_ref(token, "D", "joint decision"))
    return service.list_decisions(ctx)
