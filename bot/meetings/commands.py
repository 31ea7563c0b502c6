"""The meeting commands: their arguments parsed, then the use-case called."""

from __future__ import annotations

import re

from bot.context import Context
from bot.errors import CommandError
from bot.i18n import _
from bot.meetings import (
    rules,
    rules_agenda,
    service,
    service_agenda,
    service_move,
    service_requests,
)
from bot.messages import Message
from bot.registry import command, split_word, text_argument
from bot.times import TIME_FORMS, parse_when

_CADENCE = re.compile(r"(\d{1,3})\s*/\s*(month|year)", re.IGNORECASE)
_DATE_WORD = re.compile(r"^\d{4}-\d{1,2}-\d{1,2}$")
_DATE_START = re.compile(r"^\d{4}-\d{1,2}-\d{1,2}")
_CLOCK_WORD = re.compile(r"^\d{1,2}:\d{2}$")
_PAGE = re.compile(r"(?:^|\s)page(?:\s+(\S+))?$", re.IGNORECASE)
_PAGE_NUMBER = re.compile(r"[1-9][0-9]{0,8}")


# -- parsing -----------------------------------------------------------------------------


def _rest_after(text: str, count: int) -> str:
    parts = text.strip().split(None, count)
    return parts[count].strip() if len(parts) > count else ""


def split_when(text: str) -> tuple[str, str]:
    """``2027-03-10 10:00 Title`` or ``2027-03-10T10:00+01:00 Title``: (when, rest)."""
    words = text.split()
    if not words:
        raise CommandError(_("Give the date and time of the meeting: {forms}.", forms=TIME_FORMS))
    if len(words) >= 2 and _DATE_WORD.match(words[0]) and _CLOCK_WORD.match(words[1]):
        return f"{words[0]} {words[1]}", _rest_after(text, 2)
    return words[0], _rest_after(text, 1)


def take_flag(text: str, flag: str) -> tuple[bool, str]:
    """Remove a ``--flag`` word wherever it stands."""
    pattern = re.compile(rf"(?:^|\s){re.escape(flag)}(?=\s|$)", re.IGNORECASE)
    found = bool(pattern.search(text))
    return found, " ".join(pattern.sub(" ", text).split()) if found else text.strip()


def refuse_unknown_options(text: str) -> None:
    for word in text.split():
        if word.startswith("--"):
            raise CommandError(_('There is no option "{option}".', option=word[:30]))


def take_option(text: str, option: str) -> tuple[str | None, str]:
    """Remove ``--option value`` wherever it stands; the value runs to the next ``--``
    option or the end (``--venue NATO HQ, Room 2``)."""
    pattern = re.compile(rf"(?:^|\s){re.escape(option)}(?:\s+(.*?))?(?=\s--\S|$)",
                         re.IGNORECASE)
    found = pattern.search(text)
    if found is None:
        return None, text.strip()
    value = (found.group(1) or "").strip()
    if not value:
        raise CommandError(_("Give a value after {option}.", option=option))
    return value, " ".join((text[:found.start()] + " " + text[found.end():]).split())


def _page_argument(args: str) -> tuple[str, int]:
    """``council-amb page 2`` -> ("council-amb", 2); without ``page N``, page 1."""
    text = args.strip()
    found = _PAGE.search(text)
    if found is None:
        return text, 1
    number = found.group(1) or ""
    if not _PAGE_NUMBER.fullmatch(number):
        raise CommandError(_("Give the page as a number from 1, like page 2."))
    return text[:found.start()].strip(), int(number)


def _no_arguments(name: str, args: str) -> None:
    if args.strip():
        raise CommandError(_('Unexpected "{text}"; {name} takes no arguments.',
                             text=args.strip()[:40], name=name))


# -- commands ----------------------------------------------------------------------------


@command("bodies", "bodies")
def bodies(ctx: Context, args: str) -> Message:
    """List the bodies, their mandated cadence and how each stands this period."""
    _no_arguments("bodies", args)
    return service.list_bodies(ctx)


