"""What the load sends: each kind of request, and the signed bodies of one phase.

A kind is a slash command (``members``, ``polls``, ``concur``), a click on one of the
poll message's buttons, or the submission of the modal a click opened. The buttons
are the ones the poll message carries since issue 13:

- ``concur-now``: *Concur*, one click behind Slack's own ``confirm`` dialog (Slack
  sends the ``block_actions`` only once the delegate confirms); it records the
  position at once, so its effect is the poll message's ``chat.update``;
- ``click``: *Concur with statement…*, which opens the form (``views.open``);
  ``submit`` is that form's submission, the optional statement left empty;
- ``amend-click``: *Propose amendment…*, which opens the amendment form;
  ``amend-submit`` sends it with a text and a reason. An amendment breaks silence
  and closes the poll, so each of these requests has a poll of its own.

Each click carries the poll message as Slack sends it (its blocks as the fake
Slack holds them when the phase is built), so the server parses what it would.
"""

from __future__ import annotations

import json
import math
import uuid
from dataclasses import dataclass
from typing import Any

from tests.council import CHANNEL, CHARTER, CODES, delegate
from tests.fakeslack import Call, FakeSlack
from tests.slackreq import block_actions, slash_command, view_submission

#: Members as the poll message names them, by code.
MEMBER_NAMES = {m.alpha2: m.name for m in CHARTER.members}
#: A poll never gets more positions than this, so none is adopted (all 20 concur) mid-run.
PER_POLL = 19

COMMANDS = ("members", "polls", "concur")
#: The poll message's buttons, by kind of request: the action id Slack sends.
BUTTONS = {"concur-now": "poll_concur_now", "click": "poll_concur",
           "amend-click": "poll_amendment"}
#: A click that opens a form, and the kind of request that submits it.
FORMS = {"click": "submit", "amend-click": "amend-submit"}
#: Kinds whose request closes its poll: each needs a poll of its own.
CLOSES_POLL = frozenset({"amend-click"})
#: What a submission types into the form's text inputs (None: leaves them empty).
TYPED: dict[str, str | None] = {
    "submit": None,
    "amend-submit": "That the Council take note of the benchmark, as amended.",
}
#: Every kind, in the report's order.
ORDER = ("members", "polls", "concur", "concur-now", "click", "submit", "amend-click",
         "amend-submit")


def on_polls(request: str) -> bool:
    """Whether a kind of request concerns a poll (so the phase needs polls opened)."""
    return request == "concur" or request in BUTTONS


def polls_for(request: str, count: int, concurrency: int) -> int:
    """Enough polls that no member is asked twice, and no poll twice within 2× concurrency;
    one a request when the request closes its poll."""
    if request in CLOSES_POLL:
        return max(1, count)
    return max(1, min(count, max(math.ceil(count / PER_POLL), 2 * concurrency)))


def assignment(k: int, polls: int) -> tuple[int, str]:
    """Request k goes to poll ``k % polls``, from a member not yet heard on it."""
    poll, nth = k % polls, k // polls
    return poll, CODES[(nth + poll) % len(CODES)]


@dataclass(frozen=True)
class PollRef:
    id: int
    channel: str
    ts: str
    version: int = 1  # the text version the message shows (the one-click Concur names it)


@dataclass
class Job:
    """One request to send, and what the harness needs to find its effects."""

    body: bytes
    user: str
    poll: PollRef | None = None
    trigger: str = ""
    member: str = ""  # whose position the request takes, as the poll message names it


def poll_message(fake: FakeSlack, poll: PollRef) -> dict[str, Any]:
    """The poll message as Slack puts it in a click's payload."""
    held = fake.message(poll.channel, poll.ts) or {}
    blocks = held.get("blocks")
    if isinstance(blocks, str):
        blocks = json.loads(blocks)
    return {"type": "message", "user": "UBOT", "bot_id": "BBOT",
            "text": str(held.get("text") or ""), "ts": poll.ts,
            "blocks": blocks if isinstance(blocks, list) else []}


def button_value(request: str, poll: PollRef) -> str:
    """The button's value as the poll message carries it: the one-click Concur names the
    text version too (``<proposal>:<version>``)."""
    return f"{poll.id}:{poll.version}" if request == "concur-now" else str(poll.id)


def jobs_for(request: str, count: int, polls: list[PollRef], fake: FakeSlack) -> list[Job]:
    response_url = fake.response_url()  # never Slack's: every byte stays on 127.0.0.1
    run = uuid.uuid4().hex[:8]
    messages = {p.id: poll_message(fake, p) for p in polls} if request in BUTTONS else {}
    jobs = []
    for k in range(count):
        if request in ("members", "polls"):
            user = delegate(CODES[k % len(CODES)])
            jobs.append(Job(slash_command(request, user_id=user, channel_id=CHANNEL,
                                          response_url=response_url), user))
            continue
        index, code = assignment(k, len(polls))
        poll, user = polls[index], delegate(code)
        trigger = f"bench.{run}.{k}"
        if request == "concur":
            body = slash_command(f"concur P{poll.id}", user_id=user, channel_id=CHANNEL,
                                 response_url=response_url, trigger_id=trigger)
        else:
            body = block_actions(BUTTONS[request], button_value(request, poll), user_id=user,
                                 channel_id=poll.channel, message_ts=poll.ts,
                                 message=messages[poll.id], response_url=response_url,
                                 trigger_id=trigger)
        jobs.append(Job(body, user, poll, trigger, MEMBER_NAMES[code]))
    return jobs


def view_of(call: Call) -> dict[str, Any]:
    view = call.params.get("view")
    if isinstance(view, str):
        view = json.loads(view)
    return view if isinstance(view, dict) else {}


def form_state(view: dict[str, Any], typed: str | None) -> dict[str, Any]:
    """``view.state.values`` as the delegate leaves the form: each text input holding
    ``typed`` (None: empty), every other input untouched."""
    state: dict[str, Any] = {}
    for block in view.get("blocks") or []:
        element = block.get("element") or {}
        if block.get("type") != "input" or not element.get("action_id"):
            continue
        kind = element.get("type", "plain_text_input")
        value = typed if kind == "plain_text_input" else None
        state[block.get("block_id", "")] = {element["action_id"]: {"type": kind,
                                                                   "value": value}}
    return state


def submit_jobs(request: str, clicks: list[Job], modals: dict[int, Call]) -> list[Job]:
    """Submit each modal a click opened, as its delegate would (``TYPED[request]``)."""
    jobs = []
    for k, click in enumerate(clicks):
        call = modals.get(k)
        if call is None:
            continue
        view = view_of(call)
        body = view_submission(str(view.get("callback_id", "")),
                               form_state(view, TYPED[request]), user_id=click.user,
                               private_metadata=str(view.get("private_metadata", "")),
                               trigger_id=click.trigger + ".submit", response_urls=[])
        jobs.append(Job(body, click.user, click.poll, click.trigger + ".submit", click.member))
    return jobs
