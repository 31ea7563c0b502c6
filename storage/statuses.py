"""The statuses and kinds the tables store, each in one place.

Each is a ``StrEnum``: a member is the very string stored today (the columns stay
``str``, so no migration), compares equal to it in Python and in SQL, and is written
as that string by ``json.dumps`` and by the database drivers.
"""

from __future__ import annotations

from enum import StrEnum


class MeetingStatus(StrEnum):
    """The status of a ``Meeting``. Held is derived: scheduled and its start has passed."""

    SCHEDULED = "scheduled"
    CANCELLED = "cancelled"


class AgendaState(StrEnum):
    """The state of a meeting's agenda: a draft, circulated by the Chair or the
    secretariat, adopted at the meeting."""

    DRAFT = "draft"
    CIRCULATED = "circulated"
    ADOPTED = "adopted"


class AgendaItemStatus(StrEnum):
    """The status of an ``AgendaItem``: open, or resolved (kept on a circulated agenda)."""

    OPEN = "open"
    RESOLVED = "resolved"


class AttendanceStatus(StrEnum):
    """How a member was represented at a meeting, as the secretariat records it."""

    PRESENT = "present"  # by its own delegates (``Attendance.delegates``)
    ABSENT = "absent"
    BY_MEMBER = "by_member"  # by another member's delegation, where the charter allows it


class RequestStatus(StrEnum):
    """The status of an ``ExtraordinaryRequest``: open until its meeting is scheduled."""

    OPEN = "open"
    FULFILLED = "fulfilled"
    WITHDRAWN = "withdrawn"


class ProposalStatus(StrEnum):
    """The status of a ``Proposal``: the consensus rule's verdict (``bot.polls.Outcome``,
    whose values these are) or withdrawn by its proposer."""

    OPEN = "open"
    ADOPTED = "adopted"
    BLOCKED = "blocked"
    FAILED = "failed"
    WITHDRAWN = "withdrawn"
    SILENCE_BROKEN = "silence_broken"  # a member proposed an amendment (and nobody objected)


class StatementKind(StrEnum):
    """The kind of a statement attached to a member's concurrence (``Position.statement_kind``),
    as councils practise them."""

    INTERPRETATIVE = "interpretative"  # an interpretative statement
    RESERVATION = "reservation"  # a reservation
    RECORD = "record"  # a statement for the record


class ProposalKind(StrEnum):
    """What a ``Proposal``'s adoption produces: a joint decision (``D#``) or a joint
    statement (``S#``); the consensus rule is the same for both (issue 14)."""

    DECISION = "decision"
    JOINT_STATEMENT = "joint_statement"


class StatementType(StrEnum):
    """Whose word a council ``Statement`` is: the Council's by consensus, or the Chair's."""

    JOINT = "joint"  # adopted by consensus, as a joint decision is
    CHAIR = "chair"  # issued on the Chair's own responsibility; not a decision of the Council


class IssueStatus(StrEnum):
    """The status of an ``ImplementationIssue``: "the issue ... stays open until the Chair
    or the secretariat resolves it, or the raising member withdraws it"."""

    OPEN = "open"
    RESOLVED = "resolved"
    WITHDRAWN = "withdrawn"


class OutboxStatus(StrEnum):
    """The status of an ``Outbox`` row on its way to Slack."""

    PENDING = "pending"  # waiting for its attempt
    SENDING = "sending"  # claimed by a process until ``claimed_until``
    SENT = "sent"
    FAILED = "failed"  # out of attempts or refused for good; ``nrc-bot outbox retry`` requeues
    SKIPPED = "skipped"  # recorded but never to be sent (its ``last_error`` says why)


class OutboxKind(StrEnum):
    """The kind of an ``Outbox`` row: what delivering it does in Slack."""

    POST = "post"  # a channel message
    DM = "dm"  # a direct message to a user
    UPDATE = "update"  # an edit of an earlier post (a message, or a view rendered at delivery)
    HOME = "home"  # a user's App Home, published last
    CANVAS = "canvas"  # a Slack canvas created in the channel (its id kept in ``ts``)
    CANVAS_EDIT = "canvas_edit"  # a canvas's document replaced with the records' latest
