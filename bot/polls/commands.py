"""The poll commands: parse the arguments, call the service.

"The deadline is a duration (``48h``, ``3d``, ``1d12h``) or a time (``2026-12-03 10:00``
in the council's zone, or ISO with an offset); one in the past or more than 90 days
away is refused." (docs/consensus.md)
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime

from bot.context import Context
from bot.errors import CommandError
from bot.i18n import N_, _
from bot.messages import Message
from bot.polls import service, service_register, service_statements, service_versions
from bot.polls.render_statements import kind_words
from bot.polls.rules import Mode, Stance, duration_deadline
from bot.polls.service_positions import ask_more_time, take_position
from bot.registry import command, parse_ref, split_word, text_argument
from bot.times import is_duration, parse_duration, parse_when
from storage.statuses import StatementKind

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
        raise CommandError(_("Give the deadline, as a duration like 48h or a time like "
                             "2026-12-03 10:00."))
    first = words[0]
    if is_duration(first):
        deadline, used = duration_deadline(parse_duration(first), ctx.now, base), 1
    elif _DATE_ONLY.match(first) and len(words) > 1 and _CLOCK.match(words[1]):
        deadline, used = parse_when(f"{first} {words[1]}", ctx.tz), 2
    elif re.match(r"^\d{4}-", first):
        deadline, used = parse_when(first, ctx.tz), 1
    else:
        raise CommandError(_('Start with the deadline, as a duration (48h, 3d) or a time '
                             '(2026-12-03 10:00), not "{word}".', word=first[:40]))
    rest = text.strip()
    for _word in range(used):
        parts = rest.split(None, 1)
        rest = parts[1] if len(parts) > 1 else ""
    service.check_deadline(ctx, deadline)
    return deadline, rest.strip()


def _proposal_ref(token: str) -> int:
    if not token:
        raise CommandError(_("Name the proposal, like P3."))
    return parse_ref(token, "P", "proposal")


# -- commands -------------------------------------------------------------------


#: The poll shows the Chair's reason for urgency in full: a line, not a memorandum.
MAX_REASON = 200
_QUOTES = {'"': '"', "\u201c": "\u201d", "'": "'", "\u2018": "\u2019"}


def _take_reason(rest: str) -> tuple[str, str]:
    """The reason after ``--urgent``: one word, or words in quotes (Slack sends curly ones)."""
    rest = rest.strip()
    close = _QUOTES.get(rest[:1])
    if close is None:
        return split_word(rest)
    end = rest.find(close, 1)
    if end < 0:
        raise CommandError(_("Close the quotes around the reason after --urgent ({quote}).",
                             quote=close))
    return rest[1:end].strip(), rest[end + 1:].strip()


@command("propose", "propose [--explicit] [--area A] [--urgent <reason>] [--supersedes D] "
         "<deadline> <text>", mutates=True,
         examples=("propose 48h Joint statement on search and rescue at sea",
                   "propose --explicit --area terrorism 2026-12-10 18:00 Common threat assessment",
                   'propose --urgent "ferry in distress" 6h Joint search and rescue operation',
                   "propose --supersedes D1 72h Joint statement on search and rescue, revised"))
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

    --supersedes D3: once adopted, the new decision supersedes D3; the register
    keeps both and shows the chain.
    """
    options = take_poll_options(ctx, args, "propose")
    return service.propose(ctx, text_argument(options.text, N_("text of the proposal")),
                           options.area, options.mode, options.deadline, options.urgent,
                           options.supersedes)


@dataclass(frozen=True)
class PollOptions:
    """What ``propose`` and ``statement joint`` are given: the same options and deadline."""

    mode: Mode
    area: str | None
    urgent: str | None
    supersedes: int | None
    deadline: datetime
    text: str


def _take_area(ctx: Context, value: str) -> str:
    spec = ctx.charter.area(value) if value else None
    if spec is None:
        known = ", ".join(a.key for a in ctx.charter.areas) or _("none")
        raise CommandError(_('"{value}" is not an area of cooperation; the areas are: {known}.',
                             value=value[:40], known=known) if value else
                           _("Name the area after --area; the areas are: {known}.",
                             known=known))
    return spec.key


