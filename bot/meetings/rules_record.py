"""The rules of attendance and of a meeting's record, on plain values.

"After a meeting starts, the secretariat records attendance: which members were
represented and by whom (`attendance <M> <member> <user>…`, or a modal listing the 20
members with their delegates); a member may be recorded as absent or represented by
another member's delegation where the charter allows it (the NRC does not)."

"The record of the meeting (`record <M>`): attendance, the agenda as adopted, for each
item a short outcome written by the secretariat (`record <M> item <n> <text>`), the
polls opened and decisions adopted in the meeting's window, the implementation issues
discussed. The Chair or secretariat finalises it (`record <M> final`): it is then posted
in the channel, immutable (corrections are new revisions, audited), and listed by
`records`."
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from bot.errors import CommandError
from bot.i18n import _, ngettext
from bot.times import slack_date
from storage.statuses import MeetingStatus

#: The words after ``record <M>`` that change the record.
CHANGES = ("item", "final")
#: The words after ``attendance <M> <member>`` that are not delegates.
ABSENT, BY = "absent", "by"


def check_started(number: int | None, status: str, starts_at: datetime, now: datetime,
                  tz: ZoneInfo, doing: str) -> None:
    """"After a meeting starts, the secretariat records attendance": nor is a record
    written for a meeting that has not begun, or that was cancelled."""
    attendance = doing == "attendance"
    if status == MeetingStatus.CANCELLED:
        raise CommandError(_("M{number} was cancelled; it has no attendance.", number=number)
                           if attendance else
                           _("M{number} was cancelled; it has no record.", number=number))
    if now < starts_at:
        when = slack_date(starts_at, tz)
        raise CommandError(
            _("M{number} starts {when}; its attendance is recorded once it has started.",
              number=number, when=when) if attendance else
            _("M{number} starts {when}; its record is recorded once it has started.",
              number=number, when=when))


def check_representation(allowed: bool, member: str, by: str) -> None:
    """"represented by another member's delegation where the charter allows it (the NRC
    does not)": the Rome Declaration's members act "in their national capacities"."""
    if member == by:
        raise CommandError(_("{member} cannot represent itself by another member; name its "
                             "delegates instead.", member=member))
    if not allowed:
        raise CommandError(_("This council's charter does not let another member's delegation "
                             "represent {member}; name {member}'s own delegates, or record it "
                             "as absent.", member=member))


def check_delegates(member: str, users: Sequence[str], seated: Iterable[str]) -> None:
    """"which members were represented and by whom": by the member's own delegates."""
    if not users:
        raise CommandError(_("Name who represented {member} (@someone …), or write absent.",
                             member=member))
    outsiders = [u for u in users if u not in set(seated)]
    if outsiders:
        raise CommandError(_("<@{user}> is not a delegate of {member}; add them with delegate "
                             "add first, or name one of its delegates.", user=outsiders[0],
                             member=member))


def unrecorded(members: Sequence[str], recorded: Iterable[str]) -> list[str]:
    """The members whose attendance is not recorded yet, in the charter's order."""
    done = set(recorded)
    return [name for name in members if name not in done]


def check_finalisable(number: int | None, missing: Sequence[str]) -> None:
    """A record is final only when it says how every member was represented."""
    if not missing:
        return
    shown = ", ".join(missing[:5]) + (" " + _("and {more} more", more=len(missing) - 5)
                                      if len(missing) > 5 else "")
    raise CommandError(ngettext(
        "The attendance of {n} member is not recorded yet ({shown}); record it "
        "(attendance M{number} …) before finalising.",
        "The attendance of {n} members is not recorded yet ({shown}); record it "
        "(attendance M{number} …) before finalising.", len(missing), shown=shown,
        number=number))


def check_not_final(number: int | None, revisions: int) -> None:
    """Finalised once: after that, a change is a correction, a new revision."""
    if revisions:
        raise CommandError(_("The record of M{number} is already final (revision {revision}); "
                             "a change to its attendance or outcomes publishes revision "
                             "{next}.", number=number, revision=revisions, next=revisions + 1))


def window(starts_at: datetime, duration_minutes: int) -> tuple[datetime, datetime]:
    """"the polls opened and decisions adopted in the meeting's window": from its start to
    its end (start plus duration)."""
    return starts_at, starts_at + timedelta(minutes=duration_minutes)


def item_number(text: str, count: int, number: int | None) -> int:
    """The agenda line ``record <M> item <n>`` names (1 to the agenda's length)."""
    if not text.isdigit() or not 1 <= int(text) <= count:
        if not count:
            raise CommandError(_("The agenda of M{number} has no items to record an outcome "
                                 "for.", number=number))
        raise CommandError(_('Give the item as a number from 1 to {count}, not "{text}".',
                             count=count, text=text[:20]))
    return int(text)
