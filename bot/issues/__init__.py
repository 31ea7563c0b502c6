"""Implementation issues: a member brings the carrying-out of a joint decision before the Council.

The Rome Declaration: the members "will take joint decisions and will bear
equal responsibility, individually and jointly, for their implementation.
Each member may raise in the NRC issues related to the implementation of
joint decisions." So any delegation may raise one, for its member; the issue
goes on the agenda of the next Council meeting and stays open until the Chair
or the secretariat resolves it, or the raising member withdraws it.

The rooms: ``rules`` (when an issue is overdue, waits for a meeting, is the
same as another), ``queries``, ``render``, ``service`` (the use-cases),
``commands`` (``raise``, ``issues``, ``resolve``) and ``passes`` (carrying open
issues over to the next Council meeting). Importing the package registers the
commands and the pass.
"""

from bot.issues import commands, passes, queries, render, rules, service
from bot.issues.queries import (
    FORM_DECISIONS,
    agenda_issues,
    delegates_of,
    next_agenda_position,
    next_council_meeting,
    open_issue_page,
    open_issues,
    overdue_count,
    overdue_issues,
)
from bot.issues.render import decision_label, excerpt
from bot.issues.rules import (
    CARRY_OVER,
    COUNCIL_PREFIX,
    DEFAULT_OVERDUE,
    EXCERPT,
    OPEN,
    RESOLVED,
    ROME,
    WITHDRAWN,
    days_open,
    is_overdue,
    issue_fingerprint,
)
from bot.issues.service import (
    Auditor,
    RaiseForm,
    attach_waiting_issues,
    meeting_label,
    overdue_note,
    place_waiting_issues,
    placement_label,
    raise_form,
    raise_issue,
    refresh_announcement,
    resolve_issue,
    withdraw_issue,
)

__all__ = [
    "CARRY_OVER",
    "COUNCIL_PREFIX",
    "DEFAULT_OVERDUE",
    "EXCERPT",
    "FORM_DECISIONS",
    "OPEN",
    "RESOLVED",
    "ROME",
    "WITHDRAWN",
    "Auditor",
    "RaiseForm",
    "agenda_issues",
    "attach_waiting_issues",
    "commands",
    "days_open",
    "decision_label",
    "delegates_of",
    "excerpt",
    "is_overdue",
    "issue_fingerprint",
    "meeting_label",
    "next_agenda_position",
    "next_council_meeting",
    "open_issue_page",
    "open_issues",
    "overdue_count",
    "overdue_issues",
    "overdue_note",
    "passes",
    "place_waiting_issues",
    "placement_label",
    "queries",
    "raise_form",
    "raise_issue",
    "refresh_announcement",
    "render",
    "resolve_issue",
    "rules",
    "service",
    "withdraw_issue",
]