def _take_urgent(value: str, rest: str) -> tuple[str, str]:
    urgent, rest = (value, rest) if value else _take_reason(rest)
    if not urgent or urgent.startswith("--"):
        raise CommandError(_('Give the reason after --urgent, like --urgent "storm warning".'))
    if len(urgent) > MAX_REASON:
        raise CommandError(_("The reason after --urgent is {length} characters; the limit is "
                             "{limit}.", length=len(urgent), limit=MAX_REASON))
    return urgent, rest


def take_poll_options(ctx: Context, args: str, name: str, *,
                      supersedes: bool = True) -> PollOptions:
    """``[--explicit] [--area A] [--urgent <reason>] [--supersedes D] <deadline> <text>``,
    as ``propose`` reads them; ``statement joint`` (``supersedes=False``) reads the same."""
    explicit, area, urgent, superseded = False, None, None, None
    rest = args.strip()
    while rest.startswith("--"):
        flag, rest = split_word(rest)
        option, _eq, value = flag.partition("=")
        if option == "--explicit" and not value:
            explicit = True
        elif option == "--area":
            if not value:
                value, rest = split_word(rest)
            area = _take_area(ctx, value)
        elif option == "--urgent":
            urgent, rest = _take_urgent(value, rest)
        elif option == "--supersedes" and supersedes:
            if not value:
                value, rest = split_word(rest)
            if not value:
                raise CommandError(_("Name the decision after --supersedes, like "
                                     "--supersedes D3."))
            superseded = parse_ref(value, "D", "joint decision")
        else:
            raise CommandError(
                _('Unknown option "{option}"; {command} takes --explicit, --area <area>, '
                  "--urgent <reason> and --supersedes <D>.", option=flag[:40], command=name)
                if supersedes else
                _('Unknown option "{option}"; {command} takes --explicit, --area <area> and '
                  "--urgent <reason>.", option=flag[:40], command=name))
    deadline, text = _take_deadline(ctx, rest)
    return PollOptions(Mode.EXPLICIT if explicit else Mode.SILENCE, area, urgent, superseded,
                       deadline, text)


#: The concur options that give a statement's kind.
_KINDS = {"--interpretative": StatementKind.INTERPRETATIVE,
          "--reservation": StatementKind.RESERVATION,
          "--for-the-record": StatementKind.RECORD}


@command("concur", "concur <P> [--reservation|--interpretative|--for-the-record] [statement]",
         mutates=True,
         examples=("concur P3", "concur P3 We read paragraph 2 as applying to exercises only.",
                   "concur P3 --reservation Subject to ratification by our parliament.",
                   "concur P3 --withdraw-statement"))
def concur(ctx: Context, args: str) -> Message:
    """Concur, for your member, with a proposal; optionally with a statement.

    A statement is an interpretative statement (the default), a reservation
    (--reservation) or a statement for the record (--for-the-record); it is shown
    on the poll and kept with the decision. Concurring again without text keeps
    it; a new text replaces it; --withdraw-statement withdraws it. A later
    position of your member replaces this one while the poll is open.
    """
    token, rest = split_word(args)
    kind: StatementKind | None = None
    withdraw = False
    while rest.startswith("--"):
        flag, rest = split_word(rest)
        if flag in _KINDS and kind is None and not withdraw:
            kind = _KINDS[flag]
        elif flag == "--withdraw-statement" and kind is None and not withdraw:
            withdraw = True
        else:
            raise CommandError(_('Unexpected "{option}"; concur takes one of --interpretative, '
                                 "--reservation, --for-the-record or --withdraw-statement.",
                                 option=flag[:40]))
    if withdraw and rest:
        raise CommandError(_("--withdraw-statement takes no text; to replace the statement, "
                             "give the new one without it."))
    if kind is not None and not rest:
        raise CommandError(_("Give the text of the {kind} after the option.",
                             kind=kind_words(kind)))
    return take_position(ctx, _proposal_ref(token), Stance.CONCUR, rest,
                         kind=kind.value if kind else None, withdraw_statement=withdraw)


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
        raise CommandError(_('Unexpected "{extra}" after the deadline.', extra=extra[:40]))
    return service.extend(ctx, proposal, deadline)


@command("amend", "amend <P> <text>", mutates=True,
         examples=("amend P3 Joint statement on search and rescue at sea, with annex",))
