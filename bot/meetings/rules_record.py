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
    if status == MeetingStatus.CANCELLED:
        raise CommandError(f"M{number} was cancelled; it has no {doing}.")
    if now < starts_at:
        raise CommandError(f"M{number} starts {slack_date(starts_at, tz)}; its {doing} is "
                           "recorded once it has started.")


def check_representation(allowed: bool, member: str, by: str) -> None:
    """"represented by another member's delegation where the charter allows it (the NRC
    does not)": the Rome Declaration's members act "in their national capacities"."""
    if member == by:
        raise CommandError(f"{member} cannot represent itself by another member; name its "
                           "delegates instead.")
    if not allowed:
        raise CommandError(f"This council's charter does not let another member's delegation "
                           f"represent {member}; name {member}'s own delegates, or record it "
                           "as absent.")


def check_delegates(member: str, users: Sequence[str], seated: Iterable[str]) -> None:
    """"which members were represented and by whom": by the member's own delegates."""
    if not users:
        raise CommandError(f"Name who represented {member} (@someone …), or write absent.")
    outsiders = [u for u in users if u not in set(seated)]
    if outsiders:
        raise CommandError(f"<@{outsiders[0]}> is not a delegate of {member}; add them with "
                           "delegate add first, or name one of its delegates.")


def unrecorded(members: Sequence[str], recorded: Iterable[str]) -> list[str]:
    """The members whose attendance is not recorded yet, in the charter's order."""
    done = set(recorded)
    return [name for name in members if name not in done]


def check_finalisable(number: int | None, missing: Sequence[str]) -> None:
    """A record is final only when it says how every member was represented."""
    if not missing:
        return
    shown = ", ".join(missing[:5]) + (f" and {len(missing) - 5} more" if len(missing) > 5
                                      else "")
    raise CommandError(f"The attendance of {len(missing)} member"
                       f"{'s' if len(missing) != 1 else ''} is not recorded yet ({shown}); "
                       f"record it (attendance M{number} …) before finalising.")


def check_not_final(number: int | None, revisions: int) -> None:
    """Finalised once: after that, a change is a correction, a new revision."""
    if revisions:
        raise CommandError(f"The record of M{number} is already final (revision {revisions}); "
                           f"a change to its attendance or outcomes publishes revision "
                           f"{revisions + 1}.")


def window(starts_at: datetime, duration_minutes: int) -> tuple[datetime, datetime]:
    """"the polls opened and decisions adopted in the meeting's window": from its start to
    its end (start plus duration)."""
    return starts_at, starts_at + timedelta(minutes=duration_minutes)


def item_number(text: str, count: int, number: int | None) -> int:
    """The agenda line ``record <M> item <n>`` names (1 to the agenda's length)."""
    if not text.isdigit() or not 1 <= int(text) <= count:
        if not count:
            raise CommandError(f"The agenda of M{number} has no items to record an outcome for.")
        raise CommandError(f'Give the item as a number from 1 to {count}, not "{text[:20]}".')
    return int(text)
