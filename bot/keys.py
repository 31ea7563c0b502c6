"""Every outbox key, as a function: the one home of the idempotency of what the bot says.

Each outbox row has a unique ``(council_id, key)``; recording the same key twice is a
no-op, so a key names one thing the council sees, once. The table in
``docs/ARCHITECTURE.md`` is generated from this module's docstrings and a test keeps
the two the same.
"""

from __future__ import annotations

from datetime import datetime, timedelta

#: The views delivery renders from the records as they are when it sends (``ctx.refresh``):
#: the name an outbox row carries, and the renderer the delivering process looks up.
HOME_VIEW = "home"
POLL_VIEW = "poll"
MEETING_VIEW = "meeting"
#: A meeting's canvas document (Markdown), and the secretariat's notice that the
#: workspace has no canvases (``ref``: Slack's reason).
MEETING_CANVAS_VIEW = "meeting-canvas"
CANVAS_UNAVAILABLE_VIEW = "canvas-unavailable"


def _at(moment: datetime) -> str:
    return moment.isoformat()


def _seconds(ahead: timedelta) -> int:
    return int(ahead.total_seconds())


# -- the roster ------------------------------------------------------------------------


def channel_bound(channel_id: str, at: datetime) -> str:
    """council channel bound: ``setup:{channel}:{at}``"""
    return f"setup:{channel_id}:{_at(at)}"


def delegate_seated(delegate_id: int | None, role: str, at: datetime) -> str:
    """delegate seated or given a role: ``delegate:{delegate_id}:{role}:{at}``"""
    return f"delegate:{delegate_id}:{role}:{_at(at)}"


def delegate_removed(delegate_id: int | None, at: datetime) -> str:
    """delegate removed: ``delegate-remove:{delegate_id}:{at}``"""
    return f"delegate-remove:{delegate_id}:{_at(at)}"


def chair_told(key: str) -> str:
    """the Chair's DM about what ``key`` says (a member left with no delegate while polls
    are open, an issue raised, an extraordinary meeting requested): ``{key}:chair``"""
    return f"{key}:chair"


def chair_set(user_id: str, at: datetime) -> str:
    """Chair set: ``chair:{user}:{at}``"""
    return f"chair:{user_id}:{_at(at)}"


# -- bodies and meetings ---------------------------------------------------------------


def body(body_id: int | None) -> str:
    """body created: ``body:{id}``"""
    return f"body:{body_id}"


def meeting(meeting_id: int | None) -> str:
    """meeting announcement (updated in place when its agenda changes): ``meeting:{id}``"""
    return f"meeting:{meeting_id}"


def meeting_cancelled(meeting_id: int | None) -> str:
    """meeting cancelled: ``meeting:{id}:cancelled``"""
    return f"{meeting(meeting_id)}:cancelled"


def meeting_reminder(meeting_id: int | None, seconds_before: int, sequence: int = 0) -> str:
    """meeting reminder, once per start (once moved, its keys end in ``:s{sequence}``, so
    the new start gets fresh reminders): ``meeting:{id}:remind:{seconds_before}``"""
    moved = f":s{sequence}" if sequence else ""
    return f"{meeting_reminder_prefix(meeting_id)}{seconds_before}{moved}"


def meeting_reminder_prefix(meeting_id: int | None) -> str:
    """What every reminder key of a meeting starts with, whatever its start."""
    return f"{meeting(meeting_id)}:remind:"


def meeting_moved(meeting_id: int | None, sequence: int) -> str:
    """meeting moved (a thread post under its announcement): ``meeting:{id}:moved:{sequence}``"""
    return f"{meeting(meeting_id)}:moved:{sequence}"


def agenda_revision(meeting_id: int | None, revision: int) -> str:
    """agenda circulated (revision 1) or revised after (a thread post under the
    announcement): ``meeting:{id}:agenda:{revision}``"""
    return f"{meeting(meeting_id)}:agenda:{revision}"


