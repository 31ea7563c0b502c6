"""The position modals: what the Concur and Object… buttons open, and their submission.

A modal carries the poll and the text version the delegate saw in its
``private_metadata``; on submission the core records the position (or says
why not, inside the modal, so nothing is lost).
"""

from __future__ import annotations

import json
import logging
from dataclasses import dataclass
from typing import Any

from slack_bolt import Ack, App
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from bot import polls
from bot.context import Context
from bot.messages import Message, clip, plain
from bot.polls.rules import Stance
from bot.registry import parse_id
from bot.runtime import ErrorReply, Runtime
from handlers.blocks import notification_text, to_blocks
from handlers.slackport import SlackPort

log = logging.getLogger(__name__)

CONCUR_VIEW = "poll_concur_modal"
OBJECT_VIEW = "poll_object_modal"
STATEMENT = "statement"  # block_id and action_id of the concurrence's optional statement
REASON = "reason"  # block_id and action_id of the objection's required reason
ERROR_LIMIT = 500
NO_REASON = "Give the reason for the objection: any objection blocks, and the council must know why."

_VIEW = {Stance.CONCUR: CONCUR_VIEW, Stance.OBJECT: OBJECT_VIEW}
_INPUT = {Stance.CONCUR: STATEMENT, Stance.OBJECT: REASON}


@dataclass(frozen=True)
class Metadata:
    """What a modal remembers between opening and submission."""

    proposal: int
    version: int
    channel: str | None

    def dump(self) -> str:
        return json.dumps({"proposal": self.proposal, "version": self.version,
                           "channel": self.channel})

    @classmethod
    def load(cls, raw: str) -> Metadata | None:
        try:
            data = json.loads(raw or "{}")
            proposal, version = parse_id(data["proposal"]), parse_id(data["version"])
            if proposal is None or version is None:
                return None
            return cls(proposal, version, data.get("channel") or None)
        except (ValueError, KeyError, TypeError, AttributeError):
            return None


def position_modal(stance: Stance, form: Message, metadata: Metadata,
                   statement: str | None = None) -> dict[str, Any]:
    """The modal for one position; the reason of an objection is required.

    ``statement``: the member's current statement, shown in the field to keep or edit.
    """
    concur = stance is Stance.CONCUR
    label = ("Interpretative statement or reservation (optional)" if concur
             else "Reason for the objection")
    hint = ("Shown on the poll and kept with the joint decision."
            if concur else "Shown to the council. Any objection blocks the proposal at once.")
    body = to_blocks(Message(text=form.text, context=form.context))
    field: dict[str, Any] = {
        "type": "input",
        "block_id": _INPUT[stance],
        "optional": concur,
        "label": {"type": "plain_text", "text": label},
        "hint": {"type": "plain_text", "text": hint},
        "element": {"type": "plain_text_input", "action_id": _INPUT[stance],
                    "multiline": True, "max_length": 2000},
    }
    if concur and statement:
        field["element"]["initial_value"] = statement
    title = f"{'Concur with' if concur else 'Object to'} P{metadata.proposal}"
    return {
        "type": "modal",
        "callback_id": _VIEW[stance],
        "private_metadata": metadata.dump(),
        "title": {"type": "plain_text", "text": clip(title, 24)},
        "submit": {"type": "plain_text", "text": "Concur" if concur else "Object"},
        "close": {"type": "plain_text", "text": "Cancel"},
        "blocks": [*body, field],
    }


AMENDMENT_VIEW = "poll_amendment_modal"
AMENDMENT_TEXT = "amendment_text"  # block_id and action_id of the amendment's text
AMENDMENT_REASON = "amendment_reason"  # block_id and action_id of its reason


def _text_input(block: str, label: str, hint: str) -> dict[str, Any]:
    return {"type": "input", "block_id": block,
            "label": {"type": "plain_text", "text": label},
            "hint": {"type": "plain_text", "text": hint},
            "element": {"type": "plain_text_input", "action_id": block, "multiline": True,
                        "max_length": 2000}}


