"""The rules of implementation issues: pure functions on plain values and a ``now``.

The Rome Declaration (2002): the members "will take joint decisions and will
bear equal responsibility, individually and jointly, for their implementation.
Each member may raise in the NRC issues related to the implementation of joint
decisions." Each rule below quotes the sentence, or the council's practice,
it carries out.
"""

from __future__ import annotations

import hashlib
import re
from datetime import datetime, timedelta
from typing import Protocol

from bot.i18n import N_
from bot.settings import DEFAULT_ISSUE_OVERDUE_DAYS
from storage.statuses import IssueStatus, MeetingStatus

#: The right every issue rests on, shown beside each issue and listing.
ROME = N_("\u201cEach member may raise in the NRC issues related to the implementation of "
           "joint decisions.\u201d (Rome Declaration, 2002)")

#: "the issue ... stays open until the Chair or the secretariat resolves it, or the
#: raising member withdraws it."
OPEN, RESOLVED, WITHDRAWN = IssueStatus.OPEN, IssueStatus.RESOLVED, IssueStatus.WITHDRAWN

#: Bodies whose meetings are meetings of the Council itself, at any level.
COUNCIL_PREFIX = "council-"

#: How long an issue may stay open before reminders call it overdue, unless the deployment
#: says otherwise (``Settings.issue_overdue``, from ``NRC_ISSUE_OVERDUE_DAYS``).
DEFAULT_OVERDUE = timedelta(days=DEFAULT_ISSUE_OVERDUE_DAYS)

#: How much of an issue's text a listing or an agenda item shows.
EXCERPT = 200

#: An issue still open this long after its meeting began moves to the next Council meeting.
CARRY_OVER = timedelta(hours=24)

_SAFE_LINK = re.compile(r"https://[^\s<>|]{1,490}")


class OpenSince(Protocol):
    """What the overdue rules read of an issue: its status and when it was raised."""

    status: str
    created_at: datetime


def issue_fingerprint(decision_id: int, member_id: int, text: str) -> str:
    """What makes two open issues the same: one member, one decision, the same words.

    Practice: "Each member may raise ... issues"; a member raising the same words
    on the same decision again while the first is open raises nothing new.
    """
    words = " ".join(text.split()).casefold()
    return hashlib.sha256(f"{decision_id}\n{member_id}\n{words}".encode()).hexdigest()


def is_overdue(issue: OpenSince, now: datetime, after: timedelta) -> bool:
    """Practice: "an issue that will have been open longer than the period (default 30
    days) when the Council meets is overdue at that meeting"; a closed issue never is."""
    return issue.status == OPEN and now - issue.created_at >= after


def days_open(issue: OpenSince, now: datetime) -> int:
    """Whole days since the issue was raised (never negative): "open 34 days"."""
    return max(0, (now - issue.created_at).days)


def shorten(text: str, limit: int = EXCERPT) -> str:
    """User text on one line, cut to ``limit`` characters ending in "…".

    Practice: a listing and an agenda item show the start of an issue, the
    thread under the decision shows all of it.
    """
    flat = " ".join(text.split())
    if len(flat) > limit:
        flat = flat[: limit - 1].rstrip() + "\u2026"
    return flat


def is_council_key(key: str) -> bool:
    """Rome: issues are raised "in the NRC": a body is the Council itself (at any level)
    when its key begins ``council-``."""
    return key.startswith(COUNCIL_PREFIX)


def needs_meeting(status: str | None, starts_at: datetime | None, now: datetime) -> bool:
    """Whether an open issue waits for a Council meeting, given the one it is on (if any).

    Practice: "An issue stays before the Council until it is resolved, so one
    still open a day after its meeting began (or whose meeting was cancelled)
    goes to the next one." ``status`` is ``None`` when it was never placed.
    """
    if status is None or starts_at is None:
        return True
    return status != MeetingStatus.SCHEDULED or starts_at <= now - CARRY_OVER


def plain_link(link: str | None) -> str | None:
    """Practice: "only a plain https link goes into mrkdwn"; anything else is dropped."""
    if link is not None and not _SAFE_LINK.fullmatch(link):
        return None
    return link


def is_raiser(actor_member_id: int | None, issue_member_id: int) -> bool:
    """Rome: "Each member may raise ..." an issue, so the raising member (any of its
    delegates: one member, one voice) may withdraw it."""
    return actor_member_id is not None and actor_member_id == issue_member_id


def announced_decision(outbox_key: str | None) -> int | None:
    """The joint decision an announcement's outbox key (``decision:<id>``) names, if any.

    Practice: "A message that is a decision's announcement, or a reply in its
    thread, preselects that decision."
    """
    if outbox_key and outbox_key.split(":", 1)[1].isdigit():
        return int(outbox_key.split(":", 1)[1])
    return None
