"""The position modals: what Concur with statement… and Object… open, and their submission.

A modal carries the poll and the text version the delegate saw in its
``private_metadata``; on submission the core records the position (or says
why not, inside the modal, so nothing is lost).
"""

from __future__ import annotations

import json
import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from slack_bolt import Ack, App
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from bot import polls
from bot.context import Context
from bot.errors import CommandError
from bot.i18n import N_, _, using
from bot.messages import Message, clip, plain
from bot.polls import service as poll_service
from bot.polls.rules import Mode, Stance
from bot.registry import parse_id, text_argument
from bot.runtime import ErrorReply, Runtime
from handlers.blocks import POLL_MODAL, notification_text, to_blocks
from handlers.slackport import SlackPort
from storage.statuses import StatementKind

log = logging.getLogger(__name__)

CONCUR_VIEW = "poll_concur_modal"
OBJECT_VIEW = "poll_object_modal"
STATEMENT = "statement"  # block_id and action_id of the concurrence's optional statement
REASON = "reason"  # block_id and action_id of the objection's required reason
KIND = "statement_kind"  # block_id and action_id of the statement's kind (static_select)
WITHDRAW = "withdraw_statement"  # block_id and action_id of the withdrawal (checkboxes)
ERROR_LIMIT = 500
NO_REASON = N_("Give the reason for the objection: any objection blocks, and the council must know why.")
LOST = N_("This form has lost track of its poll; use the command instead.")

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


def _kind_option(kind: str) -> dict[str, Any]:
    return {"text": {"type": "plain_text", "text": _(polls.STATEMENT_LABEL[kind])},
            "value": kind}


def _statement_fields(statement: str | None, kind: str | None) -> list[dict[str, Any]]:
    """The Concur form's kind and, when the member has a statement, its withdrawal."""
    select: dict[str, Any] = {
        "type": "static_select", "action_id": KIND,
        "options": [_kind_option(k) for k in polls.STATEMENT_LABEL],
        "initial_option": _kind_option(kind or StatementKind.INTERPRETATIVE.value),
    }
    fields: list[dict[str, Any]] = [{
        "type": "input", "block_id": KIND, "optional": True,
        "label": {"type": "plain_text", "text": _("Kind of statement")}, "element": select,
    }]
    if statement:
        fields.append({
            "type": "input", "block_id": WITHDRAW, "optional": True,
            "label": {"type": "plain_text", "text": _("Withdraw")},
            "element": {"type": "checkboxes", "action_id": WITHDRAW, "options": [{
                "text": {"type": "plain_text", "text": _("Withdraw my member's statement")},
                "value": "withdraw"}]},
        })
    return fields


def position_modal(stance: Stance, form: Message, metadata: Metadata,
                   statement: str | None = None, kind: str | None = None) -> dict[str, Any]:
    """The modal for one position; the reason of an objection is required.

    ``statement``, ``kind``: the member's current statement and its kind, shown in
    the form to keep, edit or withdraw.
    """
    concur = stance is Stance.CONCUR
    label = _("Statement (optional)") if concur else _("Reason for the objection")
    hint = (_("Shown on the poll and kept with the joint decision; left empty, your member's "
              "statement stands.") if concur
            else _("Shown to the council. Any objection blocks the proposal at once."))
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
    title = (_("Concur with P{poll}", poll=metadata.proposal) if concur
             else _("Object to P{poll}", poll=metadata.proposal))
    return {
        "type": "modal",
        "callback_id": _VIEW[stance],
        "private_metadata": metadata.dump(),
        "title": {"type": "plain_text", "text": clip(title, 24)},
        "submit": {"type": "plain_text", "text": _("Concur") if concur else _("Object")},
        "close": {"type": "plain_text", "text": _("Cancel")},
        "blocks": [*body, *(_statement_fields(statement, kind) if concur else []), field],
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
        "title": {"type": "plain_text",
                  "text": clip(_("Amend P{poll}", poll=metadata.proposal), 24)},
        "submit": {"type": "plain_text", "text": _("Propose")},
        "close": {"type": "plain_text", "text": _("Cancel")},
        "blocks": [*to_blocks(Message(text=form.text, context=form.context)),
                   _text_input(AMENDMENT_TEXT, _("Amendment"), _("The text you propose instead.")),
                   _text_input(AMENDMENT_REASON, _("Reason"), _("Shown to the council."))],
    }