def agenda_adopted(meeting_id: int | None) -> str:
    """agenda adopted at the meeting (a thread post): ``meeting:{id}:agenda:adopted``"""
    return f"{meeting(meeting_id)}:agenda:adopted"


def record(meeting_id: int | None, revision: int) -> str:
    """a revision of a meeting's record, posted when finalised or corrected:
    ``record:{meeting_id}:{revision}``"""
    return f"record:{meeting_id}:{revision}"


def meeting_canvas(meeting_id: int | None) -> str:
    """meeting canvas (created once in the channel, its document replaced when the meeting
    changes: ``{key}#update``): ``meeting:{id}:canvas``"""
    return f"{meeting(meeting_id)}:canvas"


def canvas_unavailable() -> str:
    """canvases unavailable on the workspace's plan, said once to the secretariat (later
    canvases are skipped): ``canvas:unavailable``"""
    return "canvas:unavailable"


def cadence_prefix(body_key: str, period_key: str) -> str:
    """The start that every nudge of a body in a period shares (not a key of its own)."""
    return f"cadence:{body_key}:{period_key}:"


def cadence_nudge(body_key: str, period_key: str, n: int) -> str:
    """cadence nudge: ``cadence:{body_key}:{period}:{n}`` (n: the days left when sent)"""
    return f"{cadence_prefix(body_key, period_key)}{n}"


def cadence_breached(body_key: str, period_key: str) -> str:
    """cadence breached, said once per period: ``cadence:{body_key}:{period}:breached``"""
    return f"{cadence_prefix(body_key, period_key)}breached"


def extraordinary(request_id: int | None) -> str:
    """extraordinary meeting requested: ``extraordinary:{id}``"""
    return f"extraordinary:{request_id}"


def extraordinary_reminder(request_id: int | None, n: int) -> str:
    """extraordinary request still unscheduled, recalled daily: ``extraordinary:{id}:remind:{n}``"""
    return f"{extraordinary(request_id)}:remind:{n}"


def extraordinary_withdrawn(request_id: int | None) -> str:
    """extraordinary request withdrawn (thread reply): ``extraordinary:{id}:withdrawn``"""
    return f"{extraordinary(request_id)}:withdrawn"


# -- polls and joint decisions ----------------------------------------------------------


def poll(proposal_id: int | None) -> str:
    """poll message (rebuilt from the records at delivery: ``ctx.refresh(poll, "poll", id)``):
    ``poll:{id}``"""
    return f"poll:{proposal_id}"


def poll_reminder(proposal_id: int | None, version: int, ahead: timedelta,
                  deadline: datetime) -> str:
    """poll reminder, one per text version, offset and deadline (an extended deadline gets
    fresh reminders): ``poll:{id}:v{version}:remind:{seconds_before}:{deadline_epoch}``"""
    return (f"{poll(proposal_id)}:v{version}:remind:{_seconds(ahead)}"
            f":{int(deadline.timestamp())}")


def poll_reminder_dm(reminder_key: str, user_id: str) -> str:
    """poll reminder sent by direct message to a delegate who chose ``notify dm``, once per
    reminder and user: ``{reminder key}:dm:{user}``"""
    return f"{reminder_key}:dm:{user_id}"


def poll_extended(proposal_id: int | None, version: int, deadline: datetime) -> str:
    """poll deadline extended (thread reply): ``poll:{id}:v{version}:extend:{deadline_epoch}``"""
    return f"{poll(proposal_id)}:v{version}:extend:{int(deadline.timestamp())}"


def poll_amended(proposal_id: int | None, version: int) -> str:
    """poll text amended: ``poll:{id}:v{version}:amended``"""
    return f"{poll(proposal_id)}:v{version}:amended"


def poll_more_time(proposal_id: int | None, version: int, member_id: int | None) -> str:
    """a member asked for more time on a text version (thread reply; the Chair's DM is
    ``{key}:chair``): ``poll:{id}:v{version}:more-time:{member_id}``"""
    return f"{poll(proposal_id)}:v{version}:more-time:{member_id}"


