"""The commands of attendance and of a meeting's record: parsed, then the use-case called."""

from __future__ import annotations

from bot.context import Context
from bot.errors import CommandError
from bot.i18n import _
from bot.meetings import rules_record, service_record
from bot.messages import Message
from bot.registry import command, is_user, split_word


def _records_attendance(args: str) -> bool:
    """``attendance M3 <member> …`` writes; ``attendance M3`` only reads."""
    return bool(split_word(args)[1])


@command("attendance",
         "attendance <M> [<member> @delegate… | <member> absent | <member> by <member>]",
         action=None, mutates=_records_attendance,
         examples=("attendance M3", "attendance M3 France @marie @jean",
                   "attendance M3 Iceland absent"))
def attendance(ctx: Context, args: str) -> Message:
    """Show who represented each member at a meeting, or record it (the Chair, the
    secretariat, once the meeting has started).

    Each member is represented by its own delegates or recorded as absent; where the
    charter allows it (the NRC's does not), by another member's delegation
    (`by <member>`). The reply's button opens a form listing every member.
    """
    token, rest = split_word(args)
    if not token:
        raise CommandError(_("Name the meeting, like attendance M3."))
    if not rest:
        return service_record.show_attendance(ctx, token)
    words = rest.split()
    at = next((i for i, w in enumerate(words)
               if is_user(w) or w.casefold() in (rules_record.ABSENT, rules_record.BY)),
              len(words))
    if at == 0:
        raise CommandError(_("Name the member before its delegates, like attendance {token} "
                             "France @someone.", token=token))
    return service_record.record_attendance(ctx, token, " ".join(words[:at]),
                                            " ".join(words[at:]))


def _changes_record(args: str) -> bool:
    """``record M3 item …`` and ``record M3 final`` write; ``record M3`` only reads."""
    return split_word(split_word(args)[1])[0].casefold() in rules_record.CHANGES


@command("record", "record <M> [item <n> <text> | final]", action=None,
         mutates=_changes_record,
         examples=("record M3", "record M3 item 1 The Council took note of the report.",
                   "record M3 final"))
def record(ctx: Context, args: str) -> Message:
    """Show the record of a meeting: attendance, the agenda with each item's outcome, the
    polls, decisions and statements of the meeting, the implementation issues discussed.

    The Chair or the secretariat write each item's outcome (`item <n> <text>`) and
    finalise the record (`final`): it is posted in the channel and never changes; a
    later change to attendance or an outcome publishes a new revision, audited.
    """
    token, rest = split_word(args)
    if not token:
        raise CommandError(_("Name the meeting, like record M3."))
    word, text = split_word(rest)
    verb = word.casefold()
    if not verb:
        return service_record.show_record(ctx, token)
    if verb == "final":
        if text:
            raise CommandError(_('Unexpected "{text}" after final.', text=text[:40]))
        return service_record.finalise(ctx, token)
    if verb != "item":
        raise CommandError(_('"{word}" is not part of record; write item <n> <text> or final.',
                             word=word[:30]))
    number, outcome = split_word(text)
    if not number:
        raise CommandError(_("Give the item's number and its outcome, like record {token} "
                             "item 1 The Council took note.", token=token))
    return service_record.write_outcome(ctx, token, number, outcome)


@command("records", "records", examples=("records",))
def records(ctx: Context, args: str) -> Message:
    """List the meetings whose record is final, the latest first."""
    if args.strip():
        raise CommandError(_('Unexpected "{text}"; {name} takes no arguments.',
                             text=args.strip()[:40], name="records"))
    return service_record.list_records(ctx)