def amendment_modal(form: Message, metadata: Metadata) -> dict[str, Any]:
    """The Propose amendment… modal: the amendment's text and its reason, both required."""
    return {
        "type": "modal",
        "callback_id": AMENDMENT_VIEW,
        "private_metadata": metadata.dump(),
        "title": {"type": "plain_text", "text": clip(f"Amend P{metadata.proposal}", 24)},
        "submit": {"type": "plain_text", "text": "Propose"},
        "close": {"type": "plain_text", "text": "Cancel"},
        "blocks": [*to_blocks(Message(text=form.text, context=form.context)),
                   _text_input(AMENDMENT_TEXT, "Amendment", "The text you propose instead."),
                   _text_input(AMENDMENT_REASON, "Reason", "Shown to the council.")],
    }


def register_amendment(app: App, runtime: Runtime, port: SlackPort) -> None:
    """The amendment modal's submission: recorded, or the refusal shown in the modal."""

    @app.view(AMENDMENT_VIEW)
    def on_amendment(ack: Ack, body: dict[str, Any], view: dict[str, Any],
                     client: WebClient) -> None:
        user_id = str((body.get("user") or {}).get("id", ""))
        metadata = Metadata.load(str(view.get("private_metadata") or ""))
        text, reason = _value(view, AMENDMENT_TEXT), _value(view, AMENDMENT_REASON)
        if metadata is None:
            ack(response_action="errors", errors={
                AMENDMENT_TEXT: "This form has lost track of its poll; use the command instead."})
            return
        missing = {b: "Required." for b, v in ((AMENDMENT_TEXT, text), (AMENDMENT_REASON, reason))
                   if not v.strip()}
        if missing:
            ack(response_action="errors", errors=missing)
            return

        def propose(ctx: Context) -> Message:
            return polls.propose_amendment(ctx, metadata.proposal, text, reason,
                                           version=metadata.version)

        reply = runtime.run_action(user_id, metadata.channel, propose)
        if isinstance(reply, ErrorReply):
            ack(response_action="errors",
                errors={AMENDMENT_TEXT: clip(plain(reply.text), ERROR_LIMIT)})
            return
        ack()
        tell(client, metadata.channel, user_id, reply)
        runtime.deliver_soon(port)


def tell(client: WebClient, channel: str | None, user_id: str, reply: Message) -> None:
    """Show a reply to one person: ephemeral in the channel, else in a direct message."""
    try:
        if channel:
            client.chat_postEphemeral(channel=channel, user=user_id,
                                      text=notification_text(reply), blocks=to_blocks(reply))
        else:
            client.chat_postMessage(channel=user_id, text=notification_text(reply),
                                    blocks=to_blocks(reply))
    except SlackApiError:
        log.exception("could not show a reply to %s in %s", user_id, channel)


def _value(view: dict[str, Any], block: str) -> str:
    values = ((view.get("state") or {}).get("values") or {}).get(block) or {}
    return str((values.get(block) or {}).get("value") or "")


def register(app: App, runtime: Runtime, port: SlackPort) -> None:
    register_amendment(app, runtime, port)

    def submit(ack: Ack, body: dict[str, Any], view: dict[str, Any], client: WebClient,
               stance: Stance) -> None:
        user_id = str((body.get("user") or {}).get("id", ""))
        metadata = Metadata.load(str(view.get("private_metadata") or ""))
        block = _INPUT[stance]
        if metadata is None:
            ack(response_action="errors",
                errors={block: "This form has lost track of its poll; use the command instead."})
            return
        text = _value(view, block)
        if stance is Stance.OBJECT and not text.strip():
            ack(response_action="errors", errors={REASON: NO_REASON})
            return

        def take(ctx: Context) -> Message:
            return polls.take_position(ctx, metadata.proposal, stance, text,
                                       version=metadata.version)

        reply = runtime.run_action(user_id, metadata.channel, take)
        if isinstance(reply, ErrorReply):
            # A modal's error is plain text: dates by their fallback, mentions as @id.
            ack(response_action="errors", errors={block: clip(plain(reply.text), ERROR_LIMIT)})
            return
        ack()
        tell(client, metadata.channel, user_id, reply)
        runtime.deliver_soon(port)

    @app.view(CONCUR_VIEW)
    def on_concur(ack: Ack, body: dict[str, Any], view: dict[str, Any],
                  client: WebClient) -> None:
        submit(ack, body, view, client, Stance.CONCUR)

    @app.view(OBJECT_VIEW)
    def on_object(ack: Ack, body: dict[str, Any], view: dict[str, Any],
                  client: WebClient) -> None:
        submit(ack, body, view, client, Stance.OBJECT)