def amend(ctx: Context, args: str) -> Message:
    """Replace an open poll's text (the Chair): every position is reset, silence restarts.

    The new version gets a fresh deadline as long as the last one was.
    """
    token, rest = split_word(args)
    proposal = service.open_poll(ctx, _proposal_ref(token))
    return service.amend(ctx, proposal, text_argument(rest, N_("new text")))


def take_page(rest: str) -> tuple[int, str]:
    """``--page N`` at the start of ``rest``, and what follows."""
    flag, rest = split_word(rest)
    name, _eq, value = flag.partition("=")
    if not value:
        value, rest = split_word(rest)
    if not value.isdigit() or int(value) < 1:
        raise CommandError(_("Give the page as a number after {option}, like {option} 2.",
                             option=name))
    return int(value), rest


def _closed_polls(ctx: Context, args: str) -> Message | None:
    """``polls --closed [--page N]``, or None when the arguments are not that."""
    flag, rest = split_word(args)
    if flag != "--closed":
        return None
    page = 1
    if rest.startswith("--page"):
        page, rest = take_page(rest)
    if rest:
        raise CommandError(_('Unexpected "{extra}"; polls --closed takes --page <N>.',
                             extra=rest[:40]))
    return service_register.closed_polls(ctx, page)


@command("polls", "polls [P | --closed [--page N]]",
         examples=("polls", "polls P3", "polls --closed --page 2"))
def polls(ctx: Context, args: str) -> Message:
    """List the open polls with every member's position; P3, one poll's history (its
    versions, objections and amendments); --closed, the closed polls with their outcome,
    newest first, ten a page."""
    token, rest = split_word(args)
    if token[:1] in ("P", "p") and not rest:
        return service_versions.history(ctx, _proposal_ref(token))
    closed = _closed_polls(ctx, args)
    if closed is not None:
        return closed
    if args.strip():
        raise CommandError(_('Unexpected "{extra}"; polls takes nothing more.',
                             extra=args.strip()[:40]))
    return service.list_polls(ctx)


def _decision_filters(ctx: Context, args: str) -> tuple[str | None, str | None, int]:
    """``--area A``, ``--text words`` (to the next option) and ``--page N``."""
    area, text, page = None, None, 1
    rest = args.strip()
    while rest:
        if rest.startswith("--page"):
            page, rest = take_page(rest)
            continue
        flag, rest = split_word(rest)
        name, _eq, value = flag.partition("=")
        if name == "--area":
            if not value:
                value, rest = split_word(rest)
            spec = ctx.charter.area(value) if value else None
            if spec is None:
                known = ", ".join(a.key for a in ctx.charter.areas) or _("none")
                raise CommandError(_("Name an area after --area; the areas are: {known}.",
                                     known=known))
            area = spec.key
        elif name == "--text":
            words, _sep, rest = f"{value} {rest}".strip().partition(" --")
            rest = f"--{rest}" if rest else ""
            text = words.strip().strip('"\u201c\u201d').strip()
            if not text:
                raise CommandError(_('Give the words after --text, like --text "search and '
                                     'rescue".'))
        else:
            raise CommandError(_('Unexpected "{option}"; decisions takes a decision like D2, '
                                 "or --area <area>, --text <words> and --page <N>.",
                                 option=flag[:40]))
    return area, text, page


@command("decisions", "decisions [D | --area A] [--text words] [--page N]",
         examples=("decisions", "decisions D2", "decisions --area sar --text rescue"))
def decisions(ctx: Context, args: str) -> Message:
    """List the joint decisions, and the joint statements among them, or show one
    with every member's position and the decisions it supersedes or that supersede
    it (S4: one joint statement). --area and --text (words in the text, any case)
    filter the list; ten a page."""
    token, rest = split_word(args)
    if token and not token.startswith("--"):
        if rest:
            raise CommandError(_('Unexpected "{extra}" after {word}.', extra=rest[:40],
                                 word=token[:20]))
        if token[:1] in ("S", "s"):  # a joint statement is in the register too
            return service_statements.show_statement(ctx, parse_ref(token, "S", "statement"))
        return service_register.show_decision(ctx, parse_ref(token, "D", "joint decision"))
    area, text, page = _decision_filters(ctx, args)
    return service_statements.list_register(ctx, area=area, text=text, page=page)