def register_amendment(app: App, runtime: Runtime, port: SlackPort) -> None:
    """The amendment modal's submission: recorded, or the refusal shown in the modal."""

    @app.view(AMENDMENT_VIEW)
    def on_amendment(ack: Ack, body: dict[str, Any], view: dict[str, Any],
                     client: WebClient) -> None:
        user_id = str((body.get("user") or {}).get("id", ""))
        metadata = Metadata.load(str(view.get("private_metadata") or ""))
        text, reason = _value(view, AMENDMENT_TEXT), _value(view, AMENDMENT_REASON)
        with using(runtime.readers.of(user_id)):
            if metadata is None:
                ack(response_action="errors", errors={AMENDMENT_TEXT: _(LOST)})
                return
            missing = {b: _("Required.") for b, v in ((AMENDMENT_TEXT, text),
                                                      (AMENDMENT_REASON, reason))
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


def _state(view: dict[str, Any], block: str) -> dict[str, Any]:
    values = ((view.get("state") or {}).get("values") or {}).get(block) or {}
    return dict(values.get(block) or {})


def _value(view: dict[str, Any], block: str) -> str:
    return str(_state(view, block).get("value") or "")


def _kind(view: dict[str, Any]) -> str | None:
    """The kind chosen (a ``StatementKind``), None if none or not one of them."""
    value = (_state(view, KIND).get("selected_option") or {}).get("value")
    return str(value) if value in polls.STATEMENT_LABEL else None


def _withdraw(view: dict[str, Any]) -> bool:
    return any(o.get("value") == "withdraw" for o in _state(view, WITHDRAW)
               .get("selected_options") or [] if isinstance(o, dict))


def _selected(view: dict[str, Any], block: str) -> str | None:
    element = (((view.get("state") or {}).get("values") or {}).get(block) or {}).get(block) or {}
    option = element.get("selected_option") or {}
    return str(option["value"]) if option.get("value") else None


def _picked_time(view: dict[str, Any]) -> datetime | None:
    values = ((view.get("state") or {}).get("values") or {}).get("deadline") or {}
    stamp = (values.get("deadline") or {}).get("selected_date_time")
    return datetime.fromtimestamp(int(stamp), UTC) if isinstance(stamp, int | str) and str(
        stamp).isdigit() else None


#: The words a refusal uses for each field, in every offered language (a refusal is in
#: the reader's language): what ``poll_error_field`` looks for.
URGENT_WORDS = ("urgent", "urgence", "срочн")
AREA_WORDS = ("area", "domaine", "област")
DEADLINE_WORDS = ("deadline", "silence", "sooner", "days away", "urgent", "échéance",
                  "date limite", "délai", "plus tôt", "jours", "срок", "молчани", "раньше",
                  "дней", "срочн")


def poll_error_field(text: str, chair: bool) -> str:
    """The field of the Open consensus poll modal a refusal concerns."""
    lowered = text.lower()
    if chair and any(w in lowered for w in URGENT_WORDS):
        return "urgent"
    if any(w in lowered for w in AREA_WORDS):
        return "area"
    if any(w in lowered for w in DEADLINE_WORDS):
        return "deadline"
    return "text"


def open_poll_from(view: dict[str, Any], deadline: datetime) -> Callable[[Context], Message]:
    """The core function the modal's submission runs: ``propose``'s use-case, its checks."""
    text, urgent = _value(view, "text"), _value(view, "urgent").strip() or None
    area, procedure = _selected(view, "area"), _selected(view, "procedure")

    def open_poll(ctx: Context) -> Message:
        ctx.require("propose")
        if area is not None and ctx.charter.area(area) is None:
            raise CommandError(_('"{area}" is not an area of cooperation.', area=area[:40]))
        return poll_service.propose(ctx, text_argument(text, "text of the proposal"), area,
                                    Mode.EXPLICIT if procedure == Mode.EXPLICIT.value else Mode.SILENCE, deadline, urgent)
    return open_poll


def register(app: App, runtime: Runtime, port: SlackPort) -> None:
    @app.view(POLL_MODAL)
    def on_open_poll(ack: Ack, body: dict[str, Any], view: dict[str, Any],
                     client: WebClient) -> None:
        user_id = str((body.get("user") or {}).get("id", ""))
        deadline = _picked_time(view)
        if deadline is None:
            with using(runtime.readers.of(user_id)):
                ack(response_action="errors", errors={"deadline": _("Choose the deadline.")})
            return
        reply = runtime.run_action(user_id, None, open_poll_from(view, deadline))
        if isinstance(reply, ErrorReply):
            chair = "urgent" in ((view.get("state") or {}).get("values") or {})
            ack(response_action="errors", errors={
                poll_error_field(reply.text, chair): clip(plain(reply.text), ERROR_LIMIT)})
            return
        ack()
        tell(client, None, user_id, reply)
        runtime.deliver_soon(port)

    register_amendment(app, runtime, port)

    def submit(ack: Ack, body: dict[str, Any], view: dict[str, Any], client: WebClient,
               stance: Stance) -> None:
        user_id = str((body.get("user") or {}).get("id", ""))
        metadata = Metadata.load(str(view.get("private_metadata") or ""))
        block = _INPUT[stance]
        text = _value(view, block)
        if metadata is None or (stance is Stance.OBJECT and not text.strip()):
            with using(runtime.readers.of(user_id)):
                ack(response_action="errors",
                    errors={block: _(LOST)} if metadata is None else {REASON: _(NO_REASON)})
            return
        kind = _kind(view) if stance is Stance.CONCUR else None
        withdraw = stance is Stance.CONCUR and _withdraw(view)
        if withdraw:
            text = ""  # the withdrawal wins over the pre-filled statement

        def take(ctx: Context) -> Message:
            return polls.take_position(ctx, metadata.proposal, stance, text,
                                       version=metadata.version, kind=kind,
                                       withdraw_statement=withdraw)

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