@command(
    "body add",
    "body add <key> <name> [--cadence N/month|N/year] [--area A] [--ad-hoc]",
    examples=("body add wg-sar Working group on search and rescue --cadence 1/month --area sar",
              "body add tmd-experts Theatre missile defence experts --ad-hoc"),
    mutates=True,
)
def body_add(ctx: Context, args: str) -> Message:
    """Create a committee or working group of the council, permanent unless --ad-hoc.

    "The NRC will ... establish committees or working groups for individual
    subjects or areas, as appropriate, ad hoc or on a permanent basis."
    """
    ad_hoc, text = take_flag(args, "--ad-hoc")
    cadence_count: int | None = None
    cadence_per: str | None = None
    area: str | None = None
    words = text.split()
    kept: list[str] = []
    i = 0
    while i < len(words):
        word = words[i]
        if word.casefold() in ("--cadence", "--area"):
            if i + 1 >= len(words):
                raise CommandError(_("Give a value after {option}.", option=word))
            value = words[i + 1]
            if word.casefold() == "--cadence":
                match = _CADENCE.fullmatch(value)
                if not match or int(match.group(1)) < 1:
                    raise CommandError(_('"{value}" is not a cadence; write it like 1/month '
                                         "or 2/year.", value=value[:30]))
                cadence_count, cadence_per = int(match.group(1)), match.group(2).lower()
                rules.check_cadence(cadence_count, cadence_per)
            else:
                spec = ctx.charter.area(value)
                if spec is None:
                    known = (", ".join(a.key for a in ctx.charter.areas)
                             or _("none are defined"))
                    raise CommandError(_('There is no area "{value}" (areas: {known}).',
                                         value=value[:30], known=known))
                area = spec.key
            i += 2
            continue
        kept.append(word)
        i += 1
    refuse_unknown_options(" ".join(kept))
    if not kept:
        raise CommandError(_("Give the new body's key and name."))
    key = kept[0].lower()
    rules.check_body_key(key, kept[0])
    name = " ".join(kept[1:])
    if not name:
        raise CommandError(_("Give the new body's name after its key."))
    rules.check_title(name, "name")
    return service.add_body(ctx, key, name, cadence_count, cadence_per, area, ad_hoc)


@command(
    "schedule",
    "schedule <body> <when> [title] [--venue V] [--duration 3h] [--extraordinary]",
    examples=("schedule council-amb 2027-03-10 10:00 Monthly meeting",
              "schedule council-amb 2027-03-10 10:00 Monthly meeting --venue NATO HQ "
              "--duration 3h",
              "schedule council-fm 2027-05-20T09:30+02:00 Spring ministerial",
              "schedule council-amb 2027-03-02 15:00 --extraordinary"),
    mutates=True,
)
def schedule(ctx: Context, args: str) -> Message:
    """Schedule a meeting of a body and announce it in the council channel.

    Times are the council's local time unless they carry an offset.
    --extraordinary schedules an extraordinary Council meeting and fulfils the
    oldest open request for one. --venue and --duration (like 3h or 90m; two hours
    unless given) show in the announcement and the calendar feeds.
    """
    extraordinary, text = take_flag(args, "--extraordinary")
    venue, text = take_option(text, "--venue")
    length, text = take_option(text, "--duration")
    duration = rules.parse_duration(length) if length is not None else None
    if venue is not None:
        venue = text_argument(venue, "venue")
        rules.check_title(venue, "venue")
    words = text.split()
    if not words:
        raise CommandError(_("Name the body and the time of the meeting."))
    # The body is named up to the date ("Preparatory Committee 2027-03-10 10:00").
    at = next((i for i, w in enumerate(words) if _DATE_START.match(w)), 1)
    if at == 0:
        raise CommandError(_("Name the body before the time of the meeting."))
    body = service.body_named(ctx, " ".join(words[:at]))
    when_text, title = split_when(_rest_after(text, at))
    refuse_unknown_options(title)
    starts = parse_when(when_text, ctx.tz)
    return service.schedule(ctx, body, starts, title, extraordinary, venue=venue,
                            duration=duration)


@command("reschedule", "reschedule <M> <when>",
         examples=("reschedule M3 2027-03-12 15:00",), mutates=True)
