"""The poll buttons: Concur in one click; Concur with statement… and Object… open a modal.

Concur records the member's concurrence at once, behind Slack's own confirm
dialog (a stray click records nothing); the poll updates in place and the
delegate is told ephemerally. A statement (and its kind) or its withdrawal goes
through the Concur with statement… form, an objection's reason through Object….
Before a modal opens the core checks that this user may take a position on this
poll now, so a refusal comes at once, ephemerally.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

from slack_bolt import Ack, App
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from bot import polls
from bot.context import Context
from bot.i18n import _, using
from bot.messages import Message
from bot.polls.rules import Stance
from bot.registry import parse_id
from bot.runtime import ErrorReply, Runtime
from handlers.slackport import SlackPort
from handlers.submissions import Metadata, amendment_modal, position_modal, tell

log = logging.getLogger(__name__)


def _channel(body: dict[str, Any]) -> str | None:
    container = body.get("container") or {}
    channel = container.get("channel_id") or (body.get("channel") or {}).get("id")
    return str(channel) if channel else None


def _clicked_poll(runtime: Runtime, client: WebClient, body: dict[str, Any]
                  ) -> tuple[str, str | None, int] | None:
    """Who clicked, in which channel, on which poll's button; None (the clicker told) when
    the button names no poll."""
    user_id = str((body.get("user") or {}).get("id", ""))
    channel = _channel(body)
    proposal_id = parse_id(((body.get("actions") or [{}])[0]).get("value"))
    if proposal_id is None:
        with using(runtime.readers.of(user_id)):
            tell(client, channel, user_id, Message(text=_("This button names no poll.")))
        return None
    return user_id, channel, proposal_id


def _open_form(runtime: Runtime, client: WebClient, body: dict[str, Any],
               clicked: tuple[str, str | None, int], form: Callable[[Context], Message],
               view: Callable[[Message], dict[str, Any] | None], usage: str) -> None:
    """Check at once, read-only, that the clicker may (``form``), then open the modal
    ``view`` builds from its answer; a refusal, or a form Slack could not open, is said to
    the clicker with the command (``usage``) that does the same."""
    user_id, channel, proposal_id = clicked
    reply = runtime.run_action(user_id, channel, form, mutates=False)
    with using(runtime.readers.of(user_id)):  # the modal in the clicker's language
        modal = None if isinstance(reply, ErrorReply) else view(reply)
    if modal is None:
        tell(client, channel, user_id, reply)
        return
    try:
        client.views_open(trigger_id=str(body.get("trigger_id", "")), view=modal)
    except SlackApiError:
        log.exception("views.open failed for P%s", proposal_id)
        with using(runtime.readers.of(user_id)):
            tell(client, channel, user_id, Message(
                text=_("Slack could not open the form; click again, or use `{command}`.",
                       command=f"{runtime.settings.command} {usage}")))


def open_position_modal(runtime: Runtime, client: WebClient, body: dict[str, Any],
                        stance: Stance) -> None:
    clicked = _clicked_poll(runtime, client, body)
    if clicked is None:
        return
    _user, channel, proposal_id = clicked
    shown: list[polls.PositionForm] = []

    def form(ctx: Context) -> Message:
        shown.append(polls.position_form(ctx, proposal_id, stance))
        return shown[0].message

    def view(reply: Message) -> dict[str, Any] | None:
        if not shown:
            return None
        metadata = Metadata(proposal_id, shown[0].version, channel)
        return position_modal(stance, reply, metadata, shown[0].statement,
                              shown[0].statement_kind)

    verb = "concur" if stance is Stance.CONCUR else "object"
    _open_form(runtime, client, body, clicked, form, view, f"{verb} P{proposal_id}")


def concur_now(runtime: Runtime, port: SlackPort, client: WebClient,
               body: dict[str, Any]) -> None:
    """The one-click Concur: its value is ``<proposal>:<version>``, the text the delegate
    saw, so a click on a poll amended meanwhile is refused rather than moved on."""
    user_id = str((body.get("user") or {}).get("id", ""))
    channel = _channel(body)
    action = (body.get("actions") or [{}])[0]
    proposal, _sep, seen = str(action.get("value") or "").partition(":")
    proposal_id, version = parse_id(proposal), parse_id(seen) if seen else None
    if proposal_id is None or (seen and version is None):
        with using(runtime.readers.of(user_id)):
            tell(client, channel, user_id, Message(text=_("This button names no poll.")))
        return

    def take(ctx: Context) -> Message:
        return polls.take_position(ctx, proposal_id, Stance.CONCUR, None, version=version)

    tell(client, channel, user_id, runtime.run_action(user_id, channel, take))
    runtime.deliver_soon(port)


def open_amendment_modal(runtime: Runtime, client: WebClient, body: dict[str, Any]) -> None:
    """Propose amendment…: check at once that this delegate may, then open the form."""
    clicked = _clicked_poll(runtime, client, body)
    if clicked is None:
        return
    _user, channel, proposal_id = clicked
    seen: dict[str, int] = {}

    def form(ctx: Context) -> Message:
        message, seen["version"] = polls.amendment_form(ctx, proposal_id)
        return message

    def view(reply: Message) -> dict[str, Any] | None:
        if "version" not in seen:
            return None
        return amendment_modal(reply, Metadata(proposal_id, seen["version"], channel))

    _open_form(runtime, client, body, clicked, form, view,
               f"amendment P{proposal_id} <text> --reason <reason>")


def register(app: App, runtime: Runtime, port: SlackPort) -> None:
    @app.action(polls.CONCUR_NOW_ACTION)
    def on_concur_now(ack: Ack, body: dict[str, Any], client: WebClient) -> None:
        ack()
        concur_now(runtime, port, client, body)

    @app.action(polls.AMENDMENT_ACTION)
    def on_amendment(ack: Ack, body: dict[str, Any], client: WebClient) -> None:
        ack()
        open_amendment_modal(runtime, client, body)

    @app.action(polls.CONCUR_ACTION)
    def on_concur(ack: Ack, body: dict[str, Any], client: WebClient) -> None:
        ack()
        open_position_modal(runtime, client, body, Stance.CONCUR)

    @app.action(polls.OBJECT_ACTION)
    def on_object(ack: Ack, body: dict[str, Any], client: WebClient) -> None:
        ack()
        open_position_modal(runtime, client, body, Stance.OBJECT)