def poll_position_changed(proposal_id: int | None, member_id: int | None, user_id: str,
                          at: datetime) -> str:
    """the DM to a delegate whose member's position or statement a colleague changed, once
    per change: ``poll:{id}:position:{member_id}:{previous_setter}:{at_epoch_microseconds}``"""
    stamp = int(at.timestamp() * 1_000_000)
    return f"{poll(proposal_id)}:position:{member_id}:{user_id}:{stamp}"


def poll_outcome(proposal_id: int | None, revision: int | None = None) -> str:
    """poll outcome (thread reply under the poll; a revision's: ``poll:{id}:v{n}:outcome``):
    ``poll:{id}:outcome``"""
    return f"{_round(proposal_id, revision)}:outcome"


def poll_closed(proposal_id: int | None, revision: int | None = None) -> str:
    """a poll closed without a decision (a revision's: ``poll:{id}:v{n}:closed``):
    ``poll:{id}:closed``"""
    return f"{_round(proposal_id, revision)}:closed"


def _round(proposal_id: int | None, revision: int | None) -> str:
    return poll(proposal_id) if revision is None else f"{poll(proposal_id)}:v{revision}"


def poll_revision(proposal_id: int | None, version: int) -> str:
    """the poll message of a text the Chair revised after the poll closed (rebuilt at
    delivery, as ``poll:{id}``): ``poll:{id}:v{version}:message``"""
    return f"{poll(proposal_id)}:v{version}:message"


def poll_revised(proposal_id: int | None, version: int) -> str:
    """an earlier poll message's thread reply pointing to the revision:
    ``poll:{id}:v{version}:revised``"""
    return f"{poll(proposal_id)}:v{version}:revised"


def poll_withdrawn_objection(proposal_id: int | None, version: int,
                             member_id: int | None) -> str:
    """a member withdrew its objection (thread reply; the Chair's DM is ``{key}:chair``):
    ``poll:{id}:v{version}:unobject:{member_id}``"""
    return f"{poll(proposal_id)}:v{version}:unobject:{member_id}"


def decision(decision_id: int | None) -> str:
    """joint decision announcement: ``decision:{id}``"""
    return f"decision:{decision_id}"


def statement(statement_id: int | None) -> str:
    """joint statement adopted, or the Chair's statement issued (one ``S#`` series):
    ``statement:{id}``"""
    return f"statement:{statement_id}"


# -- implementation issues --------------------------------------------------------------


def issue(issue_id: int | None) -> str:
    """implementation issue raised (thread reply under ``decision:{id}``): ``issue:{id}``"""
    return f"issue:{issue_id}"


def issue_notice(issue_id: int | None) -> str:
    """implementation issue's notice in the channel: ``issue:{id}:notice``"""
    return f"{issue(issue_id)}:notice"


def issue_resolved(issue_id: int | None) -> str:
    """implementation issue resolved (thread reply): ``issue:{id}:resolved``"""
    return f"{issue(issue_id)}:resolved"


def issue_withdrawn(issue_id: int | None) -> str:
    """implementation issue withdrawn (thread reply): ``issue:{id}:withdrawn``"""
    return f"{issue(issue_id)}:withdrawn"


# -- delivery's own ---------------------------------------------------------------------


def updated(key: str) -> str:
    """a message updated in place, newest content wins: ``{key}#update``"""
    return f"{key}#update"


def home(user_id: str) -> str:
    """App Home (only the request; the view is built at delivery): ``home:{user}``"""
    return f"home:{user_id}"


def table() -> str:
    """The Markdown table of every key, from the docstrings above (docs/ARCHITECTURE.md)."""
    import inspect
    import sys

    rows = ["| what | key |", "|---|---|"]
    for name, function in vars(sys.modules[__name__]).items():  # in the order written
        if (name.startswith("_") or name == "table" or not inspect.isfunction(function)
                or function.__module__ != __name__):
            continue
        doc = " ".join((function.__doc__ or "").split())
        what, found, key = doc.rpartition(": ``")
        if found:
            rows.append(f"| {what} | ``{key} |".replace("``", "`"))
    return "\n".join(rows)