def reschedule(ctx: Context, args: str) -> Message:
    """Move a meeting to another time: its announcement shows the old time struck through,
    its thread says it moved, and its reminders follow the new time."""
    token, rest = split_word(args)
    if not token:
        raise CommandError(_("Name the meeting to move, like M3."))
    when_text, extra = split_when(rest)
    if extra:
        raise CommandError(_('Unexpected "{text}" after the new time.', text=extra[:40]))
    return service_move.reschedule(ctx, token, parse_when(when_text, ctx.tz))


@command("meetings", "meetings [body] [page N]",
         examples=("meetings", "meetings council-amb", "meetings council-amb page 2"))
def meetings(ctx: Context, args: str) -> Message:
    """List the upcoming meetings, of every body or of one, 25 at a time.

    The reply says how many there are; `page 2` shows the next 25.
    """
    text, page = _page_argument(args)
    return service.list_meetings(ctx, text, page)


@command("cancel", "cancel <M> [reason]", examples=("cancel M3", "cancel M3 postponed to May"),
         mutates=True)
def cancel(ctx: Context, args: str) -> Message:
    """Cancel a scheduled meeting and announce it; its reminders stop."""
    token, reason = split_word(args)
    if not token:
        raise CommandError(_("Name the meeting to cancel, like M3."))
    return service.cancel(ctx, token, reason)


def _changes_agenda(args: str) -> bool:
    """``agenda M3 add|remove|move|edit|circulate|adopt …`` writes; ``agenda M3`` only reads."""
    return split_word(split_word(args)[1])[0].casefold() in rules_agenda.CHANGES


@command("agenda",
         "agenda <M> [add <text> | edit <n> <text> | move <n> <position> | remove <n> | "
         "circulate | adopt]",
         action=None, mutates=_changes_agenda,
         examples=("agenda M3", "agenda M3 add Implementation of the search-and-rescue decision",
                   "agenda M3 edit 1 Search and rescue: the exercise's report",
                   "agenda M3 move 2 1", "agenda M3 remove 2", "agenda M3 circulate",
                   "agenda M3 adopt"))
def agenda(ctx: Context, args: str) -> Message:
    """Show a meeting's agenda, or add an item to it (delegations, the Chair, the secretariat).

    The agenda is a draft, then circulated by the Chair or the secretariat, then adopted at
    the meeting. The Chair and the secretariat edit, move and remove items; a delegation may
    edit or remove only its own items while the agenda is a draft. After circulation every
    change is announced in the announcement's thread as a revision.
    """
    token, rest = split_word(args)
    word, text = split_word(rest)
    verb = word.casefold()
    if not token or verb not in rules_agenda.CHANGES:
        return service.show_agenda(ctx, token, rest)
    if verb == "add":
        return service.add_agenda_item(ctx, token, text)
    if verb in ("circulate", "adopt"):
        _no_arguments(f"agenda {token} {verb}", text)
        return (service_agenda.circulate if verb == "circulate" else service_agenda.adopt)(
            ctx, token)
    number, after = split_word(text)
    if not number:
        raise CommandError(_("Give the number of the item to {verb}, like agenda {token} "
                             "{verb} 2.", verb=verb, token=token))
    if verb == "remove":
        _no_arguments(f"agenda {token} remove {number}", after)
        return service_agenda.remove(ctx, token, number)
    if verb == "move":
        position, extra = split_word(after)
        if not position or extra:
            raise CommandError(_("Give the item and its new position, like agenda {token} "
                                 "move {number} 1.", token=token, number=number))
        return service_agenda.move(ctx, token, number, position)
    return service_agenda.edit(ctx, token, number, after)


@command("extraordinary", "extraordinary <reason>",
         examples=("extraordinary Consultations on the crisis in the region",),
         mutates=True)
def extraordinary(ctx: Context, args: str) -> Message:
    """Request an extraordinary meeting of the Council, for your member or as the Chair.

    "... extraordinary meetings, which will take place at the request of any
    Member or the NATO Secretary General." The Chair is told at once and
    reminded daily until the meeting is scheduled.
    """
    reason = text_argument(args, "reason for the extraordinary meeting")
    return service_requests.request_meeting(ctx, reason)


@command("calendar", "calendar")
def calendar_(ctx: Context, args: str) -> Message:
    """Show the addresses of the iCalendar feeds (secretariat): all meetings and each body."""
    return service.feed_addresses(ctx)
